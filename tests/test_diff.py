"""`dealdesk diff`: every change of a fact in a window, agreeing with `--as-of` views."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from dealdesk import cli
from dealdesk import history as H
from dealdesk.config import load
from dealdesk.state import LAST_SEEN_FILE, load_last_seen, save_last_seen
from dealdesk.store import Store

from .conftest import CONFIG_DIR, FIXED_NOW
from .storydata import story_store


@pytest.fixture
def data_dir(tmp_path, config, monkeypatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    story_store(data / "dealdesk.sqlite3", config.feeds)
    monkeypatch.setattr(cli, "_now", lambda: FIXED_NOW)
    return data


def diff(capsys, data: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["diff", *argv, "--config", str(CONFIG_DIR), "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_and_the_changes_of_a_window(capsys, data_dir):
    code, out, _ = diff(capsys, data_dir, "--since", "2026-01-01", "--until", "2026-03-01",
                        "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"since", "until", "changes"}
    assert (data["since"], data["until"]) == ("2026-01-01", "2026-03-01")
    for c in data["changes"]:
        assert set(c) == {"date", "subject", "field", "old", "new", "source"}
        assert "2026-01-01" <= c["date"] <= "2026-03-01"
    moves = [(c["date"], c["subject"], c["field"], c["old"], c["new"]) for c in data["changes"]]
    # Status moves, one by one; a figure, in plain numbers; a risk; each with its source.
    assert ("2026-01-30", "Nvidia", "status", "letter-of-intent", "stalled") in moves
    assert ("2026-02-27", "Nvidia", "status", "stalled", "replaced") in moves
    assert ("2026-02-27", "Nvidia", "commitment_usd", 100e9, 30e9) in moves
    assert ("2026-01-30", "deal-not-final", "status", "open", "materialized") in moves
    assert all(c["source"] for c in data["changes"])


def test_an_accepted_signal_is_a_change_on_the_day_it_was_accepted(capsys, data_dir):
    _, out, _ = diff(capsys, data_dir, "--since", "2025-09-26", "--until", "2025-09-26",
                     "--format", "json")
    [change] = json.loads(out)["changes"]
    assert change == {"date": "2025-09-26", "subject": "ChatGPT",
                      "field": "weekly_active_users", "old": 700e6, "new": 750e6,
                      "source": change["source"]}
    assert change["source"].startswith("news-")
    _, out, _ = diff(capsys, data_dir, "--since", "2026-11-29", "--format", "json")
    assert [(c["subject"], c["new"]) for c in json.loads(out)["changes"]] == [("ChatGPT", 1e9)]


def test_text_output_is_one_line_per_change(capsys, data_dir):
    code, out, _ = diff(capsys, data_dir, "--since", "2026-02-27", "--until", "2026-02-27")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("Changes from 2026-02-27 to 2026-02-27:")
    assert "2026-02-27  Nvidia  status: ‖ stalled → ⇄ replaced  [openai-round-2026-02-27]" in out
    assert "2026-02-27  Nvidia  commitment: $100B → $30B  [" in out


def test_diff_agrees_with_two_as_of_views():
    """Replaying every change from `since` onto the view of the day before gives the view of
    `until`: diff and --as-of are the same story."""
    story = load(CONFIG_DIR).story
    since, until = date(2025, 9, 1), date(2026, 3, 1)
    facts, _ = H._state(H.snapshot_as_of(story, [], since - timedelta(days=1)))
    values = {k: v for k, (v, _) in facts.items()}
    for c in H.changes(story, [], since, until):
        if c.field != "weekly_active_users":
            if c.new is None:
                values.pop((c.subject, c.field), None)
            else:
                values[(c.subject, c.field)] = c.new
    end, _ = H._state(H.snapshot_as_of(story, [], until))
    opening = {"status", "capacity_gw", "commitment_usd"}
    # Fields a partner or risk opened with beyond those the timeline tells are not listed;
    # everything else matches.
    expected = {k: v for k, (v, _) in end.items()
                if k in values or k[1] in opening or (k[0], "status") in facts}
    assert {k: v for k, v in values.items() if k in expected} == expected


def test_since_last_uses_the_last_seen_day_and_diff_moves_it(capsys, data_dir):
    code, _, err = diff(capsys, data_dir, "--since", "last")
    assert code == 2 and "nothing recorded yet" in err and len(err.splitlines()) == 1
    save_last_seen(data_dir, FIXED_NOW - timedelta(days=1))
    code, out, _ = diff(capsys, data_dir, "--since", "last", "--format", "json")
    assert code == 0 and json.loads(out)["since"] == "2026-11-28"
    assert load_last_seen(data_dir) == FIXED_NOW  # seen up to now
    # A window that ends in the past does not move it.
    save_last_seen(data_dir, FIXED_NOW - timedelta(days=3))
    diff(capsys, data_dir, "--since", "last", "--until", "2026-11-27")
    assert load_last_seen(data_dir) == FIXED_NOW - timedelta(days=3)


@pytest.mark.parametrize("content", ["", "garbage", "2026-13-01T00:00:00", "\x00\xff"])
def test_a_broken_last_seen_file_counts_as_none(tmp_path, content):
    (tmp_path / LAST_SEEN_FILE).write_bytes(content.encode("latin-1"))
    assert load_last_seen(tmp_path) is None


@pytest.mark.parametrize("argv", [["--since", "2026-11-30"],  # after today
                                  ["--since", "2026-11-01", "--until", "2026-12-01"],
                                  ["--since", "2025-10-01", "--until", "2025-09-01"],
                                  ["--since", "soon"]])
def test_bad_windows_are_usage_errors(capsys, data_dir, argv):
    code, out, err = diff(capsys, data_dir, *argv)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert ("--until" if "--until" in argv else "--since") in err


def test_diff_json_is_strict_even_with_a_bad_stored_figure(capsys, data_dir):
    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        signal = next(s for s in store.signals() if s.metric == "capacity_gw")
        store.set_signal_state(signal.id, "accepted", FIXED_NOW)
    import sqlite3

    conn = sqlite3.connect(data_dir / "dealdesk.sqlite3")
    conn.execute("UPDATE signals SET value = ? WHERE id = ?", (math.inf, signal.id))
    conn.commit()
    conn.close()
    code, out, _ = diff(capsys, data_dir, "--since", "2026-11-29", "--format", "json")
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_the_dashboard_records_last_seen_when_it_closes(capsys, data_dir, monkeypatch):
    """The session itself is stubbed (no terminal here): what is tested is that closing the
    dashboard, however it ends, leaves the time `diff --since last` starts from."""
    from dealdesk.tui import app as app_module

    ran = []
    monkeypatch.setattr(cli, "terminal_problem", lambda: None)
    monkeypatch.setattr(app_module.DealDeskApp, "run",
                        lambda self: ran.append(self.desk.state.as_of))
    assert load_last_seen(data_dir) is None
    code = cli.main(["--as-of", "2025-09-30", "--config", str(CONFIG_DIR),
                     "--data", str(data_dir)])
    assert code == 0 and ran == [date(2025, 9, 30)]
    assert load_last_seen(data_dir) == FIXED_NOW
    # A day after today never opens the dashboard.
    code = cli.main(["--as-of", "2026-11-30", "--config", str(CONFIG_DIR),
                     "--data", str(data_dir)])
    assert code == 2 and len(ran) == 1
    assert "--as-of 2026-11-30 is after today" in capsys.readouterr().err
