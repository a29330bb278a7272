"""Issue #13 item 7: text, links, dates and charsets from hostile feeds, on both parser paths.

The classes, not the examples: invisible characters by Unicode category and property, any
impossible date or offset, any link whose authority misleads, any wrong charset label.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk.news.clean import clean_link, clean_text
from dealdesk.news.invisible import (
    DEFAULT_IGNORABLE,
    MAX_MARKS,
    MAX_NONSPACING_MARKS,
    classes,
    scrub,
)

FETCHED = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def _kept_joiner(text: str, i: int) -> bool:
    """Is text[i], a ZWJ or VS15/16, part of a visible emoji (what invisible.py keeps)?"""
    before = text[i - 1] if i else ""
    if before in ("\u200d",) or not before:
        return False
    kind = unicodedata.category(before)
    return kind in ("So", "Sm", "Sk", "Po", "Pd", "Nd") or before in "#*\ufe0f\ufe0e"


def _invisible_left(out: str) -> list[str]:
    """Characters of the removed classes still in `out` (emoji joiners in place excepted)."""
    bad = []
    for i, c in enumerate(out):
        code, kind = ord(c), unicodedata.category(c)
        if c in "\u200d\ufe0e\ufe0f":
            if not _kept_joiner(out, i):
                bad.append(c)
            continue
        if kind in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") or (kind == "Zs" and c != " "):
            bad.append(c)
        elif any(a <= code <= b for a, b in DEFAULT_IGNORABLE) or code == 0x2800:
            bad.append(c)
        elif (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
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


def test_the_scanned_planes_hold_every_mark_and_format_character():
    # invisible.py reads planes 0, 1 and 14 only, to build its classes fast.
    outside = [c for c in range(0x20000, 0xE0000) if unicodedata.category(chr(c))[0] == "M"
               or unicodedata.category(chr(c)) == "Cf"]
    outside += [c for c in range(0xE1000, 0x110000)
                if unicodedata.category(chr(c)) in ("Cf", "Mn", "Mc", "Me")]
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
    "\u2764\ufe0f", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb", "1\ufe0f\u20e3", "#\ufe0f\u20e3",
    "\U0001f3c3\u200d\u2640\ufe0f", "\u2194\ufe0f", "\u203c\ufe0f",
])
def test_emoji_keep_the_joiners_and_selectors_that_make_them(emoji):
    assert clean_text(f"Launch {emoji} day", 100) == f"Launch {emoji} day"


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


def test_a_relative_link_under_a_base_with_user_info_is_dropped():
    assert clean_link("/x", "http://openai.com@evil.example/feed") is None
