"""Feed bytes -> cleaned `NewsItem`s.

Two paths. Well-formed RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) go through ElementTree, several
times faster than feedparser (benchmarks/parse_bench.py). Everything else (broken markup, odd
encodings, Atom 0.3, HTML entities without a DTD, hostile DOCTYPEs) goes to feedparser,
whose lenient parser copes with what real servers send.

Neither path ever expands an entity declared in the document: the fast path refuses any
DOCTYPE with an internal subset before parsing, and the fallback receives the document
with its DOCTYPE cut out. External entities and DTDs are never fetched. The input is always
bytes; no URL or file name is ever handed to a parser.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin
from xml.parsers import expat

from .clean import clean_link, clean_text
from .model import NewsItem

TITLE_LIMIT = 1_000
SUMMARY_LIMIT = 10_000
GUID_LIMIT = 2_048
FUTURE_TOLERANCE = timedelta(days=1)

_ATOM = "{http://www.w3.org/2005/Atom}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class ParsedFeed:
    items: list[NewsItem] = field(default_factory=list)
    title: str = ""
    is_feed: bool = True
    error: str | None = None
    parser: str = "fast"  # "fast" | "feedparser" | "none": which path produced this


@dataclass(slots=True)
class _Raw:
    """An item's fields as found, before cleaning (shared by both parser paths)."""

    title: str = ""
    title_html: bool = True
    link: str | None = None
    base: str | None = None
    guid: str = ""
    summary: str = ""
    summary_html: bool = True
    date_text: str = ""
    date_parsed: datetime | None = None


class _FastPathRefused(Exception):
    """The fast path cannot (or must not) handle this document; feedparser will."""


class _StopAtRoot(Exception):
    pass


def parse_feed(
    data: bytes,
    feed: str,
    fetched_at: datetime,
    base_url: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse one feed document. Never raises on bad input: it says what it found instead.

    `fetched_at` stands in for missing dates; dates more than a day after `now` (default:
    `fetched_at`) are clamped to `now`. `base_url` (the URL the bytes came from) resolves
    relative links.
    """
    fetched_at = _as_utc(fetched_at)
    now = _as_utc(now) if now is not None else fetched_at
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return ParsedFeed(is_feed=False, error="not a feed (no data)", parser="none")
    data = bytes(data)
    obvious = _obviously_not_a_feed(data)
    if obvious:
        return ParsedFeed(is_feed=False, error=obvious, parser="none")
    try:
        with _collector_paused():
            title, raws = _fast_parse(data, base_url)
        parser = "fast"
    except Exception:  # _FastPathRefused, or a surprise the lenient parser may survive
        try:
            found = _feedparser_parse(data, base_url)
        except Exception as exc:  # feedparser is lenient; this is the last line of defence
            return ParsedFeed(
                is_feed=False, error=f"not a feed (unreadable: {type(exc).__name__})",
                parser="none",
            )
        if found is None:
            return ParsedFeed(is_feed=False, error=_why_not_a_feed(data), parser="none")
        title, raws = found
        parser = "feedparser"
    with _collector_paused():
        items = _build_items(raws, feed, fetched_at, now, base_url)
    title_text = clean_text(title.title, TITLE_LIMIT, html_markup=title.title_html)
    return ParsedFeed(items=items, title=title_text, parser=parser)


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
    if not data.strip():
        return "not a feed (empty)"
    if data.startswith(_BOMS[1:]) or b"<\x00" in data[:8] or b"\x00<" in data[:8]:
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


# --- fast path: ElementTree on documents with a harmless prolog ---------------------------


def _check_prolog(data: bytes) -> None:
    """Refuse DOCTYPEs that declare anything, before any parser could expand it.

    Runs expat only up to the root element, so it costs next to nothing.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def on_doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if internal:
            raise _FastPathRefused("DOCTYPE with an internal subset")

    def on_entity(*_: Any) -> None:
        raise _FastPathRefused("entity declaration")

    def on_root(*_: Any) -> None:
        raise _StopAtRoot

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    parser.UnparsedEntityDeclHandler = on_entity
    parser.StartElementHandler = on_root
    try:
        parser.Parse(data, True)
    except _StopAtRoot:
        return
    except expat.ExpatError as exc:
        raise _FastPathRefused(str(exc)) from None
    raise _FastPathRefused("no root element")


def _fast_parse(data: bytes, base_url: str | None) -> tuple[_Raw, list[_Raw]]:
    """(the feed's own title, raw items); the title rides in a _Raw for its markup flag."""
    _check_prolog(data)
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError, LookupError) as exc:  # LookupError: unknown encoding
        raise _FastPathRefused(str(exc)) from None
    base = _join_base(base_url, root)
    tag = root.tag
    if tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise _FastPathRefused("rss without channel")
        base = _join_base(base, channel)
        # RSS 0.9x feeds sometimes put their items next to the channel, not inside it.
        items = channel.findall("item") or root.findall("item")
        return _Raw(title=_text(channel.find("title"))), [_rss_item(it, base) for it in items]
    if tag == _ATOM + "feed":
        title_el = root.find(_ATOM + "title")
        title = _Raw()
        if title_el is not None:
            title.title, title.title_html = _atom_text(title_el)
        return title, [_atom_entry(e, base) for e in root.findall(_ATOM + "entry")]
    if tag == _RDF + "RDF":
        for ns in (_RSS1, _RSS090):
            channel = root.find(ns + "channel")
            items = root.findall(ns + "item")
            if channel is not None or items:
                title = _text(channel.find(ns + "title")) if channel is not None else ""
                return _Raw(title=title), [_rdf_item(it, base, ns) for it in items]
    # Atom 0.3, CDF, XHTML pages and friends: feedparser knows them, or says what they are.
    raise _FastPathRefused(f"unknown root element {tag!r}")


