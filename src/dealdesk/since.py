"""Since you last looked: what moved between the reader's last session and now.

Fact changes (history.changes from the last-seen day), signals and alerts stored since,
facts that went stale meanwhile, and the news stored since, per partner. Pure and headless:
the dashboard computes it in a worker on start and `dealdesk diff --since last` prints it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from . import facts as F
from . import history as H
from .config import Config
from .store import Store, StoredAlert, StoredSignal
from .value import Value

TEXT_LINES = 50  # lines per section in text; JSON lists everything


class StaleFact(Value):
    """A partner or risk not confirmed for stale_after_days, which it still was then."""

    subject: str
    kind: str  # partner | risk
    confirmed: date


class SinceLast(Value):
    last_seen: datetime
    until: datetime
    changes: tuple[H.Change, ...] = ()
    new_signals: tuple[StoredSignal, ...] = ()  # found since, newest first
    new_alerts: tuple[StoredAlert, ...] = ()  # stored since, newest first
    gone_stale: tuple[StaleFact, ...] = ()
    new_items: int = 0  # items stored since (not hidden)
    items_by_partner: tuple[tuple[str, int], ...] = ()  # most first

    @property
    def empty(self) -> bool:
        return not (self.changes or self.new_signals or self.new_alerts or self.gone_stale
                    or self.new_items)


def _stale(snap: F.Snapshot) -> dict[tuple[str, str], date]:
    found = {(p.partner.name, "partner"): p.confirmed for p in snap.partners if p.stale}
    found.update({(r.risk.id, "risk"): r.confirmed for r in snap.risks if r.stale})
    return found


def _after(when: datetime | None, start: datetime, end: datetime) -> bool:
    return when is not None and start < when <= end


def _after_seen(changes: list[H.Change], signals: list[StoredSignal],
                start: datetime) -> list[H.Change]:
    """Changes are dated by day: on the last-seen day itself, only a figure accepted after
    the reader looked is new (a fact dated that day was on screen already)."""
    decided_after = {f"news-{s.id}" for s in signals
                     if s.state == "accepted" and (s.decided_at or s.created_at) > start}
    day = start.date()
    return [c for c in changes if c.date > day or c.source in decided_after]


def since_last(config: Config, store: Store | None, last_seen: datetime,
               now: datetime) -> SinceLast:
    """What changed from `last_seen` to `now`; `store` None: the facts alone."""
    from .text.filters import exclusions

    start, end = last_seen.astimezone(UTC), now.astimezone(UTC)
    if start > end:  # a clock set back: nothing is "since"
        start = end
    signals: list[StoredSignal] = []
    alerts: list[StoredAlert] = []
    items, by_partner = 0, dict[str, int]()
    if store is not None:
        rules = exclusions(config.settings.news_exclude, config.feeds).rules()
        every = store.signals_since(start)  # the accepted ones, and those found since
        # Hidden items' signals and alerts are hidden with them; an accepted one is a fact.
        hidden = store.hidden_among([s.news_id for s in every if s.state != "accepted"],
                                    rules)
        signals = [s for s in every if s.news_id not in hidden or s.state == "accepted"]
        stored = [a for a in store.alerts() if _after(a.created_at, start, end)]
        gone = store.hidden_among([a.news_id for a in stored if a.news_id], rules)
        alerts = [a for a in stored if a.news_id not in gone]
        items, by_partner = store.fetched_between(start, end, rules)
    story = config.story
    then, today = start.date(), end.date()
    stale_then = _stale(H.snapshot_as_of(story, signals, then))
    stale_now = _stale(H.snapshot_as_of(story, signals, today))
    new_signals = sorted((s for s in signals if _after(s.created_at, start, end)),
                         key=lambda s: (s.created_at, s.id), reverse=True)
    return SinceLast(
        last_seen=start, until=end,
        changes=tuple(_after_seen(H.changes(story, signals, then, today), signals, start)),
        new_signals=tuple(new_signals),
        new_alerts=tuple(alerts),
        gone_stale=tuple(StaleFact(subject, kind, confirmed)
                         for (subject, kind), confirmed in sorted(stale_now.items())
                         if (subject, kind) not in stale_then),
        new_items=items,
        items_by_partner=tuple(sorted(by_partner.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def read_since(config: Config, store_path: Path, last_seen: datetime,
               now: datetime) -> SinceLast:
    """`since_last` on the store at `store_path`, never creating it."""
    if not store_path.exists():
        return since_last(config, None, last_seen, now)
    with Store.open(store_path) as store:
        return since_last(config, store, last_seen, now)


# ---------------------------------------------------------------------------------------------
# As text and JSON


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def headline(s: SinceLast) -> str:
    """"3 changes, 5 new signals, 1 alert, 2 facts gone stale, 12 new items"."""
    parts = [
        _plural(len(s.changes), "change"), _plural(len(s.new_signals), "new signal"),
        _plural(len(s.new_alerts), "alert"),
        f"{_plural(len(s.gone_stale), 'fact')} gone stale",
        _plural(s.new_items, "new item"),
    ]
    return ", ".join(parts)


def seen_label(s: SinceLast) -> str:
    return s.last_seen.strftime("%Y-%m-%d %H:%M UTC")


def one_line(text: object) -> str:
    """Config and news text on one terminal line: no control or invisible characters."""
    from .text.invisible import scrub

    return "".join(ch for ch in scrub(str(text)) if ch.isprintable())


def change_line(c: H.Change) -> str:
    from .view import FIELD_NAMES, field_value

    name = FIELD_NAMES.get(c.field, c.field)
    old = "—" if c.old is None else one_line(field_value(c.field, c.old))
    new = "—" if c.new is None else one_line(field_value(c.field, c.new))
    return (f"{c.date.isoformat()}  {one_line(c.subject)}  {name}: {old} → {new}  "
            f"[{one_line(c.source)}]")


def signal_line(sig: StoredSignal) -> str:
    from .view import FIELD_NAMES, metric_value

    name = FIELD_NAMES.get(sig.metric, sig.metric)
    value = one_line(sig.status or "") if sig.metric == "status" else \
        metric_value(sig.metric, sig.value, sig.qualifier)
    subject = one_line(sig.subject or "—")
    return (f"{sig.published.date().isoformat()}  {subject}  {name}: {value}  "
            f"({sig.state})  {one_line(sig.news_title)}")


def alert_line(a: StoredAlert) -> str:
    from .view.alerts import what_moved

    return f"{one_line(a.watch)}: {one_line(what_moved(a))}  {one_line(a.title)}"


def stale_line(f: StaleFact) -> str:
    return f"{one_line(f.subject)} ({f.kind}): last confirmed {f.confirmed.isoformat()}"


def sections(s: SinceLast, with_changes: bool = True) -> list[tuple[str, list[str]]]:
    """Each section's title and lines: what the Since screen shows and `diff` prints."""
    found: list[tuple[str, list[str]]] = []
    if with_changes:
        found.append((f"Changes: {len(s.changes)}", [change_line(c) for c in s.changes]))
    found += [
        (f"New signals: {len(s.new_signals)}", [signal_line(x) for x in s.new_signals]),
        (f"New alerts: {len(s.new_alerts)}", [alert_line(a) for a in s.new_alerts]),
        (f"Facts gone stale: {len(s.gone_stale)}", [stale_line(f) for f in s.gone_stale]),
        (f"New items: {s.new_items}",
         [f"{one_line(name)}: {n}" for name, n in s.items_by_partner]),
    ]
    return found


