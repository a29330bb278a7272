"""The Feeds screen: each feed's status, last success, items, error and next retry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from ... import view as V
from ..footer import KeysFooter
from ..panels.table import PanelTable, fill_table
from .base import DeskScreen


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
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, states: Sequence[object], now: datetime) -> None:
        super().__init__()
        self.states = list(states)
        self.now = now

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

    def show(self, states: Sequence[object], now: datetime) -> None:
        self.states, self.now = list(states), now
        view = V.feeds_view(self.states, now)
        fill_table(self.query_one(PanelTable), view)
        self.query_one("#feeds-summary", Static).update(Text("\n").join(view.summary))
