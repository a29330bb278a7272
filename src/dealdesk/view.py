"""View models: what each panel and details screen shows, as plain rows of `rich.text.Text`.

The TUI and `dealdesk dump --format text` both render these, so a number reads the same in
both. Text from configs or feeds is always wrapped in `Text(...)`, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from datetime import date, datetime

from rich.style import Style
from rich.text import Text

from . import facts as F
from . import limits
from .cells import terminal_safe
from .value import Value, value

# Symbols first, so status, severity and staleness read without colour.
STATUS_LABEL = {
    "announced": ("○ announced", "cyan"),
    "letter-of-intent": ("◔ letter of intent", "yellow"),
    "definitive": ("● definitive", "green"),
    "stalled": ("‖ stalled", "red"),
    "replaced": ("⇄ replaced", "magenta"),
    "ended": ("✕ ended", "red"),
}
# Bright variants: they stay legible when NO_COLOR turns everything to shades of grey.
SEVERITY_LABEL = {
    "high": ("▲▲▲ high", "bold bright_red"),
    "medium": ("▲▲△ medium", "bright_yellow"),
    "low": ("▲△△ low", "bright_green"),
}
RISK_STATUS_LABEL = {
    "open": "● open",
    "watching": "◉ watching",
    "revised": "✎ revised",
    "materialized": "✖ materialized",
    "resolved": "✔ resolved",
}
QUALIFIER_MARK = {"at_least": "≥", "more_than": ">", "up_to": "≤", "about": "~"}
QUALIFIER_WORDS = {
    "at_least": "at least", "more_than": "more than", "up_to": "up to", "about": "about",
}
STALE_MARK = "◷"
BAR_FULL, BAR_PLANNED, BAR_EMPTY = "█", "▒", "░"


# ---------------------------------------------------------------------------------------------
# Formatting


# What a figure shows when it is unknown, or not a finite number: the last line of defence
# against NaN or inf that got past the checks (never "$infT" or a crash).
UNKNOWN = "—"


def money(value: float | None, qualifier: str | None = None) -> str:
    if value is None or not limits.finite(value):
        return UNKNOWN
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= size:
            return _qualified(f"${_trim(value / size)}{suffix}", qualifier)
    return _qualified(f"${value:,.0f}", qualifier)


def gigawatts(value: float | None, qualifier: str | None = None) -> str:
    if value is None or not limits.finite(value):
        return UNKNOWN
    return _qualified(f"{_trim(value)} GW", qualifier)


def users(value: float | None, qualifier: str | None = None) -> str:
    if value is None or not limits.finite(value):
        return UNKNOWN
    if abs(value) >= 1e9:
        return _qualified(f"{_trim(value / 1e9)}B", qualifier)
    return _qualified(f"{_trim(value / 1e6)}M", qualifier)


def _trim(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _qualified(text: str, qualifier: str | None) -> str:
    return f"{QUALIFIER_MARK[qualifier]} {text}" if qualifier else text


def field_value(field_name: str, value: object, qualifier: str | None = None) -> str:
    """A timeline value in a reader's units, with the source's own hedge."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if field_name.endswith("_usd"):
            return money(value, qualifier)
        if field_name.endswith("_gw"):
            return gigawatts(value, qualifier)
        if field_name == "weekly_active_users":
            return users(value, qualifier)
    if field_name == "status" and value in STATUS_LABEL:
        return STATUS_LABEL[str(value)][0]
    return str(value)


FIELD_NAMES = {
    "status": "status",
    "capacity_gw": "capacity",
    "deployed_gw": "deployed",
    "commitment_usd": "commitment",
    "investment_max_usd": "investment cap",
    "tranche_per_gw_usd": "per-GW tranche",
    "weekly_active_users": "weekly users",
    "severity": "severity",
    "note": "note",
    "role": "role",
}


def cells(value: float, scale: float, width: int) -> int:
    """How many of `width` cells `value` fills; any non-zero value fills at least one."""
    if width <= 0 or not (limits.finite(value) and limits.finite(scale)):
        return 0
    if scale <= 0 or value <= 0:
        return 0
    return max(1, round(width * min(value, scale) / scale))


def bar(value: float, scale: float, width: int) -> str:
    filled = cells(value, scale, width)
    return BAR_FULL * filled + BAR_EMPTY * (max(0, width) - filled)