def _join_base(base: str | None, el: ET.Element) -> str | None:
    xml_base = el.get(_XML_BASE)
    if not xml_base:
        return base
    try:
        return urljoin(base, xml_base.strip()) if base else xml_base.strip()
    except ValueError:
        return base


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    if len(el):  # unescaped markup inside a plain element: keep its text
        return _inner_text(el)
    return el.text or ""


def _inner_text(root: ET.Element) -> str:
    """Text of an XHTML subtree without script/style, which ElementTree would keep.

    An explicit stack, not recursion: a hostile feed may nest elements 100,000 deep.
    """
    parts: list[str] = [root.text or ""]
    stack: list[tuple[Iterator[ET.Element], ET.Element]] = [(iter(root), root)]
    while stack:
        children, current = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if current is not root:
                parts.append(" " if _local(current) in ("p", "div", "br", "li") else "")
                parts.append(current.tail or "")
            continue
        if _local(child) in ("script", "style"):
            parts.append(child.tail or "")
            continue
        parts.append(child.text or "")
        stack.append((iter(child), child))
    return "".join(parts)


def _local(el: ET.Element) -> str:
    return el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""


def _rss_item(item: ET.Element, base: str | None) -> _Raw:
    raw = _Raw(base=_join_base(base, item))
    content = ""
    dc_date = ""
    permalink_guid = None
    for child in item:
        tag = child.tag
        if tag == "title":
            raw.title = _text(child)
        elif tag == "link":
            raw.link = _text(child).strip()
            raw.base = _join_base(raw.base, child)
        elif tag == "guid":
            raw.guid = _text(child).strip()
            if child.get("isPermaLink", "true").strip().lower() != "false":
                permalink_guid = raw.guid
        elif tag == "description":
            raw.summary = _text(child)
        elif tag == _CONTENT_ENCODED:
            content = _text(child)
        elif tag == "pubDate":
            raw.date_text = _text(child)
        elif tag == _DC_DATE:
            dc_date = _text(child)
    if not raw.summary.strip():
        raw.summary = content
    if not raw.date_text.strip():
        raw.date_text = dc_date
    if not raw.link and permalink_guid:
        raw.link = permalink_guid
    return raw


