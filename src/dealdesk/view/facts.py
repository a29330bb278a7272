"""The story's panels (partners, compute, users, risks), their details and previews."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text

from .. import facts as F
from .. import limits
from ..model import Metric
from ..value import Value
from .format import (
    BAR_FULL,
    BAR_PLANNED,
    FIELD_NAMES,
    METRIC_LABEL,
    QUALIFIER_WORDS,
    RISK_STATUS_LABEL,
    SEVERITY_LABEL,
    STALE_MARK,
    STATUS_LABEL,
    UNKNOWN,
    Column,
    DetailView,
    Row,
    TableView,
    bar,
    cells,
    field_value,
    gigawatts,
    metric_value,
    money,
    source_label,
    users,
)


def partners_view(snap: F.Snapshot) -> TableView:
    rows = []
    for s in snap.partners:
        p = s.partner
        label, style = STATUS_LABEL[p.status]
        checked = Text(s.confirmed.isoformat())
        if s.stale:
            checked.append(f" {STALE_MARK}", style="yellow")
        # Figures first, so a narrow terminal shows what matters before it scrolls.
        rows.append(Row(p.name, (
            Text(p.name, style="bold"),
            Text(label, style=style),
            _disputed(money(p.commitment_usd, p.commitment_qualifier), snap, Metric.COMMITMENT_USD,
                      p.name),
            _disputed(gigawatts(p.capacity_gw, p.capacity_qualifier), snap, Metric.CAPACITY_GW,
                      p.name),
            Text(p.since.isoformat()),
            checked,
            Text(source_label(snap.story, s.source), style="dim"),
            Text(p.role),
        )))
    stale = sum(s.stale for s in snap.partners)
    summary = (Text(f"{len(rows)} partners · {stale} not confirmed in "
                    f"{snap.story.stale_after_days} days ({STALE_MARK})", style="dim"),)
    return TableView(
        "Partners",
        (Column("Partner", min_width=10), Column("Status", priority=1),
         Column("$", justify="right", priority=2), Column("GW", justify="right", priority=3),
         Column("Since", priority=6), Column("Checked", priority=5),
         Column("Source", priority=7, min_width=14), Column("Role", priority=8, min_width=14)),
        tuple(rows),
        "No partners in config/facts.",
        summary,
    )


DISPUTED_MARK = "≠"


def _disputed(value: str, snap: F.Snapshot, metric: str, subject: str) -> Text:
    """A figure, marked when recent sources disagree on it (details show each of them)."""
    text = Text(value, justify="right")
    if F.conflicts(snap.story, metric, subject, snap.today):
        text.append(f" {DISPUTED_MARK}", style="bold yellow")
    return text


def disagreement_lines(snap: F.Snapshot, subject: str) -> list[tuple[str, Text]]:
    rows = []
    for metric in (Metric.COMMITMENT_USD, Metric.CAPACITY_GW, Metric.WEEKLY_ACTIVE_USERS):
        found = F.conflicts(snap.story, metric, subject, snap.today)
        if found:
            text = Text(f"{DISPUTED_MARK} ", style="bold yellow")
            text.append(" vs ".join(
                f"{metric_value(metric, s.value, s.qualifier)} ({s.source}, {s.date})"
                for s in found
            ))
            rows.append((f"Sources disagree ({METRIC_LABEL[metric]})", text))
    return rows


def compute_view(snap: F.Snapshot, bar_width: int = 20) -> TableView:
    scale = max((s.partner.capacity_gw or 0.0 for s in snap.compute.by_partner), default=0.0)
    rows = []
    for s in sorted(snap.compute.by_partner, key=lambda s: -(s.partner.capacity_gw or 0)):
        p = s.partner
        deployed = p.deployed_gw
        # One bar per partner: deployed solid, the rest of what is planned shaded.
        filled = cells(deployed or 0.0, scale, bar_width)
        planned = max(filled, cells(p.capacity_gw or 0.0, scale, bar_width))
        line = Text(BAR_FULL * filled, style="green")
        line.append(BAR_PLANNED * (planned - filled), style="cyan")
        line.append(" " * (bar_width - planned))
        rows.append(Row(p.name, (
            Text(p.name, style="bold"),
            Text(gigawatts(p.capacity_gw, p.capacity_qualifier), justify="right"),
            Text(gigawatts(deployed) if deployed is not None else "unknown", justify="right"),
            line,
            Text(STATUS_LABEL[p.status][0], style=STATUS_LABEL[p.status][1]),
        )))
    total = snap.compute
    summary = [
        Text(f"Planned {gigawatts(total.planned_gw)} · deployed {gigawatts(total.deployed_gw)}"
             f"  ({BAR_FULL} deployed {BAR_PLANNED} planned)", style="bold"),
    ]
    summary += [tranche_line(s) for s in snap.partners if s.investment_unlocked_usd is not None]
    return TableView(
        "Compute",
        (Column("Partner", min_width=8), Column("Planned", justify="right", priority=1),
         Column("Deployed", justify="right", priority=2), Column("", bar_width, priority=4),
         Column("Status", priority=3)),
        tuple(rows),
        "No capacity figures in config/facts.",
        tuple(summary),
    )


def tranche_line(state: F.PartnerState) -> Text:
    p = state.partner
    unlocked = state.investment_unlocked_usd or 0.0
    cap = p.investment_max_usd or 0.0
    tranches = int(cap // p.tranche_per_gw_usd) if p.tranche_per_gw_usd else 0
    done = int(unlocked // p.tranche_per_gw_usd) if p.tranche_per_gw_usd else 0
    line = Text(f"{p.name} tranches: {money(unlocked)} unlocked of {money(cap)} ")
    line.append("■" * done, style="green")
    line.append("□" * max(0, tranches - done))
    line.append(f" ({done}/{tranches} × {money(p.tranche_per_gw_usd)} per GW deployed)")
    if p.status in ("replaced", "ended", "stalled"):
        line.append(f" — plan {p.status}", style="yellow")
    return line


class UsersView(Value):
    product: str
    latest: F.UserPoint | None
    table: TableView
    values: tuple[float, ...]  # oldest first, for a sparkline or plot


def users_view(snap: F.Snapshot, product: str = "ChatGPT", bar_width: int = 16) -> UsersView:
    points = snap.users.get(product, ())
    scale = max((p.count.weekly_active_users for p in points), default=0.0)
    rows = []
    keys = user_point_keys(product, points)
    for key, p in reversed(list(zip(keys, points))):  # newest first on screen
        c = p.count
        figure = Text(users(c.weekly_active_users, c.qualifier), justify="right")
        if p.disputed:
            figure.append(f" {DISPUTED_MARK}", style="bold yellow")
        rows.append(Row(key, (
            Text(c.as_of.isoformat()),
            figure,
            Text(bar(c.weekly_active_users, scale, bar_width), style="cyan"),
            Text(growth_text(p), justify="right"),
            Text(per_week_text(p.per_week), justify="right"),
            Text(source_label(snap.story, c.source), style="dim"),
        )))
    return UsersView(
        product,
        points[-1] if points else None,
        TableView(
            f"{product} weekly users",
            (Column("As of"), Column("Users", justify="right", priority=1),
             Column("", bar_width, priority=4), Column("Growth", justify="right", priority=2),
             Column("Per week", justify="right", priority=3),
             Column("Source", priority=5, min_width=14)),
            tuple(rows),
            f"No user counts for {product} in config/facts.",
        ),
        tuple(p.count.weekly_active_users for p in points),
    )


def user_point_keys(product: str, points: Sequence[F.UserPoint]) -> list[str]:
    """One row key per point, unique by construction: "product@date", and "#2", "#3"...
    for more counts on a date already seen (a table refuses two rows with one key)."""
    keys = []
    seen: dict[str, int] = {}
    for p in points:
        base = f"{product}@{p.count.as_of.isoformat()}"
        seen[base] = seen.get(base, 0) + 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


def growth_text(point: F.UserPoint) -> str:
    if point.growth is None:
        return "first"
    if not limits.finite(point.growth):
        return UNKNOWN
    # No ratio from zero users (a division by zero), nor one that is not a finite number.
    ratio = point.growth_ratio if limits.finite(point.growth_ratio) else None
    pct = f" ({ratio:+.0%})" if ratio is not None else ""
    return f"{_sign(point.growth)}{users(abs(point.growth))}{pct}"


def per_week_text(per_week: float | None, suffix: str = "/wk") -> str:
    """Users gained or lost per week, signed as written: "+12M/wk", "−100M/wk"."""
    if per_week is None or not per_week or not limits.finite(per_week):
        return ""
    return f"{_sign(per_week)}{users(abs(per_week))}{suffix}"


def _sign(x: float) -> str:
    return "+" if x >= 0 else "−"


def latest_users_line(view: UsersView, today: date, stale_after_days: int) -> Text:
    """Two short lines: the figure, then its date, growth and staleness."""
    if view.latest is None:
        return Text("no figures")
    c = view.latest.count
    line = Text(f"{QUALIFIER_WORDS.get(c.qualifier or '', '')} ".lstrip())
    line.append(f"{users(c.weekly_active_users)} weekly users", style="bold")
    if view.latest.disputed:
        line.append(f" {DISPUTED_MARK}", style="bold yellow")
    line.append(f"\nas of {c.as_of.isoformat()}")
    if view.latest.growth is not None:
        line.append(f" · {growth_text(view.latest)}")
    if F.is_stale(c.as_of, today, stale_after_days):
        line.append(f" · {STALE_MARK} stale", style="yellow")
    return line


def risks_view(snap: F.Snapshot) -> TableView:
    rows = []
    for s in snap.risks:
        r = s.risk
        label, style = SEVERITY_LABEL[r.severity]
        status = Text(RISK_STATUS_LABEL[r.status])
        if s.stale:
            status.append(f" {STALE_MARK}", style="yellow")
        rows.append(Row(r.id, (
            Text(label, style=style),
            Text(r.title, style="bold"),
            status,
            Text(r.party),
            Text(r.trigger),
            Text(r.watch),
            Text(source_label(snap.story, s.source), style="dim"),
        )))
    return TableView(
        "Risks",
        (Column("Severity", priority=1), Column("Risk", min_width=20),
         Column("Status", priority=2), Column("Party", priority=3, min_width=8),
         Column("Trigger", 30, priority=4, min_width=12),
         Column("Watch", 30, priority=5, min_width=12), Column("Source", priority=6, min_width=12)),
        tuple(rows),
        "No clause risks in config/facts.",
    )


def _sources_of(story: F.Story, ids: Sequence[str]) -> tuple[F.Source, ...]:
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i, None)
    return tuple(story.sources[i] for i in seen if i in story.sources)


def partner_details(snap: F.Snapshot, name: str) -> DetailView | None:
    state = next((s for s in snap.partners if s.partner.name == name), None)
    if state is None:
        return None
    p = state.partner
    rows: list[tuple[str, Text]] = [
        ("Role", Text(p.role)),
        ("Status", Text(*STATUS_LABEL[p.status])),
        ("Commitment", Text(money(p.commitment_usd, p.commitment_qualifier))),
        ("Capacity", Text(gigawatts(p.capacity_gw, p.capacity_qualifier))),
        ("Deployed", Text(gigawatts(p.deployed_gw) if p.deployed_gw is not None else "unknown")),
        ("Since", Text(p.since.isoformat())),
        ("Last confirmed", Text(state.confirmed.isoformat()
                                + (f"  {STALE_MARK} stale" if state.stale else ""))),
    ]
    if state.investment_unlocked_usd is not None:
        rows.append(("Tranches", tranche_line(state)))
    if p.aliases:
        rows.append(("Also called", Text(", ".join(p.aliases))))
    if p.note:
        rows.append(("Note", Text(p.note)))
    rows += disagreement_lines(snap, p.name)
    return _fact_details(snap, p.name, p.name, f"partner · {STATUS_LABEL[p.status][0]}", rows)



def _fact_details(snap: F.Snapshot, subject: str, title: str, subtitle: str,
                  rows: list[tuple[str, Text]]) -> DetailView:
    """A fact's details: its rows, then its timeline and the sources that timeline cites."""
    entries = F.timeline(snap.story, snap.today, subject)
    return DetailView(title, subtitle, tuple(rows), tuple(entries),
                      _sources_of(snap.story, [e.source for e in entries]))

