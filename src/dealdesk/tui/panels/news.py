"""The News panel: newest stored items first, with unread marks, feed, age and entities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from ... import view as V
from .table import Panel


class NewsPanel(Panel):
    panel_id, title, number = "news", "News", 5
    _status_shape = (0, 0)  # (width, lines) of the status line as last laid out

    def compose_top(self):
        yield Static(id="news-status")

    def show_news(
        self, items: Sequence[V.NewsLine], now: datetime, empty: str = V.NEWS_EMPTY
    ) -> None:
        from ..links import link_column

        # Each title is an OSC 8 hyperlink to its item's http(s) link.
        self.show(link_column(V.news_view(items, now, empty), "Title",
                              {str(i.id): i.link for i in items}))

    def set_status(self, text: Text | str) -> None:
        status = self.query_one("#news-status", Static)
        # One line or two (its max-height): "refreshing 3/50" -> "4/50" keeps the height, so
        # the whole screen needs no new layout, fifty times a refresh.
        width = status.content_size.width
        shape = (width, 1 if cell_len(str(text)) <= width else 2)
        status.update(text, layout=shape != self._status_shape)
        self._status_shape = shape
        status.display = bool(str(text))
