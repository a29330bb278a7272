"""What the dashboard counts after every store read (unread per feed and per partner, hidden
items, new signals per fact) is the same as counting every row, read from narrow indexes."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import NewsQuery, Store
from dealdesk.store import schema as store_schema
from dealdesk.store.reading import _hidden_sql
from dealdesk.text.filters import exclusions

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PARTNERS = ("Nvidia", "Oracle", "AMD", "Cerebras")
WORDS = ("sponsored", "webinar", "chips", "power", "grid", "deal")


def fill(path: Path, seed: int, n: int = 300) -> None:
    rng = random.Random(seed)
    with Store.open(path) as store:
        for feed in ("wire", "blog", "press"):
            items = [NewsItem(
                feed=feed, guid=f"{feed}-{k}", title=" ".join(rng.sample(WORDS, 2)),
                link=None, published=NOW - timedelta(hours=k),
                entities=tuple(rng.sample(PARTNERS, rng.randint(0, 2))))
                for k in range(n // 3)]
            stored = store.record(FetchResult(name=feed, url=f"https://e.com/{feed}",
                                              status="ok", http_status=200), items, NOW)
            for item_id, _ in stored:
                if rng.random() < 0.2:
                    store.add_signals(item_id, [{"metric": "capacity_gw", "value": item_id,
                                                 "subject": rng.choice(PARTNERS)}], NOW)
        ids = [i for (i,) in store._conn.execute("SELECT id FROM items")]
        store.mark_many_read(rng.sample(ids, len(ids) // 4))


def by_join(path: Path, hide: tuple[tuple[str | None, str], ...]) -> dict[str, int]:
    """The reference: every tag of every unread, shown item, counted one by one."""
    hidden, params = _hidden_sql(hide)
    with sqlite3.connect(path) as conn:
        return dict(conn.execute(
            "SELECT e.entity, count(*) FROM item_entities e JOIN items ON items.id = "
            f"e.item_id WHERE items.read = 0 AND NOT ({hidden}) GROUP BY e.entity", params))


RULES = {
    "none": ([], []),
    "everywhere": (["sponsored"], []),
    "two terms": (["sponsored", "webinar"], []),
    "one feed": ([], [("blog", ["grid"])]),
    "both": (["deal"], [("wire", ["chips"]), ("press", ["power grid"])]),
}


def rules_of(name: str) -> tuple[tuple[str | None, str], ...]:
    from dealdesk.model import FeedSpec

    common, per_feed = RULES[name]
    feeds = [FeedSpec(name=feed, url=f"https://e.com/{feed}", exclude=tuple(terms))
             for feed, terms in per_feed]
    return exclusions(common, feeds).rules()


@pytest.mark.parametrize("rules", list(RULES))
@pytest.mark.parametrize("seed", [1, 2])
def test_unread_per_partner_counts_unread_shown_items_only(tmp_path, rules, seed):
    path = tmp_path / "dealdesk.db"
    fill(path, seed)
    hide = rules_of(rules)
    with Store.open(path) as store:
        got = store.unread_by_entity(hide)
    assert got == by_join(path, hide)
    assert all(n > 0 for n in got.values())


def test_unread_per_partner_when_everything_is_read_is_empty(tmp_path):
    path = tmp_path / "dealdesk.db"
    fill(path, 3)
    with Store.open(path) as store:
        store.mark_many_read([i for (i,) in store._conn.execute("SELECT id FROM items")])
        assert store.unread_by_entity() == {}
        assert store.unread_by_feed() == {}
        assert store.count_news(NewsQuery(unread_only=True)) == 0


@pytest.mark.parametrize("rules", list(RULES))
def test_new_signals_per_fact_leave_out_hidden_items_only(tmp_path, rules):
    path = tmp_path / "dealdesk.db"
    fill(path, 4)
    hide = rules_of(rules)
    hidden, params = _hidden_sql(hide)
    with sqlite3.connect(path) as conn:
        want: dict[tuple[str, str | None], int] = {}
        for metric, subject, n in conn.execute(
                "SELECT s.metric, s.subject, count(*) FROM signals s JOIN items ON items.id "
                f"= s.news_id WHERE s.state = 'new' AND NOT ({hidden}) "
                "GROUP BY s.metric, s.subject", params):
            want[(metric, subject or None)] = n
    with Store.open(path) as store:
        assert store.signal_counts_shown("new", hide) == want
        assert (store.count_hidden(NewsQuery(hide=hide))
                == store.count_news(NewsQuery()) - store.count_news(NewsQuery(hide=hide)))


def test_unread_counts_read_the_narrow_index_not_every_row(tmp_path):
    """A year of news is a million rows: the unread counts must come from an index."""
    path = tmp_path / "dealdesk.db"
    fill(path, 5)
    with sqlite3.connect(path) as conn:
        for sql in ("SELECT count(*) FROM items WHERE 1 AND items.read = 0",
                    "SELECT feed, count(*) FROM items WHERE read = 0 AND NOT (0) GROUP BY feed",
                    "SELECT id FROM items WHERE read < 0 OR read > 0"):
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX items_by_read" in plan, (sql, plan)
        plan = " ".join(row[3] for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT metric, subject, count(*) FROM signals WHERE state = ? "
            "GROUP BY metric, subject", ("new",)))
        assert "COVERING INDEX signals_by_fact" in plan


def test_a_version_4_store_gets_the_count_indexes_and_keeps_its_items(tmp_path, monkeypatch):
    path = tmp_path / "dealdesk.db"
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:4])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 4)
    fill(path, 6, n=30)
    monkeypatch.undo()
    with Store.open(path) as store:
        assert store.count_items() == 30
        assert store.unread_by_entity() == by_join(path, ())
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_schema.SCHEMA_VERSION
    assert {"items_by_read", "signals_by_fact"} <= names


@pytest.mark.parametrize("limit", [1, 5, 40, 200])
@pytest.mark.parametrize("unread_only", [False, True])
def test_a_partners_news_is_the_same_walked_or_listed(tmp_path, limit, unread_only):
    """Small pages of a common partner are found walking the newest items, big ones from
    the list of its items: the same items either way, in the same order."""
    path = tmp_path / "dealdesk.db"
    fill(path, 7)
    hide = rules_of("both")
    with Store.open(path) as store, sqlite3.connect(path) as conn:
        for entity in (*PARTNERS, "Nobody"):
            for rules in ((), hide):
                query = NewsQuery(entity=entity, unread_only=unread_only, hide=rules)
                hidden, params = _hidden_sql(rules)
                unread = "items.read = 0" if unread_only else "1"
                want = [row[0] for row in conn.execute(
                    "SELECT id FROM items WHERE id IN (SELECT item_id FROM item_entities "
                    f"WHERE entity = ?) AND {unread} AND NOT ({hidden}) "
                    "ORDER BY published DESC, id DESC", (entity, *params))]
                assert [i.id for i in store.news_page(query, limit)] == want[:limit]
                assert store.count_news(query) == len(want)


@pytest.mark.parametrize("limit,offset", [(1, 0), (3, 2), (5, 5), (50, 0), (200, 10)])
@pytest.mark.parametrize("states", [("new",), ("new", "accepted"), ("accepted", "dismissed")])
def test_an_inbox_page_is_the_same_walked_or_sorted(tmp_path, limit, offset, states):
    """Pages of many signals are found walking the newest items, pages of few by sorting
    them all: the same signals either way, in the inbox's order."""
    from dealdesk.store.signals import _SIGNAL_SELECT, _signal_filter

    path = tmp_path / "dealdesk.db"
    fill(path, 8)
    with Store.open(path) as store:
        ids = [s.id for s in store.signals()]
        for k, signal_id in enumerate(ids[::3]):
            store.set_signal_state(signal_id, ("accepted", "dismissed")[k % 2], NOW)
        for about in (None, [("capacity_gw", "Nvidia"), ("capacity_gw", "AMD")]):
            where, params = _signal_filter(states, about)
            with sqlite3.connect(path) as conn:
                want = [row[0] for row in conn.execute(
                    _SIGNAL_SELECT + f" WHERE {where} ORDER BY i.published DESC, s.id "
                    "LIMIT ? OFFSET ?", (*params, limit, offset))]
            got = [s.id for s in store.signals_page(states, about, limit, offset)]
            assert got == want
