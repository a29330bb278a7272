"""A real terminal (tmux): news that moves a watched deal arrives by the dashboard's own
refresh; the dashboard rings the bell (a BEL outside any escape sequence), shows the toast,
sends the OSC 9 / OSC 777 notification when asked to, and lists it under A (Alerts)."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from .conftest import CONFIG_DIR
from .feedserver import feed_server, rss  # noqa: F401
from .tmux import Tmux

# OSC and DCS sequences end in BEL or ST; what is left of BEL after them is the bell.
_SEQUENCES = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP.*?\x1b\\", re.S)


def _bells(path: Path) -> int:
    data = path.read_bytes() if path.exists() else b""
    return _SEQUENCES.sub(b"", data).count(b"\x07")


@pytest.fixture
def terminal():
    tmux = Tmux(100, 30)
    yield tmux
    tmux.close()


def test_terminal_rings_bell_and_shows_toast_on_new_alert(tmp_path, feed_server, terminal):
    url = feed_server.add("/wire.xml", body=rss([
        {"title": "Nvidia signs definitive agreement with OpenAI", "guid": "n1",
         "link": "https://example.com/n1", "pubDate": "Mon, 30 Nov 2026 09:00:00 GMT"}]))
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "wire"\nurl = "{url}"\n')
    settings = cfg / "dealdesk.toml"
    settings.write_text(settings.read_text().replace("notify = false", "notify = true"))
    data = tmp_path / "data"
    out = tmp_path / "pane.out"
    command = (f"{shlex.quote(sys.executable)} -m dealdesk.cli --config {shlex.quote(str(cfg))}"
               f" --data {shlex.quote(str(data))}; sleep 60")
    terminal.start(f"sh -c {shlex.quote(command)}")
    terminal.record(str(out))
    terminal.wait(lambda s: "Partners" in s and "Nvidia" in s)
    screen = terminal.wait(lambda s: "Nvidia deal status" in s, seconds=30)
    assert "Alert" in screen and "replaced →" in screen  # the toast (old → new)
    assert _bells(out) == 1
    raw = out.read_bytes()
    assert b"]9;Nvidia deal status" in raw and b"]777;notify;DealDesk alert;" in raw
    terminal.press_until("A", lambda s: "Alerts: what the watches matched" in s)
    screen = terminal.screen()
    assert "Nvidia signs definitive agreement" in screen
    terminal.keys("q")
