"""SQLite archive: feed state, news items (with full-text search), signals and read marks.

One `Store` per thread (sqlite3 connections refuse to cross threads, which is the point).
WAL lets the dashboard read while `dealdesk refresh` writes from another process, and
`data_version()` tells a reader when someone else has committed.

Opening never deletes or "repairs" anything: a file that is not ours, is newer than this
code, or cannot be written raises `StoreError` with one line saying what to do.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import store_archive
from .news.model import FeedSpec, FetchLimits, NewsItem, usable_validator
from .store_archive import ArchiveStats, PruneReport

if TYPE_CHECKING:  # store stays importable without httpx: it only reads the fields
    from .news.fetch import FetchResult

# "DDK1": marks the file as ours, so a foreign SQLite file is refused rather than migrated.
APPLICATION_ID = 0x44444B31
SIGNAL_STATES = ("new", "accepted", "dismissed")
FEED_STATUSES = ("ok", "not_modified", "error", "never")
# The longest any feed backs off: config.py bounds backoff_max_minutes to this as well.
MAX_BACKOFF_MINUTES = 365 * 24 * 60
# The figure finder's hedges (facts.QUALIFIERS): a stored signal with another one is garbage.
SIGNAL_QUALIFIERS = ("at_least", "more_than", "up_to", "about")
# No figure we track comes near a quadrillion (users, GW, USD): past it a stored value is
# garbage, and sums and differences of such values could overflow to inf on screen.
MAX_FIGURE = 1e15

# Each entry takes the schema from version i to i + 1, inside one transaction.
# Statements are listed one by one: executescript() would commit behind our back.
MIGRATIONS: list[list[str]] = [
    [
        f"PRAGMA application_id = {APPLICATION_ID}",
        """CREATE TABLE feeds (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL DEFAULT '',
            etag TEXT,
            last_modified TEXT,
            last_attempt TEXT,
            last_success TEXT,
            status TEXT NOT NULL DEFAULT 'never'
                CHECK (status IN ('ok', 'not_modified', 'error', 'never')),
            error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_retry TEXT,
            http_status INTEGER,
            elapsed_ms INTEGER
        )""",
        """CREATE TABLE items (
            id INTEGER PRIMARY KEY,
            feed TEXT NOT NULL REFERENCES feeds(name) ON UPDATE CASCADE ON DELETE CASCADE,
            guid TEXT NOT NULL,
            title TEXT NOT NULL,
            link TEXT,
            published TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            date_flag TEXT CHECK (date_flag IS NULL OR date_flag IN ('missing', 'future')),
            fetched_at TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0,
            UNIQUE (feed, guid)
        )""",
        "CREATE INDEX items_by_published ON items(published DESC, id DESC)",
        """CREATE TABLE item_entities (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            entity TEXT NOT NULL,
            pos INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (item_id, entity)
        ) WITHOUT ROWID""",
        "CREATE INDEX item_entities_by_entity ON item_entities(entity, item_id)",
        """CREATE VIRTUAL TABLE items_fts USING fts5(
            title, summary, content='items', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        END""",
        """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.id, old.title, old.summary);
        END""",
        # Only text changes touch the index: marking an item read must stay cheap.
        """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary ON items BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.id, old.title, old.summary);
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        END""",
        """CREATE TABLE signals (
            id INTEGER PRIMARY KEY,
            news_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            metric TEXT NOT NULL,
            value REAL NOT NULL,
            unit TEXT,
            qualifier TEXT,
            subject TEXT NOT NULL DEFAULT '',
            quote TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'new'
                CHECK (state IN ('new', 'accepted', 'dismissed')),
            created_at TEXT NOT NULL,
            UNIQUE (news_id, metric, value, subject)
        )""",
        "CREATE INDEX signals_by_state ON signals(state)",
    ],
    [
        # Items a headless refresh stored without tagging them, looking for figures or
        # indexing them for search; the enrichment pass (news.enrich) does all three later.
        # Existing rows count as done. Indexing is 80 % of the cost of storing an item.
        "ALTER TABLE items ADD COLUMN pending INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX items_pending ON items(id) WHERE pending = 1",
        "DROP TRIGGER items_fts_insert",
        "DROP TRIGGER items_fts_delete",
        "DROP TRIGGER items_fts_update",
        # An external-content index must only be told to delete what it holds: every
        # trigger looks at `pending` (0: indexed) on the side it touches.
        """CREATE TRIGGER items_fts_insert AFTER INSERT ON items WHEN new.pending = 0 BEGIN
            INSERT INTO items_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary);
        END""",
        """CREATE TRIGGER items_fts_delete AFTER DELETE ON items WHEN old.pending = 0 BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                VALUES ('delete', old.id, old.title, old.summary);
        END""",
        """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, pending ON items
            BEGIN
            INSERT INTO items_fts(items_fts, rowid, title, summary)
                SELECT 'delete', old.id, old.title, old.summary WHERE old.pending = 0;
            INSERT INTO items_fts(rowid, title, summary)
                SELECT new.id, new.title, new.summary WHERE new.pending = 0;
        END""",
    ],
    [
        # When a signal was last accepted, dismissed or undone: `--as-of` shows the signals
        # as they stood that day, and `diff` dates an accepted figure by when it became a
        # fact. Rows decided before this column existed keep NULL (their time is unknown).
        "ALTER TABLE signals ADD COLUMN decided_at TEXT",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The store cannot be used; the message is one line, names the file and the way out."""


@dataclass(frozen=True)
class FeedState:
    name: str
    url: str
    status: str  # ok | not_modified | error | never
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    error: str | None = None
    failures: int = 0
    next_retry: datetime | None = None
    items: int = 0
    etag: str | None = None
    last_modified: str | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class StoredItem:
    id: int
    feed: str
    title: str
    link: str | None
    published: datetime
    summary: str
    date_flag: str | None
    entities: tuple[str, ...]
    read: bool


