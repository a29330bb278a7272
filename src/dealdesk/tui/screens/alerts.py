"""The Alerts screen: what the watches matched, newest first (enter opens the news item)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ...view.alerts import alert_source, alerts_view
from ..footer import KeysFooter
from ..panels.table import PanelTable, fill_list, highlighted_key
from .base import DeskScreen

if TYPE_CHECKING:
    from ...store import StoredAlert
    from ..deskstate import DeskChanged, NewsOpener


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
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, desk: NewsOpener, alerts: Sequence[StoredAlert]) -> None:
        super().__init__()
        self.desk = desk
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
        self.desk.changed.subscribe(self, self._desk_changed, immediate=True)

    def _desk_changed(self, update: DeskChanged) -> None:
        from ..deskstate import Change

        if Change.ALERTS in update:
            self.show(update.state.alerts)

    def show(self, alerts: Sequence[StoredAlert]) -> None:
        self.alerts = list(alerts)
        fill_list(self, alerts_view(self.alerts), "alerts")
        self._preview()

    def _selected(self) -> StoredAlert | None:
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
            self.desk.open_news_item(alert.news_id)
