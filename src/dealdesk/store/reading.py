"""What the reader sees: read marks, exclude filters and saved views (a NewsQuery), in SQL.

Hidden items (exclude terms) stay stored and are counted; the exclude test is a MATCH on the
full-text index, which holds the words folded (case and accents), so a rule is a whole-word
test run by the index. Items not indexed yet (a headless refresh's, until enriched) are not
hidden yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import StoreError, wrap_public_methods
from .items import StoredItem, newest_matches, search_matches
from .rows import _iso
from .signals import SIGNAL_STATES

if TYPE_CHECKING:  # what a mixin uses of the store it is composed into
    from .items import ItemsMixin as _Host
else:
    _Host = object

# The items read, from the (read, feed) index: `read != 0` would scan all of it, the two
# ranges only the read ones. `read` is never NULL.
_READ_IDS = "SELECT id FROM items WHERE read < 0 OR read > 0"


@dataclass(frozen=True)
class NewsQuery:
    """Which items the News panel, search and dump show. `hide` is (feed or None for
    every feed, FTS5 MATCH expression) pairs, as text.filters.Exclusions.rules() makes
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


def _news_where(query: NewsQuery, walk: bool = False) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause on `items` for `query`. With `walk`, the partner is tested row by
    row (for a scan of the newest items), not as the list of every item that names it."""
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
        where.append("EXISTS (SELECT 1 FROM item_entities WHERE item_id = items.id "
                     "AND entity = ?)" if walk else
                     "items.id IN (SELECT item_id FROM item_entities WHERE entity = ?)")
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


@wrap_public_methods
class ReadingMixin(_Host):
    def news_page(self, query: NewsQuery, limit: int = 100) -> list[StoredItem]:
        """The items `query` shows, newest first: excluded items left out in SQL."""
        where, params = _news_where(query, walk=self._walk_for(query, limit))
        rows = self._conn.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE {where} "
            "ORDER BY published DESC, id DESC LIMIT ?",
            (*params, _count_arg(limit)),
        ).fetchall()
        return self._items(rows)

    def _walk_for(self, query: NewsQuery, limit: object) -> bool:
        """Whether a page of one partner's news is found faster by walking the newest items
        and testing each (a partner in many items: Nvidia, a few thousand rows for 200) than
        by reading every item that names it and sorting them (a partner in few)."""
        if (not isinstance(query, NewsQuery) or not isinstance(query.entity, str)
                or not isinstance(limit, int)):
            return False
        tagged = self.count_items(query.entity)
        (top,) = self._conn.execute("SELECT max(id) FROM items").fetchone()
        return isinstance(top, int) and tagged * tagged > max(limit, 1) * top

    def count_news(self, query: NewsQuery) -> int:
        """How many items `query` shows (all of them, not a page)."""
        if (isinstance(query, NewsQuery) and isinstance(query.entity, str)
                and isinstance(query.unread_only, bool)
                and replace(query, unread_only=False)
                == NewsQuery(entity=query.entity)):
            # One partner's items (unread): counted from its tags, less those read, without
            # looking up every item that names it.
            tagged = self.count_items(query.entity)
            if not query.unread_only:
                return tagged
            (read,) = self._conn.execute(
                "SELECT count(*) FROM item_entities WHERE entity = ? AND item_id IN "
                f"({_READ_IDS})", (query.entity,)).fetchone()
            return tagged - int(read)
        where, params = _news_where(query)
        count: int = self._conn.execute(f"SELECT count(*) FROM items WHERE {where}",
                                        params).fetchone()[0]
        return count

    def count_hidden(self, query: NewsQuery) -> int:
        """How many items `query` would show but for its exclude rules."""
        if isinstance(query, NewsQuery) and not _checked_rules(query.hide):
            return 0
        return self.count_news(replace(query, hide=())) - self.count_news(query)

    def unread_by_feed(self, hide: Sequence[tuple[str | None, str]] = ()) -> dict[str, int]:
        """Unread items that are not hidden, per feed name (feeds with none left out)."""
        hidden, params = _hidden_sql(_checked_rules(hide))
        return dict(self._conn.execute(
            f"SELECT feed, count(*) FROM items WHERE read = 0 AND NOT ({hidden}) "
            "GROUP BY feed", params).fetchall())

    def unread_by_entity(self, hide: Sequence[tuple[str | None, str]] = ()) -> dict[str, int]:
        """Unread items that are not hidden, per partner (entity) they mention.

        Counted as every tag less the tags of items read or hidden: the tags of a year of
        news are read from their narrow index, and only the items read or hidden (a few, as
        a rule) are looked up, never every unread item's row."""
        rules = _checked_rules(hide)
        counts = dict(self._conn.execute(
            "SELECT entity, count(*) FROM item_entities GROUP BY entity").fetchall())
        gone = [_READ_IDS]
        params: list[Any] = []
        for rule in rules:
            hidden, rule_params = _hidden_sql((rule,))
            gone.append(f"SELECT items.id FROM items WHERE {hidden}")
            params += rule_params
        for entity, n in self._conn.execute(
                "SELECT e.entity, count(*) FROM item_entities e WHERE e.item_id IN "
                f"({' UNION '.join(gone)}) GROUP BY e.entity", params):
            counts[entity] = counts.get(entity, 0) - n
        return {entity: n for entity, n in counts.items() if n > 0}

    def fetched_between(self, after: datetime, until: datetime,
                        hide: Sequence[tuple[str | None, str]] = ()
                        ) -> tuple[int, dict[str, int]]:
        """Items first stored after `after` and by `until` that are not hidden: how many,
        and how many per partner (entity) they mention (`dealdesk diff --since last`)."""
        if not isinstance(after, datetime) or not isinstance(until, datetime):
            raise StoreError(f"not a date: {after!r}, {until!r}")
        hidden, params = _hidden_sql(_checked_rules(hide))
        window = "items.fetched_at > ? AND items.fetched_at <= ?"
        bounds = (_iso(after), _iso(until))
        total = int(self._conn.execute(
            f"SELECT count(*) FROM items WHERE {window} AND NOT ({hidden})",
            (*bounds, *params)).fetchone()[0])
        by_entity = dict(self._conn.execute(
            "SELECT e.entity, count(*) FROM item_entities e JOIN items ON items.id = e.item_id "
            f"WHERE {window} AND NOT ({hidden}) GROUP BY e.entity", (*bounds, *params)))
        return total, by_entity

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
        matches = search_matches(self._conn, text)
        if matches is None:
            return []
        match, window = matches
        where, params = _news_where(query)
        return self._items(newest_matches(self._conn, self._ITEM_COLUMNS, match, where,
                                          params, _count_arg(limit), window))

    def signal_counts_shown(self, state: str, hide: Sequence[tuple[str | None, str]] = ()
                            ) -> dict[tuple[str, str | None], int]:
        """`signal_counts`, leaving out the signals of items the rules hide."""
        if state not in SIGNAL_STATES:
            raise StoreError(f"unknown signal state {state!r}")
        hidden, params = _hidden_sql(_checked_rules(hide))
        if hidden == "0":  # nothing hidden: counted from the index alone (every signal's
            # item exists: ON DELETE CASCADE)
            rows = self._conn.execute(
                "SELECT metric, subject, count(*) FROM signals WHERE state = ? "
                "GROUP BY metric, subject", (state,))
        else:
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
