"""End to end through a real terminal (tmux) at 80x24: the cache shows at once, `r`
refreshes while `?` still answers, the palette opens, `q` leaves a clean shell.
Run at TERM=xterm-256color, TERM=xterm (8 colours) and with NO_COLOR."""

from __future__ import annotations

import shlex
import shutil
import sys

import pytest

from dealdesk.config import STORE_FILE

from .conftest import CONFIG_DIR
from .feedserver import feed_server, rss  # noqa: F401
from .newsdata import HEADLINES, fill_store
from .tmux import Tmux


def test_frames_drop_repeated_colour_codes_and_nothing_else():
    """tui.output: "reset, then the same codes again" goes; other codes and moves stay."""
    from dealdesk.tui.output import compact

    bold, red = "\x1b[1m", "\x1b[31m"
    reset = "\x1b[0m"
    frame = (f"\x1b[2;3H{bold} a{reset}{bold}b {reset}{bold}c{reset}{red}d{reset}"
             f"\x1b[3;3H{red}e{reset}\x1b[4;3H{red}f{reset}")
    assert compact(frame) == (f"\x1b[2;3H{bold} ab c{reset}{red}d{reset}"
                              f"\x1b[3;3H{red}e{reset}\x1b[4;3H{red}f{reset}")
    assert compact(f"{bold}a{reset}{red}b{reset}") == f"{bold}a{reset}{red}b{reset}"


@pytest.fixture
def terminal():
    tmux = Tmux(80, 24)
    yield tmux
    tmux.close()


@pytest.mark.parametrize(
    "env", ["TERM=xterm-256color", "TERM=xterm", "TERM=xterm-256color NO_COLOR=1"])
def test_dashboard_in_a_real_terminal(tmp_path, feed_server, terminal, env):
    slow = feed_server.add("/slow.xml", body=rss([{"title": "Fresh from the slow feed",
                                                    "guid": "slow-1"}]), delay_s=12.0)
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "Slow"\nurl = "{slow}"\n')
    # Slower than the dashboard could ever take to start, yet inside the fetch limits.
    (cfg / "dealdesk.toml").write_text(
        "[fetch]\nread_timeout_seconds = 30\ndeadline_seconds = 40\n", encoding="utf-8")
    data = tmp_path / "data"
    from dealdesk.config import load

    fill_store(data / STORE_FILE, load(cfg).feeds)
    command = (
        f"env {env} {shlex.quote(sys.executable)} -m dealdesk.cli --config {shlex.quote(str(cfg))}"
        f" --data {shlex.quote(str(data))}; echo DEALDESK-EXITED-$?; sleep 60"
    )
    terminal.start(f"sh -c {shlex.quote(command)}")

    # The cached news shows at once, while the slow feed is still on its way.
    terminal.wait(lambda s: "1 Partners" in s and "Nvidia" in s)
    screen = terminal.press_until("5", lambda s: HEADLINES[1][1][:30] in s)
    assert "Fresh from the slow feed" not in screen

    # The refresh at start lands in the background; then `r` starts another one, quicker.
    terminal.wait(lambda s: "Fresh from the slow feed" in s and "updated" in s, seconds=30)
    feed_server.add("/slow.xml", body=rss([{"title": "Fresh from the slow feed",
                                            "guid": "slow-1"}]), delay_s=3.0)
    terminal.keys("r")
    terminal.wait(lambda s: "refreshing" in s)
    terminal.keys("?")
    terminal.wait(lambda s: "Keys" in s and "Focus Partners" in s)
    terminal.keys("Escape")
    terminal.wait(lambda s: "Focus Partners" not in s)

    terminal.keys("C-p")
    terminal.wait(lambda s: "Search for commands" in s)
    terminal.keys("Escape")
    terminal.wait(lambda s: "Search for commands" not in s)

    terminal.keys("q")
    screen = terminal.wait(lambda s: "DEALDESK-EXITED-0" in s)
    # A clean shell: no alternate screen, no mouse reporting, the cursor visible.
    assert terminal.flag("alternate_on") == "0"
    assert terminal.flag("mouse_any_flag") == "0"
    assert terminal.flag("cursor_flag") == "1"
