"""What workers tell the app. Small dataclass messages; bursts collapse with can_replace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import NoActiveWorker, get_current_worker

from .. import view as V

if TYPE_CHECKING:
    from ..store import FeedState, StoredSignal
    from .deskstate import ReadCounts


@dataclass
class NewsLoaded(Message):
    items: list[V.NewsLine]
    total: int
    feeds: list[FeedState] = field(default_factory=list)
    error: str | None = None
    new_signals: int = 0  # new signals about a tracked fact: the title bar's count
    accepted: list[StoredSignal] = field(default_factory=list)  # facts now
    signals: list[StoredSignal] | None = None  # the open Signals inbox's page of signals
    pending: int = 0  # items another process stored without enriching them (a cron refresh)
    note: str | None = None  # rows the store skipped as unreadable, in one line
    signal_counts: dict[str, int] | None = None  # the inbox's signals by state, all pages
    signal_offset: int = 0  # where the inbox's page starts
    reading: ReadCounts | None = None  # unread and hidden counts
    read: int = 0  # which load_news asked for it (0: none): never shown after a newer one


@dataclass
class RefreshProgress(Message):
    done: int
    total: int
    feed: str
    status: str

    def can_replace(self, message: Message) -> bool:
        # Fifty feeds finishing at once need one repaint, not fifty.
        return isinstance(message, RefreshProgress)


@dataclass(frozen=True)
class FeedResult:
    """One feed's outcome, as the refresh process reported it."""

    name: str
    status: str
    new_items: int
    elapsed_ms: int
    error: str | None = None


@dataclass
class RefreshFinished(Message):
    outcomes: list[FeedResult] = field(default_factory=list)
    error: str | None = None

    @property
    def failed(self) -> list[FeedResult]:
        return [o for o in self.outcomes if o.status == "error"]


@dataclass
class StoreChanged(Message):
    """Another connection (a cron `dealdesk refresh`, say) committed to the store."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


def post_if_current(target: MessagePump, message: Message) -> None:
    """Post a thread worker's result unless a newer worker of its exclusive group has
    replaced it meanwhile. A thread cannot be stopped: cancelled, it still runs to its end,
    and a slow older read posted after a newer one would put stale rows back on screen,
    where they stay until the store changes again. Outside a worker (a direct call) the
    message is always posted."""
    try:
        cancelled = get_current_worker().is_cancelled
    except NoActiveWorker:
        cancelled = False
    if not cancelled:
        target.post_message(message)
