"""`dealdesk dump`: every panel from config + store, as contract JSON or as rich text."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import facts as F
from . import limits
from . import view as V
from .model import Metric


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def to_json_dict(
    snap: F.Snapshot,
    generated_at: datetime,
    news: Sequence[dict[str, Any]] = (),
    feeds: Sequence[dict[str, Any]] = (),
    signals: Sequence[dict[str, Any]] = (),
    archive: dict[str, Any] | None = None,
    alerts: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The `dump --format json` contract of DESIGN.md; every key always present."""
    story = snap.story
    partners = [
        {
            "name": s.partner.name,
            "role": s.partner.role,
            "status": s.partner.status,
            Metric.COMMITMENT_USD: s.partner.commitment_usd,
            Metric.CAPACITY_GW: s.partner.capacity_gw,
            "since": _iso(s.partner.since),
            "sources": _sources_of(story, s.partner.name, s.partner.source, snap.today),
        }
        for s in snap.partners
    ]
    compute = {
        "planned_gw": snap.compute.planned_gw,
        Metric.DEPLOYED_GW: snap.compute.deployed_gw,
        "by_partner": [
            {
                "partner": s.partner.name,
                "planned_gw": s.partner.capacity_gw,
                Metric.DEPLOYED_GW: s.partner.deployed_gw,
                Metric.INVESTMENT_MAX_USD: s.partner.investment_max_usd,
                "investment_unlocked_usd": s.investment_unlocked_usd,
            }
            for s in snap.compute.by_partner
        ],
    }
    all_points = [p for points in snap.users.values() for p in points]
    users = [
        {
            "product": p.count.product,
            "as_of": _iso(p.count.as_of),
            Metric.WEEKLY_ACTIVE_USERS: p.count.weekly_active_users,
            "source": p.count.source,
        }
        for p in sorted(all_points, key=lambda p: p.count.as_of)  # a date: as its ISO text sorts
    ]
    risks = [
        {
            "title": s.risk.title,
            "party": s.risk.party,
            "severity": s.risk.severity,
            "status": s.risk.status,
            "note": s.risk.note,
            "source": s.source,
        }
        for s in snap.risks
    ]
    timeline = [
        {"date": _iso(e.date), "subject": e.subject, "field": e.field, "value": e.value,
         "source": e.source}
        for e in F.timeline(story, snap.today)
    ]
    return {
        "generated_at": generated_at.isoformat(),
        "as_of": _iso(snap.today),  # the day the facts are shown as of (`--as-of`)
        "partners": partners,
        "compute": compute,
        "users": users,
        "risks": risks,
        "timeline": timeline,
        "news": list(news),
        "feeds": list(feeds),
        "signals": list(signals),
        "alerts": list(alerts),
        "archive": archive if archive is not None else archive_json(None, 0),
    }


def _sources_of(story: F.Story, subject: str, opening: str, today: date) -> list[str]:
    ids = [opening, *(e.source for e in F.events_for(story, subject, today))]
    return list(dict.fromkeys(ids))


def news_json(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"id": i.id, "title": i.title, "link": i.link, "published": _iso(i.published),
         "feed": i.feed, "entities": list(i.entities), "read": i.read}
        for i in items
    ]


def feeds_json(states: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "url": s.url, "status": s.status, "last_attempt": _iso(s.last_attempt),
         "last_success": _iso(s.last_success), "items": s.items, "error": s.error}
        for s in states
    ]


def signals_json(signals: Sequence[Any]) -> list[dict[str, Any]]:
    """Signals as the contract shows them: a status move has value null and its `status`;
    every other signal has status null."""
    return [
        {"metric": s.metric,
         "value": None if s.metric == "status" else _number(s.value),
         "unit": s.unit, "subject": s.subject, "quote": s.quote, "news_id": s.news_id,
         "state": s.state,
         "status": getattr(s, "status", None) if s.metric == "status" else None}
        for s in signals
    ]


def alerts_json(alerts: Sequence[Any]) -> list[dict[str, Any]]:
    """Stored alerts (store.StoredAlert) as the contract shows them."""
    from .alerts_deliver import alert_json

    return [alert_json(a) for a in alerts]


def _number(value: object) -> object:
    """A stored figure as JSON shows it: a value that is not a finite number is unknown."""
    if isinstance(value, float) and not limits.finite(value):
        return None
    return value


def strict(data: Any) -> Any:
    """`data` with every float that is not finite made null: the contract is strict JSON
    ("unknown is null"), whatever a store row or a future field holds."""
    if isinstance(data, float):
        return data if limits.finite(data) else None
    if isinstance(data, dict):
        return {k: strict(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict(v) for v in data]
    return data


def archive_json(stats: Any, keep_days: int) -> dict[str, Any]:
    """The archive's size: items kept, the oldest one's date, bytes on disk (database and
    WAL) and the retention window in days (0: everything kept). No store: all zero."""
    return {
        "items": stats.items if stats else 0,
        "oldest": stats.oldest if stats else None,
        "size_bytes": stats.size_bytes if stats else 0,
        "keep_days": keep_days,
    }


def archive_text(archive: dict[str, Any]) -> str:
    window = (f"items older than {archive['keep_days']:,} days pruned at refresh"
              if archive["keep_days"] else "everything kept")
    oldest = f", oldest {archive['oldest'][:10]}" if archive["oldest"] else ""
    hidden = archive.get("hidden", 0)
    shown = f" ({hidden:,} hidden by exclude filters)" if hidden else ""
    return (f"Archive: {archive['items']:,} items{oldest}{shown}, "
            f"{_bytes_label(archive['size_bytes'])} on disk; {window}")


def _bytes_label(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,} B"


def write_json(data: dict[str, Any], out: TextIO) -> None:
    # allow_nan=False: never `NaN` or `Infinity`, which are not JSON.
    json.dump(strict(data), out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def write_text(
    snap: F.Snapshot,
    out: TextIO,
    news: Sequence[V.NewsLine],
    now: datetime,
    width: int = 120,
    archive: dict[str, Any] | None = None,
) -> None:
    """The same panels as the dashboard, for pipes and cron: no colour unless a terminal."""
    console = Console(file=out, width=width, highlight=False, emoji=False, markup=False)
    console.print(Text(f"DealDesk · {snap.story.title} · as of {snap.today}", style="bold"))
    users = V.users_view(snap)
    news_tv = V.news_view(news, now)
    hidden = (archive or {}).get("hidden", 0)
    if hidden:  # what the exclude filters hide, counted as on the dashboard
        news_tv = dataclasses.replace(news_tv, title=f"{news_tv.title} · {hidden:,} hidden")
    for tv in (V.partners_view(snap), V.compute_view(snap), users.table, V.risks_view(snap),
               news_tv):
        console.print()
        if tv is users.table:
            console.print(V.latest_users_line(users, snap.today, snap.story.stale_after_days))
        console.print(render_table(tv))
        for line in tv.summary:
            console.print(line)
    if archive is not None:
        console.print()
        console.print(Text(archive_text(archive)))


def render_table(tv: V.TableView) -> Table | Text:
    if not tv.rows:
        return Text(f"{tv.title}: {tv.empty}")
    table = Table(title=tv.title, title_justify="left", title_style="bold", expand=False)
    for column in tv.columns:
        table.add_column(column.label, justify=column.justify, max_width=column.width)
    for row in tv.rows:
        table.add_row(*row.cells)
    return table
