"""The plausible range of each tracked figure, written once.

A figure outside its range is a misreading ("7 trillion weekly users"), a typo or a hostile
input, never news: `dealdesk check` rejects it in config/facts/, the figure finder never
offers it, and an accepted signal outside it is left out of the facts. Every bound is
inclusive and finite, so a value inside one is never NaN or infinite.

This module sits at the bottom of the layers: it imports only the metric names (model).
"""

from __future__ import annotations

import math
from typing import TypeGuard

from .model import Metric

__all__ = ["RANGES", "describe", "finite", "plausible"]

# metric -> (lowest, highest). The limits are generous: they bound what could be true, not
# what is likely.
RANGES: dict[str, tuple[float, float]] = {
    # A few times the world's population: more weekly users than that cannot be.
    Metric.WEEKLY_ACTIVE_USERS: (1.0, 20e9),
    # Gigawatts promised or deployed are never negative; 1,000 GW is the US grid's size.
    Metric.CAPACITY_GW: (0.0, 1000.0),
    Metric.DEPLOYED_GW: (0.0, 1000.0),
    # US dollars: 1e14 ($100 trillion) is about the world's yearly output.
    Metric.COMMITMENT_USD: (0.0, 1e14),
    Metric.INVESTMENT_MAX_USD: (0.0, 1e14),
    Metric.TRANCHE_PER_GW_USD: (0.0, 1e14),
}


def finite(value: object) -> TypeGuard[int | float]:
    """Whether `value` is a real number (int or float, not bool) that is neither NaN nor ±inf."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def plausible(metric: str, value: object) -> bool:
    """Whether `value` is a number inside `metric`'s range. Any finite number is plausible
    for a metric that has no range; nothing that is not a finite number ever is."""
    if not finite(value):
        return False
    bounds = RANGES.get(metric)
    return bounds is None or bounds[0] <= value <= bounds[1]


def describe(metric: str) -> str:
    """The range in words, for messages: "from 1 to 2e+10"."""
    low, high = RANGES[metric]
    return f"from {low:g} to {high:g}"
