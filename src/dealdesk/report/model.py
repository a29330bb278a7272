"""The briefing as data: sections of cells, each number with its footnote.

md.py and html.py only lay this out; everything a reader is told (which figure, from which
source, with which quote) is decided here once, from the same snapshot `dump --as-of`
prints, so the two formats and the JSON agree by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .. import facts as F
from .. import history as H
from .. import view as V
from ..model import Metric
from ..text.invisible import scrub
from ..text.links import clean_link
from ..value import Value

CHANGES_DAYS = 30  # "what changed" looks back this far unless --since says otherwise


class Note(Value):
    """A footnote: where a figure comes from, with the source's own words."""

    source_id: str
    kind: str  # seed | primary | reported
    outlet: str
    published: date | None
    url: str | None  # http(s) only, else None
    title: str
    quote: str


class Cell(Value):
    text: str
    number: float | None = None  # the figure behind the text, as dump gives it
    note: int | None = None  # footnote number


class Section(Value):
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = ""
    lines: tuple[str, ...] = ()  # plain sentences under the table


class Chart(Value):
    """What the HTML draws: the users curve and GW planned vs deployed."""

    users: tuple[tuple[date, float], ...]
    users_product: str
    compute: tuple[tuple[str, float, float], ...]  # partner, planned GW, deployed GW


class Briefing(Value):
    title: str
    company: str
    as_of: date
    since: date
    generated_at: datetime
    sections: tuple[Section, ...]
    notes: tuple[Note, ...]
    chart: Chart


def text(value: object) -> str:
    """Outside or config text on one line, without control or invisible characters."""
    return "".join(ch for ch in scrub(str(value)) if ch.isprintable())


class _Notes:
    """Footnotes numbered in order of first use; one per (source, quote)."""

    def __init__(self, story: F.Story) -> None:
        self.story = story
        self.numbers: dict[tuple[str, str], int] = {}
        self.notes: list[Note] = []

    def cite(self, source_id: str, quote: str = "") -> int:
        key = (source_id, quote)
        if key not in self.numbers:
            src = self.story.sources.get(source_id)
            if src is None:  # a source the config checker would have refused; still shown
                note = Note(source_id, "reported", "", None, None, "", quote)
            else:
                note = Note(source_id, src.kind, src.publisher, src.published,
                            clean_link(src.url), src.title, quote)
            self.add(key, note)
        return self.numbers[key]

    def cite_item(self, signal: Any) -> int:
        """A news item that is not a fact yet (a pending signal): cited as `item-ID`."""
        key = (f"item-{signal.news_id}", signal.quote)
        if key not in self.numbers:
            self.add(key, Note(key[0], "reported", signal.feed, signal.published.date(),
                               clean_link(signal.link), signal.news_title, signal.quote))
        return self.numbers[key]

    def add(self, key: tuple[str, str], note: Note) -> None:
        self.notes.append(note)
        self.numbers[key] = len(self.notes)


def _statement(story: F.Story, p: F.Partner, opening: F.Partner, name: str,
               day: date) -> tuple[str, str]:
    """The source and quote of a partner field's latest statement."""
    events = [e for e in F.events_for(story, p.name, day) if e.field == name]
    if events:
        return events[-1].source, events[-1].quote
    return opening.source, opening.quote


def _figure(value: float | None, shown: str, notes: _Notes, cite: tuple[str, str]) -> Cell:
    if value is None:
        return Cell("—")
    return Cell(shown, value, notes.cite(*cite))


def build(snap: F.Snapshot, base: F.Story, signals: Sequence[Any], all_signals: Sequence[Any],
          since: date | None, now: datetime, alerts: Sequence[Any] = ()) -> Briefing:
    """The briefing as of `snap.today`. `base` is the configured story (accepted figures
    are added from `all_signals` on the day each was accepted, for what changed);
    `signals` are the signals as they stood that day."""
    story, day = snap.story, snap.today
    notes = _Notes(story)
    since = since or date.fromordinal(max(1, day.toordinal() - CHANGES_DAYS))
    sections = [
        _partners(snap, notes),
        _compute(snap, notes),
        _users(snap, notes),
        *_risks(snap, notes),
        _changes(snap, base, all_signals, since, notes),
        _conflicts(snap, notes),
        _stale(snap, notes),
        _pending(snap, signals, notes),
        _alerts(alerts),
    ]
    users = next(iter(snap.users.items()), ("", ()))
    chart = Chart(
        users=tuple((p.count.as_of, p.count.weekly_active_users) for p in users[1]),
        users_product=users[0],
        compute=tuple((s.partner.name, s.partner.capacity_gw or 0.0, s.partner.deployed_gw or 0.0)
                      for s in snap.compute.by_partner),
    )
    return Briefing(text(story.title), text(story.company), day, since, now, tuple(sections),
                    tuple(notes.notes), chart)


