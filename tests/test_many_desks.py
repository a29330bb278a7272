"""One store, many desks: three dashboards (real processes, each in its own tmux terminal)
and a cron `dealdesk refresh` on one data directory. Nobody sees "database is locked"; every
dashboard shows what the cron refresh stored within a few seconds, also while each of them
runs its own refresh (`r`) at the same moment."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .conftest import CONFIG_DIR
from .feedserver import FeedServer, feed_server, rss  # noqa: F401
from .tmux import Tmux

DESKS = 3
SHOWN_WITHIN_S = 8.0  # the watcher polls every 2 s; enrichment and a re-read follow


def _items(*titles: str) -> bytes:
    now = datetime.now(timezone.utc)
    return rss([{"title": title, "guid": title.lower().replace(" ", "-"),
                 "link": f"https://example.com/{i}",
                 "pubDate": format_datetime(now - timedelta(minutes=i))}
                for i, title in enumerate(titles)])


def _cron_refresh(cfg: Path, data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dealdesk.cli", "--config", str(cfg), "--data", str(data),
         "refresh", "--force"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out + err


def test_three_dashboards_and_a_cron_refresh_share_one_store(
        tmp_path: Path, feed_server: FeedServer) -> None:
    wire = feed_server.add("/wire.xml", body=_items("Desk baseline headline"))
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "Wire"\nurl = "{wire}"\n',
                                    encoding="utf-8")
    data = tmp_path / "data"
    code, output = _finish(_cron_refresh(cfg, data))
    assert code == 0, output

    desks = [Tmux(100, 30) for _ in range(DESKS)]
    recordings = [tmp_path / f"desk{n}.out" for n in range(DESKS)]
    try:
        command = (
            f"{shlex.quote(sys.executable)} -m dealdesk.cli --config {shlex.quote(str(cfg))}"
            f" --data {shlex.quote(str(data))}; echo DEALDESK-EXITED-$?; sleep 60")
        for desk, recording in zip(desks, recordings):
            desk.start(f"env TERM=xterm-256color sh -c {shlex.quote(command)}")
            desk.record(str(recording))
        for desk in desks:
            desk.wait(lambda s: "1 Partners" in s, seconds=15)
            desk.press_until("5", lambda s: "Desk baseline headline" in s)

        # The cron refresh alone: each dashboard's watcher notices it.
        feed_server.add("/wire.xml", body=_items("Zebra cron headline", "Desk baseline headline"))
        started = time.monotonic()
        code, output = _finish(_cron_refresh(cfg, data))
        assert code == 0, output
        assert "locked" not in output
        for desk in desks:
            left = SHOWN_WITHIN_S - (time.monotonic() - started)
            desk.wait(lambda s: "Zebra cron headline" in s, seconds=max(left, 0.1))

        # The cron refresh and every dashboard's own refresh at the same moment.
        feed_server.add("/wire.xml", body=_items(
            "Yak concurrent headline", "Zebra cron headline", "Desk baseline headline"))
        cron = _cron_refresh(cfg, data)
        for desk in desks:
            desk.keys("r")
        started = time.monotonic()
        code, output = _finish(cron)
        assert code == 0, output
        assert "locked" not in output
        for desk in desks:
            left = SHOWN_WITHIN_S - (time.monotonic() - started)
            screen = desk.wait(lambda s: "Yak concurrent headline" in s, seconds=max(left, 0.1))
            assert "locked" not in screen

        for desk in desks:
            desk.keys("q")
        for desk in desks:
            desk.wait(lambda s: "DEALDESK-EXITED-" in s, seconds=10)
            assert "DEALDESK-EXITED-0" in desk.screen()
    finally:
        for desk in desks:
            desk.close()
    # Everything each dashboard wrote to its terminal, notifications included.
    for recording in recordings:
        written = recording.read_bytes() if recording.exists() else b""
        assert written, f"{recording.name}: nothing recorded"
        assert b"database is locked" not in written and b"locked" not in written
