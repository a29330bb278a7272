"""News items: inserted in batches, read back checked, searched (FTS5), marked read, and the
enrichment pass (entities and figures found after a refresh stored the items)."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..model import NewsItem
from .errors import wrap_public_methods
from .rows import _is_int, _is_opt_text, _is_text, _iso, _strict_dt, shown, shown_link
from .signals import _insert_signals
from .terms import MAX_EXPANSION, MAX_WINDOW_EXPANSION, prefix_terms, quoted

if TYPE_CHECKING:  # what a mixin uses of the store it is composed into (store/schema.py)
    from .schema import SchemaMixin as _Host
else:
    _Host = object


# Not a Value, as model.NewsItem: one per row read, by the hundred per page and by the
# thousand for search and export, where a dataclass's generated __init__ is faster.
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


@wrap_public_methods
class ItemsMixin(_Host):
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
            return int(self._conn.execute("SELECT count(*) FROM items").fetchone()[0])
        return int(self._conn.execute(
            "SELECT count(*) FROM item_entities WHERE entity = ?", (entity,)
        ).fetchone()[0])

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
        matches = search_matches(self._conn, query)
        if matches is None:
            return []
        match, window = matches
        return self._items(newest_matches(self._conn, self._ITEM_COLUMNS, match, "1", (),
                                          limit, window))

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

    # --- enrichment --------------------------------------------------------------------

    def pending_items(self, limit: int = 500) -> list[tuple[int, str, str]]:
        """(id, title, summary) of items waiting for the enrichment pass, oldest first."""
        return self._conn.execute(
            "SELECT id, title, summary FROM items WHERE pending = 1 ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()

    def count_pending(self) -> int:
        return int(
            self._conn.execute("SELECT count(*) FROM items WHERE pending = 1").fetchone()[0])

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


# How many of the newest matches (by id) the search reads first, per row asked for (SQLite
# binds up to 32,766 values: a window stays far below); and below how many matches in all
# reading every match's row is cheap enough (~4 us a row: 20 ms).
SEARCH_WINDOW_PER_ROW = 4
SEARCH_MIN_WINDOW = 256
SEARCH_MAX_WINDOW = 8_000
SEARCH_ALL_BELOW = 5_000


def newest_matches(
    db: sqlite3.Connection, columns: str, match: str, where: str, params: Sequence[Any],
    limit: int, window_match: str | None = None,
) -> list[tuple[Any, ...]]:
    """Rows of `columns` for the items that `match` (FTS5) and `where` select, newest
    published first, at most `limit`: exactly what one query over every match gives.
    `window_match`, when given, finds the same rows as `match` and is the cheaper of the
    two for the newest few (search_matches).

    That query reads every match's row to sort them by date: a word found in most of a
    million items costs 0.3 to 1 s. Items are stored as they are fetched, so ids mostly
    follow dates: the newest matches by id (a window the index gives in rowid order, rows
    never read) hold the newest by date. They are used only when that is proven: the last row
    kept is newer than every item outside the window. Otherwise, or when the word is rare
    enough that reading every match is cheap, every match is read.
    """
    everything = (
        f"SELECT {columns} FROM items WHERE id IN "
        "(SELECT rowid FROM items_fts WHERE items_fts MATCH ?) "
        f"AND {where} ORDER BY published DESC, id DESC LIMIT ?"
    )
    if (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0
            or limit * SEARCH_WINDOW_PER_ROW > SEARCH_MAX_WINDOW):
        return db.execute(everything, (match, *params, limit)).fetchall()
    size = max(limit * SEARCH_WINDOW_PER_ROW, SEARCH_MIN_WINDOW)
    ids = [row[0] for row in db.execute(
        "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
        (window_match or match, size))]
    if len(ids) < size:  # every match is in the window: reading them all is cheap
        return db.execute(everything, (match, *params, limit)).fetchall()
    floor = ids[-1]
    (top,) = db.execute("SELECT max(id) FROM items").fetchone()
    if not isinstance(top, int) or not isinstance(floor, int) or floor > top:
        return db.execute(everything, (match, *params, limit)).fetchall()
    # Matches in all, estimated from how densely the window holds them.
    if size * top / (top - floor + 1) < SEARCH_ALL_BELOW:
        return db.execute(everything, (match, *params, limit)).fetchall()
    # The window's ids as given, not the MATCH again: the index merges a prefix's every
    # match (the last word's) each time it is asked, most of the cost of a common word.
    rows = db.execute(
        f"SELECT {columns} FROM items WHERE id IN ({','.join('?' * len(ids))}) "
        f"AND {where} ORDER BY published DESC, id DESC LIMIT ?",
        (*ids, *params, limit),
    ).fetchall()
    if len(rows) == limit:
        # The newest item outside the window, by date (any item: a bound for the matches).
        outside = db.execute(
            "SELECT published, id FROM items INDEXED BY items_by_published WHERE id < ? "
            "ORDER BY published DESC, id DESC LIMIT 1", (floor,)).fetchone()
        last = rows[-1]
        published = columns.split(", ").index("published")
        if outside is None:
            return rows
        if (isinstance(last[published], str) and isinstance(outside[0], str)
                and (last[published], last[0]) > (outside[0], outside[1])):
            return rows
    return db.execute(everything, (match, *params, limit)).fetchall()


def _stored_item(row: tuple[Any, ...], entities: Sequence[str]) -> StoredItem | None:
    item_id, feed, title, link, published, summary, date_flag, read = row
    when = _strict_dt(published)
    if not (when is not None and _is_text(feed) and _is_text(title) and _is_opt_text(link)
            and _is_text(summary) and date_flag in (None, "missing", "future")
            and _is_int(read)):
        return None
    return StoredItem(
        id=item_id, feed=shown(feed), title=shown(title), link=shown_link(link), published=when,
        summary=shown(summary), date_flag=date_flag,
        entities=tuple(shown(e) for e in entities if isinstance(e, str)),
        read=bool(read),
    )


# Letters and digits only: exactly what the unicode61 tokenizer keeps, so no quoted term
# is ever empty (a bare "_" would make an empty phrase).
_WORD = re.compile(r"[^\W_]+")

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


# Words of a search: more are dropped.
MAX_SEARCH_WORDS = 16


def fts_query(text: str, max_words: int = MAX_SEARCH_WORDS) -> str | None:
    """An FTS5 MATCH expression that means "all these words", whatever `text` holds.

    Each word is a quoted string (FTS5 operators inside quotes are plain text; `\\w`
    cannot match a quote, so none needs escaping) and the last one is a prefix.
    """
    words = _WORD.findall(text or "")[:max_words]
    return _all_words(words) if words else None


def _all_words(words: Sequence[str]) -> str:
    """fts_query's expression for words already found (at least one)."""
    terms = [f'"{w}"' for w in words]
    terms[-1] += "*"
    return " ".join(terms)


