"""Alerts in the store: one row per watch match, stored once, delivered once.

AlertsMixin gives the Store add_alerts, alerts, mark_alerts_delivered and phrase_items (the
phrase watches' query); the functions below work on its connection.

An alert is keyed by (watch, key): `key` names what matched (the news item, and for a figure
watch the metric, subject and value). Adding a match that is already stored does nothing, so
the dashboard's refresh and `dealdesk refresh --alerts` (cron), run in any order, any number
of times, across restarts, make each alert once. `delivered_at` is set only when delivery
succeeded, so a failed notify command leaves the alert for the next run.

The alert keeps copies of its news item's title, link and date: it outlives the item if the
archive is pruned (store/archive.py keeps items an alert cites, but a deleted feed takes its
items with it, and then news_id becomes NULL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import wrap_public_methods
from .items import _WORD, StoredItem, newest_matches
from .rows import _dt, _iso
from .schema import ALERT_KINDS, PARTNER_STATUSES  # noqa: F401  (PARTNER_STATUSES: re-exported)

if TYPE_CHECKING:
    from .items import ItemsMixin as _Host
else:
    _Host = object



@dataclass(frozen=True)
class StoredAlert:
    id: int
    watch: str
    key: str
    kind: str  # phrase | figure | status
    news_id: int | None
    subject: str | None
    metric: str | None
    value: float | None
    old: str | None  # what the fact was before (figure and status alerts), as text
    new: str | None  # what the news says it is now
    title: str
    link: str | None
    published: datetime | None
    quote: str
    created_at: datetime | None
    delivered_at: datetime | None

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None


_COLUMNS = ("watch", "key", "kind", "news_id", "subject", "metric", "value", "old", "new",
            "title", "link", "published", "quote")


def add(db: sqlite3.Connection, alerts: Iterable[Any], stamp: str) -> list[StoredAlert]:
    """Insert the alerts not stored yet, inside the caller's transaction; the new ones."""
    new_ids: list[int] = []
    for alert in alerts:
        row = _row(alert)
        if row is None:
            continue
        cursor = db.execute(
            f"INSERT INTO alerts({', '.join(_COLUMNS)}, created_at) "
            f"VALUES ({', '.join('?' * (len(_COLUMNS) + 1))}) "
            "ON CONFLICT(watch, key) DO NOTHING",
            (*row, stamp),
        )
        if cursor.rowcount == 1 and cursor.lastrowid is not None:
            new_ids.append(cursor.lastrowid)
    return _by_ids(db, new_ids)


def not_stored(conn: sqlite3.Connection, alerts: Iterable[Any]) -> list[Any]:
    """The alerts whose (watch, key) is not in the store yet (a read, no lock taken)."""
    stored = set(conn.execute("SELECT watch, key FROM alerts").fetchall())

    def ident(a: Any) -> tuple[Any, Any]:
        if isinstance(a, dict):
            return (a.get("watch"), a.get("key"))
        return (getattr(a, "watch", None), getattr(a, "key", None))

    return [a for a in alerts if ident(a) not in stored]


def read(conn: sqlite3.Connection, undelivered_only: bool, limit: int) -> list[StoredAlert]:
    where = "WHERE delivered_at IS NULL " if undelivered_only else ""
    rows = conn.execute(f"SELECT {_SELECT} FROM alerts {where}ORDER BY id DESC LIMIT ?",
                        (max(0, limit),))
    return [_alert(r) for r in rows]


def mark_delivered(db: sqlite3.Connection, ids: Iterable[int], stamp: str) -> int:
    done = 0
    for alert_id in ids:
        done += db.execute(
            "UPDATE alerts SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
            (stamp, int(alert_id)),
        ).rowcount
    return done


_SELECT = ("id, watch, key, kind, news_id, subject, metric, value, old, new, title, link, "
           "published, quote, created_at, delivered_at")


def _by_ids(db: sqlite3.Connection, ids: list[int]) -> list[StoredAlert]:
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    rows = db.execute(f"SELECT {_SELECT} FROM alerts WHERE id IN ({marks}) ORDER BY id", ids)
    return [_alert(r) for r in rows]


