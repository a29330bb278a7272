"""Feed bytes -> cleaned `NewsItem`s.

Two paths. Well-formed RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) go through ElementTree
(xmlfeed.py), several times faster than feedparser (benchmarks/parse_bench.py). Everything
else (broken markup, odd encodings, Atom 0.3, HTML entities without a DTD, hostile DOCTYPEs)
goes to feedparser, whose lenient parser copes with what real servers send. Both hand raw
fields to the same cleaning (items.py).

Neither path ever expands an entity declared in the document: the fast path refuses any
DOCTYPE with an internal subset before parsing, and the fallback receives the document
with its DOCTYPE cut out. External entities and DTDs are never fetched. The input is always
bytes; no URL or file name is ever handed to a parser.

Both paths read the same UTF-8 bytes (charset.py decides the charset once, the HTTP
header's before the document's), clean with the same functions and read dates with the
same parser (dates.py): feedparser's own dates and charset guesses are not used.
"""

from __future__ import annotations

import gc
import io
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from ..model import NewsItem
from ..text.clean import clean_text
from .charset import declares_utf8, to_utf8, wide_encoding
from .dates import as_utc
from .items import SUMMARY_LIMIT, TITLE_LIMIT, ItemBuilder, Raw
from .xmlfeed import parse_xml

__all__ = ["SUMMARY_LIMIT", "TITLE_LIMIT", "ParsedFeed", "parse_feed"]


class ParsedFeed:
    """What parse_feed found. A plain class: as a dataclass, generating its methods was a
    twentieth of what importing the parser costs a refresh, and nothing used them."""

    __slots__ = ("items", "title", "is_feed", "error", "parser")

    def __init__(
        self,
        items: list[NewsItem] | None = None,
        title: str = "",
        is_feed: bool = True,
        error: str | None = None,
        parser: str = "fast",  # "fast" | "feedparser" | "none": which path produced this
    ) -> None:
        self.items = [] if items is None else items
        self.title = title
        self.is_feed = is_feed
        self.error = error
        self.parser = parser


def parse_feed(
    data: bytes,
    feed: str,
    fetched_at: datetime,
    base_url: str | None = None,
    now: datetime | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse one feed document. Never raises on bad input: it says what it found instead.

    `fetched_at` stands in for missing dates; dates more than a day after `now` (default:
    `fetched_at`) are clamped to `now`. `base_url` (the URL the bytes came from) resolves
    relative links. `content_type` is the HTTP Content-Type header: its charset wins over
    the document's declaration (see charset.py).
    """
    fetched_at = as_utc(fetched_at)
    now = as_utc(now) if now is not None else fetched_at
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return ParsedFeed(is_feed=False, error="not a feed (no data)", parser="none")
    data = bytes(data)
    obvious = _obviously_not_a_feed(data)
    if obvious:
        return ParsedFeed(is_feed=False, error=obvious, parser="none")
    # UTF-8 as declared goes to expat unchecked (checking costs a tenth of a parse): expat
    # refuses bytes that are not UTF-8, and they are then read by charset.py's rules.
    try:
        utf8 = None if declares_utf8(data) else to_utf8(data, content_type)
    except Exception:  # charset.py reads any bytes; this is belt and braces
        return ParsedFeed(is_feed=False, error="not a feed (unreadable text)", parser="none")
    fast = _fast_parse(data if utf8 is None else utf8, feed, fetched_at, now, base_url)
    if fast is None and utf8 is None:
        utf8 = to_utf8(data, content_type)
        if utf8 is not data:  # not UTF-8 after all (a Latin-1 feed declared UTF-8, say)
            fast = _fast_parse(utf8, feed, fetched_at, now, base_url)
    if fast is not None:
        builder, (title, title_html) = fast
        parser = "fast"
    else:
        try:
            found = _feedparser_parse(utf8 if utf8 is not None else data, base_url)
        except Exception as exc:  # feedparser is lenient; this is the last line of defence
            return ParsedFeed(
                is_feed=False, error=f"not a feed (unreadable: {type(exc).__name__})",
                parser="none",
            )
        if found is None:
            return ParsedFeed(is_feed=False, error=_why_not_a_feed(data), parser="none")
        (title, title_html), raws = found
        builder = ItemBuilder(feed, fetched_at, now, base_url)
        with _collector_paused():
            builder.add(raws)
        parser = "feedparser"
    title_text = clean_text(title, TITLE_LIMIT, html_markup=title_html)
    return ParsedFeed(items=builder.items, title=title_text, parser=parser)


def _fast_parse(
    data: bytes, feed: str, fetched_at: datetime, now: datetime, base_url: str | None
) -> tuple[ItemBuilder, tuple[str, bool]] | None:
    """The items and the feed's title from the fast path, or None when it refuses."""
    builder = ItemBuilder(feed, fetched_at, now, base_url)
    try:
        # Items are cleaned as the tree is built (see xmlfeed.py), so all of it runs with
        # the collector paused.
        with _collector_paused():
            title = parse_xml(data, base_url, builder.add)
    except Exception:  # Refused, or a surprise the lenient parser may survive
        return None
    return builder, title


# An ElementTree and the items built from it hold no reference cycles, yet every few hundred
# new objects the cyclic collector walks them all again, older generations included: on a
# 10,000-item feed that is a sixth of the parse. Paused here, they are freed by reference
# counting as always and a later collection sees only the survivors, once. The collector is
# process-wide and parses run in worker threads, so a count of pausers decides who resumes.
_collector_lock = threading.Lock()
_collector_pausers = 0
_collector_was_enabled = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    global _collector_pausers, _collector_was_enabled
    with _collector_lock:
        if _collector_pausers == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pausers += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pausers -= 1
            if _collector_pausers == 0 and _collector_was_enabled:
                gc.enable()


# --- telling feeds from other things ---------------------------------------------------

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")
_BINARY_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"\x1f\x8b", b"PK\x03\x04", b"\x28\xb5\x2f\xfd",
)
_HTML_OPENING = re.compile(rb"<!doctype\s+html\b|<html\b", re.IGNORECASE)


