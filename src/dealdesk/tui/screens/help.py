"""`?`: every key and what it does."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ...view import SEVERITY_LABEL, STALE_MARK, STATUS_LABEL
from ..keys import help_rows


class HelpScreen(Screen[None]):
    """Opaque on purpose: a modal would render all five panels again beneath it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        #help-body {
            width: 90;
            max-width: 100%;
            height: auto;
            max-height: 90%;
            border: round $accent;
            background: $surface;
            padding: 1 2;
        }
        #help-legend {
            margin-top: 1;
        }
    }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("question_mark", "app.pop_screen", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 3))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, what in help_rows(self.app.config.settings.keys):
            table.add_row(Text(keys), Text(what))
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "escape to close"
            yield Static(table)
            yield Static(_legend(), id="help-legend")


def _legend() -> Text:
    """The symbols, from the same tables the panels use, so the two cannot drift apart."""
    status = " ".join(label for label, _ in STATUS_LABEL.values())
    severity = " ".join(label for label, _ in SEVERITY_LABEL.values())
    return Text(
        f"Status: {status}\nSeverity: {severity}\n{STALE_MARK} not confirmed recently (stale)"
        " · ● unread",
        style="dim",
    )
