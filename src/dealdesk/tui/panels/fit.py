"""Column widths that fit a table into its box: no horizontal scrollbar, ever.

A column's `priority` says what it is for: 0 is what the table is about (a partner's name),
higher numbers are detail. When the columns are wider than the box, shrinkable columns give
way first, least important first, down to their `min_width` (a cut cell ends in "…"); then
the least important column is hidden (the panel's preview strip spells it out for the
highlighted row) and the rest are fitted again. Pure arithmetic on cell counts: no widgets.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len

from ...view import Column, TableView

CELL_PADDING = 1  # DataTable's default: this many blank cells on each side of every column


def natural_widths(view: TableView) -> list[int]:
    """Each column as wide as its label and widest cell, capped by the column's width."""
    widths = []
    for index, column in enumerate(view.columns):
        wide = max((row.cells[index].cell_len for row in view.rows), default=0)
        wide = max(wide, cell_len(column.label))
        widths.append(wide if column.width is None else min(wide, column.width))
    return widths


def fit_columns(
    columns: Sequence[Column], natural: Sequence[int], width: int,
    padding: int = CELL_PADDING,
) -> tuple[int | None, ...]:
    """Each column's width in `width` cells, or None where it is hidden.

    The widths plus padding never exceed `width`, unless a single column (the most
    important one) cannot fit even cut to one cell."""
    shown = list(range(len(columns)))
    widths: dict[int, int] = {}
    for _ in range(len(columns)):  # each pass hides one column: bounded
        widths = {i: natural[i] for i in shown}
        over = sum(widths[i] + 2 * padding for i in shown) - width
        # Least important first, and of equals the rightmost.
        for i in sorted(shown, key=lambda i: (-columns[i].priority, -i)):
            if over <= 0:
                break
            floor = columns[i].min_width
            if floor is None:
                continue
            give = min(over, max(0, widths[i] - max(1, floor)))
            widths[i] -= give
            over -= give
        if over <= 0 or len(shown) == 1:
            break
        shown.remove(max(shown, key=lambda i: (columns[i].priority, i)))
    if len(shown) == 1:  # a box narrower than the one column left: cut it to the box
        only = shown[0]
        widths[only] = max(1, min(widths[only], width - 2 * padding))
    return tuple(widths.get(i) for i in range(len(columns)))


def table_width(widths: Sequence[int | None], padding: int = CELL_PADDING) -> int:
    """The width a DataTable gives these columns (its virtual width)."""
    return sum(w + 2 * padding for w in widths if w is not None)
