"""Signals: figures found in the news, waiting for the user to accept or dismiss them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import wrap_public_methods
from .rows import (
    _is_opt_text,
    _is_text,
    _iso,
    _opt_dt,
    _strict_dt,
    figure_value,
    shown,
    shown_link,
)
from .schema import PARTNER_STATUSES

if TYPE_CHECKING:  # what a mixin uses of the store it is composed into (store/schema.py)
    from .schema import SchemaMixin as _Host
else:
    _Host = object

SIGNAL_STATES = ("new", "accepted", "dismissed")

# The figure finder's hedges (facts.QUALIFIERS): a stored signal with another one is garbage.
SIGNAL_QUALIFIERS = ("at_least", "more_than", "up_to", "about")


# Not a Value, as store.StoredItem: one per row read, by the thousand in the inbox.
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
    status: str | None = None  # metric "status" only: the partner status the news moves to


@wrap_public_methods
class SignalsMixin(_Host):
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
        limit, offset = max(0, limit), max(0, offset)
        select = _SIGNAL_SELECT
        # Many signals (100,000 in a year of news): the newest items are walked, their
        # signals looked up, until the page is full (ms), instead of every signal's item
        # read and sorted (0.3 s). Few: those are read and sorted (the walk would be long).
        (count,) = self._conn.execute(
            f"SELECT count(*) FROM signals s WHERE {where}", params).fetchone()
        (top,) = self._conn.execute("SELECT max(id) FROM items").fetchone()
        if isinstance(top, int) and count * count > (limit + offset) * top:
            select = _SIGNAL_WALK
        return self._signals(self._conn.execute(
            select + f" WHERE {where} ORDER BY i.published DESC, s.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ))

    def signals_watched(self, about: Sequence[tuple[str, str]]) -> list[StoredSignal]:
        """What the figure watches judge, in `signals()` order: the signals on the `about`
        (metric, subject) pairs that are not dismissed, and every accepted signal (the facts
        they compare with). Filtered in SQL: a year of news holds 100,000 signals, and
        reading them all at every evaluation took a second and 100 MB."""
        where, params = _signal_filter(("new", "accepted"), about)
        return self._signals(self._conn.execute(
            _SIGNAL_SELECT + f" WHERE ({where}) OR s.state = 'accepted' "
            "ORDER BY i.published DESC, s.id", params))

    def signals_since(self, start: datetime) -> list[StoredSignal]:
        """The signals "since you last looked" needs, in `signals()` order: every accepted
        one (the facts, then and now) and those found from the day before `start` on (a
        margin: the caller keeps those after `start` to the second). Not the 100,000 others
        of a year of news, which took seconds and 100 MB to read."""
        if not isinstance(start, datetime):
            raise ValueError(f"not a date: {start!r}")
        day = (start.astimezone(UTC).date() - timedelta(days=1)).isoformat()
        return self._signals(self._conn.execute(
            _SIGNAL_SELECT + " WHERE s.state = 'accepted' OR s.created_at >= ? "
            "ORDER BY i.published DESC, s.id", (day,)))

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
        stamp = _iso(now or datetime.now(UTC))
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


_SIGNAL_SELECT = (
    "SELECT s.id, s.news_id, s.metric, s.value, s.unit, s.qualifier, s.subject, "
    "s.quote, s.state, s.created_at, i.published, i.title, i.feed, i.link, s.decided_at, "
    "s.status "
    "FROM signals s JOIN items i ON i.id = s.news_id"
)


# The same rows, found from the items newest first (store/schema.py's items_by_published),
# each item's signals by the (news_id, ...) unique index.
_SIGNAL_WALK = _SIGNAL_SELECT.replace(
    "FROM signals s JOIN items i ON i.id = s.news_id",
    "FROM items i INDEXED BY items_by_published CROSS JOIN signals s ON s.news_id = i.id")


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


def _stored_signal(r: tuple[Any, ...]) -> StoredSignal | None:
    (signal_id, news_id, metric, value, unit, qualifier, subject, quote, state, created_at,
     published, title, feed, link, decided_at, status) = r
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
        subject=shown(subject) if subject else None, quote=shown(quote), state=state,
        created_at=created, published=when, news_title=shown(title), feed=shown(feed),
        link=shown_link(link),
        # Garbage here is as good as no stamp: the signal counts as decided when found.
        decided_at=_opt_dt(decided_at)[1],
        status=status if status in PARTNER_STATUSES else None,
    )


def _insert_signals(
    db: sqlite3.Connection, found: Iterable[tuple[int, Iterable[Any]]], now: datetime | None
) -> int:
    """New signals for the figures found, inside the caller's transaction; the count added.

    A figure already recorded keeps its state, so a dismissed signal stays dismissed."""
    stamp = _iso(now or datetime.now(UTC))
    added = 0
    for news_id, figures in found:
        for figure in figures:
            row = _signal_row(news_id, figure, stamp)
            if row is not None:
                added += db.execute(
                    "INSERT INTO signals(news_id, metric, value, unit, qualifier, "
                    "subject, quote, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
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
    status = _opt_str(_field(figure, "status"))
    if (metric == "status") != (status in PARTNER_STATUSES):
        return None  # a status move names a known status; no other signal has one
    return (
        news_id, str(metric), value, _opt_str(_field(figure, "unit")),
        _opt_str(_field(figure, "qualifier")), _opt_str(_field(figure, "subject")) or "",
        _opt_str(_field(figure, "quote")) or "", stamp, status,
    )


def _field(figure: Any, name: str) -> Any:
    if isinstance(figure, dict):
        return figure.get(name)
    return getattr(figure, name, None)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