def _atom_text(el: ET.Element) -> tuple[str, bool]:
    """(text, is_html) of an Atom text construct."""
    kind = (el.get("type") or "text").strip().lower()
    if kind == "xhtml" or kind.endswith("xhtml+xml"):
        div = el.find(_XHTML + "div")
        return _inner_text(div if div is not None else el), False
    if kind in ("html", "text/html"):
        return el.text or "", True
    return _text(el), False


def _atom_entry(entry: ET.Element, base: str | None) -> _Raw:
    raw = _Raw(base=_join_base(base, entry))
    best_link: tuple[int, str | None, str] | None = None
    content: tuple[str, bool] = ("", True)
    published = updated = ""
    for child in entry:
        tag = child.tag
        if tag == _ATOM + "title":
            raw.title, raw.title_html = _atom_text(child)
        elif tag == _ATOM + "link":
            href = (child.get("href") or "").strip()
            if not href:
                continue
            rel = (child.get("rel") or "alternate").strip()
            if rel != "alternate":
                continue
            # Prefer the HTML page among alternates; otherwise the first one listed.
            rank = 0 if (child.get("type") or "text/html").startswith("text/html") else 1
            if best_link is None or rank < best_link[0]:
                best_link = (rank, _join_base(raw.base, child), href)
        elif tag == _ATOM + "id":
            raw.guid = _text(child).strip()
        elif tag == _ATOM + "summary":
            raw.summary, raw.summary_html = _atom_text(child)
        elif tag == _ATOM + "content" and not child.get("src"):
            content = _atom_text(child)
        elif tag == _ATOM + "published":
            published = _text(child)
        elif tag == _ATOM + "updated":
            updated = _text(child)
    if best_link is not None:
        _, raw.base, raw.link = best_link
    if not raw.summary.strip():
        raw.summary, raw.summary_html = content
    raw.date_text = published if published.strip() else updated
    return raw


def _rdf_item(item: ET.Element, base: str | None, ns: str) -> _Raw:
    raw = _Raw(base=_join_base(base, item), guid=(item.get(_RDF + "about") or "").strip())
    for child in item:
        tag = child.tag
        if tag == ns + "title":
            raw.title = _text(child)
        elif tag == ns + "link":
            raw.link = _text(child).strip()
        elif tag == ns + "description":
            raw.summary = _text(child)
        elif tag == _CONTENT_ENCODED and not raw.summary.strip():
            raw.summary = _text(child)
        elif tag == _DC_DATE:
            raw.date_text = _text(child)
    return raw


# --- fallback: feedparser on a defused copy ----------------------------------------------


def _feedparser_parse(data: bytes, base_url: str | None) -> tuple[_Raw, list[_Raw]] | None:
    import feedparser  # imported here: most refreshes never need it
    from feedparser.encodings import convert_to_utf8

    # Transcode first (feedparser's own detection) so the DOCTYPE can be found and cut in
    # any encoding; feedparser then sees UTF-8 with a matching declaration.
    try:
        utf8 = convert_to_utf8({}, data, {})
    except Exception:
        utf8 = data
    headers = {"content-location": base_url} if base_url else {}
    parsed = feedparser.parse(
        io.BytesIO(_strip_doctype(utf8)),  # a stream: a bare bytes value could name a file
        response_headers=headers,
        resolve_relative_uris=False,  # only matters for HTML we turn into plain text anyway
        sanitize_html=False,  # clean_text does it, for every path alike
    )
    if not parsed.get("version") and not parsed.get("entries"):
        return None
    raws = []
    for entry in parsed.get("entries", []):
        title_detail = entry.get("title_detail") or {}
        summary = entry.get("summary") or ""
        summary_type = (entry.get("summary_detail") or {}).get("type", "text/html")
        if not summary.strip() and entry.get("content"):
            summary = entry["content"][0].get("value", "")
            summary_type = entry["content"][0].get("type", "text/html")
        # dict.get: feedparser's own get() maps updated <-> published with a warning.
        parsed_date = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        raws.append(
            _Raw(
                title=entry.get("title") or "",
                title_html=title_detail.get("type", "text/html") != "text/plain",
                link=entry.get("link"),
                base=base_url,
                guid=(entry.get("id") or "").strip(),
                summary=summary,
                summary_html=summary_type != "text/plain",
                date_text=dict.get(entry, "published") or dict.get(entry, "updated") or "",
                date_parsed=_from_struct(parsed_date),
            )
        )
    feed = parsed.get("feed", {})
    title = _Raw(
        title=feed.get("title") or "",
        title_html=(feed.get("title_detail") or {}).get("type", "text/html") != "text/plain",
    )
    return title, raws


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


