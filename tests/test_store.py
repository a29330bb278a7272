"""Store: schema and migrations, refusal of files it does not own, feed state, archive, FTS."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealdesk.model import FeedSpec, FetchLimits, NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import SCHEMA_VERSION, Store, StoreError, fts_query
from dealdesk.store import items as store_items
from dealdesk.store import rows as store_rows
from dealdesk.store import schema as store_schema

NOW = datetime(2025, 9, 24, 12, 0, tzinfo=UTC)
LIMITS = FetchLimits(backoff_base_minutes=5, backoff_max_minutes=60)


def item(guid: str, title: str = "", hours_ago: float = 0, summary: str = "",
         entities: tuple[str, ...] = (), feed: str = "wire") -> NewsItem:
    return NewsItem(
        feed=feed, guid=guid, title=title or f"title {guid}", link=f"https://e.com/{guid}",
        published=NOW - timedelta(hours=hours_ago), summary=summary, entities=entities,
    )


def ok(name: str = "wire", etag: str | None = '"e1"', lm: str | None = None) -> FetchResult:
    return FetchResult(name=name, url=f"https://e.com/{name}.xml", status="ok",
                       http_status=200, body=b"...", etag=etag, last_modified=lm)


def failed(name: str = "wire", error: str = "HTTP 503", retry_after: float | None = None):
    return FetchResult(name=name, url=f"https://e.com/{name}.xml", status="error",
                       http_status=503, error=error, retry_after_s=retry_after)


@pytest.fixture
def db(tmp_path: Path):
    with Store.open(tmp_path / "data" / "dealdesk.db") as store:
        yield store


# --- opening, schema, refusal --------------------------------------------------------------


def test_new_store_is_migrated_from_version_0_in_wal_mode(tmp_path):
    path = tmp_path / "nested" / "dir" / "dealdesk.db"
    with Store.open(path):
        pass
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"feeds", "items", "item_entities", "items_fts", "signals"} <= tables
    conn.close()
    with Store.open(path) as again:  # reopening is a no-op
        assert again.count_items() == 0


def test_an_empty_file_is_a_version_0_database(tmp_path):
    path = tmp_path / "dealdesk.db"
    path.touch()
    with Store.open(path) as store:
        assert store.count_items() == 0


def test_pragmas_are_set_per_connection(db):
    conn = db._conn
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path, monkeypatch):
    path = tmp_path / "dealdesk.db"
    Store.open(path).close()
    broken = [*store_schema.MIGRATIONS, ["CREATE TABLE half_done (x)", "THIS IS NOT SQL"]]
    monkeypatch.setattr(store_schema, "MIGRATIONS", broken)
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", len(broken))
    with pytest.raises(StoreError):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    sql = "SELECT count(*) FROM sqlite_master WHERE name='half_done'"
    assert conn.execute(sql).fetchone()[0] == 0
    conn.close()


def test_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "dealdesk.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as info:
        Store.open(path)
    message = str(info.value)
    assert str(path) in message and "newer" in message and "upgrade" in message
    assert "\n" not in message
    assert path.exists()


def test_corrupt_file_is_refused_and_not_touched(tmp_path):
    path = tmp_path / "dealdesk.db"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    with pytest.raises(StoreError) as info:
        Store.open(path)
    assert str(path) in str(info.value) and "not a DealDesk database" in str(info.value)
    assert path.read_bytes() == junk


def test_another_programs_sqlite_file_is_refused_and_not_touched(tmp_path):
    path = tmp_path / "dealdesk.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('x')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a DealDesk database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_data_path_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "dealdesk.db").mkdir()
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path / "dealdesk.db")


def _open_error(path: Path) -> str:
    try:
        Store.open(path).close()
    except StoreError as exc:
        return f"StoreError: {exc}"
    return "opened"


def _open_error_unprivileged(path: Path) -> str:
    """Store.open as user nobody: root ignores directory permissions, so test as non-root.

    A forked child (modules already imported) drops privileges and reports through a pipe.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, _open_error(path).encode())
        except BaseException as exc:  # report anything, never run the parent's code
            os.write(write_end, f"child failed: {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 4096):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("relative", ["dealdesk.db", "sub/dealdesk.db"])
def test_read_only_directory_is_a_clear_error(relative):
    # Under /tmp (not pytest's 0700 tmp dir) so an unprivileged user can reach it.
    base = Path(tempfile.mkdtemp(prefix="dealdesk-ro-"))
    try:
        base.chmod(0o555)
        path = base / relative
        outcome = _open_error_unprivileged(path) if os.geteuid() == 0 else _open_error(path)
        assert outcome.startswith("StoreError: "), outcome
        assert str(path) in outcome and "--data" in outcome
        assert not path.exists()
    finally:
        base.chmod(0o755)
        shutil.rmtree(base)


# --- recording outcomes --------------------------------------------------------------------


def test_record_new_items_counts_only_new_ones(db):
    assert db.record_result(ok(), [item("a"), item("b")], NOW, LIMITS) == 2
    assert db.record_result(ok(), [item("b"), item("c")], NOW, LIMITS) == 1
    assert db.count_items() == 3
    (state,) = db.feed_states()
    assert (state.status, state.items, state.failures, state.error) == ("ok", 3, 0, None)
    assert state.last_attempt == NOW and state.last_success == NOW
    assert db.validators() == {"wire": ('"e1"', None)}


def test_not_modified_keeps_items_and_updates_times(db):
    db.record_result(ok(), [item("a")], NOW, LIMITS)
    later = NOW + timedelta(hours=1)
    nm = FetchResult(name="wire", url="https://e.com/wire.xml", status="not_modified",
                     http_status=304, etag='"e1"')
    assert db.record_result(nm, [], later, LIMITS) == 0
    (state,) = db.feed_states()
    assert state.status == "not_modified" and state.items == 1 and state.last_success == later


def test_error_keeps_cached_items_and_validators_and_backs_off(db):
    db.record_result(ok(etag='"good"'), [item("a"), item("b")], NOW, LIMITS)
    expected_minutes = [5, 10, 20, 40, 60, 60]  # base * 2^(n-1), capped at 60
    for n, minutes in enumerate(expected_minutes, start=1):
        at = NOW + timedelta(hours=n)
        assert db.record_result(failed(), [item("ignored")], at, LIMITS) == 0
        (state,) = db.feed_states()
        assert state.status == "error" and state.error == "HTTP 503"
        assert state.failures == n
        assert state.next_retry == at + timedelta(minutes=minutes)
        assert state.items == 2
        assert state.last_success == NOW
    assert db.validators() == {"wire": ('"good"', None)}
    db.record_result(ok(), [], NOW + timedelta(days=1), LIMITS)
    (state,) = db.feed_states()
    assert state.failures == 0 and state.next_retry is None and state.error is None


def test_items_are_inserted_in_batches_keeping_the_first_of_a_guid(db, monkeypatch):
    monkeypatch.setattr(store_items, "ITEM_BATCH", 3)  # 8 items: batches of 3, 3 and 2
    items = [item(str(n)) for n in range(7)] + [item("2", "second version of 2")]
    new = db.record(ok(), items, NOW, LIMITS)
    assert [stored.guid for _, stored in new] == [str(n) for n in range(7)]
    ids = [item_id for item_id, _ in new]
    assert ids == sorted(ids) and len(set(ids)) == 7
    assert db.get_item(ids[2]).title == "title 2"
    again = db.record(ok(), [item("6"), item("7"), item("8")], NOW, LIMITS)
    assert [stored.guid for _, stored in again] == ["7", "8"]
    assert db.count_items() == 9


def test_every_column_of_every_row_is_stored_as_given(db, monkeypatch):
    # Rows of a statement share the feed, fetch time and pending flag and bind the rest
    # each: any slip in numbering those would put one item's values in another's row.
    monkeypatch.setattr(store_items, "ITEM_BATCH", 3)
    items = [
        NewsItem(feed="wire", guid=f"g{n}", title=f"title {n}", link=f"https://e.com/{n}" if n % 2
                 else None, published=NOW - timedelta(minutes=n), summary=f"summary {n}",
                 date_flag=(None, "missing", "future")[n % 3])
        for n in range(7)
    ]
    new = db.record(ok(), items, NOW, LIMITS, pending=True)
    rows = db._conn.execute(
        "SELECT id, feed, guid, title, link, published, summary, date_flag, fetched_at, "
        "pending, read FROM items ORDER BY id"
    ).fetchall()
    assert [(item_id, stored.guid) for item_id, stored in new] == [(r[0], r[2]) for r in rows]
    assert [r[1:] for r in rows] == [
        ("wire", it.guid, it.title, it.link,
         it.published.astimezone(UTC).isoformat(timespec="seconds"), it.summary,
         it.date_flag, "2025-09-24T12:00:00+00:00", 1, 0)
        for it in items
    ]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31),
    timezones=st.none() | st.just(UTC) | st.builds(
        timezone, st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                                max_value=timedelta(hours=23, minutes=59))),
))
def test_stored_dates_are_isoformat_in_utc_to_the_second(dt):
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    expected = aware.astimezone(UTC).isoformat(timespec="seconds")
    assert store_rows._iso(dt) == expected


