"""The dashboard as of a past day (`--as-of`, `@`, or "As of a date" in ctrl+p).

A part of the Desk (tui.desk): it decides which day the facts are shown as of and filters
what the store gives (signals, news) to what was known that day, with the same functions
`dump --as-of` and `report` use (history.py), so the three agree.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text

from .. import facts as F
from .. import history as H
from .deskstate import Change, DeskCore, story_day, story_snapshot

if TYPE_CHECKING:
    from ..store import StoredSignal


class TimeTravel:
    def __init__(self, core: DeskCore) -> None:
        self.core = core

    def story_day(self) -> date:
        return story_day(self.core.clock().date(), self.core.state.as_of)

    @property
    def travelling(self) -> bool:
        as_of = self.core.state.as_of
        return as_of is not None and as_of < self.core.clock().date()

    def as_of_signals(self, signals: list[StoredSignal] | None) -> list[StoredSignal] | None:
        """Signals as they stood on the day shown (all of them, today)."""
        as_of = self.core.state.as_of
        if signals is None or as_of is None or not self.travelling:
            return signals
        return H.signals_as_of(signals, as_of)

    def story_snapshot(self, accepted: list[F.AcceptedFigure]) -> F.Snapshot:
        core = self.core
        return story_snapshot(core.config, core.clock().date(), core.state.as_of, accepted)

    def as_of_title(self) -> Text:
        """The title bar's mark: impossible to miss when the facts are not today's."""
        as_of = self.core.state.as_of
        if as_of is None or not self.travelling:
            return Text()
        return Text.assemble("  ", (f" ◀ AS OF {as_of.isoformat()} · not today (@) ",
                                    "bold black on yellow"))

    def set_as_of(self, day: date | None) -> None:
        core = self.core
        state = core.state
        state.as_of = day
        state.accepted = []  # re-read for the new day
        state.signals = None
        core.forget_signal_lines()
        state.snap = self.story_snapshot([])
        core.publish(Change.FACTS)
        core.reload()
