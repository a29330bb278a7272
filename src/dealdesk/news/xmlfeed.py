"""The fast path: well-formed RSS 2.0, Atom 1.0 and RSS 1.0 (RDF) through ElementTree.

Whatever it refuses (`Refused`: broken markup, a DOCTYPE that declares anything, an unknown
root element) goes to feedparser. An entity declared in the document is never expanded:
`check_prolog` refuses any internal DTD subset before the document is parsed, and expat
never fetches an external one.

Items leave the tree while it is being built: the bytes go to the parser a slice at a
time, and after each slice the items completed so far are turned into raw fields, handed
on and dropped. A 10,000-item feed never lives in memory as one tree (60,000 elements and
their strings, far beyond the CPU caches): built whole it took 7.8 µs an item before a
field was read, a slice at a time 6.4 µs with the fields read (benchmarks/parse_bench.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin
from xml.parsers import expat

from .items import Raw

_ATOM = "{http://www.w3.org/2005/Atom}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MEDIA_NS = ("{http://search.yahoo.com/mrss/}", "{http://search.yahoo.com/mrss}")

# Where else an item's text and link may sit, as feedparser reads them (feeds written for it
# put them there): Dublin Core, Media RSS (on the item, or in its media:group / media:content),
# the body elements, a bare <summary>, and an Atom link inside an RSS item. Each role is a
# fallback, used only when the item's own element for it is missing or blank; of one role the
# first non-blank wins. Looked up only for tags the item loops do not know, so the common
# elements pay nothing for it.
_TITLE2, _TITLE3, _SUMMARY2, _SUMMARY3, _SUMMARY4, _BODY, _GROUP, _LINK2 = range(8)
_EXTRA_ROLES: dict[str, int] = {
    _DC + "title": _TITLE2,
    _DC + "description": _SUMMARY2,
    "summary": _SUMMARY4,
    "abstract": _SUMMARY4,
    "body": _BODY,
    "fullitem": _BODY,
    _XHTML + "body": _BODY,
    _ATOM + "link": _LINK2,
}
for _ns in _MEDIA_NS:
    _EXTRA_ROLES[_ns + "title"] = _TITLE3
    _EXTRA_ROLES[_ns + "description"] = _SUMMARY3
    _EXTRA_ROLES[_ns + "group"] = _GROUP
    _EXTRA_ROLES[_ns + "content"] = _GROUP

# Bytes handed to the parser at a time. Of 16 KiB to 1 MiB, the fastest on the benchmark:
# a slice's tree stays in the last-level cache, and each batch of cleaning (items.py)
# spans hundreds of items. Most feeds are smaller: one slice, no streaming at all.
CHUNK = 1 << 18


class Refused(Exception):
    """The fast path cannot (or must not) handle this document; feedparser will."""


class _StopAtRoot(Exception):
    pass


def check_prolog(data: bytes) -> None:
    """Refuse DOCTYPEs that declare anything, before any parser could expand it.

    Runs expat only up to the root element, so it costs next to nothing.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def on_doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if internal:
            raise Refused("DOCTYPE with an internal subset")

    def on_entity(*_: Any) -> None:
        raise Refused("entity declaration")

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
        raise Refused(str(exc)) from None
    raise Refused("no root element")


def parse_xml(
    data: bytes, base_url: str | None, take: Callable[[list[Raw]], None]
) -> tuple[str, bool]:
    """Hand the raw items to `take`, in document order; the feed's title and its markup flag.

    Raises Refused, possibly after some items went to `take`: the caller then drops them.
    """
    check_prolog(data)
    parser = ET.XMLParser()
    # The root element, as soon as it starts: the one event asked of the parser, then no
    # more. XMLPullParser is built on this same internal method; were it gone, the tree
    # would be read once complete, as before.
    events: list[tuple[str, ET.Element]] = []
    setevents = getattr(parser, "_setevents", None)
    if setevents is not None:
        setevents(events, ("start",))
    root: ET.Element | None = None
    stream: _Stream | None = None
    view = memoryview(data)
    try:
        for start in range(0, len(data), CHUNK):
            parser.feed(view[start : start + CHUNK])
            if root is None and events:
                root = events[0][1]
                setevents(events, ())  # type: ignore[misc]  # events is only set with it
            events.clear()
            if stream is None and root is not None:
                stream = _stream_of(root, base_url, take)
            if stream is not None:
                stream.drain(final=False)
        root = parser.close()
    except (ET.ParseError, ValueError, LookupError) as exc:  # LookupError: unknown encoding
        raise Refused(str(exc)) from None
    if stream is None:
        stream = _stream_of(root, base_url, take)
    if stream is not None:
        stream.drain(final=True)
    return _finish(root, stream, base_url, take)


