"""The fast path reads a document a slice at a time and cleans its items a batch at a time:
whatever the slices and batches, the items are those of one item at a time."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk.model import NewsItem
from dealdesk.news import xmlfeed
from dealdesk.news.dates import parse_date
from dealdesk.news.items import FUTURE_TOLERANCE
from dealdesk.news.parse import SUMMARY_LIMIT, TITLE_LIMIT, parse_feed
from dealdesk.text.clean import clean_text
from tests.test_parse import RDF, XML_TEXT

FETCHED = datetime(2025, 9, 24, 12, 0, tzinfo=UTC)
FEED_URL = "https://news.example.com/feeds/main.xml"


def parse(data: bytes):
    return parse_feed(data, "test", FETCHED, FEED_URL)


def fields(parsed) -> tuple:
    return parsed.title, parsed.parser, [dataclasses.astuple(item) for item in parsed.items]


def _rss_item(i: int) -> str:
    kind = i % 8
    parts = [f"<title>Story {i % 30} &amp; more</title>"]
    if kind != 1:
        parts.append(f"<link>https://news.example.com/{i % 25}</link>")
    if kind == 2:
        parts.append('<link xml:base="https://other.example/sub/">rel</link>')
    if kind in (3, 4):
        parts.append(f'<guid isPermaLink="{"false" if kind == 3 else "true"}">g{i % 20}</guid>')
    parts.append("<category>a</category><category>b</category>")
    if kind == 5:
        parts.append("<content:encoded>&lt;p&gt;only content&lt;/p&gt;</content:encoded>")
        parts.append("<dc:date>2025-09-20T10:00:00Z</dc:date>")
    else:
        parts.append(f"<description>&lt;p&gt;Para {i}&lt;/p&gt;\n  &lt;br/&gt;"
                     f"&lt;!-- note --&gt;x</description>")
        parts.append(f"<pubDate>Tue, 23 Sep 2025 {i % 24:02d}:00:00 GMT</pubDate>")
    if kind == 6:
        parts.append("<title><b>nested</b> markup</title>")
    base = ' xml:base="https://item.example/"' if kind == 7 else ""
    return f"<item{base}>" + "".join(parts) + "</item>"


# Repeats (guid, link, title), a channel title after the items, other children between them.
MANY_RSS = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel xml:base="https://chan.example/">'
    + "".join(_rss_item(i) + ("<image><url>x</url></image>" if i == 17 else "")
              for i in range(60))
    + "<title>Many &amp; more</title></channel></rss>"
).encode()

MANY_ATOM = (
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
    + "".join(
        f'<entry><title type="{("text", "html")[i % 2]}">Entry &lt;{i % 9}&gt;</title>'
        f'<link href="/e/{i % 11}"/><id>tag:x,{i % 13}</id><updated>2025-09-2{i % 9}T00:00:00Z'
        f"</updated><summary>s {i}</summary></entry>"
        for i in range(40)
    )
    + "<title>Atom after</title></feed>"
).encode()

STRAY_RSS = (
    '<rss version="0.91"><channel><title>Old</title></channel>'
    + "".join(f"<item><title>Old {i}</title><link>https://old.example/{i}</link></item>"
              for i in range(12))
    + "</rss>"
).encode()


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
@pytest.mark.parametrize(
    "doc", [MANY_RSS, MANY_ATOM, STRAY_RSS, RDF], ids=["rss", "atom", "rss-0.9x", "rdf"]
)
def test_any_slicing_of_the_bytes_gives_the_same_items(monkeypatch, doc, chunk):
    whole = parse(doc)  # one slice: the document is smaller than xmlfeed.CHUNK
    assert whole.parser == "fast" and len(whole.items) > 0
    monkeypatch.setattr(xmlfeed, "CHUNK", chunk)
    assert fields(parse(doc)) == fields(whole)


def test_repeats_across_slices_are_still_left_out(monkeypatch):
    monkeypatch.setattr(xmlfeed, "CHUNK", 300)
    items = parse(MANY_RSS).items
    for name in ("guid", "title"):
        values = [getattr(item, name) for item in items]
        assert len(values) == len(set(values)), name
    links = [item.link for item in items if item.link]
    assert len(links) == len(set(links))


def test_a_document_broken_after_items_were_taken_gives_feedparsers_items_alone(monkeypatch):
    broken = MANY_RSS.replace(b"</channel></rss>", b"<item><title>cut</channel></rss>")
    expected = fields(parse(broken))
    assert expected[1] == "feedparser"
    monkeypatch.setattr(xmlfeed, "CHUNK", 256)  # the first items leave before the break
    assert fields(parse(broken)) == expected


_XMLParser = ET.XMLParser


class _ParserWithoutEvents:
    """ElementTree's parser as it would be without the internal hook for XMLPullParser."""

    def __init__(self) -> None:
        self._parser = _XMLParser()

    def feed(self, data) -> None:
        self._parser.feed(data)

    def close(self) -> ET.Element:
        return self._parser.close()


