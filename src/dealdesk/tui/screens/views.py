"""`v`: pick a saved view of the news (config/views.toml), or all news."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...text.filters import SavedView

ALL_NEWS = "\x00all"  # the option id of "no view": no view name can hold a NUL


def describe(view: SavedView) -> str:
    parts = []
    if view.include:
        parts.append("any of " + ", ".join(view.include))
    if view.exclude:
        parts.append("none of " + ", ".join(view.exclude))
    if view.partners:
        parts.append("about " + ", ".join(view.partners))
    if view.feeds:
        parts.append("from " + ", ".join(view.feeds))
    return "; ".join(parts) or "all news"


class ViewsScreen(ModalScreen[str | None]):
    """Dismisses with a view's name, "" for all news, or None when cancelled."""

    DEFAULT_CSS = """
    ViewsScreen {
        align: center middle;
        #views-body {
            width: 80%;
            max-width: 100;
            height: auto;
            max-height: 80%;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }
        #views-list { height: auto; max-height: 20; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#views-list"

    def __init__(self, views: Sequence[SavedView], current: SavedView | None) -> None:
        super().__init__()
        self.views = list(views)
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(Text("All news (no view)", style="bold"), id=ALL_NEWS)]
        for view in self.views:
            label = Text(view.name, style="bold")
            label.append(f"  {describe(view)}", style="dim")
            options.append(Option(label, id=view.name))
        with Vertical(id="views-body") as body:
            body.border_title = Text("Saved views (config/views.toml)")
            yield OptionList(*options, id="views-list")
            hint = ("enter: show · escape: cancel" if self.views else
                    "No views yet: add [[view]] tables to config/views.toml, or save a search "
                    "(/ then ctrl+s). enter: show · escape: cancel")
            yield Static(Text(hint, style="dim"))

    def on_mount(self) -> None:
        names = [ALL_NEWS, *(v.name for v in self.views)]
        if self.current is not None and self.current.name in names:
            self.query_one(OptionList).highlighted = names.index(self.current.name)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        self.dismiss("" if option_id == ALL_NEWS or option_id is None else option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