def _refuse_feed(db: Store, name: str) -> None:
    """Make storing items of feed `name` fail inside SQLite, as a full disk would."""
    db._conn.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON items "
        f"WHEN new.feed = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )


def test_record_many_writes_several_feeds_and_undoes_only_the_one_that_fails(db):
    _refuse_feed(db, "bad")
    nm = FetchResult(name="quiet", url="https://e.com/quiet.xml", status="not_modified",
                     http_status=304, etag='"q"')
    stored = db.record_many([
        (ok("wire"), [item("a", feed="wire"), item("b", feed="wire")], NOW),
        (ok("bad"), [item("c", feed="bad")], NOW),
        (nm, [], NOW),
        (failed("down"), [], NOW),
    ], LIMITS, pending=True)
    assert [len(s) for s in stored if not isinstance(s, sqlite3.Error)] == [2, 0, 0]
    assert isinstance(stored[1], sqlite3.IntegrityError) and "refused" in str(stored[1])
    states = {s.name: s for s in db.feed_states()}
    assert set(states) == {"wire", "quiet", "down"}  # "bad" left no trace, not even its row
    assert states["wire"].items == 2 and states["down"].failures == 1
    assert db.count_pending() == 2
    assert not db._conn.in_transaction


def test_record_many_with_nothing_to_write(db):
    assert db.record_many([], LIMITS) == []
    assert db.feed_states() == []


