"""Values as the store writes and reads them: one timestamp shape, and every value read
back checked (a bad row is skipped by its reader, which counts it)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from ..text.invisible import needs_scrub

# No figure we track comes near a quadrillion (users, GW, USD): past it a stored value is
# garbage, and sums and differences of such values could overflow to inf on screen.
MAX_FIGURE = 1e15


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_opt_text(value: object) -> bool:
    return value is None or isinstance(value, str)


def shown(text: str) -> str:
    """Stored text as it may be shown: what the parsers store is clean already (and comes
    back as it is, cheaply), but a store written by an older version, another program or a
    hand edit may hold control, bidi or invisible characters, which must never reach a
    terminal (`dump`, the dashboard) as anything but data."""
    if not needs_scrub(text):
        return text
    from ..text.clean import clean_text  # rare: a warm refresh never loads the cleaner

    # As feed text is cleaned, but taken literally (no markup): an escape sequence goes whole.
    return clean_text(text, len(text), html_markup=False)


def shown_link(link: str | None) -> str | None:
    """A stored link as it may be offered: http(s) only, no user info (text.links)."""
    if not link:
        return None
    if link.isascii() and link.isprintable() and " " not in link \
            and link.startswith(("https://", "http://")) \
            and "@" not in link.split("/", 3)[2]:
        return link  # what the parsers store: their links went through clean_link already
    from ..text.links import clean_link

    return clean_link(link)


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
