"""Search as you type asks for the exact terms a prefix covers (store/terms.py) instead of
the prefix: whatever the text (accents, case, digits, apostrophes, CJK, words that begin
others), however the items were stored (indexed at once, or pending then enriched, or
their text changed), and in a store migrated from before the vocabulary, the results are
exactly those of the prefix query."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import NewsQuery, Store, fts_query
from dealdesk.store import items as store_items
from dealdesk.store import schema as store_schema
from dealdesk.store import terms as store_terms
from dealdesk.store.items import search_matches

END = datetime(2026, 6, 1, tzinfo=UTC)
WORDS = (
    "Luleå", "lulea", "LULEÅ", "Luleåborg", "data", "Data", "datacenter", "datacenters",
    "center", "centers", "centre", "don't", "Nvidia's", "nvidia", "H100", "h200", "GB200",
    "2026", "20", "1.5GW", "数据中心", "数据", "データセンター", "Σίσυφος", "İstanbul",
    "Straße", "strasse", "naïve", "NAIVE", "cafe\u0301", "café", "ﬁber", "fiber", "Ångström",
    "Łódź", "o'neill", "ai", "AI", "aim", "aims", "air", "airport", "Ai-chip", "c", "co",
    "compute", "coreweave", "x_y", "e-mail", "ma\u00f1ana", "manana",
)
# More terms under one prefix than the expansion takes when every match is read (the
# newest are still read through it), and more than it ever takes: the prefix query stays.
MANY = tuple(f"zq{k:03d}" for k in range(store_terms.MAX_EXPANSION + 6))
MOST = tuple(f"zr{k:03d}" for k in range(store_terms.MAX_WINDOW_EXPANSION + 4))
HIDE = ((None, '"sponsored"'), ("wire", '"webinar"'))


def search_match(db, text: str) -> str | None:
    """The MATCH a search reads every match with (the first of search_matches)."""
    matches = search_matches(db, text)
    return None if matches is None else matches[0]


def _items(rng: random.Random, feed: str, n: int, start: int) -> list[NewsItem]:
    vocab = (*WORDS, *MANY[: rng.randint(0, len(MANY))], "sponsored", "webinar")
    return [NewsItem(
        feed=feed, guid=f"{feed}-{start + k}",
        title=" ".join(rng.sample(vocab, 3)), link=None,
        published=END - timedelta(hours=rng.uniform(0, 2000)),
        summary=" ".join(rng.sample(vocab, 4)))
        for k in range(n)]


def _result(feed: str) -> FetchResult:
    return FetchResult(name=feed, url=f"https://e.com/{feed}", status="ok", http_status=200)


def fill(path: Path, seed: int = 3, n: int = 120) -> None:
    """Items indexed at once, items stored pending and enriched later, one left pending,
    and an indexed item whose text changed."""
    rng = random.Random(seed)
    with Store.open(path) as store:
        for round_ in range(4):
            for feed in ("wire", "blog"):
                store.record(_result(feed), _items(rng, feed, n // 8, round_ * n), END)
            press = [replace(item, title=f"Luleåpress{round_} {item.title}")
                     for item in _items(rng, "press", n // 8, round_ * n)]
            stored = store.record(_result("press"), press, END, pending=True)
            # All but the last enriched (pending 1 -> 0: the index and the terms take them).
            store.enrich([(item_id, (), ()) for item_id, _ in stored[:-1]])
        store.record(_result("blog"), [NewsItem(
            feed="blog", guid="many", title="many", link=None, published=END,
            summary=" ".join(MANY)), NewsItem(
            feed="blog", guid="most", title="most", link=None, published=END,
            summary=" ".join(MOST))], END)
        with store._transaction() as db:
            db.execute("UPDATE items SET title = 'Skellefteå hyperscaler Ωmega Luleåedit' "
                       "WHERE id = (SELECT min(id) FROM items WHERE pending = 0)")


def queries() -> list[str]:
    """Every prefix of every word, as typed and folded, alone and after another word; and
    prefixes that cover nothing, or more terms than the expansion takes."""
    found: set[str] = set()
    for word in (*WORDS, "Skellefteå", "hyperscaler", "Ωmega", "MANY zq"):
        for end in range(1, len(word) + 1):
            found.update((word[:end], word[:end].upper(), f"data {word[:end]}",
                          f"Luleå {word[:end]}"))
    found.update(("zq", "zq0", "zq06", "zr", "zr0", "zr1", "zr2", "most zr", "zzz", "qqqq",
                  "lulez", "data zzz", "don't c", "nvidia's h", "数据中", "sponsored a",
                  "e mail", "1 5g"))
    return sorted(found)


def _prefix_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_items, "prefix_terms", lambda *args: None)


def _ids(items: list[store_items.StoredItem]) -> list[int]:
    return [i.id for i in items]


def test_the_vocabulary_holds_every_indexed_term(tmp_path):
    path = tmp_path / "s.db"
    fill(path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, items_fts, 'row')")
        indexed = {t for (t,) in conn.execute("SELECT term FROM temp.v")}
        kept = {t for (t,) in conn.execute("SELECT term FROM search_terms")}
        pending = conn.execute("SELECT count(*) FROM items WHERE pending = 1").fetchone()[0]
    assert pending == 4  # one of each enriched batch was left pending
    assert indexed <= kept
    assert {"lulea", "luleaborg", "skelleftea", "数据中心", "t", "don", "luleaedit",
            "luleapress0", "luleapress3"} <= indexed


@pytest.mark.parametrize("thresholds", ["shipped", "window"])
def test_expanded_search_finds_exactly_what_the_prefix_finds(tmp_path, monkeypatch,
                                                            thresholds):
    """With "window", the newest matches by id are read first whenever there are more
    than a few (items.newest_matches), so that path is taken by most queries here."""
    if thresholds == "window":
        monkeypatch.setattr(store_items, "SEARCH_ALL_BELOW", 0)
        monkeypatch.setattr(store_items, "SEARCH_MIN_WINDOW", 8)
    path = tmp_path / "s.db"
    fill(path)
    qs = queries()
    expanded: dict[tuple[str, str, int], list[int]] = {}
    used = 0
    with Store.open(path) as store:
        for q in qs:
            matches = search_matches(store._conn, q)
            match = None if matches is None else matches[0]
            used += match is not None and "*" not in match
            for limit in (1, 7, 300):
                expanded["search", q, limit] = _ids(store.search(q, limit))
                expanded["shown", q, limit] = _ids(store.search_shown(
                    q, NewsQuery(hide=HIDE, unread_only=limit == 7), limit))
                expanded["phrase", q, limit] = _ids(store.phrase_items(q, limit=limit))
            with_fts = store._conn.execute(
                "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid DESC",
                (match,)).fetchall() if match else []
            expanded["rowids", q, 0] = [r[0] for r in with_fts]
            if matches is not None:
                assert [r[0] for r in store._conn.execute(
                    "SELECT rowid FROM items_fts WHERE items_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT 50", (matches[1],))] == expanded[
                        "rowids", q, 0][:50], q
    assert used > len(qs) // 2  # most queries do go through the expansion
    _prefix_only(monkeypatch)
    with Store.open(path) as store:
        for (kind, q, limit), ids in expanded.items():
            if kind == "search":
                assert _ids(store.search(q, limit)) == ids, (q, limit)
            elif kind == "shown":
                assert _ids(store.search_shown(
                    q, NewsQuery(hide=HIDE, unread_only=limit == 7), limit)) == ids, (q, limit)
            elif kind == "phrase":
                assert _ids(store.phrase_items(q, limit=limit)) == ids, (q, limit)
            else:
                match = fts_query(q)
                assert [r[0] for r in store._conn.execute(
                    "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid DESC",
                    (match,))] == ids, q


def test_the_search_asks_the_index_for_the_exact_terms(tmp_path, monkeypatch):
    """The optimisation cannot vanish silently: the MATCH that reaches the index is the OR
    of the exact terms, folded as the index folds them, with no prefix left."""
    path = tmp_path / "s.db"
    fill(path)
    seen: list[tuple[str, str]] = []
    real = store_items.newest_matches

    def spy(db, columns, match, where, params, limit, window):  # type: ignore[no-untyped-def]
        seen.append((match, window))
        return real(db, columns, match, where, params, limit, window)

    monkeypatch.setattr(store_items, "newest_matches", spy)
    monkeypatch.setattr("dealdesk.store.reading.newest_matches", spy)
    with Store.open(path) as store:
        assert store.search("data Lulé", 5)
        assert store.search_shown("DON'T CENT", NewsQuery(), 5)
        assert store.search("MANY zq0", 5)
        assert store.search("Luleå zq00", 5)
        assert store.search("MOST zr", 5)
        assert store.search("qqqq", 5) == []
    lul = ('"data" AND ("lulea" OR "luleaborg" OR "luleaedit" OR "luleapress0" OR '
           '"luleapress1" OR "luleapress2" OR "luleapress3")')
    cent = '"DON" AND "T" AND ("center" OR "centers" OR "centre")'
    zq00 = ('"Luleå" AND ("zq000" OR "zq001" OR "zq002" OR "zq003" OR "zq004" OR "zq005" OR '
            '"zq006" OR "zq007" OR "zq008" OR "zq009")')
    # 70 terms under zq0: over the cap for every match, not for the newest.
    zq0 = '"MANY" AND (' + " OR ".join(f'"{t}"' for t in MANY) + ")"
    assert seen == [
        (lul, lul), (cent, cent), ('"MANY" "zq0"*', zq0), (zq00, zq00),
        ('"MOST" "zr"*', '"MOST" "zr"*'),  # 260 terms: the prefix, whatever is read
        ('"qqqq"*', '"qqqq"*'),  # covers nothing: the prefix, which costs nothing
    ]


def test_a_missing_or_empty_vocabulary_means_the_prefix_query(tmp_path):
    path = tmp_path / "s.db"
    fill(path)
    with Store.open(path) as store:
        before = _ids(store.search("lul", 50))
        assert "*" not in (search_match(store._conn, "lul") or "*")
        store._conn.execute("DELETE FROM search_terms")
        assert search_match(store._conn, "lul") == '"lul"*'
        assert _ids(store.search("lul", 50)) == before
        store._conn.execute("DROP TABLE search_terms")
        assert search_match(store._conn, "lul") == '"lul"*'
        assert _ids(store.search("lul", 50)) == before


def test_a_store_from_before_the_vocabulary_gets_it_filled(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    version = store_schema.MIGRATIONS.index(
        next(m for m in store_schema.MIGRATIONS
             if any("search_terms" in statement for statement in m)))
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:version])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", version)
    fill(path, seed=5)
    with Store.open(path) as store:
        before = {q: _ids(store.search(q, 40)) for q in queries()}
    monkeypatch.undo()
    with Store.open(path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store_schema.SCHEMA_VERSION
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, items_fts, 'row')")
        indexed = {t for (t,) in conn.execute("SELECT term FROM temp.v")}
        kept = {t for (t,) in conn.execute("SELECT term FROM search_terms")}
        assert indexed and indexed == kept
        assert search_match(conn, "lul") == (
            '("lulea" OR "luleaborg" OR "luleaedit" OR "luleapress0" OR "luleapress1" OR '
            '"luleapress2" OR "luleapress3")')
        assert {q: _ids(store.search(q, 40)) for q in queries()} == before
        # Items stored after the migration add their terms too.
        store.record(_result("wire"), [NewsItem(
            feed="wire", guid="new", title="Piteå expansion", link=None, published=END)], END)
        assert search_match(conn, "pit") == '"pitea"'
        assert _ids(store.search("pit", 5)) == _ids(store.search("Piteå", 5)) != []


def test_a_fresh_store_has_the_vocabulary_and_a_rollback_keeps_none(tmp_path):
    with Store.open(tmp_path / "s.db") as store:
        assert store._conn.execute("SELECT count(*) FROM search_terms").fetchone() == (0,)
        with pytest.raises(RuntimeError), store._transaction() as db:
            db.execute("INSERT INTO feeds(name) VALUES ('x')")
            db.execute("INSERT INTO items(feed, guid, title, published, fetched_at) "
                       "VALUES ('x', 'g', 'Rolledback words', '2026-01-01', '2026-01-01')")
            assert db.execute("SELECT count(*) FROM search_terms").fetchone() == (2,)
            raise RuntimeError
        assert store._conn.execute("SELECT count(*) FROM search_terms").fetchone() == (0,)
        # The scratch table is left empty by every statement.
        assert store._conn.execute(
            "SELECT count(*) FROM search_terms_scratch_vocab").fetchone() == (0,)
