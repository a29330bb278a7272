"""Turn untrusted feed text into something safe to show in a terminal (links: links.py).

Feed text reaches a terminal, so anything that could move the cursor (ESC, C1 controls),
reorder what the reader sees (bidi overrides) or hide content (format, zero-width, tag and
filler characters, piles of combining marks: the classes of invisible.py) is removed, not
escaped. clean_text and clean_texts accept any `str` and never raise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from .invisible import needs_scrub, scrub


class _OnFirstUse:
    """A regex compiled when first used. Most refreshes never meet what these patterns are
    for (relative links, escape sequences, odd markup), and compiling every pattern at
    import was a quarter of what importing this module cost."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only while `name` is not cached yet
        value = getattr(re.compile(*self._pattern), name)
        setattr(self, name, value)
        return value


ELLIPSIS = "…"


# Terminal control sequences (ECMA-48) are removed whole, so "\x1b[31mRed" reads "Red" rather
# than "[31mRed", and an OSC 52 clipboard payload does not linger as text: CSI (ESC [ or the
# C1 CSI) with its parameters and final byte; OSC, DCS, SOS, PM and APC strings up to their
# terminator (BEL or ST); any other escape with its intermediate and final bytes. No
# alternative reads past the next introducer (ESC, CSI, DCS, SOS, OSC, PM, APC) and repeats
# are possessive, so attempts never overlap and a run of unterminated sequences is scanned
# once: linear. What is left of an unterminated one goes with the other controls.
_TERMINAL_SEQUENCE = _OnFirstUse(
    "(?:\x1b\\[|\x9b)[0-?]*+[ -/]*+[@-~]"
    "|(?:\x1b[\\]PX^_]|[\x90\x98\x9d\x9e\x9f])"
    "[^\x07\x1b\x90\x98\x9b\x9c\x9d\x9e\x9f]*+(?:\x07|\x1b\\\\|\x9c)"
    "|\x1b[ -/]*+[0-~]"
)
_HAS_CONTROL = re.compile("[\x1b\x90-\x9f]")
# A numeric character reference to ESC or a C1 control (U+0080-U+009F). HTML reads the C1
# ones as windows-1252 punctuation ("&#155;" is "›") and drops ESC, which would leave an
# escaped sequence as visible junk ("›2J", "[2J"); XML, and so the fast parser, reads
# them as the controls they name. They are made the controls here, so they go with their
# sequence like raw ones.
_C1_REFERENCE = _OnFirstUse(
    r"&#(?:[xX]0*(1[bB]|[89][0-9a-fA-F])(?![0-9a-fA-F])"
    r"|0*(27|12[89]|1[34][0-9]|15[0-9])(?![0-9]));?"
)


def _c1_control(m: re.Match[str]) -> str:
    hex_digits, decimal = m.groups()
    return chr(int(hex_digits, 16) if hex_digits else int(decimal))

# Ending one of these means the next text is a new line or cell for a reader: keep a space.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_DROPPED_TAGS = frozenset({"script", "style", "template", "noscript"})

# html.parser is pure Python: bound the work a single hostile 10 MiB summary can cost.
_RAW_BUDGET_FACTOR = 8
_RAW_BUDGET_MIN = 65_536


def _unescape(s: str) -> str:
    # Imported on first use: html.entities, a table of 2,000 names, is most of its cost,
    # and text without an entity never needs it.
    from html import unescape

    return unescape(s)


