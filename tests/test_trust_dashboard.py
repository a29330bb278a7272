"""No stored or configured data stops the dashboard or `dump` (issue 13, items 2 and 4).

Rows are written straight into a store with sqlite3, as another program, an old version or a
disk fault could leave them: whatever they hold, the app starts, `dump --format json` exits 0
with strict JSON, and a bad row is skipped and reported rather than raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import math
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dealdesk import cli
from dealdesk import facts as F
from dealdesk import view as V
from dealdesk.store import SIGNAL_STATES, Store, StoreError

from .apps import make_app, wait_for
from .conftest import CONFIG_DIR

NOW_ISO = "2026-11-28T10:00:00+00:00"


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def fresh_store(path: Path) -> Path:
    Store.open(path).close()
    return path


def raw(path: Path) -> sqlite3.Connection:
    """The store as another program sees it: no checks but the schema's."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def add_item(db: sqlite3.Connection, feed: str = "Feed", published: Any = NOW_ISO,
             title: Any = "A title", **columns: Any) -> int:
    db.execute("INSERT OR IGNORE INTO feeds(name, url) VALUES (?, 'https://example.com/f')",
               (feed,))
    row = {"feed": feed, "guid": f"g{db.execute('SELECT count(*) FROM items').fetchone()[0]}",
           "title": title, "published": published, "fetched_at": NOW_ISO, **columns}
    marks = ", ".join("?" * len(row))
    return db.execute(f"INSERT INTO items({', '.join(row)}) VALUES ({marks})",
                      tuple(row.values())).lastrowid


def add_signal(db: sqlite3.Connection, news_id: int, metric: str = "weekly_active_users",
               value: Any = 1e9, subject: Any = "ChatGPT", state: str = "accepted",
               **columns: Any) -> int:
    row = {"news_id": news_id, "metric": metric, "value": value, "subject": subject,
           "state": state, "created_at": NOW_ISO, **columns}
    marks = ", ".join("?" * len(row))
    return db.execute(f"INSERT INTO signals({', '.join(row)}) VALUES ({marks})",
                      tuple(row.values())).lastrowid


# --- the Store boundary -------------------------------------------------------------------

def test_every_public_store_method_is_wrapped():
    """Whatever a later change adds, sqlite3 errors leave a Store only as StoreError."""
    public = [name for name, attr in vars(Store).items()
              if callable(attr) and not name.startswith("_")]
    assert "latest_items" in public and "signals_page" in public
    for name in public:
        assert hasattr(getattr(Store, name), "__wrapped__"), name


def test_store_methods_raise_store_error_on_a_corrupt_file(tmp_path):
    path = fresh_store(tmp_path / "s.sqlite3")
    with raw(path) as db:
        add_item(db)
    store = Store.open(path)
    try:
        store._conn.close()  # any sqlite3 error: here, a closed connection
        for call in (lambda: store.latest_items(), lambda: store.signals(),
                     lambda: store.count_signals_by_state(), lambda: store.data_version(),
                     lambda: store.set_signal_state(1, "new")):
            with pytest.raises(StoreError, match=r"s\.sqlite3: database error"):
                call()
    finally:
        store._conn = sqlite3.connect(":memory:")
        store.close()


def test_bad_rows_are_skipped_and_counted_never_raised(tmp_path):
    path = fresh_store(tmp_path / "s.sqlite3")
    with raw(path) as db:
        good = add_item(db)
        add_item(db, published="not a date")
        add_item(db, title=b"\x00\xff")  # a BLOB where text belongs
        add_item(db, published="2026-02-30T00:00:00")  # no such day
        add_signal(db, good, value=1.2e9)
        add_signal(db, good, value=math.inf)
        add_signal(db, good, value=-math.inf, subject="Nvidia", metric="capacity_gw")
        add_signal(db, good, value=1e300, subject="Oracle", metric="commitment_usd")
        add_signal(db, good, value="lots", subject="AMD", metric="capacity_gw")
        add_signal(db, good, value=5.0, subject="AMD", metric="commitment_usd",
                   created_at="yesterday")
        db.execute("INSERT INTO feeds(name, url, failures) VALUES ('Odd', 'u', 'many')")
    with Store.open(path) as store:
        assert [i.id for i in store.latest_items()] == [good]
        assert [s.value for s in store.signals()] == [1.2e9]
        assert "Odd" not in {f.name for f in store.feed_states()}
        note = store.skipped_note()
    assert note == f"{path}: 9 unreadable stored rows skipped (feeds 1, items 3, signals 5)"


