"""parse_feed: bytes in, clean NewsItems out, whatever the bytes are."""

from __future__ import annotations

import gc
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk.news.dates import parse_date, parse_date_text
from dealdesk.news.parse import (
    SUMMARY_LIMIT,
    TITLE_LIMIT,
    _collector_paused,
    parse_feed,
)
from dealdesk.text.clean import clean_text
from tests.feedserver import finishes_within, rss

FETCHED = datetime(2025, 9, 24, 12, 0, tzinfo=UTC)
FEED_URL = "https://news.example.com/feeds/main.xml"


def parse(data: bytes, **kw):
    return parse_feed(data, "test", FETCHED, kw.pop("base_url", FEED_URL), **kw)


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Compute &amp; Co</title>
<item>
  <title>Nvidia to invest up to $100&#160;billion in OpenAI</title>
  <link>https://news.example.com/nvidia-openai</link>
  <guid isPermaLink="false">story-1</guid>
  <pubDate>Mon, 22 Sep 2025 18:30:00 +0200</pubDate>
  <description><![CDATA[<p>The first <b>gigawatt</b> comes online in 2026.</p>]]></description>
</item>
<item>
  <title>Relative link, dc:date, content:encoded</title>
  <link>/oracle</link>
  <dc:date>2025-09-23T08:00:00Z</dc:date>
  <content:encoded>&lt;p&gt;Oracle &amp;amp; OpenAI&lt;/p&gt;</content:encoded>
</item>
<item>
  <title>Permalink guid only</title>
  <guid>https://news.example.com/amd</guid>
  <pubDate>Tue, 23 Sep 2025 10:00:00 GMT</pubDate>
</item>
</channel></rss>"""


def test_rss_items_fields_and_fast_path():
    parsed = parse(RSS)
    assert parsed.is_feed and parsed.error is None and parsed.parser == "fast"
    assert parsed.title == "Compute & Co"
    first, second, third = parsed.items
    assert first.title == "Nvidia to invest up to $100 billion in OpenAI"
    assert first.link == "https://news.example.com/nvidia-openai"
    assert first.guid == "story-1"
    assert first.published == datetime(2025, 9, 22, 16, 30, tzinfo=UTC)
    assert first.summary == "The first gigawatt comes online in 2026."
    assert first.date_flag is None and first.feed == "test"
    assert second.link == "https://news.example.com/oracle"
    assert second.guid == "https://news.example.com/oracle"  # guid falls back to the link
    assert second.summary == "Oracle & OpenAI"
    assert second.published == datetime(2025, 9, 23, 8, 0, tzinfo=UTC)
    assert third.link == "https://news.example.com/amd"  # isPermaLink guid is the link
    assert third.published.tzinfo == UTC


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.org/blog/">
  <title type="text">Atom &lt;feed&gt;</title>
  <entry xml:base="posts/">
    <title type="html">A &lt;em&gt;bold&lt;/em&gt; move</title>
    <link rel="self" href="https://atom.example.org/self"/>
    <link rel="alternate" type="application/pdf" href="paper.pdf"/>
    <link href="one.html"/>
    <id>tag:atom.example.org,2025:1</id>
    <updated>2025-09-23T09:00:00+02:00</updated>
    <published>2025-09-22T09:00:00+02:00</published>
    <summary type="text">Tags like &lt;b&gt; stay literal in text</summary>
  </entry>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML <b>title</b></div></title>
    <link href="/abs/two"/>
    <id>tag:atom.example.org,2025:2</id>
    <updated>2025-09-23T10:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body</p><script>bad()</script><p>text</p></div></content>
  </entry>
</feed>"""


