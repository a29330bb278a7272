"""What the dashboard looks like, on fixed data, a fixed clock and fixed sizes.

Update with `make snapshots` and look at every changed SVG before committing it.
"""

from __future__ import annotations

import pytest

from .apps import make_app


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size)


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5"])
def test_each_panel_focused_80x24(snap_compare, number):
    """5 also shows News in its empty state: how news arrives."""
    assert snap_compare(make_app(), press=[number], terminal_size=(80, 24))


def test_compute_focused_120x40(snap_compare):
    assert snap_compare(make_app(), press=["2"], terminal_size=(120, 40))


def test_partner_details(snap_compare):
    assert snap_compare(make_app(), press=["enter"], terminal_size=(100, 40))


def test_risk_details(snap_compare):
    assert snap_compare(make_app(), press=["4", "enter"], terminal_size=(100, 40))


def test_user_point_details(snap_compare):
    assert snap_compare(make_app(), press=["3", "j", "j", "enter"], terminal_size=(100, 30))


def test_help(snap_compare):
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=(100, 30))


def test_60x20_degrades(snap_compare):
    assert snap_compare(make_app(), press=["3"], terminal_size=(60, 20))