def _from_struct(value: Any) -> datetime | None:
    try:
        return datetime(*value[:6], tzinfo=timezone.utc) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


# --- shared: raw fields -> NewsItem --------------------------------------------------------


def _build_items(
    raws: list[_Raw], feed: str, fetched_at: datetime, now: datetime, base_url: str | None
) -> list[NewsItem]:
    items: list[NewsItem] = []
    seen_guids: set[str] = set()
    seen_links: set[str] = set()
    seen_titles: set[str] = set()
    latest_allowed = now + FUTURE_TOLERANCE
    for raw in raws:
        title = clean_text(raw.title, TITLE_LIMIT, html_markup=raw.title_html)
        summary = clean_text(raw.summary, SUMMARY_LIMIT, html_markup=raw.summary_html)
        link = clean_link(raw.link, raw.base or base_url) if raw.link else None
        if not title:
            title = clean_text(summary, 200, html_markup=False) or (link or "")
        if not title:
            continue  # nothing a reader could recognise
        published = raw.date_parsed or _parse_date(raw.date_text)
        date_flag = None
        if published is None:
            published, date_flag = fetched_at, "missing"
        elif published > latest_allowed:
            published, date_flag = now, "future"
        guid = clean_text(raw.guid, GUID_LIMIT, html_markup=False)
        if not guid:
            # Hash the date as written, not the fallback date: the guid must stay the same
            # from one fetch to the next or every refresh would store the item again.
            guid = link or "sha1:" + hashlib.sha1(
                f"{title}\x00{raw.date_text.strip()}".encode()
            ).hexdigest()
        # The same story listed twice shows up as a repeated guid, link or headline.
        if guid in seen_guids or (link and link in seen_links) or title in seen_titles:
            continue
        seen_guids.add(guid)
        if link:
            seen_links.add(link)
        seen_titles.add(title)
        items.append(
            NewsItem(
                feed=feed,
                guid=guid,
                title=title,
                link=link,
                published=published,
                summary=summary,
                date_flag=date_flag,
            )
        )
    return items


def _as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _parse_date(text: str) -> datetime | None:
    """RFC 822 (RSS), RFC 3339 (Atom), then whatever feedparser recognises; aware UTC."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    return _parse_date_text(text)


# Items of one feed often share a date, and every refresh brings back the same items, so a
# date is parsed once and looked up after that. Datetimes are immutable: sharing is safe.
@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> datetime | None:
    attempts = (
        (_iso, _rfc822) if text[:1].isdigit() else (_rfc822, _iso)
    )
    for attempt in attempts:
        try:
            dt = attempt(text)
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if dt is not None:
            try:
                return _as_utc(dt)
            except (ValueError, OverflowError):
                return None
    try:
        from feedparser.datetimes import _parse_date as feedparser_date

        return _from_struct(feedparser_date(text))
    except Exception:  # feedparser's date handlers were not written for hostile input
        return None


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}
# The shape nearly every RSS feed uses; email.utils handles the rest, at 5x the cost.
_COMMON_RFC822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?"
    r"\s*(GMT|UTC?|Z|[+-]\d{4})?"
)


def _rfc822(text: str) -> datetime:
    m = _COMMON_RFC822.fullmatch(text)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if m is None or month is None:
        return parsedate_to_datetime(text)
    day, _, year, hour, minute, second, zone = m.groups()
    offset = timedelta(0)
    if zone and zone[0] in "+-":
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        if zone[0] == "-":
            offset = -offset
    return datetime(
        int(year), month, int(day), int(hour), int(minute), int(second or 0),
        tzinfo=timezone(offset),
    )
