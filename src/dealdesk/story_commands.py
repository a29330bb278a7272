"""`dump --as-of`, `diff` and `report`: the story read from config + store as of a day.

Headless like `dump`: never the network, never textual, and a missing store is never
created (no news, no signals: the facts alone).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import facts as F
from . import history as H
from .config import Config
from .value import Value

if TYPE_CHECKING:
    from .store import Store

NEWS_LIMIT = 500


class UsageError(Exception):
    """A date the command cannot use: one line, exit 2."""


class StoryData(Value):
    """Everything a headless view of the story needs, as of one day."""

    snap: F.Snapshot
    now: datetime
    as_of: date
    items: list[Any]  # store.StoredItem published up to as_of, newest first
    feeds: list[Any]  # store.FeedState (as they stand now: feeds have no history)
    signals: list[Any]  # store.StoredSignal as they stood on as_of
    all_signals: list[Any]  # every stored signal, as it stands now (for diff)
    archive: Any = None  # store.ArchiveStats as it stands now; None: no store
    alerts: list[Any] = field(default_factory=list)  # store.StoredAlert made by then
    hidden: int = 0  # items the exclude filters hide (still stored)


def check_as_of(as_of: date | None, now: datetime) -> date:
    """The day to show: today unless `--as-of`, which cannot be after today."""
    today = now.date()
    if as_of is None:
        return today
    if as_of > today:
        raise UsageError(f"--as-of {as_of.isoformat()} is after today ({today.isoformat()}); "
                         "the story can only be shown as it was known")
    return as_of


def read_story(config: Config, store_path: Path, now: datetime, as_of: date | None,
               enrich: Any = None) -> StoryData:
    day = check_as_of(as_of, now)
    items: list[Any] = []
    feeds: list[Any] = []
    signals: list[Any] = []
    archive: Any = None
    alerts: list[Any] = []
    hidden = 0
    if store_path.exists():  # never creates a store
        from .store import Store

        with Store.open(store_path) as store:
            if enrich is not None:
                enrich(config, store, now)
            # `[news] exclude` and the feeds' own: hidden from the news and the signals.
            query = _shown_news(config, None if as_of is None else H.end_of(day))
            items = store.news_page(query, NEWS_LIMIT)
            hidden = store.count_hidden(query)
            feeds = store.feed_states(config.feeds)
            signals = _without_hidden(store, store.signals(), query.hide)
            archive = store.archive_stats()
            alerts = [a for a in store.alerts()
                      if as_of is None or a.created_at is None or a.created_at <= H.end_of(day)]
            # An alert on an item the filters hide is hidden with it.
            gone = store.hidden_among([a.news_id for a in alerts if a.news_id], query.hide)
            alerts = [a for a in alerts if a.news_id not in gone]
            skipped = store.skipped_note()
        if skipped:  # bad rows are left out, never a reason to fail the command
            print(skipped, file=sys.stderr)
    shown = H.signals_as_of(signals, None if as_of is None else day)
    snap = H.snapshot_as_of(config.story, signals, day) if as_of is not None else \
        F.snapshot(F.with_accepted(config.story, F.accepted_from(signals)), day)
    return StoryData(snap, now, day, items, feeds, shown, signals, archive, alerts, hidden)


def _shown_news(config: Config, until: datetime | None) -> Any:
    from .store import NewsQuery
    from .text.filters import exclusions

    rules = exclusions(config.settings.news_exclude, config.feeds).rules()
    return NewsQuery(until=until, hide=rules)


def _without_hidden(store: Store, signals: list[Any], hide: Any) -> list[Any]:
    """Signals but those found in a hidden item; an accepted one stays: it is a fact the
    reader chose, whatever the filters say since."""
    hidden = store.hidden_among([s.news_id for s in signals if s.state != "accepted"], hide)
    return [s for s in signals if s.news_id not in hidden or s.state == "accepted"]


# ---------------------------------------------------------------------------------------------
# diff


def parse_since(value: str, data_dir: Path) -> date:
    """`--since DATE` or `--since last`: the day the reader last looked (state.last-seen)."""
    from .state import LAST_SEEN_FILE, load_last_seen

    if value == "last":
        seen = load_last_seen(data_dir)
        if seen is None:
            raise UsageError(f"--since last: nothing recorded yet in {data_dir / LAST_SEEN_FILE} "
                             "(the dashboard writes it when it closes); pass --since YYYY-MM-DD")
        return seen.date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since: not a date: {value!r} (use YYYY-MM-DD or last)") from None


def window(since: date, until: date | None, now: datetime) -> tuple[date, date]:
    end = until or now.date()
    if end > now.date():
        raise UsageError(f"--until {end.isoformat()} is after today ({now.date().isoformat()})")
    if since > end:
        raise UsageError(f"--since {since.isoformat()} is after --until {end.isoformat()}")
    return since, end


def diff_json(since: date, until: date, found: Sequence[H.Change]) -> dict[str, Any]:
    return {"since": since.isoformat(), "until": until.isoformat(),
            "changes": [H.change_json(c) for c in found]}


def write_diff_text(since: date, until: date, found: Sequence[H.Change], out: TextIO) -> None:
    from .view import FIELD_NAMES, field_value

    out.write(f"Changes from {since.isoformat()} to {until.isoformat()}: {len(found)}\n")
    for c in found:
        name = FIELD_NAMES.get(c.field, c.field)
        old = "—" if c.old is None else _one_line(field_value(c.field, c.old))
        new = "—" if c.new is None else _one_line(field_value(c.field, c.new))
        out.write(f"{c.date.isoformat()}  {_one_line(c.subject)}  {name}: {old} → {new}  "
                  f"[{_one_line(c.source)}]\n")


def _one_line(text: str) -> str:
    """Config and news text on one terminal line: no control or invisible characters."""
    from .text.invisible import scrub

    return "".join(ch for ch in scrub(text) if ch.isprintable())


def write_strict_json(data: Any, out: TextIO) -> None:
    """Strict JSON: a float that is not finite (a bad stored figure) is unknown, null."""
    import json
    import math

    def strict(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: strict(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [strict(x) for x in v]
        return v

    json.dump(strict(data), out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")


def run_diff(config: Config, data_dir: Path, store_path: Path, since_arg: str,
             until: date | None, fmt: str, now: datetime) -> None:
    from .state import save_last_seen

    since, end = window(parse_since(since_arg, data_dir), until, now)
    data = read_story(config, store_path, now, None)
    found = H.changes(config.story, data.all_signals, since, end)
    summary = _since_last(config, data_dir, store_path, since_arg, end, now)
    if fmt == "json":
        shown = diff_json(since, end, found)
        if summary is not None:  # beside since, until and changes, which stay as they are
            from .since import since_json

            shown.update(since_json(summary))
        write_strict_json(shown, sys.stdout)
    else:
        write_diff_text(since, end, found, sys.stdout)
        if summary is not None:
            from .since import text_lines

            sys.stdout.write("".join(f"{line}\n" for line in text_lines(summary)))
    sys.stdout.flush()
    if until is None:  # the reader has now seen everything up to today
        save_last_seen(data_dir, now)


def _since_last(config: Config, data_dir: Path, store_path: Path, since_arg: str,
                until: date, now: datetime) -> Any:
    """With `--since last`: what the dashboard's "Since you last looked" shows (since.py),
    up to the end of `--until` when given."""
    from .since import read_since
    from .state import load_last_seen

    seen = load_last_seen(data_dir) if since_arg == "last" else None
    if seen is None:
        return None
    return read_since(config, store_path, seen, min(now, H.end_of(until)))


# ---------------------------------------------------------------------------------------------
# report


def render_report(config: Config, store_path: Path, fmt: str, as_of: date | None,
                  since: date | None, now: datetime) -> str:
    from .report import html, md
    from .report.model import build

    data = read_story(config, store_path, now, as_of)
    if since is not None and since > data.as_of:
        raise UsageError(f"--since {since.isoformat()} is after the report's day "
                         f"({data.as_of.isoformat()})")
    briefing = build(data.snap, config.story, data.signals, data.all_signals, since, now,
                     _recent_alerts(data.alerts, since))
    return html.render(briefing) if fmt == "html" else md.render(briefing)


REPORT_ALERTS = 20


def _recent_alerts(alerts: list[Any], since: date | None) -> list[Any]:
    """The newest alerts (of the day shown and before), since `since` when given."""
    dated = [a for a in alerts if (a.published or a.created_at) is not None]
    if since is not None:
        dated = [a for a in dated if (a.published or a.created_at).date() >= since]
    return dated[:REPORT_ALERTS]


def run_report(config: Config, store_path: Path, fmt: str, as_of: date | None,
               since: date | None, output: str | None, now: datetime) -> int:
    page = render_report(config, store_path, fmt, as_of, since, now)
    if output is None or output == "-":
        sys.stdout.write(page)
        return 0
    target = Path(output)
    try:
        # Written beside the target and renamed: a failure never leaves half a report.
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the report: {exc.strerror or exc}") from None
    return 0
