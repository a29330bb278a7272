"""What a feed request says, shared by fetch (through httpx) and early (before httpx)."""

from __future__ import annotations

from ..model import usable_validator

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
# Only what fetch._Inflater can decode within bounds.
ACCEPT_ENCODING = "gzip, deflate"


def feed_headers(user_agent: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers of a feed's GET, beyond the Host and Connection httpx adds."""
    headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    etag, last_modified = usable_validator(etag), usable_validator(last_modified)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