def _starts_like_html(head: bytes) -> bool:
    """True when the first thing after declarations, PIs and comments is HTML.

    A loop with find() rather than one regex: a repeated group of "whitespace or PI or
    comment" backtracks exponentially on a long run of spaces, and this input is hostile.
    """
    pos, n = 0, len(head)
    while pos < n:
        if head[pos : pos + 1].isspace():
            pos += 1
        elif head.startswith(b"<?", pos):
            end = head.find(b"?>", pos + 2)
            if end < 0:
                return False
            pos = end + 2
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos + 4)
            if end < 0:
                return False
            pos = end + 3
        else:
            return _HTML_OPENING.match(head, pos) is not None
    return False


def _obviously_not_a_feed(data: bytes) -> str | None:
    """Cheap checks that spare feedparser from chewing on HTML pages, JSON or images."""
    if not data or data.isspace():  # as `not data.strip()`, without copying the document
        return "not a feed (empty)"
    if data.startswith(_BOMS[1:]) or wide_encoding(data[:64]):
        return None  # UTF-16/32 XML: leave it to the parsers
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:1] in (b"{", b"["):
        return "not a feed (looks like JSON)"
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return "not a feed (binary data)"
    if _starts_like_html(head):
        return "not a feed (looks like HTML)"
    return None


def _why_not_a_feed(data: bytes) -> str:
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if re.search(rb"<html\b", head, re.IGNORECASE):
        return "not a feed (looks like HTML)"
    if head.startswith(b"<"):
        return "not a feed (XML, but no RSS, Atom or RDF)"
    return "not a feed (unrecognised content)"


# --- fallback: feedparser on a defused copy ----------------------------------------------


