"""Values as the store writes and reads them: one timestamp shape, and every value read
back checked (a bad row is skipped by its reader, which counts it)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

# No figure we track comes near a quadrillion (users, GW, USD): past it a stored value is
# garbage, and sums and differences of such values could overflow to inf on screen.
MAX_FIGURE = 1e15


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
        return (dt.replace(tzinfo=UTC) if dt.tzinfo is None
                else dt.astimezone(UTC))
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


def _iso(dt: datetime) -> str:
    """UTC, to the second, one fixed shape: stored strings sort in time order.

    Spelt out rather than isoformat(timespec="seconds"), which gives the same string at
    twice the cost, and a refresh formats one per item (tests/test_store.py compares them).
    """
    if dt.tzinfo is not UTC:  # parsed dates are already UTC: no conversion then
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        dt = dt.astimezone(UTC)
    return _ISO_UTC % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


_ISO_UTC = "%04d-%02d-%02dT%02d:%02d:%02d+00:00"


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
