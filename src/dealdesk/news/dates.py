"""Feed dates -> aware UTC datetimes: RFC 822 (RSS), RFC 3339 / ISO 8601 / W3CDTF (Atom,
dc:date) and asctime, read strictly by our own parser on both parser paths.

Strict means a date that names no real instant is no date (None: the item is flagged
`missing`), never a nearby one: an impossible day (2026-02-30 is not rolled over to
March 2), an hour of 24 or more, an offset no clock shows (more than 14 hours from UTC, as
Kiribati's +14:00 is the farthest, or minutes of 60 and over: "+25:00", "-99:99"), a year
of 0 or before ("-0001-01-01" is not 2000-01-01). A date past what datetime holds (year
10000 and on, or 9999-12-31 in a zone west of UTC) is FAR_FUTURE, so the item is flagged
`future` like any date beyond the horizon (items.FUTURE_TOLERANCE after the fetch).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

# Beyond what datetime can hold: later than any date, so flagged `future`.
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
MAX_OFFSET = timedelta(hours=14)


def as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def parse_date(text: str) -> datetime | None:
    """A feed's date as aware UTC; None when it names no real instant; FAR_FUTURE past
    year 9999."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    return parse_date_text(text)


# Items of one feed often share a date, and every refresh brings back the same items, so a
# date is parsed once and looked up after that. Datetimes are immutable: sharing is safe.
@functools.lru_cache(maxsize=4096)
def parse_date_text(text: str) -> datetime | None:
    attempts = (_iso, _rfc822, _asctime) if text[:1].isdigit() else (_rfc822, _iso, _asctime)
    for attempt in attempts:
        try:
            dt = attempt(text)
        except (ValueError, TypeError, IndexError, OverflowError, KeyError):
            continue
        if dt is not None:
            return dt
    return None


def _instant(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
    micro: int = 0, offset: timedelta | None = None,
) -> datetime | None:
    """The UTC instant, None if it names none, FAR_FUTURE past what datetime holds."""
    if year > 9999:
        return FAR_FUTURE if _real_day(month, day) and hour < 24 and minute < 60 else None
    if year < 1 or hour > 23 or minute > 59 or second > 60:
        return None
    if offset is not None and (abs(offset) > MAX_OFFSET or offset.seconds % 60):
        return None
    second = min(second, 59)  # a leap second, as the second before it
    try:
        local = datetime(year, month, day, hour, minute, second, micro)
    except ValueError:  # February 30th, month 13...
        return None
    if offset is None or not offset:
        return local.replace(tzinfo=UTC)
    try:
        return (local - offset).replace(tzinfo=UTC)
    except OverflowError:
        return FAR_FUTURE if year == 9999 else None


def _real_day(month: int, day: int) -> bool:
    try:
        datetime(2000, month, day)  # a leap year: February 29th is real in some year
    except ValueError:
        return False
    return True


# --- RFC 3339 / ISO 8601 / W3CDTF --------------------------------------------------------

