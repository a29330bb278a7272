"""News and feeds (the store's rows, read through model's NewsRow and FeedRow protocols, so
this module needs no store import)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from ..cells import terminal_safe
from ..model import FeedRow, NewsRow
from ..value import Value
from .format import Column, DetailView, Row, TableView, age

NEWS_TITLE_WIDTH = 70
NEWS_EMPTY = (
    "No news yet. Press r to fetch the feeds listed in feeds.toml; items are kept in the "
    "local archive and show here at once on the next start."
)


class NewsLine(Value):
    """One stored news item, as the News panel needs it (filled by the store)."""

    id: int
    title: str
    feed: str
    published: datetime
    read: bool = False
    entities: tuple[str, ...] = ()
    link: str | None = None


def news_line(item: NewsRow) -> NewsLine:
    """A stored item (store.StoredItem, or any NewsRow) as a News row."""
    # Drawn, not stored: emoji sequences in the form Rich and terminals measure alike.
    return NewsLine(item.id, terminal_safe(item.title), terminal_safe(item.feed),
                    item.published, item.read, item.entities, item.link)


def news_view(items: Sequence[NewsLine], now: datetime, empty: str = NEWS_EMPTY) -> TableView:
    rows = tuple(
        Row(str(item.id), (
            Text("  " if item.read else "● ", style="bold cyan"),
            Text(age(item.published, now), justify="right"),
            Text(item.title, style="" if item.read else "bold", overflow="ellipsis",
                 no_wrap=True),
            Text(item.feed, style="dim"),
            Text(", ".join(item.entities), style="cyan"),
        ))
        for item in items
    )
    return TableView(
        "News",
        # A title has a width, so a 1,000-character headline cannot push the feed off-screen.
        (Column(""), Column("Age", justify="right", priority=1),
         Column("Title", NEWS_TITLE_WIDTH, min_width=30),
         Column("Feed", priority=2, min_width=8), Column("About", priority=3, min_width=8)),
        rows,
        empty,
    )


FEED_STATUS_LABEL = {
    "ok": ("● ok", "green"),
    "not_modified": ("● not modified", "green"),
    "error": ("✖ error", "bold red"),
    "never": ("○ never fetched", "dim"),
}


def when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "—"
    ago = age(value, now)
    return f"{value.strftime('%Y-%m-%d %H:%M')} ({'just now' if ago == 'now' else ago + ' ago'})"


def feeds_view(states: Sequence[FeedRow], now: datetime) -> TableView:
    rows = []
    for s in states:
        label, style = FEED_STATUS_LABEL.get(s.status, (s.status, ""))
        retry = ""
        if s.status == "error" and s.next_retry is not None:
            retry = "now" if s.next_retry <= now else f"in {age(now, s.next_retry)}"
        rows.append(Row(s.name, (
            Text(s.name, style="bold"),
            Text(label, style=style),
            Text(when(s.last_success, now)),
            Text(str(s.items), justify="right"),
            Text(s.error or "", style="red"),
            Text(retry),
        )))
    failed = sum(1 for s in states if s.status == "error")
    summary = Text(f"{len(states)} feeds · {failed} failing", style="bold red" if failed else "")
    return TableView(
        "Feeds",
        (Column("Feed", min_width=10), Column("Status", priority=1),
         Column("Last success", priority=3), Column("Items", justify="right", priority=4),
         Column("Error", 36, priority=2, min_width=12), Column("Next retry", priority=5)),
        tuple(rows),
        "No feeds in feeds.toml.",
        (summary,),
    )


def news_item_details(item: NewsRow, now: datetime) -> DetailView:
    flag = {"missing": " (no date in the feed: fetch time)",
            "future": " (dated in the future by the feed: clamped)"}.get(item.date_flag or "", "")
    rows = [
        ("Feed", Text(item.feed)),
        ("Published", Text(when(item.published, now) + flag)),
        ("About", Text(", ".join(item.entities) or "—")),
        ("Link", Text(item.link or "no http(s) link", style="underline" if item.link else "dim")),
    ]
    return DetailView(
        terminal_safe(item.title),
        f"news · {terminal_safe(item.feed)}",
        tuple(rows),
        body=(Text("Summary", style="bold underline"),
              Text(terminal_safe(item.summary or "No summary."))),
    )
