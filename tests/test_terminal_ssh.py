"""The dashboard over SSH when things go wrong (issue 14), end to end in real terminals:
tmux panes and bare ptys, a slow loopback feed, real signals.

No terminal, no spin; hangups and signals restore the terminal and leave no process behind;
terminal replies are not keys; floods stay cheap; locales and TERM=dumb. Every wait is bounded.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dealdesk.config import STORE_FILE

from .conftest import CONFIG_DIR
from .feedserver import feed_server, rss  # noqa: F401
from .newsdata import fill_store
from .test_terminal_input import REPLIES
from .tmux import Tmux

EXITED = "DEALDESK-EXITED-"
# DEC private modes the dashboard turns on, and must turn off again: alternate screen,
# cursor (on again), autowrap (on again), mouse 1000/1003/1006/1015, focus events, paste.
MODES_RESET = {"1049": "l", "25": "h", "7": "h", "1000": "l", "1003": "l", "1006": "l",
               "1015": "l", "1004": "l", "2004": "l"}


def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent (in a container, PID 1 may never reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture
def desk(tmp_path, feed_server):
    """A config with one slow loopback feed, a store with news, the command to run."""
    slow = feed_server.add("/slow.xml", body=rss([{"title": "Fresh from the slow feed",
                                                    "guid": "slow-1"}]), delay_s=8.0)
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "Slow"\nurl = "{slow}"\n')
    (cfg / "dealdesk.toml").write_text(
        "[fetch]\nread_timeout_seconds = 30\ndeadline_seconds = 40\n", encoding="utf-8")
    data = tmp_path / "data"
    from dealdesk.config import load

    fill_store(data / STORE_FILE, load(cfg).feeds)

    def command(env: str = "TERM=xterm-256color", redirect: str = "") -> str:
        # A UTF-8 locale unless the test says otherwise: the screens are checked for ╭ and │.
        run = (f"env LC_ALL= LC_CTYPE= LANG=C.UTF-8 {env} {shlex.quote(sys.executable)}"
               " -m dealdesk.cli"
               f" --config {shlex.quote(str(cfg))} --data {shlex.quote(str(data))} {redirect}")
        return f"sh -c {shlex.quote(f'{run}; echo {EXITED}$?; sleep 60')}"

    command.store = data / STORE_FILE  # type: ignore[attr-defined]
    command.argv = [sys.executable, "-m", "dealdesk.cli", "--config", str(cfg),  # type: ignore[attr-defined]
                    "--data", str(data)]
    return command


@pytest.fixture
def terminal():
    tmux = Tmux(80, 24)
    yield tmux
    tmux.close()


def dashboard_pid(terminal: Tmux) -> int:
    found: list[int] = []
    until(lambda: bool(found.extend(p for p in children(terminal.pane_pid())
                                    if "dealdesk.cli" in cmdline(p)) or found),
          10, "the dashboard process")
    return found[0]


def refresh_child(pid: int) -> int:
    found: list[int] = []
    until(lambda: bool(found.extend(p for p in children(pid)
                                    if "dealdesk.news.worker" in cmdline(p)) or found),
          10, "the refresh process")
    return found[0]


def last_mode_changes(recorded: bytes) -> dict[str, str]:
    last = {}
    for modes, state in re.findall(rb"\x1b\[\?([\d;]+)([hl])", recorded):
        for mode in modes.split(b";"):
            last[mode.decode()] = state.decode()
    return last


def store_is_consistent(path: Path) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] >= 7


# -- 1. no terminal, no spin -------------------------------------------------------------------

def run_with(argv: list[str], *, stdin_tty: bool, stdout_tty: bool, env: dict[str, str],
             seconds: float = 20) -> tuple[int, str, float]:
    """Run with a pty (or not) on stdin and stdout; stderr is a pipe. (code, stderr, seconds)"""
    master, slave = pty.openpty()
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv, stdin=slave if stdin_tty else subprocess.DEVNULL,
            stdout=slave if stdout_tty else subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, timeout=seconds)
    finally:
        os.close(slave)
        os.close(master)
    return proc.returncode, proc.stderr.decode(), time.monotonic() - started


@pytest.mark.parametrize("stdin_tty, stdout_tty", [(False, False), (True, False), (False, True)])
def test_without_a_terminal_the_dashboard_says_so_at_once(desk, stdin_tty, stdout_tty):
    env = {**os.environ, "TERM": "xterm-256color"}
    code, err, seconds = run_with(desk.argv, stdin_tty=stdin_tty, stdout_tty=stdout_tty,
                                  env=env)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "ssh -t" in err and "\x1b" not in err
    assert seconds < 10


def test_headless_commands_need_no_terminal(desk):
    proc = subprocess.run([*desk.argv, "dump", "--format", "json"], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=30)
    assert proc.returncode == 0 and proc.stdout.startswith(b"{")


def test_term_dumb_points_at_dump(desk):
    env = {**os.environ, "TERM": "dumb"}
    code, err, _ = run_with(desk.argv, stdin_tty=True, stdout_tty=True, env=env)
    assert code == 2
    assert "TERM=dumb" in err and "dealdesk dump" in err


def test_input_closing_stops_the_dashboard_instead_of_spinning(desk):
    """A pty whose other side closes (the SSH client is gone): read() says so (0 bytes or
    EIO) and the dashboard leaves, as on a hangup, rather than loop on read(0) = 0."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen(desk.argv, stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 20
        while b"Partners" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                seen += os.read(master, 65536)
        assert b"Partners" in seen
        os.close(master)
        master = -1
        assert proc.wait(timeout=10) == 128 + signal.SIGHUP
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- 2. hangups are clean --------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_refresh_restores_the_terminal_and_leaves_no_process(
        tmp_path, desk, terminal, sig):
    recorded = tmp_path / "pane.out"
    terminal.start(desk())
    terminal.record(str(recorded))
    terminal.wait(lambda s: "refreshing" in s or "1 Partners" in s)
    pid = dashboard_pid(terminal)
    child = refresh_child(pid)
    os.kill(pid, sig)
    terminal.wait(lambda s: f"{EXITED}{128 + sig}" in s, seconds=10)
    until(lambda: not alive(child), 5, "the refresh child gone")
    assert not alive(pid)
    # The pane's modes, as tmux tracks them, and the last word on each mode sent to it.
    assert (terminal.flag("alternate_on"), terminal.flag("cursor_flag"),
            terminal.flag("wrap_flag"), terminal.flag("mouse_any_flag"),
            terminal.flag("mouse_all_flag"), terminal.flag("mouse_standard_flag"),
            terminal.flag("mouse_sgr_flag")) == ("0", "1", "1", "0", "0", "0", "0")
    until(lambda: recorded.exists() and EXITED.encode() in recorded.read_bytes(), 5,
          "the recording")
    last = last_mode_changes(recorded.read_bytes())
    assert {mode: last.get(mode) for mode in MODES_RESET} == MODES_RESET
    store_is_consistent(desk.store)