# Extended (2026-01-15T10:00:00+01:00, 2026-01, 2026) or basic (20260115T100000Z) format.
# A year of five digits or more only in the extended form, with a month: a bare number is
# no date (nor an epoch timestamp). A sign before the year (ISO's expanded years) is read so
# that "-0001" is refused rather than misread.
_ISO = re.compile(
    r"(?P<sign>[+-])?(?:"
    r"(?P<year>\d{4,})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?"
    r"|(?P<byear>\d{4})(?P<bmonth>\d{2})(?P<bday>\d{2})"
    r"|(?P<yyear>\d{4})"
    r")"
    r"(?:[Tt ]\s*(?P<hour>\d{2}):?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<frac>\d+))?)?)?"
    r"\s*(?P<zone>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)


def _iso(text: str) -> datetime | None:
    if text[4:5] == "-" and text[:4].isdigit() and (len(text) < 11 or text[10] in "Tt "):
        # The usual shape, read in C. fromisoformat() is as strict as _instant() about the
        # date and the time, not about offsets ("+12:60" is 13 hours to it): a date with
        # an offset other than UTC is read by _ISO below.
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            offset = dt.utcoffset()
            if offset is None or not offset:
                return dt.replace(tzinfo=UTC)
    m = _ISO.fullmatch(text)
    if m is None or m["sign"] == "-":
        return None
    g = m.groupdict()
    year = int(g["year"] or g["byear"] or g["yyear"])
    month = int(g["month"] or g["bmonth"] or 1)
    day = int(g["day"] or g["bday"] or 1)
    frac = (g["frac"] or "")[:6].ljust(6, "0")
    return _instant(
        year, month, day, int(g["hour"] or 0), int(g["minute"] or 0), int(g["second"] or 0),
        int(frac), _offset(g["zone"]),
    )


def _offset(zone: str | None) -> timedelta | None:
    """The offset a zone names: None for UTC or no zone (read as UTC)."""
    if zone is None:
        return None
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if minutes > 59:
            return timedelta(days=1)  # no clock shows it: _instant() refuses it
        offset = timedelta(hours=hours, minutes=minutes)
        return -offset if zone[0] == "-" else offset
    return _ZONES.get(zone.upper(), timedelta(0))


# --- RFC 822 / RFC 2822 ------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}
_MONTHS |= {name: i for i, name in enumerate((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december"), 1)} | {"sept": 9}
# RFC 822's zones, North American ones included; any other name reads as UTC (RFC 2822
# says an unknown zone means "-0000": the time is UTC, its local offset unknown).
_ZONES = {
    "GMT": timedelta(0), "UT": timedelta(0), "UTC": timedelta(0), "Z": timedelta(0),
    "EST": timedelta(hours=-5), "EDT": timedelta(hours=-4),
    "CST": timedelta(hours=-6), "CDT": timedelta(hours=-5),
    "MST": timedelta(hours=-7), "MDT": timedelta(hours=-6),
    "PST": timedelta(hours=-8), "PDT": timedelta(hours=-7),
}
# The shape nearly every RSS feed uses; _RFC822 handles the rest.
_COMMON_RFC822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?"
    r"\s*(GMT|UTC?|Z|[+-]\d{4})?"
)
# Day names and a comma optional, "-" or spaces between the parts, month names in full,
# two-digit years, a zone with a colon, a comment after it ("+0000 (UTC)").
_RFC822 = re.compile(
    r"(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})(?:\s+|-)([A-Za-z]+)\.?(?:\s+|-)(\d{2}|\d{4,})"
    r"(?:,?\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2})?\s*(?:\([^()]*\))?"
)
# Zones that are UTC: the datetime is made in UTC at once, with no offset object to build and
# no conversion after. A missing zone counts as UTC.
_UTC_ZONES = frozenset({None, "GMT", "UT", "UTC", "Z", "+0000", "-0000"})


def _rfc822(text: str) -> datetime | None:
    m = _COMMON_RFC822.fullmatch(text)
    if m is not None:
        day, month_name, year, hour, minute, second, zone = m.groups()
        month = _MONTHS.get(month_name.lower())
        if month is None:
            return None
        try:
            d, h, mi = _NUMBERS[day], _NUMBERS[hour], _NUMBERS[minute]
            sec = _NUMBERS[second or "0"]
        except KeyError:  # \d also matches digits beyond ASCII, which int() reads too
            d, h, mi, sec = int(day), int(hour), int(minute), int(second or 0)
        if zone in _UTC_ZONES:
            if (y := int(year)) > 0 and h < 24 and mi < 60 and sec < 60:
                try:
                    return datetime(y, month, d, h, mi, sec, tzinfo=UTC)
                except ValueError:
                    return None
            return _instant(y, month, d, h, mi, sec)
        return _instant(int(year), month, d, h, mi, sec, offset=_offset(zone))
    m = _RFC822.fullmatch(text)
    if m is None:
        return None
    day, month_name, year_text, hour, minute, second, zone = m.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    year = int(year_text)
    if len(year_text) == 2:  # as email.utils reads them
        year += 2000 if year <= 68 else 1900
    return _instant(year, month, int(day), int(hour), int(minute), int(second or 0),
                    offset=_offset(zone))


# "Sun Jan  4 16:29:06 2004", with a zone before the year as date(1) writes it.
_ASCTIME = re.compile(
    r"[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})"
    r"(?:\s+([A-Za-z]{1,5}|[+-]\d{4}))?\s+(\d{4})",
    re.ASCII,
)


def _asctime(text: str) -> datetime | None:
    m = _ASCTIME.fullmatch(text)
    if m is None:
        return None
    month_name, day, hour, minute, second, zone, year = m.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    return _instant(int(year), month, int(day), int(hour), int(minute), int(second),
                    offset=_offset(zone))


# The one- and two-digit fields, looked up: a third of the cost of int() on each.
_NUMBERS = {str(n): n for n in range(10)} | {f"{n:02d}": n for n in range(100)}