def risk_details(snap: F.Snapshot, risk_id: str) -> DetailView | None:
    state = next((s for s in snap.risks if s.risk.id == risk_id), None)
    if state is None:
        return None
    r = state.risk
    rows = [
        ("Party", Text(r.party)),
        ("Severity", Text(*SEVERITY_LABEL[r.severity])),
        ("Status", Text(RISK_STATUS_LABEL[r.status])),
        ("Trigger", Text(r.trigger or "—")),
        ("What to watch", Text(r.watch or "—")),
        ("Since", Text(r.since.isoformat())),
        ("Last confirmed", Text(state.confirmed.isoformat()
                                + (f"  {STALE_MARK} stale" if state.stale else ""))),
        ("Note", Text(r.note or "—")),
    ]
    severity = SEVERITY_LABEL[r.severity][0]
    return _fact_details(snap, r.id, r.title, f"clause risk · {severity}", rows)


def user_point_details(snap: F.Snapshot, key: str) -> DetailView | None:
    product = key.rpartition("@")[0]
    points = snap.users.get(product, ())
    point = dict(zip(user_point_keys(product, points), points)).get(key)
    if point is None:
        return None
    c = point.count
    stale = F.is_stale(c.as_of, snap.today, snap.story.stale_after_days)
    rows = [
        ("Weekly users", Text(users(c.weekly_active_users, c.qualifier))),
        ("As of", Text(c.as_of.isoformat() + (
            f"  {STALE_MARK} stale: {(snap.today - c.as_of).days} days old" if stale else ""))),
        ("Growth", Text(growth_text(point))),
        ("Per week", Text(per_week_text(point.per_week, "") or UNKNOWN)),
    ]
    if c.note:
        rows.append(("Note", Text(c.note)))
    if point.disputed:
        same_day = Text(f"{DISPUTED_MARK} ", style="bold yellow")
        same_day.append(" vs ".join(
            f"{users(p.count.weekly_active_users, p.count.qualifier)} "
            f"({source_label(snap.story, p.count.source)})"
            for p in points if p.count.as_of == c.as_of
        ))
        rows.append(("Same day, other figures", same_day))
    rows += disagreement_lines(snap, product)
    entries = F.timeline(snap.story, snap.today, product)
    return DetailView(
        f"{product}: {users(c.weekly_active_users, c.qualifier)} weekly users",
        f"data point · {c.as_of.isoformat()}",
        tuple(rows),
        tuple(entries),
        _sources_of(snap.story, [c.source, *(e.source for e in entries)]),
    )