@pytest.mark.parametrize("doc", [MANY_RSS, MANY_ATOM], ids=["rss", "atom"])
def test_without_the_event_hook_the_tree_is_read_once_complete(monkeypatch, doc):
    expected = fields(parse(doc))
    monkeypatch.setattr(xmlfeed, "CHUNK", 64)
    monkeypatch.setattr(xmlfeed.ET, "XMLParser", _ParserWithoutEvents)
    assert fields(parse(doc)) == expected


def test_parsed_items_are_the_dataclass_own():
    # The builder makes items without calling NewsItem(...) (items.py says why).
    for item in parse(MANY_RSS).items:
        twin = NewsItem(**{f.name: getattr(item, f.name) for f in dataclasses.fields(NewsItem)})
        assert item == twin and hash(item) == hash(twin) and repr(item) == repr(twin)
        assert vars(item) == vars(twin)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.title = "changed"  # type: ignore[misc]
    assert dataclasses.replace(item, title="t").title == "t"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(XML_TEXT, XML_TEXT), min_size=2, max_size=12))
def test_a_batch_of_items_is_cleaned_as_each_item_alone(pairs):
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + "".join(
            f'<item><guid isPermaLink="false">g{i}</guid><title>{escape(title)}</title>'
            f"<description>{escape(text)}</description></item>"
            for i, (title, text) in enumerate(pairs)
        )
        + "</channel></rss>"
    ).encode()
    expected, seen = [], set()
    for i, (title, text) in enumerate(pairs):
        summary = clean_text(text, SUMMARY_LIMIT)
        name = clean_text(title, TITLE_LIMIT) or clean_text(summary, 200, html_markup=False)
        if name and name not in seen:
            seen.add(name)
            expected.append((f"g{i}", name, summary))
    parsed = parse(doc)
    assert parsed.parser == "fast"
    assert [(item.guid, item.title, item.summary) for item in parsed.items] == expected


# Dates as written, some shared, some unreadable or impossible, some only differing in the
# whitespace around them: each item's date is read once per document and looked up after.
DATE_TEXTS = [
    "Tue, 23 Sep 2025 10:00:00 GMT", " Tue, 23 Sep 2025 10:00:00 GMT\n", "2025-09-23T10:00:00Z",
    "", "  ", "not a date", "2026-02-30", "Tue, 23 Sep 2025 10:00:00 +2500", "2099-01-01",
    "Tue, 23 Sep 2025 10:00:00 PST",
]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(DATE_TEXTS), min_size=1, max_size=30),
       st.sampled_from([200, 1000, 1 << 18]))
def test_items_sharing_a_date_text_get_the_date_each_would_get_alone(dates, chunk):
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + "".join(f"<item><title>Story {i}</title><pubDate>{escape(d)}</pubDate></item>"
                  for i, d in enumerate(dates))
        + "</channel></rss>"
    ).encode()
    old_chunk = xmlfeed.CHUNK
    xmlfeed.CHUNK = chunk  # not monkeypatch: a fixture would be shared by the examples
    try:
        parsed = parse(doc)
    finally:
        xmlfeed.CHUNK = old_chunk
    assert parsed.parser == "fast"
    expected = []
    for d in dates:
        alone = parse_date(d)
        if alone is None:
            expected.append((FETCHED, "missing"))
        elif alone > FETCHED + FUTURE_TOLERANCE:
            expected.append((FETCHED, "future"))
        else:
            expected.append((alone, None))
    assert [(item.published, item.date_flag) for item in parsed.items] == expected