def _opening(story: F.Story, name: str) -> F.Partner:
    found = story.partner(name)
    assert found is not None
    return found


def _partners(snap: F.Snapshot, notes: _Notes) -> Section:
    rows = []
    for s in snap.partners:
        p, day = s.partner, snap.today
        opening = _opening(snap.story, p.name)
        status_src = _statement(snap.story, p, opening, Metric.STATUS, day)
        rows.append((
            Cell(text(p.name)),
            Cell(V.STATUS_LABEL.get(p.status, (p.status,))[0], None, notes.cite(*status_src)),
            _figure(p.commitment_usd, V.money(p.commitment_usd, p.commitment_qualifier), notes,
                    _statement(snap.story, p, opening, Metric.COMMITMENT_USD, day)),
            _figure(p.capacity_gw, V.gigawatts(p.capacity_gw, p.capacity_qualifier), notes,
                    _statement(snap.story, p, opening, Metric.CAPACITY_GW, day)),
            Cell(p.since.isoformat()),
            Cell(s.confirmed.isoformat() + (" (stale)" if s.stale else "")),
        ))
    return Section("partners", "Partners", ("Partner", "Status", "Commitment", "Capacity",
                                            "Since", "Last confirmed"), tuple(rows),
                   "No partners known on this day.")


def _compute(snap: F.Snapshot, notes: _Notes) -> Section:
    rows = []
    for s in snap.compute.by_partner:
        p = s.partner
        opening = _opening(snap.story, p.name)
        cite = {f: _statement(snap.story, p, opening, f, snap.today)
                for f in (Metric.CAPACITY_GW, Metric.DEPLOYED_GW, Metric.INVESTMENT_MAX_USD,
                          Metric.TRANCHE_PER_GW_USD)}
        rows.append((
            Cell(text(p.name)),
            _figure(p.capacity_gw, V.gigawatts(p.capacity_gw), notes, cite[Metric.CAPACITY_GW]),
            _figure(p.deployed_gw, V.gigawatts(p.deployed_gw), notes, cite[Metric.DEPLOYED_GW]),
            _figure(s.investment_unlocked_usd, V.money(s.investment_unlocked_usd), notes,
                    cite[Metric.TRANCHE_PER_GW_USD]),
            _figure(p.investment_max_usd, V.money(p.investment_max_usd), notes,
                    cite[Metric.INVESTMENT_MAX_USD]),
        ))
    c = snap.compute
    rows.append((Cell("Total (sum of the rows; ended partners not planned)"),
                 Cell(V.gigawatts(c.planned_gw), c.planned_gw),
                 Cell(V.gigawatts(c.deployed_gw), c.deployed_gw), Cell(""), Cell("")))
    return Section("compute", "Compute: planned vs deployed",
                   ("Partner", "Planned", "Deployed", "Investment unlocked", "Investment cap"),
                   tuple(rows) if c.by_partner else (), "No compute figures on this day.")


def _users(snap: F.Snapshot, notes: _Notes) -> Section:
    rows = []
    for product, points in snap.users.items():
        for p in points:
            u = p.count
            rows.append((
                Cell(text(product)),
                Cell(u.as_of.isoformat()),
                Cell(V.users(u.weekly_active_users, u.qualifier), u.weekly_active_users,
                     notes.cite(u.source, u.quote)),
                Cell("—" if p.growth is None else _signed(V.users(abs(p.growth)), p.growth),
                     p.growth),
                Cell("—" if p.per_week is None
                     else _signed(V.users(abs(p.per_week)), p.per_week) + "/week", p.per_week),
            ))
    return Section("users", "Weekly users", ("Product", "As of", "Weekly users", "Growth",
                                              "Growth per week"), tuple(rows),
                   "No user counts on this day.")


def _signed(shown: str, value: float) -> str:
    return ("+" if value >= 0 else "−") + shown


def _risks(snap: F.Snapshot, notes: _Notes) -> list[Section]:
    sections = []
    for severity in reversed(F.RISK_SEVERITIES):
        rows = tuple(
            (Cell(text(s.risk.title), None, notes.cite(s.source, s.risk.quote
                                                       if s.source == s.risk.source else "")),
             Cell(text(s.risk.party)), Cell(V.RISK_STATUS_LABEL.get(s.risk.status,
                                                                   s.risk.status)),
             Cell(text(s.risk.note or s.risk.trigger)), Cell(s.confirmed.isoformat()))
            for s in snap.risks if s.risk.severity == severity
        )
        sections.append(Section(f"risks-{severity}", f"Risks: {severity}",
                                ("Risk", "Party", "Status", "Note", "Last confirmed"), rows,
                                f"No {severity} risks."))
    return sections


