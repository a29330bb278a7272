"""The Signals inbox with 100,000 signals: time from `s` to the first painted page.

Fills a store through the Store API (items with Store.record, their figures with
Store.add_signals_many, as a refresh stores them), all about tracked facts so every signal
is one the inbox lists, then opens the dashboard with Textual's Pilot and times, several
times, from pressing `s` to the inbox's table showing its first page, one frame included.
Also times the store's side alone: one page and the counts by state.

    python benchmarks/inbox_bench.py [--signals 100000] [--runs 5] [--store PATH]

Target (issue 13, item 9): under 0.5 s. Not a timed test: a shared machine varies too much.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNALS_PER_ITEM = 50
TRACKED = (("weekly_active_users", "ChatGPT", 1e6), ("capacity_gw", "Nvidia", 0.01),
           ("commitment_usd", "Oracle", 1e8))


def fill(path: Path, signals: int) -> None:
    from dealdesk.news.fetch import FetchResult
    from dealdesk.model import NewsItem
    from dealdesk.store import Store

    now = datetime.now(UTC)
    items = [
        NewsItem(feed="Bench", guid=f"bench-{i}", title=f"Figure churn {i}",
                 link=f"https://example.com/{i}", published=now - timedelta(minutes=i),
                 summary="A feed whose figures change at every fetch.")
        for i in range(-(-signals // SIGNALS_PER_ITEM))
    ]
    result = FetchResult("Bench", "https://example.com/feed", "ok", 200)
    with Store.open(path) as store:
        stored = store.record(result, items, now)
        found = []
        left = signals
        for item_id, _ in stored:
            n = min(SIGNALS_PER_ITEM, left)
            left -= n
            found.append((item_id, [
                {"metric": metric, "subject": subject, "value": (k + 1) * step,
                 "quote": f"figure {k}"}
                for k in range(n)
                for metric, subject, step in (TRACKED[k % len(TRACKED)],)
            ]))
        added = store.add_signals_many(found, now)
    print(f"store: {added:,} signals on {len(stored):,} items ({path})")


def store_side(path: Path) -> float:
    from dealdesk.config import load
    from dealdesk.store import Store
    from dealdesk.tui.newsroom import INBOX_PAGE
    from dealdesk.view import inbox_figures

    about = inbox_figures(load(ROOT / "config").story)
    start = time.perf_counter()
    with Store.open(path) as store:
        counts = store.count_signals_by_state(about)
        page = store.signals_page(("new", "accepted"), about, INBOX_PAGE, 0)
    elapsed = time.perf_counter() - start
    assert len(page) == INBOX_PAGE and sum(counts.values()) >= INBOX_PAGE
    return elapsed


async def open_inbox(path: Path, runs: int) -> list[float]:
    from dealdesk.config import load
    from dealdesk.tui.app import DealDeskApp
    from dealdesk.tui.screens.signals import SignalsScreen

    app = DealDeskApp(load(ROOT / "config"), path, refresh_on_start=False)
    app.animation_level = "none"
    times = []
    async with app.run_test(size=(160, 50)) as pilot:
        deadline = time.monotonic() + 60
        while not app.desk.state.store_read and time.monotonic() < deadline:  # the first read
            await pilot.pause(0.01)
        for _ in range(runs):
            start = time.perf_counter()
            await pilot.press("s")
            deadline = time.monotonic() + 30
            while True:
                screen = app.screen
                if (isinstance(screen, SignalsScreen)
                        and screen.query_one("#signals-table").row_count):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("the inbox never showed a row")
                await pilot.pause(0.001)
            await pilot.pause()  # the frame that paints it
            times.append(time.perf_counter() - start)
            summary = str(screen.query_one("#signals-summary").render())
            await pilot.press("escape")
            await pilot.pause()
    print(f"inbox summary: {summary}")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", type=Path, default=None,
                        help="an existing store to open (default: a new one, filled)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store or Path(tmp) / "inbox.sqlite3"
        if args.store is None:
            fill(path, args.signals)
        print(f"store side (counts + one page): {store_side(path) * 1000:.0f} ms")
        times = asyncio.run(open_inbox(path, args.runs))
    print("s to first painted page: " + ", ".join(f"{t * 1000:.0f}" for t in times)
          + f" ms (median {statistics.median(times) * 1000:.0f} ms, target < 500 ms)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
