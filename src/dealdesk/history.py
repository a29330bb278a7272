"""The story on a past day, and what changed between two days.

`as of D` means what DealDesk knew on D: facts dated up to D (partners and risks opened
later are not there yet, events after D are hidden), figures accepted from the news by D,
signals found by D in items published by D, staleness counted at D. `changes` is built
from the same function, day by day, so a diff and two `--as-of` views always agree.

Signals are any objects with the store's fields (store.StoredSignal): this module sits
beside facts, below the store, and never opens it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from . import facts as F
from .model import Metric
from .value import Value


def end_of(day: date) -> datetime:
    """The last instant of `day` in UTC: what was stored by then was known that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def _day(when: datetime | None) -> date | None:
    return None if when is None else when.astimezone(UTC).date()


def decided_day(signal: Any) -> date:
    """When a signal's state was set. Rows decided before the store kept the time count as
    decided when they were found: the earliest they could have been."""
    return _day(getattr(signal, "decided_at", None)) or _day(signal.created_at) or date.min


def signals_as_of(signals: Iterable[Any], as_of: date | None) -> list[Any]:
    """The signals as they stood at the end of `as_of` (None: as they stand now).

    A signal found after that day, or in an item published after it, is hidden; one accepted
    or dismissed after it is shown as it was then: waiting ("new"). Undo keeps no history,
    so a signal undone after that day shows "new" too.
    """
    if as_of is None:
        return list(signals)
    shown = []
    for s in signals:
        found = _day(s.created_at) or date.min
        published = _day(s.published) or date.min
        if found > as_of or published > as_of:
            continue
        if s.state != "new" and decided_day(s) > as_of:
            s = replace(s, state="new")
        shown.append(s)
    return shown


def story_as_of(story: F.Story, signals: Iterable[Any], as_of: date) -> F.Story:
    """The story known on `as_of`: figures accepted by then added, later openings left out.

    facts.snapshot already hides later events and user counts; partners and risks opened
    after `as_of` are left out here, so they are not shown before they existed."""
    known = F.with_accepted(story, F.accepted_from(signals_as_of(signals, as_of)))
    return replace(
        known,
        partners=tuple(p for p in known.partners if p.since <= as_of),
        risks=tuple(r for r in known.risks if r.since <= as_of),
    )


def snapshot_as_of(story: F.Story, signals: Iterable[Any], as_of: date) -> F.Snapshot:
    return F.snapshot(story_as_of(story, list(signals), as_of), as_of)


# ---------------------------------------------------------------------------------------------
# What changed


class Change(Value):
    """One fact that moved on one day: `old` is None when it was not known before."""

    date: date
    subject: str
    field: str
    old: str | float | None
    new: str | float | None
    source: str


_PARTNER_FIELDS = (Metric.STATUS, *F.PARTNER_NUMBER_FIELDS, "role", "note")
_RISK_FIELDS = (Metric.STATUS, "severity", "note")
# What facts.timeline tells of a partner or risk when it first appears; later moves of any
# field are events, and the timeline has them all.
_OPENING_FIELDS = (Metric.STATUS, Metric.CAPACITY_GW, Metric.COMMITMENT_USD)
_Key = tuple[str, str]
_State = dict[_Key, tuple[Any, str]]  # (subject, field) -> (value, source)


def _last_source(story: F.Story, subject: str, field: str, day: date, opening: str) -> str:
    events = [e for e in F.events_for(story, subject, day) if e.field == field]
    return events[-1].source if events else opening


def _state(snap: F.Snapshot) -> tuple[_State, set[tuple[str, date, float, str]]]:
    story, day = snap.story, snap.today
    facts: _State = {}
    for ps in snap.partners:
        p = ps.partner
        for name in _PARTNER_FIELDS:
            v = getattr(p, name)
            if v is not None and v != "":
                facts[(p.name, name)] = (v, _last_source(story, p.name, name, day, p.source))
    for rs in snap.risks:
        r = rs.risk
        for name in _RISK_FIELDS:
            v = getattr(r, name)
            if v is not None and v != "":
                facts[(r.id, name)] = (v, _last_source(story, r.id, name, day, r.source))
    users = {(p.count.product, p.count.as_of, p.count.weekly_active_users, p.count.source)
             for points in snap.users.values() for p in points}
    return facts, users


def _change_days(story: F.Story, signals: Sequence[Any]) -> set[date]:
    """Every day on which something could have changed: a fact's date, or the day a
    signal was found or decided (an accepted figure becomes a fact that day at the earliest)."""
    days = {p.since for p in story.partners} | {r.since for r in story.risks}
    days |= {u.as_of for u in story.users} | {e.date for e in story.events}
    for s in signals:
        published = _day(s.published) or date.min
        days.add(max(published, decided_day(s)))
    return days


def changes(story: F.Story, signals: Iterable[Any], since: date, until: date) -> list[Change]:
    """Every change of a fact from the start of `since` to the end of `until`, oldest first:
    the difference between the story as of the day before and as of each day a fact moved."""
    # Only an accepted figure is a fact: the others (thousands, in a busy archive) change
    # nothing and are left out before the day-by-day replay.
    signals = [s for s in signals if s.state == "accepted"]
    days = sorted(d for d in _change_days(story, signals) if since <= d <= until)
    if not days:
        return []
    before = since - timedelta(days=1) if since > date.min else None
    if before is None:
        previous: _State = {}
        previous_users: set[tuple[str, date, float, str]] = set()
    else:
        previous, previous_users = _state(snapshot_as_of(story, signals, before))
    found: list[Change] = []
    for day in days:
        now, now_users = _state(snapshot_as_of(story, signals, day))
        known = {subject for subject, _ in previous}
        for key in sorted(now.keys() | previous.keys(), key=lambda k: (k[0], _order(k[1]))):
            old, new = previous.get(key), now.get(key)
            if (old and old[0]) == (new and new[0]):
                continue
            if key[0] not in known and key[1] not in _OPENING_FIELDS:
                continue  # a new subject is told by its opening statement, as the timeline does
            source = new[1] if new else (old[1] if old else "")
            found.append(Change(day, key[0], key[1], old[0] if old else None,
                                new[0] if new else None, source))
        for product, as_of, count, source in sorted(now_users - previous_users,
                                                    key=lambda u: (u[0], u[1])):
            earlier = [u for u in now_users if u[0] == product and u[1] < as_of]
            old_count = max(earlier, key=lambda u: u[1])[2] if earlier else None
            found.append(Change(day, product, Metric.WEEKLY_ACTIVE_USERS, old_count, count, source))
        previous, previous_users = now, now_users
    return found


def _order(field: str) -> int:
    order = (Metric.STATUS, *F.PARTNER_NUMBER_FIELDS, "severity", "role", "note")
    return order.index(field) if field in order else len(order)


def change_json(c: Change) -> dict[str, Any]:
    return {"date": c.date.isoformat(), "subject": c.subject, "field": c.field,
            "old": c.old, "new": c.new, "source": c.source}