def test_retry_after_sets_next_retry_within_the_cap(db):
    db.record_result(failed(retry_after=120), [], NOW, LIMITS)
    assert db.feed_states()[0].next_retry == NOW + timedelta(minutes=2)
    db.record_result(failed(retry_after=10 * 86400), [], NOW, LIMITS)
    assert db.feed_states()[0].next_retry == NOW + timedelta(minutes=60)


def test_feed_states_for_specs_include_never_fetched(db):
    db.record_result(ok("b"), [], NOW, LIMITS)
    states = db.feed_states([FeedSpec("a", "https://e.com/a"), FeedSpec("b", "https://e.com/b")])
    assert [(s.name, s.status) for s in states] == [("a", "never"), ("b", "ok")]


def test_due_feeds_interval_override_and_backoff(db):
    specs = [
        FeedSpec("fresh", "https://e.com/1"),
        FeedSpec("fast", "https://e.com/2", refresh_minutes=5),
        FeedSpec("broken", "https://e.com/3"),
        FeedSpec("new", "https://e.com/4"),
    ]
    db.record_result(ok("fresh"), [], NOW, LIMITS)
    db.record_result(ok("fast"), [], NOW, LIMITS)
    db.record_result(failed("broken", retry_after=3600), [], NOW, LIMITS)  # capped to 60 min
    names = lambda due: [s.name for s in due]  # noqa: E731
    assert names(db.due_feeds(specs, NOW + timedelta(minutes=1), 30)) == ["new"]
    assert names(db.due_feeds(specs, NOW + timedelta(minutes=6), 30)) == ["fast", "new"]
    assert names(db.due_feeds(specs, NOW + timedelta(minutes=31), 30)) == ["fresh", "fast", "new"]
    assert names(db.due_feeds(specs, NOW + timedelta(minutes=61), 30)) == [
        "fresh", "fast", "broken", "new"
    ]
    assert names(db.due_feeds(specs, NOW, 30, force=True)) == [s.name for s in specs]
    # A headless `dealdesk refresh`: every feed, however recent, except those backing off.
    assert names(db.due_feeds(specs, NOW + timedelta(minutes=1), 30, respect_interval=False)) == [
        "fresh", "fast", "new"
    ]


# --- reading the archive -------------------------------------------------------------------


def test_latest_items_newest_first_with_entities_and_paging(db):
    db.record_result(
        ok(),
        [
            item("old", hours_ago=5, entities=("Nvidia",)),
            item("new", hours_ago=1, entities=("OpenAI", "Nvidia")),
            item("mid", hours_ago=3),
        ],
        NOW, LIMITS,
    )
    latest = db.latest_items()
    assert [i.title for i in latest] == ["title new", "title mid", "title old"]
    assert latest[0].entities == ("OpenAI", "Nvidia")  # order of first mention kept
    assert latest[0].published == NOW - timedelta(hours=1)
    assert latest[0].published.tzinfo is not None
    assert [i.title for i in db.latest_items(limit=1, offset=1)] == ["title mid"]
    assert [i.title for i in db.latest_items(entity="Nvidia")] == ["title new", "title old"]
    assert db.count_items("Nvidia") == 2 and db.count_items("AMD") == 0


