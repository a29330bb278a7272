"""The row under the cursor on the dashboard: what `c` copies, `o` opens and `m` marks.

Imported when one of those keys is first pressed: the first frame does not need it. Given
what it reads (a panel, the desk's state), not the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import view as V
from . import links

if TYPE_CHECKING:
    from textual.screen import Screen

    from .deskstate import DeskState
    from .panels.table import Panel


def row_key(panel: Panel | None) -> str | None:
    """The key of the highlighted row; None without a panel or rows."""
    if panel is None or not panel.table.row_count:
        return None
    return panel.table.coordinate_to_cell_key(panel.table.cursor_coordinate).row_key.value


def news_under_cursor(panel: Panel | None, items: Sequence[V.NewsLine]) -> V.NewsLine | None:
    key = row_key(panel)
    return None if key is None else next((i for i in items if str(i.id) == key), None)


def link_to_open(screen: Screen[Any], item: V.NewsLine | None) -> str | None:
    """The http(s) link of the details shown, or of the highlighted News row."""
    from .screens.details import DetailsScreen

    if isinstance(screen, DetailsScreen):
        return links.web_url(screen.copy_text)
    return links.web_url(item.link) if item is not None else None


def copy_text(panel_name: str, key: str, state: DeskState) -> str | None:
    """The news item's link, or the fact's first quote, on the row `key`."""
    if panel_name == "news":
        return next((i.link for i in state.news_items if str(i.id) == key), None)
    return V.first_quote(V.details(state.snap, panel_name, key))
