"""Signals: figures found in the news, beside the fact each would change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text

from .. import facts as F
from ..model import Metric, SignalRow
from ..value import Value
from .format import METRIC_LABEL, Column, Row, TableView, metric_value

SIGNAL_STATE_LABEL = {
    "new": ("● new", "bold cyan"),
    "accepted": ("✔ accepted", "green"),
    "dismissed": ("✕ dismissed", "dim"),
}




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
    status: str | None = None  # metric "status": the status the news moves the deal to
    facts_status: F.StatusStatement | None = None  # the partner's status, without this signal

    @property
    def news_says(self) -> str:
        if self.metric == "status":
            return self.status or "?"
        return metric_value(self.metric, self.value, self.qualifier)

    @property
    def facts_say(self) -> str | None:
        if self.metric == "status":
            if self.facts_status is None:
                return None
            return f"{self.facts_status.status} · {self.facts_status.date.isoformat()}"
        if self.facts is None:
            return None
        return (f"{metric_value(self.metric, self.facts.value, self.facts.qualifier)} · "
                f"{self.facts.date.isoformat()}")


def signal_lines(
    story: F.Story, signals: Sequence[SignalRow], accepted: Sequence[F.AcceptedFigure],
    today: date
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
        status = getattr(s, "status", None)
        lines.append(SignalLine(
            s.id, s.state, s.metric, s.value, s.qualifier, target, s.quote,
            s.published.date(), s.news_id, s.news_title, s.feed,
            F.current(others, s.metric, target, today),
            status,
            F.current_status(others, target, today) if s.metric == "status" else None,
        ))
    return lines


def inbox_figures(story: F.Story) -> list[tuple[str, str]]:
    """The (metric, subject) pairs the inbox lists: exactly those F.target_of tracks, so the
    store can page through them in SQL instead of handing over every signal."""
    pairs: list[tuple[str, str]] = [
        (Metric.WEEKLY_ACTIVE_USERS, product) for product in F.products(story)]
    for partner in story.partners:
        pairs += [(Metric.COMMITMENT_USD, partner.name), (Metric.CAPACITY_GW, partner.name)]
    return pairs


def comparison(line: SignalLine) -> str:
    """"ChatGPT weekly users: 800M (news item, 2025-10-06) vs 700M (facts, 2025-09-15)"."""
    text = (f"{line.subject} {METRIC_LABEL[line.metric]}: "
            f"{line.news_says} "
            f"(news item, {line.published.isoformat()})")
    if line.metric == "status":
        if line.facts_status is None:
            return f"{text} vs no status in the facts"
        return (f"{text} vs {line.facts_status.status} "
                f"(facts, {line.facts_status.date.isoformat()})")
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
        if line.metric == "status":
            if line.facts_status is not None and line.facts_status.status != line.status:
                change = "moves"
        elif line.facts is not None and line.facts.value:
            change = f"{(line.value - line.facts.value) / line.facts.value:+.0%}"
        rows.append(Row(str(line.id), (
            Text(label, style=style),
            Text(f"{line.subject} {METRIC_LABEL[line.metric]}", style="bold"),
            Text(f"{line.news_says} · {line.published.isoformat()}"),
            Text(line.facts_say or "—"),
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
