"""A store filled with fixed news, for Pilot and snapshot tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from dealdesk.model import FeedSpec, NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store

from .conftest import FIXED_NOW

# feed, title, entities; summaries are the title plus SUMMARIES where a figure is wanted.
HEADLINES = [
    ("OpenAI News", "OpenAI and NVIDIA sign definitive agreement for first gigawatt", ("OpenAI", "Nvidia")),
    ("News: OpenAI + Nvidia", "ChatGPT reaches 1 billion weekly active users, Altman says", ("ChatGPT",)),
    ("Actualités : OpenAI Nvidia", "Oracle : le contrat de 300 milliards de dollars avec OpenAI revu", ("Oracle", "OpenAI")),
    ("Official Microsoft Blog", "Microsoft and OpenAI: the next chapter of our partnership", ("Microsoft", "OpenAI")),
    ("NVIDIA Newsroom", "NVIDIA Vera Rubin systems begin shipping to customers", ("Nvidia",)),
    ("News: OpenAI compute deals", "AMD says first MI450 gigawatt for OpenAI is on schedule", ("AMD", "OpenAI")),
    ("Numerama", "Broadcom et OpenAI : les puces maison arrivent en 2026", ("Broadcom", "OpenAI")),
]


SUMMARIES = {
    0: "Nvidia will invest $10 billion in OpenAI as the first gigawatt is deployed.",
    5: "AMD says its first 1 GW of MI450 for OpenAI is on schedule, with 6 GW to follow.",
}


def fill_store(path: Path, feeds: tuple[FeedSpec, ...], now: datetime = FIXED_NOW) -> Path:
    """One item per headline, an hour apart, newest first; one feed failing with a timeout.
    Figures in them become signals, as a refresh would make them."""
    from dealdesk.config import load
    from dealdesk.news.entities import EntityMatcher
    from dealdesk.news.signals import find_figures

    from .conftest import CONFIG_DIR

    matcher = EntityMatcher(load(CONFIG_DIR).story.entities())
    urls = {f.name: f.url for f in feeds}
    with Store.open(path) as store:
        for i, (feed, title, entities) in enumerate(HEADLINES):
            item = NewsItem(
                feed=feed, guid=f"g{i}", title=title, link=f"https://example.com/news/{i}",
                published=now - timedelta(hours=i + 1),
                summary=f"{title}. {SUMMARIES.get(i, '')} A fixed summary for tests, with "
                        "[bold]markup[/bold] shown as typed.",
                entities=entities,
            )
            result = FetchResult(feed, urls.get(feed, "https://example.com/feed"), "ok", 200)
            for item_id, stored in store.record(result, [item], now - timedelta(minutes=30)):
                figures = find_figures(f"{stored.title}. {stored.summary}", matcher)
                store.add_signals(item_id, figures, now - timedelta(minutes=30))
        failing = FetchResult("Numerama", urls.get("Numerama", "https://example.com/feed"),
                              "error", None, error="timeout")
        store.record(failing, [], now - timedelta(minutes=5))
        first = store.latest_items(limit=1)[0]
        store.mark_read(first.id)
    return path


def with_feeds(config, feeds: tuple[FeedSpec, ...]):
    return replace(config, feeds=feeds)
