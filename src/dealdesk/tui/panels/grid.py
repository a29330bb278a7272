"""The dashboard's grid of panels, whose rows are as tall as their panels' rows need.

Partners spans the first row, Compute and Users share the second, Risks and News the third.
A fixed split (14 / 1fr / 1fr) hid partners while Compute and Risks sat half empty: here the
first two rows get what their panels need (measured once laid out: table rows plus the
panel's own lines) and the third, where News grows without end, takes the rest.
"""

from __future__ import annotations

from textual.containers import Container

ROWS = (("partners",), ("compute", "users"), ("risks", "news"))
MIN_ROW = 5  # a border, a header and a row or two


def row_heights(needs: list[int], height: int, last_floor: int) -> tuple[int, int]:
    """Heights of the first two rows, from what each needs, in `height` cells. Partners
    first (the desk's subject), then Compute and Users, each leaving the rows below what
    the last one needs (up to half of what is left, so no row is starved)."""
    first, second = needs
    first = max(MIN_ROW, min(first, height - 2 * MIN_ROW, height // 2))
    rest = height - first
    second = max(MIN_ROW, min(second, rest - min(last_floor, rest // 2)))
    return first, second


class PanelGrid(Container):
    _rows: str = ""

    def fit_rows(self) -> None:
        screen = self.screen
        # Tabs (narrow or short screens) show one panel at a time, as tall as the screen.
        if not (screen.has_class("-wide") and screen.has_class("-tall")) or not self.size.height:
            return
        from .table import Panel

        panels = {panel.id: panel for panel in self.query_children(Panel)}
        if any(name not in panels for row in ROWS for name in row):
            return  # before the first frame's other panels are mounted
        wanted = [[panels[name].wanted_height() for name in row] for row in ROWS]
        if any(w is None for w in wanted[0] + wanted[1]):
            return
        needs = [max(w for w in row if w is not None) for row in wanted[:2]]
        last = max((w for w in wanted[2] if w is not None), default=MIN_ROW)
        first, second = row_heights(needs, self.size.height, last)
        rows = f"{first} {second} 1fr"
        if rows != self._rows:  # each change lays the whole screen out again
            self._rows = rows
            self.styles.grid_rows = rows