def search_matches(db: sqlite3.Connection, text: str) -> tuple[str, str] | None:
    """The MATCH expressions of a search for `text`: (for reading every match, for the
    newest matches in rowid order); None when `text` holds no word.

    `fts_query(text)`, with the last word's prefix written as the OR of the exact terms it
    covers in the index when there are few (store/terms.py): the same rows, read
    incrementally instead of merged whole. An OR is read row by row across all its terms:
    for every match that is cheaper than the prefix up to some 64 terms and dearer past a
    few hundred, while the newest few hundred cost ~10 ms for 256 terms where the prefix
    merges them all (a first letter in a million items: 0.5 s).
    """
    words = _WORD.findall(text or "")[:MAX_SEARCH_WORDS]
    if not words:
        return None
    match = _all_words(words)
    terms = prefix_terms(db, words[-1], MAX_WINDOW_EXPANSION)
    if terms is None:
        return match, match
    last = quoted(terms[0]) if len(terms) == 1 else (
        "(" + " OR ".join(quoted(term) for term in terms) + ")")
    # AND written out: FTS5 reads no implicit AND before a parenthesis.
    expanded = " AND ".join([*(f'"{w}"' for w in words[:-1]), last])
    return (expanded if len(terms) <= MAX_EXPANSION else match), expanded

