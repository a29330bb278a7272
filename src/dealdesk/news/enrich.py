"""The enrichment pass: tag stored items with the tracked names and turn their figures into
signals.

A refresh stores what it fetched first and enriches afterwards. Tagging and finding figures
cost more CPU than fetching and storing together (~0.5 ms an item), so the headless
`dealdesk refresh` leaves them to whoever shows the results: the dashboard's refresh worker
runs this pass after its fetches, `dealdesk dump` before it reads. Items go in batches of one
transaction each, so an interrupted pass keeps what it did and the next one carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..limits import RANGES, plausible

if TYPE_CHECKING:
    from ..store import Store
    from .entities import EntityMatcher

log = logging.getLogger(__name__)

# (title, summary) -> the figures found in them; anything add_signals accepts.
Figures = Callable[[str, str], Sequence[Any]]


@dataclass(frozen=True)
class EnrichReport:
    items: int = 0
    signals: int = 0


def tag_text(title: str, summary: str) -> str:
    return f"{title}\n{summary}"


def figure_finder(matcher: EntityMatcher) -> Figures:
    """The figures of an item as signals.find_figures reads them, subjects from `matcher`."""
    from .signals import find_figures

    return lambda title, summary: find_figures(f"{title}. {summary}", matcher)


def enrich_pending(
    store: Store,
    matcher: EntityMatcher,
    figures: Figures | None,
    now: datetime,
    batch: int = 500,
) -> EnrichReport:
    """Enrich every pending item; without `figures`, tag them only."""
    items = signals = 0
    while rows := store.pending_items(batch):
        done = [(item_id, matcher.find(tag_text(title, summary)),
                 _figures(figures, item_id, title, summary))
                for item_id, title, summary in rows]
        signals += store.enrich(done, now)
        items += len(done)
    return EnrichReport(items, signals)


def _figures(figures: Figures | None, item_id: int, title: str, summary: str) -> Sequence[Any]:
    if figures is None:
        return ()
    try:
        found = figures(title, summary)
    except Exception:  # a bug in figure extraction must not stall the pass or lose the item
        log.exception("finding figures in item %s failed", item_id)
        return ()
    # What becomes a signal is plausible for its metric, whoever found it (limits.RANGES).
    return [f for f in found if _plausible(f)]


def _plausible(figure: Any) -> bool:
    metric = figure.get("metric") if isinstance(figure, dict) else getattr(figure, "metric", None)
    if metric not in RANGES:
        return True  # not a figure with a range (a status, say): the store judges it
    value = figure.get("value") if isinstance(figure, dict) else getattr(figure, "value", None)
    return plausible(metric, value)
