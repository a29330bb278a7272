"""Search reads the newest matches by id first (store.items.newest_matches): whatever the
order ids and dates are in, the results are exactly those of one query over every match."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import NewsQuery, Store, fts_query
from dealdesk.store import items as store_items
from dealdesk.text.filters import exclusions

END = datetime(2026, 6, 1, tzinfo=UTC)
WORDS = ("stargate", "abilene", "power", "grid", "chips", "oracle", "texas", "cooling")
COLUMNS = "id, feed, title, link, published, summary, date_flag, read"


def everything(path: Path, query: str, limit: int, extra: str = "1",
               params: tuple[object, ...] = ()) -> list[int]:
    """The reference: one query over every match, as search ran before the window."""
    match = fts_query(query)
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute(
            f"SELECT {COLUMNS} FROM items WHERE id IN "
            "(SELECT rowid FROM items_fts WHERE items_fts MATCH ?) "
            f"AND {extra} ORDER BY published DESC, id DESC LIMIT ?",
            (match, *params, limit))]


def fill(path: Path, order: str, n: int = 900, seed: int = 7) -> None:
    """`n` items over a year, stored in `order`: "dated" (ids follow dates, each batch of
    30 a little out of order, as refreshes store them), "reversed" (oldest stored last, a
    backlog) or "shuffled"."""
    rng = random.Random(seed)
    ages = sorted((rng.uniform(0, 365 * 24) for _ in range(n)), reverse=True)
    if order == "reversed":
        ages.reverse()
    elif order == "shuffled":
        rng.shuffle(ages)
    items = []
    for k, hours in enumerate(ages):
        words = rng.sample(WORDS, 3)
        items.append(NewsItem(
            feed=f"feed {k % 3}", guid=f"g{k}", title=" ".join(words[:2]),
            link=f"https://e.com/{k}", published=END - timedelta(hours=hours),
            summary=words[2], entities=("Oracle",) if "oracle" in words else ()))
    with Store.open(path) as store:
        for start in range(0, n, 30):
            batch = items[start:start + 30]
            if order == "dated":
                rng.shuffle(batch)  # one refresh: its items in feed order, not date order
            by_feed: dict[str, list[NewsItem]] = {}
            for it in batch:
                by_feed.setdefault(it.feed, []).append(it)
            store.record_many([
                (FetchResult(name=feed, url=f"https://e.com/{feed}.xml", status="ok",
                             http_status=200), feed_items, END)
                for feed, feed_items in by_feed.items()])


@pytest.fixture(params=["dated", "reversed", "shuffled"])
def archive(request, tmp_path, monkeypatch) -> Path:
    # A small archive takes the window's path: windows of 4 rows per row asked for (at
    # least 256 is the shipped floor; here as few as the test needs) and no "cheap enough
    # to read every match" shortcut.
    monkeypatch.setattr(store_items, "SEARCH_ALL_BELOW", 0)
    monkeypatch.setattr(store_items, "SEARCH_MIN_WINDOW", 8)
    path = tmp_path / "dealdesk.db"
    fill(path, request.param)
    return path


@pytest.mark.parametrize("query", ["stargate", "power grid", "ora", "texas cooling chips",
                                   "nothing here"])
@pytest.mark.parametrize("limit", [1, 5, 40, 200])
def test_search_gives_the_newest_matches_whatever_the_id_order(archive, query, limit):
    with Store.open(archive) as store:
        got = [i.id for i in store.search(query, limit=limit)]
    assert got == everything(archive, query, limit)


@pytest.mark.parametrize("query", ["stargate", "power", "oracle texas"])
def test_search_shown_keeps_its_filters_with_the_window(archive, query):
    hide = exclusions(["abilene"], []).rules()
    with Store.open(archive) as store:
        shown = [i.id for i in store.search_shown(query, NewsQuery(hide=hide), limit=20)]
        on_oracle = [i.id for i in store.search_shown(
            query, NewsQuery(entity="Oracle"), limit=20)]
    hidden_match = hide[0][1]
    assert shown == everything(
        archive, query, 20,
        "NOT (items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?))",
        (hidden_match,))
    assert on_oracle == everything(
        archive, query, 20,
        "items.id IN (SELECT item_id FROM item_entities WHERE entity = ?)", ("Oracle",))


def test_search_in_a_big_dated_archive_uses_the_shipped_thresholds(tmp_path):
    """With the shipped thresholds (no monkeypatching), on an archive big enough for the
    window: the same results as the query over every match."""
    path = tmp_path / "dealdesk.db"
    fill(path, "dated", n=3000, seed=3)
    with Store.open(path) as store:
        for query in ("stargate", "power grid", "o"):
            assert [i.id for i in store.search(query, limit=100)] == everything(
                path, query, 100)
