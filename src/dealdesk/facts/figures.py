"""Figures accepted from the news, current values and conflicts between sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from .. import limits
from ..model import Metric, SignalRow
from ..story_types import PARTNER_STATUSES, Event, Source, Story, UserCount
from ..value import Value, value
from .story import _QUALIFIER_OF, events_for, products

METRIC_FIELDS: dict[str, str] = {
    Metric.COMMITMENT_USD: Metric.COMMITMENT_USD,
    Metric.CAPACITY_GW: Metric.CAPACITY_GW,
    Metric.DEPLOYED_GW: Metric.DEPLOYED_GW,
    Metric.WEEKLY_ACTIVE_USERS: Metric.WEEKLY_ACTIVE_USERS,
    Metric.STATUS: Metric.STATUS,
}
# Signals about a partner's fields: money, planned and deployed power, the deal's status.
PARTNER_SIGNAL_METRICS = (Metric.COMMITMENT_USD, Metric.CAPACITY_GW, Metric.DEPLOYED_GW,
                          Metric.STATUS)
CONFLICT_DAYS = 30


class AcceptedFigure(Value):
    """A figure from a news item that the analyst accepted: it becomes a dated fact."""

    signal_id: int
    metric: str
    value: float
    subject: str
    published: date
    news_title: str
    feed: str
    quote: str = ""
    qualifier: str | None = None
    link: str | None = None
    status: str | None = None  # metric "status": the partner status the news moves to

    @property
    def source_id(self) -> str:
        return f"news-{self.signal_id}"


def accepted_from(signals: Iterable[SignalRow]) -> list[AcceptedFigure]:
    """The accepted ones among stored signals (any objects with the store's fields).

    A stored value outside its metric's plausible range (limits.RANGES: NaN, inf, "7
    trillion weekly users", accepted before the finder refused such figures or written by
    anything else) is left out: one bad row must not break every panel that adds it up.
    """
    return [
        AcceptedFigure(s.id, s.metric, s.value, s.subject, s.published.date(), s.news_title,
                       s.feed, s.quote, s.qualifier, s.link, getattr(s, "status", None))
        for s in signals
        if s.state == "accepted" and s.subject
        and _usable(s.metric, s.value, getattr(s, "status", None))
    ]


def _usable(metric: object, value: object, status: object = None) -> bool:
    """Whether an accepted figure can become a fact: a tracked metric and a plausible value,
    or for a status move, one of the partner statuses."""
    if metric == "status":
        return status in PARTNER_STATUSES
    return isinstance(metric, str) and limits.plausible(metric, value)


def target_of(story: Story, metric: str, subject: str | None) -> str | None:
    """The fact a figure would change: a partner for money and power, a product for users."""
    if subject is None:
        return None
    if metric == Metric.WEEKLY_ACTIVE_USERS:
        return subject if subject in products(story) else None
    if metric in PARTNER_SIGNAL_METRICS:
        return subject if story.partner(subject) is not None else None
    return None


def with_accepted(story: Story, accepted: Iterable[AcceptedFigure]) -> Story:
    """The story with accepted figures added as sources, user counts and events."""
    sources = dict(story.sources)
    users = list(story.users)
    events = list(story.events)
    for a in accepted:
        if not _usable(a.metric, a.value, a.status):
            continue  # the guard of accepted_from, for figures made any other way
        target = target_of(story, a.metric, a.subject)
        if target is None:
            continue
        sources[a.source_id] = Source(
            a.source_id, a.news_title, a.published, "reported", a.feed, a.link
        )
        if a.metric == Metric.WEEKLY_ACTIVE_USERS:
            users.append(UserCount(target, a.published, a.value, a.source_id, a.qualifier,
                                   a.quote, "accepted from the news"))
        elif a.metric == "status":
            assert a.status is not None  # _usable checked it
            events.append(Event(a.published, target, "status", a.status, a.source_id, a.quote,
                                "accepted from the news"))
        else:
            events.append(Event(a.published, target, a.metric, a.value, a.source_id, a.quote,
                                "accepted from the news", a.qualifier))
    return replace(story, sources=sources, users=tuple(users), events=tuple(events))


class Statement(Value):
    """One source's value for one figure on one day."""

    date: date
    value: float
    source: str
    qualifier: str | None = None


def statements(story: Story, metric: str, subject: str, today: date) -> list[Statement]:
    """Every dated value of a figure, oldest first: what the timeline says about it."""
    found: list[Statement] = []
    if metric == Metric.STATUS:
        return []  # not a number: see current_status
    if metric == Metric.WEEKLY_ACTIVE_USERS:
        found = [Statement(u.as_of, u.weekly_active_users, u.source, u.qualifier)
                 for u in story.users if u.product == subject and u.as_of <= today]
    else:
        partner = story.partner(subject)
        if partner is None:
            return []
        opening = getattr(partner, metric, None)
        if opening is not None:
            qualifier = getattr(partner, _QUALIFIER_OF.get(metric, ""), None)
            found.append(Statement(partner.since, opening, partner.source, qualifier))
        found += [Statement(e.date, float(e.value), e.source, e.qualifier)
                  for e in events_for(story, subject, today) if e.field == metric]
    return sorted(found, key=lambda s: s.date)


@value
class StatusStatement(Value):
    """A partner's deal status on one day, and who said so."""

    date: date
    status: str
    source: str


def current_status(story: Story, subject: str, today: date) -> StatusStatement | None:
    """The partner's status as of `today`: its opening status or the latest status event."""
    partner = story.partner(subject)
    if partner is None:
        return None
    found = StatusStatement(partner.since, partner.status, partner.source)
    for e in events_for(story, subject, today):
        if e.field == "status" and isinstance(e.value, str):
            found = StatusStatement(e.date, e.value, e.source)
    return found


def current(story: Story, metric: str, subject: str, today: date) -> Statement | None:
    found = statements(story, metric, subject, today)
    return found[-1] if found else None


def conflicts(story: Story, metric: str, subject: str, today: date) -> list[Statement]:
    """Statements that disagree with the latest one, made within CONFLICT_DAYS of it by
    another source: both stand, each with its source and date, rather than one silently
    replacing the other. Empty when the sources agree."""
    found = statements(story, metric, subject, today)
    if len(found) < 2:
        return []
    latest = found[-1]
    rivals = [
        s for s in found[:-1]
        if s.source != latest.source
        and (latest.date - s.date).days <= CONFLICT_DAYS
        and abs(s.value - latest.value) > 1e-9 * max(abs(latest.value), 1.0)
    ]
    return [*rivals, latest] if rivals else []