def text_lines(s: SinceLast, with_changes: bool = False,
               limit: int | None = TEXT_LINES) -> list[str]:
    lines = [f"Since you last looked ({seen_label(s)}): {headline(s)}"]
    for title, body in sections(s, with_changes):
        lines.append(title)
        shown = body if limit is None else body[:limit]
        lines += [f"  {line}" for line in shown]
        if len(body) > len(shown):
            lines.append(f"  … and {len(body) - len(shown)} more (--format json lists all)")
    return lines


def since_json(s: SinceLast) -> dict[str, Any]:
    """The keys `diff --since last` adds beside since, until and changes."""
    from .dump import alerts_json, signals_json

    return {
        "last_seen": s.last_seen.isoformat(timespec="seconds"),
        "new_signals": [dict(j, id=x.id, created_at=x.created_at.isoformat(),
                             published=x.published.isoformat(), title=x.news_title)
                        for x, j in zip(s.new_signals, signals_json(s.new_signals), strict=True)],
        "new_alerts": alerts_json(s.new_alerts),
        "gone_stale": [{"subject": f.subject, "kind": f.kind,
                        "confirmed": f.confirmed.isoformat()} for f in s.gone_stale],
        "new_items": {"total": s.new_items, "by_partner": dict(s.items_by_partner)},
    }