@functools.cache
def _text_extractor() -> type:
    """The html.parser-based extractor, made on first use: only markup the regexes below
    cannot strip needs it, and importing html.parser costs as much as the rest of this."""
    from html.parser import HTMLParser

    class _TextExtractor(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._dropping = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in _DROPPED_TAGS:
                self._dropping += 1
            elif tag in _BLOCK_TAGS:
                self.parts.append(" ")

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            # <br/> and friends: never opens a dropped section.
            if tag in _BLOCK_TAGS:
                self.parts.append(" ")

        def handle_endtag(self, tag: str) -> None:
            if tag in _DROPPED_TAGS:
                self._dropping = max(0, self._dropping - 1)
            elif tag in _BLOCK_TAGS:
                self.parts.append(" ")

        def handle_data(self, data: str) -> None:
            if not self._dropping:
                self.parts.append(data)

    return _TextExtractor


# Most feed HTML is a handful of simple tags. Stripping those with one regex pass is several
# times faster than html.parser, which stays in charge of anything less plain: comments,
# CDATA, processing instructions, script/style, or a "<" the regex could not account for.
# Quoted values may not hold "<" or ">": it keeps the scan linear, and such values go to
# html.parser anyway. Two substitutions without a Python callback: block tags first.
# Written as "unrolled loop", possessive: a tag's end can only be a ">" the repeats never
# consume, so giving characters back never finds another match, it only costs time.
_ATTRS = r"""(?:\s[^<>"']*+(?:(?:"[^"<>]*+"|'[^'<>]*+')[^<>"']*+)*+)?/?>"""


def _by_first_letter(names: frozenset[str]) -> str:
    """The names as one alternation, grouped by their first letter.

    sre tries the branches in turn, so forty flat names cost forty attempts at every "<".
    A name must be followed by a space, "/" or ">": none can shadow another, any order works.
    """
    groups: dict[str, list[str]] = {}
    for name in sorted(names):
        groups.setdefault(name[0], []).append(name[1:])
    return "(?:" + "|".join(
        first + "(?:" + "|".join(rests) + ")" for first, rests in groups.items()
    ) + ")"


# Case-sensitive (twice as fast): upper-case tags are rare and go to html.parser.
_SIMPLE_BLOCK_TAG = re.compile(r"</?" + _by_first_letter(_BLOCK_TAGS) + _ATTRS)
# Leaves upper-case tags and opening script/style tags in place (see _html_to_text). The
# name starts with [a-z], so only "s", "t" and "n" can begin one of those four: testing that
# first letter without IGNORECASE lets sre skip the other branches at once.
_SIMPLE_TAG = re.compile(
    r"<(?:/|(?!s(?i:cript|tyle)\b|t(?i:emplate)\b|n(?i:oscript)\b))[a-z][A-Za-z0-9]*+" + _ATTRS
)
# One literal "<" up front lets sre skip to each "<" instead of trying every branch at
# every character (three times faster).
_NOT_SIMPLE = re.compile(r"<(?:[!?]|/?[A-Z]|(?i:script|style|template|noscript)\b)")
_LEFTOVER_MARKUP = re.compile(r"<[A-Za-z/!?]")


# html.parser rescans the rest of the text for every construct left open ("<a b='...",
# "<!--..." without an end), which is quadratic: 80 KB of "<a " takes over a minute.
# _defuse closes or removes every such construct in one linear pass first.
_OPENS_BLOCK = _OnFirstUse(
    r"<!--|<!\[CDATA\[|<(script|style|template|noscript)\b", re.IGNORECASE
)
_BLOCK_END = {
    name: _OnFirstUse(rf"</{name}\b[^>]*>", re.IGNORECASE)
    for name in ("script", "style", "template", "noscript")
}
_OPENS_NOTHING = _OnFirstUse(r"<(?![^<>]*>)")  # no ">" before the next "<" (or the end)


def _defuse(s: str) -> str:
    """Drop comments, CDATA and script/style blocks, escape every "<" that opens nothing.

    An unterminated comment or script swallows the rest, as it would in a browser.
    """
    parts: list[str] = []
    pos = 0
    while (m := _OPENS_BLOCK.search(s, pos)) is not None:
        parts.append(s[pos : m.start()])
        parts.append(" ")
        if m.group(1):
            end = _BLOCK_END[m.group(1).lower()].search(s, m.end())
            pos = end.end() if end else len(s)
        else:
            closer = "-->" if m.group() == "<!--" else "]]>"
            end_at = s.find(closer, m.end())
            pos = end_at + 3 if end_at >= 0 else len(s)
    parts.append(s[pos:])
    defused: str = _OPENS_NOTHING.sub("&lt;", "".join(parts))
    return defused


def _html_to_text(s: str) -> str:
    # In ASCII text whatever _NOT_SIMPLE finds is left in place by both substitutions, so
    # _LEFTOVER_MARKUP finds it too: the scan is spared. Beyond ASCII it is not: ignoring
    # case, "script" also matches "ſcript" (long s), which _LEFTOVER_MARKUP does not see.
    if s.isascii() or not _NOT_SIMPLE.search(s):
        stripped = _SIMPLE_TAG.sub("", _SIMPLE_BLOCK_TAG.sub(" ", s))
        if not _LEFTOVER_MARKUP.search(stripped):
            return _unescape(stripped)
    return _parsed_text(s)


def _parsed_text(s: str) -> str:
    parser = _text_extractor()()
    try:
        parser.feed(_defuse(s))
        parser.close()
    except Exception:  # html.parser is lenient, but "never raises" must not depend on it
        return _unescape(s)
    return "".join(parser.parts)


def _single_line(s: str) -> str:
    """Words joined by single spaces, without what invisible.scrub() removes.

    Joined words that need no scrub (printable ASCII, the usual case, is checked without a
    regex scan) prove there was nothing to remove.
    """
    words = " ".join(s.split())
    if not needs_scrub(words):
        return words
    return scrub(s)


def clean_text(s: str, limit: int, *, html_markup: bool = True) -> str:
    """Plain, single-line, printable text of at most `limit` characters.

    With `html_markup` (the default, as feed titles and descriptions usually carry HTML)
    tags are removed, the content of script/style is dropped and entities are decoded;
    without it the text is taken literally (Atom `type="text"`). The result is never longer
    than the input: an over-long text is cut to `limit - 1` characters plus an ellipsis.
    """
    if not isinstance(s, str) or limit <= 0 or not s:
        return ""
    # Text that is clean already, as most titles, guids and dates are, comes back as it is:
    # nothing for scrub() (so no control, bidi, zero-width, tag or filler character, no
    # pile of marks, and no whitespace but " "; test_clean checks every code point),
    # single-spaced, no tag and no entity (an entity needs a character other than a space
    # after its "&").
    if (
        (not html_markup or ("<" not in s and ("&" not in s or s.count("&") == s.count("& "))))
        and not needs_scrub(s)
        and len(s) <= limit
        and "  " not in s
        and s[0] != " "
        and s[-1] != " "
    ):
        return s
    return _cleaned(s, limit, html_markup)


def _cleaned(s: str, limit: int, html_markup: bool) -> str:
    """clean_text's work, step by step, for a non-empty str and a positive limit."""
    cut_raw = len(s) > _RAW_BUDGET_MIN and len(s) > limit * _RAW_BUDGET_FACTOR
    if cut_raw:
        s = s[: limit * _RAW_BUDGET_FACTOR]
    # References to ESC and C1 become the controls first (see _C1_REFERENCE), so decoding
    # entities afterwards can produce no control that starts a sequence.
    if html_markup and "&#" in s:
        s = _C1_REFERENCE.sub(_c1_control, s)
    # Sequences go first: their payload (an OSC 52 clipboard text, say) is not HTML.
    s = _without_sequences(s)
    if html_markup:
        if "<" in s:
            s = _html_to_text(s)
        elif "&" in s:
            s = _unescape(s)
    # Decoding entities can produce the very characters we remove, so remove after it.
    s = _single_line(s)
    if len(s) > limit or (cut_raw and s):
        s = s[: limit - 1].rstrip() + ELLIPSIS
    return s


def _without_sequences(s: str) -> str:
    # In ASCII only ESC can start one, and `in` is far cheaper than a regex scan.
    if ("\x1b" in s) if s.isascii() else _HAS_CONTROL.search(s):
        without: str = _TERMINAL_SEQUENCE.sub("", s)
        return without
    return s


# --- many at once ---------------------------------------------------------------------------
#
# A feed's items are cleaned a slice at a time (see xmlfeed.py): the texts of a slice go
# through each step of clean_text as one string, which spares the per-call cost of every
# step for every text (a third of what a title or summary costs on its own). The result is
# exactly clean_text's, text by text (test_clean checks it): whatever could make a text
# differ sends that text, or the whole batch, through clean_text instead.

# Between two texts: printable ASCII without whitespace, and none of the patterns above reads
# across it or matches at it ("<" then "~" opens no tag, entity or escape sequence). A text
# holding it, or a step producing it, shows up as one piece too many.
_SEP = "<~>"
# An "&" that could start an entity: one not followed by a space (one search for the "&",
# where counting "&" and "& " scanned the batch twice).
_ENTITY_START = re.compile("&(?! )")


def clean_texts(texts: Sequence[str], limit: int, *, html_markup: bool = True) -> list[str]:
    """[clean_text(s, limit, html_markup=html_markup) for s in texts], faster."""
    done = _clean_batch(texts, limit, html_markup)
    if done is None:
        return [clean_text(s, limit, html_markup=html_markup) for s in texts]
    return done


def _clean_batch(texts: Sequence[str], limit: int, html_markup: bool) -> list[str] | None:
    n = len(texts)
    if n < 2 or limit <= 0:
        return None
    try:
        joined = _SEP.join(texts)
    except TypeError:  # not all str: clean_text says "" for those
        return None
    longest = max(map(len, texts))
    if longest > _RAW_BUDGET_MIN:  # clean_text may cut it before it starts
        return None
    is_ascii = joined.isascii()
    if (
        longest <= limit  # already clean, every one (clean_text's first test, on all at once)
        # Markup first: it is what most summaries fail on. A tag in the first text fails the
        # count at once, without a scan of the whole batch; counting "<" costs less than any
        # of the scans below.
        and (not html_markup or (
            "<" not in texts[0]
            and joined.count("<") == n - 1
            and ("&" not in joined or _ENTITY_START.search(joined) is None)
        ))
        and (_ascii_printable(joined) if is_ascii else not needs_scrub(joined))
        and "  " not in joined
        and joined[0] != " "
        and joined[-1] != " "
        and " " + _SEP not in joined
        and _SEP + " " not in joined
    ):
        return list(texts)
    # A reference to ESC or a C1 control becomes that control in clean_text, and takes the
    # escape sequence it starts with it: that text is no simple one.
    # "&" first: a search for one character is a tenth of the cost of one for two.
    if html_markup and "&" in joined and "&#" in joined and _C1_REFERENCE.search(joined):
        return None
    if is_ascii:
        if "\x1b" in joined:
            return None
    elif _HAS_CONTROL.search(joined) or (html_markup and _NOT_SIMPLE.search(joined)):
        return None
    redo: list[int] = []
    s = joined
    if html_markup:
        s = _SIMPLE_TAG.sub("", _SIMPLE_BLOCK_TAG.sub(" ", s))
        if _LEFTOVER_MARKUP.search(s):  # those texts go to html.parser, one by one
            parts = s.split(_SEP)
            if len(parts) != n:
                return None
            redo = [i for i, part in enumerate(parts) if _LEFTOVER_MARKUP.search(part)]
            for i in redo:
                parts[i] = ""
            s = _SEP.join(parts)
        if "&" in s:
            s = _unescape(s)
    words, printable = _single_spaced(s)
    pieces = words.split(_SEP)
    if len(pieces) != n:
        return None
    # A piece keeps one space where its text began or ended with whitespace.
    out = list(map(str.strip, pieces))
    if not printable:  # those go through scrub(), one by one
        redo += [i for i, piece in enumerate(out) if needs_scrub(piece)]
    if max(map(len, out)) > limit:
        out = [p if len(p) <= limit else p[: limit - 1].rstrip() + ELLIPSIS for p in out]
    for i in redo:
        out[i] = clean_text(texts[i], limit, html_markup=html_markup)
    return out


# What str.split() takes for whitespace among ASCII characters, each made a space.
_ASCII_SPACE_CONTROLS = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_ASCII_SPACES = bytes.maketrans(_ASCII_SPACE_CONTROLS, b" " * len(_ASCII_SPACE_CONTROLS))
_ASCII_PRINTABLE = bytes(range(0x20, 0x7F))
_SPACE_RUN = re.compile(b"  +")  # not " {2,}": a literal start lets sre jump from space to space


def _single_spaced(s: str) -> tuple[str, bool]:
    """(runs of whitespace made one space, no more; whether that needs no scrub()).

    `" ".join(s.split())` but for the ends, which keep a space if they had whitespace.
    ASCII text goes through bytes, whose translate() is a table lookup per byte: on a batch
    of summaries half of what splitting into words and joining them costs.
    """
    if not s.isascii():
        words = " ".join(s.split())
        return words, not needs_scrub(words)
    b = s.encode("ascii")
    # The controls in it, usually none or a few line breaks: the whole text is scanned once
    # to find them, and made single-spaced only if any is whitespace.
    controls = b.translate(None, _ASCII_PRINTABLE)
    if controls:
        b = b.translate(_ASCII_SPACES)
    printable = not controls.translate(None, _ASCII_SPACE_CONTROLS)
    return _SPACE_RUN.sub(b" ", b).decode("ascii"), printable


def _ascii_printable(s: str) -> bool:
    """s.isprintable() for ASCII text, at a fifth of the cost on a batch of titles."""
    return not s.encode("ascii").translate(None, _ASCII_PRINTABLE)
