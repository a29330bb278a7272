"""What the dashboard imports before its first frame (issue 16: first paint). The desk's
parts that only work after it (news reads, refresh, alerts, links, "since you last looked")
and every screen but the dashboard's are imported when first used, later."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dealdesk

from .conftest import CONFIG_DIR

FIRST_FRAME = """
import asyncio, json, sys
from pathlib import Path
from textual.app import App
from dealdesk.config import load
from dealdesk.tui.app import DealDeskApp

loaded = []
display = App._display

def first_display(self, screen, renderable):
    if not loaded:
        loaded.append(sorted(m for m in sys.modules if m.startswith("dealdesk")))
    return display(self, screen, renderable)

App._display = first_display

async def main():
    app = DealDeskApp(load(Path(sys.argv[1])), Path(sys.argv[2]), refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        loaded.append(sorted(m for m in sys.modules if m.startswith("dealdesk")))

asyncio.run(main())
print(json.dumps(loaded))
"""

LATER = ("dealdesk.tui.newsroom", "dealdesk.tui.alerting", "dealdesk.tui.reader",
         "dealdesk.tui.links", "dealdesk.tui.messages", "dealdesk.tui.sincelast")


def test_the_first_frame_imports_only_what_it_shows(tmp_path):
    src = str(Path(dealdesk.__file__).parents[1])  # this dealdesk, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(CONFIG_DIR),
                           str(tmp_path / "store.sqlite3")],
                          capture_output=True, text=True, check=True, timeout=120, env=env)
    first, after = json.loads(done.stdout.splitlines()[-1])
    assert not [m for m in first if m in LATER or (m.startswith("dealdesk.tui.screens.")
                and m != "dealdesk.tui.screens.base")], first
    assert set(LATER) - {"dealdesk.tui.links"} <= set(after)  # the desk's work began


BEFORE_RUN = """
import gc, json, sys
import dealdesk.cli as cli

cli.terminal_problem = lambda: None  # no terminal here; the dashboard's path all the same
seen = {}

def run(app):
    seen.update(frozen=gc.get_freeze_count(), enabled=gc.isenabled(),
                textual="textual.app" in sys.modules)
    app.return_code = 0

import dealdesk.tui.app as tui_app  # its run() replaced: the test ends before any screen
tui_app.DealDeskApp.run = run
cli.main(["--config", sys.argv[1], "--data", sys.argv[2]])
print(json.dumps(seen))
"""


def test_the_dashboards_imports_are_out_of_the_collectors_reach(tmp_path):
    """The dashboard imports Textual with the collector off, then freezes what that made:
    otherwise the collector's first pass after it walks every object of the import, 13-15 ms
    just before the first frame (cli._dashboard)."""
    src = str(Path(dealdesk.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", BEFORE_RUN, str(CONFIG_DIR), str(tmp_path)],
                          capture_output=True, text=True, check=True, timeout=120, env=env)
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["textual"] and seen["enabled"]
    assert seen["frozen"] > 20_000, seen  # Textual and DealDesk's modules: ~70,000 objects
