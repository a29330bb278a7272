"""Every fact about one partner, risk or data point: facts, timeline with quotes, sources."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ... import view as V
from ..footer import KeysFooter
from ..links import link_lines, linked
from .base import DeskScreen


class DetailsScreen(DeskScreen):
    DEFAULT_CSS = """
    DetailsScreen {
        #details-body {
            border: round $accent;
            border-title-style: bold;
            padding: 0 1;
        }
        .details-heading {
            margin-top: 1;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("c", "copy", "Copy"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
        Binding("down", "scroll('down')", "Down", show=False),
        Binding("up", "scroll('up')", "Up", show=False),
    ]

    def __init__(self, details: V.DetailView, copy_text: str | None = None) -> None:
        super().__init__()
        self.details = details
        self.copy_text = copy_text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy" and not self.copy_text:
            return None  # shown greyed out: there is nothing to copy here
        return True

    def action_copy(self) -> None:
        if self.copy_text:
            # OSC 52: the terminal sets the clipboard, which works over SSH too.
            self.app.copy_to_clipboard(self.copy_text)
            self.notify(f"Copied: {self.copy_text[:60]}", timeout=3, markup=False)

    def compose(self) -> ComposeResult:
        d = self.details
        with VerticalScroll(id="details-body") as body:
            # Text, not str: a str border title is parsed as markup, and titles come from feeds.
            body.border_title = Text(d.title)
            body.border_subtitle = Text(d.subtitle)
            yield Static(_facts_table(d, self.copy_text), classes="details-facts")
            if d.body:
                yield Static(Group(*d.body), classes="details-heading")
            if d.timeline:
                yield Static(Text("Timeline (oldest first)", style="bold underline"),
                             classes="details-heading")
                yield Static(Group(*V.timeline_lines(d)))
            if d.sources:
                yield Static(Text("Sources", style="bold underline"), classes="details-heading")
                yield Static(Group(*link_lines(V.source_lines(d))))
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#details-body").focus()

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#details-body", VerticalScroll)
        if direction == "down":
            body.scroll_down(animate=False)
        else:
            body.scroll_up(animate=False)


def _facts_table(d: V.DetailView, link: str | None = None) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in d.facts:
        grid.add_row(Text(label), linked(value, link) if label == "Link" else value)
    return grid
