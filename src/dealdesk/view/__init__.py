"""View models: what each panel and details screen shows, as plain rows of `rich.text.Text`.

The TUI and `dealdesk dump --format text` both render these, so a number reads the same in
both. Text from configs or feeds is always wrapped in `Text(...)`, never parsed as markup.

format.py holds what every view shares (figures, bars, ages, labels, the table and details
shapes); facts.py the story's panels, news.py the news and feeds, signals.py the inbox.
Everything is re-exported here: callers write `from dealdesk import view as V; V.money`.
"""

from __future__ import annotations

from .format import (
    BAR_EMPTY, BAR_FULL, BAR_PLANNED, FIELD_NAMES, METRIC_LABEL, QUALIFIER_MARK,
    QUALIFIER_WORDS, RISK_STATUS_LABEL, SEVERITY_LABEL, STALE_MARK, STATUS_LABEL, UNKNOWN,
    Column, DetailView, Row, TableView, age, bar, cells, field_value, gigawatts, metric_value,
    money, monochrome, monochrome_view, source_label, users,
)
from .facts import (
    DISPUTED_MARK, UsersView, compute_view, details, disagreement_lines, first_quote,
    growth_text, latest_users_line, partner_details, partners_view, per_week_text,
    risk_details, risks_view, source_lines, timeline_lines, tranche_line, user_point_details,
    user_point_keys, users_view,
)
from .news import (
    FEED_STATUS_LABEL, NEWS_EMPTY, NEWS_TITLE_WIDTH, NewsLine, feeds_view, news_item_details,
    news_line, news_view, when,
)
from .signals import (
    SIGNAL_STATE_LABEL, SignalLine, comparison, inbox_figures, signal_lines, signal_preview,
    signals_view,
)

__all__ = [
    "BAR_EMPTY", "BAR_FULL", "BAR_PLANNED", "Column", "DISPUTED_MARK", "DetailView",
    "FEED_STATUS_LABEL", "FIELD_NAMES", "METRIC_LABEL", "NEWS_EMPTY", "NEWS_TITLE_WIDTH",
    "NewsLine", "QUALIFIER_MARK", "QUALIFIER_WORDS", "RISK_STATUS_LABEL", "Row",
    "SEVERITY_LABEL", "SIGNAL_STATE_LABEL", "STALE_MARK", "STATUS_LABEL", "SignalLine",
    "TableView", "UNKNOWN", "UsersView", "age", "bar", "cells", "comparison", "compute_view",
    "details", "disagreement_lines", "feeds_view", "field_value", "first_quote", "gigawatts",
    "growth_text", "inbox_figures", "latest_users_line", "metric_value", "money", "monochrome",
    "monochrome_view",
    "news_item_details", "news_line", "news_view", "partner_details", "partners_view",
    "per_week_text", "risk_details", "risks_view", "signal_lines", "signal_preview",
    "signals_view", "source_label", "source_lines", "timeline_lines", "tranche_line",
    "user_point_details", "user_point_keys", "users", "users_view", "when",
]