def test_signals_with_unusable_values_are_never_stored(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as store, raw(store.path) as db:
        news = add_item(db)
        figures = [{"metric": "capacity_gw", "subject": "Nvidia", "value": v}
                   for v in (math.inf, -math.inf, math.nan, 1e300, 10.0)]
        assert store.add_signals(news, figures) == 1
        assert [s.value for s in store.signals()] == [10.0]


def test_dump_skips_bad_rows_says_so_on_stderr_and_exits_0(tmp_path):
    data = tmp_path / "data"
    path = fresh_store(data / "dealdesk.sqlite3")
    with raw(path) as db:
        news = add_item(db, title="Good news")
        add_item(db, published="garbage")
        add_signal(db, news, value=math.inf)
    code, out, err = run_cli("dump", "--format", "json", "--data", str(data))
    assert code == 0
    dumped = strict_json(out)
    assert [n["title"] for n in dumped["news"]] == ["Good news"]
    assert err.strip() == f"{path}: 2 unreadable stored rows skipped (items 1, signals 1)"


# --- Hypothesis: any rows the schema lets in ------------------------------------------------

DATES = ["2025-10-06T00:00:00+00:00", "2026-11-28T09:00:00+00:00",
         "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2026-11-28"]
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
int64 = st.integers(-2**63, 2**63 - 1)  # what SQLite's INTEGER holds
dates = st.one_of(st.sampled_from(DATES), texts, st.none(), int64)
# NaN is left out: SQLite stores it as NULL, which `value REAL NOT NULL` refuses.
floats = st.one_of(st.floats(allow_nan=False), st.sampled_from([math.inf, -math.inf, 0.0]),
                   int64, texts)
subjects = st.one_of(st.sampled_from(["ChatGPT", "Nvidia", "Oracle", "AMD", ""]), texts)
metrics = st.one_of(st.sampled_from(["weekly_active_users", "capacity_gw", "commitment_usd",
                                     "status"]), texts)
items_st = st.lists(st.fixed_dictionaries({
    "feed": st.sampled_from(["Feed A", "Feed B"]),
    "title": st.one_of(texts, st.binary(max_size=8), int64),
    "published": st.one_of(st.sampled_from(DATES), st.sampled_from(DATES), texts),
    "link": st.one_of(st.none(), texts),
    "summary": texts,
    "date_flag": st.sampled_from([None, "missing", "future"]),
    "read": st.one_of(st.sampled_from([0, 1]), int64, texts),
}), min_size=1, max_size=6)
any_signal = st.fixed_dictionaries({
    "item": st.integers(0, 5),
    "metric": metrics,
    "value": floats,
    "subject": subjects,
    "state": st.sampled_from(SIGNAL_STATES),
    "qualifier": st.one_of(st.none(), st.sampled_from(["at_least", "about"]), texts),
    "unit": st.one_of(st.none(), texts),
    "quote": texts,
    "created_at": dates,
})
# Sound rows about tracked facts, mostly accepted: facts from the store, several on one day.
tracked_signal = st.fixed_dictionaries({
    "item": st.integers(0, 5),
    "metric": st.sampled_from(["weekly_active_users", "capacity_gw", "commitment_usd"]),
    "value": st.one_of(st.floats(-1e16, 1e16), st.sampled_from([0.0, 1e9, 5e-324, 1e15])),
    "subject": st.sampled_from(["ChatGPT", "Nvidia", "Oracle", "AMD"]),
    "state": st.sampled_from(["accepted", "accepted", "new", "dismissed"]),
    "created_at": st.sampled_from(DATES),
})
signals_st = st.lists(st.one_of(tracked_signal, any_signal), max_size=12)
feeds_st = st.lists(st.fixed_dictionaries({
    "name": st.one_of(st.sampled_from(["OpenAI News", "Numerama"]), texts),
    "status": st.sampled_from(["ok", "not_modified", "error", "never"]),
    "last_attempt": dates,
    "last_success": dates,
    "error": st.one_of(st.none(), texts),
    "failures": st.one_of(st.integers(0, 10**6), int64, texts),
}), max_size=3)


def write_rows(path: Path, items: list[dict[str, Any]], signals: list[dict[str, Any]],
               feeds: list[dict[str, Any]]) -> None:
    with raw(path) as db:
        for feed in feeds:
            cols = ", ".join(feed)
            db.execute(f"INSERT OR IGNORE INTO feeds({cols}, url) VALUES "
                       f"({', '.join('?' * len(feed))}, 'https://example.com/f')",
                       tuple(feed.values()))
        ids = [add_item(db, **item) for item in items]
        for signal in signals:
            signal = dict(signal)
            news = ids[signal.pop("item") % len(ids)]
            with contextlib.suppress(sqlite3.IntegrityError):  # UNIQUE: one of a kind
                add_signal(db, news, **signal)


async def start_dashboard(path: Path) -> None:
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.store_read or app.desk.state.news_note)
        await pilot.press("3")  # the Users panel, where same-day counts used to crash
        await pilot.press("s")  # the inbox, with whatever signals are stored
        await wait_for(pilot, lambda: (app.desk.state.signals is not None
                                       or app.desk.state.news_note))
        await pilot.press("escape", "q")
    assert app.return_code in (0, None)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=items_st, signals=signals_st, feeds=feeds_st)