def test_atom_text_constructs_links_and_xml_base():
    parsed = parse(ATOM)
    assert parsed.is_feed and parsed.parser == "fast"
    assert parsed.title == "Atom <feed>"
    one, two = parsed.items
    assert one.title == "A bold move"
    assert one.link == "https://atom.example.org/blog/posts/one.html"  # html alternate wins
    assert one.guid == "tag:atom.example.org,2025:1"
    assert one.published == datetime(2025, 9, 22, 7, 0, tzinfo=UTC)  # published first
    assert one.summary == "Tags like <b> stay literal in text"
    assert two.title == "XHTML title"
    assert two.link == "https://atom.example.org/abs/two"
    assert two.summary == "Body text"  # script content is not text


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.net/"><title>RDF feed</title></channel>
  <item rdf:about="https://rdf.example.net/1">
    <title>RDF item</title><link>https://rdf.example.net/1</link>
    <description>About &lt;i&gt;RDF&lt;/i&gt;</description>
    <dc:date>2025-09-21T12:00:00-04:00</dc:date>
  </item>
</rdf:RDF>"""


def test_rdf_items():
    parsed = parse(RDF)
    assert parsed.is_feed and parsed.parser == "fast" and parsed.title == "RDF feed"
    (item,) = parsed.items
    assert (item.title, item.link, item.guid, item.summary) == (
        "RDF item", "https://rdf.example.net/1", "https://rdf.example.net/1", "About RDF"
    )
    assert item.published == datetime(2025, 9, 21, 16, 0, tzinfo=UTC)


def test_broken_xml_falls_back_to_feedparser():
    broken = (
        b'<rss version="2.0"><channel><title>Broken</title>'
        b"<item><title>Caf&eacute; &nbsp;unclosed <b>tag</title>"
        b"<link>https://x.example.com/1</link></item>"
        b"<item><title>Second & bare ampersand</title></item>"
    )
    parsed = parse(broken)
    assert parsed.is_feed and parsed.parser == "feedparser"
    titles = [i.title for i in parsed.items]
    assert titles[0] == "Café unclosed tag"
    assert parsed.items[0].link == "https://x.example.com/1"
    assert titles[1] == "Second & bare ampersand"


def test_legacy_encoding_is_decoded():
    data = (
        '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel>'
        "<item><title>“Quoted” – café</title></item></channel></rss>"
    ).encode("cp1252")
    assert parse(data).items[0].title == "“Quoted” – café"


def test_utf16_feed():
    data = RSS.decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    parsed = parse(data)
    assert parsed.is_feed and len(parsed.items) == 3


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a feed (empty)"),
        (b"  \n\t ", "not a feed (empty)"),
        (b"<!DOCTYPE html><html><head><title>Hi</title></head><body>x</body></html>",
         "not a feed (looks like HTML)"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
         "not a feed (looks like HTML)"),
        (b"\n\n<HTML><BODY>Server error<p>unclosed", "not a feed (looks like HTML)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
         "not a feed (looks like JSON)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a feed (binary data)"),
        (b"\x1f\x8b\x08\x00compressed", "not a feed (binary data)"),
        (b"<config><value>1</value></config>", "not a feed (XML, but no RSS, Atom or RDF)"),
        (b"just some words", "not a feed (unrecognised content)"),
    ],
)
def test_not_a_feed(data, reason):
    parsed = parse(data)
    assert not parsed.is_feed
    assert parsed.error == reason
    assert parsed.items == []


def test_empty_feed_is_still_a_feed():
    parsed = parse(rss([]))
    assert parsed.is_feed and parsed.items == [] and parsed.error is None


def test_duplicates_removed_by_guid_then_link_then_title():
    data = rss(
        [
            {"title": "A", "guid": "g1", "link": "https://e.com/a"},
            {"title": "A again, same guid", "guid": "g1", "link": "https://e.com/a2"},
            {"title": "B", "guid": "g2", "link": "https://e.com/b"},
            {"title": "B again, same link", "guid": "g3", "link": "https://e.com/b"},
            {"title": "C", "guid": "g4"},
            {"title": "C", "guid": "g5"},
            {"title": "D", "guid": "g6"},
        ]
    )
    assert [i.guid for i in parse(data).items] == ["g1", "g2", "g4", "g6"]


def test_guid_without_guid_or_link_is_stable_hash_of_title_and_date():
    data = rss([{"title": "No id", "pubDate": "Tue, 23 Sep 2025 10:00:00 GMT"},
                {"title": "No id or date"}])
    first = parse(data).items
    again = parse_feed(data, "test", FETCHED + timedelta(hours=5), FEED_URL).items
    assert first[0].guid.startswith("sha1:") and first[1].guid.startswith("sha1:")
    assert [i.guid for i in first] == [i.guid for i in again]
    assert first[0].guid != first[1].guid


def test_missing_and_unparseable_dates_use_fetch_time():
    data = rss([{"title": "none"}, {"title": "junk", "pubDate": "sometime soon"}])
    for item in parse(data).items:
        assert item.published == FETCHED and item.date_flag == "missing"


def test_future_dates_are_clamped_to_now():
    now = FETCHED
    data = rss(
        [
            {"title": "far", "pubDate": "Fri, 01 Jan 2100 00:00:00 GMT"},
            {"title": "tomorrow-ish", "pubDate": "Thu, 25 Sep 2025 06:00:00 GMT"},
        ]
    )
    far, near = parse(data, now=now).items
    assert far.published == now and far.date_flag == "future"
    assert near.date_flag is None  # within a day: clocks and time zones differ


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 23 Sep 2025 10:00:00 GMT", datetime(2025, 9, 23, 10, tzinfo=UTC)),
        ("23 Sep 2025 10:00 -0500", datetime(2025, 9, 23, 15, tzinfo=UTC)),
        ("Tue, 23 Sep 2025 10:00:00 EST", datetime(2025, 9, 23, 15, tzinfo=UTC)),
        ("2025-09-23T10:00:00.123+01:00", datetime(2025, 9, 23, 9, 0, 0, 123000,
                                                   tzinfo=UTC)),
        ("2025-09-23", datetime(2025, 9, 23, tzinfo=UTC)),
        ("2025-09-23T10:00:00", datetime(2025, 9, 23, 10, tzinfo=UTC)),  # naive: UTC
    ],
)
def test_date_formats_become_aware_utc(text, expected):
    (item,) = parse(rss([{"title": "t", "pubDate": text}])).items
    assert item.published == expected and item.date_flag is None


def test_title_and_summary_caps():
    data = rss([{"title": "T" * 5000, "description": "S" * 50_000}])
    (item,) = parse(data).items
    assert len(item.title) == TITLE_LIMIT and item.title.endswith("…")
    assert len(item.summary) == SUMMARY_LIMIT and item.summary.endswith("…")


def test_unsafe_links_are_dropped():
    data = rss(
        [
            {"title": "js", "link": "javascript:alert(document.cookie)"},
            {"title": "data", "link": "data:text/html;base64,PHNjcmlwdD4="},
            {"title": "file", "link": "file:///etc/passwd"},
            {"title": "ok", "link": "https://ok.example.com/"},
        ]
    )
    links = {i.title: i.link for i in parse(data).items}
    assert links == {"js": None, "data": None, "file": None, "ok": "https://ok.example.com/"}


def test_xml_base_cannot_smuggle_a_scheme():
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="javascript:alert(1)//">'
        b"<entry><title>x</title><id>1</id><link href=\"page\"/></entry></feed>"
    )
    (item,) = parse(data).items
    assert item.link is None


def test_text_is_cleaned_of_terminal_escapes_and_markup_injection():
    data = rss([{"title": "Hi\x1b]52;c;ZXZpbA==\x07 [bold]x[/bold] \u202eevil",
                "description": "[@click=app.quit]click[/]"}])
    (item,) = parse(data).items
    assert "\x1b" not in item.title and "\u202e" not in item.title
    # Rich markup is just text here; the views must not interpret it either.
    assert "[bold]x[/bold]" in item.title
    assert item.summary == "[@click=app.quit]click[/]"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>laughs &lol9;</title><description>&lol9;</description></item>
</channel></rss>"""


