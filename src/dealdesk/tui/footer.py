"""The footer of every screen: Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer rebuilds all its keys whenever a screen's bindings may have changed:
    each time the dashboard comes back from help or details, and on every focus change.
    Rebuilding a dozen keys costs more than the rest of such a frame, so an unchanged set
    of keys is left as it is, and so is the footer of a screen under another one, opaque or
    modal: its keys are off meanwhile, and a modal's open and close would otherwise rebuild
    the footer under its tint twice, each time laying out the screen below and painting the
    modal's backdrop again, in the frames that show what the modal was opened for. The
    screen checks its bindings again when it is back on top."""

    _shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self._shown is not None and screen is self.screen and (
            self._hidden() or self._keys(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)

    def _hidden(self) -> bool:
        return self.app.screen is not self.screen

    def _keys(self, screen: Screen[Any]) -> tuple[Any, ...]:
        """What compose draws from: the shown bindings (and the palette's), whether enabled,
        their tooltips. Hidden ones change with focus (a table's, help's) and draw nothing."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding, enabled, tooltip, self.app.get_key_display(binding))
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette
        )
