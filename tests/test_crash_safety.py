"""The store survives a kill at any moment, and an unusable store is one clear line.

`dealdesk refresh` is killed with SIGKILL while it holds the write lock (many feeds with many
items, from a slow loopback server): the store still opens, passes SQLite's and FTS5's
integrity checks, holds everything stored before, holds each feed's new items all or not at
all, and the next refresh completes. A corrupt file, another program's SQLite file, a store
from a newer schema, a directory in the file's place and a read-only data directory each
give exit 2 and one line naming the path and what to do; the file is never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dealdesk.config import STORE_FILE
from dealdesk.store import SCHEMA_VERSION, Store

from .conftest import CONFIG_DIR
from .feedserver import feed_server, rss  # noqa: F401

BASE_FEEDS, BASE_ITEMS = 4, 40
BIG_FEEDS, BIG_ITEMS = 24, 150
# Round r kills once this many big feeds are stored and the next write is under way: the
# first kill lands on the first write, later ones among the big item inserts.
KILL_AFTER = (0, 4, 12)
ROUNDS = len(KILL_AFTER)


def _cli(*args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dealdesk.cli", *args], capture_output=True,
                          text=True, timeout=timeout, **kw)


def _items(prefix: str, n: int) -> list[dict[str, str]]:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        {"title": f"{prefix} story {i} about Nvidia and OpenAI", "guid": f"{prefix}-{i}",
         "link": f"https://example.com/{prefix}/{i}",
         "pubDate": (base + timedelta(minutes=i)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
         "description": f"Summary {i} of {prefix}: 10 GW, $100 billion, 700 million users."}
        for i in range(n)
    ]


def _config(tmp_path: Path, feeds: dict[str, str]) -> Path:
    cfg = tmp_path / "cfg"
    if not cfg.exists():
        shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "dealdesk.toml").write_text(
        "[fetch]\nconcurrency = 8\ndeadline_seconds = 10\nconnect_timeout_seconds = 2\n"
        "read_timeout_seconds = 5\n", encoding="utf-8")
    (cfg / "feeds.toml").write_text(
        "".join(f'[[feed]]\nname = "{n}"\nurl = "{u}"\n\n' for n, u in feeds.items()),
        encoding="utf-8")
    return cfg


def _rows(path: Path) -> dict[str, set[tuple[str, str, str | None, str]]]:
    """Every stored item by feed, as (guid, title, link, summary), read without writing."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows: dict[str, set] = {}
        for feed, guid, title, link, summary in conn.execute(
            "SELECT feed, guid, title, link, summary FROM items"
        ):
            rows.setdefault(feed, set()).add((guid, title, link, summary))
        return rows
    finally:
        conn.close()


def _writer_holds_the_lock(path: Path) -> bool:
    """True while another connection is inside a write transaction (BEGIN IMMEDIATE fails)."""
    try:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        conn.close()