def test_billion_laughs_is_never_expanded():
    started = time.monotonic()
    parsed = parse(BILLION_LAUGHS)
    assert time.monotonic() - started < 5
    assert "lollol" not in parsed.title
    for item in parsed.items:
        assert "lollol" not in item.title + item.summary
        assert len(item.title) < 100


def test_quadratic_blowup_with_one_big_entity_is_not_expanded():
    big = b"x" * 50_000
    refs = b"&a;" * 20_000
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + big + b'">\n]>\n'
        b'<rss version="2.0"><channel><item><title>t</title><description>'
        + refs + b"</description></item></channel></rss>"
    )
    parsed = parse(data)
    assert all("xxxxxxxxxx" not in i.summary for i in parsed.items)


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>',
        b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
        b'<!DOCTYPE rss SYSTEM "file:///etc/passwd">',
        b'<!DOCTYPE rss [<!ENTITY a "]>"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_external_entities_are_never_resolved(doctype):
    data = (
        b'<?xml version="1.0"?>\n' + doctype + b'\n<rss version="2.0"><channel>'
        b"<title>t &xxe;</title><item><title>x &xxe; y</title>"
        b"<description>&xxe;</description></item></channel></rss>"
    )
    parsed = parse(data)
    text = parsed.title + " ".join(i.title + i.summary for i in parsed.items)
    assert "root:" not in text