def _feedparser_parse(
    data: bytes, base_url: str | None
) -> tuple[tuple[str, bool], list[Raw]] | None:
    """((the feed's title, its markup flag), raw items), or None when it is no feed.

    `data` is UTF-8 (to_utf8). The C1 controls in it go to feedparser as placeholders and
    come back: feedparser maps U+0080-U+009F to windows-1252 punctuation in every text it
    returns, which would turn a C1 CSI into a visible "›" that clean_text cannot tell
    from a real one.
    """
    import feedparser  # imported here: most refreshes never need it

    data, restore = _c1_as_placeholders(data)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(
        io.BytesIO(_strip_doctype(data)),  # a stream: a bare bytes value could name a file
        response_headers=headers,
        resolve_relative_uris=False,  # only matters for HTML we turn into plain text anyway
        sanitize_html=False,  # clean_text does it, for every path alike
    )
    if not parsed.get("version") and not parsed.get("entries"):
        return None
    raws: list[Raw] = []
    for entry in parsed.get("entries", []):
        title_detail = entry.get("title_detail") or {}
        summary = entry.get("summary") or ""
        summary_type = (entry.get("summary_detail") or {}).get("type", "text/html")
        if not summary.strip() and entry.get("content"):
            summary = entry["content"][0].get("value", "")
            summary_type = entry["content"][0].get("type", "text/html")
        link = entry.get("link")
        # dict.get: feedparser's own get() maps updated <-> published with a warning. The
        # date as written, read by dates.py as on the fast path: feedparser's reading rolls
        # impossible dates over (February 30th is March 2nd to it).
        date_text = dict.get(entry, "published") or dict.get(entry, "updated") or ""
        raws.append((
            restore(entry.get("title") or ""),
            title_detail.get("type", "text/html") != "text/plain",
            restore(summary),
            summary_type != "text/plain",
            restore(link) if isinstance(link, str) else None,
            base_url,
            restore((entry.get("id") or "").strip()),
            restore(date_text) if isinstance(date_text, str) else "",
            None,
        ))
    feed = parsed.get("feed", {})
    title = (
        restore(feed.get("title") or ""),
        (feed.get("title_detail") or {}).get("type", "text/html") != "text/plain",
    )
    return title, raws


# Raw C1 controls and references to them, and the noncharacters standing in for them.
_C1_OR_STAND_IN = re.compile(
    "[\x80-\x9f\ufdd0-\ufdef]"
    "|&#(?:[xX]0*([89][0-9a-fA-F])(?![0-9a-fA-F])|0*(12[89]|1[34][0-9]|15[0-9])(?![0-9]));?"
)
# U+FDD0-U+FDEF: 32 noncharacters for the 32 C1 controls. XML allows them, feedparser
# leaves them alone, and clean_text removes any that a feed sent itself.
_STAND_IN = 0xFDD0
_RESTORE = {_STAND_IN + k: 0x80 + k for k in range(32)}


def _stand_in(m: re.Match[str]) -> str:
    c = m.group()
    if len(c) == 1:
        return "" if ord(c) >= _STAND_IN else chr(_STAND_IN + ord(c) - 0x80)
    hex_digits, decimal = m.groups()
    return chr(_STAND_IN + (int(hex_digits, 16) if hex_digits else int(decimal)) - 0x80)


def _c1_as_placeholders(data: bytes) -> tuple[bytes, Callable[[str], str]]:
    """(`data` with C1 controls as stand-ins, what puts them back in a text)."""
    text = data.decode("utf-8", "replace")
    if _C1_OR_STAND_IN.search(text) is None:
        return data, _unchanged
    return _C1_OR_STAND_IN.sub(_stand_in, text).encode("utf-8"), _restored


def _unchanged(s: str) -> str:
    return s


def _restored(s: str) -> str:
    return s.translate(_RESTORE)


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_:]")
_DTD_TOKEN = re.compile(rb"<!--|[\"'\[\]>]")


def _strip_doctype(data: bytes) -> bytes:
    """The document without its DOCTYPE (and so without any entity declaration).

    Scans the DOCTYPE honouring quotes and comments, as `]>` may hide inside either;
    jumps from token to token so a huge hostile DTD costs little.
    """
    start = data.find(b"<!DOCTYPE")
    root = _FIRST_ELEMENT.search(data)
    if start < 0 or (root is not None and root.start() < start):
        return data  # none in the prolog; "<!DOCTYPE" in an item's text is just text
    pos = start + len(b"<!DOCTYPE")
    in_subset = False
    while (token := _DTD_TOKEN.search(data, pos)) is not None:
        kind = token.group()
        pos = token.end()
        if kind == b"<!--":
            end = data.find(b"-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif kind in (b'"', b"'"):
            end = data.find(kind, pos)
            if end < 0:
                break
            pos = end + 1
        elif kind == b"[":
            in_subset = True
        elif kind == b"]":
            in_subset = False
        elif not in_subset:  # ">"
            return data[:start] + data[pos:]
    # Unterminated: everything after it is inside the DTD, so there is no document left.
    return data[:start]