class _Stream:
    """Takes the complete items out of a container element while the parser fills it."""

    def __init__(
        self, container: ET.Element, item_tag: str,
        extract: Callable[[list[ET.Element], str | None], list[Raw]],
        base: str | None, take: Callable[[list[Raw]], None],
    ) -> None:
        self.container = container
        self.item_tag = item_tag
        self.extract = extract
        self.base = base
        self.take = take
        self.kept = 0  # leading children that are not items (a title, say): left in place
        self.items = 0

    def drain(self, final: bool) -> None:
        container = self.container
        # Until the container ends, its last child may still be growing.
        end = len(container) if final else len(container) - 1
        if end <= self.kept:
            return
        batch = container[self.kept : end]
        item_tag = self.item_tag
        items = [el for el in batch if el.tag == item_tag]
        others = [el for el in batch if el.tag != item_tag] if len(items) < len(batch) else []
        container[self.kept : end] = others
        self.kept += len(others)
        self.items += len(items)
        if items:
            self.take(self.extract(items, self.base))


def _stream_of(
    root: ET.Element, base_url: str | None, take: Callable[[list[Raw]], None]
) -> _Stream | None:
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            return None  # not started yet: looked for again after the next slice
        base = _join_base(_join_base(base_url, root), channel)
        return _Stream(channel, "item", _rss_items, base, take)
    if root.tag == _ATOM + "feed":
        return _Stream(root, _ATOM + "entry", _atom_entries, _join_base(base_url, root), take)
    return None  # RSS 1.0 (or unknown): read once complete


def _finish(
    root: ET.Element, stream: _Stream | None, base_url: str | None,
    take: Callable[[list[Raw]], None],
) -> tuple[str, bool]:
    tag = root.tag
    if tag == "rss":
        channel = root.find("channel")
        if channel is None or stream is None:
            raise Refused("rss without channel")
        if not stream.items:
            # RSS 0.9x feeds sometimes put their items next to the channel, not inside it.
            take(_rss_items(root.findall("item"), stream.base))
        return _text(channel.find("title")), True
    if tag == _ATOM + "feed":
        title_el = root.find(_ATOM + "title")
        return _atom_text(title_el) if title_el is not None else ("", True)
    if tag == _RDF + "RDF":
        base = _join_base(base_url, root)
        for ns in (_RSS1, _RSS090):
            channel = root.find(ns + "channel")
            items = root.findall(ns + "item")
            if channel is not None or items:
                take([_rdf_item(it, base, ns) for it in items])
                return (_text(channel.find(ns + "title")) if channel is not None else ""), True
    # Atom 0.3, CDF, XHTML pages and friends: feedparser knows them, or says what they are.
    raise Refused(f"unknown root element {tag!r}")


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


def _add_extra(child: ET.Element, role: int, extra: dict[int, Any]) -> None:
    """Note `child`'s text (or link) under `role`, unless a non-blank one is there already."""
    if role == _GROUP:  # media:group / media:content: their media:title and description
        for el in child.iter():
            inner = _EXTRA_ROLES.get(el.tag, -1) if el is not child else -1
            if inner in (_TITLE3, _SUMMARY3):  # never a group: no deeper recursion
                _add_extra(el, inner, extra)
        return
    if role == _LINK2:
        rel = (child.get("rel") or "alternate").strip()
        kind = (child.get("type") or "text/html").strip().lower()
        href = (child.get("href") or "").strip()
        if (href and rel == "alternate" and kind.startswith(("text/html", "application/xhtml"))
                and _LINK2 not in extra):
            extra[_LINK2] = (href, child)
        return
    text = _inner_text(child) if len(child) else child.text or ""
    if text and not text.isspace():
        extra.setdefault(role, text)


def _first(extra: dict[int, Any], *roles: int) -> str:
    for role in roles:
        text = extra.get(role)
        if text:
            return str(text)
    return ""


def _is_web_url(value: str) -> bool:
    return value[:8].lower().startswith(("http://", "https://"))


