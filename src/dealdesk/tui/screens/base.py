"""The base of DealDesk's screens, the dashboard's included: help opens over any of them."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

HELP_ID = "help"  # the help box (tui.help), found by id: its module loads when help first opens


class DeskScreen(Screen[Any]):
    """Help is a box in a layer of this screen (tui.help), not a screen of its own: a change of
    screens redraws the whole terminal, showing or hiding a box only its region.

    While help is open the keys go to it as if it had the focus, but the focus stays where it
    is: moving it restyles the panel that loses it and redraws every cell of its table, and
    moving it back does that again. So closing help puts nothing back: nothing moved."""

    DEFAULT_CSS = """
    DeskScreen {
        layers: default help;
        /* Only the help box is centred: the screen's own widgets fill it. */
        align: center middle;
    }
    """

    # Textual repaints the whole screen when the focus moves; the widgets that gain and lose
    # it repaint themselves anyway.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    @property
    def shown_help(self) -> Widget | None:
        """The help box when it is open."""
        return next((box for box in self.query_children(f"#{HELP_ID}") if box.visible), None)

    @property
    def _binding_chain(self) -> list[tuple[Any, Any]]:
        # Textual's chain of key bindings starts at the focused widget; with help open it
        # starts at the help box instead (its scroll keys, escape), then this screen and the
        # app, so no key reaches the table under the box.
        chain = super()._binding_chain
        box = self.shown_help
        if box is None:
            return chain
        return [(box, box._bindings.copy()),
                *((node, bindings) for node, bindings in chain if node in (self, self.app))]

    def on_screen_resume(self) -> None:
        # Back on top: the screen above is gone, and so are its widgets, but for a memo of
        # Textual's that keeps their drawn lines (tui/linecache.py).
        from ..linecache import release_line_caches

        release_line_caches()

    def on_worker_state_changed(self, event: Any) -> None:
        # A screen's workers (search) report to it alone (the message does not bubble): the
        # app's handler (the desk's NewsRoom.worker_failed) is the one place a failure is
        # told, whoever ran it.
        handler = getattr(self.app, "on_worker_state_changed", None)
        if handler is not None:
            handler(event)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        # A click outside the box closes help, as moving away from a pop-up does.
        box = self.shown_help
        if box is not None and not box.region.contains(event.screen_x, event.screen_y):
            hide_box(box)


def hide_box(box: Widget) -> None:
    """Hide a box drawn over the screen (help), and repaint what it covered.

    Textual 8.2.8 repaints where a widget was hidden only where its next layout finds the
    screen's map changed. That map is rebuilt lazily after a widget is first mounted (a
    toast, say), so a look-up of any widget between the change and the layout rebuilds it
    with the box already hidden: the layout then finds nothing changed, and the terminal
    keeps the box drawn until something else is drawn there (at rest, for good). Seen in a
    pty: about one `?` in 600 that closed help. A box shown is safe: it repaints itself.
    (Textual's issues #5024 and #5056 are of the same family.)
    """
    covered = box.region
    box.visible = False
    if covered:
        box.screen.refresh(covered)
