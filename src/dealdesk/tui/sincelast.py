"""Since you last looked: on start, what moved since the previous session (since.py).

A part of the Desk (tui.desk). After the first frame a thread worker reads the last-seen time (the
dashboard writes it when it closes) and the store; when something changed, a toast says so
and the since_last key opens the list. No previous session: nothing is shown.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from .deskstate import DeskCore

if TYPE_CHECKING:
    from ..since import SinceLast
    from .timetravel import TimeTravel

SINCE_TOAST_SECONDS = 15


@dataclass
class SinceLoaded(Message):
    summary: SinceLast


class SinceLastLooked:
    """For the Desk: reads what changed since the last session, toasts it, shows it."""

    def __init__(self, desk: DeskCore, travel: TimeTravel) -> None:
        self.desk = desk
        self.travel = travel

    def start_since_last(self) -> None:
        desk = self.desk
        # A past day on screen (--as-of) is not the place for what is new today.
        if desk.state_dir is not None and not self.travel.travelling:
            # Now, before the start-up refresh: what it brings is news of this session.
            now = desk.clock()
            desk.app.run_worker(lambda: self._read_since_last(now), name="_read_since_last",
                                group="since-last", exclusive=True, thread=True,
                                exit_on_error=False)

    def _read_since_last(self, now: datetime) -> None:
        from ..since import read_since
        from ..state import load_last_seen
        from ..store import StoreError

        desk = self.desk
        if desk.state_dir is None or desk.store_path is None:
            return
        seen = load_last_seen(desk.state_dir)
        if seen is None:
            return
        try:
            summary = read_since(desk.config, desk.store_path, seen, now)
        except (StoreError, sqlite3.Error):
            return  # the dashboard says what is wrong with the store elsewhere
        desk.app.post_message(SinceLoaded(summary))

    def took_since(self, message: SinceLoaded) -> None:
        from ..since import headline, seen_label

        self.desk.state.since_summary = message.summary
        if message.summary.empty:
            return
        key = self.since_key()
        self.desk.app.notify(
            f"Since you last looked ({seen_label(message.summary)}): "
            f"{headline(message.summary)} — press {key}",
            title="Since you last looked", timeout=SINCE_TOAST_SECONDS, markup=False)

    def since_key(self) -> str:
        from ..config import DEFAULT_KEYS

        keymap = self.desk.config.settings.keys
        return str(keymap.get("since_last", DEFAULT_KEYS["since_last"])).split(",")[0]
