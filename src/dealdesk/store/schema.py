"""Opening the store: its file (private), the application id, refusing a foreign or newer
file, the migrations; and the connection every domain mixin works through."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from .errors import StoreError, _explain, wrap_public_methods
from .terms import TOKENIZE as TERMS_TOKENIZE

# "DDK1": marks the file as ours, so a foreign SQLite file is refused rather than migrated.
APPLICATION_ID = 0x44444B31

# As facts.PARTNER_STATUSES (the store sits below facts in the layers): what a status
# signal may say.
PARTNER_STATUSES = ("announced", "letter-of-intent", "definitive", "stalled", "replaced", "ended")
ALERT_KINDS = ("phrase", "figure", "status")


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
    [
        # Status moves (a signal naming the partner status the news moves a deal to) and
        # alerts: one row per watch match, stored once, delivered once (store/alerts.py).
        "ALTER TABLE signals ADD COLUMN status TEXT CHECK (status IS NULL OR status IN ("
        + ", ".join(f"'{s}'" for s in PARTNER_STATUSES) + "))",
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            watch TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('phrase', 'figure', 'status')),
            news_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
            subject TEXT,
            metric TEXT,
            value REAL,
            old TEXT,
            new TEXT,
            title TEXT NOT NULL DEFAULT '',
            link TEXT,
            published TEXT,
            quote TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            delivered_at TEXT,
            UNIQUE (watch, key)
        )""",
        "CREATE INDEX alerts_undelivered ON alerts(id) WHERE delivered_at IS NULL",
    ],
    [
        # What the dashboard counts at start and after every commit, read from narrow
        # indexes instead of every row of a year of news (a million items: 1 s -> 0.1 s):
        # unread items and unread per feed (read, feed), read items for the unread per
        # partner (store/reading.py), and the new signals per fact (state, metric, subject).
        "CREATE INDEX items_by_read ON items(read, feed)",
        "CREATE INDEX signals_by_fact ON signals(state, metric, subject)",
        "DROP INDEX signals_by_state",
    ],
    [
        # Every term the search index holds, so search as you type can ask for the exact
        # terms a prefix covers instead of the prefix (store/terms.py). The terms are
        # FTS5's own tokens: what the index is given also goes through a scratch FTS5
        # table with the index's tokenizer (contentless, no positions: only its
        # vocabulary is read), in the same statement as the index by the same WHEN as
        # items_fts's triggers, so no path that indexes text can leave its terms out.
        # Deleting an item leaves its terms: a term that matches nothing costs nothing.
        "CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID",
        f"""CREATE VIRTUAL TABLE search_terms_scratch USING fts5(
            title, summary, content='', detail='none', columnsize=0, {TERMS_TOKENIZE}
        )""",
        "CREATE VIRTUAL TABLE search_terms_scratch_vocab USING fts5vocab("
        "search_terms_scratch, 'row')",
        *(f"""CREATE TRIGGER search_terms_{event} AFTER {event.upper()}{columns} ON items
            WHEN new.pending = 0 BEGIN
            INSERT INTO search_terms_scratch(rowid, title, summary)
                VALUES (new.id, new.title, new.summary);
            INSERT OR IGNORE INTO search_terms(term)
                SELECT term FROM search_terms_scratch_vocab;
            INSERT INTO search_terms_scratch(search_terms_scratch) VALUES ('delete-all');
        END""" for event, columns in (("insert", ""),
                                      ("update", " OF title, summary, pending"))),
        # What is indexed already, read once from the index's own vocabulary (one scan of
        # the index: the whole migration takes 0.7 s on the million-item bench store).
        "CREATE VIRTUAL TABLE temp.items_fts_terms USING fts5vocab(main, items_fts, 'row')",
        "INSERT INTO search_terms(term) SELECT term FROM temp.items_fts_terms",
        "DROP TABLE temp.items_fts_terms",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


@wrap_public_methods
class SchemaMixin:
    """The connection: opening, closing, transactions, skipped rows. The other mixins work
    through `_conn`, `_transaction`, `_skip` and `path`."""

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
    def open(cls, path: Path | str) -> Self:
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
            _prepare_new(conn)  # must come before WAL writes the first page
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

    def __enter__(self) -> Self:
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

    # --- change detection --------------------------------------------------------------

    def data_version(self) -> int:
        """Changes whenever another connection (this process or another) commits."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])


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


def _prepare_new(conn: sqlite3.Connection) -> None:
    """On a file with no tables yet, before anything else writes it: incremental
    auto-vacuum (retention, store/archive.py, gives pages back with it).

    Only there: on a file already in that mode the pragma is no no-op, SQLite writes the
    mode into the header again. Each open would then be a commit, seen by every other
    connection's PRAGMA data_version: a dashboard watching the store would take each of its
    own reads for another process's write and read again, every watch tick, for ever."""
    if conn.execute("SELECT 1 FROM sqlite_schema LIMIT 1").fetchone() is None:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
