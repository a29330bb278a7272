"""A store with a story to travel in: news and signals found, accepted and left pending on
known days, one item from a hostile feed. For test_asof, test_diff and test_report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store

from .conftest import FIXED_NOW
from .newsdata import fill_store

HOSTILE_TITLE = ("<script>alert(1)</script> Nvidia <img src=x onerror=alert(1)> | *bold* "
                 "[click](javascript:alert(1)) $5 & $6 `code` ~~gone~~ # not a heading")


def at(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def _item(store: Store, feed: str, guid: str, title: str, link: str | None,
          published: datetime) -> int:
    item = NewsItem(feed=feed, guid=guid, title=title, link=link, published=published,
                    summary=title, entities=())
    result = FetchResult(feed, "https://example.com/feed", "ok", 200)
    [(item_id, _)] = store.record(result, [item], published)
    return item_id


def story_store(path: Path, feeds) -> Path:
    """fill_store's news of 2026-11-29, and before it:

    - 2025-09-25: "ChatGPT at 750 million weekly users", found that day, accepted 2025-09-26;
    - 2025-09-28: a hostile item (script, onerror, javascript: link) with a Nvidia figure,
      found that day and never decided: pending ever since;
    - 2026-11-29: the 1B ChatGPT figure of fill_store, accepted at noon that day.
    """
    fill_store(path, feeds)
    with Store.open(path) as store:
        users = _item(store, "Wire", "u750", "ChatGPT at 750 million weekly users",
                      "https://example.com/chatgpt-750", at(2025, 9, 25, 9))
        store.add_signals(users, [{"metric": "weekly_active_users", "value": 750e6,
                                   "subject": "ChatGPT", "unit": "users",
                                   "quote": "750 million weekly users"}], at(2025, 9, 25, 10))
        hostile = _item(store, "Evil <b>feed</b>", "evil", HOSTILE_TITLE,
                        "javascript:alert(1)", at(2025, 9, 28, 9))
        store.add_signals(hostile, [{"metric": "commitment_usd", "value": 7e9,
                                     "subject": "Nvidia", "unit": "usd",
                                     "quote": "<script>alert('q')</script> $7 billion"}],
                          at(2025, 9, 28, 10))
        accepted = next(s for s in store.signals() if s.news_id == users)
        store.set_signal_state(accepted.id, "accepted", at(2025, 9, 26))
        billion = next(s for s in store.signals() if s.metric == "weekly_active_users"
                       and s.value == 1e9)
        store.set_signal_state(billion.id, "accepted", FIXED_NOW)
    return path
