"""The Alerts screen: what the watches matched, newest first (enter opens the news item)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ...view.alerts import alert_source, alerts_view
from ..footer import KeysFooter
from ..panels.table import PanelTable, fill_list, highlighted_key
from .base import DeskScreen


class AlertsScreen(DeskScreen):
    DEFAULT_CSS = """
    AlertsScreen {
        #alerts-body {
            border: round $accent;
            padding: 0 1;
        }
        #alerts-preview {
            height: auto;
            max-height: 5;
            margin-top: 1;
        }
        #alerts-summary, #alerts-empty {
            height: auto;
            color: $text-muted;
        }
    }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, alerts: Sequence[Any]) -> None:
        super().__init__()
        self.alerts = list(alerts)

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-body") as body:
            body.border_title = "Alerts: what the watches matched"
            body.border_subtitle = "enter: news item · escape: back"
            yield PanelTable(cursor_type="row", id="alerts-table")
            yield Static(id="alerts-empty")
            yield Static(id="alerts-preview")
            yield Static(id="alerts-summary")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.show(self.alerts)
        self.query_one(PanelTable).focus()

    def show(self, alerts: Sequence[Any]) -> None:
        self.alerts = list(alerts)
        fill_list(self, alerts_view(self.alerts), "alerts")
        self._preview()

    def _selected(self) -> Any | None:
        key = highlighted_key(self.query_one(PanelTable))
        return next((a for a in self.alerts if str(a.id) == key), None)

    def _preview(self) -> None:
        alert = self._selected()
        self.query_one("#alerts-preview", Static).update(alert_source(alert) if alert else "")

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._preview()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        alert = self._selected()
        if alert is not None and alert.news_id is not None:
            self.app.open_news_item(alert.news_id)
