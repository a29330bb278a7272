"""clean_text / clean_link: what reaches the terminal from a feed."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dealdesk.text.clean import (
    _ASCII_SPACES,
    _BLOCK_TAGS,
    _HAS_CONTROL,
    _LEFTOVER_MARKUP,
    _RAW_BUDGET_MIN,
    _SEP,
    _ascii_printable,
    _cleaned,
    _html_to_text,
    _parsed_text,
    _single_line,
    _single_spaced,
    clean_text,
    clean_texts,
)
from dealdesk.text.invisible import classes, needs_scrub, scrub
from dealdesk.text.links import clean_link, clean_links
from tests.feedserver import finishes_within

# Everything clean_text promises never to return.
FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)


def test_html_becomes_plain_text():
    assert clean_text("<p>Nvidia <b>invests</b> $100&nbsp;bn</p><p>in OpenAI</p>", 100) == (
        "Nvidia invests $100 bn in OpenAI"
    )


def test_script_and_style_content_is_dropped():
    text = "before<script>alert('x')</script><style>p{color:red}</style> after"
    assert clean_text(text, 100) == "before after"


def test_tags_hidden_in_attribute_values_do_not_leak():
    assert clean_text('<a title="x > y">link</a> text', 100) == "link text"


def test_escaped_markup_shows_literally_after_one_decoding():
    # "&lt;script&gt;" in a feed's HTML is text about a tag, not a tag.
    assert clean_text("use &lt;script&gt; carefully", 100) == "use <script> carefully"


def test_plain_mode_does_not_decode_entities():
    assert clean_text("AT&amp;T <b>", 100, html_markup=False) == "AT&amp;T <b>"


def test_terminal_escapes_and_controls_are_removed():
    # Whole sequences go, parameters and all: the words stay readable.
    assert clean_text("red\x1b[31m alert\x07\x00 \x9b2J", 100) == "red alert"
    # Referenced controls go with their sequence too. HTML5 would read &#x9b; as
    # windows-1252 ("›") and drop &#27;, leaving "›2J" or "[2J" on screen; XML reads them
    # as the controls they name, and so does clean_text, on both parser paths.
    assert clean_text("a&#27;[2Jb &#x9b;c", 100) == "ab"
    assert clean_text("x &#155;2J &#X9B;31m &#0155;K &#x1B;[1m y", 100) == "x y"
    assert clean_text("&#156;&#159;", 100) == ""
    assert clean_text("&#x9b;2J", 100, html_markup=False) == "&#x9b;2J"  # literal text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mRed alert\x1b[0m \x1b[2J\x1b[Hscreen cleared", "Red alert screen cleared"),
        ("\x1b[38;2;255;0;0mtruecolour\x1b[m", "truecolour"),
        # OSC 8 hyperlink and OSC 52 clipboard write, terminated by ST and by BEL.
        ("\x1b]8;;https://evil.example/\x1b\\Hyperlinked words\x1b]8;;\x1b\\ end",
         "Hyperlinked words end"),
        ("Copy\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07 me", "Copy me"),
        ("title\x1b]0;pwned\x07 bar", "title bar"),
        # A payload is not HTML: an unterminated comment in it swallows nothing.
        ("a \x1b]52;c;<!-- \x07 b c", "a b c"),
        # The same as 8-bit C1 controls: CSI, OSC ... ST, DCS, APC.
        ("C1 \x9b2J\x9d52;c;ZXZpbA==\x9c\x90qDCS\x9c\x9fAPC\x9c done", "C1 done"),
        # Other escapes: charset, reset, save cursor.
        ("\x1b(Bcharset \x1bcreset \x1b7save", "charset reset save"),
        # Unterminated: only the introducer goes, the rest stays as plain text.
        ("x\x1b]52;no terminator", "x52;no terminator"),
        ("\x1b" * 5 + "[" * 5 + "ok", "[[[ok"),  # ESC [ [ is a CSI whose final byte is "["
        # Separators and NEL separate words.
        ("para\x85graph a\x1cb\x1dc\x1ed\x1fe", "para graph a b c d e"),
    ],
)
def test_terminal_sequences_are_removed_whole(text, expected):
    assert clean_text(text, 200) == expected
    assert clean_text(text, 200, html_markup=False) == expected


@pytest.mark.parametrize(
    "text",
    ["\x1b]" * 40_000, "\x1b[" + "1;" * 60_000, "\x9d" + "x" * 100_000 + "\x1b",
     "\x1b[1" * 30_000, "\x1b" + " " * 80_000, "\x1b P" * 30_000,
     # Every C1 introducer in a run: each once made the scan quadratic (6 s for 50,000).
     *(c * 60_000 for c in "\x90\x98\x9b\x9d\x9e\x9f"),
     *((c + "x") * 40_000 for c in "\x90\x9d")],
    ids=["osc", "csi-params", "c1-osc-long", "csi-runs", "esc-intermediates", "dcs-esc",
         "dcs", "sos", "csi", "osc-c1", "pm", "apc", "dcs-x", "osc-x"],
)
def test_runs_of_unterminated_sequences_are_linear(text):
    started = time.monotonic()
    out = finishes_within(5, clean_text, text, 100_000)
    assert time.monotonic() - started < 1.0
    assert not FORBIDDEN.search(out)


def test_bidi_and_zero_width_characters_are_removed():
    text = "pay\u202eusd 001\u202c to\u200b\u200d\ufeff \u2066x\u2069\u200e\u200f\u061c"
    assert clean_text(text, 100) == "payusd 001 to x"


def test_whitespace_collapses_to_single_spaces():
    assert clean_text("  a\n\n\tb\r\n c  \u2028 d ", 100) == "a b c d"


def test_cap_counts_the_ellipsis():
    out = clean_text("x" * 50, 10)
    assert out == "x" * 9 + "…"
    assert len(out) == 10
    assert clean_text("x" * 10, 10) == "x" * 10


def test_huge_html_input_is_bounded_and_marked_as_cut():
    out = clean_text("<b>word</b> " * 200_000, 1000)
    assert len(out) == 1000 and out.endswith("…")


def test_comments_cdata_and_unterminated_blocks():
    word = "<!--[if gte mso 9]><xml><o:x>junk</o:x></xml><![endif]-->Hello <!-- note --> world"
    assert clean_text(word, 100) == "Hello world"
    assert clean_text("<![CDATA[hidden]]>shown", 100) == "shown"
    assert clean_text("visible<script>never shown, no end tag", 100) == "visible"
    assert clean_text("a <!-- unterminated comment", 100) == "a"


def test_stray_angle_brackets_stay_text():
    assert clean_text("x < y and y > z, a<b", 100) == "x < y and y > z, a<b"
    assert clean_text("<b>1 < 2</b> <i>ok</i>", 100) == "1 < 2 ok"


@pytest.mark.parametrize(
    "text",
    ["<a " * 26_000, '<a title="' * 8_000, "<a b='" * 12_000, "<a b=" * 16_000,
     "<!-- " * 16_000, "<script>" * 10_000, "<" * 80_000, "<?x " * 20_000, "</a " * 20_000,
     "<p" + " x=1" * 20_000, '<a title="x>' * 6_000],
    ids=["open-tags", "open-quotes", "single-quotes", "bare-equals", "comments", "scripts",
         "lt", "pis", "end-tags", "attrs", "quote-gt"],
)
def test_unterminated_markup_is_linear_not_quadratic(text):
    # html.parser alone needs over a minute for 80 KB of "<a ".
    out = finishes_within(5, clean_text, text, 10_000)
    assert len(out) <= 10_000


def test_not_a_string_or_no_room_gives_empty():
    assert clean_text(None, 10) == ""  # type: ignore[arg-type]
    assert clean_text("abc", 0) == ""


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=300), st.booleans())
def test_clean_text_properties(text, limit, html_markup):
    out = clean_text(text, limit, html_markup=html_markup)
    assert isinstance(out, str)
    assert not FORBIDDEN.search(out)
    assert len(out) <= len(text)
    assert len(out) <= limit
    assert out == out.strip() and "  " not in out
    out.encode("utf-8")  # storable: no lone surrogates


HTMLISH = st.lists(
    st.sampled_from(
        ["<", ">", "&", ";", "#", "x", "27", "amp", "lt", "script", "/", "p", " ", '"', "'",
         "<!--", "-->", "<![CDATA[", "]]>", "\u202e", "\x1b", "&#x202e;", "&#27;", "\n"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(HTMLISH, st.integers(min_value=1, max_value=60))
def test_clean_text_properties_on_markup_soup(text, limit):
    out = clean_text(text, limit)
    assert not FORBIDDEN.search(out)
    assert len(out) <= min(len(text), limit)


def test_links_keep_only_web_urls():
    assert clean_link("https://example.com/a?b=1#c") == "https://example.com/a?b=1#c"
    assert clean_link("HTTP://Example.com/") == "http://Example.com/"
    for bad in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x",
                "file:///etc/passwd", "mailto:a@b.c", "ftp://example.com/", "//example.com",
                "", "   ", "http://", "https:///path", "http://[::1"):
        assert clean_link(bad) is None, bad


def test_relative_links_resolve_against_base():
    assert clean_link("/news/1", "https://example.com/feed.xml") == "https://example.com/news/1"
    assert clean_link("2", "https://example.com/news/") == "https://example.com/news/2"
    assert clean_link("//cdn.example.com/x", "https://example.com/") == "https://cdn.example.com/x"
    assert clean_link("/news/1") is None  # nothing to resolve against
    assert clean_link("passwd", "file:///etc/") is None


def test_links_lose_control_and_invisible_characters():
    assert clean_link("https://example.com/\u202e\n\tx\u200b") == "https://example.com/x"
    assert clean_link("java\nscript:alert(1)") is None
    # In the host they are a disguise: the link goes.
    assert clean_link("https://exa\u202emple.com/x") is None


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()))
def test_clean_link_never_raises_and_only_returns_http(url, base):
    out = clean_link(url, base)
    if out is not None:
        assert out.startswith(("http://", "https://"))
        assert not FORBIDDEN.search(out)
        assert " " not in out


# A complete terminal control sequence of each kind, built from its grammar.
_PARAMS = st.text(alphabet="0123456789;:<=>?", max_size=12)
_PAYLOAD = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.sampled_from(["<!--", "<script>", "&amp;", "<b>", "]]>", "&#27;", "<"]),
)
SEQUENCES = st.one_of(
    st.builds(lambda intro, p, final: intro + p + final, st.sampled_from(["\x1b[", "\x9b"]),
              _PARAMS, st.sampled_from(list("ABCDHJKmsuhl@~"))),
    st.builds(lambda intro, body, end: intro + body + end,
              st.sampled_from(["\x1b]", "\x9d", "\x1bP", "\x90", "\x1b_", "\x9f", "\x1b^"]),
              _PAYLOAD.filter(lambda s: "\x1b" not in s),
              st.sampled_from(["\x07", "\x1b\\", "\x9c"])),
    st.builds(lambda s: "\x1b" + s, st.sampled_from(["c", "7", "8", "(B", ")0", "=", ">", "M"])),
)
WORDS = st.lists(st.text(st.characters(whitelist_categories=("L", "N")), min_size=1,
                         max_size=8), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.lists(SEQUENCES, min_size=1, max_size=8), st.booleans())
def test_complete_terminal_sequences_vanish_and_the_words_stay(words, sequences, html_markup):
    text = ""
    for i, word in enumerate(words):
        text += word + " " + sequences[i % len(sequences)] + " "
    out = clean_text(text, 1_000, html_markup=html_markup)
    assert out == " ".join(words).strip()
    assert not FORBIDDEN.search(out)


def test_whitespace_left_inside_a_link_is_percent_encoded():
    # Found by tests/fuzz/fuzz_parse.py: VT and FF went through into a stored link.
    base = "https://fuzz.example.com/feeds/main.xml"
    assert clean_link("https\x0b\x0b:/corpus.example.com/x", base) == (
        "https://fuzz.example.com/feeds/https%0B%0B:/corpus.example.com/x"
    )
    assert clean_link("https://e.com/a\x0bb\x0cc\u2028d\u00a0e f") == (
        "https://e.com/a%0Bb%0Cc%E2%80%A8d%C2%A0e%20f"
    )


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTPS://", "", "/", "//"]),
       st.sampled_from(["example.com", "ex\u202eample.com", "[::1]", ""]), st.text(),
       st.one_of(st.none(), st.just("https://base.example.org/feeds/")))
def test_links_with_a_host_are_web_links_without_whitespace_or_controls(scheme, host, rest, base):
    # st.text() alone seldom makes a URL with a host: build them, so the slow path runs.
    out = clean_link(scheme + host + "/" + rest, base)
    if out is not None:
        assert out.startswith(("http://", "https://"))
        assert not FORBIDDEN.search(out) and not re.search(r"\s", out), out


# --- the fast paths against the plain way of doing the same work ---------------------------


def test_words_needing_no_scrub_prove_there_was_nothing_invisible():
    # _single_line skips scrub() when the joined words need none: sound only if every
    # character scrub() changes is unprintable or found by the `suspect` scan (whitespace
    # is gone from joined words). Every code point, so a new Unicode version that made one
    # of them printable would show here.
    suspect = classes().suspect
    for code in range(0x110000):
        c = chr(code)
        if scrub("a" + c + "b") != "a" + c + "b" and not c.isspace():
            assert not c.isprintable() or suspect.match(c), hex(code)
            assert needs_scrub("a" + c + "b"), hex(code)


def test_in_ascii_only_esc_can_start_a_terminal_sequence():
    # clean_text looks for "\x1b" alone in ASCII text instead of running _HAS_CONTROL.
    assert [chr(c) for c in range(128) if _HAS_CONTROL.match(chr(c))] == ["\x1b"]


# The tag patterns as they were before they were tuned for speed: the reference.
_PLAIN_ATTRS = r"""(?:\s(?:[^<>"']|"[^"<>]*"|'[^'<>]*')*)?/?>"""
_PLAIN_BLOCK_TAG = re.compile(
    r"</?(?:" + "|".join(sorted(_BLOCK_TAGS, key=len, reverse=True)) + r")" + _PLAIN_ATTRS
)
_PLAIN_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*" + _PLAIN_ATTRS)
_PLAIN_NOT_SIMPLE = re.compile(r"<[!?]|</?[A-Z]|(?i:<(?:script|style|template|noscript)\b)")


def _reference_html_to_text(s: str) -> str:
    if _PLAIN_NOT_SIMPLE.search(s):
        return _parsed_text(s)
    stripped = _PLAIN_TAG.sub("", _PLAIN_BLOCK_TAG.sub(" ", s))
    return _parsed_text(s) if _LEFTOVER_MARKUP.search(stripped) else html.unescape(stripped)


# Feed-like HTML and the shapes that must leave the regex path: upper-case and mixed-case
# tags, script/style (also spelt with a long s), comments, quotes holding ">", stray "<".
TAG_SOUP = st.lists(
    st.one_of(
        st.sampled_from(
            ["<", ">", "</", "/>", "<p>", "</p>", "<b>", "</b>", "<br/>", "<br >", "<P>", "</DIV>",
             "<bR>", "<h1>", "<pre>", "<hr/>", "<td>", "<sCript>", "<script>", "</script>",
             "<style>", "<Template>", "<noscript>", "<scriptx>", "<script-x>", "<\u017fcript>",
             "<\u017ftyle>", "<!--", "-->", "<![CDATA[", "]]>", "<?x ?>", "<a href='x'>",
             '<img src="a>b">', '<a title="x > y">', "<div class=x\ny>", "<a b='", '"', "'",
             "=", "&amp;", "&lt;b&gt;", "&#x1b;", "&#133;", "&nbsp;", "&", ";", "\x1b[31m",
             "\x9b", "\x85", "\x1c", "\u200b", "\u202e", "\xad", "\xa0", "\u2028", " ",
             "\n", "\t", "word", "\xe9t\xe9"]
        ),
        st.text(max_size=3),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(TAG_SOUP)
def test_tuned_tag_stripping_gives_what_the_plain_patterns_gave(text):
    assert _html_to_text(text) == _reference_html_to_text(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(TAG_SOUP, st.text()))
def test_single_line_gives_what_the_full_scan_gave(text):
    assert _single_line(text) == scrub(text)


# --- clean text comes back as it is ----------------------------------------------------------


def test_no_whitespace_but_the_space_is_printable():
    # clean_text returns printable, single-spaced text untouched: sound only if every other
    # character str.split() takes for whitespace fails isprintable(). Every code point.
    assert [c for c in range(0x110000) if chr(c).isspace() and chr(c).isprintable()] == [0x20]


@pytest.mark.parametrize(
    "text, html_markup",
    [("a  b", True), (" a", True), ("a ", False), ("a\xa0b", True), ("x\u200by", False),
     ("AT&amp;T", True), ("R&D", True), ("a &", True), ("<b>x</b>", True), ("y" * 11, False)],
    ids=["double-space", "leading", "trailing", "nbsp", "zero-width", "entity", "amp-letter",
         "amp-last", "tag", "too-long"],
)
def test_text_failing_one_test_of_the_shortcut_is_cleaned_in_full(text, html_markup):
    assert clean_text(text, 10, html_markup=html_markup) == _cleaned(text, 10, html_markup)


def test_the_shortcut_keeps_what_needs_no_cleaning():
    for text in ("Nvidia & OpenAI", "story-1", "Tue, 23 Sep 2025 10:00:00 GMT", "AT&amp;T <b>"):
        assert clean_text(text, 100, html_markup=False) is text
    assert clean_text("Nvidia & OpenAI: 10 GW", 100) == "Nvidia & OpenAI: 10 GW"


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(TAG_SOUP, st.text(), st.from_regex(r"[ A-Za-z&;#<>]{1,30}", fullmatch=True)),
    st.sampled_from([1, 5, 30, 1000]),
    st.booleans(),
)
def test_the_shortcut_gives_what_cleaning_in_full_gives(text, limit, html_markup):
    if text:
        expected = _cleaned(text, limit, html_markup)
        assert clean_text(text, limit, html_markup=html_markup) == expected


# --- many texts at once ----------------------------------------------------------------------

# Texts that make a batch take its slow turns: the separator, an entity that becomes it,
# markup for html.parser, invisible characters, whitespace at the ends.
BATCH_TEXT = st.lists(
    st.one_of(
        TAG_SOUP,
        st.text(max_size=12),
        st.sampled_from([_SEP, "<~", "~>", "&lt;~&gt;", " ", "a  b", "\x7f", "&#127;", "\x1c",
                         "AT&T", "a & b", "<!-- c -->", "\u200b", "\xa0"]),
    ),
    max_size=4,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(BATCH_TEXT, max_size=12), st.sampled_from([1, 3, 10, 200, 10_000]), st.booleans())
@example(["", "&#x1b;<"], 1, True)  # a reference to ESC takes the sequence it starts with it
def test_cleaning_many_texts_at_once_gives_what_cleaning_each_gives(texts, limit, html_markup):
    assert clean_texts(texts, limit, html_markup=html_markup) == [
        clean_text(t, limit, html_markup=html_markup) for t in texts
    ]


@pytest.mark.parametrize("limit", [12, 1000])
def test_a_batch_sends_its_odd_texts_one_by_one_and_cleans_the_rest_together(limit):
    texts = [
        "<p>plain <b>html</b></p>", f"a {_SEP} b", "&lt;~&gt;", "<!-- note -->kept",
        "x\u200by", "y" * 40, " spaced\n out ", "", "<P>upper</P>", "caf\xe9 &amp; cr\xe8me",
    ]
    assert clean_texts(texts, limit) == [clean_text(t, limit) for t in texts]
    assert clean_texts(texts, limit, html_markup=False) == [
        clean_text(t, limit, html_markup=False) for t in texts
    ]


def test_a_batch_with_a_huge_text_or_a_non_text_is_cleaned_one_by_one():
    huge = "<p>" + "w " * _RAW_BUDGET_MIN
    assert clean_texts([huge, "ok"], 100) == [clean_text(huge, 100), "ok"]
    assert clean_texts(["ok", None, 5], 100) == ["ok", "", ""]  # type: ignore[list-item]


def test_the_ascii_tables_agree_with_str():
    # _single_spaced and _ascii_printable stand for str.split() and str.isprintable().
    assert {c for c in range(128) if chr(c).isspace()} == {
        c for c in range(128) if _ASCII_SPACES[c] == ord(" ")
    }
    assert [c for c in range(128) if _ascii_printable(chr(c)) != chr(c).isprintable()] == []


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(st.characters(max_codepoint=127)), st.text(), TAG_SOUP))
def test_single_spaced_is_splitting_and_joining_but_for_the_ends(text):
    words, printable = _single_spaced(text)
    assert words.strip() == " ".join(text.split()) and printable == (not needs_scrub(words))


LINK_OR_NOT = st.one_of(
    st.none(),
    st.sampled_from(["", "https://a.example/x", "HTTPS://A.example/", "/rel", "javascript:x",
                     "https://a.example/\u200b", "https://a.example/ b", "http://h:99999/",
                     "https://a.example/x\nhttps://b.example/", "https://a.example/x\ty"]),
    st.text(max_size=10),
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.tuples(LINK_OR_NOT, st.sampled_from([None, "", "https://b.example/d/"])),
             max_size=8),
    st.sampled_from([None, "https://c.example/feed"]),
)
def test_cleaning_many_links_at_once_gives_what_cleaning_each_gives(pairs, default_base):
    urls, bases = [u for u, _ in pairs], [b for _, b in pairs]
    assert clean_links(urls, bases, default_base) == [
        clean_link(u, b or default_base) if u else None for u, b in pairs
    ]


def test_a_link_holding_a_newline_never_passes_for_two_plain_links():
    urls = ["https://a.example/x\nhttps://b.example/", "https://c.example/"]
    assert clean_links(urls, [None, None]) == [
        "https://a.example/xhttps://b.example/", "https://c.example/"
    ]


def test_a_plain_link_keeps_its_lower_case_scheme_and_an_upper_case_one_is_lowered():
    link = "https://news.example.com/2025/09/story-1.html"
    assert clean_link(link) is link
    assert clean_link("HTTPS://News.example.com/A") == "https://News.example.com/A"


def test_plain_feeds_never_load_what_only_odd_markup_needs():
    # html.parser, html.entities and most patterns cost a cold refresh as much to import as
    # the rest of cleaning; they load when a text needs them, and then work as before.
    script = (
        "import sys\n"
        "from dealdesk.text.clean import clean_text, clean_texts\n"
        "from dealdesk.text.links import clean_link\n"
        "def loaded():\n"
        "    return [m for m in ('html.parser', 'html.entities') if m in sys.modules]\n"
        "assert clean_texts(['<p>Nvidia <b>adds</b> 10 GW</p>', 'plain'], 100) == "
        "['Nvidia adds 10 GW', 'plain'], 1\n"
        "assert clean_link('https://e.com/a') == 'https://e.com/a'\n"
        "print(loaded())\n"
        "assert clean_text('AT&amp;T <!-- x --><B>deal</B>', 100) == 'AT&T deal'\n"
        "assert clean_text('\\x1b[31mred\\u202e', 100) == 'red'\n"
        "assert clean_link('/a', 'https://e.com/b/') == 'https://e.com/a'\n"
        "print(loaded())\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split("\n")[:2] == ["[]", "['html.parser', 'html.entities']"], (
        result.stderr
    )


# Ampersands and "<" in every place a batch's shortcut looks at: a text's start or end (next
# to the separator), before a space, a letter, "#", ";" or another "&".
AMPERSAND_TEXT = st.lists(
    st.sampled_from(["&", "& ", " &", "&amp;", "&#38;", "&&", "a", " ", "<", "<b>", ";", "#"]),
    max_size=5,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(AMPERSAND_TEXT, min_size=2, max_size=8), st.sampled_from([3, 1000]),
       st.booleans())
def test_a_batch_takes_its_shortcut_only_when_each_text_would(texts, limit, html_markup):
    cleaned = clean_texts(texts, limit, html_markup=html_markup)
    assert cleaned == [clean_text(t, limit, html_markup=html_markup) for t in texts]


def test_a_batch_of_texts_whose_ampersands_start_no_entity_comes_back_as_it_is():
    texts = ["AT & T", "R & D & more", "plain"]
    assert all(a is b for a, b in zip(clean_texts(texts, 100), texts))
    for odd in ("AT&T", "AT&amp;T", "tail &", "&", "<b>x</b>"):
        for at in (0, 1):
            batch = [odd, "plain"] if at == 0 else ["plain", odd]
            assert clean_texts(batch, 100) == [clean_text(t, 100) for t in batch]
