"""The Feeds screen: each feed's status, last success, items, error and next retry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from ... import view as V
from ..footer import KeysFooter
from ..panels.table import PanelTable, fill_table
from .base import DeskScreen

if TYPE_CHECKING:
    from ...model import FeedRow
    from ..deskstate import DeskChanged, DeskFeed


class FeedsScreen(DeskScreen):
    DEFAULT_CSS = """
    FeedsScreen {
        #feeds-body {
            border: round $accent;
            padding: 0 1;
        }
        #feeds-summary {
            height: auto;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, states: Sequence[FeedRow], now: datetime,
                 unread: Mapping[str, int] | None = None, *, desk: DeskFeed | None = None) -> None:
        super().__init__()
        self.desk = desk  # None: shows what it was given, and no changes
        self.states = list(states)
        self.now = now
        self.unread = dict(unread or {})  # unread items per feed (not hidden ones)

    def compose(self) -> ComposeResult:
        with Vertical(id="feeds-body") as body:
            body.border_title = "Feeds"
            body.border_subtitle = "r: refresh all · escape: back"
            yield PanelTable(cursor_type="row", id="feeds-table")
            yield Static(id="feeds-summary")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.show(self.states, self.now)
        self.query_one(PanelTable).focus()
        if self.desk is not None:
            self.desk.changed.subscribe(self, self._desk_changed, immediate=True)

    def _desk_changed(self, update: DeskChanged) -> None:
        from ..deskstate import Change

        if Change.READING in update:
            self.show_unread(update.state.reading.by_feed)
        if Change.NEWS in update and self.desk is not None:
            self.show(update.state.feed_states, self.desk.clock())

    def show(self, states: Sequence[FeedRow], now: datetime) -> None:
        self.states, self.now = list(states), now
        view = with_unread(V.feeds_view(self.states, now), self.unread)
        fill_table(self.query_one(PanelTable), view)
        self.query_one("#feeds-summary", Static).update(Text("\n").join(view.summary))

    def show_unread(self, unread: Mapping[str, int]) -> None:
        if dict(unread) != self.unread:
            self.unread = dict(unread)
            self.show(self.states, self.now)


def with_unread(view: V.TableView, unread: Mapping[str, int]) -> V.TableView:
    """The feeds table with an Unread column after Items (row keys are feed names)."""
    at = next((i + 1 for i, c in enumerate(view.columns) if c.label == "Items"),
              len(view.columns))
    columns = (*view.columns[:at], V.Column("Unread", justify="right"), *view.columns[at:])
    rows = tuple(replace(row, cells=(*row.cells[:at],
                                     Text(str(unread.get(row.key, 0)), justify="right",
                                          style="bold" if unread.get(row.key) else "dim"),
                                     *row.cells[at:]))
                 for row in view.rows)
    total = sum(unread.get(row.key, 0) for row in view.rows)
    summary = tuple(view.summary) + ((Text(f"{total} unread", style="bold"),) if total else ())
    return replace(view, columns=columns, rows=rows, summary=summary)
