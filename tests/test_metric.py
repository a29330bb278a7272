"""model.Metric names each tracked figure once; names read from TOML, SQLite or JSON (plain
strings) find the same entries as the members do."""

import json
import sqlite3
from datetime import UTC, datetime
from types import SimpleNamespace

from dealdesk import limits
from dealdesk.model import Metric
from dealdesk.view.format import FIELD_NAMES, METRIC_LABEL
from dealdesk.view.news import news_line


def test_a_metric_is_its_name_wherever_it_goes():
    for metric in Metric:
        assert metric == metric.value and f"{metric}" == metric.value
        assert json.dumps({metric: metric}) == json.dumps({metric.value: metric.value})
        row = sqlite3.connect(":memory:").execute("SELECT ?, typeof(?)", (metric, metric))
        assert row.fetchone() == (metric.value, "text")


def test_every_number_metric_has_a_range_and_a_label_looked_up_by_plain_name():
    for metric in Metric:
        if metric is Metric.STATUS:
            continue
        assert str(metric.value) in limits.RANGES
        assert str(metric.value) in FIELD_NAMES
    for name in ("weekly_active_users", "capacity_gw", "commitment_usd"):
        assert name in METRIC_LABEL


def test_a_view_takes_any_row_with_the_fields_it_reads():
    row = SimpleNamespace(id=1, title="A", feed="f", published=datetime(2025, 1, 1, tzinfo=UTC),
                          read=True, entities=("Nvidia",), link=None, summary="",
                          date_flag=None)
    line = news_line(row)
    assert (line.id, line.title, line.feed, line.read, line.entities) == (
        1, "A", "f", True, ("Nvidia",))
