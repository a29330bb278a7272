"""Plain types shared by fetch, parse, store and the views. No IO here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .value import Value

DEFAULT_USER_AGENT = "DealDesk/0.1 (+https://github.com/dealdesk/dealdesk; feed reader)"


# FeedSpec and FetchLimits are read before a refresh's first request, and a Value is made
# in a tenth of the time of a dataclass. NewsItem, made by the thousand, keeps the faster
# generated __init__ and __eq__ of a dataclass.
class FeedSpec(Value):
    """A feed as the config names it."""

    name: str
    url: str
    refresh_minutes: int | None = None  # None: the global setting applies
    lang: str | None = None


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
@dataclass(frozen=True)
class FetchResult:
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