def test_bytes_that_name_a_file_are_not_opened(tmp_path):
    # feedparser.parse(bytes) tries open(bytes) first; parse_feed must never do that.
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss([{"title": "read from disk"}]))
    parsed = parse(str(secret).encode())
    assert not parsed.is_feed
    assert parsed.items == []


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_never_raises_on_arbitrary_bytes(data):
    parsed = parse(data)
    assert parsed.is_feed or parsed.error


FEEDISH = st.lists(
    st.sampled_from(
        [b"<rss>", b"</rss>", b"<channel>", b"</channel>", b"<item>", b"</item>", b"<title>",
         b"</title>", b"<link>", b"</link>", b"javascript:x", b"http://a.b/", b"&amp;", b"&",
         b"<![CDATA[", b"]]>", b"<!DOCTYPE x [", b"<!ENTITY e 'v'>", b"]>", b"&e;", b"\x1b",
         b"\xe2\x80\xae", b"<pubDate>", b"</pubDate>", b"Tue, 99 Sep 2025", b"<guid>",
         b"</guid>", b'<feed xmlns="http://www.w3.org/2005/Atom">', b"<entry>", b"</entry>",
         b"\xff", b"\x00", b"text"]
    ),
    max_size=30,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(FEEDISH)
def test_never_raises_on_feed_shaped_garbage(data):
    parsed = parse(data)
    for item in parsed.items:
        assert "\x1b" not in item.title and "\u202e" not in item.title
        assert item.link is None or item.link.startswith(("http://", "https://"))
        assert item.published.tzinfo is not None
        assert len(item.title) <= TITLE_LIMIT


@pytest.mark.parametrize(
    "data",
    [
        b"<?xml version='1.0'?>" + b" \n\t" * 3000 + b"x",
        b"<!-- a -->" * 2000 + b"<!-- unterminated",
        b"<?xml version='1.0'?><!DOCTYPE x [" + b"<!ENTITY a 'b'" * 50_000,
        b"<!DOCTYPE x [" + b"'" * 100_000,
        rss([{"title": "t", "description": "<a " * 30_000}]),
        rss([{"title": "t", "description": '<a title="' * 30_000}]),
        rss([{"title": "<b " * 5000, "description": "<p" + " x=1" * 30_000}]),
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>t</title>'
        b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        + b"<div>a" * 100_000 + b"</div>" * 100_000 + b"</div></content></entry></feed>",
    ],
    ids=["spaces", "comments", "entities", "quotes", "open-tags", "open-quotes", "attrs",
         "deep-nesting"],
)
def test_hostile_shapes_parse_in_bounded_time(data):
    parsed = finishes_within(10, parse, data)
    assert parsed.is_feed or parsed.error


# --- properties of the parse wrapper: whatever the text, what comes out is clean -------------

# Everything a stored item must never hold (as tests/test_clean.py's FORBIDDEN).
FORBIDDEN_OUT = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)


