"""Horizontal scrollbars drawn as one run per colour, not one segment per cell."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment, Segments
from textual.scrollbar import ScrollBarRender


class RunsScrollBarRender(ScrollBarRender):
    """Textual draws a scrollbar cell by cell, and the terminal gets a colour code and a
    reset for each: a 120-column bar is ~5 KB, and a dashboard frame has four of them, a
    third of its bytes. The same cells in runs look the same and cost a few dozen bytes."""

    @classmethod
    def render_bar(cls, *args: Any, **kwargs: Any) -> Segments:
        bar = super().render_bar(*args, **kwargs)
        if bar.new_lines:  # vertical: a segment is a line already
            return bar
        return Segments(Segment.simplify(bar.segments), new_lines=False)
