"""What is derived from the story's types (dealdesk.story_types) as of a date: status,
investment unlocked, growth, staleness, the timeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field, replace
from datetime import date
from typing import Any

from ..model import Metric
from ..story_types import RISK_SEVERITIES, Event, Partner, Risk, Story, UserCount
from ..value import Value

# ---------------------------------------------------------------------------------------------
# Derived values


class TimelineEntry(Value):
    """One dated statement about a subject: an opening fact or a later event."""

    date: date
    subject: str
    field: str
    value: str | float | None
    source: str
    quote: str = ""
    note: str = ""
    qualifier: str | None = None


def events_for(story: Story, subject: str, today: date) -> list[Event]:
    """Events about `subject` known by `today`, oldest first (stable for same-day events)."""
    return sorted(
        (e for e in story.events if e.subject == subject and e.date <= today),
        key=lambda e: e.date,
    )


# A new figure brings its own hedge: "up to $100B" replaced by "$30B" is no longer "up to".
_QUALIFIER_OF: dict[str, str] = {
    Metric.CAPACITY_GW: "capacity_qualifier", Metric.COMMITMENT_USD: "commitment_qualifier",
}


def partner_as_of(story: Story, partner: Partner, today: date) -> Partner:
    """The partner with every event up to `today` applied, in date order."""
    changes: dict[str, Any] = {}  # Any: the config checked each event's value for its field
    for event in events_for(story, partner.name, today):
        changes[event.field] = event.value
        if event.field in _QUALIFIER_OF:
            changes[_QUALIFIER_OF[event.field]] = event.qualifier
    return replace(partner, **changes) if changes else partner


def risk_as_of(story: Story, risk: Risk, today: date) -> Risk:
    changes: dict[str, Any] = {}  # Any: as in partner_as_of
    for event in events_for(story, risk.id, today):
        changes[event.field] = event.value
    return replace(risk, **changes) if changes else risk


def provenance(
    story: Story, subject: str, opened: date, source: str, today: date
) -> tuple[date, str]:
    """When a subject was last confirmed, and by which source."""
    events = events_for(story, subject, today)
    if events and events[-1].date >= opened:
        return events[-1].date, events[-1].source
    return opened, source


def is_stale(confirmed: date, today: date, stale_after_days: int) -> bool:
    return (today - confirmed).days > stale_after_days


class PartnerState(Value):
    """A partner as of a date, with what a reader needs next to it."""

    partner: Partner
    confirmed: date
    source: str  # the source of the latest statement, which is what the row shows
    stale: bool
    investment_unlocked_usd: float | None


def investment_unlocked(partner: Partner) -> float | None:
    """Money released so far when an investment is paid in per-GW tranches.

    None when the deal has no tranche schedule. A replaced or ended plan unlocks no more than
    what its deployed gigawatts had unlocked when it stopped (the events say so).
    """
    if partner.tranche_per_gw_usd is None:
        return None
    deployed = partner.deployed_gw or 0.0
    unlocked = deployed * partner.tranche_per_gw_usd
    if partner.investment_max_usd is not None:
        unlocked = min(unlocked, partner.investment_max_usd)
    return unlocked


def partner_states(story: Story, today: date) -> list[PartnerState]:
    states = []
    for p in story.partners:
        current = partner_as_of(story, p, today)
        confirmed, source = provenance(story, p.name, p.since, p.source, today)
        states.append(
            PartnerState(
                partner=current,
                confirmed=confirmed,
                source=source,
                stale=is_stale(confirmed, today, story.stale_after_days),
                investment_unlocked_usd=investment_unlocked(current),
            )
        )
    return states


class ComputeTotals(Value):
    planned_gw: float
    deployed_gw: float
    by_partner: tuple[PartnerState, ...]  # only partners with a capacity figure


def compute_totals(states: Sequence[PartnerState]) -> ComputeTotals:
    with_capacity = tuple(s for s in states if s.partner.capacity_gw is not None)
    # An ended partnership no longer counts towards what is planned; a replaced financing
    # plan (Nvidia's tranches) still leaves its gigawatts planned.
    live = [s for s in with_capacity if s.partner.status != "ended"]
    return ComputeTotals(
        planned_gw=sum(s.partner.capacity_gw or 0.0 for s in live),
        deployed_gw=sum(s.partner.deployed_gw or 0.0 for s in with_capacity),
        by_partner=with_capacity,
    )


class UserPoint(Value):
    count: UserCount
    growth: float | None  # users added since the previous date's point
    growth_ratio: float | None  # growth / previous
    per_week: float | None  # users added per week since the previous date's point
    # Another count of the same product on the same date says otherwise: both stand, and
    # each is marked (README: disagreeing figures "both stand, marked ≠").
    disputed: bool = False


def user_points(story: Story, product: str, today: date) -> list[UserPoint]:
    """A product's counts up to `today`, oldest first; counts of one date in the order the
    story gives them (config first, then accepted figures). Growth is measured from the
    last count of the previous date: two sources on one day are rivals, not a change."""
    counts = sorted(
        (u for u in story.users if u.product == product and u.as_of <= today),
        key=lambda u: u.as_of,
    )
    values_on: dict[date, set[float]] = {}
    for count in counts:
        values_on.setdefault(count.as_of, set()).add(count.weekly_active_users)
    points: list[UserPoint] = []
    previous: UserCount | None = None  # the last count of an earlier date
    last: UserCount | None = None
    for count in counts:
        if last is not None and last.as_of != count.as_of:
            previous = last
        last = count
        disputed = len(values_on[count.as_of]) > 1
        if previous is None:
            points.append(UserPoint(count, None, None, None, disputed))
            continue
        growth = count.weekly_active_users - previous.weekly_active_users
        weeks = (count.as_of - previous.as_of).days / 7
        points.append(
            UserPoint(
                count,
                growth,
                growth / previous.weekly_active_users if previous.weekly_active_users else None,
                growth / weeks if weeks > 0 else None,
                disputed,
            )
        )
    return points


def products(story: Story) -> list[str]:
    seen: dict[str, None] = {}
    for u in story.users:
        seen.setdefault(u.product, None)
    return list(seen)


class RiskState(Value):
    risk: Risk
    confirmed: date
    source: str
    stale: bool


def risk_states(story: Story, today: date) -> list[RiskState]:
    order = {s: i for i, s in enumerate(reversed(RISK_SEVERITIES))}
    states = []
    for r in story.risks:
        current = risk_as_of(story, r, today)
        confirmed, source = provenance(story, r.id, r.since, r.source, today)
        stale = is_stale(confirmed, today, story.stale_after_days)
        states.append(RiskState(current, confirmed, source, stale))
    # Live risks first, then by severity; among equals, the most recently confirmed first.
    return sorted(
        states,
        key=lambda s: (s.risk.status == "resolved", order[s.risk.severity],
                       -s.confirmed.toordinal()),
    )


def timeline(story: Story, today: date, subject: str | None = None) -> list[TimelineEntry]:
    """Every dated statement, oldest first: opening facts, user counts, then events."""
    entries: list[TimelineEntry] = []
    for p in story.partners:
        entries += _opening_entries(
            p.since,
            p.name,
            p.source,
            p.quote,
            [
                (Metric.STATUS, p.status, None),
                (Metric.CAPACITY_GW, p.capacity_gw, p.capacity_qualifier),
                (Metric.COMMITMENT_USD, p.commitment_usd, p.commitment_qualifier),
            ],
        )
    for u in story.users:
        entries.append(
            TimelineEntry(
                u.as_of, u.product, Metric.WEEKLY_ACTIVE_USERS, u.weekly_active_users, u.source,
                u.quote, u.note, u.qualifier,
            )
        )
    for r in story.risks:
        entries += _opening_entries(r.since, r.id, r.source, r.quote,
                                    [(Metric.STATUS, r.status, None)])
    for e in story.events:
        entries.append(TimelineEntry(e.date, e.subject, e.field, e.value, e.source, e.quote,
                                     e.note, e.qualifier))
    entries = [e for e in entries if e.date <= today and (subject is None or e.subject == subject)]
    return sorted(entries, key=lambda e: e.date)


def _opening_entries(
    when: date,
    subject: str,
    source: str,
    quote: str,
    fields: Iterable[tuple[str, str | float | None, str | None]],
) -> list[TimelineEntry]:
    present = [(f, v, q) for f, v, q in fields if v is not None]
    # The quote belongs to the opening statement, so it is shown once, on its first line.
    return [
        TimelineEntry(when, subject, f, v, source, quote if i == 0 else "", qualifier=q)
        for i, (f, v, q) in enumerate(present)
    ]


class Snapshot(Value):
    """The whole story as of one day: what every view renders."""

    story: Story
    today: date
    partners: tuple[PartnerState, ...]
    compute: ComputeTotals
    users: dict[str, tuple[UserPoint, ...]] = field(default_factory=dict)
    risks: tuple[RiskState, ...] = ()


def snapshot(story: Story, today: date) -> Snapshot:
    states = partner_states(story, today)
    return Snapshot(
        story=story,
        today=today,
        partners=tuple(states),
        compute=compute_totals(states),
        users={p: tuple(user_points(story, p, today)) for p in products(story)},
        risks=tuple(risk_states(story, today)),
    )
