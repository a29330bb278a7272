"""The News panel: newest stored items first, with unread marks, feed, age and entities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from ... import view as V
from .table import Panel

if TYPE_CHECKING:
    from ..deskstate import DeskState


class NewsPanel(Panel):
    panel_id, title, number = "news", "News", 5
    follow_head = True  # newest first: a reader on the newest item sees what arrives
    _status_shape = (0, 0)  # (width, lines) of the status line as last laid out

    def compose_top(self) -> ComposeResult:
        yield Static(id="news-status")

    def show_news(
        self, items: Sequence[V.NewsLine], now: datetime, empty: str = V.NEWS_EMPTY
    ) -> None:
        from ..links import link_column

        # Each title is an OSC 8 hyperlink to its item's http(s) link.
        self.show(link_column(V.news_view(items, now, empty), "Title",
                              {str(i.id): i.link for i in items}))

    def show_state(self, state: DeskState, now: datetime) -> None:
        """Title, rows and status line, from the desk's state."""
        self.show_title(state)
        self.show_news(state.news_items, now, news_empty(state))
        self.show_status(state, now)

    def show_title(self, state: DeskState) -> None:
        self.border_title = news_title(state)

    def show_status(self, state: DeskState, now: datetime) -> None:
        self.set_status(news_status(state, now))

    def set_status(self, text: Text | str) -> None:
        status = self.query_one("#news-status", Static)
        # One line or two (its max-height): "refreshing 3/50" -> "4/50" keeps the height, so
        # the whole screen needs no new layout, fifty times a refresh.
        width = status.content_size.width
        shape = (width, 1 if cell_len(str(text)) <= width else 2)
        status.update(text, layout=shape != self._status_shape)
        self._status_shape = shape
        status.display = bool(str(text))


def news_status(state: DeskState, now: datetime) -> Text:
    """The line under News: refresh progress or last update, failed feeds, the store's note."""
    text = Text()
    if state.refresh_state is not None:
        done, total = state.refresh_state
        text.append(f"⟳ refreshing {done}/{total} feeds", style="bold")
    elif state.last_success is not None:
        text.append(f"updated {V.when(state.last_success, now)}")
    else:
        text.append("never refreshed")
    failed = [f for f in state.feed_states if f.status == "error"]
    if failed:
        names = ", ".join(f"{f.name} ({f.error})" for f in failed[:3])
        more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
        text.append(f" · ✖ {len(failed)} failed: {names}{more} · f: feeds", style="red")
    if state.news_note:
        text.append(f" · {state.news_note}", style="red")
    return text


def news_empty(state: DeskState) -> str:
    """What News says when it shows nothing, and why."""
    empty = (f"No stored news mentions {state.news_filter}. Press escape to show all news."
             if state.news_filter else V.NEWS_EMPTY)
    if state.unread_only or state.saved_view is not None:
        empty = ("Nothing unread here (u shows read items too)" if state.unread_only
                 else "Nothing in this view") + (" · v: views" if state.saved_view else "")
    return empty


def news_title(state: DeskState) -> Text:
    """The News panel's border title."""
    parts = ["5 News"]
    if state.news_filter:
        parts.append(state.news_filter)
    if state.saved_view is not None:
        parts.append(f"view: {state.saved_view.name}")
    if state.unread_only:
        parts.append("unread only")
    counts = state.reading
    if counts.unread:
        parts.append(f"{counts.unread} unread")
    if counts.hidden:
        parts.append(f"{counts.hidden} hidden")
    # A Text, not a str: a str border title is parsed as markup, and names are data.
    return Text(" · ".join(parts))
