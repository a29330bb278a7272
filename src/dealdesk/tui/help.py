"""`?`: every key and what it does, in a box over the screen it was opened on.

The box lives in its screen's `help` layer (screens.base.DeskScreen, which also sends it the
keys while it is open). Imported when help first opens: the first frame does not need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ..view import SEVERITY_LABEL, STALE_MARK, STATUS_LABEL
from .keys import help_rows
from .screens.base import HELP_ID, DeskScreen, hide_box


class HelpBox(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    HelpBox {
        layer: help;
        visibility: hidden;
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 1 2;
        #help-legend {
            margin-top: 1;
        }
    }
    """

    # Besides VerticalScroll's arrows, page keys, home and end. Hidden, so the footer keeps its
    # keys (rebuilding them costs more than drawing the box), and the help key stays the
    # app's, which opens and closes help.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", show=False),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__(id=HELP_ID)
        self.keymap = keymap
        self.border_title = "Keys"
        self.border_subtitle = "escape to close"

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 3))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, what in help_rows(self.keymap):
            table.add_row(Text(keys), Text(what))
        yield Static(table)
        yield Static(_legend(), id="help-legend")

    def open(self) -> None:
        self.scroll_home(animate=False)
        self.visible = True

    def close(self) -> None:
        hide_box(self)

    def action_close(self) -> None:
        self.close()


async def help_box(screen: DeskScreen, keymap: Mapping[str, str]) -> HelpBox:
    """The screen's help box, made (hidden) on first use."""
    box = next(iter(screen.query_children(HelpBox)), None)
    if box is None:
        box = HelpBox(keymap)
        # First among the screen's children: the compositor numbers widgets from the last
        # one, so a box shown after them would renumber, and so redraw, all of them.
        await screen.mount(box, before=0)
    return box


async def toggle_help(screen: Screen[Any], keymap: Mapping[str, str], *,
                      close: bool = True) -> None:
    """Show the screen's help box, or hide it if shown and `close`."""
    if not isinstance(screen, DeskScreen):  # Textual's own (the command palette)
        return
    box = await help_box(screen, keymap)
    if not box.visible:
        box.open()
    elif close:
        box.close()


def _legend() -> Text:
    """The symbols, from the same tables the panels use, so the two cannot drift apart."""
    status = " ".join(label for label, _ in STATUS_LABEL.values())
    severity = " ".join(label for label, _ in SEVERITY_LABEL.values())
    return Text(
        f"Status: {status}\nSeverity: {severity}\n{STALE_MARK} not confirmed recently (stale)"
        " · ● unread",
        style="dim",
    )
