"""The story as of a day: dump --as-of, the store's decision times, and the dashboard."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from dealdesk import cli
from dealdesk import history as H
from dealdesk.store import Store

from .apps import make_app, wait_for
from .conftest import CONFIG_DIR, FIXED_NOW
from .storydata import at, story_store


@pytest.fixture
def data_dir(tmp_path, config, monkeypatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    story_store(data / "dealdesk.sqlite3", config.feeds)
    monkeypatch.setattr(cli, "_now", lambda: FIXED_NOW)
    return data


def dump(capsys, data: Path, *extra: str) -> dict:
    code = cli.main(["dump", "--format", "json", *extra, "--config", str(CONFIG_DIR),
                     "--data", str(data)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_dump_as_of_shows_the_facts_known_that_day(capsys, data_dir):
    now, then = dump(capsys, data_dir), dump(capsys, data_dir, "--as-of", "2025-09-30")
    assert now["as_of"] == "2026-11-29" and then["as_of"] == "2025-09-30"
    assert set(now) == set(then)  # every other key kept
    partners = {p["name"]: p for p in then["partners"]}
    assert partners["Nvidia"]["status"] == "letter-of-intent"  # replaced on 2026-02-27
    assert "Amazon" not in partners and "AMD" not in partners  # opened in October, November
    assert max(e["date"] for e in then["timeline"]) <= "2025-09-30"
    # The 750M figure was accepted on 2025-09-26: a fact by then; the 1B one was not yet.
    assert then["users"][-1]["weekly_active_users"] == 750e6
    assert now["users"][-1]["weekly_active_users"] == 1e9


def test_news_and_signals_as_of(capsys, data_dir):
    then = dump(capsys, data_dir, "--as-of", "2025-09-30")
    assert all(n["published"] <= "2025-09-30T23:59:59.999999+00:00" for n in then["news"])
    assert len(then["news"]) == 2  # the 750M item and the hostile one
    states = {(s["metric"], s["value"]): s["state"] for s in then["signals"]}
    assert states == {("weekly_active_users", 750e6): "accepted", ("commitment_usd", 7e9): "new"}
    # A day before the acceptance, the 750M figure waits in the inbox and is no fact.
    before = dump(capsys, data_dir, "--as-of", "2025-09-25")
    assert [s["state"] for s in before["signals"]] == ["new"]
    assert before["users"][-1]["weekly_active_users"] == 700e6


def test_staleness_is_counted_at_the_day_shown(capsys, data_dir):
    from dealdesk import facts as F
    from dealdesk.config import load

    story = load(CONFIG_DIR).story
    early = {s.partner.name: s.stale
             for s in H.snapshot_as_of(story, [], date(2025, 9, 30)).partners}
    late = {s.partner.name: s.stale for s in F.snapshot(story, date(2026, 11, 29)).partners}
    assert early["Nvidia"] is False and late["Nvidia"] is True


@pytest.mark.parametrize("argv", [["dump", "--as-of", "2026-11-30"],
                                  ["report", "--as-of", "2099-01-01"],
                                  ["dump", "--as-of", "2025-02-30"],
                                  ["dump", "--as-of", "yesterday"]])
def test_an_unusable_as_of_is_a_usage_error(capsys, data_dir, argv):
    """After today (nothing is known yet) or not a date: exit 2 and one line, as argparse
    or our own check says it."""
    try:
        code = cli.main([*argv, "--config", str(CONFIG_DIR), "--data", str(data_dir)])
    except SystemExit as exc:  # argparse refuses what is not a date
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "--as-of" in err.splitlines()[-1]


def test_decisions_are_timed_and_an_old_store_migrates(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path):
        pass
    conn = sqlite3.connect(path)
    assert "decided_at" in {r[1] for r in conn.execute("PRAGMA table_info(signals)")}
    conn.close()
    # A v2 store (before decision times) opens, migrates, and keeps its decisions.
    old = tmp_path / "old.sqlite3"
    from dealdesk import store as store_module

    conn = sqlite3.connect(old)
    conn.isolation_level = None
    conn.execute(f"PRAGMA application_id = {store_module.APPLICATION_ID}")
    for version in range(2):
        for statement in store_module.MIGRATIONS[version]:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO feeds(name) VALUES ('f')")
    conn.execute("INSERT INTO items(id, feed, guid, title, published, fetched_at) VALUES "
                 "(1, 'f', 'g', 't', '2025-09-01T00:00:00+00:00', '2025-09-01T00:00:00+00:00')")
    conn.execute("INSERT INTO signals(news_id, metric, value, subject, state, created_at) "
                 "VALUES (1, 'capacity_gw', 2, 'Nvidia', 'accepted', '2025-09-02T00:00:00+00:00')")
    conn.close()
    with Store.open(old) as store:
        [signal] = store.signals()
        assert signal.state == "accepted" and signal.decided_at is None
        # Decided when it was found, at the earliest: known from 2025-09-02 on.
        assert H.decided_day(signal) == date(2025, 9, 2)
        assert H.signals_as_of([signal], date(2025, 9, 1)) == []
        store.set_signal_state(signal.id, "dismissed", at(2025, 10, 1))
        [signal] = store.signals()
        assert signal.decided_at == at(2025, 10, 1)
        assert H.signals_as_of([signal], date(2025, 9, 15))[0].state == "new"


# ---------------------------------------------------------------------------------------------
# The dashboard


def users_count(app) -> float | None:
    return app.desk.state.snap.users["ChatGPT"][-1].count.weekly_active_users


def title(app) -> str:
    return str(app.query_one("#titlebar").render())


async def test_dashboard_as_of_says_so_in_the_title_and_shows_that_day(data_dir):
    app = make_app(data_dir / "dealdesk.sqlite3", as_of=date(2025, 9, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.news_items)
        assert "AS OF 2025-09-30" in title(app)
        assert app.desk.state.snap.today == date(2025, 9, 30)
        assert {s.partner.name for s in app.desk.state.snap.partners} >= {"Nvidia"}
        assert "Amazon" not in {s.partner.name for s in app.desk.state.snap.partners}
        await wait_for(pilot, lambda: users_count(app) == 750e6)
        assert all(i.published <= H.end_of(date(2025, 9, 30)) for i in app.desk.state.news_items)
        assert "1 new signal (s)" in title(app)  # the hostile item's figure, pending then


async def test_at_picks_a_date_and_today_comes_back(data_dir):
    from dealdesk.tui.screens.asof import AsOfScreen

    app = make_app(data_dir / "dealdesk.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.news_items)
        assert "AS OF" not in title(app)
        await pilot.press("@")
        await pilot.pause()
        assert isinstance(app.screen, AsOfScreen)
        field = app.screen.query_one("Input")
        field.value = "2025-13-01"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AsOfScreen)  # refused, with its reason
        assert "not a date" in str(app.screen.query_one("#asof-error").render())
        field.value = "2025-09-30"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "AS OF 2025-09-30" in title(app))
        await wait_for(pilot, lambda: all(i.published <= H.end_of(date(2025, 9, 30))
                                          for i in app.desk.state.news_items)
                       and app.desk.state.news_items)
        assert app.desk.state.snap.today == date(2025, 9, 30)
        await pilot.press("@")
        await pilot.pause()
        app.screen.query_one("Input").value = "today"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "AS OF" not in title(app))
        assert app.desk.state.snap.today == FIXED_NOW.date()
        await wait_for(pilot, lambda: users_count(app) == 1e9)


def test_the_picker_reads_dates_strictly():
    from dealdesk.tui.screens.asof import parse_day

    today = date(2026, 11, 29)
    assert parse_day("2025-09-30", today) == date(2025, 9, 30)
    assert parse_day("", today) is None and parse_day("today", today) is None
    assert parse_day("2026-11-29", today) is None
    for bad in ("2025-02-30", "0000-01-01", "tomorrow", "2026-11-30", "x" * 1000):
        assert isinstance(parse_day(bad, today), str)


async def test_escape_leaves_the_day_and_the_palette_offers_it(data_dir):
    from dealdesk.tui.screens.asof import AsOfScreen

    app = make_app(data_dir / "dealdesk.sqlite3", as_of=date(2025, 9, 30))
    async with app.run_test(size=(120, 40)) as pilot:
        names = [c.title for c in app.get_system_commands(app.screen)]
        assert "As of a date" in names
        await pilot.press("@")
        await pilot.pause()
        assert isinstance(app.screen, AsOfScreen)
        assert app.screen.query_one("Input").value == "2025-09-30"  # the day shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AsOfScreen)
        assert app.desk.state.as_of == date(2025, 9, 30) and "AS OF 2025-09-30" in title(app)