def _rss_items(items: list[ET.Element], base: str | None) -> list[Raw]:
    """Raw fields of RSS 2.0 <item>s. Of a repeated field the last one counts."""
    raws: list[Raw] = []
    for item in items:
        # _join_base(), called only where there is an xml:base: a call costs more than a get.
        item_base = _join_base(base, item) if item.get(_XML_BASE) else base
        title = summary = content = date_text = dc_date = guid = ""
        link: str | None = None
        permalink: str | None = None
        extra: dict[int, Any] | None = None
        for child in item:
            tag = child.tag
            # The text, inline: _text() as a call costs a tenth of what an item costs here.
            if tag == "title":
                title = _inner_text(child) if len(child) else child.text or ""
            elif tag == "link":
                link = (_inner_text(child) if len(child) else child.text or "").strip()
                if child.get(_XML_BASE):
                    item_base = _join_base(item_base, child)
            elif tag == "description":
                summary = _inner_text(child) if len(child) else child.text or ""
            elif tag == "guid":
                guid = (_inner_text(child) if len(child) else child.text or "").strip()
                permalink_attr = child.get("isPermaLink")
                if permalink_attr is None or permalink_attr.strip().lower() != "false":
                    permalink = guid
            elif tag == "pubDate":
                date_text = _inner_text(child) if len(child) else child.text or ""
            elif tag == _CONTENT_ENCODED:
                content = _inner_text(child) if len(child) else child.text or ""
            elif tag == _DC_DATE:
                dc_date = _inner_text(child) if len(child) else child.text or ""
            else:
                role = _EXTRA_ROLES.get(tag)
                if role is not None:
                    if extra is None:
                        extra = {}
                    _add_extra(child, role, extra)
        if extra:
            if not title or title.isspace():
                title = _first(extra, _TITLE2, _TITLE3)
            if not summary or summary.isspace():
                summary = _first(extra, _SUMMARY2, _SUMMARY3, _SUMMARY4)
            if not content or content.isspace():
                content = _first(extra, _BODY)
            if not link and _LINK2 in extra:
                link, link_el = extra[_LINK2]
                if link_el.get(_XML_BASE):
                    item_base = _join_base(item_base, link_el)
        if not summary or summary.isspace():  # as `not summary.strip()`, without a copy
            summary = content
        if not date_text or date_text.isspace():
            date_text = dc_date
        if not link and permalink:
            link = permalink
        raws.append((title, True, summary, True, link, item_base, guid, date_text, None))
    return raws


def _atom_text(el: ET.Element) -> tuple[str, bool]:
    """(text, is_html) of an Atom text construct."""
    kind = (el.get("type") or "text").strip().lower()
    if kind == "xhtml" or kind.endswith("xhtml+xml"):
        div = el.find(_XHTML + "div")
        return _inner_text(div if div is not None else el), False
    if kind in ("html", "text/html"):
        return el.text or "", True
    return _text(el), False


def _atom_entries(entries: list[ET.Element], base: str | None) -> list[Raw]:
    return [_atom_entry(entry, base) for entry in entries]


def _atom_entry(entry: ET.Element, base: str | None) -> Raw:
    entry_base = _join_base(base, entry)
    title, title_html = "", True
    summary, summary_html = "", True
    guid = ""
    best_link: tuple[int, str | None, str] | None = None
    content: tuple[str, bool] = ("", True)
    published = updated = ""
    extra: dict[int, Any] | None = None
    for child in entry:
        tag = child.tag
        if tag == _ATOM + "title":
            title, title_html = _atom_text(child)
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
                best_link = (rank, _join_base(entry_base, child), href)
        elif tag == _ATOM + "id":
            guid = _text(child).strip()
        elif tag == _ATOM + "summary":
            summary, summary_html = _atom_text(child)
        elif tag == _ATOM + "content" and not child.get("src"):
            content = _atom_text(child)
        elif tag == _ATOM + "published":
            published = _text(child)
        elif tag == _ATOM + "updated":
            updated = _text(child)
        else:
            role = _EXTRA_ROLES.get(tag)
            if role is not None and role != _LINK2:
                if extra is None:
                    extra = {}
                _add_extra(child, role, extra)
    link: str | None = None
    if best_link is not None:
        _, entry_base, link = best_link
    elif _is_web_url(guid):
        link = guid  # an entry whose only URL is its id: the id is its permalink
    if not summary.strip():
        summary, summary_html = content
    if extra:
        if not title.strip():
            title, title_html = _first(extra, _TITLE2, _TITLE3), True
        if not summary.strip():
            summary, summary_html = _first(extra, _SUMMARY2, _SUMMARY3, _SUMMARY4, _BODY), True
    date_text = published if published.strip() else updated
    return (title, title_html, summary, summary_html, link, entry_base, guid, date_text, None)


def _rdf_item(item: ET.Element, base: str | None, ns: str) -> Raw:
    title = summary = content = date_text = ""
    link: str | None = None
    extra: dict[int, Any] = {}
    for child in item:
        tag = child.tag
        if tag == ns + "title":
            title = _text(child)
        elif tag == ns + "link":
            link = _text(child).strip()
        elif tag == ns + "description":
            summary = _text(child)
        elif tag == _CONTENT_ENCODED and not content.strip():
            content = _text(child)
        elif tag == _DC_DATE:
            date_text = _text(child)
        else:
            role = _EXTRA_ROLES.get(tag)
            if role is not None and role != _LINK2:
                _add_extra(child, role, extra)
    if not title.strip():
        title = _first(extra, _TITLE2, _TITLE3)
    if not summary.strip():
        summary = _first(extra, _SUMMARY2, _SUMMARY3, _SUMMARY4) or content or _first(extra, _BODY)
    guid = (item.get(_RDF + "about") or "").strip()
    return (title, True, summary, True, link, _join_base(base, item), guid, date_text, None)