def monochrome(text: Text) -> Text:
    """The same text without colours (bold, italic, underline kept), for NO_COLOR: grey
    shades of red and yellow can be too faint to read, and symbols already carry meaning."""
    def plain(style: object) -> object:
        if isinstance(style, str):
            style = Style.parse(style) if style else Style()
        return style.without_color if isinstance(style, Style) else style

    out = Text(text.plain, style=plain(text.style), justify=text.justify,
               overflow=text.overflow, no_wrap=text.no_wrap, end=text.end)
    for span in text.spans:
        out.stylize(plain(span.style), span.start, span.end)
    return out


def age(when: datetime, now: datetime) -> str:
    seconds = max(0, int((now - when).total_seconds()))
    for size, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def source_label(story: F.Story, source_id: str) -> str:
    src = story.sources.get(source_id)
    return source_id if src is None else f"{source_id} ({src.kind})"


# ---------------------------------------------------------------------------------------------
# Tables


@value
class Column(Value):
    label: str
    width: int | None = None  # None: as wide as the content; else at most this wide
    justify: str = "left"
    # What the column is for decides how it gives way to a narrow box (tui.panels.fit):
    # 0 is what the table is about; higher numbers shrink and hide first.
    priority: int = 0
    min_width: int | None = None  # None: shown whole or hidden, never cut; else cut to this


@value
class Row(Value):
    key: str  # what `enter` opens: a partner name, a risk id, "product@date", a news id
    cells: tuple[Text, ...]


