"""Since you last looked: on start, what moved since the previous session (since.py).

A mixin of DealDeskApp. After the first frame a thread worker reads the last-seen time (the
dashboard writes it when it closes) and the store; when something changed, a toast says so
and the since_last key opens the list. No previous session: nothing is shown.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import work
from textual.message import Message

SINCE_TOAST_SECONDS = 15


@dataclass
class SinceLoaded(Message):
    summary: Any  # since.SinceLast


class SinceLastLooked:
    """For DealDeskApp (which provides config, clock, store_path, state_dir, travelling)."""

    since_summary: Any = None  # since.SinceLast once computed; None: no previous session

    def start_since_last(self) -> None:
        # A past day on screen (--as-of) is not the place for what is new today.
        if self.state_dir is not None and not self.travelling:  # type: ignore[attr-defined]
            # Now, before the start-up refresh: what it brings is news of this session.
            self._read_since_last(self.clock())  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="since-last", exit_on_error=False)
    def _read_since_last(self, now: datetime) -> None:
        from ..since import read_since
        from ..state import load_last_seen
        from ..store import StoreError

        seen = load_last_seen(self.state_dir)  # type: ignore[attr-defined]
        if seen is None:
            return
        try:
            summary = read_since(self.config, self.store_path,  # type: ignore[attr-defined]
                                 seen, now)
        except (StoreError, sqlite3.Error):
            return  # the dashboard says what is wrong with the store elsewhere
        self.post_message(SinceLoaded(summary))  # type: ignore[attr-defined]

    def on_since_loaded(self, message: SinceLoaded) -> None:
        from ..since import headline, seen_label

        self.since_summary = message.summary
        if message.summary.empty:
            return
        key = self.since_key()
        self.notify(  # type: ignore[attr-defined]
            f"Since you last looked ({seen_label(message.summary)}): "
            f"{headline(message.summary)} — press {key}",
            title="Since you last looked", timeout=SINCE_TOAST_SECONDS, markup=False)

    def since_key(self) -> str:
        from ..config import DEFAULT_KEYS

        keymap = self.config.settings.keys  # type: ignore[attr-defined]
        return str(keymap.get("since_last", DEFAULT_KEYS["since_last"])).split(",")[0]

    def action_since_last(self) -> None:
        from .screens.since import SinceScreen

        summary = self.since_summary
        if summary is None:
            self.notify("Nothing to show: no previous session recorded.",  # type: ignore[attr-defined]
                        timeout=3)
            return
        if not isinstance(self.screen, SinceScreen):  # type: ignore[attr-defined]
            self.push_screen(SinceScreen(summary))  # type: ignore[attr-defined]
