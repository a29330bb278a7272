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
"""

from __future__ import annotations

from .alerts import AlertsMixin, StoredAlert
from .archive import ArchiveMixin, ArchiveStats, PruneReport
from .reading import NewsQuery, ReadingMixin
from .errors import StoreError, wrap_exceptions, wrap_public_methods
from .feeds import FEED_STATUSES, MAX_BACKOFF_MINUTES, FeedsMixin, FeedState
from .items import (
    ITEM_BATCH, MAX_NEW_ITEMS_PER_FETCH, ItemsMixin, StoredItem, fts_query,
)
from .rows import MAX_FIGURE, figure_value
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, SchemaMixin
from .signals import SIGNAL_QUALIFIERS, SIGNAL_STATES, SignalsMixin, StoredSignal


# SchemaMixin last, ItemsMixin after the mixins built on it (alerts, reading): for the type
# checker each domain mixin derives from what it uses of the store, and a base must follow
# its subclasses in the MRO. No two mixins share a name.
@wrap_public_methods
class Store(
    AlertsMixin, ReadingMixin, FeedsMixin, ItemsMixin, SignalsMixin, ArchiveMixin, SchemaMixin
):
    """One connection to the archive: every domain's methods, each raising only StoreError."""


__all__ = [
    "APPLICATION_ID", "FEED_STATUSES", "ITEM_BATCH", "MAX_BACKOFF_MINUTES", "MAX_FIGURE",
    "AlertsMixin", "NewsQuery", "ReadingMixin", "StoredAlert",
    "MAX_NEW_ITEMS_PER_FETCH", "MIGRATIONS", "SCHEMA_VERSION", "SIGNAL_QUALIFIERS",
    "SIGNAL_STATES", "ArchiveMixin", "ArchiveStats", "FeedState", "FeedsMixin", "ItemsMixin",
    "PruneReport", "SchemaMixin", "SignalsMixin", "Store", "StoreError", "StoredItem",
    "StoredSignal", "figure_value", "fts_query", "wrap_exceptions", "wrap_public_methods",
]
