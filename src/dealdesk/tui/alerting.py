"""Alerts on the dashboard: evaluate the watches after each store read, ring the bell, show
a toast, keep the Alerts screen current, and (when `[alerts] notify = true`) send a desktop
notification by OSC 9 and OSC 777, which terminals pass to the local desktop even over SSH.

A mixin of DealDeskApp, as NewsRoom is. The first read of a session takes the alerts stored
before it as seen: a restart never rings for what the user was already told, while an alert
stored since (by this dashboard, or by a cron `refresh` without --alerts) rings once.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from textual import work
from textual.message import Message

ALERTS_WINDOW = 500  # alerts read for the screen, newest first
ALERTS_DELAY_SECONDS = 0.5  # store reads within this are evaluated once
TOASTS_AT_ONCE = 3  # more new alerts than this make one summary toast
NOTIFY_MAX = 200  # characters of a desktop notification


@dataclass
class AlertsLoaded(Message):
    alerts: list[Any] = field(default_factory=list)  # store_alerts.StoredAlert, newest first
    before: int = 0  # the highest alert id stored before this evaluation

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AlertsLoaded)


class Alerting:
    """For DealDeskApp (which provides config, clock, store_path, _open_store)."""

    alerts: list[Any]
    _alert_seen: int | None

    def _init_alerting(self) -> None:
        self.alerts = []
        self._alert_seen = None
        self._alerts_due = False

    def check_alerts(self) -> None:
        """Evaluate soon: once per burst of store reads, and not while our own refresh
        writes feed after feed (its end reads the store again, and that evaluates)."""
        if self.refresh_state is not None or self._alerts_due:  # type: ignore[attr-defined]
            return
        self._alerts_due = True
        self.set_timer(ALERTS_DELAY_SECONDS, self._alerts_now)  # type: ignore[attr-defined]

    def _alerts_now(self) -> None:
        self._alerts_due = False
        self._evaluate_alerts()

    @work(thread=True, exclusive=True, group="alerts")
    def _evaluate_alerts(self) -> None:
        from ..news.watches import evaluate
        from ..store import StoreError

        path = self.store_path  # type: ignore[attr-defined]
        if path is None or not path.exists():
            return
        now = self.clock()  # type: ignore[attr-defined]
        try:
            with self._open_store() as store:  # type: ignore[attr-defined]
                before = max((a.id for a in store.alerts(limit=1)), default=0)
                try:
                    evaluate(store, self.config.story, self.config.watches,  # type: ignore[attr-defined]
                             now.date(), now)
                except (StoreError, sqlite3.Error):
                    pass  # a read-only store: show what it holds
                alerts = store.alerts(limit=ALERTS_WINDOW)
                # An alert on an item the exclude filters hide is hidden with it.
                rules = self.exclusions.rules()  # type: ignore[attr-defined]
                gone = store.hidden_among([a.news_id for a in alerts if a.news_id], rules)
                alerts = [a for a in alerts if a.news_id not in gone]
        except (StoreError, sqlite3.Error):
            return
        self.post_message(AlertsLoaded(alerts, before))  # type: ignore[attr-defined]

    def on_alerts_loaded(self, message: AlertsLoaded) -> None:
        if self._alert_seen is None:
            self._alert_seen = message.before
        new = [a for a in message.alerts if a.id > self._alert_seen]
        self.alerts = message.alerts
        if new:
            self._alert_seen = max(a.id for a in new)
            self._announce(sorted(new, key=lambda a: a.id))
        from .screens.alerts import AlertsScreen

        for screen in self.screen_stack:  # type: ignore[attr-defined]
            if isinstance(screen, AlertsScreen):
                screen.show(self.alerts)

    def _announce(self, new: list[Any]) -> None:
        from ..view.alerts import toast_text

        settings = self.config.settings.alerts  # type: ignore[attr-defined]
        if settings.bell:
            self.bell()  # type: ignore[attr-defined]
        for a in new[:TOASTS_AT_ONCE]:
            # markup=False: a feed's title is data, never markup.
            self.notify(toast_text(a), title="Alert", timeout=10,  # type: ignore[attr-defined]
                        markup=False)
        if len(new) > TOASTS_AT_ONCE:
            self.notify(f"and {len(new) - TOASTS_AT_ONCE} more alerts (A: Alerts)",  # type: ignore[attr-defined]
                        title="Alerts", timeout=10, markup=False)
        if settings.notify:
            self._desktop_notify(new)

    def _desktop_notify(self, new: list[Any]) -> None:
        driver = getattr(self, "_driver", None)
        if driver is None or getattr(driver, "is_headless", False):
            return
        for a in new[:TOASTS_AT_ONCE]:
            for sequence in desktop_sequences(a, bool(os.environ.get("TMUX"))):
                driver.write(sequence)
        driver.flush()

    def action_alerts(self) -> None:
        from .screens.alerts import AlertsScreen

        if not isinstance(self.screen, AlertsScreen):  # type: ignore[attr-defined]
            self.push_screen(AlertsScreen(self.alerts))  # type: ignore[attr-defined]
            self.check_alerts()


def desktop_sequences(alert: Any, in_tmux: bool) -> list[str]:
    """OSC 9 (iTerm2, Windows Terminal, kitty...) and OSC 777 (urxvt, foot, VTE) for one
    alert, made of safe text only (no control characters, no ";" field separators); inside
    tmux, wrapped for its passthrough (which needs `allow-passthrough on`)."""
    from ..alerts_deliver import plain
    from ..view.alerts import what_moved

    body = plain(f"{alert.watch}: {what_moved(alert)} · {alert.title}")[:NOTIFY_MAX]
    body = body.replace(";", ",")
    sequences = [f"\x1b]9;{body}\x07", f"\x1b]777;notify;DealDesk alert;{body}\x07"]
    if in_tmux:
        sequences = ["\x1bPtmux;" + s.replace("\x1b", "\x1b\x1b") + "\x1b\\" for s in sequences]
    return sequences
