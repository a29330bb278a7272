"""A panel that shows one `view.TableView` in a DataTable: the shape every panel shares."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
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

    _shape: tuple[Size, Size, Size] | None = None  # size, container, rows x columns

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        # Textual's ScrollView compares its own virtual size (rows x columns) with the one
        # layout offers it (the viewport), which never match: every layout of the screen, for
        # a line of text or help opening, repainted both scrollbars of every table (six on
        # the dashboard, ~0.6 ms each). Only a table whose shape changed needs that.
        shape = (size, container_size, self.virtual_size)
        if shape == self._shape:
            return False
        self._shape = shape
        return super()._size_updated(size, virtual_size, container_size, layout)


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
        # Text, not str: a str label is parsed as markup (and its first parse imports
        # rich's emoji table, a few ms before the first frame).
        table.add_column(Text(column.label), width=column.width)
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

    def __init__(self, *, active: bool = False, lean: bool = False) -> None:
        # Born active rather than made so after mounting: a class change restyles the subtree.
        classes = f"{self.DEFAULT_CLASSES} -active" if active else self.DEFAULT_CLASSES
        super().__init__(id=self.panel_id, classes=classes)
        self.border_title = f"{self.number} {self.title}"
        # Lean, for the first frame: without the lines it seldom shows (empty state, the
        # narrow screens' preview) until add_rare_lines. Each widget delays that frame.
        self._lean = lean
        self._view: TableView | None = None
        self._lines: dict[str, Text] = {}  # what _set_line last showed

    def compose_top(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield PanelTable(cursor_type="row", zebra_stripes=True, id=f"{self.panel_id}-table")
        if not self._lean:
            yield from self._rare_lines()
        yield Static(classes="summary")

    def _rare_lines(self) -> ComposeResult:
        yield Static(classes="empty")
        yield Static(classes="preview")

    async def add_rare_lines(self) -> None:
        if self._lean:
            self._lean = False
            await self.mount_all(self._rare_lines(), after=self.table)
            self._show_lines()
            table = self.table
            if table.row_count:
                self._show_preview(table.coordinate_to_cell_key(table.cursor_coordinate)
                                   .row_key.value)

    @property
    def table(self) -> PanelTable:
        return self.query_one(PanelTable)

    def show(self, view: TableView) -> None:
        table = self.table
        fill_table(table, view)
        table.display = bool(view.rows)
        # With no rows the panel itself takes focus, so 1..5 and tab still land somewhere.
        self.can_focus = not view.rows
        self._view = view
        self._show_lines()

    def _show_lines(self) -> None:
        view = self._view
        if view is None:
            return
        if not self._lean:
            self._set_line(".empty", Text(view.empty) if not view.rows else Text())
            self.query_one(".empty").display = not view.rows
        self._set_line(".summary", Text("\n").join(view.summary))
        self.query_one(".summary").display = bool(view.summary)

    def _set_line(self, selector: str, text: Text) -> None:
        """Update one of the panel's lines only when it changes: each update lays the whole
        screen out again, and a refresh shows News anew every few seconds."""
        if self._lines.get(selector) != text:
            self._lines[selector] = text
            self.query_one(selector, Static).update(text)

    def preview(self, key: str) -> Text | None:
        """The highlighted row in full, for terminals too narrow for every column."""
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_preview(event.row_key.value)

    def _show_preview(self, key: str | None) -> None:
        if self._lean:  # add_rare_lines shows it
            return
        text = self.preview(key) if key is not None else None
        preview = self.query_one(".preview", Static)
        # Hidden (wide screens), it takes no room: no new layout of the whole screen per key.
        preview.update(text or "", layout=preview.display)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.OpenDetails(self.panel_id, event.row_key.value))