@dataclass(frozen=True)
class StoredSignal:
    id: int
    news_id: int
    metric: str
    value: float
    unit: str | None
    qualifier: str | None
    subject: str | None
    quote: str
    state: str
    created_at: datetime
    published: datetime  # the news item's date: an accepted signal is an event on that date
    news_title: str
    feed: str = ""
    link: str | None = None
    decided_at: datetime | None = None  # last accepted, dismissed or undone; None: unknown


_F = TypeVar("_F", bound=Callable[..., Any])


def wrap_exceptions(method: _F) -> _F:
    """A Store method that raises StoreError (one line, naming the file) for any sqlite3
    error, as lemon24/reader's wrap_exceptions does: callers catch one exception, and a
    store corrupted, locked or removed under a running dashboard is a message, not a crash."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc, opening=False)) from exc

    return wrapper  # type: ignore[return-value]


_C = TypeVar("_C", bound=type)


def _wrap_public_methods(cls: _C) -> _C:
    """wrap_exceptions on every public method of `cls`, so none added later can forget it.

    `open` (a classmethod) explains its own errors: it has no store path to name yet."""
    for name, attr in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(attr):
            setattr(cls, name, wrap_exceptions(attr))
    return cls


@_wrap_public_methods
class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self.path = path
        self._identity = _identity(path)
        # Rows that could not be read (wrong type, garbage date, non-finite figure): skipped
        # rather than raised, and counted here by table for the caller to report.
        self.skipped: dict[str, set[object]] = {}

    def skipped_note(self) -> str | None:
        """One line on the rows skipped so far, or None when every row read was sound."""
        if not any(self.skipped.values()):
            return None
        total = sum(len(keys) for keys in self.skipped.values())
        parts = ", ".join(f"{table} {len(keys)}" for table, keys in sorted(self.skipped.items())
                          if keys)
        return (f"{self.path}: {total} unreadable stored row{'s' if total > 1 else ''} "
                f"skipped ({parts})")

    def _skip(self, table: str, key: object) -> None:
        self.skipped.setdefault(table, set()).add(key)

    # --- opening ---------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Store:
        path = Path(path)
        try:
            _make_private_dir(path.parent)
        except OSError as exc:
            raise StoreError(
                f"{path}: cannot create the data directory ({exc.strerror or exc}); "
                "pass a writable --data DIR"
            ) from None
        if path.is_dir():
            raise StoreError(
                f"{path}: is a directory, not a database file; pass another --data DIR"
            )
        conn: sqlite3.Connection | None = None
        try:
            if _make_private_file(path):
                _make_dir_private_if_ours(path)
            conn = sqlite3.connect(path, timeout=5.0, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 5000")
            # Both refusals come before the first write (WAL rewrites the file's header):
            # a file that is not ours, or is newer than this code, is left exactly as it was.
            _refuse_foreign(conn, path)
            _refuse_newer(conn, path)
            store_archive.prepare_new(conn)  # must come before WAL writes the first page
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, path)
            # SQLite gives the WAL and SHM files the database's mode; these may predate it.
            for companion in ("-wal", "-shm"):
                _tighten(path.with_name(path.name + companion))
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreError(_explain(path, exc)) from None
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def ensure_same_file(self) -> None:
        """Raise StoreError if the file at `path` is no longer the one this store opened
        (removed, or replaced by another): what is written now would be lost."""
        if _identity(self.path) != self._identity or self._identity is None:
            raise StoreError(
                f"{self.path}: the database was removed or replaced while in use; "
                "what was fetched meanwhile is not kept, run the command again"
            )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two refreshes queue on busy_timeout
        # instead of failing half-way with "database is locked".
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --- feeds -------------------------------------------------------------------------

    def record_result(
        self,
        result: FetchResult,
        items: Sequence[NewsItem],
        now: datetime,
        backoff: FetchLimits | None = None,
    ) -> int:
        """Store one feed's outcome and its items in one transaction; the new item count."""
        return len(self.record(result, items, now, backoff))

    def record(
        self,
        result: FetchResult,
        items: Sequence[NewsItem],
        now: datetime,
        backoff: FetchLimits | None = None,
        pending: bool = False,
    ) -> list[tuple[int, NewsItem]]:
        """Like record_result, but returns the new items with their ids (for signals).

        With `pending`, new items are marked for the enrichment pass (`pending_items`,
        `enrich`): a refresh stores first and tags and finds figures afterwards.

        An error keeps every cached item and the previous validators, counts the failure
        and schedules the next try: Retry-After when the server gave one, otherwise
        base * 2^(failures-1) minutes, both capped at the policy's maximum.
        """
        with self._transaction() as db:
            return _record(db, result, items, now, backoff or FetchLimits(), pending)

    def record_many(
        self,
        outcomes: Sequence[tuple[FetchResult, Sequence[NewsItem], datetime]],
        backoff: FetchLimits | None = None,
        pending: bool = False,
    ) -> list[list[tuple[int, NewsItem]] | Exception]:
        """`record` for several feeds in one transaction: what each added, or its error.

        A refresh writes the feeds that answer together this way: one commit instead of
        one per feed. Each feed has its own savepoint, so one that fails to store (for any
        reason: a constraint, a value sqlite3 cannot bind, a date out of range) is undone
        alone and the others are kept.
        """
        policy = backoff or FetchLimits()
        done: list[list[tuple[int, NewsItem]] | Exception] = []
        with self._transaction() as db:
            for result, items, now in outcomes:
                db.execute("SAVEPOINT feed")
                try:
                    done.append(_record(db, result, items, now, policy, pending))
                except Exception as exc:
                    db.execute("ROLLBACK TO feed")
                    done.append(exc)
                db.execute("RELEASE feed")
            self.ensure_same_file()  # never report items kept in a file that is gone
        return done

    # --- retention (store_archive) -------------------------------------------------------

    def prune_before(self, cutoff: datetime,
                     batch: int = store_archive.BATCH_ROWS) -> PruneReport:
        """Delete items published before `cutoff` that no accepted signal (or alert) cites,
        `batch` per transaction, and give the space back."""
        return store_archive.prune(self._conn, _iso(cutoff), batch)

    def archive_stats(self) -> ArchiveStats:
        """Items kept, the oldest one's date and the size on disk."""
        return store_archive.stats(self._conn, self.path)

    # --- enrichment --------------------------------------------------------------------

    def pending_items(self, limit: int = 500) -> list[tuple[int, str, str]]:
        """(id, title, summary) of items waiting for the enrichment pass, oldest first."""
        return self._conn.execute(
            "SELECT id, title, summary FROM items WHERE pending = 1 ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()

    def count_pending(self) -> int:
        return self._conn.execute("SELECT count(*) FROM items WHERE pending = 1").fetchone()[0]

    def enrich(
        self,
        done: Sequence[tuple[int, Sequence[str], Iterable[Any]]],
        now: datetime | None = None,
    ) -> int:
        """Store each item's entities and figures and mark it done, in one transaction.

        `done` holds (item id, entity names, figures); the count of new signals.
        """
        with self._transaction() as db:
            _insert_entities(db, [(item_id, names) for item_id, names, _ in done if names])
            added = _insert_signals(db, [(item_id, figs) for item_id, _, figs in done], now)
            db.executemany("UPDATE items SET pending = 0 WHERE id = ? AND pending = 1",
                           [(item_id,) for item_id, _, _ in done])
        return added

    def feed_states(self, specs: Iterable[FeedSpec] | None = None) -> list[FeedState]:
        """Every stored feed by name; with `specs`, one state per spec in that order
        (status "never" for a feed not fetched yet, stored feeds not in specs left out)."""
        rows = self._conn.execute(
            "SELECT f.name, f.url, f.status, f.last_attempt, f.last_success, f.error, "
            "f.failures, f.next_retry, "
            "(SELECT count(*) FROM items i WHERE i.feed = f.name), "
            "f.etag, f.last_modified, f.http_status FROM feeds f ORDER BY f.name"
        ).fetchall()
        states = {}
        for row in rows:
            state = _feed_state(row)
            if state is None:
                self._skip("feeds", repr(row[0]))
            else:
                states[state.name] = state
        if specs is None:
            return list(states.values())
        return [
            states.get(spec.name) or FeedState(name=spec.name, url=spec.url, status="never")
            for spec in specs
        ]

    def validators(self) -> dict[str, tuple[str | None, str | None]]:
        """Each feed's ETag and Last-Modified to send back; one that cannot be sent (stored
        by an older version) is left out, so the feed is fetched in full and recovers."""
        return {
            name: (usable_validator(etag), usable_validator(last_modified))
            for name, etag, last_modified in self._conn.execute(
                "SELECT name, etag, last_modified FROM feeds"
            )
        }

    def due_feeds(
        self,
        specs: Iterable[FeedSpec],
        now: datetime,
        default_minutes: int,
        force: bool = False,
        respect_interval: bool = True,
        max_backoff_minutes: int = MAX_BACKOFF_MINUTES,
    ) -> list[FeedSpec]:
        """Feeds whose refresh interval has passed, skipping those backing off after errors.

        `force` (the "refresh now" key) returns every feed, backing off or not;
        `respect_interval=False` (a headless `dealdesk refresh`) returns every feed that is
        not backing off, however recently it was fetched. No feed backs off longer than
        `max_backoff_minutes` after its last attempt, whatever next_retry says (a store
        written with another policy, or by an older version, never parks a feed for good).
        """
        specs = list(specs)
        if force:
            return specs
        now = now if now.tzinfo else now.replace(tzinfo=timezone.utc)
        # Only the columns needed: feed_states also counts every feed's items.
        states = {
            name: (status, _dt(last_attempt), _dt(next_retry))
            for name, status, last_attempt, next_retry in self._conn.execute(
                "SELECT name, status, last_attempt, next_retry FROM feeds"
            )
        }
        due = []
        for spec in specs:
            status, last_attempt, next_retry = states.get(spec.name, ("never", None, None))
            if last_attempt is None or last_attempt > now:
                # Never tried, or "tried" in the future (a clock set back, a bad row): a
                # date that cannot be right must not park the feed until it comes.
                due.append(spec)
            elif status == "error" and next_retry is not None:
                latest = _later(last_attempt, min(max_backoff_minutes, MAX_BACKOFF_MINUTES))
                if now >= min(next_retry, latest):
                    due.append(spec)
            elif not respect_interval:
                due.append(spec)
            else:
                minutes = spec.refresh_minutes or default_minutes
                if now >= _later(last_attempt, minutes):
                    due.append(spec)
        return due

    # --- items -------------------------------------------------------------------------

    _ITEM_COLUMNS = "id, feed, title, link, published, summary, date_flag, read"

    def latest_items(
        self, limit: int = 100, offset: int = 0, entity: str | None = None
    ) -> list[StoredItem]:
        """Newest first; with `entity`, only items that mention it."""
        if entity is None:
            rows = self._conn.execute(
                f"SELECT {self._ITEM_COLUMNS} FROM items "
                "ORDER BY published DESC, id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        else:
            rows = self._conn.execute(
                f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id IN "
                "(SELECT item_id FROM item_entities WHERE entity = ?) "
                "ORDER BY published DESC, id DESC LIMIT ? OFFSET ?",
                (entity, limit, offset),
            ).fetchall()
        return self._items(rows)

    def items_until(
        self, until: datetime, limit: int = 100, entity: str | None = None
    ) -> list[StoredItem]:
        """The newest items published up to `until` (inclusive), newest first: the news as
        it stood on a past day (`--as-of`); with `entity`, only items that mention it."""
        where = "published <= ?"
        params: tuple[Any, ...] = (_iso(until),)
        if entity is not None:
            where += " AND id IN (SELECT item_id FROM item_entities WHERE entity = ?)"
            params += (entity,)
        rows = self._conn.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE {where} "
            "ORDER BY published DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return self._items(rows)

    def count_items(self, entity: str | None = None) -> int:
        if entity is None:
            return self._conn.execute("SELECT count(*) FROM items").fetchone()[0]
        return self._conn.execute(
            "SELECT count(*) FROM item_entities WHERE entity = ?", (entity,)
        ).fetchone()[0]

    def get_item(self, item_id: int) -> StoredItem | None:
        rows = self._conn.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)
        ).fetchall()
        items = self._items(rows)
        return items[0] if items else None

    def search(self, query: str, limit: int = 100) -> list[StoredItem]:
        """Items whose title or summary hold every word of `query`, newest first.

        The query is plain words, never FTS5 syntax: quotes, *, AND/OR/NOT, NEAR and
        parentheses are just text. The last word matches as a prefix (search as you type).
        """
        match = fts_query(query)
        if match is None:
            return []
        rows = self._conn.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id IN "
            "(SELECT rowid FROM items_fts WHERE items_fts MATCH ?) "
            "ORDER BY published DESC, id DESC LIMIT ?",
            (match, limit),
        ).fetchall()
        return self._items(rows)

    def mark_read(self, item_id: int, read: bool = True) -> bool:
        with self._transaction() as db:
            cursor = db.execute("UPDATE items SET read = ? WHERE id = ?", (int(read), item_id))
        return cursor.rowcount == 1

    def _items(self, rows: list[tuple[Any, ...]]) -> list[StoredItem]:
        if not rows:
            return []
        ids = [row[0] for row in rows]
        entities: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-variable limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for item_id, entity in self._conn.execute(
                f"SELECT item_id, entity FROM item_entities WHERE item_id IN ({marks}) "
                "ORDER BY item_id, pos",
                chunk,
            ):
                entities.setdefault(item_id, []).append(entity)
        items = []
        for row in rows:
            item = _stored_item(row, entities.get(row[0], ()))
            if item is None:
                self._skip("items", row[0])
            else:
                items.append(item)
        return items

    # --- change detection --------------------------------------------------------------

    def data_version(self) -> int:
        """Changes whenever another connection (this process or another) commits."""
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    # --- signals -----------------------------------------------------------------------

    def add_signals(
        self, news_id: int, figures: Iterable[Any], now: datetime | None = None
    ) -> int:
        """Record figures found in an item as new signals; the count actually added.

        A figure is any object or mapping with `metric` and `value` (and optionally unit,
        qualifier, subject, quote). A figure already recorded keeps its state, so a
        dismissed signal stays dismissed when the item is seen again.
        """
        return self.add_signals_many([(news_id, figures)], now)

    def add_signals_many(
        self, found: Iterable[tuple[int, Iterable[Any]]], now: datetime | None = None
    ) -> int:
        """add_signals for many items in one transaction: a refresh stores thousands."""
        with self._transaction() as db:
            return _insert_signals(db, found, now)

    def signals(self, state: str | None = None) -> list[StoredSignal]:
        """Signals, newest news first; `state` filters (new | accepted | dismissed)."""
        if state is not None and state not in SIGNAL_STATES:
            raise ValueError(f"unknown signal state {state!r}")
        sql = _SIGNAL_SELECT
        params: tuple[Any, ...] = ()
        if state is not None:
            sql += " WHERE s.state = ?"
            params = (state,)
        sql += " ORDER BY i.published DESC, s.id"
        return self._signals(self._conn.execute(sql, params))

    def signals_page(
        self,
        states: Sequence[str] = SIGNAL_STATES,
        about: Sequence[tuple[str, str]] | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[StoredSignal]:
        """One page of signals in `states`, newest news first, as `signals()` orders them.

        `about` keeps only signals on those (metric, subject) pairs: the inbox lists those
        touching a tracked fact, and reads a window of them, never all (100,000 is ~0.1 s).
        """
        where, params = _signal_filter(states, about)
        return self._signals(self._conn.execute(
            _SIGNAL_SELECT + f" WHERE {where} ORDER BY i.published DESC, s.id LIMIT ? OFFSET ?",
            (*params, max(0, limit), max(0, offset)),
        ))

    def count_signals_by_state(
        self, about: Sequence[tuple[str, str]] | None = None
    ) -> dict[str, int]:
        """How many signals there are in each state (on the `about` pairs), counted in SQL:
        the inbox's summary and its page count."""
        where, params = _signal_filter(SIGNAL_STATES, about)
        counts = dict.fromkeys(SIGNAL_STATES, 0)
        for state, n in self._conn.execute(
            f"SELECT s.state, count(*) FROM signals s WHERE {where} GROUP BY s.state", params
        ):
            if state in counts:
                counts[state] = n
        return counts

    def _signals(self, rows: Iterable[tuple[Any, ...]]) -> list[StoredSignal]:
        signals = []
        for row in rows:
            signal = _stored_signal(row)
            if signal is None:
                self._skip("signals", row[0])
            else:
                signals.append(signal)
        return signals

    def accepted_events(self) -> list[StoredSignal]:
        """Accepted signals as timeline events, oldest first (dated by their news item)."""
        return sorted(self.signals("accepted"), key=lambda s: (s.published, s.id))

    def set_signal_state(
        self, signal_id: int, state: str, now: datetime | None = None
    ) -> bool:
        if state not in SIGNAL_STATES:
            raise ValueError(f"unknown signal state {state!r}")
        stamp = _iso(now or datetime.now(timezone.utc))
        with self._transaction() as db:
            cursor = db.execute("UPDATE signals SET state = ?, decided_at = ? WHERE id = ?",
                                (state, stamp, signal_id))
        return cursor.rowcount == 1

    def signal_counts(self, state: str) -> dict[tuple[str, str | None], int]:
        """How many signals in `state` there are per (metric, subject), counted in SQL: the
        dashboard's title needs the count of thousands of signals, not the signals."""
        if state not in SIGNAL_STATES:
            raise ValueError(f"unknown signal state {state!r}")
        rows = self._conn.execute(
            "SELECT metric, subject, count(*) FROM signals WHERE state = ? "
            "GROUP BY metric, subject",
            (state,),
        )
        counts: dict[tuple[str, str | None], int] = {}
        for metric, subject, n in rows:
            key = (metric, subject or None)  # as signals() gives it: "" and NULL alike
            counts[key] = counts.get(key, 0) + n
        return counts

    # --- what the reader sees: read marks, exclude filters, saved views (issue 17) -----
    # A query is a NewsQuery; hidden items (exclude terms) stay stored, and are counted.

    def news_page(self, query: NewsQuery, limit: int = 100) -> list[StoredItem]:
        """The items `query` shows, newest first: excluded items left out in SQL."""
        where, params = _news_where(query)
        rows = self._conn.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE {where} "
            "ORDER BY published DESC, id DESC LIMIT ?",
            (*params, _count_arg(limit)),
        ).fetchall()
        return self._items(rows)

    def count_news(self, query: NewsQuery) -> int:
        """How many items `query` shows (all of them, not a page)."""
        where, params = _news_where(query)
        return self._conn.execute(f"SELECT count(*) FROM items WHERE {where}",
                                  params).fetchone()[0]

    def count_hidden(self, query: NewsQuery) -> int:
        """How many items `query` would show but for its exclude rules."""
        return self.count_news(replace(query, hide=())) - self.count_news(query)

    def unread_by_feed(self, hide: Sequence[tuple[str | None, str]] = ()) -> dict[str, int]:
        """Unread items that are not hidden, per feed name (feeds with none left out)."""
        hidden, params = _hidden_sql(_checked_rules(hide))
        return dict(self._conn.execute(
            f"SELECT feed, count(*) FROM items WHERE read = 0 AND NOT ({hidden}) "
            "GROUP BY feed", params).fetchall())

    def unread_by_entity(self, hide: Sequence[tuple[str | None, str]] = ()) -> dict[str, int]:
        """Unread items that are not hidden, per partner (entity) they mention."""
        hidden, params = _hidden_sql(_checked_rules(hide))
        return dict(self._conn.execute(
            "SELECT e.entity, count(*) FROM item_entities e JOIN items ON items.id = e.item_id "
            f"WHERE items.read = 0 AND NOT ({hidden}) GROUP BY e.entity", params).fetchall())

    def mark_many_read(self, item_ids: Iterable[int], read: bool = True) -> int:
        """Mark every item of `item_ids` read (or unread) in one transaction; how many
        changed state."""
        ids = list(dict.fromkeys(item_ids))
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise StoreError(f"{self.path}: item ids must be integers")
        if not isinstance(read, bool):
            raise StoreError(f"{self.path}: read must be true or false")
        changed = 0
        with self._transaction() as db:
            for start in range(0, len(ids), 500):  # under SQLite's bound-variable limit
                chunk = ids[start : start + 500]
                cursor = db.execute(
                    f"UPDATE items SET read = ? WHERE read != ? AND id IN "
                    f"({','.join('?' * len(chunk))})", (int(read), int(read), *chunk))
                changed += cursor.rowcount
        return changed

    def search_shown(self, text: str, query: NewsQuery, limit: int = 100) -> list[StoredItem]:
        """`search`, within what `query` shows: excluded items are never found."""
        match = fts_query(text)
        if match is None:
            return []
        where, params = _news_where(query)
        rows = self._conn.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id IN "
            "(SELECT rowid FROM items_fts WHERE items_fts MATCH ?) "
            f"AND {where} ORDER BY published DESC, id DESC LIMIT ?",
            (match, *params, _count_arg(limit)),
        ).fetchall()
        return self._items(rows)

    def signal_counts_shown(self, state: str, hide: Sequence[tuple[str | None, str]] = ()
                            ) -> dict[tuple[str, str | None], int]:
        """`signal_counts`, leaving out the signals of items the rules hide."""
        if state not in SIGNAL_STATES:
            raise StoreError(f"unknown signal state {state!r}")
        hidden, params = _hidden_sql(_checked_rules(hide))
        rows = self._conn.execute(
            "SELECT s.metric, s.subject, count(*) FROM signals s JOIN items ON items.id = "
            f"s.news_id WHERE s.state = ? AND NOT ({hidden}) GROUP BY s.metric, s.subject",
            (state, *params),
        )
        counts: dict[tuple[str, str | None], int] = {}
        for metric, subject, n in rows:
            key = (metric, subject or None)
            counts[key] = counts.get(key, 0) + n
        return counts

    def hidden_among(self, item_ids: Iterable[int],
                     hide: Sequence[tuple[str | None, str]]) -> set[int]:
        """Which of `item_ids` the rules hide (signals of a hidden item are hidden too)."""
        ids = [i for i in dict.fromkeys(item_ids) if isinstance(i, int)]
        rules = _checked_rules(hide)
        if not rules or not ids:
            return set()
        hidden, params = _hidden_sql(rules)
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(row[0] for row in self._conn.execute(
                f"SELECT id FROM items WHERE id IN ({','.join('?' * len(chunk))}) "
                f"AND ({hidden})", (*chunk, *params)))
        return found


