"""A read-only table drawn line by line (Textual's Line API), for long lists of results.

DataTable renders every visible cell through a rich console (padding, styling, cropping),
about half a millisecond per line: a screenful of search results cost 13-15 ms of the
frame that shows them. Here a row is one Text (its cells cut to their columns, an ellipsis
where cut) rendered once into a Strip and kept until the rows, the widths or the styles
change. Only the lines on screen are ever built, so 200 results cost what 30 do.

It looks and reads like the panels' tables: a bold header that stays put, a row cursor
(`up`/`down`, `j`/`k`, page keys, `home`/`end`), `enter` or a click to choose a row.
Columns are fitted to the box (panels.fit): no horizontal scrollbar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...view import Row, TableView, monochrome_view
from .fit import CELL_PADDING, fit_columns, natural_widths, table_width


class LineTable(ScrollView, can_focus=True):
    """Rows of a `view.TableView`; `RowSelected` carries the chosen row's key."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"linetable--header", "linetable--cursor"}

    # DataTable's looks, so the results read like every other table of the desk.
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        scrollbar-gutter: stable;
        & > .linetable--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .linetable--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .linetable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .linetable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .linetable--header {
                background-tint: $foreground 5%;
            }
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", show=False),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    class RowSelected(Message):
        """A row was chosen (enter, or a click on it)."""

        def __init__(self, table: LineTable, key: str) -> None:
            self.table = table
            self.key = key
            super().__init__()

        @property
        def control(self) -> LineTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._view: TableView | None = None
        self._natural: list[int] = []
        self._widths: tuple[int | None, ...] = ()
        self._fitted_to = -1  # the width the columns were fitted to
        self._cursor = 0
        self._strips: dict[tuple[int, bool], Strip] = {}
        self._header: Strip | None = None

    # -- what it shows --------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._view.rows) if self._view is not None else 0

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def row(self, index: int) -> Row:
        """The row at `index` as given (its key and every cell, hidden columns too)."""
        if self._view is None:
            raise IndexError(index)
        return self._view.rows[index]

    @property
    def widths(self) -> tuple[int | None, ...]:
        """Each column's width as shown; None for a column the box has no room for."""
        return self._widths

    def show(self, view: TableView, natural: Sequence[int] | None = None) -> None:
        """Show `view`'s rows, the cursor on the same row key when it is still there (else
        the first row). `natural`: natural_widths(view), when already known."""
        key = None
        if self._view is not None and self._view.rows:
            key = self._view.rows[min(self._cursor, len(self._view.rows) - 1)].key
        if self.app.no_color:
            view = monochrome_view(view)
        self._view = view
        self._natural = list(natural) if natural is not None else natural_widths(view)
        self._cursor = next((i for i, r in enumerate(view.rows) if r.key == key), 0)
        self._fit()
        self.scroll_to(0, self._scroll_for(self._cursor, 0), animate=False, immediate=True)
        self.refresh()

    def clear(self) -> None:
        """Show nothing, not even the header (as before the first show)."""
        self._view = None
        self._natural = []
        self._widths = ()
        self._cursor = 0
        self._strips.clear()
        self._header = None
        self.virtual_size = Size(0, 0)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def _fit(self) -> None:
        view = self._view
        room = self.scrollable_content_region.width
        if view is None:
            return
        self._widths = fit_columns(view.columns, self._natural, max(room, 1))
        self._fitted_to = room
        self._strips.clear()
        self._header = None
        self.virtual_size = Size(table_width(self._widths), len(view.rows) + 1)

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._fitted_to:
            self._fit()
            self.refresh()

    def notify_style_update(self) -> None:
        # Focus, theme and NO_COLOR change the styles the kept lines were drawn with.
        super().notify_style_update()
        self._strips.clear()
        self._header = None

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if self._view is None:
            return Strip.blank(width, base)
        if y == 0:
            if self._header is None:
                header = self.get_component_rich_style("linetable--header")
                labels = [Text(c.label, justify=c.justify) for c in self._view.columns]
                self._header = self._line(labels, base + header, None).extend_cell_length(
                    max(width, table_width(self._widths)), base + header)
            strip = self._header
        else:
            index = y - 1 + scroll_y
            if index >= len(self._view.rows):
                return Strip.blank(width, base)
            cursor = index == self._cursor
            kept = self._strips.get((index, cursor))
            if kept is None:
                post = self.get_component_rich_style("linetable--cursor") if cursor else None
                kept = self._line(self._view.rows[index].cells, base, post)
                if post is not None:
                    kept = kept.extend_cell_length(width, base + post)
                self._strips[(index, cursor)] = kept
            strip = kept
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _line(self, cells: Sequence[Text], base: Style, post: Style | None) -> Strip:
        assert self._view is not None
        line = Text(style=base, end="", no_wrap=True)
        pad = " " * CELL_PADDING
        for cell, column, width in zip(cells, self._view.columns, self._widths, strict=False):
            if width is None:
                continue
            text = cell.split("\n")[0] if "\n" in cell.plain else cell.copy()
            text.truncate(width, overflow="ellipsis")
            room = width - text.cell_len
            justify = cell.justify or column.justify
            left = room if justify == "right" else room // 2 if justify == "center" else 0
            line.append(pad + " " * left)
            line.append_text(text)
            line.append(" " * (room - left) + pad)
        segments = list(line.render(self.app.console))
        if post is not None:
            segments = list(Segment.apply_style(segments, post_style=post))
        return Strip(segments, line.cell_len)

    # -- keys and mouse ---------------------------------------------------------------------

    def _scroll_for(self, index: int, scroll_y: int) -> int:
        """The scroll offset that shows row `index`, moving as little as possible."""
        shown = max(self.scrollable_content_region.height - 1, 1)  # the header stays
        if index < scroll_y:
            return index
        if index >= scroll_y + shown:
            return index - shown + 1
        return scroll_y

    def move_cursor(self, index: int) -> None:
        if not self.row_count:
            return
        index = max(0, min(index, self.row_count - 1))
        if index == self._cursor:
            return
        self._cursor = index
        top = self._scroll_for(index, self.scroll_offset.y)
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()  # two lines change; the others are kept strips

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self._cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self._cursor + direction * max(self.size.height - 2, 1))

    def action_cursor_to(self, index: int) -> None:
        self.move_cursor(index if index >= 0 else self.row_count - 1)

    def action_select(self) -> None:
        if self.row_count:
            self.post_message(self.RowSelected(self, self.row(self._cursor).key))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = event.y - 1 + self.scroll_offset.y
        if 0 <= index < self.row_count:
            event.stop()
            self.move_cursor(index)
            self.action_select()

