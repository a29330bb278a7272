"""One refresh: fetch the due feeds concurrently, parse, store, then enrich. Headless.

Used by `dealdesk refresh` (without the enrichment) and by the dashboard's refresh process,
news.worker. It runs its own event loop with asyncio.run, so call it from a thread that has
none. Threads involved:
- the event loop: network only;
- one dedicated store thread owning the SQLite connection: it parses the feeds that came
  in (CPU work never blocks the downloads) and stores them, all those waiting in one
  transaction, as soon as they are done; then (unless `enrich` is off) it runs the
  enrichment pass (news.enrich) over the new items; then, given `keep_days`, it prunes the
  items published before the window (store/archive.py), which it also never stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ..model import FeedSpec, FetchLimits, FetchResult, NewsItem
from ..store import Store, StoreError
from ..value import Value
from .early import HeadStart
from .enrich import EnrichReport, Figures, enrich_pending
from .fetch import fetch_all, make_client, unexpected
from .transport import FeedTransport

log = logging.getLogger(__name__)
T = TypeVar("T")


class FeedOutcome(Value):
    name: str
    status: str  # ok | not_modified | error
    new_items: int
    elapsed_ms: int
    error: str | None = None
    http_status: int | None = None


class RefreshReport(Value):
    outcomes: list[FeedOutcome]  # in the order of the specs given
    skipped: tuple[str, ...] = field(default=())  # not due yet (only when not forced)
    enriched: EnrichReport = field(default=EnrichReport())
    pruned: int = 0  # old items deleted by retention (keep_days)
    prune_error: str | None = None  # why pruning failed; the refresh itself still counts

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "error")


Progress = Callable[[int, int, FeedOutcome], None]


def run_refresh(
    specs: Sequence[FeedSpec],
    store_path: Path,
    limits: FetchLimits,
    entities: Mapping[str, Sequence[str]],
    now: Callable[[], datetime],
    force: bool = True,
    on_progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    figures: Figures | None = None,
    respect_interval: bool = True,
    enrich: bool = True,
    head_start: HeadStart | None = None,
    keep_days: int = 0,
) -> RefreshReport:
    """Refresh the feeds (all of them with `force`, else only those due) into the store.

    A feed that fails is recorded as failed with its reason and keeps its cached items;
    the others carry on. `on_progress(done, total, outcome)` is called from this thread's
    event loop after each feed is stored. Then, with `enrich`, every pending item (these and
    any a headless refresh left) is tagged with `entities` and, given `figures`, its figures
    become signals. Raises StoreError if the store cannot be opened.

    `head_start` (early.from_store, made before this module was imported) holds requests
    already sent; the default transport takes them over. It is closed in any case.

    `keep_days` (0: keep everything) is the retention window: items published before it
    are not stored, and those already stored are pruned once the feeds are in, except
    those an accepted signal cites.
    """
    if head_start is not None and transport is None:
        transport = FeedTransport(head_start=head_start)
    try:
        return asyncio.run(
            _refresh(
                list(specs), Path(store_path), limits, entities, now, force, on_progress,
                transport, figures, respect_interval, enrich, keep_days,
            )
        )
    finally:
        if head_start is not None:
            head_start.close()


async def _refresh(
    specs: list[FeedSpec],
    store_path: Path,
    limits: FetchLimits,
    entities: Mapping[str, Sequence[str]],
    now: Callable[[], datetime],
    force: bool,
    on_progress: Progress | None,
    transport: httpx.AsyncBaseTransport | None,
    figures: Figures | None,
    respect_interval: bool,
    enrich: bool,
    keep_days: int = 0,
) -> RefreshReport:
    loop = asyncio.get_running_loop()
    cutoff = now() - timedelta(days=keep_days) if keep_days > 0 else None
    # A single thread owns the connection: sqlite3 objects must not cross threads.
    store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dealdesk-store")

    async def in_store(fn: Callable[..., T], *args: Any) -> T:
        return await loop.run_in_executor(store_thread, functools.partial(fn, *args))

    try:
        store = await in_store(Store.open, store_path)
        try:
            due = await in_store(store.due_feeds, specs, now(), limits.refresh_minutes, force,
                                 respect_interval, limits.backoff_max_minutes)
            validators = await in_store(store.validators)
            outcomes: dict[str, FeedOutcome] = {}
            new_ids: dict[int, str] = {}  # item id -> feed, for an enrichment that fails

            intake = _Intake(functools.partial(in_store, _parse_and_store, store), limits,
                             cutoff)

            async def settle(result: FetchResult) -> None:
                try:
                    outcome = await _settle(result, intake, now, new_ids)
                except Exception as exc:  # this feed's parse, dates or store: its error alone
                    log.exception("storing %s failed", result.name)
                    outcome = FeedOutcome(result.name, "error", 0, result.elapsed_ms,
                                          unexpected(exc), result.http_status)
                outcomes[outcome.name] = outcome
                if on_progress is not None:
                    on_progress(len(outcomes), len(due), outcome)

            if due:
                async with intake, make_client(limits, transport) as client:
                    await fetch_all(due, limits, validators, client=client, on_done=settle)
            enriched = EnrichReport()
            if enrich:
                from .entities import EntityMatcher

                failed: dict[str, str] = {}

                def enrich_failed(item_id: int, exc: Exception) -> None:
                    feed = new_ids.get(item_id)
                    if feed is not None:
                        failed.setdefault(feed, f"enrichment failed: {unexpected(exc)}")

                enriched = await in_store(
                    enrich_pending, store, EntityMatcher(entities), figures, now(),
                    500, enrich_failed,
                )
                for feed, reason in failed.items():  # stored, but not tagged: say so
                    outcomes[feed] = replace(outcomes[feed], status="error", error=reason)
            pruned, prune_error = 0, None
            if cutoff is not None:
                try:
                    pruned = (await in_store(store.prune_before, cutoff)).deleted
                except (sqlite3.Error, StoreError) as exc:  # the news is in: say so, go on
                    log.error("pruning failed: %r", exc)
                    prune_error = f"pruning old items failed ({_one_line(str(exc))})"
            # A store deleted or replaced meanwhile kept nothing: never "N new items".
            await in_store(store.ensure_same_file)
        finally:
            await in_store(store.close)
    finally:
        store_thread.shutdown(wait=True)
    due_names = {spec.name for spec in due}
    return RefreshReport(
        outcomes=[outcomes[spec.name] for spec in due if spec.name in outcomes],
        skipped=tuple(spec.name for spec in specs if spec.name not in due_names),
        enriched=enriched,
        pruned=pruned,
        prune_error=prune_error,
    )


class _Intake:
    """Hands finished fetches to the store thread, which parses and stores them.

    All the feeds waiting go in one batch: one commit, and one wake-up of the event loop
    from the store thread, for the feeds that came in while the last batch ran, rather
    than one of each per feed; and one thread parsing rather than several taking the GIL
    from the event loop in turn. Use as an async context manager around the fetching.
    """

    def __init__(self, parse_and_store: Callable[..., Any], limits: FetchLimits,
                 cutoff: datetime | None = None) -> None:
        self._parse_and_store = parse_and_store
        self._limits = limits
        self._cutoff = cutoff
        self._queue: asyncio.Queue[tuple[tuple[Any, ...], asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _Intake:
        self._task = asyncio.ensure_future(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def put(self, result: FetchResult, fetched_at: datetime) -> Stored:
        done: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(((result, fetched_at), done))
        return await done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            entries = [entry for entry, _ in batch]
            try:
                stored = await self._parse_and_store(entries, self._limits, self._cutoff)
            except Exception as exc:  # the transaction itself failed: every feed in it did
                stored = [(result, exc) for result, _ in entries]
            for (_, done), outcome in zip(batch, stored):
                if not done.done():  # else its fetch was cancelled meanwhile
                    done.set_result(outcome)


# A fetch result as stored: after parsing (a body that is not a feed makes it an error),
# with the new items and their ids, or why it could not be stored.
Stored = tuple[FetchResult, "list[tuple[int, NewsItem]] | Exception"]


def _parse_and_store(
    store: Store, entries: list[tuple[FetchResult, datetime]], limits: FetchLimits,
    cutoff: datetime | None = None,
) -> list[Stored]:
    """In the store thread: parse each result's body, then store them all at once.

    Items published before `cutoff` are left out: retention would prune them at once, and
    a feed still carrying them would bring them back, as new, at every refresh.
    """
    ready = []
    for result, fetched_at in entries:
        items: list[NewsItem] = []
        if result.status == "ok":
            items, error = _parse(result, fetched_at)  # never raises: a reason instead
            if error is not None:
                # Keep the old validators: an error page's ETag must not make the next
                # request a 304 for a feed we never managed to read.
                result = replace(result, status="error", error=error, body=None)
            if cutoff is not None:
                items = [item for item in items if not _before(item, cutoff)]
        ready.append((result, items, fetched_at))
    stored = store.record_many(ready, limits, pending=True)
    return [(result, outcome) for (result, _, _), outcome in zip(ready, stored)]


def _before(item: NewsItem, cutoff: datetime) -> bool:
    """Published before the window. An item whose date cannot be compared is kept here:
    the store says what is wrong with it, for its feed alone."""
    try:
        return bool(item.published < cutoff)
    except TypeError:
        return False


async def _settle(result: FetchResult, intake: _Intake, now: Callable[[], datetime],
                  new_ids: dict[int, str]) -> FeedOutcome:
    result, stored = await intake.put(result, now())
    if isinstance(stored, Exception):
        log.error("storing %s failed: %r", result.name, stored)
        reason = (f"store error ({_one_line(str(stored))})"
                  if isinstance(stored, (sqlite3.Error, StoreError)) else unexpected(stored))
        result = replace(result, status="error", error=reason)
        new_items = 0
    else:
        new_items = len(stored)
        new_ids.update((item_id, result.name) for item_id, _ in stored)
    return FeedOutcome(
        name=result.name,
        status=result.status,
        new_items=new_items,
        elapsed_ms=result.elapsed_ms,
        error=result.error,
        http_status=result.http_status,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _parse(result: FetchResult, fetched_at: datetime) -> tuple[list[NewsItem], str | None]:
    """The feed's items, or why it is not a feed."""
    from . import parse  # imported here: a refresh where every feed answers 304 never parses

    try:
        parsed = parse.parse_feed(result.body or b"", result.name, fetched_at,
                                  result.final_url or result.url, fetched_at,
                                  result.content_type)
    except Exception as exc:  # parse_feed is built not to raise; belt and braces
        log.exception("parsing %s failed", result.name)
        return [], f"unreadable ({type(exc).__name__})"
    return (parsed.items, None) if parsed.is_feed else ([], parsed.error)
