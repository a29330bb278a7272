"""Headless delivery of alerts: a line (or JSON) per alert, and the `[alerts] command`.

`dealdesk refresh --alerts` stores what the watches match (news.watches), then hands every
alert not yet delivered to `deliver`: each is printed, and when a command is configured, the
command runs once per alert, as argv (never through a shell), with the alert as JSON on its
standard input and a timeout. An alert counts as delivered when its command exits 0 (or,
with no command, once printed); only those are marked, so a failing command leaves the
alert for the next run.

Nothing here imports Rich or Textual: cron pays for neither.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .model import Metric

STDERR_KEEP = 300  # characters of a failed command's error output shown


@dataclass(frozen=True)
class Delivery:
    delivered: list[int]  # alert ids
    failures: list[str]  # one line per failed command run


def alert_json(a: Any) -> dict[str, Any]:
    """The contract's alert: {id, watch, kind, subject, metric, value, title, link,
    published, news_id, delivered}."""
    value = a.value
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        value = None
    published = a.published.isoformat() if isinstance(a.published, datetime) else a.published
    return {
        "id": a.id, "watch": a.watch, "kind": a.kind, "subject": a.subject,
        "metric": a.metric, "value": value, "title": a.title, "link": a.link,
        "published": published, "news_id": a.news_id, "delivered": a.delivered,
    }


def alert_line(a: Any) -> str:
    """One line for a terminal or a cron mail: watch, what moved (old → new), the item."""
    parts = [f"ALERT {plain(a.watch)}:"]
    what = " ".join(plain(x) for x in (a.subject, label(a.metric)) if x)
    if a.kind == "phrase":
        what = f"“{plain(a.new or '')}”" + (f" ({plain(a.subject)})" if a.subject else "")
    elif a.new is not None:
        old = show(a.metric, a.old) if a.old else "none"
        what = f"{what} {old} → {show(a.metric, a.new)}"
    parts.append(what)
    day = a.published.date().isoformat() if isinstance(a.published, datetime) else ""
    parts.append(f"· {plain(a.title)}" + (f" ({day})" if day else ""))
    if a.link and str(a.link).startswith(("http://", "https://")):
        parts.append(plain(str(a.link)))
    return " ".join(p for p in parts if p)


_LABELS: dict[str, str] = {
    Metric.WEEKLY_ACTIVE_USERS: "weekly users", Metric.CAPACITY_GW: "planned capacity",
    Metric.DEPLOYED_GW: "deployed", Metric.COMMITMENT_USD: "commitment",
    Metric.STATUS: "status",
}


def label(metric: str | None) -> str:
    return _LABELS.get(metric or "", metric or "")


def show(metric: str | None, raw: str | None) -> str:
    """A stored old/new value as a reader writes it: 1.2 GW, $100B, 800M, definitive."""
    if raw is None:
        return ""
    try:
        number = float(raw)
    except ValueError:
        return plain(raw)
    if metric in (Metric.CAPACITY_GW, Metric.DEPLOYED_GW):
        return f"{number:g} GW"
    if metric == Metric.COMMITMENT_USD:
        return "$" + _short(number)
    if metric == Metric.WEEKLY_ACTIVE_USERS:
        return _short(number)
    return f"{number:g}"


def _short(n: float) -> str:
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= scale:
            return f"{n / scale:.4g}{suffix}"
    return f"{n:g}"


def plain(text: object) -> str:
    """Text from outside made one safe line: no control, format or line-break characters
    (an escape sequence in a feed title must not reach the terminal or the mail)."""
    out = []
    for char in str(text):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" " if char in "\t\n\r\u2028\u2029" else "")
        else:
            out.append(char)
    return "".join(out)


Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


def deliver(
    alerts: Sequence[Any],
    command: Sequence[str],
    timeout_s: float,
    emit: Callable[[Any], None],
    run: Runner = subprocess.run,
) -> Delivery:
    """Emit each alert, run `command` once per alert; the ids that were delivered."""
    delivered: list[int] = []
    failures: list[str] = []
    broken = False  # the command cannot run or hangs: the rest wait for the next run
    for a in alerts:
        emit(a)
        if not command:
            delivered.append(a.id)
            continue
        if broken:
            continue
        payload = json.dumps(alert_json(a), ensure_ascii=False, allow_nan=False).encode()
        # Its error output goes to a file, of which only the start is read: a command that
        # writes without end cannot fill this process's memory.
        with tempfile.TemporaryFile() as errors:
            try:
                result = run(
                    list(command), input=payload, stdout=subprocess.DEVNULL,
                    stderr=errors, timeout=timeout_s, check=False,
                    env={**os.environ, "DEALDESK_ALERT_ID": str(a.id)},
                )
            except subprocess.TimeoutExpired:
                failures.append(f"alert {a.id}: {command[0]} still running after "
                                f"{timeout_s:g} s; stopped, tried again next run")
                broken = True
                continue
            except OSError as exc:
                failures.append(f"alert {a.id}: cannot run {command[0]}: "
                                f"{exc.strerror or exc}; tried again next run")
                broken = True
                continue
            errors.seek(0)
            stderr = errors.read(STDERR_KEEP * 4)
        if result.returncode == 0:
            delivered.append(a.id)
        else:
            err = plain(stderr.decode("utf-8", "replace").strip())
            failures.append(f"alert {a.id}: {command[0]} exited {result.returncode}"
                            + (f": {err[:STDERR_KEEP]}" if err else "")
                            + "; tried again next run")
    return Delivery(delivered, failures)