# --- helpers -------------------------------------------------------------------------------

_SIGNAL_SELECT = (
    "SELECT s.id, s.news_id, s.metric, s.value, s.unit, s.qualifier, s.subject, "
    "s.quote, s.state, s.created_at, i.published, i.title, i.feed, i.link, s.decided_at "
    "FROM signals s JOIN items i ON i.id = s.news_id"
)


def _signal_filter(
    states: Sequence[str], about: Sequence[tuple[str, str]] | None
) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause on signals `s`: in one of `states`, on one of the `about` pairs."""
    states = [state for state in states if state in SIGNAL_STATES]
    if not states or (about is not None and not about):
        return "0", ()
    where = f"s.state IN ({','.join('?' * len(states))})"
    params: list[Any] = list(states)
    if about is not None:
        pairs = list(dict.fromkeys(about))
        where += (" AND (s.metric, s.subject) IN (VALUES "
                  + ", ".join("(?, ?)" for _ in pairs) + ")")
        for metric, subject in pairs:
            params += (metric, subject)
    return where, tuple(params)


# --- reading rows back: every value checked, a bad row skipped (the caller counts it) ------

def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_opt_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strict_dt(value: object) -> datetime | None:
    """A stored timestamp, in UTC; None for anything that is not one (garbage, wrong type)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
        return (dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None
                else dt.astimezone(timezone.utc))
    except (ValueError, OverflowError):
        return None