def _xml_char(c: str) -> bool:
    o = ord(c)
    return o in (0x9, 0xA, 0xD) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000


# Any text XML can carry, leaning on what hostile feeds send: markup, escapes, bidi.
XML_TEXT = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)).filter(_xml_char),
        st.sampled_from(list("[]@=/$:\\<>&;#\u202e\u2066\u200b\ufeff\u0085\u009b\u009d\u009c")),
    ),
    max_size=120,
)


def _rss_of(title: str, description: str, prolog: bytes = b"") -> bytes:
    from xml.sax.saxutils import escape

    return (
        b'<?xml version="1.0" encoding="utf-8"?>' + prolog + b'<rss version="2.0"><channel>'
        b"<title>t</title><item><title>" + escape(title).encode() + b"</title><description>"
        + escape(description).encode() + b"</description></item></channel></rss>"
    )


def _assert_item_is_clean(item) -> None:
    for text in (item.title, item.summary, item.guid, item.link or ""):
        assert not FORBIDDEN_OUT.search(text), text
        text.encode("utf-8")  # storable
    assert item.link is None or item.link.startswith(("http://", "https://"))
    assert 0 < len(item.title) <= TITLE_LIMIT and len(item.summary) <= SUMMARY_LIMIT
    assert item.published.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(XML_TEXT, XML_TEXT)
def test_the_fast_path_gives_exactly_the_cleaned_text(title, description):
    parsed = parse(_rss_of(title, description))
    assert parsed.is_feed and parsed.parser == "fast"
    want_title = clean_text(title, TITLE_LIMIT)
    want_summary = clean_text(description, SUMMARY_LIMIT)
    if not want_title and not want_summary:
        assert parsed.items == []  # nothing a reader could recognise
        return
    (item,) = parsed.items
    _assert_item_is_clean(item)
    assert item.summary == want_summary
    # Never grows: the title is the cleaned title, or (without one) cut from the summary.
    if want_title:
        assert item.title == want_title and len(item.title) <= len(title)
    else:
        assert len(item.title) <= min(200, len(description))


@settings(max_examples=200, deadline=None)
@given(XML_TEXT, XML_TEXT)
def test_the_feedparser_path_gives_clean_text_that_never_grows(title, description):
    # An internal DTD subset keeps the document off the fast path.
    parsed = parse(_rss_of(title, description, b'<!DOCTYPE rss [<!ENTITY x "y">]>'))
    assert parsed.is_feed and parsed.parser == "feedparser"
    for item in parsed.items:
        _assert_item_is_clean(item)
        assert len(item.title) <= max(len(title), min(200, len(description)))
        assert len(item.summary) <= len(description)


