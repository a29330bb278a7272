"""The Signals inbox: figures found in the news beside the facts they would change.

`a` accepts (the figure becomes a dated fact with the news item as its source), `d`
dismisses (hidden, and remembered), `u` puts it back to new. The store keeps every choice,
so they survive a restart and show in `dump` too, and accepted ones stay listed: an accept
is undone here whenever it was made.

The inbox lists a page of signals (newsroom.INBOX_PAGE), read from the store with counts of
every state: a feed that churns out 100,000 figures opens as fast as one with five. `]` and
`[` turn the pages: the screen asks the desk for a page, and shows it when the desk's
Signal says the page came.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from ... import view as V
from ..footer import KeysFooter
from ..panels.table import PanelTable, fill_list, highlighted_key
from .base import DeskScreen

if TYPE_CHECKING:
    from ..deskstate import DeskChanged, InboxDesk


class SignalsScreen(DeskScreen):
    DEFAULT_CSS = """
    SignalsScreen {
        #signals-body {
            border: round $accent;
            padding: 0 1;
        }
        #signals-preview {
            height: auto;
            max-height: 5;
            margin-top: 1;
        }
        #signals-summary {
            height: 1;
            color: $text-muted;
        }
        #signals-empty {
            height: auto;
            color: $text-muted;
            padding: 1 2;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "set_state('accepted')", "Accept"),
        Binding("d", "set_state('dismissed')", "Dismiss"),
        Binding("u", "set_state('new')", "Undo"),
        Binding("h", "toggle_dismissed", "Show dismissed"),
        Binding("right_square_bracket", "page(1)", "Next page", show=False),
        Binding("left_square_bracket", "page(-1)", "Previous page", show=False),
    ]

    def __init__(self, desk: InboxDesk) -> None:
        super().__init__()
        self.desk = desk
        self.lines: list[V.SignalLine] = []
        self.show_dismissed = False
        self.page_start = 0  # where the listed page starts, among the signals listed
        self.listed = 0  # how many signals the pages hold (the store's counts)
        self.shown: list[V.SignalLine] | None = None  # the lines last shown, as the app has them

    def compose(self) -> ComposeResult:
        with Vertical(id="signals-body") as body:
            body.border_title = "Signals: figures in the news vs the facts"
            body.border_subtitle = "a accept · d dismiss · u undo · enter news item · escape back"
            yield PanelTable(cursor_type="row", id="signals-table")
            yield Static(classes="empty", id="signals-empty")
            yield Static(id="signals-preview")
            yield Static(id="signals-summary")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(PanelTable).focus()
        # The desk reads the page asked for (show_inbox_page) and publishes it.
        self.desk.changed.subscribe(self, self._desk_changed, immediate=True)

    def on_unmount(self) -> None:
        self.desk.close_inbox()

    def _desk_changed(self, update: DeskChanged) -> None:
        from ..deskstate import Change

        lines = update.signal_lines
        # A screen opened again over an unchanged page has not shown it yet.
        if Change.SIGNALS in update and lines is not None and self.shown is not lines:
            self.show(lines, update.state.signal_counts or {}, update.state.signal_offset)

    def show(self, lines: list[V.SignalLine], counts: dict[str, int] | None = None,
             offset: int = 0) -> None:
        if offset != self.page_start:  # a page asked for before this one: the next read has it
            return
        self.shown = lines
        hidden = 0 if self.show_dismissed or counts is None else counts.get("dismissed", 0)
        self.listed = len(lines) if counts is None else sum(counts.values()) - hidden
        if not lines and self.page_start and self.listed:  # the last page emptied: step back
            self._go_to(max(0, self.listed - 1) // self._page_size() * self._page_size())
            return
        self.lines = lines
        fill_list(self, V.signals_view(lines, self.show_dismissed, counts, offset), "signals")
        self._preview()

    def _selected(self) -> V.SignalLine | None:
        key = highlighted_key(self.query_one(PanelTable))
        return next((line for line in self.lines if str(line.id) == key), None)

    def _preview(self) -> None:
        line = self._selected()
        self.query_one("#signals-preview", Static).update(
            V.signal_preview(line) if line else ""
        )

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._preview()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        line = self._selected()
        if line is not None:
            self.desk.open_news_item(line.news_id)

    def action_set_state(self, state: str) -> None:
        line = self._selected()
        if line is not None and line.state != state:
            self.desk.set_signal_state(line.id, state)

    def action_toggle_dismissed(self) -> None:
        self.show_dismissed = not self.show_dismissed
        self._go_to(0)

    def action_page(self, step: int) -> None:
        offset = self.page_start + step * self._page_size()
        if 0 <= offset < self.listed:
            self._go_to(offset)

    def _page_size(self) -> int:
        return self.desk.inbox_page_size()

    def _go_to(self, offset: int) -> None:
        self.page_start = offset
        self.desk.show_inbox_page(offset, self.show_dismissed)
