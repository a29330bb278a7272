"""Feeds: each fetch's outcome recorded (state, validators, back-off), which feeds are due."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..model import FeedSpec, FetchLimits, FetchResult, NewsItem, usable_validator
from ..value import Value
from . import items as _items
from .errors import wrap_public_methods
from .rows import _dt, _is_int, _is_opt_text, _is_text, _iso, _opt_dt, shown

if TYPE_CHECKING:  # what a mixin uses of the store it is composed into (store/schema.py)
    from .schema import SchemaMixin as _Host
else:
    _Host = object

FEED_STATUSES = ("ok", "not_modified", "error", "never")
# The longest any feed backs off: config/settings.py bounds backoff_max_minutes to this as well.
MAX_BACKOFF_MINUTES = 365 * 24 * 60


class FeedState(Value):
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


@wrap_public_methods
class FeedsMixin(_Host):
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
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
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
        name=shown(name), url=url, status=status, last_attempt=dates[0][1],
        last_success=dates[1][1], error=shown(error) if error else error, failures=failures,
        next_retry=dates[2][1],
        items=items, etag=etag, last_modified=last_modified, http_status=http_status,
    )


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
    return _items._insert_items(db, result.name, items, stamp, pending)


def _retry_delay(failures: int, retry_after_s: float | None, policy: FetchLimits) -> float:
    """Minutes until the next try: Retry-After when given, else base * 2^(failures-1); both
    capped at backoff_max_minutes (and a year), however large either is."""
    cap = float(max(1, min(policy.backoff_max_minutes, MAX_BACKOFF_MINUTES)))
    if retry_after_s is not None and retry_after_s >= 0:  # nan compares False: not taken
        return min(retry_after_s / 60, cap)  # inf / 60 is inf: capped too
    exponent = min(max(failures, 1) - 1, 30)  # 2^30 minutes is already far past any cap
    base = float(max(1, min(policy.backoff_base_minutes, MAX_BACKOFF_MINUTES)))
    return min(base * 2.0**exponent, cap)  # 2.0: exact, and typed float


def _later(when: datetime, minutes: float) -> datetime:
    """`when` plus `minutes`, at most the last datetime there is (no OverflowError)."""
    try:
        return when + timedelta(minutes=minutes)
    except OverflowError:
        return datetime.max.replace(tzinfo=when.tzinfo)
