"""`@`: pick the day the dashboard shows the story as of. Enter a date (YYYY-MM-DD), or
`today` (or nothing) to come back to the present; escape leaves the day as it was."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


def parse_day(value: str, today: date) -> date | str | None:
    """The day typed, None for today, or a one-line reason it cannot be used."""
    value = value.strip()
    if value in ("", "today"):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return f"not a date: {value[:40]!r} (use YYYY-MM-DD, or today)"
    if day > today:
        return f"{day.isoformat()} is after today: the story is shown as it was known"
    return None if day == today else day


class AsOfScreen(ModalScreen[date | None | bool]):
    """Dismisses with the day, None for today, or False when cancelled."""

    DEFAULT_CSS = """
    AsOfScreen {
        align: center middle;
        #asof-body {
            width: 60;
            height: auto;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }
        #asof-error { color: $error; height: auto; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#asof-input"  # the app focuses nothing by itself (DealDeskApp.AUTO_FOCUS)

    def __init__(self, shown: date, today: date) -> None:
        super().__init__()
        self.shown = shown
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="asof-body"):
            yield Static(Text("Show the story as of (YYYY-MM-DD, or today):", style="bold"))
            yield Input(value=self.shown.isoformat(), max_length=40, id="asof-input")
            yield Static(Text("enter: show · escape: cancel", style="dim"))
            yield Static("", id="asof-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        day = parse_day(event.value, self.today)
        if isinstance(day, str):
            self.query_one("#asof-error", Static).update(Text(day))
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(False)
