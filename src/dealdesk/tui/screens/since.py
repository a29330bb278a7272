"""The Since screen: what changed since the last session, section by section (since.py)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...since import SinceLast, headline, sections, seen_label
from ..footer import KeysFooter
from .base import DeskScreen


class SinceScreen(DeskScreen):
    DEFAULT_CSS = """
    SinceScreen {
        #since-body {
            border: round $accent;
            padding: 0 1;
        }
        #since-body Static {
            height: auto;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, summary: SinceLast) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="since-body") as body:
            body.border_title = f"Since you last looked ({seen_label(self.summary)})"
            body.border_subtitle = "escape: back"
            body.can_focus = True
            yield Static(Text(headline(self.summary), style="bold"), id="since-headline")
            for title, lines in sections(self.summary):
                # Text, never markup: titles and quotes come from the feeds.
                text = Text(f"\n{title}", style="bold")
                for line in lines:
                    text.append(f"\n  {line}")
                yield Static(text, classes="since-section")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#since-body").focus()