def _row(alert: Any) -> tuple[Any, ...] | None:
    def get(name: str) -> Any:
        return alert.get(name) if isinstance(alert, dict) else getattr(alert, name, None)

    watch, key, kind = get("watch"), get("key"), get("kind")
    if not watch or not key or kind not in ALERT_KINDS:
        return None
    value = get("value")
    try:
        value = None if value is None else float(value)
    except (TypeError, ValueError):
        value = None
    published = get("published")
    if isinstance(published, datetime):
        published = _iso(published)
    news_id = get("news_id")
    return (
        str(watch), str(key), str(kind), int(news_id) if news_id is not None else None,
        _opt(get("subject")), _opt(get("metric")), value, _opt(get("old")), _opt(get("new")),
        str(get("title") or ""), _opt(get("link")), _opt(published), str(get("quote") or ""),
    )


def _alert(r: tuple[Any, ...]) -> StoredAlert:
    return StoredAlert(
        id=r[0], watch=r[1], key=r[2], kind=r[3], news_id=r[4], subject=r[5], metric=r[6],
        value=r[7], old=r[8], new=r[9], title=r[10], link=r[11], published=_dt(r[12]),
        quote=r[13], created_at=_dt(r[14]), delivered_at=_dt(r[15]),
    )


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


@wrap_public_methods
class AlertsMixin(_Host):
    def add_alerts(self, alerts: Iterable[Any], now: datetime | None = None) -> list[StoredAlert]:
        """Record watch matches; the ones that were new. A match already stored (same watch,
        same key) is left as it is, so every refresh path may offer it again."""
        alerts = not_stored(self._conn, alerts)
        if not alerts:
            return []  # no write at all: the dashboard evaluates after every store change
        with self._transaction() as db:
            return add(db, alerts, _iso(now or datetime.now(UTC)))

    def watch_inputs(self) -> tuple[Any, ...]:
        """A fingerprint of what the watches read (news.watches.matches), in a few
        milliseconds where evaluating them takes half a second in a year of news: while it
        is the same, evaluating again finds nothing new. Items are only ever added (a new
        id), enriched (pending: their entities, figures and index entry) or deleted; a
        signal is added, decided (its state and decided_at) or deleted with its item. Each
        state's count and sums of ids change with any one signal moving between states."""
        items = self._conn.execute(
            "SELECT (SELECT max(id) FROM items), "
            "(SELECT count(*) FROM items WHERE pending = 1)").fetchone()
        signals = self._conn.execute(
            "SELECT state, count(*), total(id), total(id * id) FROM signals "
            "GROUP BY state ORDER BY state").fetchall()
        decided = self._conn.execute("SELECT max(decided_at) FROM signals").fetchone()
        return (tuple(items), tuple(tuple(r) for r in signals), decided[0])

    def alerts(self, undelivered_only: bool = False, limit: int = 1000) -> list[StoredAlert]:
        """Stored alerts, newest first."""
        return read(self._conn, undelivered_only, limit)

    def phrase_items(self, phrase: str, entity: str | None = None,
                     limit: int = 200) -> list[StoredItem]:
        """Items whose title or summary holds `phrase` (its words in order, case and accents
        ignored as the search index ignores them), newest first; with `entity`, only items
        tagged with it. Items not enriched yet are not indexed, so not found."""
        words = _WORD.findall(phrase or "")[:32]
        if not words:
            return []
        match = '"' + " ".join(words) + '"'  # one FTS5 phrase; \w holds no quote
        where, params = "1", tuple[str, ...]()
        if entity is not None:
            where = "id IN (SELECT item_id FROM item_entities WHERE entity = ?)"
            params = (entity,)
        # The newest matches as search finds them (items.newest_matches): a common phrase
        # in a year of news is not sorted whole at every evaluation.
        return self._items(newest_matches(self._conn, self._ITEM_COLUMNS, match, where,
                                          params, limit))

    def mark_alerts_delivered(self, ids: Iterable[int], now: datetime | None = None) -> int:
        with self._transaction() as db:
            return mark_delivered(db, ids, _iso(now or datetime.now(UTC)))
