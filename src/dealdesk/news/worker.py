"""A refresh in a child process, for the dashboard.

The dashboard hands a plan (feeds, limits, tracked names, store path) to
`python -m dealdesk.news.worker` on stdin and reads one JSON line per finished feed on
stdout. Parsing and storing run in the child, so they never hold the dashboard's GIL: keys
keep answering at full speed during a refresh of fifty feeds. The child writes to the same
SQLite store a cron `dealdesk refresh` would, in WAL mode; the dashboard then re-reads it.

Lifetime: the dashboard starts it in its own process group and stops it when it quits or is
signalled; if the dashboard dies without a word (SIGKILL, a crash), the child notices that
its parent changed and leaves at once (EXIT_ORPHANED) rather than fetch and write for up to
`deadline_seconds` for nobody. Stopping it mid-write is safe: every feed is stored in one
SQLite transaction, which is either committed or rolled back on the next open.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from ..model import FeedSpec, FetchLimits

EXIT_ORPHANED = 4
PARENT_POLL_SECONDS = 0.2


def make_plan(
    specs: Sequence[FeedSpec],
    store_path: Path,
    limits: FetchLimits,
    entities: Mapping[str, Sequence[str]],
    force: bool,
    respect_interval: bool = True,
    keep_days: int = 0,
    company: str = "OpenAI",
    partners: Sequence[str] | None = None,
) -> str:
    return json.dumps({
        "company": company,  # whose deals status signals are about (news.status)
        "partners": None if partners is None else list(partners),
        "specs": [asdict(s) for s in specs],
        "store": str(store_path),
        "limits": asdict(limits),
        "entities": {k: list(v) for k, v in entities.items()},
        "force": force,
        "respect_interval": respect_interval,
        "parent": os.getpid(),  # the child leaves when this process is gone
        "keep_days": keep_days,
    })


def run_plan(plan: dict[str, Any], out: TextIO) -> int:
    """Refresh as planned, one JSON line per feed, then a closing line; the failed count."""
    from . import early

    specs = [FeedSpec(**s) for s in plan["specs"]]
    limits = FetchLimits(**plan["limits"])
    store_path = Path(plan["store"])
    # The first requests leave now; the refresh takes them over once it is imported.
    head_start = early.from_store(specs, store_path, limits, datetime.now(UTC),
                                  plan["force"], plan["respect_interval"])
    from .enrich import figure_finder
    from .entities import EntityMatcher
    from .refresh import run_refresh

    entities = {k: tuple(v) for k, v in plan["entities"].items()}

    def progress(done: int, total: int, outcome: Any) -> None:
        out.write(json.dumps({
            "done": done, "total": total, "name": outcome.name, "status": outcome.status,
            "new_items": outcome.new_items, "elapsed_ms": outcome.elapsed_ms,
            "error": outcome.error,
        }) + "\n")
        out.flush()

    out.write(json.dumps({"start": len(specs)}) + "\n")
    out.flush()
    report = run_refresh(
        specs,
        store_path,
        limits,
        entities,
        lambda: datetime.now(UTC),
        force=plan["force"],
        respect_interval=plan["respect_interval"],
        on_progress=progress,
        figures=figure_finder(EntityMatcher(entities), plan.get("company") or "OpenAI",
                              plan.get("partners")),
        head_start=head_start,
        keep_days=int(plan.get("keep_days", 0)),
    )
    out.write(json.dumps({"finished": True, "failed": report.failed,
                          "skipped": list(report.skipped), "pruned": report.pruned}) + "\n")
    out.flush()
    return report.failed


def main() -> int:
    from ..store import StoreError

    # Background work: on a small machine the dashboard's keys must win the CPU over
    # parsing and finding figures, so this process yields to it.
    _lower_priority()
    try:
        plan = json.loads(sys.stdin.read())
        if isinstance(plan.get("parent"), int):
            exit_with_parent(plan["parent"])
        run_plan(plan, sys.stdout)
    except StoreError as exc:
        sys.stdout.write(json.dumps({"finished": True, "error": str(exc)}) + "\n")
        return 2
    return 0


def exit_with_parent(parent: int) -> threading.Thread:
    """Leave as soon as `parent` is no longer this process's parent (it died: the process
    was re-parented to init or a subreaper). Polled: portable, and a fifth of a second is
    nothing next to a fetch."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(EXIT_ORPHANED)  # mid-transaction is safe: SQLite rolls it back

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def _lower_priority(step: int = 10) -> None:
    """Nice this process, and on Linux its session's autogroup too.

    With autogroups (the default of most Linux distributions) the scheduler shares the CPU
    between sessions first and only then between the processes of each, so a nice value
    alone ranks this process only against the others of its session. The dashboard starts
    it in a session of its own: alone there, its nice would change nothing against the
    dashboard's keys. Only the leader of that session renices it: run from a shell, the
    worker must not renice the shell's session."""
    try:
        os.nice(step)
    except (AttributeError, OSError):  # not on this platform, or not allowed: run as is
        return
    if hasattr(os, "getsid") and os.getsid(0) == os.getpid():
        threading.Thread(target=_lower_session, args=(os.nice(0),), name="autogroup-nice",
                         daemon=True).start()


class _Writable(Protocol):
    def write_text(self, text: str, encoding: str) -> object: ...


AUTOGROUP = Path("/proc/self/autogroup")
AUTOGROUP_TRIES = 10  # the kernel takes one unprivileged write per 100 ms, machine-wide


def _lower_session(nice: int, path: _Writable = AUTOGROUP) -> bool:
    """Set this session's autogroup nice; False where there is none or it is not allowed.
    In a thread: six dashboards' refreshes starting at once wait their turn."""
    for _ in range(AUTOGROUP_TRIES):
        try:
            path.write_text(str(nice), encoding="ascii")
            return True
        except BlockingIOError:  # EAGAIN: another write in the last tenth of a second
            time.sleep(0.11)
        except OSError:  # no autogroups here (ENOENT), or refused
            return False
    return False


if __name__ == "__main__":
    sys.exit(main())
