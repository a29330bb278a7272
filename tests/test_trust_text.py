"""Issue #13 item 7: text, links, dates and charsets from hostile feeds, on both parser paths.

The classes, not the examples: invisible characters by Unicode category and property, any
impossible date or offset, any link whose authority misleads, any wrong charset label.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news.dates import parse_date
from dealdesk.news.parse import parse_feed
from dealdesk.news.refresh import run_refresh
from dealdesk.store import Store
from dealdesk.text.clean import clean_text
from dealdesk.text.invisible import (
    DEFAULT_IGNORABLE,
    EXTENDED_PICTOGRAPHIC,
    MAX_MARKS,
    MAX_NONSPACING_MARKS,
    classes,
    scrub,
)
from dealdesk.text.links import clean_link
from tests.feedserver import feed_server, no_proxy_env  # noqa: F401

LIMITS = FetchLimits(deadline_s=5, connect_timeout_s=2, read_timeout_s=2)
pytestmark = pytest.mark.usefixtures("no_proxy_env")

FETCHED = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _kept_joiner(text: str, i: int) -> bool:
    """Is text[i], a ZWJ or VS15/16, where an emoji needs it (what invisible.py keeps)?"""
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if not before or before == "\u200d":
        return False
    def emoji(c: str) -> bool:  # Unicode's Extended_Pictographic, or a skin tone
        return bool(c) and (0x1F3FB <= ord(c) <= 0x1F3FF or any(
            a <= ord(c) <= b for a, b in EXTENDED_PICTOGRAPHIC
        ))

    if text[i] == "\u200d":
        return (emoji(before) or before in "\ufe0e\ufe0f") and emoji(after)
    return emoji(before) or (
        text[i] == "\ufe0f" and before in "0123456789#*" and after == "\u20e3"
    )


def _invisible_left(out: str) -> list[str]:
    """Characters of the removed classes still in `out` (emoji joiners in place excepted)."""
    bad = []
    for i, c in enumerate(out):
        code, kind = ord(c), unicodedata.category(c)
        if c in "\u200d\ufe0e\ufe0f":
            if not _kept_joiner(out, i):
                bad.append(c)
            continue
        if (kind in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") or (kind == "Zs" and c != " ")
                or any(a <= code <= b for a, b in DEFAULT_IGNORABLE) or code == 0x2800
                or (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF):
            bad.append(c)
    return bad


def _longest_mark_runs(out: str) -> tuple[int, int]:
    """(longest run of non-spacing marks, longest run of any marks)."""
    nonspacing = marks = best_nonspacing = best_marks = 0
    for c in out:
        kind = unicodedata.category(c)
        marks = marks + 1 if kind[0] == "M" else 0
        nonspacing = nonspacing + 1 if kind in ("Mn", "Me") else 0
        best_marks, best_nonspacing = max(best_marks, marks), max(best_nonspacing, nonspacing)
    return best_nonspacing, best_marks


# --- invisible characters ----------------------------------------------------------------


@pytest.mark.parametrize("char", [
    "\u00ad", "\u180e", "\ufff9", "\ufffa", "\ufffb", "\u034f", "\u17b4", "\u17b5",
    "\ufe00", "\ufe0e", "\ufe0f", "\U000e0100", "\u180b", "\u200b", "\u200c", "\u200d",
    "\u2060", "\ufeff", "\U000e0041", "\U000e0001", "\u2065", "\U0001d173", "\U0001bca0",
    "\ue000", "\U000f0000", "\ufdd0", "\uffff", "\u061c", "\u0600", "\u2028", "\u2029",
], ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_between_letters_are_removed(char):
    assert clean_text(f"Open{char}AI", 100) in ("OpenAI", "Open AI")
    assert clean_text(f"Open{char}AI", 100, html_markup=False) in ("OpenAI", "Open AI")


@pytest.mark.parametrize("char", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_blank_looking_fillers_collapse_like_spaces(char):
    assert clean_text(f"Open{char}{char}AI", 100) == "Open AI"
    assert clean_text(char * 20, 100) == ""  # a "blank" title is an empty one


def test_every_default_ignorable_and_format_character_is_removed():
    # Unicode's own lists, every code point: nothing that renders as nothing survives,
    # but for the emoji joiners where they belong to an emoji (kept below).
    codes = [c for a, b in DEFAULT_IGNORABLE for c in range(a, b + 1)]
    codes += [c for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cf", "Cc")]
    for code in codes:
        # "é" ends no escape sequence: ESC and the C1 introducers go alone.
        out = clean_text(f"a{chr(code)}\u00e9", 100)
        assert out in ("a\u00e9", "a \u00e9"), hex(code)


def test_the_scanned_blocks_hold_every_mark_and_format_character():
    # invisible.py reads planes 0, 1 and 14 but for big blocks of letters, to build its
    # classes fast: every mark and format character must be where it reads.
    from dealdesk.text.invisible import _SCANNED

    scanned = set()
    for block in _SCANNED:
        scanned.update(block)
    outside = [c for c in range(0x110000) if c not in scanned
               and unicodedata.category(chr(c)) in ("Cf", "Mn", "Mc", "Me")]
    assert outside == []


def test_a_thousand_combining_marks_on_one_letter_are_capped():
    out = clean_text("Z" + "\u0301" * 1000 + "algo" + "\u0489\u0301" * 300, 2_000)
    assert out.startswith("Z\u0301\u0301\u0301\u0301algo")
    assert _longest_mark_runs(out)[0] <= MAX_NONSPACING_MARKS
    assert len(out) < 20


def test_real_scripts_keep_their_marks():
    for word in ("Tiếng Việt", "ချွှေး", "क्षत्रिय", "שָׁלוֹם", "naïve café"):
        assert clean_text(word, 100) == word
        nfd = unicodedata.normalize("NFD", word)
        assert clean_text(nfd, 100) == nfd


@pytest.mark.parametrize("emoji", [
    "\u2764\ufe0f", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb", "1\ufe0f\u20e3", "#\ufe0f\u20e3",
    "\U0001f3c3\u200d\u2640\ufe0f", "\u2194\ufe0f", "\u203c\ufe0f",
])
def test_emoji_keep_the_joiners_and_selectors_that_make_them(emoji):
    assert clean_text(f"Launch {emoji} day", 100) == f"Launch {emoji} day"


def test_a_zwj_between_symbols_that_are_no_emoji_is_removed():
    # U+FFFD and U+2800 are symbols (So) but no emoji is built on them.
    assert clean_text("a\ufffd\u200d\ufffd b \u2122\ufe0f", 100) == "a\ufffd\ufffd b \u2122\ufe0f"


def test_joiners_and_selectors_outside_an_emoji_are_removed():
    assert clean_text("a\u200db c\ufe0fd \u2764\ufe0f\ufe0f\ufe0f x\u200d\u200d", 100) == (
        "ab cd \u2764\ufe0f x"
    )
    assert clean_text("\U0001f468\u200d\u200d\u200d\U0001f469", 100) == (
        "\U0001f468\u200d\U0001f469"
    )
    assert clean_text("\U0001f468\u200d", 100) == "\U0001f468"  # nothing to join to


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.one_of(
    st.characters(),
    st.sampled_from(["\u0301", "\u0489", "\u0903", "\u200d", "\ufe0f", "\ufe0e", "\u2764",
                     "\U0001f468", "\U0001f3fd", "\u3164", "\u2800", "\u00ad", "\x9b", "1",
                     "\u20e3", "\U000e0041", " "]),
)), st.booleans())
def test_no_text_keeps_an_invisible_character_or_a_pile_of_marks(text, html_markup):
    out = clean_text(text, 10_000, html_markup=html_markup)
    assert _invisible_left(out) == [], [hex(ord(c)) for c in _invisible_left(out)]
    nonspacing, marks = _longest_mark_runs(out)
    assert nonspacing <= MAX_NONSPACING_MARKS and marks <= MAX_MARKS
    assert clean_text(out, 10_000, html_markup=False) == out  # cleaning is idempotent


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scrub_is_idempotent_and_leaves_nothing_it_removes(text):
    out = scrub(text)
    assert scrub(out) == out
    assert not classes().removed.search(out) and not classes().blank.search(out)


# --- C1 controls, raw and by reference -----------------------------------------------------


@pytest.mark.parametrize("text", [
    "C1 \x9b2J done", "C1 &#x9b;2J done", "C1 &#155;2J done", "C1 &#X9B;2J done",
    "C1 \x9d0;title\x9c done", "C1 &#x9d;0;title&#x9c; done", "C1 &#27;[2J done",
    "C1 \x85\x9c done",
])
def test_c1_controls_never_become_visible_punctuation(text):
    out = clean_text(text, 100)
    assert out in ("C1 done", "C1 done"), out
    assert "\u203a" not in out and "2J" not in out


# --- links ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://openai.com@evil.example/", "http://user:pw@host.example/", "https://@host.example/",
    "http://openai.com%40evil.example/", "http://openai.com\\@evil.example/",
    "http://exa\x00mple.com/", "http://exa\u202emple.com/", "http://exa\u200bmple.com/",
    "http://exa mple.com/", "http://exa\x85mple.com/", "http://example.com:99999/",
    "http://example.com:-1/", "http://[::1/", "http://ex<ample.com/",
])
def test_links_whose_authority_misleads_are_dropped(url):
    assert clean_link(url) is None
    assert clean_link(url, "https://base.example/feed") is None


@pytest.mark.parametrize("url", [
    "https://bücher.example/a", "https://xn--bcher-kva.example/a", "http://[::1]:8080/x",
    "http://127.0.0.1:8080/x", "https://example.com./", "https://a_b.example.com/",
    "https://example.com/path@with-at?q=a@b#frag@x",
])
def test_plain_idn_ip_and_port_links_are_kept(url):
    assert clean_link(url) == url


def test_a_pile_of_marks_in_a_link_is_percent_encoded_past_the_cap():
    pile = "\u0301" * 20
    assert clean_link(f"https://e.example/a{pile}b") == (
        "https://e.example/a" + "\u0301" * MAX_NONSPACING_MARKS + "%CC%81" * 16 + "b"
    )
    assert clean_link(f"https://e{pile}.example/") is None  # in the host: no name
    assert clean_link("https://e.example/\u0939\u093f\u0928\u094d\u0926\u0940") == (
        "https://e.example/\u0939\u093f\u0928\u094d\u0926\u0940"
    )


def test_a_relative_link_under_a_base_with_user_info_is_dropped():
    assert clean_link("/x", "http://openai.com@evil.example/feed") is None


# --- both parser paths ----------------------------------------------------------------------


def _rss(title: str, pub_date: str = "", link: str = "https://e.example/1",
         broken: bool = False, description: str = "") -> bytes:
    """One item. `broken` adds an HTML entity XML does not know: the fast path refuses the
    document and feedparser reads it."""
    channel_extra = "<description>Caf&eacute;</description>" if broken else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{channel_extra}<item><title>{title}</title><link>{link}</link>"
        f"<guid isPermaLink=\"false\">g1</guid>"
        + (f"<pubDate>{pub_date}</pubDate>" if pub_date else "")
        + (f"<description>{description}</description>" if description else "")
        + "</item></channel></rss>"
    ).encode("utf-8")


def _both(title: str = "Story", **kw: object) -> list:
    """The one item each path makes of the same feed: [fast, feedparser]."""
    out = []
    for broken, expected in ((False, "fast"), (True, "feedparser")):
        body = _rss(title, broken=broken, **kw)  # type: ignore[arg-type]
        parsed = parse_feed(body, "t", FETCHED)
        assert parsed.parser == expected, parsed.error
        assert len(parsed.items) == 1
        out.append(parsed.items[0])
    return out


_XML_TEXT = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&\x00\ufffe\uffff",
                      max_codepoint=0x2FFFF).filter(
            lambda c: c in "\t\n\r" or not (ord(c) < 0x20 or 0xA0 <= ord(c) <= 0xBF)
        ),
        st.sampled_from(["\u0301", "\u200d", "\ufe0f", "\u2764", "\U0001f468", "\u3164",
                         "\u2800", "\u00ad", "\x9b", "\x9d", "\x9c", "2J", "\u202e",
                         "&#x9b;", "&#155;", "&#x9d;", "\U000e0041", "\u180e", " "]),
    ),
    min_size=1, max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(_XML_TEXT)
def test_both_parser_paths_clean_a_title_alike(title):
    # U+00A0-U+00BF are left out: feedparser "repairs" a text that reads as UTF-8 once
    # encoded as Latin-1 ("Ã©" becomes "é"), which the fast path rightly does not do.
    fast, fallback = _both("X " + title)
    assert fast.title == fallback.title
    assert _invisible_left(fast.title) == []


def test_c1_controls_on_the_fallback_path_are_removed_with_their_sequences():
    # feedparser maps U+0080-U+009F to windows-1252 in every text: "\x9b2J" was "›2J".
    for title in ("C1 \x9b2J done", "C1 &#x9b;2J done", "C1 &#155;2J done",
                  "C1 \x9d0;pwned\x9c done", "C1 &amp;#x9b;2J done"):
        fast, fallback = _both(title)
        assert fast.title == fallback.title == "C1 done", (title, fallback.title)


def test_a_feed_that_names_the_stand_ins_gets_nothing_from_them():
    fast, fallback = _both("A \ufdd0\ufddb2J B")
    assert fast.title == "A 2J B" and fallback.title == "A 2J B"


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "2026-01-10T10:00:00+25:00", "2026-01-10T10:00:00-99:99", "2026-01-10T10:00:00+12:60",
    "2026-01-10T10:00:00+24:00", "2026-01-10T10:00:00+15:00", "2026-01-10T10:00:00+0199",
    "Sat, 10 Jan 2026 10:00:00 +2500", "Sat, 10 Jan 2026 10:00:00 -9999",
    "Sat, 10 Jan 2026 10:00:00 +0160", "10 Jan 2026 10:00 -1500",
])
def test_impossible_offsets_make_a_date_missing(text):
    assert parse_date(text) is None
    for item in _both(pub_date=text):
        assert item.date_flag == "missing" and item.published == FETCHED


@pytest.mark.parametrize("text", [
    "2026-02-30", "2026-02-30T10:00:00Z", "Mon, 30 Feb 2026 10:00:00 GMT", "2025-02-29",
    "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31T00:00:00+01:00",
    "2026-01-10T24:00:00Z", "2026-01-10T23:60:00Z", "Sat, 10 Jan 2026 25:00:00 GMT",
    "-0001-01-01", "-0001-01-01T00:00:00Z", "0000-01-01", "0000-01-01T00:00:00Z",
    "Sat, 01 Jan 0000 00:00:00 GMT", "0001-01-01T00:00:00+01:00", "1735689600",
    "99999999999999999999", "sometime next week", "2026-1-1",
])
def test_impossible_dates_are_missing_not_rolled_over(text):
    assert parse_date(text) is None
    for item in _both(pub_date=text):
        assert item.date_flag == "missing" and item.published == FETCHED


@pytest.mark.parametrize("text", [
    "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00", "Fri, 31 Dec 9999 23:59:59 GMT",
    "Fri, 31 Dec 9999 23:59:59 -1200", "99999-01-01T00:00:00Z", "+10000-01-01",
    "Mon, 01 Jan 10000 00:00:00 GMT", "2100-01-01", "2026-01-17T12:00:00Z",
])
def test_far_future_dates_are_flagged_future(text):
    for item in _both(pub_date=text):
        assert item.date_flag == "future" and item.published == FETCHED


def test_a_date_within_the_horizon_is_kept_as_written():
    for item in _both(pub_date="2026-01-16T11:00:00+01:00"):  # a day after the fetch
        assert item.date_flag is None
        assert item.published == datetime(2026, 1, 16, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("Sun Jan  4 16:29:06 2004", datetime(2004, 1, 4, 16, 29, 6)),
    ("20260101T120000Z", datetime(2026, 1, 1, 12)),
    ("2026-01-01 10:00:00 +0100", datetime(2026, 1, 1, 9)),
    ("2026-01", datetime(2026, 1, 1)),
    ("2026", datetime(2026, 1, 1)),
    ("04 Jan 26 10:00 GMT", datetime(2026, 1, 4, 10)),
    ("Sunday, 04-Jan-2026 10:00:00 +0000 (UTC)", datetime(2026, 1, 4, 10)),
    ("4 January 2026 10:00 PST", datetime(2026, 1, 4, 18)),
    ("2026-01-01T10:00:00.123456789-14:00", datetime(2026, 1, 2, 0, 0, 0, 123456)),
    ("2026-06-30T23:59:60Z", datetime(2026, 6, 30, 23, 59, 59)),
    ("2026-01-04t10:00:00z", datetime(2026, 1, 4, 10)),
])
def test_the_formats_feedparser_read_for_us_are_still_read(text, expected):
    assert parse_date(text) == expected.replace(tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9998, 12, 31)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_every_real_instant_reads_back_in_both_notations(dt, offset_minutes):
    dt = dt.replace(microsecond=0)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    expected = (dt - timedelta(minutes=offset_minutes)).replace(tzinfo=UTC)
    iso = f"{dt:%Y-%m-%dT%H:%M:%S}{sign}{hours:02d}:{minutes:02d}"
    rfc = f"{dt:%a, %d %b %Y %H:%M:%S} {sign}{hours:02d}{minutes:02d}"
    assert parse_date(iso) == expected
    assert parse_date(rfc) == expected


def test_dates_never_reach_into_feedparser():
    # Its private _parse_date rolled impossible dates over; our parser is the only one.
    script = (
        "import sys\n"
        "from dealdesk.news.dates import parse_date\n"
        "for t in ('garbage', '2026-02-30', 'Mon, 30 Feb 2026 10:00:00 GMT', '2026'):\n"
        "    parse_date(t)\n"
        "assert 'feedparser' not in sys.modules, 'feedparser imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


# --- links on both paths ------------------------------------------------------------------


@pytest.mark.parametrize("link", [
    "http://openai.com@evil.example/", "http://user:pw@host.example/x",
    "https://openai.com:443@evil.example/",
])
def test_links_with_user_info_are_dropped_on_both_paths(link):
    for item in _both(link=link):
        assert item.link is None


# --- charsets -------------------------------------------------------------------------------


GRUSS = "Grüße aus Köln"


def _declared(encoding: str, title: str, body_codec: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>T</title><item><title>{title}</title><guid>g</guid></item></channel></rss>"
    ).encode(body_codec)


@pytest.mark.parametrize(("body", "content_type", "title"), [
    # The header's charset wins over the declaration...
    (_declared("iso-8859-1", GRUSS, "utf-8"), "application/rss+xml; charset=utf-8", GRUSS),
    (_declared("utf-8", GRUSS, "latin-1"), "application/rss+xml; charset=ISO-8859-1", GRUSS),
    (_declared("utf-8", "Привет мир", "cp1251"), "text/xml; charset=windows-1251",
     "Привет мир"),
    (_declared("iso-8859-1", "“quoted”", "cp1252"), 'application/xml; charset="windows-1252"',
     "“quoted”"),
    # ... unless the bytes are valid UTF-8, which a mislabelled feed usually is.
    (_declared("utf-8", GRUSS, "utf-8"), "application/rss+xml; charset=iso-8859-1", GRUSS),
    # A utf-16 label on bytes that are not UTF-16 is passed over, header or declaration.
    (_declared("utf-16", GRUSS, "utf-8"), "application/rss+xml", GRUSS),
    (_declared("UTF-16LE", GRUSS, "utf-8"), None, GRUSS),
    (_declared("utf-8", GRUSS, "utf-8"), "application/xml; charset=utf-16", GRUSS),
    (_declared("utf-16", GRUSS, "latin-1"), "application/xml; charset=utf-16", GRUSS),
    # Real UTF-16 is told by its BOM or its zero bytes, whatever the labels say.
    (_declared("utf-16", GRUSS, "utf-16"), "application/xml; charset=utf-8", GRUSS),
    (_declared("utf-8", GRUSS, "utf-16-be"), "application/xml; charset=iso-8859-1", GRUSS),
    # Labels that are no charset are ignored.
    (_declared("rot13", GRUSS, "utf-8"), "text/xml; charset=unicode_escape", GRUSS),
    (_declared("x-klingon", GRUSS, "latin-1"), "text/xml; charset=base64", GRUSS),
])
def test_the_http_charset_wins_and_wrong_labels_fall_back_to_detection(body, content_type,
                                                                        title):
    parsed = parse_feed(body, "t", FETCHED, content_type=content_type)
    assert parsed.is_feed, parsed.error
    assert [i.title for i in parsed.items] == [title]


def test_without_a_label_c1_bytes_stay_controls_never_windows_1252_punctuation():
    body = _declared("utf-8", "x", "utf-8").replace(b"<title>x", b"<title>Caf\xe9 \x9b2J ok")
    parsed = parse_feed(body, "t", FETCHED, content_type="application/rss+xml")
    assert [i.title for i in parsed.items] == ["Café ok"]


def test_a_utf8_body_declared_utf16_is_a_feed_not_an_error():
    body = _declared("utf-16", "Nvidia ships", "utf-8")
    parsed = parse_feed(body, "t", FETCHED)
    assert parsed.is_feed and parsed.parser == "fast"
    assert [i.title for i in parsed.items] == ["Nvidia ships"]


def test_refresh_hands_the_content_type_header_to_the_parser(feed_server, tmp_path):
    # End to end over HTTP: the stored title is the header's reading, not the declaration's.
    specs = [
        FeedSpec("header", feed_server.add(
            "/h.xml", body=_declared("iso-8859-1", GRUSS, "utf-8"),
            content_type="application/rss+xml; charset=utf-8")),
        FeedSpec("cyrillic", feed_server.add(
            "/c.xml", body=_declared("utf-8", "Привет мир", "cp1251"),
            content_type="text/xml; charset=windows-1251")),
        FeedSpec("utf16label", feed_server.add(
            "/u.xml", body=_declared("utf-16", GRUSS + " 16", "utf-8"),
            content_type="application/xml; charset=utf-16")),
    ]
    store_path = tmp_path / "dealdesk.db"
    report = run_refresh(specs, store_path, LIMITS, {}, lambda: FETCHED)
    assert [(o.name, o.status) for o in report.outcomes] == [
        ("header", "ok"), ("cyrillic", "ok"), ("utf16label", "ok")
    ]
    with Store.open(store_path) as store:
        titles = sorted(i.title for i in store.latest_items())
    assert titles == sorted([GRUSS, "Привет мир", GRUSS + " 16"])


# --- the fast scan against the exact one -----------------------------------------------------

_MARKY = st.lists(st.sampled_from([
    "a", " ", "\u0301", "\u0903", "\U0001d167", "\U000e0100", "\U0001f600", "\ufe0f",
    "\u200d", "\u2764", "\u3164", "\u0e31", "\U00011001", "\u00e9", "\u2019",
]), max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_MARKY, st.text()))
def test_needs_scrub_finds_exactly_what_the_exact_pattern_finds(text):
    from dealdesk.text.invisible import needs_scrub

    words = " ".join(text.split())
    exact = not words.isprintable() or classes().suspect.search(words) is not None
    assert needs_scrub(words) == exact
    if not exact:
        assert scrub(words) == words


def test_a_run_of_marks_across_the_bmp_and_beyond_is_capped():
    from dealdesk.text.invisible import needs_scrub

    text = "a" + "\u0301" * 3 + "\U0001d167" * 3  # six non-spacing marks, two planes
    assert needs_scrub(text)
    assert clean_text(text, 100) == "a" + "\u0301" * 3 + "\U0001d167"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("lead", ["", "  \n"])
def test_utf16_and_utf32_without_a_bom_are_told_by_their_zero_bytes(codec, lead):
    from dealdesk.news.charset import to_utf8

    doc = lead + _declared("utf-8", GRUSS, "utf-8").decode()  # the label lies: it says utf-8
    out = to_utf8(doc.encode(codec), "application/xml; charset=iso-8859-1")
    assert out.decode("utf-8") == doc
    parsed = parse_feed(doc.encode(codec), "t", FETCHED)
    assert [i.title for i in parsed.items] == [GRUSS]


@pytest.mark.parametrize("content_type", [None, "application/rss+xml; charset=iso-8859-1"])
def test_a_latin1_feed_declared_utf8_still_takes_the_fast_path(content_type):
    # UTF-8 as declared goes to expat unchecked; when expat refuses it, the bytes are read
    # by the charset rules and the fast path tries again, before feedparser.
    parsed = parse_feed(_declared("utf-8", GRUSS, "latin-1"), "t", FETCHED,
                        content_type=content_type)
    assert parsed.parser == "fast"
    assert [i.title for i in parsed.items] == [GRUSS]


def test_a_document_refused_for_its_markup_is_read_once_by_feedparser():
    body = _declared("utf-8", GRUSS + " &nbsp;", "utf-8")
    parsed = parse_feed(body, "t", FETCHED, content_type="text/xml; charset=iso-8859-1")
    assert parsed.parser == "feedparser"
    assert [i.title for i in parsed.items] == [GRUSS]


def test_the_written_unicode_tables_are_this_pythons_database():
    # text/unicode_tables.py saves every process a scan of unicodedata; written for one
    # Unicode version, read only under it, and equal to the scan (else regenerate it with
    # text.invisible.write_tables).
    import unicodedata

    from dealdesk.text import unicode_tables
    from dealdesk.text.invisible import category_ranges, scan_categories

    assert category_ranges() == scan_categories()
    if unicodedata.unidata_version == unicode_tables.UNIDATA_VERSION:
        assert category_ranges() == (list(unicode_tables.MARKS),
                                     list(unicode_tables.NONSPACING),
                                     list(unicode_tables.FORMAT))