@value
class TableView(Value):
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    empty: str = "Nothing here yet."
    summary: tuple[Text, ...] = ()


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
            _disputed(money(p.commitment_usd, p.commitment_qualifier), snap, "commitment_usd",
                      p.name),
            _disputed(gigawatts(p.capacity_gw, p.capacity_qualifier), snap, "capacity_gw",
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
    for metric in ("commitment_usd", "capacity_gw", "weekly_active_users"):
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


@value
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


NEWS_TITLE_WIDTH = 70
NEWS_EMPTY = (
    "No news yet. Press r to fetch the feeds listed in feeds.toml; items are kept in the "
    "local archive and show here at once on the next start."
)


@value
class NewsLine(Value):
    """One stored news item, as the News panel needs it (filled by the store)."""

    id: int
    title: str
    feed: str
    published: datetime
    read: bool = False
    entities: tuple[str, ...] = ()
    link: str | None = None


def news_line(item: object) -> NewsLine:
    """A stored item (store.StoredItem, duck-typed) as a News row."""
    # Drawn, not stored: emoji sequences in the form Rich and terminals measure alike.
    return NewsLine(item.id, terminal_safe(item.title), terminal_safe(item.feed),
                    item.published, item.read, item.entities, item.link)


def news_view(items: Sequence[NewsLine], now: datetime, empty: str = NEWS_EMPTY) -> TableView:
    rows = tuple(
        Row(str(item.id), (
            Text("  " if item.read else "● ", style="bold cyan"),
            Text(age(item.published, now), justify="right"),
            Text(item.title, style="" if item.read else "bold", overflow="ellipsis",
                 no_wrap=True),
            Text(item.feed, style="dim"),
            Text(", ".join(item.entities), style="cyan"),
        ))
        for item in items
    )
    return TableView(
        "News",
        # A title has a width, so a 1,000-character headline cannot push the feed off-screen.
        (Column(""), Column("Age", justify="right", priority=1),
         Column("Title", NEWS_TITLE_WIDTH, min_width=30),
         Column("Feed", priority=2, min_width=8), Column("About", priority=3, min_width=8)),
        rows,
        empty,
    )


# ---------------------------------------------------------------------------------------------
# Details


@value
class DetailView(Value):
    title: str
    subtitle: str
    facts: tuple[tuple[str, Text], ...]
    timeline: tuple[F.TimelineEntry, ...] = ()
    sources: tuple[F.Source, ...] = ()
    body: tuple[Text, ...] = field(default=())


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
    entries = F.timeline(snap.story, snap.today, p.name)
    return DetailView(
        p.name,
        f"partner · {STATUS_LABEL[p.status][0]}",
        tuple(rows),
        tuple(entries),
        _sources_of(snap.story, [e.source for e in entries]),
    )


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
    entries = F.timeline(snap.story, snap.today, r.id)
    return DetailView(
        r.title,
        f"clause risk · {SEVERITY_LABEL[r.severity][0]}",
        tuple(rows),
        tuple(entries),
        _sources_of(snap.story, [e.source for e in entries]),
    )


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


def preview(snap: F.Snapshot, panel: str, key: str) -> Text | None:
    """One or two lines on the highlighted row: what the table's hidden columns hold."""
    if panel in ("partners", "compute"):
        state = next((s for s in snap.partners if s.partner.name == key), None)
        if state is None:
            return None
        p = state.partner
        text = Text(f"{p.name}: ", style="bold")
        text.append(f"{p.role} · since {p.since} · {source_label(snap.story, state.source)}")
        return text
    if panel == "risks":
        risk = next((s for s in snap.risks if s.risk.id == key), None)
        if risk is None:
            return None
        text = Text("Trigger: ", style="bold")
        text.append(risk.risk.trigger or "—")
        text.append("\nWatch: ", style="bold")
        text.append(f"{risk.risk.watch or '—'} · {source_label(snap.story, risk.source)}")
        return text
    if panel == "users":
        product = key.rpartition("@")[0]
        points = snap.users.get(product, ())
        point = dict(zip(user_point_keys(product, points), points)).get(key)
        if point is None:
            return None
        return Text(f"{point.count.as_of}: {source_label(snap.story, point.count.source)}"
                    f"{' · ' + point.count.note if point.count.note else ''}")
    return None


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


# ---------------------------------------------------------------------------------------------
# News and feeds (the store's rows; duck-typed so this module needs no store import)

FEED_STATUS_LABEL = {
    "ok": ("● ok", "green"),
    "not_modified": ("● not modified", "green"),
    "error": ("✖ error", "bold red"),
    "never": ("○ never fetched", "dim"),
}


def when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "—"
    ago = age(value, now)
    return f"{value.strftime('%Y-%m-%d %H:%M')} ({'just now' if ago == 'now' else ago + ' ago'})"


def feeds_view(states: Sequence[object], now: datetime) -> TableView:
    rows = []
    for s in states:
        label, style = FEED_STATUS_LABEL.get(s.status, (s.status, ""))
        retry = ""
        if s.status == "error" and s.next_retry is not None:
            retry = "now" if s.next_retry <= now else f"in {age(now, s.next_retry)}"
        rows.append(Row(s.name, (
            Text(s.name, style="bold"),
            Text(label, style=style),
            Text(when(s.last_success, now)),
            Text(str(s.items), justify="right"),
            Text(s.error or "", style="red"),
            Text(retry),
        )))
    failed = sum(1 for s in states if s.status == "error")
    summary = Text(f"{len(states)} feeds · {failed} failing", style="bold red" if failed else "")
    return TableView(
        "Feeds",
        (Column("Feed", min_width=10), Column("Status", priority=1),
         Column("Last success", priority=3), Column("Items", justify="right", priority=4),
         Column("Error", 36, priority=2, min_width=12), Column("Next retry", priority=5)),
        tuple(rows),
        "No feeds in feeds.toml.",
        (summary,),
    )


def news_item_details(item: object, now: datetime) -> DetailView:
    flag = {"missing": " (no date in the feed: fetch time)",
            "future": " (dated in the future by the feed: clamped)"}.get(item.date_flag or "", "")
    rows = [
        ("Feed", Text(item.feed)),
        ("Published", Text(when(item.published, now) + flag)),
        ("About", Text(", ".join(item.entities) or "—")),
        ("Link", Text(item.link or "no http(s) link", style="underline" if item.link else "dim")),
    ]
    return DetailView(
        terminal_safe(item.title),
        f"news · {terminal_safe(item.feed)}",
        tuple(rows),
        body=(Text("Summary", style="bold underline"),
              Text(terminal_safe(item.summary or "No summary."))),
    )


# ---------------------------------------------------------------------------------------------
# Signals: figures found in the news, beside the fact each would change

METRIC_LABEL = {
    "weekly_active_users": "weekly users",
    "capacity_gw": "capacity",
    "commitment_usd": "commitment",
}
SIGNAL_STATE_LABEL = {
    "new": ("● new", "bold cyan"),
    "accepted": ("✔ accepted", "green"),
    "dismissed": ("✕ dismissed", "dim"),
}


def metric_value(metric: str, value: float | None, qualifier: str | None = None) -> str:
    if metric == "weekly_active_users":
        return users(value, qualifier)
    if metric == "capacity_gw":
        return gigawatts(value, qualifier)
    return money(value, qualifier)


@value
class SignalLine(Value):
    """A stored signal with what the facts say about the same figure."""

    id: int
    state: str
    metric: str
    value: float
    qualifier: str | None
    subject: str
    quote: str
    published: date
    news_id: int
    news_title: str
    feed: str
    facts: F.Statement | None  # the facts' current value, without this signal


def signal_lines(
    story: F.Story, signals: Sequence[object], accepted: Sequence[F.AcceptedFigure], today: date
) -> list[SignalLine]:
    """Signals that touch a tracked fact, each beside the value the other facts give it."""
    lines = []
    everything = F.with_accepted(story, accepted)
    accepted_ids = {a.signal_id for a in accepted}
    for s in signals:
        target = F.target_of(story, s.metric, s.subject)
        if target is None:
            continue
        # Compared with the facts without this very figure (only an accepted one is in them).
        others = (F.with_accepted(story, [a for a in accepted if a.signal_id != s.id])
                  if s.id in accepted_ids else everything)
        lines.append(SignalLine(
            s.id, s.state, s.metric, s.value, s.qualifier, target, s.quote,
            s.published.date(), s.news_id, s.news_title, s.feed,
            F.current(others, s.metric, target, today),
        ))
    return lines


def inbox_figures(story: F.Story) -> list[tuple[str, str]]:
    """The (metric, subject) pairs the inbox lists: exactly those F.target_of tracks, so the
    store can page through them in SQL instead of handing over every signal."""
    pairs = [("weekly_active_users", product) for product in F.products(story)]
    for partner in story.partners:
        pairs += [("commitment_usd", partner.name), ("capacity_gw", partner.name)]
    return pairs


def comparison(line: SignalLine) -> str:
    """"ChatGPT weekly users: 800M (news item, 2025-10-06) vs 700M (facts, 2025-09-15)"."""
    text = (f"{line.subject} {METRIC_LABEL[line.metric]}: "
            f"{metric_value(line.metric, line.value, line.qualifier)} "
            f"(news item, {line.published.isoformat()})")
    if line.facts is None:
        return f"{text} vs no figure in the facts"
    return (f"{text} vs {metric_value(line.metric, line.facts.value, line.facts.qualifier)} "
            f"(facts, {line.facts.date.isoformat()})")


def signals_view(
    lines: Sequence[SignalLine],
    show_dismissed: bool = False,
    counts: dict[str, int] | None = None,
    offset: int = 0,
) -> TableView:
    """The inbox's table. `lines` may be one page of many: `counts` (signals by state, every
    page) and `offset` (where the page starts) then make the summary."""
    rows = []
    for line in lines:
        if line.state == "dismissed" and not show_dismissed:
            continue
        label, style = SIGNAL_STATE_LABEL[line.state]
        change = ""
        if line.facts is not None and line.facts.value:
            change = f"{(line.value - line.facts.value) / line.facts.value:+.0%}"
        rows.append(Row(str(line.id), (
            Text(label, style=style),
            Text(f"{line.subject} {METRIC_LABEL[line.metric]}", style="bold"),
            Text(f"{metric_value(line.metric, line.value, line.qualifier)} · "
                 f"{line.published.isoformat()}"),
            Text("—" if line.facts is None else
                 f"{metric_value(line.metric, line.facts.value, line.facts.qualifier)} · "
                 f"{line.facts.date.isoformat()}"),
            Text(change, justify="right"),
            Text(line.news_title, style="dim"),
        )))
    if counts is None:
        hidden = (sum(1 for line in lines if line.state == "dismissed")
                  if not show_dismissed else 0)
        new, listed = sum(1 for line in lines if line.state == "new"), len(rows)
    else:
        hidden = 0 if show_dismissed else counts.get("dismissed", 0)
        new = counts.get("new", 0)
        listed = sum(counts.values()) - hidden
    shown = (f"{len(rows)} shown" if offset == 0 and listed <= len(rows)
             else f"{offset + 1 if rows else offset}–{offset + len(rows)} of {listed:,} shown"
                  " (] next page, [ previous)")
    summary = Text(f"{new:,} new · {shown}"
                   + (f" · {hidden:,} dismissed hidden (h shows them)" if hidden else ""))
    return TableView(
        "Signals",
        (Column("State", priority=1), Column("Fact", min_width=12), Column("News says"),
         Column("Facts say", priority=2), Column("Change", justify="right", priority=3),
         Column("News item", priority=4, min_width=12)),
        tuple(rows),
        "No figures found in the news yet. Each refresh reads the numbers in new items "
        "(users, GW, $) and lists here those that touch a tracked fact.",
        (summary,),
    )


def signal_preview(line: SignalLine) -> Text:
    text = Text(comparison(line), style="bold")
    text.append(f"\n« {line.quote} »", style="italic")
    text.append(f"\n{line.feed} · {line.news_title}", style="dim")
    return text
