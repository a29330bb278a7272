"""A panel that shows one `view.TableView` in a DataTable: the shape every panel shares."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from dataclasses import replace

from ...view import TableView, monochrome


class PanelTable(DataTable):
    """A DataTable with vi keys. Its `enter` (select_cursor) opens the row's details."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


def fill_table(table: DataTable, view: TableView) -> None:
    """Show a view in a table, keeping the cursor on the same row key when it still exists."""
    if table.app.no_color:
        view = replace(view, rows=tuple(
            replace(row, cells=tuple(monochrome(c) for c in row.cells)) for row in view.rows))
    # Text cut by a column's width ends in an ellipsis, not mid-word.
    widths = [column.width for column in view.columns]
    view = replace(view, rows=tuple(
        replace(row, cells=tuple(_ellipsis(c) if w else c for c, w in zip(row.cells, widths)))
        for row in view.rows))
    key = None
    if table.row_count:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear(columns=True)
    for column in view.columns:
        table.add_column(column.label, width=column.width)
    for row in view.rows:
        table.add_row(*row.cells, key=row.key)
    if key is not None and key in table.rows:
        table.move_cursor(row=table.get_row_index(key), animate=False)


def _ellipsis(cell: Text) -> Text:
    cell = cell.copy()
    cell.overflow, cell.no_wrap = "ellipsis", True
    return cell


class Panel(Vertical):
    """Base of the five panels: a titled box with a table, an empty state and summary lines."""

    DEFAULT_CLASSES = "panel"
    panel_id: str = ""
    title: str = ""
    number: int = 0

    class OpenDetails(Message):
        def __init__(self, panel: str, key: str) -> None:
            self.panel = panel
            self.key = key
            super().__init__()

    def __init__(self) -> None:
        super().__init__(id=self.panel_id)
        self.border_title = f"{self.number} {self.title}"

    def compose_top(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield PanelTable(cursor_type="row", zebra_stripes=True, id=f"{self.panel_id}-table")
        yield Static(classes="empty")
        yield Static(classes="preview")
        yield Static(classes="summary")

    @property
    def table(self) -> PanelTable:
        return self.query_one(PanelTable)

    def show(self, view: TableView) -> None:
        table = self.table
        fill_table(table, view)
        empty = self.query_one(".empty", Static)
        empty.update(Text(view.empty) if not view.rows else "")
        empty.display = not view.rows
        table.display = bool(view.rows)
        # With no rows the panel itself takes focus, so 1..5 and tab still land somewhere.
        self.can_focus = not view.rows
        summary = self.query_one(".summary", Static)
        summary.update(Text("\n").join(view.summary))
        summary.display = bool(view.summary)

    def preview(self, key: str) -> Text | None:
        """The highlighted row in full, for terminals too narrow for every column."""
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value
        text = self.preview(key) if key is not None else None
        self.query_one(".preview", Static).update(text or "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.OpenDetails(self.panel_id, event.row_key.value))