@example(  # issue 13: two counts of one day (a DuplicateKey at start), inf, a garbage date
    items=[{"feed": "Feed A", "title": "a", "published": DATES[1], "link": None,
            "summary": "", "date_flag": None, "read": 0},
           {"feed": "Feed B", "title": "b", "published": DATES[1], "link": None,
            "summary": "", "date_flag": None, "read": 0}],
    signals=[{"item": 0, "metric": "weekly_active_users", "value": 1e9, "subject": "ChatGPT",
              "state": "accepted", "created_at": DATES[0]},
             {"item": 1, "metric": "weekly_active_users", "value": 1.2e9,
              "subject": "ChatGPT", "state": "accepted", "created_at": DATES[0]},
             {"item": 1, "metric": "capacity_gw", "value": math.inf, "subject": "Nvidia",
              "state": "accepted", "created_at": DATES[0]},
             {"item": 0, "metric": "capacity_gw", "value": 10.0, "subject": "Nvidia",
              "state": "accepted", "created_at": "not a date"}],
    feeds=[],
)
def test_any_stored_rows_leave_the_dashboard_and_dump_standing(tmp_path_factory, items,
                                                                 signals, feeds):
    data = tmp_path_factory.mktemp("data")
    path = fresh_store(data / "dealdesk.sqlite3")
    write_rows(path, items, signals, feeds)
    code, out, err = run_cli("dump", "--format", "json", "--data", str(data))
    assert code == 0, err
    dumped = strict_json(out)
    assert set(dumped) >= {"partners", "users", "news", "signals", "feeds"}
    code, out, err = run_cli("dump", "--data", str(data))
    assert code == 0, err
    # Bounded: a dashboard that died mid-way must fail the test, not hang it.
    asyncio.run(asyncio.wait_for(start_dashboard(path), timeout=60))


# --- same-date figures both stand (item 4) --------------------------------------------------

def same_day_config(tmp_path: Path) -> Path:
    """The repo's config with a second ChatGPT count on a date it already has."""
    import shutil

    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    with open(config / "facts" / "users.toml", "a", encoding="utf-8") as f:
        f.write('\n[[users]]\nproduct = "ChatGPT"\nas_of = 2024-12-04\n'
                'weekly_active_users = 350e6\nsource = "axios-2024-08-29"\n')
    return config


def test_two_config_counts_on_one_date_both_show_marked(tmp_path):
    from dealdesk.config import load

    snap = F.snapshot(load(same_day_config(tmp_path)).story, date(2026, 11, 29))
    view = V.users_view(snap)
    rows = {row.key: row for row in view.table.rows}
    assert len(rows) == len(view.table.rows)  # unique keys: a table refuses duplicates
    same_day = [row for row in view.table.rows if row.cells[0].plain == "2024-12-04"]
    assert [r.cells[1].plain for r in same_day] == [f"350M {V.DISPUTED_MARK}",
                                                    f"300M {V.DISPUTED_MARK}"]
    # Growth is measured from the previous date, not from the rival of the same day.
    points = [p for p in snap.users["ChatGPT"] if p.count.as_of == date(2024, 12, 4)]
    assert [p.growth for p in points] == [50e6, 100e6]
    for row in same_day:  # each row opens its own details, the rival named there
        details = V.details(snap, "users", row.key)
        assert details is not None and details.subtitle.endswith("2024-12-04")
        assert any(label == "Same day, other figures" for label, _ in details.facts)


def test_two_accepted_signals_on_one_day_both_stand_on_the_dashboard(tmp_path):
    """Used to crash the Users panel at start with DuplicateKey, on every start."""
    path = fresh_store(tmp_path / "s.sqlite3")
    with raw(path) as db:
        a = add_item(db, title="ChatGPT at 1 billion")
        b = add_item(db, title="ChatGPT at 1.1 billion")  # same published date
        add_signal(db, a, value=1e9)
        add_signal(db, b, value=1.1e9)

    async def run() -> None:
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: len(app.desk.state.accepted) == 2)
            await pilot.press("3")
            await pilot.pause()
            table = app.query_one("#users").table
            keys = [table.coordinate_to_cell_key((r, 0)).row_key.value
                    for r in range(table.row_count)]
            assert keys[:2] == ["ChatGPT@2026-11-28#2", "ChatGPT@2026-11-28"]
            assert V.DISPUTED_MARK in str(app.query_one("#users-latest").render())
        assert app.return_code in (0, None)

    asyncio.run(run())


