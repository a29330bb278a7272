"""Since you last looked (issue #18 item 6): what moved between the last session and now,
computed once (since.py) for the dashboard's toast and screen and `diff --since last`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from dealdesk import cli
from dealdesk.config import load
from dealdesk.since import headline, read_since, since_last, text_lines
from dealdesk.state import save_last_seen
from dealdesk.store import Store

from .apps import make_app, wait_for
from .conftest import CONFIG_DIR, FIXED_NOW
from .storydata import at, story_store

DAY_BEFORE = FIXED_NOW - timedelta(days=1)


@pytest.fixture
def data_dir(tmp_path, config, monkeypatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    story_store(data / "dealdesk.sqlite3", config.feeds)
    with Store.open(data / "dealdesk.sqlite3") as store:
        store.add_alerts([{"watch": "Nvidia deal status", "key": "item:since", "kind": "phrase",
                           "new": "definitive", "subject": "Nvidia", "title": "Nvidia signs"}],
                         FIXED_NOW - timedelta(minutes=10))
        store.add_alerts([{"watch": "Old watch", "key": "item:old", "kind": "phrase",
                           "new": "old", "title": "Told last year"}], at(2025, 9, 28))
    monkeypatch.setattr(cli, "_now", lambda: FIXED_NOW)
    return data


def test_since_last_counts_what_came_after_the_last_session_only(data_dir):
    config = load(CONFIG_DIR)
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        s = since_last(config, store, DAY_BEFORE, FIXED_NOW)
        every_signal = len(store.signals())
    # The 1B weekly users accepted today is the one fact change of the day.
    assert [(c.subject, c.new) for c in s.changes] == [("ChatGPT", 1e9)]
    # fill_store's items and signals were stored 30 minutes ago; story_store's in 2025.
    assert 0 < len(s.new_signals) < every_signal
    assert all(sig.created_at > DAY_BEFORE for sig in s.new_signals)
    assert [a.watch for a in s.new_alerts] == ["Nvidia deal status"]
    assert s.new_items == 7
    by_partner = dict(s.items_by_partner)
    assert by_partner["Nvidia"] == 2 and by_partner["OpenAI"] == 5
    assert s.gone_stale == ()  # nothing crossed the 90 days since yesterday
    assert not s.empty
    assert headline(s).startswith("1 change, ") and "1 alert, 0 facts gone stale, 7 new items" \
        in headline(s)


def test_facts_gone_stale_are_those_stale_now_and_fresh_then(data_dir):
    config = load(CONFIG_DIR)
    s = read_since(config, data_dir / "dealdesk.sqlite3", at(2026, 5, 1), FIXED_NOW)
    stale = {(f.subject, f.kind): f.confirmed.isoformat() for f in s.gone_stale}
    # Confirmed on 2026-02-27: fresh on 2026-05-01, stale 90 days later.
    assert stale[("Nvidia", "partner")] == "2026-02-27"
    assert stale[("Amazon", "partner")] == "2026-02-27"
    # Cerebras (2026-01-14) was already stale on 2026-05-01: not news.
    assert ("Cerebras", "partner") not in stale


def test_nothing_since_now_is_empty_and_a_missing_store_is_never_created(tmp_path):
    config = load(CONFIG_DIR)
    path = tmp_path / "none.sqlite3"
    s = read_since(config, path, FIXED_NOW, FIXED_NOW)
    assert s.empty and not path.exists()


def test_hidden_news_is_not_counted_as_new(data_dir):
    """The exclude filters hide items, their signals and alerts everywhere: here too."""
    config = load(CONFIG_DIR)
    hiding = replace(config, settings=replace(config.settings, news_exclude=("OpenAI",)))
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        shown = since_last(config, store, DAY_BEFORE, FIXED_NOW)
        hidden = since_last(hiding, store, DAY_BEFORE, FIXED_NOW)
    assert hidden.new_items < shown.new_items
    assert "OpenAI" not in dict(hidden.items_by_partner)
    assert len(hidden.new_signals) < len(shown.new_signals)


def test_text_lines_are_one_line_each_without_control_characters(data_dir):
    config = load(CONFIG_DIR)
    s = read_since(config, data_dir / "dealdesk.sqlite3", at(2025, 9, 1), FIXED_NOW)
    lines = text_lines(s, with_changes=True, limit=None)
    assert all(line.isprintable() for line in lines)
    assert any("<script>" in line for line in lines)  # the hostile item: shown as typed


def diff(capsys, data: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["diff", *argv, "--config", str(CONFIG_DIR), "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


def test_diff_since_last_prints_the_summary_after_the_changes(capsys, data_dir):
    save_last_seen(data_dir, DAY_BEFORE)
    code, out, _ = diff(capsys, data_dir, "--since", "last")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Changes from 2026-11-28 to 2026-11-29: 1")
    start = next(i for i, line in enumerate(lines) if line.startswith("Since you last looked"))
    assert start > 1 and "(2026-11-28 12:00 UTC): 1 change, " in lines[start]
    for title in ("New signals: ", "New alerts: 1", "Facts gone stale: 0", "New items: 7"):
        assert any(line.startswith(title) for line in lines[start:])
    assert "  Nvidia deal status: “definitive” · Nvidia  Nvidia signs" in lines


def test_diff_since_last_json_adds_keys_beside_the_three(capsys, data_dir):
    save_last_seen(data_dir, DAY_BEFORE)
    code, out, _ = diff(capsys, data_dir, "--since", "last", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert {"since", "until", "changes"} <= set(data)
    assert (data["since"], data["until"]) == ("2026-11-28", "2026-11-29")
    assert [c["new"] for c in data["changes"]] == [1e9]
    assert data["last_seen"] == "2026-11-28T12:00:00+00:00"
    assert [a["watch"] for a in data["new_alerts"]] == ["Nvidia deal status"]
    assert data["new_items"]["total"] == 7 and data["new_items"]["by_partner"]["Nvidia"] == 2
    assert data["gone_stale"] == []
    assert all({"id", "metric", "subject", "created_at", "title"} <= set(s)
               for s in data["new_signals"]) and data["new_signals"]
    # A date, not `last`: the three keys exactly, as before.
    code, out, _ = diff(capsys, data_dir, "--since", "2026-11-28", "--format", "json")
    assert set(json.loads(out)) == {"since", "until", "changes"}


async def test_dashboard_shows_the_toast_and_l_opens_the_list(data_dir):
    from dealdesk.tui.screens.since import SinceScreen

    save_last_seen(data_dir, DAY_BEFORE)
    app = make_app(data_dir / "dealdesk.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        def toasts() -> list[str]:
            return [n.message for n in app._notifications if n.title == "Since you last looked"]

        await wait_for(pilot, toasts)
        [toast] = toasts()
        assert toast.startswith("Since you last looked (2026-11-28 12:00 UTC): 1 change, ")
        assert toast.endswith("1 alert, 0 facts gone stale, 7 new items — press L")
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, SinceScreen))
        shown = "\n".join(str(s.render()) for s in app.screen.query(".since-section"))
        assert "New alerts: 1" in shown and "Nvidia deal status" in shown
        assert "ChatGPT  weekly users: 900M → 1B" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SinceScreen))


async def test_no_previous_session_shows_nothing(data_dir):
    from dealdesk.tui.screens.since import SinceScreen

    app = make_app(data_dir / "dealdesk.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(1.0)
        assert not [n for n in app._notifications if n.title == "Since you last looked"]
        await pilot.press("L")
        await pilot.pause()
        assert not isinstance(app.screen, SinceScreen)


def test_new_items_window_is_after_last_seen_and_up_to_now(data_dir):
    """An item stored at the last-seen instant was seen; one stored after `now` (this
    session's own refresh) is not "since you last looked" news."""
    stored_at = FIXED_NOW - timedelta(minutes=30)  # fill_store's items
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        assert store.fetched_between(stored_at, FIXED_NOW)[0] == 0
        assert store.fetched_between(stored_at - timedelta(seconds=1), stored_at)[0] == 7
        assert store.fetched_between(DAY_BEFORE, stored_at - timedelta(seconds=1))[0] == 0


async def test_nothing_moved_since_the_last_session_shows_no_toast(data_dir):
    save_last_seen(data_dir, FIXED_NOW)
    app = make_app(data_dir / "dealdesk.sqlite3")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.since_summary is not None)
        assert app.desk.state.since_summary.empty
        await pilot.pause(0.3)
        assert not [n for n in app._notifications if n.title == "Since you last looked"]