def _opt_dt(value: object) -> tuple[bool, datetime | None]:
    """(sound, timestamp) for a nullable timestamp column: NULL is sound, garbage is not."""
    if value is None:
        return True, None
    dt = _strict_dt(value)
    return dt is not None, dt


def figure_value(value: object) -> float | None:
    """A stored figure as a float, or None when it is not a finite number in range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_FIGURE:
        return None
    return number


def _feed_state(row: tuple[Any, ...]) -> FeedState | None:
    (name, url, status, last_attempt, last_success, error, failures, next_retry, items,
     etag, last_modified, http_status) = row
    dates = [_opt_dt(last_attempt), _opt_dt(last_success), _opt_dt(next_retry)]
    if not (_is_text(name) and _is_text(url) and status in FEED_STATUSES
            and all(sound for sound, _ in dates) and _is_opt_text(error)
            and _is_int(failures) and _is_opt_text(etag) and _is_opt_text(last_modified)
            and (http_status is None or _is_int(http_status))):
        return None
    return FeedState(
        name=name, url=url, status=status, last_attempt=dates[0][1],
        last_success=dates[1][1], error=error, failures=failures, next_retry=dates[2][1],
        items=items, etag=etag, last_modified=last_modified, http_status=http_status,
    )


def _stored_item(row: tuple[Any, ...], entities: Sequence[str]) -> StoredItem | None:
    item_id, feed, title, link, published, summary, date_flag, read = row
    when = _strict_dt(published)
    if not (when is not None and _is_text(feed) and _is_text(title) and _is_opt_text(link)
            and _is_text(summary) and date_flag in (None, "missing", "future")
            and _is_int(read)):
        return None
    return StoredItem(
        id=item_id, feed=feed, title=title, link=link, published=when, summary=summary,
        date_flag=date_flag, entities=tuple(e for e in entities if isinstance(e, str)),
        read=bool(read),
    )


def _stored_signal(r: tuple[Any, ...]) -> StoredSignal | None:
    (signal_id, news_id, metric, value, unit, qualifier, subject, quote, state, created_at,
     published, title, feed, link, decided_at) = r
    number = figure_value(value)
    created = _strict_dt(created_at)
    when = _strict_dt(published)
    if not (number is not None and created is not None and when is not None
            and _is_text(metric) and metric and _is_opt_text(unit) and _is_opt_text(qualifier)
            and _is_opt_text(subject) and _is_text(quote) and state in SIGNAL_STATES
            and _is_text(title) and _is_text(feed) and _is_opt_text(link)):
        return None
    return StoredSignal(
        id=signal_id, news_id=news_id, metric=metric, value=number, unit=unit,
        # A hedge the views do not know is dropped; the figure itself stands.
        qualifier=qualifier if qualifier in SIGNAL_QUALIFIERS else None,
        subject=subject or None, quote=quote, state=state,
        created_at=created, published=when, news_title=title, feed=feed, link=link,
        # Garbage here is as good as no stamp: the signal counts as decided when found.
        decided_at=_opt_dt(decided_at)[1],
    )


# Letters and digits only: exactly what the unicode61 tokenizer keeps, so no quoted term
# is ever empty (a bare "_" would make an empty phrase).
_WORD = re.compile(r"[^\W_]+")


def _record(
    db: sqlite3.Connection,
    result: FetchResult,
    items: Sequence[NewsItem],
    now: datetime,
    policy: FetchLimits,
    pending: bool,
) -> list[tuple[int, NewsItem]]:
    """Store.record's work, inside the caller's transaction."""
    stamp = _iso(now)
    db.execute(
        "INSERT INTO feeds(name, url) VALUES (?, ?) "
        "ON CONFLICT(name) DO UPDATE SET url = excluded.url",
        (result.name, result.url),
    )
    if result.status == "error":
        (failures,) = db.execute(
            "SELECT failures FROM feeds WHERE name = ?", (result.name,)
        ).fetchone()
        failures += 1
        db.execute(
            "UPDATE feeds SET status = 'error', error = ?, failures = ?, next_retry = ?, "
            "last_attempt = ?, http_status = ?, elapsed_ms = ? WHERE name = ?",
            (
                result.error or "unknown error",
                failures,
                _iso(_later(now, _retry_delay(failures, result.retry_after_s, policy))),
                stamp,
                result.http_status,
                result.elapsed_ms,
                result.name,
            ),
        )
        return []
    if result.status not in ("ok", "not_modified"):
        raise ValueError(f"unknown fetch status {result.status!r}")
    db.execute(
        "UPDATE feeds SET status = ?, error = NULL, failures = 0, next_retry = NULL, "
        "last_attempt = ?, last_success = ?, etag = ?, last_modified = ?, "
        "http_status = ?, elapsed_ms = ? WHERE name = ?",
        (
            result.status, stamp, stamp, usable_validator(result.etag),
            usable_validator(result.last_modified), result.http_status, result.elapsed_ms,
            result.name,
        ),
    )
    if result.status != "ok":
        return []
    return _insert_items(db, result.name, items, stamp, pending)


# What every row of a feed shares (feed, fetched_at, pending) is bound once, as ?1-?3, and
# each row binds only its own six values: a third fewer values to convert and bind.
_ITEM_ROW = "(?1, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?2, ?3)"
_ITEM_SHARED = 3
_ITEM_OWN = 6
# Rows per statement: 6 variables each, well under SQLite's 32,766, and few distinct
# statements for the cache (one per batch size met).
ITEM_BATCH = 250
# New items one feed may add in one fetch (README, "Limits and defaults").
MAX_NEW_ITEMS_PER_FETCH = 500


@functools.lru_cache(maxsize=64)
def _item_insert(rows: int) -> str:
    values = ", ".join(
        _ITEM_ROW.format(*range(_ITEM_SHARED + 1 + _ITEM_OWN * row,
                                _ITEM_SHARED + 1 + _ITEM_OWN * (row + 1)))
        for row in range(rows)
    )
    return (
        "INSERT INTO items(feed, guid, title, link, published, summary, date_flag, "
        f"fetched_at, pending) VALUES {values} "
        "ON CONFLICT(feed, guid) DO NOTHING RETURNING id, guid"
    )


def _insert_items(
    db: sqlite3.Connection, feed: str, items: Sequence[NewsItem], fetched_at: str, pending: bool
) -> list[tuple[int, NewsItem]]:
    """Insert a feed's items, in as few statements as possible; the new ones with their ids.

    An item already archived (same feed and guid) is left as it was: the first version
    seen is kept, and so is the first of two items sharing a guid in one document. At
    most MAX_NEW_ITEMS_PER_FETCH are added, the first in the feed's order: a feed whose
    guids change at every fetch cannot grow the archive without bound, and one that
    really has more new items adds the rest at its next fetches.
    """
    ids: dict[str, int] = {}
    start = 0
    while start < len(items) and len(ids) < MAX_NEW_ITEMS_PER_FETCH:
        # Never more rows than new items may still be added: each batch stays under the cap
        # however many of its items turn out to be known already.
        batch = items[start:start + min(ITEM_BATCH, MAX_NEW_ITEMS_PER_FETCH - len(ids))]
        start += len(batch)
        values: list[Any] = [feed, fetched_at, int(pending)]
        extend = values.extend
        for item in batch:
            extend((
                item.guid, item.title, item.link, _iso(item.published), item.summary,
                item.date_flag,
            ))
        ids.update(
            (guid, item_id) for item_id, guid in db.execute(_item_insert(len(batch)), values)
        )
    new = []
    for item in items:
        item_id = ids.pop(item.guid, None)  # pop: a second item with the same guid is not new
        if item_id is not None:
            new.append((item_id, item))
    tagged = [(item_id, item.entities) for item_id, item in new if item.entities]
    if tagged:  # a headless refresh tags nothing here: spare it 50 empty statements
        _insert_entities(db, tagged)
    return new


def _insert_entities(
    db: sqlite3.Connection, tagged: Iterable[tuple[int, Sequence[str]]]
) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO item_entities(item_id, entity, pos) VALUES (?, ?, ?)",
        [(item_id, name, pos) for item_id, names in tagged for pos, name in enumerate(names)],
    )


def _insert_signals(
    db: sqlite3.Connection, found: Iterable[tuple[int, Iterable[Any]]], now: datetime | None
) -> int:
    """New signals for the figures found, inside the caller's transaction; the count added.

    A figure already recorded keeps its state, so a dismissed signal stays dismissed."""
    stamp = _iso(now or datetime.now(timezone.utc))
    added = 0
    for news_id, figures in found:
        for figure in figures:
            row = _signal_row(news_id, figure, stamp)
            if row is not None:
                added += db.execute(
                    "INSERT INTO signals(news_id, metric, value, unit, qualifier, "
                    "subject, quote, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(news_id, metric, value, subject) DO NOTHING",
                    row,
                ).rowcount
    return added


def _signal_row(news_id: int, figure: Any, stamp: str) -> tuple[Any, ...] | None:
    metric = _field(figure, "metric")
    value = _field(figure, "value")
    if not metric or value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if figure_value(value) is None:  # inf, nan or absurd: never stored, never a fact
        return None
    return (
        news_id, str(metric), value, _opt_str(_field(figure, "unit")),
        _opt_str(_field(figure, "qualifier")), _opt_str(_field(figure, "subject")) or "",
        _opt_str(_field(figure, "quote")) or "", stamp,
    )


def fts_query(text: str, max_words: int = 16) -> str | None:
    """An FTS5 MATCH expression that means "all these words", whatever `text` holds.

    Each word is a quoted string (FTS5 operators inside quotes are plain text; `\\w`
    cannot match a quote, so none needs escaping) and the last one is a prefix.
    """
    words = _WORD.findall(text or "")[:max_words]
    if not words:
        return None
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


def _retry_delay(failures: int, retry_after_s: float | None, policy: FetchLimits) -> float:
    """Minutes until the next try: Retry-After when given, else base * 2^(failures-1); both
    capped at backoff_max_minutes (and a year), however large either is."""
    cap = float(max(1, min(policy.backoff_max_minutes, MAX_BACKOFF_MINUTES)))
    if retry_after_s is not None and retry_after_s >= 0:  # nan compares False: not taken
        return min(retry_after_s / 60, cap)  # inf / 60 is inf: capped too
    exponent = min(max(failures, 1) - 1, 30)  # 2^30 minutes is already far past any cap
    base = float(max(1, min(policy.backoff_base_minutes, MAX_BACKOFF_MINUTES)))
    return min(base * 2**exponent, cap)


def _later(when: datetime, minutes: float) -> datetime:
    """`when` plus `minutes`, at most the last datetime there is (no OverflowError)."""
    try:
        return when + timedelta(minutes=minutes)
    except OverflowError:
        return datetime.max.replace(tzinfo=when.tzinfo)


def _make_private_dir(directory: Path) -> None:
    """Create the data directory 0700 whatever the umask (feed URLs may hold passwords)."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)


