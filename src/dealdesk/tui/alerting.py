"""Alerts on the dashboard: evaluate the watches after each store read, ring the bell, show
a toast, keep the Alerts screen current, and (when `[alerts] notify = true`) send a desktop
notification by OSC 9 and OSC 777, which terminals pass to the local desktop even over SSH.

A part of the Desk (tui.desk), as NewsRoom is. The first read of a session takes the alerts stored
before it as seen: a restart never rings for what the user was already told, while an alert
stored since (by this dashboard, or by a cron `refresh` without --alerts) rings once.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from .deskstate import Change, DeskCore
from .messages import post_if_current

if TYPE_CHECKING:
    from ..store import StoredAlert

ALERTS_WINDOW = 500  # alerts read for the screen, newest first
ALERTS_DELAY_SECONDS = 0.5  # store reads within this are evaluated once
TOASTS_AT_ONCE = 3  # more new alerts than this make one summary toast
NOTIFY_MAX = 200  # characters of a desktop notification


@dataclass
class AlertsLoaded(Message):
    alerts: list[StoredAlert] = field(default_factory=list)  # newest first
    before: int = 0  # the highest alert id stored before this evaluation

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AlertsLoaded)


class Alerting:
    """The watches' alerts for the Desk."""

    def __init__(self, desk: DeskCore) -> None:
        self.desk = desk
        self._alert_seen: int | None = None
        self._alerts_due = False
        # What the last evaluation read: the store's watch inputs (Store.watch_inputs), the
        # day, the config's facts and watches. The same again, evaluating finds nothing new.
        self._evaluated: tuple[object, ...] | None = None

    def check_alerts(self) -> None:
        """Evaluate soon: once per burst of store reads, and not while our own refresh
        writes feed after feed (its end reads the store again, and that evaluates)."""
        if self.desk.state.refresh_state is not None or self._alerts_due:
            return
        self._alerts_due = True
        self.desk.app.set_timer(ALERTS_DELAY_SECONDS, self._alerts_now)

    def _alerts_now(self) -> None:
        self._alerts_due = False
        self.desk.app.run_worker(self._evaluate_alerts, name="_evaluate_alerts",
                                 group="alerts", exclusive=True, thread=True)

    def _evaluate_alerts(self) -> None:
        from ..news.watches import evaluate
        from ..store import StoreError

        desk = self.desk
        path = desk.store_path
        if path is None or not path.exists():
            return
        now = desk.clock()
        config = desk.config
        try:
            with desk.open_store() as store:
                before = max((a.id for a in store.alerts(limit=1)), default=0)
                try:
                    # Read before evaluating: a change made meanwhile makes the next pass
                    # differ from what is recorded here, so it evaluates again.
                    inputs = (store.watch_inputs(), now.date(), config.story, config.watches)
                    if not _same_inputs(inputs, self._evaluated):
                        evaluate(store, config.story, config.watches, now.date(), now)
                        self._evaluated = inputs
                except (StoreError, sqlite3.Error):
                    pass  # a read-only store: show what it holds
                alerts = store.alerts(limit=ALERTS_WINDOW)
                # An alert on an item the exclude filters hide is hidden with it.
                rules = desk.exclusions.rules()
                gone = store.hidden_among([a.news_id for a in alerts if a.news_id], rules)
                alerts = [a for a in alerts if a.news_id not in gone]
        except (StoreError, sqlite3.Error):
            return
        post_if_current(desk.app, AlertsLoaded(alerts, before))

    def took_alerts(self, message: AlertsLoaded) -> None:
        if self._alert_seen is None:
            self._alert_seen = message.before
        new = [a for a in message.alerts if a.id > self._alert_seen]
        self.desk.state.alerts = message.alerts
        if new:
            self._alert_seen = max(a.id for a in new)
            self._announce(sorted(new, key=lambda a: a.id))
        self.desk.publish(Change.ALERTS)

    def _announce(self, new: list[StoredAlert]) -> None:
        from ..view.alerts import toast_text

        app = self.desk.app
        settings = self.desk.config.settings.alerts
        if settings.bell:
            app.bell()
        for a in new[:TOASTS_AT_ONCE]:
            # markup=False: a feed's title is data, never markup.
            app.notify(toast_text(a), title="Alert", timeout=10, markup=False)
        if len(new) > TOASTS_AT_ONCE:
            app.notify(f"and {len(new) - TOASTS_AT_ONCE} more alerts (A: Alerts)",
                       title="Alerts", timeout=10, markup=False)
        if settings.notify:
            self._desktop_notify(new)

    def _desktop_notify(self, new: list[StoredAlert]) -> None:
        # Written straight to the terminal: Textual has no public API for other sequences.
        driver = getattr(self.desk.app, "_driver", None)
        if driver is None or getattr(driver, "is_headless", False):
            return
        for a in new[:TOASTS_AT_ONCE]:
            for sequence in desktop_sequences(a, bool(os.environ.get("TMUX"))):
                driver.write(sequence)
        driver.flush()


def _same_inputs(now: tuple[object, ...], then: tuple[object, ...] | None) -> bool:
    """The store's inputs and the day compare by value, the config's facts and watches by
    identity (a reloaded config is a new object; comparing the facts costs more)."""
    return (then is not None and now[:2] == then[:2]
            and all(a is b for a, b in zip(now[2:], then[2:], strict=True)))


def desktop_sequences(alert: StoredAlert, in_tmux: bool) -> list[str]:
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
