"""One store, many desks: three dashboards (real processes, each in its own tmux terminal)
and a cron `dealdesk refresh` on one data directory. Nobody sees "database is locked"; every
dashboard shows what the cron refresh stored within a few seconds, also while each of them
runs its own refresh (`r`) at the same moment."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from dealdesk.store import Store

from .conftest import CONFIG_DIR, FIXED_NOW
from .feedserver import FeedServer, feed_server, rss  # noqa: F401
from .test_retention import fill, news
from .tmux import Tmux

DESKS = 3
SHOWN_WITHIN_S = 8.0  # the watcher polls every 2 s; enrichment and a re-read follow
# SQLite's "database is locked" and any other "locked"; not the Compute panel's "unlocked".
LOCKED = re.compile(r"(?<!un)locked", re.I)


def _items(*titles: str) -> bytes:
    now = datetime.now(UTC)
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
        assert not LOCKED.search(output), output
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
        assert not LOCKED.search(output), output
        for desk in desks:
            left = SHOWN_WITHIN_S - (time.monotonic() - started)
            screen = desk.wait(lambda s: "Yak concurrent headline" in s, seconds=max(left, 0.1))
            assert not LOCKED.search(screen), screen

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
        assert not LOCKED.search(written.decode("utf-8", "replace")), recording.name


def test_pruning_never_holds_the_write_lock_while_a_dashboard_reads(tmp_path: Path) -> None:
    """The checkpoint after a prune shrinks the WAL only when no reader is in it; waiting
    for one holds the writer lock, so a dashboard's write (mark read, enrichment) would wait
    on it and, past busy_timeout, fail with "database is locked". It must give up at once."""
    path = tmp_path / "d" / "dealdesk.db"
    with Store.open(path) as store:
        fill(store, [news(f"old-{i}", 400, summary="lorem ipsum " * 50) for i in range(300)]
             + [news("keep", 1)])
        # A dashboard in the middle of a read: its snapshot keeps the WAL in use.
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM items").fetchone()
        writer = sqlite3.connect(path, isolation_level=None, timeout=0.5,
                                 check_same_thread=False)
        waited: list[float] = []

        def dashboard_writes() -> None:
            time.sleep(0.3)  # while the prune is checkpointing
            begun = time.monotonic()
            try:
                writer.execute("UPDATE items SET read = 1 WHERE guid = 'keep'")
            except sqlite3.OperationalError:  # "database is locked": the failure guarded
                waited.append(float("inf"))
            else:
                waited.append(time.monotonic() - begun)

        try:
            thread = threading.Thread(target=dashboard_writes)
            thread.start()
            begun = time.monotonic()
            report = store.prune_before(FIXED_NOW - timedelta(days=365))
            took = time.monotonic() - begun
            thread.join(timeout=10)
        finally:
            reader.execute("COMMIT")
            reader.close()
            writer.close()
        assert report.deleted == 300
        assert waited and waited[0] < 0.5, waited
        assert took < 2.0, f"prune waited {took:.1f} s on a reader"
