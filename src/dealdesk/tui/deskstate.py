"""The dashboard's state, and the core of the controller that owns it (tui.desk.Desk).

DealDeskApp keeps layout, focus and keys; what the dashboard shows (news, feeds, facts,
signals, alerts, the day shown...) is a DeskState owned by a Desk. The Desk reads the store
in workers, refreshes in a child process and keeps the read marks, alerts, time travel and
"since you last looked" (one part per concern: newsroom, reader, alerting, timetravel,
sincelast). Whenever the state changes it publishes a DeskChanged on its Textual Signal,
saying what changed: the app repaints its panels from it, and each open screen (Feeds,
Signals, Alerts) subscribes and updates itself. Nothing reads the app's attributes.

This module is the bottom of the dashboard's own layers: the desk's parts and the screens
import it, it imports none of them (screens see the desk through the Protocols below).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.signal import Signal

from .. import facts as F
from .. import view as V
from ..config import Config
from ..text.filters import SavedView
from ..value import Value

if TYPE_CHECKING:
    from textual.app import App

    from ..since import SinceLast
    from ..store import FeedState, Store, StoredAlert, StoredSignal
    from ..text.filters import Exclusions

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)

Remember = Callable[..., None]  # DealDeskApp._remember: UiState fields by keyword


class Change(StrEnum):
    """What a DeskChanged says changed."""

    NEWS = "news"  # the News rows, the feed states or the store's note
    STATUS = "status"  # the News status line only (refresh progress, a note)
    READING = "reading"  # unread and hidden counts (title of News, Feeds' Unread column)
    FACTS = "facts"  # the snapshot: accepted figures, or another day shown
    TITLE = "title"  # the title bar's count of new signals
    SIGNALS = "signals"  # the open inbox's page of signals or its counts
    ALERTS = "alerts"  # the alerts the watches matched


class ReadCounts(Value):
    """Unread and hidden items of what News shows, and unread per feed and per partner."""

    unread: int = 0
    hidden: int = 0
    by_feed: dict[str, int] = field(default_factory=dict)
    by_entity: dict[str, int] = field(default_factory=dict)


@dataclass
class DeskState:
    """Everything the dashboard shows, in one place (owned and changed by the Desk)."""

    snap: F.Snapshot
    accepted: list[F.AcceptedFigure] = field(default_factory=list)
    news_items: list[V.NewsLine] = field(default_factory=list)
    news_note: str = ""  # why the store could not be read, or what it skipped
    news_filter: str | None = None  # the entity News is filtered on
    feed_states: list[FeedState] = field(default_factory=list)
    last_success: datetime | None = None
    refresh_state: tuple[int, int] | None = None  # (done, total) while our refresh runs
    signals: list[StoredSignal] | None = None  # the open inbox's page; None: never read
    signal_counts: dict[str, int] | None = None  # the inbox's signals by state (SQL counts)
    signal_offset: int = 0  # where the page read last starts
    new_signals: int = 0  # new signals about a tracked fact: the title bar's count
    saved_view: SavedView | None = None
    unread_only: bool = False
    reading: ReadCounts = field(default_factory=ReadCounts)
    alerts: list[StoredAlert] = field(default_factory=list)  # newest first
    since_summary: SinceLast | None = None  # None: no previous session (or not read yet)
    as_of: date | None = None  # None: today, moving with the clock
    store_read: bool = False  # read once: its disappearance is news, not a start
    inbox: tuple[int, bool] | None = None  # the open inbox's (offset, dismissed shown)


class DeskChanged(Value):
    """The Desk's Signal payload: what changed, and the state after the change."""

    changes: frozenset[Change]
    state: DeskState
    signal_lines: list[V.SignalLine] | None = None  # with SIGNALS: the inbox's lines

    def __contains__(self, change: Change) -> bool:
        return change in self.changes


def story_day(today: date, as_of: date | None) -> date:
    """The day the facts are shown as of: `as_of` if it is before today."""
    return today if as_of is None or as_of >= today else as_of


def story_snapshot(config: Config, today: date, as_of: date | None,
                   accepted: list[F.AcceptedFigure]) -> F.Snapshot:
    """The facts as known on the day shown, with the accepted figures."""
    from .. import history as H

    day = story_day(today, as_of)
    if day == today:
        return F.snapshot(F.with_accepted(config.story, accepted), day)
    # Partners and risks opened after the day are not shown before they existed.
    return F.snapshot(F.with_accepted(H.story_as_of(config.story, [], day), accepted), day)


def _nothing() -> None:
    return None


class DeskCore:
    """What every part of the desk shares: its dependencies (the config, where the store
    lives, a clock, the app as Textual's API for workers, messages, toasts and screens, and
    how to remember UI state), the state, and the Signal that says what changed."""

    def __init__(self, app: App[Any], config: Config, store_path: Path | None, clock: Clock,
                 *, remember: Remember, refresh_on_start: bool = True,
                 as_of: date | None = None, state_dir: Path | None = None) -> None:
        self.app = app
        self.config = config
        self.store_path = store_path
        self.clock = clock
        self.remember = remember
        self.refresh_on_start = refresh_on_start
        self.state_dir = state_dir
        self.changed: Signal[DeskChanged] = Signal(app, "desk-changed")
        self.state = DeskState(snap=story_snapshot(config, clock().date(), as_of, []),
                               as_of=as_of)
        self._signal_lines: list[V.SignalLine] | None = None
        # Re-read the store (NewsRoom.load_news), wired by the Desk once its parts exist.
        self.reload: Callable[[], None] = _nothing

    def publish(self, *changes: Change) -> None:
        lines = self.signal_lines if Change.SIGNALS in changes else None
        self.changed.publish(DeskChanged(frozenset(changes), self.state, lines))

    def open_store(self) -> Store:
        from ..store import Store, StoreError

        if self.store_path is None:
            raise StoreError("no data directory")
        return Store.open(self.store_path)

    @property
    def exclusions(self) -> Exclusions:
        """What `[news] exclude` and the feeds' `exclude` hide."""
        from ..text.filters import exclusions

        return exclusions(self.config.settings.news_exclude, self.config.feeds)

    @property
    def signal_lines(self) -> list[V.SignalLine]:
        """The inbox's page beside the facts: the same list until the signals or facts
        change (the inbox compares by identity)."""
        if self._signal_lines is None:
            self._signal_lines = V.signal_lines(self.config.story, self.state.signals or [],
                                                self.state.accepted, self.state.snap.today)
        return self._signal_lines

    def forget_signal_lines(self) -> None:
        self._signal_lines = None


# -- what screens see of the desk (they never import it, nor read the app) -----------------


class DeskFeed(Protocol):
    """A screen that follows the desk: its Signal, and the clock."""

    changed: Signal[DeskChanged]
    clock: Clock


class NewsOpener(DeskFeed, Protocol):
    def open_news_item(self, item_id: int) -> None: ...


class InboxDesk(NewsOpener, Protocol):
    """What the Signals inbox asks of the desk."""

    def set_signal_state(self, signal_id: int, state: str) -> None: ...

    def show_inbox_page(self, offset: int, dismissed: bool) -> None: ...

    def close_inbox(self) -> None: ...

    def inbox_page_size(self) -> int: ...