def test_a_real_hangup_leaves_no_process(desk, terminal):
    """The terminal itself goes (the SSH connection drops): tmux closes the pane's pty."""
    terminal.start(desk())
    terminal.wait(lambda s: "1 Partners" in s)
    pid = dashboard_pid(terminal)
    child = refresh_child(pid)
    terminal._run("kill-session", "-t", "t")
    until(lambda: not alive(pid) and not alive(child), 10, "dashboard and refresh gone")
    store_is_consistent(desk.store)


def test_the_refresh_child_leaves_when_the_dashboard_dies_unannounced(desk, terminal):
    terminal.start(desk())
    terminal.wait(lambda s: "1 Partners" in s)
    pid = dashboard_pid(terminal)
    child = refresh_child(pid)
    os.kill(pid, signal.SIGKILL)  # no handler runs: only the child's own watch can act
    until(lambda: not alive(child), 5, "the orphaned refresh child gone")
    store_is_consistent(desk.store)


def test_ctrl_z_then_fg_redraws_at_once(desk, terminal):
    """In an interactive shell with job control, as over SSH: ctrl+z stops the dashboard,
    `fg` brings it back, drawn in full before any key is pressed."""
    terminal.start("env -u COLUMNS -u LINES PS1='$ ' bash --norc --noprofile -i")
    terminal.wait(lambda s: "$" in s)
    run = desk().removeprefix("sh -c ").strip("'").split(";")[0]  # the dashboard alone
    terminal.type_text(run)
    terminal.keys("Enter")
    terminal.wait(lambda s: "1 Partners" in s)
    terminal.press_until("3", lambda s: "3 Users" in s and "weekly" in s)  # reading keys
    terminal.keys("C-z")
    terminal.wait(lambda s: "Stopped" in s, seconds=5)
    assert terminal.flag("alternate_on") == "0"
    terminal.type_text("fg")
    terminal.keys("Enter")
    terminal.wait(lambda s: "3 Users" in s and "weekly" in s, seconds=5)
    terminal.keys("q")
    until(lambda: terminal.flag("alternate_on") == "0", 5, "the dashboard gone")
    terminal.type_text("echo " + EXITED + "$?")
    terminal.keys("Enter")
    terminal.wait(lambda s: f"{EXITED}0" in s)


