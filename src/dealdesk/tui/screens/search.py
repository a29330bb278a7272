"""`/`: search the news archive as you type (SQLite FTS5, in a worker thread)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from ... import view as V
from ..panels.table import PanelTable, fill_table


class SearchScreen(ModalScreen[int | None]):
    """Dismisses with the chosen item's id, or None."""

    DEFAULT_CSS = """
    SearchScreen {
        align: center middle;
        #search-body {
            width: 100%;
            max-width: 120;
            height: 90%;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }
        #search-status {
            height: 1;
            color: $text-muted;
        }
    }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Back")]

    def __init__(self, store_path: Path | None, now: datetime, query: str = "") -> None:
        super().__init__()
        self.store_path = store_path
        self.now = now
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(id="search-body") as body:
            body.border_title = "Search the news archive"
            body.border_subtitle = "enter: open · escape: back"
            yield Input(value=self.query_text, placeholder="words to find in titles and summaries",
                        id="search-input")
            yield Static(id="search-status")
            yield PanelTable(cursor_type="row", id="search-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._status("Type to search.")
        if self.query_text:
            self.search(self.query_text)

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(Text(text))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        table = self.query_one(PanelTable)
        if table.row_count:
            table.focus()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search(self, query: str) -> None:
        if not query.strip():
            self.app.call_from_thread(self._show, query, [])
            return
        if self.store_path is None or not self.store_path.exists():
            self.app.call_from_thread(self._show, query, [])
            return
        from ...store import Store, StoreError

        try:
            with Store.open(self.store_path) as store:
                items = store.search(query, limit=200)
        except StoreError as exc:
            self.app.call_from_thread(self._status, str(exc))
            return
        lines = [V.news_line(i) for i in items]
        self.app.call_from_thread(self._show, query, lines)

    def _show(self, query: str, lines: list[V.NewsLine]) -> None:
        fill_table(self.query_one(PanelTable), V.news_view(lines, self.now))
        if not query.strip():
            self._status("Type to search.")
        else:
            self._status(f"{len(lines)} item{'s' if len(lines) != 1 else ''} match {query!r}")

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.dismiss(int(event.row_key.value))