def test_an_accept_is_undone_from_the_inbox_after_a_restart(tmp_path):
    path = fresh_store(tmp_path / "s.sqlite3")
    with raw(path) as db:
        news = add_item(db, title="ChatGPT at 2 billion")
        signal = add_signal(db, news, value=2e9)  # accepted in an earlier session

    async def run() -> None:
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.desk.state.snap.users["ChatGPT"][-1].count
                           .weekly_active_users == 2e9)
            await pilot.press("s")
            await wait_for(pilot, lambda: app.desk.signal_lines)
            (line,) = app.desk.signal_lines
            assert (line.id, line.state) == (signal, "accepted")
            await pilot.press("u")
            await wait_for(pilot, lambda: app.desk.state.snap.users["ChatGPT"][-1].count
                           .weekly_active_users != 2e9)
            assert app.desk.signal_lines[0].state == "new"

    asyncio.run(run())
    with Store.open(path) as store:
        assert store.signals()[0].state == "new"


# --- failures while the dashboard runs ------------------------------------------------------

def news_status(app: Any) -> str:
    return str(app.query_one("#news-status").render())


def test_a_failing_worker_is_a_status_line_and_q_still_exits_0(tmp_path, config,
                                                                  monkeypatch):
    from .newsdata import fill_store

    path = fill_store(tmp_path / "s.sqlite3", config.feeds)

    def broken(item: Any) -> Any:
        raise RuntimeError("a row no view expected\nsecond line")

    async def run() -> None:
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.panels_ready)
            monkeypatch.setattr(V, "news_line", broken)
            app.desk.news.load_news()
            await wait_for(pilot, lambda: "news-load failed" in news_status(app))
            assert news_status(app).endswith(
                "news-load failed: RuntimeError: a row no view expected second line")
            await pilot.press("q")
        assert app.return_code == 0

    asyncio.run(run())


@pytest.mark.parametrize("how", ["overwritten", "removed"])
def test_a_store_broken_under_the_dashboard_is_reported_and_the_facts_stay(
        tmp_path, config, monkeypatch, how):
    from dealdesk.tui import newsroom

    from .newsdata import fill_store

    monkeypatch.setattr(newsroom, "WATCH_SECONDS", 0.05)
    path = fill_store(tmp_path / "s.sqlite3", config.feeds)
    with Store.open(path) as store:  # one accepted figure: a fact that comes from the store
        nvidia = next(s for s in store.signals() if s.subject == "Nvidia")
        store.set_signal_state(nvidia.id, "accepted")

    async def run() -> None:
        app = make_app(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.desk.state.news_items and app.desk.state.accepted)
            news, snap = app.desk.state.news_items, app.desk.state.snap
            for extra in ("-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
            if how == "removed":
                path.unlink()
            else:
                path.write_bytes(b"\x00garbage, not SQLite\xff" * 512)
            expected = "archive is gone" if how == "removed" else "not a DealDesk database"
            await wait_for(pilot, lambda: expected in news_status(app))
            # What was read stays.
            assert app.desk.state.news_items == news and app.desk.state.snap == snap
            await pilot.press("q")
        assert app.return_code == 0

    asyncio.run(run())


def test_a_dashboard_that_dies_exits_1_with_one_line(tmp_path, monkeypatch):
    from textual.app import App

    from dealdesk.tui.app import DealDeskApp

    def headless(self: Any) -> None:
        App.run(self, headless=True, size=(100, 30))

    def boom(self: Any) -> None:
        raise RuntimeError("no such panel")

    monkeypatch.setattr(DealDeskApp, "run", headless)
    monkeypatch.setattr(DealDeskApp, "_after_first_frame", boom)
    monkeypatch.setattr(cli, "terminal_problem", lambda: None)  # headless: no TTY needed
    code, _out, err = run_cli("--data", str(tmp_path / "data"))
    assert code == 1
    assert err == ("dealdesk: the dashboard stopped on an unexpected error: RuntimeError: "
                   "no such panel (run again with --debug for details)\n")
    code, _out, err = run_cli("--data", str(tmp_path / "data"), "--debug")
    assert code == 1 and "Traceback" in err and err.endswith("--debug for details)\n")