def first_quote(view: DetailView | None) -> str | None:
    """What `c` copies from a fact: the first quote in its timeline."""
    return next((e.quote for e in view.timeline if e.quote), None) if view else None


def details(snap: F.Snapshot, panel: str, key: str) -> DetailView | None:
    if panel in ("partners", "compute"):
        return partner_details(snap, key)
    if panel == "risks":
        return risk_details(snap, key)
    if panel == "users":
        return user_point_details(snap, key)
    return None


def timeline_lines(view: DetailView) -> list[Text]:
    """The details timeline, oldest first: date, what changed, source, then the quote."""
    lines = []
    for e in view.timeline:
        line = Text(f"{e.date.isoformat()}  ", style="bold")
        line.append(f"{FIELD_NAMES.get(e.field, e.field)}: ")
        line.append(field_value(e.field, e.value, e.qualifier))
        line.append(f"  [{e.source}]", style="dim")
        lines.append(line)
        if e.note:
            lines.append(Text(f"            {e.note}", style="italic"))
        if e.quote:
            lines.append(Text(f"            « {e.quote} »", style="italic cyan"))
    return lines


def source_lines(view: DetailView) -> list[Text]:
    lines = []
    for s in view.sources:
        line = Text(f"{s.id}", style="bold")
        line.append(f"  {s.kind} · {s.publisher or 'unknown publisher'} · {s.published} · {s.lang}")
        lines.append(line)
        lines.append(Text(f"    {s.title}"))
        if s.url:
            lines.append(Text(f"    {s.url}", style="underline"))
    return lines
