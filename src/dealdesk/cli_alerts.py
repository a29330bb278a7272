"""`dealdesk refresh --alerts` (after the fetch) and `dealdesk alerts`: headless alerts.

Both enrich what a headless refresh stored (tags, figures, status moves), evaluate the
watches, and store each match once (news.watches, store/alerts.py). `refresh --alerts` then
delivers every alert not delivered yet (alerts_deliver); `alerts` only lists them.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import Config
from .store import Store, StoreError

EXIT_OK = 0


def enrich(config: Config, store: Store, now: datetime) -> None:
    """Tag, find figures and status moves in what a headless refresh stored."""
    import sqlite3

    from .news.enrich import enrich_story

    try:
        enrich_story(store, config.story, now)
    except (sqlite3.Error, StoreError) as exc:  # a read-only store still shows what it has
        print(f"{store.path}: new items not enriched ({exc})", file=sys.stderr)


def _evaluate(config: Config, store: Store, now: datetime) -> None:
    enrich(config, store, now)
    # The watches compare each signal with the config's facts plus the accepted signals.
    evaluate_quietly(config, store, now)


def evaluate_quietly(config: Config, store: Store, now: datetime) -> None:
    """Evaluate the watches (enrichment done by the caller); a store that cannot be written
    still shows what it has."""
    import sqlite3

    from .news.watches import evaluate

    try:
        evaluate(store, config.story, config.watches, now.date(), now)
    except (sqlite3.Error, StoreError) as exc:
        print(f"{store.path}: watches not evaluated ({exc})", file=sys.stderr)


def refresh_alerts(config: Config, store_path: Path, fmt: str, now: datetime,
                   code: int) -> int:
    """Evaluate and deliver; `code` is the refresh's exit code, kept."""
    from .alerts_deliver import alert_json, alert_line, deliver

    if not store_path.exists():
        if fmt == "json":
            print("[]")
        return code
    emitted: list[dict[str, Any]] = []

    def emit(alert: Any) -> None:
        if fmt == "json":
            emitted.append(alert_json(alert))
        else:
            print(alert_line(alert), flush=True)

    with Store.open(store_path) as store:
        _evaluate(config, store, now)
        pending = sorted(store.alerts(undelivered_only=True), key=lambda a: a.id)
        settings = config.settings.alerts
        result = deliver(pending, settings.command, settings.timeout_seconds, emit)
        store.mark_alerts_delivered(result.delivered, now)
    if fmt == "json":
        delivered = set(result.delivered)
        for entry in emitted:
            entry["delivered"] = entry["id"] in delivered
        json.dump(_strict(emitted), sys.stdout, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
    for line in result.failures:
        print(f"dealdesk: {line}", file=sys.stderr)
    return code


def list_alerts(config: Config, store_path: Path, every: bool, fmt: str,
                now: datetime) -> int:
    from .alerts_deliver import alert_json, alert_line

    alerts: list[Any] = []
    if store_path.exists():  # listing never creates a store
        with Store.open(store_path) as store:
            _evaluate(config, store, now)
            alerts = store.alerts(undelivered_only=not every)
    if fmt == "json":
        json.dump(_strict([alert_json(a) for a in alerts]), sys.stdout, ensure_ascii=False,
                  allow_nan=False)
        sys.stdout.write("\n")
        return EXIT_OK
    if not alerts:
        print("No alerts." if every else "No alerts waiting (dealdesk alerts --all lists "
                                         "those delivered).")
    for a in alerts:
        print(alert_line(a) + ("" if a.delivered else "  [not delivered]"))
    return EXIT_OK


def _strict(data: Any) -> Any:
    """`data` with every float that is not finite made null (dump.strict, loaded only here:
    it brings rich, which a refresh does not otherwise need)."""
    from .dump import strict

    return strict(data)