def _changes(snap: F.Snapshot, base: F.Story, all_signals: Sequence[Any], since: date,
             notes: _Notes) -> Section:
    found = H.changes(base, all_signals, since, snap.today) if since <= snap.today else []
    rows = []
    for c in found:
        quote = _quote_of(snap.story, c)
        rows.append((
            Cell(c.date.isoformat()), Cell(text(_subject_name(snap.story, c.subject))),
            Cell(V.FIELD_NAMES.get(c.field, c.field)),
            _change_value(c.field, c.old), _change_value(c.field, c.new, notes.cite(c.source,
                                                                                    quote)),
        ))
    return Section("changes", f"What changed since {since.isoformat()}",
                   ("Date", "Subject", "Field", "Before", "After"), tuple(rows),
                   "Nothing changed in this window.")


def _subject_name(story: F.Story, subject: str) -> str:
    """A risk by its title, as the Risks section names it; a partner or product by name."""
    risk = story.risk(subject)
    return risk.title if risk is not None else subject


def _quote_of(story: F.Story, c: H.Change) -> str:
    for e in story.events:
        if e.subject == c.subject and e.field == c.field and e.source == c.source:
            return e.quote
    for u in story.users:
        if u.product == c.subject and u.source == c.source and u.weekly_active_users == c.new:
            return u.quote
    p = story.partner(c.subject)
    if p is not None and p.source == c.source:
        return p.quote
    r = story.risk(c.subject)
    if r is not None and r.source == c.source:
        return r.quote
    return ""


def _change_value(field_name: str, value: object, note: int | None = None) -> Cell:
    if value is None:
        return Cell("—", None, note)
    number = float(value) if isinstance(value, (int, float)) else None
    return Cell(text(V.field_value(field_name, value)), number, note)


def _conflicts(snap: F.Snapshot, notes: _Notes) -> Section:
    story, day = snap.story, snap.today
    rows = []
    subjects = [(Metric.WEEKLY_ACTIVE_USERS, product) for product in snap.users]
    subjects += [(metric, s.partner.name) for s in snap.partners
                 for metric in (Metric.COMMITMENT_USD, Metric.CAPACITY_GW)]
    for metric, subject in subjects:
        for st in F.conflicts(story, metric, subject, day):
            rows.append((Cell(text(subject)), Cell(V.FIELD_NAMES.get(metric, metric)),
                         Cell(text(V.field_value(metric, st.value, st.qualifier)), st.value,
                              notes.cite(st.source, _quote_at(story, metric, subject, st))),
                         Cell(st.date.isoformat())))
    return Section("conflicts", "Open conflicts (sources within 30 days disagree)",
                   ("Subject", "Figure", "Value", "Stated"), tuple(rows),
                   "No open conflicts: the recent sources agree.")


def _quote_at(story: F.Story, metric: str, subject: str, st: F.Statement) -> str:
    return _quote_of(story, H.Change(st.date, subject, metric, None, st.value, st.source))


def _stale(snap: F.Snapshot, notes: _Notes) -> Section:
    rows = []
    for s in snap.partners:
        if s.stale:
            rows.append((Cell(text(s.partner.name)), Cell("partner"),
                         Cell(s.confirmed.isoformat(), None, notes.cite(s.source)),
                         Cell(f"{(snap.today - s.confirmed).days} days")))
    for r in snap.risks:
        if r.stale:
            rows.append((Cell(text(r.risk.title)), Cell("risk"),
                         Cell(r.confirmed.isoformat(), None, notes.cite(r.source)),
                         Cell(f"{(snap.today - r.confirmed).days} days")))
    return Section("stale", f"Stale facts (not confirmed within "
                            f"{snap.story.stale_after_days} days)",
                   ("Subject", "Kind", "Last confirmed", "Age"), tuple(rows),
                   "Every fact was confirmed recently.")


def _pending(snap: F.Snapshot, signals: Sequence[Any], notes: _Notes) -> Section:
    rows = []
    for s in signals:
        target = F.target_of(snap.story, s.metric, s.subject)
        if s.state != "new" or target is None:
            continue
        rows.append((Cell(text(target)), Cell(V.FIELD_NAMES.get(s.metric, s.metric)),
                     Cell(text(V.field_value(s.metric, s.value, s.qualifier)), s.value,
                          notes.cite_item(s)),
                     Cell(s.published.date().isoformat())))
    return Section("signals", "Pending signals (figures in the news, not yet accepted)",
                   ("Subject", "Figure", "Value", "Published"), tuple(rows),
                   "No pending signals.")


def _alerts(alerts: Sequence[Any]) -> Section:
    # story_commands passes the recent ones (store.StoredAlert: dated by their news item, or
    # when they were made), newest first.
    rows = tuple((Cell((a.published or a.created_at).date().isoformat()), Cell(text(a.watch)),
                  Cell(text(a.title)))
                 for a in alerts if (a.published or a.created_at) is not None)
    return Section("alerts", "Recent alerts", ("Date", "Watch", "Item"), rows,
                   "No alerts recorded.")


