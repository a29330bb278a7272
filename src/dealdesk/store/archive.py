"""Retention for the archive: prune old items in bounded batches, give the space back.

Works on the Store's own connection (ArchiveMixin.prune_before and .archive_stats).

- Items published before the cutoff go, except those something the user kept cites: an
  accepted signal, or an alert if an alerts table exists (any of its columns named news_id
  or item_id). Their tags and unreviewed signals go with them (ON DELETE CASCADE); the
  search index follows through the items' triggers, so it never finds a pruned item.
- Batches of `batch` rows, each its own write transaction: a dashboard or a cron refresh
  waiting on the lock waits for one batch, never for the whole prune.
- Space: a store made since retention exists is in incremental auto-vacuum mode (set before
  its first table); the pages a prune frees are handed back with `PRAGMA incremental_vacuum`.
  An older store is converted by one VACUUM, the first time a prune frees anything.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..value import Value
from .errors import wrap_public_methods
from .rows import _iso

if TYPE_CHECKING:  # what a mixin uses of the store it is composed into (store/schema.py)
    from .schema import SchemaMixin as _Host
else:
    _Host = object

BATCH_ROWS = 5_000  # items deleted per transaction
VACUUM_STEP_PAGES = 4_096  # pages given back per incremental_vacuum step (16 MiB at 4 KiB)
INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL
_CITING_COLUMNS = ("news_id", "item_id")


class ArchiveStats(Value):
    items: int
    oldest: str | None  # ISO date-time of the oldest item's `published`, None when empty
    size_bytes: int  # the database with its WAL, on disk


class PruneReport(Value):
    deleted: int
    batches: int
    pages_freed: int


def _protected(conn: sqlite3.Connection) -> str:
    """SQL for the ids of items that must be kept whatever their age."""
    parts = ["SELECT news_id FROM signals WHERE state = 'accepted'"]
    if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alerts'"
    ).fetchone():
        columns = [row[1] for row in conn.execute("PRAGMA table_info(alerts)")]
        citing = [c for c in columns if c in _CITING_COLUMNS]
        if not citing:
            # Alerts exist but what they cite cannot be told: keep every item.
            parts.append("SELECT id FROM items")
        parts += [f"SELECT {c} FROM alerts WHERE {c} IS NOT NULL" for c in citing]
    return " UNION ".join(parts)


def prune(
    conn: sqlite3.Connection, cutoff: str, batch: int = BATCH_ROWS, max_batches: int = 10_000
) -> PruneReport:
    """Delete the unprotected items published before `cutoff` (an ISO string as stored),
    `batch` rows per transaction, then give the freed pages back. At most `max_batches`
    batches: a refresh always ends; what is left goes at the next one."""
    batch = max(1, batch)
    deleted = batches = 0
    statement = (
        "DELETE FROM items WHERE id IN ("
        " SELECT id FROM items WHERE published < ?"
        f" AND id NOT IN ({_protected(conn)})"
        " ORDER BY published LIMIT ?)"
    )
    while batches < max_batches:
        conn.execute("BEGIN IMMEDIATE")
        try:
            count = conn.execute(statement, (cutoff, batch)).rowcount
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        batches += 1
        deleted += count
        if count < batch:
            break
    pages = reclaim(conn) if deleted else 0
    return PruneReport(deleted, batches, pages)


def reclaim(conn: sqlite3.Connection, max_steps: int = 100_000) -> int:
    """Give the free pages back to the file system; how many were."""
    before = _free_pages(conn)
    if not before:
        return 0
    (mode,) = conn.execute("PRAGMA auto_vacuum").fetchone()
    if mode != INCREMENTAL:
        # A store made before retention: converted once, by a full VACUUM (which also
        # gives every free page back). Busy (another process writing): next time.
        try:
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("VACUUM")
        except sqlite3.OperationalError:
            return 0
        _checkpoint(conn)
        return before - _free_pages(conn)
    for _ in range(max_steps):
        left = _free_pages(conn)
        if not left:
            break
        # executescript: a plain execute() of this pragma frees one page per step taken.
        conn.executescript(f"PRAGMA incremental_vacuum({min(left, VACUUM_STEP_PAGES):d});")
    _checkpoint(conn)
    return before - _free_pages(conn)


def _checkpoint(conn: sqlite3.Connection) -> None:
    # In WAL mode the file only shrinks when the WAL is copied back; with a reader in the
    # middle of a snapshot this does what it can and the next checkpoint does the rest.
    # A TRUNCATE checkpoint holds the writer lock while its busy handler waits for readers:
    # with the store's busy_timeout a dashboard reading would keep every other writer (a
    # dashboard marking an item read) waiting past its own timeout, "database is locked".
    # So it never waits here.
    (timeout,) = conn.execute("PRAGMA busy_timeout").fetchone()
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.OperationalError:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout):d}")


def _free_pages(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA freelist_count").fetchone()[0])


def stats(conn: sqlite3.Connection, path: Path) -> ArchiveStats:
    items, oldest = conn.execute("SELECT count(*), min(published) FROM items").fetchone()
    size = 0
    for suffix in ("", "-wal"):
        try:
            size += os.stat(f"{path}{suffix}").st_size
        except OSError:
            pass
    return ArchiveStats(int(items), oldest, size)


@wrap_public_methods
class ArchiveMixin(_Host):
    def prune_before(self, cutoff: datetime,
                     batch: int = BATCH_ROWS) -> PruneReport:
        """Delete items published before `cutoff` that no accepted signal (or alert) cites,
        `batch` per transaction, and give the space back."""
        return prune(self._conn, _iso(cutoff), batch)

    def archive_stats(self) -> ArchiveStats:
        """Items kept, the oldest one's date and the size on disk."""
        return stats(self._conn, self.path)
