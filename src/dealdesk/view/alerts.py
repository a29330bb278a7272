"""The Alerts screen's rows: each alert's news item, watch, old → new and source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.text import Text

from ..alerts_deliver import label, plain, show
from .format import Column, Row, TableView

ALERTS_EMPTY = ("No alerts yet. Watches in config/watches.toml (and risks' watch_terms) "
                "raise one when a refresh brings news that matches them.")


def what_moved(a: Any) -> str:
    """"Nvidia status: replaced → definitive", or the phrase that matched."""
    if a.kind == "phrase":
        return f"“{plain(a.new or '')}”" + (f" · {plain(a.subject)}" if a.subject else "")
    subject = " ".join(plain(x) for x in (a.subject, label(a.metric)) if x)
    old = show(a.metric, a.old) if a.old else "none"
    return f"{subject}: {old} → {show(a.metric, a.new)}"


def alerts_view(alerts: Sequence[Any]) -> TableView:
    rows = []
    for a in alerts:
        day = a.published.date().isoformat() if isinstance(a.published, datetime) else "—"
        rows.append(Row(str(a.id), (
            Text("●" if not a.delivered else "✔", style="bold cyan" if not a.delivered
                 else "green"),
            Text(plain(a.watch), style="bold"),
            Text(what_moved(a)),
            Text(plain(a.title)),
            Text(day),
        )))
    waiting = sum(1 for a in alerts if not a.delivered)
    summary = Text(f"{len(alerts)} alerts · {waiting} not delivered by a command yet · "
                   "enter: news item")
    return TableView(
        "Alerts",
        (Column(""), Column("Watch"), Column("Old → new"), Column("News item"),
         Column("Published")),
        tuple(rows), ALERTS_EMPTY, (summary,),
    )


def alert_source(a: Any) -> Text:
    """The preview under the table: the item's title, link and quote."""
    text = Text(what_moved(a), style="bold")
    if a.quote:
        text.append(f"\n« {plain(a.quote)} »", style="italic")
    text.append(f"\n{plain(a.title)}", style="dim")
    if a.link and str(a.link).startswith(("http://", "https://")):
        text.append(f"\n{plain(a.link)}", style="dim")
    return text


def toast_text(a: Any) -> str:
    return f"{plain(a.watch)}: {what_moved(a)}\n{plain(a.title)}"
