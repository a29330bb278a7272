"""SQLite archive: feed state, news items (with full-text search), signals and read marks.

One mixin per domain (as lemon24/reader's storage): schema.py opens and migrates, feeds.py,
items.py (and search), signals.py, archive.py (retention), alerts.py (watch matches),
reading.py (read marks, exclude filters, saved views); errors.py makes every public method
raise StoreError; rows.py checks what is read back.

One `Store` per thread (sqlite3 connections refuse to cross threads, which is the point).
WAL lets the dashboard read while `dealdesk refresh` writes from another process, and
`data_version()` tells a reader when someone else has committed.

Opening never deletes or "repairs" anything: a file that is not ours, is newer than this
code, or cannot be written raises `StoreError` with one line saying what to do.

The names below are loaded when first used (PEP 562): `dealdesk.store.errors` or
`.schema` alone do not load every domain, so the dashboard's check that the store opens
(cli) costs its first frame only the schema. `Store` itself is in store.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .alerts import AlertsMixin, StoredAlert
    from .archive import ArchiveMixin, ArchiveStats, PruneReport
    from .errors import StoreError, wrap_exceptions, wrap_public_methods
    from .feeds import FEED_STATUSES, MAX_BACKOFF_MINUTES, FeedsMixin, FeedState
    from .items import (
        ITEM_BATCH, MAX_NEW_ITEMS_PER_FETCH, ItemsMixin, StoredItem, fts_query,
    )
    from .reading import NewsQuery, ReadingMixin
    from .rows import MAX_FIGURE, figure_value
    from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SchemaMixin
    from .signals import SIGNAL_QUALIFIERS, SIGNAL_STATES, SignalsMixin, StoredSignal
    from .store import Store

# Which module holds each name.
_HOME = {
    **dict.fromkeys(("AlertsMixin", "StoredAlert"), "alerts"),
    **dict.fromkeys(("ArchiveMixin", "ArchiveStats", "PruneReport"), "archive"),
    **dict.fromkeys(("StoreError", "wrap_exceptions", "wrap_public_methods"), "errors"),
    **dict.fromkeys(("FEED_STATUSES", "MAX_BACKOFF_MINUTES", "FeedsMixin", "FeedState"),
                    "feeds"),
    **dict.fromkeys(("ITEM_BATCH", "MAX_NEW_ITEMS_PER_FETCH", "ItemsMixin", "StoredItem",
                     "fts_query"), "items"),
    **dict.fromkeys(("NewsQuery", "ReadingMixin"), "reading"),
    **dict.fromkeys(("MAX_FIGURE", "figure_value"), "rows"),
    **dict.fromkeys(("APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "SchemaMixin"),
                    "schema"),
    **dict.fromkeys(("SIGNAL_QUALIFIERS", "SIGNAL_STATES", "SignalsMixin", "StoredSignal"),
                    "signals"),
    "Store": "store",
}

# Spelled out, not sorted(_HOME): mypy takes a package's re-exports from a literal list
# (tests/test_store_package.py keeps the two the same).
__all__ = [
    "APPLICATION_ID", "FEED_STATUSES", "ITEM_BATCH", "MAX_BACKOFF_MINUTES", "MAX_FIGURE",
    "AlertsMixin", "NewsQuery", "ReadingMixin", "StoredAlert",
    "MAX_NEW_ITEMS_PER_FETCH", "MIGRATIONS", "SCHEMA_VERSION", "SIGNAL_QUALIFIERS",
    "SIGNAL_STATES", "ArchiveMixin", "ArchiveStats", "FeedState", "FeedsMixin", "ItemsMixin",
    "PruneReport", "SchemaMixin", "SignalsMixin", "Store", "StoreError", "StoredItem",
    "StoredSignal", "figure_value", "fts_query", "wrap_exceptions", "wrap_public_methods",
]

if not TYPE_CHECKING:  # for the type checker the imports above are the package's names
    def __getattr__(name: str) -> Any:
        home = _HOME.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value  # once
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_HOME})
