"""A figure in big three-line digits that says what the figure says: "> 900M", "1.2B".

Textual's Digits draws digits only (its "B" is a hex digit, "M" falls to the bottom line),
so the hedge and the unit are drawn here beside the number, as small text on its middle
line. A box too narrow for the big digits gets the figure as one line of text instead.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.renderables.digits import Digits
from textual.widget import Widget

# "> 900M": a hedge mark, the number (digits, separators), then the unit.
_FIGURE = re.compile(r"^(?:(?P<mark>\S+) )?(?P<number>[0-9][0-9.,]*)(?P<unit>\S*)$")


def big_lines(figure: str) -> list[str] | None:
    """The figure's three lines, all one width; None when it is no number ("—")."""
    found = _FIGURE.match(figure)
    if found is None:
        return None
    segments = Digits(found["number"]).render(Style())
    number = "".join(s.text for s in segments if isinstance(s, Segment)).split("\n")[:3]
    mark = f"{found['mark']} " if found["mark"] else ""
    unit = found["unit"]
    pad, tail = " " * cell_len(mark), " " * cell_len(unit)
    return [pad + number[0] + tail, mark + number[1] + unit, pad + number[2] + tail]


class BigFigure(Widget):
    DEFAULT_CSS = """
    BigFigure { width: auto; height: 3; }
    """

    figure: reactive[str] = reactive("", layout=True)

    def get_content_width(self, container: object, viewport: object) -> int:
        lines = big_lines(self.figure)
        return cell_len(lines[0]) if lines else cell_len(self.figure)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return 3

    def render(self) -> RenderableType:
        lines = big_lines(self.figure)
        # Cut to its box, a figure would say another number: then it is said in one line.
        if lines is None or cell_len(lines[0]) > self.size.width:
            return Text(self.figure, style="bold", no_wrap=True, overflow="ellipsis")
        return Text("\n".join(lines), no_wrap=True)
