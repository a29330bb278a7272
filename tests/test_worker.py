"""The refresh process the dashboard starts: a plan on stdin, JSON lines on stdout."""

from __future__ import annotations

import json
import subprocess
import sys

from dealdesk.model import FeedSpec, FetchLimits
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