HOSTILE_FEEDISH = st.lists(
    st.sampled_from(
        [b"<rss version='2.0'>", b"</rss>", b"<channel>", b"</channel>", b"<item>", b"</item>",
         b"<title>", b"</title>", b"<link>", b"</link>", b"<description>", b"</description>",
         b"<guid>", b"</guid>", b"<![CDATA[", b"]]>", b"<b>", b"</b>", b"<script>",
         b"[@click=app.quit]", b"[/]", b"[link=https://evil.example/]", b"\x1b[31m", b"\x1b]52;c;",
         b"\x07", b"\x1b\\", b"\xc2\x9b2J", b"\xc2\x9d8;;", b"&#27;", b"&#x9b;", b"&#x202e;",
         b"&#x1b;]52;c;", b"\xe2\x80\xae", b"\xe2\x81\xa6", b"\xe2\x80\x8b", b"\xef\xbb\xbf",
         b"\xf3\xa0\x81\x81", b"javascript:alert(1)", b"https://ok.example/", b"data:text/html,x",
         b"<!DOCTYPE rss [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", b"&e;", b"&amp;", b"&",
         b"\xff", b"\x00", b"words", b" ", b"\n", b"\t",
         b'<feed xmlns="http://www.w3.org/2005/Atom">', b"<entry>", b"</entry>",
         b'<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">', b"</div>",
         b'<link href="', b'"/>', b'xml:base="javascript:x//"']
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(HOSTILE_FEEDISH)
def test_whatever_the_bytes_every_item_is_clean(data):
    parsed = parse(data)
    assert parsed.is_feed or (parsed.error and parsed.items == [])
    assert not FORBIDDEN_OUT.search(parsed.title)
    for item in parsed.items:
        _assert_item_is_clean(item)
        assert "root:" not in item.title + item.summary


# --- what the speed-ups must not change --------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\s*([A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}(:\d{2})?"
                  r" ?(GMT|UTC|Z|[+-]\d{4}|EST)?\s*", fullmatch=True),
))
def test_a_cached_date_is_the_date_parsed_afresh(text):
    first, again = parse_date(text), parse_date(text)  # the second comes from the cache
    stripped = text.strip()
    fresh = parse_date_text.__wrapped__(stripped) if stripped else None
    assert first == again == fresh
    assert first is None or first.utcoffset() == timedelta(0)


_ZONES = ["GMT", "UT", "UTC", "Z", "+0000", "-0000", "+0200", "-0530", "+1400", "-1200", ""]


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
    st.sampled_from(_ZONES),
    st.sampled_from(["%a, %d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%a,%d %b %Y %H:%M:%S"]),
)
def test_common_rfc822_dates_read_as_the_standard_library_reads_them(dt, zone, shape):
    # The common shape has a path of its own (no zone object for UTC, digits looked up);
    # email.utils, the general path, must agree with it, and every date comes out in UTC.
    from email.utils import parsedate_to_datetime

    text = f"{dt.strftime(shape)} {zone}".strip()
    expected = parsedate_to_datetime(text)
    expected = (expected.replace(tzinfo=UTC) if expected.tzinfo is None
                else expected.astimezone(UTC))
    parsed = parse_date_text.__wrapped__(text)
    assert parsed == expected and parsed.tzinfo is UTC


def test_rfc822_digits_beyond_ascii_are_read_as_int_reads_them():
    # \d matches them, so they reach the lookup table of ASCII digits and must get past it.
    text = "Tue, \u0662\u0663 Sep 2025 \u0660\u0668:13:00 +0200"
    assert parse_date_text.__wrapped__(text) == datetime(2025, 9, 23, 6, 13, tzinfo=UTC)


def test_parsing_leaves_the_garbage_collector_as_it_found_it():
    broken = RSS.replace(b"</channel>", b"")  # refused by the fast path: feedparser reads it
    assert gc.isenabled()
    assert parse(RSS).parser == "fast" and parse(broken).parser == "feedparser"
    assert gc.isenabled()
    gc.disable()
    try:
        parse(RSS)
        parse(broken)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_parses_resume_the_collector_when_the_last_one_ends():
    inside, leave_first = threading.Barrier(2), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with _collector_paused():
            inside.wait()
            leave_first.wait()
        seen.append(gc.isenabled())  # the other parse is still running

    worker = threading.Thread(target=first)
    worker.start()
    with _collector_paused():
        inside.wait()
        leave_first.set()
        worker.join()
    assert seen == [False] and gc.isenabled()


def test_a_parse_that_raises_still_resumes_the_collector():
    with pytest.raises(RuntimeError), _collector_paused():
        raise RuntimeError
    assert gc.isenabled()
