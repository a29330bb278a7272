"""Formatting shared by every view: figures, bars, ages, labels and symbols, and the
plain table and details shapes the TUI and `dump` render."""

from __future__ import annotations

from dataclasses import field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from .. import facts as F
from .. import limits
from ..model import Metric
from ..value import Value

if TYPE_CHECKING:  # rich.console is imported only where something is drawn
    from rich.console import JustifyMethod

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
        if field_name == Metric.WEEKLY_ACTIVE_USERS:
            return users(value, qualifier)
    if field_name == Metric.STATUS and value in STATUS_LABEL:
        return STATUS_LABEL[str(value)][0]
    return str(value)


FIELD_NAMES: dict[str, str] = {
    Metric.STATUS: "status",
    Metric.CAPACITY_GW: "capacity",
    Metric.DEPLOYED_GW: "deployed",
    Metric.COMMITMENT_USD: "commitment",
    Metric.INVESTMENT_MAX_USD: "investment cap",
    Metric.TRANCHE_PER_GW_USD: "per-GW tranche",
    Metric.WEEKLY_ACTIVE_USERS: "weekly users",
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
    def plain(style: str | Style) -> str | Style:
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


class Column(Value):
    label: str
    width: int | None = None  # None: as wide as the content; else at most this wide
    justify: JustifyMethod = "left"
    # What the column is for decides how it gives way to a narrow box (tui.panels.fit):
    # 0 is what the table is about; higher numbers shrink and hide first.
    priority: int = 0
    min_width: int | None = None  # None: shown whole or hidden, never cut; else cut to this


class Row(Value):
    key: str  # what `enter` opens: a partner name, a risk id, "product@date", a news id
    cells: tuple[Text, ...]


class TableView(Value):
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    empty: str = "Nothing here yet."
    summary: tuple[Text, ...] = ()


class DetailView(Value):
    title: str
    subtitle: str
    facts: tuple[tuple[str, Text], ...]
    timeline: tuple[F.TimelineEntry, ...] = ()
    sources: tuple[F.Source, ...] = ()
    body: tuple[Text, ...] = field(default=())


METRIC_LABEL: dict[str, str] = {
    Metric.WEEKLY_ACTIVE_USERS: "weekly users",
    Metric.CAPACITY_GW: "capacity",
    Metric.DEPLOYED_GW: "deployed",
    Metric.COMMITMENT_USD: "commitment",
    Metric.STATUS: "status",
}


def metric_value(metric: str, value: float | None, qualifier: str | None = None) -> str:
    if metric == Metric.WEEKLY_ACTIVE_USERS:
        return users(value, qualifier)
    if metric in (Metric.CAPACITY_GW, Metric.DEPLOYED_GW):
        return gigawatts(value, qualifier)
    return money(value, qualifier)


def monochrome_view(view: TableView) -> TableView:
    """`view` with every cell `monochrome`."""
    return replace(view, rows=tuple(replace(row, cells=tuple(monochrome(c) for c in row.cells))
                                    for row in view.rows))