# -- 3. replies are not keys -------------------------------------------------------------------

def test_terminal_replies_through_the_pane_are_not_keys(desk, terminal):
    terminal.start(desk())
    terminal.wait(lambda s: "1 Partners" in s)
    terminal.press_until("2", lambda s: "2 Compute" in s and "GW" in s)
    for reply in REPLIES.values():
        if len(reply) < 200:
            terminal.send_bytes(reply.encode("utf-8"))
    terminal.send_bytes("".join(v for v in REPLIES.values() if len(v) < 200).encode("utf-8"))
    time.sleep(1.0)  # every reply read (the pane's input is read as it comes)
    screen = terminal.screen()
    assert EXITED not in screen  # a `q` inside a DCS reply did not quit
    assert "Focus Partners" not in screen  # a `?` did not open help
    assert "Search the news archive" not in screen  # a `/` did not open search
    assert "refreshing" not in screen or "Slow" in screen
    terminal.keys("q")
    terminal.wait(lambda s: f"{EXITED}0" in s)


# -- 4. floods stay cheap ----------------------------------------------------------------------

def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_ten_kilobytes_typed_into_search_stay_cheap(desk, terminal):
    terminal.start(desk())
    terminal.wait(lambda s: "1 Partners" in s)
    pid = dashboard_pid(terminal)
    terminal.press_until("/", lambda s: "Search the news archive" in s)
    before = peak_rss_mb(pid)
    flood = ("nvidia oracle " * 800)[:10_000]
    started = time.monotonic()
    terminal.type_text(flood)
    # Searched once, for the first MAX_QUERY characters: no search per key.
    terminal.wait(lambda s: "match 'nvidia oracle nvidia" in s, seconds=10)
    elapsed = time.monotonic() - started
    terminal.keys("Escape")
    terminal.wait(lambda s: "Search the news archive" not in s, seconds=10)
    assert peak_rss_mb(pid) - before < 100
    # Including the pause the search waits for (0.25 s) and the search itself.
    assert elapsed < 1.5, elapsed
    terminal.keys("q")
    terminal.wait(lambda s: f"{EXITED}0" in s)


def test_a_burst_of_keys_on_the_dashboard_stays_keys(desk, terminal):
    """Only a text field takes a burst as a paste: on a panel, 40 `j` in one read are 40
    moves (here: to the last risk)."""
    terminal.start(desk())
    terminal.wait(lambda s: "1 Partners" in s and "Nvidia" in s)
    # The first risk's hidden column, spelled out under the table (the preview strip).
    first = "Watch: A definitive agreement, or Nvidia's filings"
    terminal.press_until("4", lambda s: "4 Risks" in s and first in s)
    terminal.send_bytes(b"j" * 40)
    terminal.wait(lambda s: first not in s and "Watch:" in s, seconds=5)
    terminal.send_bytes(b"k" * 40)
    terminal.wait(lambda s: first in s, seconds=5)
    terminal.keys("q")
    terminal.wait(lambda s: f"{EXITED}0" in s)


