"""The smaller items of issue 14: widths in `refresh` output, "just now", ctrl+c's hint,
tab bursts, the charset decision for the output stream."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta

from rich.cells import cell_len
from textual import events

from dealdesk import view as V

from .apps import make_app, wait_for
from .conftest import CONFIG_DIR, FIXED_NOW
from .feedserver import feed_server, rss  # noqa: F401


def test_refresh_rows_line_up_by_display_width(tmp_path, feed_server):
    names = ["日経 AI ニュース", "Wire", "Café ☕", "Ｆｕｌｌ"]
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    lines = []
    for i, name in enumerate(names):
        url = feed_server.add(f"/{i}.xml", body=rss([{"title": f"t{i}", "guid": str(i)}]))
        lines.append(f'[[feed]]\nname = "{name}"\nurl = "{url}"\n')
    (cfg / "feeds.toml").write_text("\n".join(lines), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "dealdesk.cli", "refresh", "--config", str(cfg),
         "--data", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[:len(names)]
    # The status column starts at the same terminal column on every row.
    starts = {cell_len(row[:row.index("  ok")]) for row in rows}
    assert len(starts) == 1, rows


def test_a_moment_ago_reads_just_now():
    assert V.when(FIXED_NOW, FIXED_NOW).endswith("(just now)")
    assert V.when(FIXED_NOW - timedelta(minutes=5), FIXED_NOW).endswith("(5m ago)")


async def test_ctrl_c_says_which_key_quits_in_plain_words():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == ["Press q (or ctrl+q) to quit."]
        assert app.is_running


async def test_a_burst_of_tabs_lands_once_on_the_right_panel():
    """Tabs pressed faster than the app handles them: each moves the target, the panel
    changes once, and no late echo of the tab bar moves it again."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.panels_ready and bool(app.query("#panel-tabs")))
        for presses, expected in ((5, "partners"), (7, "users"), (10, "users"), (4, "compute")):
            # As the driver posts them: all queued before the first is handled.
            for _ in range(presses):
                app.post_message(events.Key("tab", "\t"))
            await pilot.pause(0.3)
            assert app.active_panel == expected, presses
            assert app.query_one("#panel-tabs").active == f"tab-{expected}"


async def test_a_click_on_a_tab_still_chooses_its_panel():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.panels_ready and bool(app.query("#tab-risks")))
        await pilot.pause()
        await pilot.click("#tab-risks")
        await wait_for(pilot, lambda: app.active_panel == "risks")


def test_output_goes_in_the_locale_charset_with_stand_ins(tmp_path):
    from dealdesk.tui.driver import TerminalOutput

    read, write = os.pipe()
    try:
        out = TerminalOutput(write, "ascii")
        out.write("╭─ 1 Partners ─╮ ● ▲△")
        out.flush()
        assert os.read(read, 1000) == b"+- 1 Partners -+ * ^."
        utf8 = TerminalOutput(write, "utf-8")
        utf8.write("╭─╮")
        utf8.flush()
        assert os.read(read, 1000) == "╭─╮".encode()
    finally:
        os.close(read)
        os.close(write)


def test_output_to_a_terminal_that_is_gone_is_dropped_not_raised():
    from dealdesk.tui.driver import TerminalOutput

    read, write = os.pipe()
    os.close(read)
    out = TerminalOutput(write, "utf-8")
    try:
        out.write("frame")
        out.flush()  # EPIPE: nobody reads
        assert out.gone
        out.write("next frame")
        out.flush()
    finally:
        os.close(write)


# Emoji sequences whose width Rich and terminals disagree on, and more that they agree on.
EMOJI = ["❤️", "👍🏽", "👩🏽\u200d💻", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "❤️\u200d🔥", "1️⃣", "#️⃣",
         "✔️", "☺️", "🇫🇷", "a\u200db", "👋🏻x", "日本", "café", "😀", "🏴\U000e0067\U000e0062"
         "\U000e0065\U000e006e\U000e0067\U000e007f"]


def test_emoji_sequences_become_forms_of_one_agreed_width():
    from dealdesk.cells import terminal_safe

    # Widths tmux 3.3a gives each cleaned form (see test_emoji_widths_match_a_real_terminal).
    assert {s: cell_len(terminal_safe(s)) for s in EMOJI} == {
        "❤️": 1, "👍🏽": 2, "👩🏽\u200d💻": 2, "👨\u200d👩\u200d👧": 2, "🏳️\u200d🌈": 3,
        "❤️\u200d🔥": 3, "1️⃣": 1, "#️⃣": 1, "✔️": 1, "☺️": 1, "🇫🇷": 2, "a\u200db": 2,
        "👋🏻x": 3, "日本": 4, "café": 4, "😀": 2, EMOJI[-1]: 2}
    assert terminal_safe("plain ascii") == "plain ascii"


def test_emoji_widths_match_a_real_terminal():
    """Each cleaned form typed into a tmux pane moves the cursor by as many cells as Rich
    measured: the borders after it stay in place."""
    import time

    from dealdesk.cells import terminal_safe

    from .tmux import Tmux

    terminal = Tmux(80, 24)
    try:
        terminal.start("env LANG=C.UTF-8 cat")
        for sample in EMOJI:
            safe = terminal_safe(sample)
            terminal._run("send-keys", "-t", "t", "-l", safe + "|")
            row = ""
            deadline = time.monotonic() + 5
            while "|" not in row and time.monotonic() < deadline:
                row = terminal.screen().splitlines()[int(terminal.flag("cursor_y"))]
                time.sleep(0.02)
            measured = int(terminal.flag("cursor_x")) - 1  # the `|` is one cell
            assert measured == cell_len(safe), (sample, safe, measured)
            terminal.keys("Enter")  # cat echoes the line; the next starts at column 0
            deadline = time.monotonic() + 5
            while terminal.flag("cursor_x") != "0" and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        terminal.close()


def test_news_rows_are_drawn_in_the_agreed_form():
    from dealdesk.view import news_line

    class Item:
        id, read, entities, link = 1, False, (), None
        title, feed, published = "Launch 🚀 👍🏽 ❤️ today", "Feed ✔️", FIXED_NOW

    line = news_line(Item())
    assert line.title == "Launch 🚀 👍 ❤ today" and line.feed == "Feed ✔"
