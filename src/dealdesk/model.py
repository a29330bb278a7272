"""Plain types shared by fetch, parse, store and the views. No IO here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .value import Value

DEFAULT_USER_AGENT = "DealDesk/0.1 (+https://github.com/dealdesk/dealdesk; feed reader)"


class Metric(StrEnum):
    """A tracked figure (or the status an event moves), named once. The names are those of
    config/facts/ keys, of the store's signals and of `dump`'s JSON; a member equals its
    string, so a name read from TOML, SQLite or JSON is found in any table keyed by these."""

    WEEKLY_ACTIVE_USERS = "weekly_active_users"
    CAPACITY_GW = "capacity_gw"
    DEPLOYED_GW = "deployed_gw"
    COMMITMENT_USD = "commitment_usd"
    INVESTMENT_MAX_USD = "investment_max_usd"
    TRANCHE_PER_GW_USD = "tranche_per_gw_usd"
    STATUS = "status"


# FeedSpec, FetchLimits and FetchResult are read before a refresh's first request, and a
# Value class is made in a twentieth of the time of a dataclass (no code generated).
class FeedSpec(Value):
    """A feed as the config names it."""

    name: str
    url: str
    refresh_minutes: int | None = None  # None: the global setting applies
    lang: str | None = None
    exclude: tuple[str, ...] = ()  # items holding any of these terms are hidden (text.filters)


class FetchLimits(Value):
    # Requests at once in all (50 feeds on 50 hosts leave in one wave, 500 in two) and to
    # any one host (browsers' six): see news.hosts for what counts as a host.
    concurrency: int = 256
    per_host: int = 6
    deadline_s: float = 20.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    refresh_minutes: int = 30
    backoff_base_minutes: int = 5
    backoff_max_minutes: int = 24 * 60


# An ETag or Last-Modified is kept and sent back only if it can go on the wire as it came:
# printable ASCII (httpx refuses to send anything else, which wedged a feed for good) and
# no longer than any real one. Checked where a validator enters (fetch), where it is kept
# (store) and where it is sent (wire), so one bad header is simply not used.
MAX_VALIDATOR_LENGTH = 512


def usable_validator(value: object) -> str | None:
    """`value` if it can be stored and sent back as a validator, else None."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_VALIDATOR_LENGTH:
        return None
    if not (value.isascii() and value.isprintable()) or value != value.strip():
        return None
    return value


# Not a Value: made by the thousand per refresh. The fast parser fills its __dict__
# directly (news/items.py), but the feedparser fallback and replace() call __init__ once
# per item, and comparing items calls __eq__: a dataclass's generated methods do both
# faster than Value's generic ones, which is worth the one class's generation at import.
@dataclass(frozen=True)
class NewsItem:
    """One cleaned item: every text field is plain text, safe to show."""

    feed: str
    guid: str
    title: str
    link: str | None
    published: datetime  # aware, UTC
    summary: str = ""
    date_flag: str | None = None  # None | "missing" | "future"
    entities: tuple[str, ...] = field(default=())


# What a fetch brings back; the store records it, so it lives here, below both.
class FetchResult(Value):
    name: str
    url: str
    status: str  # "ok" | "not_modified" | "error"
    http_status: int | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after_s: float | None = None
    elapsed_ms: int = 0
    final_url: str | None = None
    content_type: str | None = None  # of a 200: its charset is the parser's first label


# What the views and the facts read of a stored row. Protocols, not the store's classes: the
# layers above take any object with these fields (store rows, test doubles), read-only.


class NewsRow(Protocol):
    """A stored news item (store.StoredItem)."""

    @property
    def id(self) -> int: ...
    @property
    def feed(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def link(self) -> str | None: ...
    @property
    def published(self) -> datetime: ...
    @property
    def summary(self) -> str: ...
    @property
    def date_flag(self) -> str | None: ...
    @property
    def entities(self) -> tuple[str, ...]: ...
    @property
    def read(self) -> bool: ...


class FeedRow(Protocol):
    """A feed's state as stored (store.FeedState)."""

    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def last_success(self) -> datetime | None: ...
    @property
    def next_retry(self) -> datetime | None: ...
    @property
    def items(self) -> int: ...
    @property
    def error(self) -> str | None: ...


class SignalRow(Protocol):
    """A stored signal: a figure found in a news item (store.StoredSignal)."""

    @property
    def id(self) -> int: ...
    @property
    def news_id(self) -> int: ...
    @property
    def metric(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def qualifier(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def quote(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def published(self) -> datetime: ...
    @property
    def news_title(self) -> str: ...
    @property
    def feed(self) -> str: ...
    @property
    def link(self) -> str | None: ...