def _feeds_stored(path: Path, prefix: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return 0
    try:
        return conn.execute("SELECT count(DISTINCT feed) FROM items WHERE guid LIKE ?",
                            (f"{prefix}%",)).fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def _assert_sound(path: Path) -> None:
    with Store.open(path):
        pass  # opens (and would migrate) as usual
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_sigkill_in_mid_write_loses_nothing_and_the_next_refresh_completes(
    tmp_path, feed_server
):
    data = tmp_path / "data"
    store = data / STORE_FILE
    base = {f"base{i}": feed_server.add(f"/base{i}.xml", body=rss(_items(f"base{i}", BASE_ITEMS)))
            for i in range(BASE_FEEDS)}
    cfg = _config(tmp_path, base)
    first = _cli("refresh", "--config", str(cfg), "--data", str(data))
    assert first.returncode == 0, first.stdout + first.stderr
    before = _rows(store)
    assert sum(len(v) for v in before.values()) == BASE_FEEDS * BASE_ITEMS

    kills = 0
    partial_rounds = 0
    previous = before
    for round_ in range(ROUNDS):
        # Many big feeds arriving one after another from a slow server: writes all along.
        big = {
            f"big{i}": feed_server.add(
                f"/big{i}.xml", body=rss(_items(f"r{round_}-big{i}", BIG_ITEMS)),
                delay_s=0.05 * i,
            )
            for i in range(BIG_FEEDS)
        }
        # The base feeds now fail: an error must keep every item stored before.
        for i in range(BASE_FEEDS):
            feed_server.add(f"/base{i}.xml", kind="status", status=500, body=b"down")
        cfg = _config(tmp_path, {**base, **big})
        proc = subprocess.Popen(
            [sys.executable, "-m", "dealdesk.cli", "refresh", "--force", "--config", str(cfg),
             "--data", str(data)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:
                ready = (KILL_AFTER[round_] == 0
                         or _feeds_stored(store, f"r{round_}-") >= KILL_AFTER[round_])
                if ready and _writer_holds_the_lock(store):
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
                    break
                time.sleep(0.002)
        finally:
            if proc.poll() is None and time.monotonic() >= deadline:
                proc.kill()
            proc.wait(timeout=10)

        _assert_sound(store)
        after = _rows(store)
        # Nothing stored before is lost or changed ...
        for feed, rows in previous.items():
            assert rows <= after.get(feed, set()), feed
        # ... and each feed's new items arrived in one transaction: all of them or none.
        stored = 0
        for name in big:
            new = {r for r in after.get(name, set()) if r[0].startswith(f"r{round_}-")}
            assert len(new) in (0, BIG_ITEMS), (name, len(new))
            stored += bool(new)
        partial_rounds += 0 < stored < BIG_FEEDS
        previous = after

    assert kills >= 2, "the refresh was not caught holding the write lock"
    assert partial_rounds >= 1, "no kill landed between the big feeds' writes"
    # The next refresh over the same store completes (the base feeds still fail: exit 3).
    final = _cli("refresh", "--force", "--config", str(cfg), "--data", str(data))
    assert final.returncode == 3, final.stdout + final.stderr
    assert final.stdout.splitlines()[-1].endswith(f", {BASE_FEEDS} failed")
    _assert_sound(store)
    after = _rows(store)
    for feed, rows in previous.items():
        assert rows <= after.get(feed, set()), feed
    for name in big:
        assert len({r for r in after[name] if r[0].startswith(f"r{ROUNDS - 1}-")}) == BIG_ITEMS
    with Store.open(store) as s:
        states = {st.name: st for st in s.feed_states()}
    assert all(states[f"base{i}"].status == "error" and states[f"base{i}"].items == BASE_ITEMS
               for i in range(BASE_FEEDS))


# --- an unusable store: one clear line, the file untouched --------------------------------------


def _digest(path: Path) -> str:
    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_corrupt(data: Path) -> None:
    (data / STORE_FILE).write_bytes(b"SQLite format 3\x00" + os.urandom(8192))


def _make_foreign(data: Path) -> None:
    conn = sqlite3.connect(data / STORE_FILE)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ada', '555-0100')")
    conn.commit()
    conn.close()


def _make_newer(data: Path) -> None:
    Store.open(data / STORE_FILE).close()
    conn = sqlite3.connect(data / STORE_FILE)
    conn.execute("INSERT INTO feeds(name, url) VALUES ('kept', 'https://example.com/')")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")  # one file to compare, no -wal beside it
    conn.close()


def _make_directory(data: Path) -> None:
    (data / STORE_FILE).mkdir()
    (data / STORE_FILE / "keep.txt").write_text("mine")


UNUSABLE = {
    # case: (make it, what the line says, the way out it names)
    "corrupt": (_make_corrupt, "not a DealDesk database", "move it aside or pass another --data"),
    "foreign": (_make_foreign, "another program's SQLite file",
                "move it aside or pass another --data"),
    "newer-schema": (_make_newer, f"schema v{SCHEMA_VERSION + 1} is newer",
                     "upgrade DealDesk or pass another --data"),
    "directory": (_make_directory, "is a directory", "pass another --data"),
}


@pytest.mark.parametrize("command", [["refresh"], ["dump"], ["dump", "--format", "json"], []],
                         ids=["refresh", "dump", "dump-json", "dashboard"])
@pytest.mark.parametrize("case", list(UNUSABLE))
def test_an_unusable_store_is_one_line_naming_the_path_and_the_way_out(tmp_path, case, command):
    make, what, way_out = UNUSABLE[case]
    data = tmp_path / "data"
    data.mkdir()
    make(data)
    path = data / STORE_FILE
    before = _digest(path)
    siblings = sorted(p.name for p in data.iterdir())
    # No feeds: the refresh must fail on the store, not on the network.
    cfg = _config(tmp_path, {})
    result = _cli(*command, "--config", str(cfg), "--data", str(data))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith(f"dealdesk: {path}: "), lines[0]
    assert what in lines[0] and way_out in lines[0], lines[0]
    assert result.stdout == ""
    # Never deleted, never "repaired", nothing left beside it.
    assert _digest(path) == before
    assert sorted(p.name for p in data.iterdir()) == siblings


def _main_unprivileged(argv: list[str]) -> tuple[int, str]:
    """`dealdesk.cli.main(argv)` in a forked child as user nobody: (exit code, stderr).

    Root ignores permissions, so the child drops privileges (as tests/test_store.py does).
    A fork, not a new interpreter: nobody may not be able to read the interpreter's own
    files, so everything the command needs is imported here first.
    """
    from dealdesk import cli
    from dealdesk.news import entities, refresh, signals  # noqa: F401  (loaded for the child)

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        code = 99
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the child's stdout for good
            sys.stderr = open(write_end, "w", closefd=False)  # noqa: SIM115 - likewise
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            code = cli.main(argv)
        except BaseException as exc:  # report anything, never run the parent's code
            os.write(write_end, f"child failed: {exc!r}\n".encode())
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 4096):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode()


@pytest.mark.parametrize("existing", [False, True], ids=["no-store-yet", "store-inside"])
@pytest.mark.parametrize("command", [["refresh"], []], ids=["refresh", "dashboard"])
def test_a_read_only_data_dir_is_one_line_naming_the_path(existing, command):
    # Under /tmp, not pytest's 0700 tmp dir, so the unprivileged child can reach it.
    base = Path(tempfile.mkdtemp(prefix="dealdesk-ro-"))
    data = base / "data"
    try:
        base.chmod(0o755)
        data.mkdir()
        if existing:
            Store.open(data / STORE_FILE).close()
            conn = sqlite3.connect(data / STORE_FILE)
            conn.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal to create
            conn.close()
        cfg = _config(base, {})
        for p in [cfg, *cfg.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        data.chmod(0o555)
        before = sorted(p.name for p in data.iterdir())
        path = data / STORE_FILE
        digest = _digest(path) if existing else None
        code, err = _main_unprivileged([*command, "--config", str(cfg), "--data", str(data)])
        assert code == 2, err
        lines = err.splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert re.match(rf"dealdesk: {re.escape(str(path))}: .*(read-only|write).*--data",
                        lines[0]), lines[0]
        assert sorted(p.name for p in data.iterdir()) == before
        if existing:
            assert _digest(path) == digest
    finally:
        if data.exists():
            data.chmod(0o755)
        shutil.rmtree(base)
