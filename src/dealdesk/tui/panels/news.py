"""The News panel: newest stored items first, with unread marks, feed, age and entities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from ... import view as V
from .table import Panel


class NewsPanel(Panel):
    panel_id, title, number = "news", "News", 5

    def compose_top(self):
        yield Static(id="news-status")

    def show_news(
        self, items: Sequence[V.NewsLine], now: datetime, empty: str = V.NEWS_EMPTY
    ) -> None:
        self.show(V.news_view(items, now, empty))

    def set_status(self, text: Text | str) -> None:
        status = self.query_one("#news-status", Static)
        status.update(text)
        status.display = bool(str(text))