def _make_private_file(path: Path) -> bool:
    """Create the database file 0600 before SQLite does (it would use the umask); SQLite
    then gives its WAL and SHM files the same mode. An existing file is tightened.
    True if the file was created here."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _tighten(path)
        return False
    except OSError:
        return False  # SQLite's own attempt says what is wrong, in _explain's words
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return True


def _make_dir_private_if_ours(path: Path) -> None:
    """A directory made by hand for the store (`mkdir d; dealdesk refresh --data d`) is made
    0700 too, when the new store is all it holds; a directory holding anything else (a home,
    /tmp) is left as it is."""
    ours = {path.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    try:
        if set(os.listdir(path.parent)) <= ours and not path.parent.is_symlink():
            os.chmod(path.parent, 0o700)
    except OSError:
        pass  # not ours to change: the files themselves are private in any case


def _tighten(path: Path) -> None:
    """Take group and other permissions off one of our files; best effort."""
    try:
        mode = os.stat(path).st_mode
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    except OSError:
        pass  # missing, or not ours to change: SQLite reports what matters


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a SQLite file that some other program owns, before writing anything to it."""
    (app_id,) = conn.execute("PRAGMA application_id").fetchone()
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if app_id == APPLICATION_ID:
        return
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchone()[0]
    if app_id != 0 or version != 0 or tables:
        raise StoreError(
            f"{path}: not a DealDesk database (another program's SQLite file); "
            "move it aside or pass another --data DIR"
        )