def test_on_the_last_seen_day_only_what_was_accepted_after_it_is_a_change(data_dir):
    """The 1B weekly users was accepted at noon on 2026-11-29: new to a reader who looked at
    11:00 that day, not to one who looked at noon (diff's days alone cannot tell)."""
    config = load(CONFIG_DIR)
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        before = since_last(config, store, FIXED_NOW - timedelta(hours=1), FIXED_NOW)
        after = since_last(config, store, FIXED_NOW, FIXED_NOW)
    assert [(c.subject, c.new) for c in before.changes] == [("ChatGPT", 1e9)]
    assert after.changes == () and after.empty


@pytest.mark.parametrize("last_seen", [DAY_BEFORE, FIXED_NOW - timedelta(minutes=20),
                                       FIXED_NOW - timedelta(days=400), FIXED_NOW])
def test_since_last_reads_only_the_signals_it_needs_and_says_the_same(data_dir, monkeypatch,
                                                                       last_seen):
    """A year of news holds 100,000 signals: since_last reads the accepted ones and those
    found since (store.signals_since), and says exactly what reading every signal says."""
    config = load(CONFIG_DIR)
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        every = store.signals()
        needed = store.signals_since(last_seen)
        got = since_last(config, store, last_seen, FIXED_NOW)
        monkeypatch.setattr(Store, "signals_since", lambda self, start: self.signals())
        want = since_last(config, store, last_seen, FIXED_NOW)
    assert got == want
    kept = {s.id for s in needed}
    assert {s.id for s in every if s.state == "accepted"} <= kept
    assert {s.id for s in every if s.created_at > last_seen} <= kept
    if last_seen == FIXED_NOW:
        assert len(needed) < len(every)
