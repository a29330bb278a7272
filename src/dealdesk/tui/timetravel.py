"""The dashboard as of a past day (`--as-of`, `@`, or "As of a date" in ctrl+p).

A mixin of DealDeskApp, beside NewsRoom: it decides which day the facts are shown as of
and filters what the store gives (signals, news) to what was known that day, with the
same functions `dump --as-of` and `report` use (history.py), so the three agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rich.text import Text

from .. import facts as F
from .. import history as H


class TimeTravel:
    """For DealDeskApp (which provides config, clock, snap, _show_facts, load_news)."""

    as_of: date | None = None  # None: today, moving with the clock
    # Provided by DealDeskApp (annotations only: nothing here shadows the app's own).
    config: Any
    clock: Callable[[], datetime]
    snap: F.Snapshot
    accepted: list[F.AcceptedFigure]
    signals: list[Any] | None
    _signal_lines: list[Any] | None

    def story_day(self) -> date:
        today: date = self.clock().date()
        return today if self.as_of is None or self.as_of >= today else self.as_of

    @property
    def travelling(self) -> bool:
        return self.as_of is not None and self.as_of < self.clock().date()

    def as_of_signals(self, signals: list[Any] | None) -> list[Any] | None:
        """Signals as they stood on the day shown (all of them, today)."""
        if signals is None or not self.travelling:
            return signals
        return H.signals_as_of(signals, self.as_of)

    def story_snapshot(self, accepted: list[F.AcceptedFigure]) -> F.Snapshot:
        config = self.config
        day = self.story_day()
        if not self.travelling:
            return F.snapshot(F.with_accepted(config.story, accepted), day)
        # Partners and risks opened after the day are not shown before they existed.
        story = H.story_as_of(config.story, [], day)
        return F.snapshot(F.with_accepted(story, accepted), day)

    def as_of_title(self) -> Text:
        """The title bar's mark: impossible to miss when the facts are not today's."""
        if not self.travelling:
            return Text()
        assert self.as_of is not None
        return Text.assemble("  ", (f" ◀ AS OF {self.as_of.isoformat()} · not today (@) ",
                                    "bold black on yellow"))

    def set_as_of(self, day: date | None) -> None:
        self.as_of = day
        self.accepted = []  # re-read for the new day
        self.signals = None
        self._signal_lines = None
        self.snap = self.story_snapshot([])
        self._show_facts()  # type: ignore[attr-defined]
        self.load_news()  # type: ignore[attr-defined]

    def action_pick_date(self) -> None:
        from .screens.asof import AsOfScreen

        def chosen(day: date | None | bool) -> None:
            if day is not False:  # False: cancelled
                self.set_as_of(day if isinstance(day, date) else None)

        self.push_screen(  # type: ignore[attr-defined]
            AsOfScreen(self.story_day(), self.clock().date()), chosen)