def _refuse_newer(conn: sqlite3.Connection, path: Path) -> None:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StoreError(_too_new(path, version))


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise StoreError(_too_new(path, version))
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise StoreError(_too_new(path, version))
            if version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _too_new(path: Path, version: int) -> str:
    return (
        f"{path}: database schema v{version} is newer than this DealDesk understands "
        f"(v{SCHEMA_VERSION}); upgrade DealDesk or pass another --data DIR"
    )


def _explain(path: Path, exc: sqlite3.Error, opening: bool = True) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"{path}: not a DealDesk database (corrupt, or not SQLite at all); "
            "move it aside or pass another --data DIR"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (
            f"{path}: cannot write the database (read-only file or directory?); "
            "fix the permissions or pass a writable --data DIR"
        )
    if "locked" in text or "busy" in text:
        return f"{path}: database is locked by another program; try again when it is done"
    if "no such module: fts5" in text:
        return f"{path}: this Python's SQLite lacks FTS5, which DealDesk needs for search"
    if not opening:  # an open store that fails: say what failed, on one line
        detail = " ".join(str(exc).split())
        return f"{path}: database error ({type(exc).__name__}: {detail})"
    return f"{path}: cannot open the database ({exc}); pass another --data DIR"


def _iso(dt: datetime) -> str:
    """UTC, to the second, one fixed shape: stored strings sort in time order.

    Spelt out rather than isoformat(timespec="seconds"), which gives the same string at
    twice the cost, and a refresh formats one per item (tests/test_store.py compares them).
    """
    if dt.tzinfo is not timezone.utc:  # parsed dates are already UTC: no conversion then
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        dt = dt.astimezone(timezone.utc)
    return _ISO_UTC % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