def test_get_item_and_mark_read(db):
    db.record_result(ok(), [item("a")], NOW, LIMITS)
    (stored,) = db.latest_items()
    assert db.get_item(stored.id) == stored and stored.read is False
    assert db.mark_read(stored.id)
    assert db.get_item(stored.id).read is True
    assert db.mark_read(stored.id, read=False) and db.get_item(stored.id).read is False
    assert db.get_item(99999) is None and db.mark_read(99999) is False


def test_search_words_prefix_and_accents(db):
    db.record_result(
        ok(),
        [
            item("1", "Nvidia invests in OpenAI", hours_ago=2),
            item("2", "Oracle signs cloud deal", summary="Stargate capacity in Abilene"),
            item("3", "Le partenariat stratégique", summary="cent milliards de dollars",
                 hours_ago=1),
        ],
        NOW, LIMITS,
    )
    assert [i.title for i in db.search("nvid")] == [
        "Nvidia invests in OpenAI"
    ]
    assert [i.title for i in db.search("stargate abil")] == ["Oracle signs cloud deal"]
    assert [i.title for i in db.search("strategique")] == ["Le partenariat stratégique"]
    assert db.search("nvidia oracle") == []  # every word must match
    assert db.search("") == [] and db.search("   ") == []


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "nvidia*", "AND", "OR", "NOT", "nvidia AND", "(", ")", "(nvidia",
     "NEAR(a b)", "title:nvidia", "^nvidia", "-nvidia", "+", "'", "' OR 1=1 --", "a\x00b",
     "_", "__init__", "🔥", "\u202e", "{title}: x", "nvidia:", ":", "col:*", "a OR"],
)
def test_hostile_search_queries_never_raise(db, query):
    db.record_result(ok(), [item("1", "Nvidia AND OpenAI (title): notes")], NOW, LIMITS)
    assert isinstance(db.search(query), list)


def test_operators_are_matched_as_words(db):
    db.record_result(ok(), [item("1", "Nvidia AND OpenAI"), item("2", "Nvidia alone")], NOW, LIMITS)
    assert [i.title for i in db.search("nvidia AND")] == ["Nvidia AND OpenAI"]


def test_fts_query_shape():
    assert fts_query('say "hi" to (nvidia') == '"say" "hi" "to" "nvidia"*'
    assert fts_query("*** ()") is None


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_search_never_raises(db, query):
    db.search(query)


def test_fts_follows_updates_and_deletes(db):
    db.record_result(ok(), [item("1", "Before")], NOW, LIMITS)
    (stored,) = db.latest_items()
    db._conn.execute("UPDATE items SET title = 'After' WHERE id = ?", (stored.id,))
    assert db.search("before") == [] and len(db.search("after")) == 1
    db._conn.execute("DELETE FROM items WHERE id = ?", (stored.id,))
    assert db.search("after") == []
    db._conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")


def test_pending_items_are_indexed_tagged_and_signalled_when_enriched(db):
    figure = {"metric": "capacity_gw", "value": 10.0, "unit": "GW", "subject": "Nvidia"}
    new = db.record(ok(), [item("1", "Nvidia adds capacity", summary="Ten gigawatts"),
                           item("2", "Markets close")], NOW, LIMITS, pending=True)
    assert db.count_pending() == 2
    assert db.search("gigawatts") == []  # not indexed until enriched
    (first, _), (second, _) = new
    assert db.pending_items() == [(first, "Nvidia adds capacity", "Ten gigawatts"),
                                  (second, "Markets close", "")]

    assert db.enrich([(first, ("Nvidia",), [figure]), (second, (), [])], NOW) == 1
    assert db.count_pending() == 0 and db.pending_items() == []
    assert [i.title for i in db.search("gigawatts")] == ["Nvidia adds capacity"]
    assert {i.title: i.entities for i in db.latest_items()} == {
        "Nvidia adds capacity": ("Nvidia",), "Markets close": ()}
    (signal,) = db.signals()
    assert (signal.news_id, signal.metric, signal.value) == (first, "capacity_gw", 10.0)
    # A pending item deleted or edited before the pass never confuses the index.
    db.record(ok(), [item("3", "Oracle later")], NOW, LIMITS, pending=True)
    (third,) = [i.id for i in db.latest_items() if i.title == "Oracle later"]
    db._conn.execute("UPDATE items SET title = 'Oracle edited' WHERE id = ?", (third,))
    db._conn.execute("DELETE FROM items WHERE id = ?", (first,))
    assert db.search("oracle") == [] and db.search("gigawatts") == []
    db._conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")


