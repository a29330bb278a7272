"""Objects left behind each time a screen is pushed and popped (headless, Textual's Pilot).

A long-running dashboard opens search, details and the inbox many times a day. Whatever a
push and pop leaves reachable stays for good and lengthens every full pass of the cyclic
collector (at 1M stored items: 15 ms at the start of a session, 74 ms twenty searches
later, in the middle of a key's frame). Run by hand:

    python benchmarks/screen_churn.py [--cycles 20]

Prints the tracked objects after each cycle (after gc.collect()), and the growth per cycle,
for a bare Textual app (Header, DataTable, Footer, a ModalScreen with an Input) and for
DealDesk's dashboard opening `/` search, searching and closing it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


async def bare(cycles: int) -> list[int]:
    from textual.app import App, ComposeResult
    from textual.screen import ModalScreen
    from textual.widgets import DataTable, Footer, Header, Input

    class Modal(ModalScreen[None]):
        def compose(self) -> ComposeResult:
            yield Input()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

    app = Bare()
    counts = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        for _ in range(cycles):
            app.push_screen(Modal())
            await pilot.pause(0.1)
            app.pop_screen()
            await pilot.pause(0.1)
            gc.collect()
            counts.append(len(gc.get_objects()))
    return counts


async def dealdesk(cycles: int) -> tuple[list[int], Counter[str]]:
    from datetime import UTC, datetime

    from dealdesk.config import load
    from dealdesk.tui.app import DealDeskApp

    app = DealDeskApp(load(ROOT / "config"), None, lambda: datetime.now(UTC),
                      refresh_on_start=False)
    counts: list[int] = []
    before: Counter[str] = Counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        for cycle in range(cycles):
            await pilot.press("slash")
            await pilot.pause(0.2)
            await pilot.press(*"openai", "enter")
            await pilot.pause(0.2)
            await pilot.press("escape")
            await pilot.pause(0.3)
            gc.collect()
            # Types counted, the list let go: held over to the next cycle, it would keep
            # alive what became garbage meanwhile.
            kinds = Counter(type(o).__qualname__ for o in gc.get_objects())
            counts.append(kinds.total())
            if cycle == 1:
                before = kinds
            if cycle == cycles - 1:
                grown = Counter({k: kinds[k] - before[k] for k in kinds
                                 if kinds[k] > before[k]})
    return counts, grown


def per_cycle(counts: list[int]) -> float:
    # The first cycles build what every later one reuses (styles, caches): left out.
    tail = counts[2:]
    return (tail[-1] - tail[0]) / max(len(tail) - 1, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    args = parser.parse_args()
    counts = asyncio.run(bare(args.cycles))
    print(f"bare Textual app, modal push/pop: {per_cycle(counts):.0f} objects a cycle "
          f"({counts[0]:,} -> {counts[-1]:,})")
    counts, grown = asyncio.run(dealdesk(args.cycles))
    print(f"DealDesk, `/`, a search, escape: {per_cycle(counts):.0f} objects a cycle "
          f"({counts[0]:,} -> {counts[-1]:,})")
    print("grown most:", ", ".join(f"{k} +{v:,}" for k, v in grown.most_common(6)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