_ISO_UTC = "%04d-%02d-%02dT%02d:%02d:%02d+00:00"


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _field(figure: Any, name: str) -> Any:
    if isinstance(figure, dict):
        return figure.get(name)
    return getattr(figure, name, None)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


# --- news queries: read marks, exclude rules, saved views (issue 17) -----------------------


@dataclass(frozen=True)
class NewsQuery:
    """Which items the News panel, search and dump show. `hide` is (feed or None for
    every feed, FTS5 MATCH expression) pairs, as news.filters.Exclusions.rules() makes
    them; `include` a MATCH expression an item must satisfy (a saved view's terms)."""

    entity: str | None = None
    until: datetime | None = None
    unread_only: bool = False
    hide: tuple[tuple[str | None, str], ...] = ()
    include: str | None = None
    entities: tuple[str, ...] = ()  # any of these partners (a saved view); () for all
    feeds: tuple[str, ...] = ()  # any of these feeds (a saved view); () for all


def _checked_rules(hide: Sequence[tuple[str | None, str]]) -> tuple[tuple[str | None, str], ...]:
    rules = tuple(hide)
    for rule in rules:
        if (not isinstance(rule, tuple) or len(rule) != 2
                or not (rule[0] is None or isinstance(rule[0], str))
                or not isinstance(rule[1], str) or not rule[1]):
            raise StoreError(f"not an exclude rule: {rule!r}")
    return rules