@pytest.mark.parametrize("presses", [6, 7, 13, 201])
def test_tab_bursts_land_on_the_right_panel(desk, terminal, presses):
    terminal.start(desk())
    terminal.wait(lambda s: "1 Partners" in s and "Nvidia" in s)
    terminal.press_until("1", lambda s: "1 Partners" in s and "Nvidia" in s)  # reading keys
    time.sleep(0.3)  # the tabs are mounted a frame after the first
    titles = ["Partners", "Compute", "Users", "Risks", "News"]
    expected = f"{presses % 5 + 1} {titles[presses % 5]}"
    started = time.monotonic()
    terminal.send_bytes(b"\t" * presses)
    # The focused panel's box carries its number and title as the border title.
    terminal.wait(lambda s: f"╭─ {expected}" in s, seconds=5)
    assert time.monotonic() - started < 3.0
    time.sleep(0.5)  # nothing queued moves it again
    screen = terminal.screen()
    assert f"╭─ {expected}" in screen, screen


# -- 5. terminals and locales ------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["LC_ALL=C", "LANG=C", "LC_ALL=POSIX",
                                    "LANG=en_US.ISO-8859-1"])
def test_a_non_utf8_locale_gets_ascii_of_the_same_layout(desk, terminal, locale):
    terminal.start(desk(f"TERM=xterm-256color LANG= LC_CTYPE= LC_ALL= {locale}"))
    screen = terminal.wait(lambda s: "1 Partners" in s and "Nvidia" in s)
    assert "\\u" not in screen
    # No box drawing or symbol the charset lacks (ISO-8859-1 has `·`, tmux shows it as is).
    assert not [c for c in screen if ord(c) > 255], [c for c in screen if ord(c) > 255][:5]
    if "ISO-8859" not in locale:
        assert screen.isascii()
    assert "+-" in screen and "|" in screen
    terminal.keys("q")
    terminal.wait(lambda s: f"{EXITED}0" in s)


def test_the_ui_never_draws_into_a_redirected_stderr(tmp_path, desk, terminal):
    err = tmp_path / "err.txt"
    terminal.start(desk(redirect=f"2>{shlex.quote(str(err))}"))
    terminal.wait(lambda s: "1 Partners" in s and "Nvidia" in s)
    terminal.keys("q")
    terminal.wait(lambda s: f"{EXITED}0" in s)
    assert b"\x1b" not in err.read_bytes()


def test_at_40x12_partners_shows_rows(desk):
    small = Tmux(40, 12)
    try:
        # Stale sizes in the environment (a shell exported them once) are not believed.
        small.start(desk("TERM=xterm-256color COLUMNS=80 LINES=24"))
        # A row of the table: a partner's name beside its status, not only the details.
        screen = small.wait(lambda s: re.search(r"│\s+Nvidia\s+\S+ \w+", s) is not None)
        assert "Partner" in screen
        small.keys("q")
        small.wait(lambda s: f"{EXITED}0" in s)
    finally:
        small.close()


def test_news_shows_what_a_refresh_already_stored(tmp_path, feed_server, terminal):
    """An empty archive, a fast feed and a slow one: while the slow one is still on its way,
    News shows the fast one's items instead of saying there is no news."""
    fast = feed_server.add("/fast.xml", body=rss([{"title": "Fast feed item one", "guid": "f1"},
                                                  {"title": "Fast feed item two", "guid": "f2"}]))
    slow = feed_server.add("/slow.xml", body=rss([{"title": "Slow", "guid": "s1"}]), delay_s=8.0)
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "Fast"\nurl = "{fast}"\n\n'
                                    f'[[feed]]\nname = "Slow"\nurl = "{slow}"\n')
    (cfg / "dealdesk.toml").write_text(
        "[fetch]\nread_timeout_seconds = 30\ndeadline_seconds = 40\n", encoding="utf-8")
    run = (f"env TERM=xterm-256color {shlex.quote(sys.executable)} -m dealdesk.cli --config "
           f"{shlex.quote(str(cfg))} --data {shlex.quote(str(tmp_path / 'data'))}")
    terminal.start(f"sh -c {shlex.quote(f'{run}; echo {EXITED}$?; sleep 60')}")
    terminal.wait(lambda s: "1 Partners" in s)
    terminal.press_until("5", lambda s: "5 News" in s)
    screen = terminal.wait(lambda s: "Fast feed item" in s, seconds=6)
    assert "refreshing" in screen  # the slow feed is still on its way
    terminal.keys("q")
    terminal.wait(lambda s: f"{EXITED}0" in s)
