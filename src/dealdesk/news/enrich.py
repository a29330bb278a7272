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
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..limits import RANGES, plausible
from ..value import Value

if TYPE_CHECKING:
    from ..store import Store
    from .entities import EntityMatcher

log = logging.getLogger(__name__)

# (title, summary) -> the figures found in them; anything add_signals accepts.
Figures = Callable[[str, str], Sequence[Any]]


class EnrichReport(Value):
    items: int = 0
    signals: int = 0


def tag_text(title: str, summary: str) -> str:
    return f"{title}\n{summary}"


def figure_finder(
    matcher: EntityMatcher, tracked: str = "OpenAI", partners: Collection[str] | None = None,
) -> Figures:
    """The figures of an item as signals.find_figures reads them, subjects from `matcher`,
    then the status moves news.status reads about `partners`' deals with `tracked`."""
    from .signals import find_figures
    from .status import find_statuses

    def find(title: str, summary: str) -> list[Any]:
        text = f"{title}. {summary}"
        return [*find_figures(text, matcher, tracked=tracked),
                *find_statuses(text, matcher, tracked=tracked, partners=partners)]

    return find


OnError = Callable[[int, Exception], None]


def enrich_story(store: Store, story: Any, now: datetime) -> EnrichReport:
    """Enrich what a headless refresh stored, with the tracked names, company and partners
    of `story` (facts.Story): tags, figures and status moves. sqlite3.Error is the
    caller's (a read-only store, say)."""
    from .entities import EntityMatcher

    if not store.count_pending():
        return EnrichReport()
    matcher = EntityMatcher(story.entities())
    finder = figure_finder(matcher, story.company, [p.name for p in story.partners])
    return enrich_pending(store, matcher, finder, now)


def enrich_pending(
    store: Store,
    matcher: EntityMatcher,
    figures: Figures | None,
    now: datetime,
    batch: int = 500,
    on_error: OnError | None = None,
) -> EnrichReport:
    """Enrich every pending item; without `figures`, tag them only.

    An item that cannot be tagged, or whose figures cannot be stored, is marked done
    without them and handed to `on_error(item id, exception)`: it never stalls the pass,
    nor the items after it. A failing store (StoreError) still raises.
    """
    from ..store import StoreError

    items = signals = 0
    while rows := store.pending_items(batch):
        done = [_enrich_one(matcher, figures, row, on_error) for row in rows]
        try:
            signals += store.enrich(done, now)
        except StoreError:
            raise
        except Exception:  # one item's figures: store them one by one to find it
            for entry in done:
                try:
                    signals += store.enrich([entry], now)
                except StoreError:
                    raise
                except Exception as exc:
                    _failed(on_error, entry[0], exc)
                    store.enrich([(entry[0], (), ())], now)
        items += len(done)
    return EnrichReport(items, signals)


def _enrich_one(
    matcher: EntityMatcher, figures: Figures | None, row: tuple[int, str, str],
    on_error: OnError | None,
) -> tuple[int, Sequence[str], Sequence[Any]]:
    """One item's tags and figures; what fails is left out and reported, the rest kept."""
    item_id, title, summary = row
    names: Sequence[str] = ()
    found: Sequence[Any] = ()
    try:
        names = matcher.find(tag_text(title, summary))
    except Exception as exc:
        _failed(on_error, item_id, exc)
    if figures is not None:
        try:
            found = figures(title, summary)
        except Exception as exc:  # a bug in figure extraction must not lose the item
            _failed(on_error, item_id, exc)
    # What becomes a signal is plausible for its metric, whoever found it (limits.RANGES).
    return item_id, names, [f for f in found if _plausible(f)]


def _failed(on_error: OnError | None, item_id: int, exc: Exception) -> None:
    log.error("enriching item %s failed: %r", item_id, exc)
    if on_error is not None:
        on_error(item_id, exc)


def _plausible(figure: Any) -> bool:
    metric = figure.get("metric") if isinstance(figure, dict) else getattr(figure, "metric", None)
    if metric not in RANGES:
        return True  # not a figure with a range (a status, say): the store judges it
    value = figure.get("value") if isinstance(figure, dict) else getattr(figure, "value", None)
    return plausible(metric, value)