def _count_arg(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise StoreError(f"not a row count: {limit!r}")
    return limit


def _hidden_sql(rules: Sequence[tuple[str | None, str]]) -> tuple[str, tuple[Any, ...]]:
    """A condition on `items` true for an item a rule hides. The full-text index holds the
    words folded (case, accents): a MATCH is the whole-word test, run by the index.
    Items not indexed yet (a headless refresh's, until enriched) are not hidden yet."""
    parts: list[str] = []
    params: list[Any] = []
    for feed, match in rules:
        found = "items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
        if feed is None:
            parts.append(found)
            params.append(match)
        else:
            parts.append(f"(items.feed = ? AND {found})")
            params += (feed, match)
    return (" OR ".join(parts) or "0"), tuple(params)


def _news_where(query: NewsQuery) -> tuple[str, tuple[Any, ...]]:
    if not isinstance(query, NewsQuery):
        raise StoreError(f"not a news query: {query!r}")
    names = (*query.entities, *query.feeds,
             *((query.entity,) if query.entity is not None else ()))
    if not all(isinstance(n, str) for n in names) or not isinstance(query.unread_only, bool):
        raise StoreError(f"not a news query: {query!r}")
    if query.until is not None and not isinstance(query.until, datetime):
        raise StoreError(f"not a date: {query.until!r}")
    if query.include is not None and (not isinstance(query.include, str) or not query.include):
        raise StoreError(f"not a MATCH expression: {query.include!r}")
    where = ["1"]
    params: list[Any] = []
    if query.entity is not None:
        where.append("items.id IN (SELECT item_id FROM item_entities WHERE entity = ?)")
        params.append(query.entity)
    if query.entities:
        marks = ",".join("?" * len(query.entities))
        where.append(f"items.id IN (SELECT item_id FROM item_entities WHERE entity IN ({marks}))")
        params += query.entities
    if query.feeds:
        where.append(f"items.feed IN ({','.join('?' * len(query.feeds))})")
        params += query.feeds
    if query.until is not None:
        where.append("items.published <= ?")
        params.append(_iso(query.until))
    if query.unread_only:
        where.append("items.read = 0")
    if query.include is not None:
        where.append("items.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        params.append(query.include)
    hidden, hidden_params = _hidden_sql(_checked_rules(query.hide))
    if hidden != "0":
        where.append(f"NOT ({hidden})")
        params += hidden_params
    return " AND ".join(where), tuple(params)
