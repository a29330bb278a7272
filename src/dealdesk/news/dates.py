"""Feed dates -> aware UTC datetimes: RFC 822 (RSS), RFC 3339 (Atom), then feedparser's."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any


def as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def from_struct(value: Any) -> datetime | None:
    """A time.struct_time (as feedparser gives) as aware UTC, or None."""
    try:
        return datetime(*value[:6], tzinfo=timezone.utc) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


def parse_date(text: str) -> datetime | None:
    """RFC 822 (RSS), RFC 3339 (Atom), then whatever feedparser recognises; aware UTC."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    return parse_date_text(text)


# Items of one feed often share a date, and every refresh brings back the same items, so a
# date is parsed once and looked up after that. Datetimes are immutable: sharing is safe.
@functools.lru_cache(maxsize=4096)
def parse_date_text(text: str) -> datetime | None:
    attempts = (
        (_iso, _rfc822) if text[:1].isdigit() else (_rfc822, _iso)
    )
    for attempt in attempts:
        try:
            dt = attempt(text)
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if dt is not None:
            if dt.tzinfo is timezone.utc:  # the usual case, already as wanted
                return dt
            try:
                return as_utc(dt)
            except (ValueError, OverflowError):
                return None
    try:
        from feedparser.datetimes import _parse_date as feedparser_date

        return from_struct(feedparser_date(text))
    except Exception:  # feedparser's date handlers were not written for hostile input
        return None


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}
# The shape nearly every RSS feed uses; email.utils handles the rest, at 5x the cost.
_COMMON_RFC822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?"
    r"\s*(GMT|UTC?|Z|[+-]\d{4})?"
)


# Zones that are UTC: the datetime is made in UTC at once, with no offset object to build and
# no conversion after. A missing zone counts as UTC.
_UTC_ZONES = frozenset({None, "GMT", "UT", "UTC", "Z", "+0000", "-0000"})


def _rfc822(text: str) -> datetime:
    m = _COMMON_RFC822.fullmatch(text)
    if m is None:
        return parsedate_to_datetime(text)
    day, month_name, year, hour, minute, second, zone = m.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return parsedate_to_datetime(text)
    if zone in _UTC_ZONES:
        tz = timezone.utc
    else:
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        tz = timezone(-offset if zone[0] == "-" else offset)
    try:
        d, h, mi, sec = _NUMBERS[day], _NUMBERS[hour], _NUMBERS[minute], _NUMBERS[second or "0"]
    except KeyError:  # \d also matches digits beyond ASCII, which int() reads too
        d, h, mi, sec = int(day), int(hour), int(minute), int(second or 0)
    return datetime(int(year), month, d, h, mi, sec, tzinfo=tz)


# The one- and two-digit fields, looked up: a third of the cost of int() on each.
_NUMBERS = {str(n): n for n in range(10)} | {f"{n:02d}": n for n in range(100)}
