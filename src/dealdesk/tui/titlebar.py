"""What sits above the panels: the title bar's text and the panel tabs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .keys import PANEL_TITLES, PANELS

if TYPE_CHECKING:
    from textual.widgets import Tabs

    from .deskstate import DeskState


def title_text(title: str, state: DeskState, as_of_mark: Text | None) -> Text:
    """"DealDesk", the story's title, the day shown (`as_of_mark` on a past day: said so in
    a way no one can miss) and the count of new signals."""
    text = Text("DealDesk", style="bold")
    text.append(f"  {title}")
    if as_of_mark is not None:
        text.append_text(as_of_mark)
    else:
        text.append(f"  ·  as of {state.snap.today.isoformat()}", style="dim")
    new = state.new_signals  # counted by the store: thousands of signals are never read
    if new:
        text.append(f"  ·  ● {new} new signal{'s' if new > 1 else ''} (s)", style="bold")
    return text


def panel_tabs(active_panel: str) -> Tabs:
    """The tabs, one per panel; not focusable (the keys and a click move between panels)."""
    from textual.widgets import Tab, Tabs

    tabs = Tabs(
        *(Tab(f"{i} {PANEL_TITLES[p]}", id=f"tab-{p}") for i, p in enumerate(PANELS, 1)),
        active=f"tab-{active_panel}",
        id="panel-tabs",
    )
    tabs.can_focus = False
    return tabs