def test_a_version_1_store_is_migrated_with_its_items_searchable(tmp_path, monkeypatch):
    path = tmp_path / "dealdesk.db"
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:1])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", 1)
    Store.open(path).close()
    with sqlite3.connect(path) as conn:  # as DealDesk with schema v1 wrote it
        conn.execute("INSERT INTO feeds(name) VALUES ('wire')")
        conn.execute("INSERT INTO items(feed, guid, title, published, fetched_at) "
                     "VALUES ('wire', '1', 'Stargate site opens', '2026-11-29', '2026-11-29')")
    monkeypatch.undo()
    with Store.open(path) as store:
        assert store.count_pending() == 0  # what v1 stored was tagged and indexed already
        assert [i.title for i in store.search("stargate")] == ["Stargate site opens"]
        store.record(ok(), [item("2", "Stargate phase two")], NOW, LIMITS, pending=True)
        assert len(store.search("stargate")) == 1
        store.enrich([(i, (), []) for i, _, _ in store.pending_items()], NOW)
        assert len(store.search("stargate")) == 2
        store._conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")


def test_data_version_sees_another_connections_writes(tmp_path):
    path = tmp_path / "dealdesk.db"
    with Store.open(path) as reader, Store.open(path) as writer:
        before = reader.data_version()
        assert reader.data_version() == before  # nothing happened
        writer.record_result(ok(), [item("a")], NOW, LIMITS)
        after = reader.data_version()
        assert after != before
        assert reader.count_items() == 1  # and the reader sees the data (WAL)
        reader.mark_read(reader.latest_items()[0].id)  # its own write does not count
        assert reader.data_version() == after



def test_opening_the_store_is_no_write_another_connection_sees(tmp_path):
    # A dashboard's watcher takes any commit for another process's refresh and reads the
    # store again: if opening a store wrote (SQLite rewrites the auto-vacuum mode into the
    # header when asked to set it again), each of its own reads would wake it, for ever.
    path = tmp_path / "dealdesk.db"
    with Store.open(path) as writer:
        writer.record_result(ok(), [item("a")], NOW, LIMITS)
    wal = path.with_name(path.name + "-wal")
    with Store.open(path) as watcher:
        before = watcher.data_version()
        wal_size = wal.stat().st_size
        for _ in range(3):
            with Store.open(path) as reader:
                assert reader.count_items() == 1
        assert watcher.data_version() == before
        assert wal.stat().st_size == wal_size
        assert watcher._conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental

# --- signals -------------------------------------------------------------------------------


@dataclass
class Figure:
    metric: str
    value: float
    unit: str | None = None
    qualifier: str | None = None
    subject: str | None = None
    quote: str = ""


def test_signals_are_added_once_and_move_between_states(db):
    db.record_result(ok(), [item("a", hours_ago=30)], NOW, LIMITS)
    (news,) = db.latest_items()
    figures = [
        Figure("commitment_usd", 100e9, "USD", "up_to", "Nvidia", "up to $100 billion"),
        {"metric": "capacity_gw", "value": 10, "unit": "GW", "subject": "Nvidia"},
        {"metric": "weekly_active_users", "value": None},  # no value: skipped
    ]
    assert db.add_signals(news.id, figures, NOW) == 2
    assert db.add_signals(news.id, figures, NOW) == 0  # UNIQUE(news_id, metric, value, subject)
    signals = db.signals()
    assert {s.metric for s in signals} == {"commitment_usd", "capacity_gw"}
    assert all(s.state == "new" for s in signals)
    usd = next(s for s in signals if s.metric == "commitment_usd")
    assert (usd.value, usd.unit, usd.qualifier, usd.subject, usd.quote) == (
        100e9, "USD", "up_to", "Nvidia", "up to $100 billion"
    )
    assert db.set_signal_state(usd.id, "accepted")
    gw = next(s for s in signals if s.metric == "capacity_gw")
    assert db.set_signal_state(gw.id, "dismissed")
    assert [s.id for s in db.signals("accepted")] == [usd.id]
    (event,) = db.accepted_events()
    assert event.published == news.published  # an accepted signal is dated by its news
    db.add_signals(news.id, figures, NOW)  # seen again later: the decision stands
    assert db.signals("dismissed")[0].id == gw.id
    with pytest.raises(ValueError):
        db.set_signal_state(usd.id, "maybe")
    with pytest.raises(ValueError):
        db.signals("maybe")
    assert db.set_signal_state(12345, "accepted") is False
