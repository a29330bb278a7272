"""`/`: search the news archive as you type (SQLite FTS5, in a worker thread).

Typing floods (a paste without bracketed paste, a stuck key, a script) stay cheap: the query
is capped at MAX_QUERY characters (Textual's Input refuses more, and a longer value would
cost it more to draw on every key), and the search runs once the typing pauses for
DEBOUNCE_SECONDS, not on every key press.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import Reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from ... import view as V
from ..panels.linetable import LineTable

MAX_QUERY = 200
DEBOUNCE_SECONDS = 0.25


class SearchInput(Input):
    """The query line: full is full, quietly (Textual rings the bell for every key it
    refuses: thousands in a flood), and a paste fills what room is left."""

    def restricted(self) -> None:
        pass

    def on_paste(self, event: events.Paste) -> None:
        # Handled here in full, on Input's public API: prevent_default keeps Input's own
        # (private) handler, which would refuse the whole paste, from running after this.
        event.prevent_default()
        event.stop()
        room = MAX_QUERY - len(self.value) + len(self.selected_text)
        lines = event.text.splitlines()
        if not lines or room <= 0:
            return
        line = lines[0][:room]
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *selection)


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

    # Textual repaints a whole screen when its focus moves, and a modal's whole screen is the
    # dashboard under it, composited and tinted again: a good part of the frame that shows
    # the results (which take the focus). Nothing the screen itself draws depends on the
    # focus (widgets restyle themselves on focus and blur), so a move repaints only them.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Back"),
                Binding("ctrl+s", "save_view", "Save as view")]

    def __init__(self, store_path: Path | None, now: datetime, query: str = "",
                 hide: tuple[tuple[str | None, str], ...] = (),
                 save_view: Callable[[str, str], str | None] | None = None) -> None:
        super().__init__()
        self.save_view = save_view  # (query, name) -> None, or why it was not saved
        self.hide = hide  # exclude rules (text.filters): hidden items are never found
        self.store_path = store_path
        self.now = now
        self.query_text = query[:MAX_QUERY]
        self._pending: str | None = None  # typed, not searched yet
        self._due = 0.0  # monotonic time the pending query is searched at
        self._waiting = False  # a timer is set for it
        self._focus_results = False  # enter was pressed before the results came
        self._searches = 0  # searches started: the latest one's results alone show

    def compose(self) -> ComposeResult:
        with Vertical(id="search-body") as body:
            body.border_title = "Search the news archive"
            body.border_subtitle = "enter: open · ctrl+s: save as a view · escape: back"
            yield SearchInput(value=self.query_text,
                              placeholder="words to find in titles and summaries",
                              max_length=MAX_QUERY, id="search-input")
            yield Static(id="search-status")
            yield LineTable(id="search-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._status("Type to search.")
        if self.query_text:
            self.search(self.query_text)

    def reopen(self, now: datetime, hide: tuple[tuple[str | None, str], ...]) -> None:
        """Shown again (the desk keeps one search screen): empty, as new. Making its widgets
        anew for each `/` left them, cyclic, to the collector's full passes: thousands of
        objects a search, collected in the middle of a later key's frame."""
        self.workers.cancel_group(self, "search")  # a search still running: its rows are stale
        self._searches += 1
        self.now, self.hide, self.query_text = now, hide, ""
        self._pending = None
        self._focus_results = False
        if not self.is_mounted:  # never shown yet: compose will do
            return
        box = self.query_one(SearchInput)
        with self.prevent(Input.Changed):
            box.value = ""
        self.query_one(LineTable).clear()
        self._status("Type to search.")
        box.focus()

    def _status(self, text: str) -> None:
        # One line, always: no need to lay the screen out again for it.
        self.query_one("#search-status", Static).update(Text(text), layout=False)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        # One timer at a time, pushed back by each key: a timer per key would cost a task
        # per key.
        self._pending = event.value
        self._focus_results = False  # typing again: an earlier enter is forgotten
        self._due = time.monotonic() + DEBOUNCE_SECONDS
        if not self._waiting:
            self._waiting = True
            self.set_timer(DEBOUNCE_SECONDS, self._search_when_due)

    def _search_when_due(self) -> None:
        wait = self._due - time.monotonic()
        if wait > 0.005:
            self.set_timer(wait, self._search_when_due)
            return
        self._waiting = False
        self._search_pending()

    def _search_pending(self) -> None:
        if self._pending is not None:
            query, self._pending = self._pending, None
            self.search(query)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        # Enter does not wait for the pause: the results, once in, take the focus.
        self._focus_results = True
        if self._pending is not None:
            self._search_pending()
        else:
            self._take_focus()

    def _take_focus(self) -> None:
        table = self.query_one(LineTable)
        if self._focus_results and table.row_count:
            self._focus_results = False
            table.focus()

    def search(self, query: str) -> None:
        """Search the archive for `query` in a worker thread; only the latest search's
        results ever show."""
        self._searches += 1
        self._search(query, self._searches)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str, search: int) -> None:
        if not query.strip():
            self.app.call_from_thread(self._show, search, query, None, [])
            return
        from ...store import NewsQuery, Store, StoredItem, StoreError
        from ..links import link_column
        from ..panels.fit import natural_widths

        items: list[StoredItem] = []
        if self.store_path is not None and self.store_path.exists():  # else: nothing stored
            try:
                with Store.open(self.store_path) as store:
                    items = store.search_shown(query, NewsQuery(hide=self.hide), limit=200)
            except StoreError as exc:
                if search == self._searches:
                    self.app.call_from_thread(self._status, str(exc))
                return
        # The rows are made here, off the screen's thread: it only has to draw them.
        lines = [V.news_line(i) for i in items]
        view = link_column(V.news_view(lines, self.now), "Title",
                           {str(i.id): i.link for i in lines})
        natural = natural_widths(view)
        # A newer search cancelled this one while the store answered: its rows are stale.
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, search, query, view, natural)

    def _show(self, search: int, query: str, view: V.TableView | None,
              natural: list[int]) -> None:
        # Only the latest search: one overtaken just after its cancelled check (by a newer
        # search, or by the screen shown again empty) lands here too.
        if search != self._searches:
            return
        table = self.query_one(LineTable)
        if view is None:  # nothing to search: the screen as it opened
            table.clear()
            self._status("Type to search.")
        else:
            table.show(view, natural)
            found = len(view.rows)
            self._status(f"{found} item{'s' if found != 1 else ''} match {query!r}")
        self._take_focus()

    def action_save_view(self) -> None:
        """The words searched become a saved view (views.toml), shown at once on News."""
        query = " ".join(self.query_one(Input).value.split())
        if not query:
            self.notify("Type words to search first: the view shows news holding them.",
                        timeout=3, markup=False)
            return
        if self.save_view is None:
            return
        error = self.save_view(query, query[:60])
        if error:
            self.notify(f"Not saved: {error}", severity="error", timeout=6, markup=False)
        else:
            self.notify(f"Saved the view {query[:60]!r} in views.toml", timeout=3, markup=False)

    @on(LineTable.RowSelected)
    def _chosen(self, event: LineTable.RowSelected) -> None:
        event.stop()
        self.dismiss(int(event.key))
