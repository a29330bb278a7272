"""A panel that shows one `view.TableView` in a DataTable: the shape every panel shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from ...view import TableView, monochrome_view
from .fit import fit_columns, natural_widths

EMPTY_HEIGHT = 8  # a panel showing its empty state: border, padding, three lines


class PanelTable(DataTable[RenderableType]):
    """A DataTable with vi keys. Its `enter` (select_cursor) opens the row's details."""

    BINDINGS: ClassVar[list[BindingType]] = [
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

    def on_resize(self) -> None:
        # A new width may fit more columns, or fewer: the panel fits them again.
        panel = self.parent
        if isinstance(panel, Panel):
            panel.refit()


def fill_table(table: DataTable[RenderableType], view: TableView,
               widths: Sequence[int | None] | None = None, *, follow_head: bool = False) -> None:
    """Show a view in a table, keeping the cursor on the same row key when it still exists.

    `widths` (from fit.fit_columns): each column's width, None for a hidden one; without
    them, the view's own widths. `follow_head` (a newest-first list): a cursor on the first
    row stays on the first row, so what arrives shows instead of pushing the view down to
    the row that was first; a reader who moved down keeps their row."""
    if table.app.no_color:
        view = monochrome_view(view)
    shown: Sequence[int | None] = (
        widths if widths is not None else [column.width for column in view.columns])
    keep = [i for i, column in enumerate(view.columns)
            if widths is None or shown[i] is not None]
    key = None
    if table.row_count and not (follow_head and table.cursor_row == 0):
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear(columns=True)
    for i in keep:
        # Text, not str: a str label is parsed as markup (and its first parse imports
        # rich's emoji table, a few ms before the first frame).
        table.add_column(_ellipsis(Text(view.columns[i].label)), width=shown[i])
    for row in view.rows:
        # Text cut by a column's width ends in an ellipsis, not mid-word.
        table.add_row(*(_ellipsis(row.cells[i]) if shown[i] else row.cells[i] for i in keep),
                      key=row.key)
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
    follow_head = False  # fill_table's: for a newest-first list

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
        self._fitted: tuple[int | None, ...] | None = None  # widths the table shows
        self._fitted_for: int | None = None  # the width they were fitted to
        self._hidden: tuple[int, ...] = ()  # columns that did not fit, spelled out below
        self._shown_view: TableView | None = None  # the view as drawn at the fitted width

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
        self._view = view
        self._fill(self._available_width())
        table.display = bool(view.rows)
        # With no rows the panel itself takes focus, so 1..5 and tab still land somewhere.
        self.can_focus = not view.rows
        self._show_lines()
        self._ask_heights()

    def view_for_width(self, view: TableView, width: int) -> TableView:
        """The view drawn for a box `width` cells wide: charts take what the columns leave."""
        return view

    def _fill(self, width: int) -> None:
        view = self.view_for_width(self._view, width) if self._view else None
        if view is None:
            return
        widths = fit_columns(view.columns, natural_widths(view), width)
        table = self.table
        if widths != self._fitted or view is not self._shown_view:
            fill_table(table, view, widths, follow_head=self.follow_head)
        self._fitted, self._fitted_for, self._shown_view = widths, width, view
        hidden = tuple(i for i, w in enumerate(widths) if w is None)
        if hidden != self._hidden:
            self._hidden = hidden
            self.set_class(bool(hidden), "-hiding")
            if table.row_count:
                self._show_preview(table.coordinate_to_cell_key(table.cursor_coordinate)
                                   .row_key.value)

    def _available_width(self) -> int:
        """The table's width for columns: its own once laid out, less a vertical scrollbar
        when its rows need one; before that, a guess from the screen (the panel spans it in
        tabs, or half of it on the wide dashboard beside another)."""
        table = self.table
        if table.size.width:
            width, height = table.size
        else:
            width, height = self.app.size.width, self.app.size.height
            beside = (self.screen.has_class("-wide") and self.screen.has_class("-tall")
                      and self.styles.column_span < 2)
            width = (width // 2 if beside else width) - 4  # border and padding
        rows = len(self._view.rows) if self._view else 0
        if rows + 1 > height:
            width -= table.styles.scrollbar_size_vertical
        return max(1, width)

    def refit(self) -> None:
        if self._view is not None and self.table.size.width:
            width = self._available_width()
            if width != self._fitted_for:
                self._fill(width)
        self._ask_heights()

    def _ask_heights(self) -> None:
        """The dashboard's grid gives each row of panels what its rows need (tui.panels.grid),
        measured once this panel is laid out."""
        grid = self.parent
        fit_rows = getattr(grid, "fit_rows", None)
        if fit_rows is not None:
            self.call_after_refresh(fit_rows)

    def wanted_height(self) -> int | None:
        """The height showing every row needs, or None before the panel is laid out."""
        table = self.table
        if not self.size.height:
            return None
        if not table.display:  # the empty state: a few lines of text
            return EMPTY_HEIGHT
        chrome = self.outer_size.height - table.outer_size.height
        return chrome + table.row_count + (table.header_height if table.show_header else 0)

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
        """The highlighted row's hidden columns, "Label: value · ...": what the box was too
        narrow for. Charts (no label) are left out."""
        view = self._shown_view
        if view is None or not self._hidden:
            return None
        row = next((r for r in view.rows if r.key == key), None)
        if row is None:
            return None
        text = Text()
        for i in self._hidden:
            label = view.columns[i].label
            if not label or not row.cells[i].plain.strip():
                continue
            if text:
                text.append(" · ")
            text.append(f"{label}: ", style="bold")
            text.append_text(row.cells[i])
        return text

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


def fill_list(screen: Widget, view: TableView, name: str) -> None:
    """A list screen's table (its PanelTable), its empty line and its summary, from `view`:
    the widgets `#{name}-empty` and `#{name}-summary` (the inbox, the alerts)."""
    fill_table(screen.query_one(PanelTable), view)
    empty = screen.query_one(f"#{name}-empty", Static)
    empty.update(view.empty if not view.rows else "")
    empty.display = not view.rows
    screen.query_one(f"#{name}-summary", Static).update(view.summary[0])


def highlighted_key(table: DataTable[RenderableType]) -> str | None:
    """The key of the highlighted row, or None in an empty table."""
    if not table.row_count:
        return None
    key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    return None if key is None else str(key)
