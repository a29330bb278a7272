"""The refresh process the dashboard starts: a plan on stdin, JSON lines on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news import worker
from dealdesk.news.worker import make_plan
from dealdesk.store import Store

from .feedserver import feed_server, rss  # noqa: F401


def run_worker(plan: str) -> tuple[int, list[dict]]:
    result = subprocess.run([sys.executable, "-m", "dealdesk.news.worker"], input=plan,
                            capture_output=True, text=True, timeout=60)
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def test_worker_reports_each_feed_and_stores_items_with_signals(tmp_path, feed_server):
    good = feed_server.add("/g.xml", body=rss([
        {"title": "ChatGPT passes 1 billion weekly active users", "guid": "1"}]))
    bad = feed_server.add("/b.xml", kind="status", status=503, body=b"busy")
    store = tmp_path / "s.sqlite3"
    plan = make_plan([FeedSpec("Good", good), FeedSpec("Bad", bad)], store, FetchLimits(),
                     {"ChatGPT": (), "OpenAI": ()}, force=True)
    code, lines = run_worker(plan)
    assert code == 0
    assert lines[0] == {"start": 2}
    done = {line["name"]: line for line in lines if "done" in line}
    assert done["Good"]["status"] == "ok" and done["Good"]["new_items"] == 1
    assert done["Bad"]["status"] == "error" and "503" in done["Bad"]["error"]
    assert lines[-1] == {"finished": True, "failed": 1, "skipped": [], "pruned": 0}
    with Store.open(store) as db:
        (signal,) = db.signals()
        assert (signal.metric, signal.value, signal.subject) == (
            "weekly_active_users", 1e9, "ChatGPT")


def test_worker_names_a_broken_store(tmp_path):
    store = tmp_path / "s.sqlite3"
    store.write_bytes(b"not a database at all" * 50)
    plan = make_plan([], store, FetchLimits(), {}, force=True)
    code, lines = run_worker(plan)
    assert code == 2
    assert lines[-1]["finished"] and str(store) in lines[-1]["error"]


def test_the_worker_yields_the_cpu_to_the_dashboard():
    """It lowers its own priority, so keys win over parsing on a two-core machine."""
    script = ("import os\nfrom dealdesk.news.worker import _lower_priority\n"
              "before = os.nice(0)\n_lower_priority()\nprint(os.nice(0) - before)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "10", result.stderr


AUTOGROUP = Path("/proc/self/autogroup")
SESSION_SCRIPT = (
    "import threading\nfrom pathlib import Path\n"
    "from dealdesk.news.worker import _lower_priority\n_lower_priority()\n"
    "for t in threading.enumerate():\n"
    "    if t.name == 'autogroup-nice': t.join(5)\n"
    "p = Path('/proc/self/autogroup')\nprint(p.read_text().split()[-1] if p.exists() else '-')\n"
)


def test_the_worker_yields_across_sessions_where_the_scheduler_groups_them():
    """With autogroups (most Linux distributions) the CPU is shared between sessions first:
    the worker, alone in the session the dashboard starts it in, renices that session."""
    result = subprocess.run([sys.executable, "-c", SESSION_SCRIPT], capture_output=True,
                            text=True, timeout=60, start_new_session=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("10" if AUTOGROUP.exists() else "-")


def test_the_worker_never_renices_a_session_it_does_not_lead():
    """Run by hand from a shell, it must leave the shell's session as it was: here a session
    of its own (none of the other tests' doing) whose leader runs the worker's code."""
    shell = ("import subprocess, sys\nfrom pathlib import Path\n"
             "p = Path('/proc/self/autogroup')\n"
             "def nice(): return p.read_text().split()[-1] if p.exists() else '-'\n"
             "before = nice()\n"
             f"done = subprocess.run([sys.executable, '-c', {SESSION_SCRIPT!r}],\n"
             "                      capture_output=True, text=True, timeout=60)\n"
             "print(before, done.stdout.strip() or done.stderr, nice())\n")
    result = subprocess.run([sys.executable, "-c", shell], capture_output=True, text=True,
                            timeout=60, start_new_session=True)
    assert result.returncode == 0, result.stderr
    before, seen_by_the_worker, after = result.stdout.split()
    assert seen_by_the_worker == after == before, result.stdout


class _Busy:
    """An autogroup file that refuses (EAGAIN) the first `busy` writes."""

    def __init__(self, busy: int, error: type[OSError] = BlockingIOError) -> None:
        self.busy, self.error, self.written = busy, error, []

    def write_text(self, text: str, encoding: str) -> None:
        if self.busy:
            self.busy -= 1
            raise self.error
        self.written.append(text)


def test_a_busy_autogroup_is_asked_again_and_a_refusal_is_not_fatal(monkeypatch):
    monkeypatch.setattr(worker.time, "sleep", lambda _: None)
    busy = _Busy(3)
    assert worker._lower_session(10, busy) and busy.written == ["10"]
    never = _Busy(worker.AUTOGROUP_TRIES + 1)
    assert not worker._lower_session(10, never) and never.written == []
    refused = _Busy(1, PermissionError)
    assert not worker._lower_session(10, refused) and refused.written == []
