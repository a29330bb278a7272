"""Characters that hide or disguise feed text, as classes built from the Unicode database.

What a reader cannot see must not be stored: it hides words from search and smuggles text
past the eye (tag characters), fakes blank titles (Hangul fillers, the Braille blank), or
stacks a thousand accents on one letter ("zalgo") so a headline spills over its neighbours.
These are classes, not lists of examples:

- removed: every control (Cc) that is not whitespace, every format character (Cf: soft
  hyphen, zero-width characters, bidi controls, interlinear annotations, tags: a
  subdivision flag such as England's shows as the plain black flag it is built on), lone
  surrogates (Cs), private use (Co), noncharacters, and every Default_Ignorable_Code_Point
  (Unicode's own list of what renders as nothing: combining grapheme joiner, Khmer inherent
  vowels, Mongolian and other variation selectors...);
- blank: letters and symbols that render as an empty cell (Hangul fillers, the Braille
  blank) and the controls str.split() reads as whitespace: they become a space;
- emoji joiners: ZWJ (U+200D) and the presentation selectors VS15/VS16 (U+FE0E/F) stay only
  where they make a visible emoji (after an Extended_Pictographic character or a skin
  tone, VS16 also on a keycap base; ZWJ only between two such), never more than one of
  each in a row;
- marks: at most MAX_NONSPACING_MARKS non-spacing marks (Mn, Me) in a row, and at most
  MAX_MARKS marks of any kind, on one base character. Real scripts stay well within both
  (Vietnamese uses 2, pointed Hebrew 4, Myanmar's longest clusters 5 marks of which 3
  non-spacing); "zalgo" text uses hundreds.

Unassigned code points (Cn) stay, but for the noncharacters and the Default_Ignorable ones:
to a Unicode database older than the text they are new emoji and letters, not controls.

Built on first use, from ranges of the Unicode database written once into
text/unicode_tables.py (scanning `unicodedata` instead costs about 15 ms per process, which
every config load and dashboard start would pay; a Python with another Unicode version
scans). Most refreshes never need the classes, as ASCII text is never scanned. Regex classes
that hold characters beyond the BMP make sre test their ranges one by one at every
character, so each class is a BMP set (tested as a bitmap) plus, behind a one-range guard,
its astral part.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable

MAX_NONSPACING_MARKS = 4
MAX_MARKS = 8

# Unicode's DerivedCoreProperties.txt, Default_Ignorable_Code_Point (stable since 6.3:
# new ones are only ever added inside these unassigned blocks).
DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Render as an empty cell rather than as nothing: a space keeps the words they separate.
BLANK_LOOKING = frozenset({0x115F, 0x1160, 0x2800, 0x3164, 0xFFA0})
# Whitespace to str.split() but also controls: spaces, not deletions (they separate words).
SPACE_CONTROLS = frozenset({0x1C, 0x1D, 0x1E, 0x1F, 0x85})
WHITESPACE_CONTROLS = frozenset({0x09, 0x0A, 0x0B, 0x0C, 0x0D})
ZWJ, VS15, VS16, KEYCAP = 0x200D, 0xFE0E, 0xFE0F, 0x20E3
EMOJI_JOINERS = frozenset({ZWJ, VS15, VS16})
# Where the database puts marks and format characters: planes 0, 1 and 14 less the big
# blocks of letters (CJK, Hangul) and of surrogates and private use (checked over every code
# point by tests/test_trust_text.py). Scanning only these keeps the first use cheap.
_SCANNED = (
    range(0x3400), range(0x4DC0, 0x4E00), range(0xA000, 0xAC00), range(0xD7A4, 0xD800),
    range(0xF900, 0x20000), range(0xE0000, 0xE1000),
)
_FIXED = (  # C0 and C1 controls, surrogates, private use
    (0x00, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF),
    (0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD),
)
_NONCHARACTERS = (
    (0xFDD0, 0xFDEF),
    *((plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF) for plane in range(17)),
)

Ranges = list[tuple[int, int]]


def _ranges(codes: Iterable[int]) -> Ranges:
    out: Ranges = []
    for code in sorted(set(codes)):
        if out and code == out[-1][1] + 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return out


def _merged(ranges: Iterable[tuple[int, int]]) -> Ranges:
    out: Ranges = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _without(ranges: Ranges, codes: Iterable[int]) -> Ranges:
    out = ranges
    for code in codes:
        out = [part for a, b in out for part in (
            ((a, code - 1), (code + 1, b)) if a <= code <= b else ((a, b),)
        ) if part[0] <= part[1]]
    return out


def _set(ranges: Ranges) -> str:
    return "[" + "".join(
        re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges
    ) + "]"


def _class(ranges: Ranges) -> str:
    """A regex matching a code point of `ranges`: a BMP set, then the astral ones behind
    a guard."""
    bmp = _bmp(ranges)
    astral = [(max(a, 0x10000), b) for a, b in ranges if b > 0xFFFF]
    parts = [_set(bmp)] if bmp else []
    if astral:
        parts.append("(?=[\U00010000-\U0010ffff])" + _set(astral))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


class Classes:
    """The compiled classes; see the module's docstring."""

    def __init__(self) -> None:
        marks, nonspacing, format_ranges = category_ranges()
        blank_codes = BLANK_LOOKING | SPACE_CONTROLS
        removed = _without(
            _merged([*_FIXED, *DEFAULT_IGNORABLE, *_NONCHARACTERS, *format_ranges]),
            sorted(blank_codes | WHITESPACE_CONTROLS | EMOJI_JOINERS),
        )
        blank = _ranges(blank_codes)
        self.removed_ranges = removed
        self.removed = re.compile(_class(removed) + "+")
        self.removed_or_joiner = re.compile(  # for links
            _class(_merged([*removed, *_ranges(EMOJI_JOINERS)])) + "+"
        )
        self.blank = re.compile(_class(blank))
        self.joiners = re.compile("[\u200d\ufe0e\ufe0f]+")
        mark, nonspacing_mark = _class(marks), _class(nonspacing)
        self.nonspacing_run = re.compile(
            f"((?:{nonspacing_mark}){{{MAX_NONSPACING_MARKS}}})(?:{nonspacing_mark})+"
        )
        self.mark_run = re.compile(f"((?:{mark}){{{MAX_MARKS}}})(?:{mark})+")
        # What printable text may still hold that the above would change: a printable
        # character of these classes, or a run of marks over a cap. Exact, but slow to scan
        # (sre tests the astral ranges one by one at every position): needs_scrub() scans
        # with the single sets below and asks `suspect` only where they point. Controls,
        # format characters, surrogates, private use and noncharacters are all unprintable:
        # the printable ones are among the Default_Ignorable and blank ones.
        printable = [
            code for a, b in _merged([*DEFAULT_IGNORABLE, *blank]) for code in range(a, b + 1)
            if chr(code).isprintable()
        ]
        self.suspect = re.compile(
            _class(_ranges(printable))
            + f"|(?:{nonspacing_mark}){{{MAX_NONSPACING_MARKS + 1}}}"
            + f"|(?:{mark}){{{MAX_MARKS + 1}}}"
        )
        astral = "\U00010000-\U0010ffff]"
        bmp_marks = _bmp(marks)
        bmp_printable = _bmp(_ranges(printable))
        # Any character that could matter: one set, a bitmap and one range, fast to scan.
        self.candidate = re.compile(_set(_merged([*bmp_printable, *bmp_marks]))[:-1] + astral)
        self.special_or_astral = re.compile(_set(bmp_printable)[:-1] + astral)
        self.astral = re.compile("[" + astral)
        nonspacing_set = _set(_bmp(nonspacing))
        self.bmp_nonspacing_run = re.compile(nonspacing_set + f"{{{MAX_NONSPACING_MARKS + 1}}}")
        self.bmp_mark_run = re.compile(_set(bmp_marks) + f"{{{MAX_MARKS + 1}}}")


@functools.cache
def classes() -> Classes:
    return Classes()


def _bmp(ranges: Ranges) -> Ranges:
    """The part of `ranges` in the BMP."""
    return [(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF]


CategoryRanges = tuple[Ranges, Ranges, Ranges]


def scan_categories() -> CategoryRanges:
    """Marks (M*), non-spacing marks (Mn, Me) and format characters (Cf) of _SCANNED, as
    ranges, from this Python's `unicodedata` (about 15 ms: every config load and every
    dashboard start would pay it, hence the tables in text.unicode_tables)."""
    category = unicodedata.category
    mark_codes: list[int] = []
    nonspacing_codes: list[int] = []
    format_codes: list[int] = []
    for block in _SCANNED:
        for code in block:
            kind = category(chr(code))
            if kind[0] == "M":
                mark_codes.append(code)
                if kind != "Mc":
                    nonspacing_codes.append(code)
            elif kind == "Cf":
                format_codes.append(code)
    return _ranges(mark_codes), _ranges(nonspacing_codes), _ranges(format_codes)


def category_ranges() -> CategoryRanges:
    """scan_categories(), read from the tables written for this Unicode version when they
    match the running Python's database (tests/test_trust_text.py checks they are equal),
    scanned otherwise."""
    from . import unicode_tables as tables

    if unicodedata.unidata_version == tables.UNIDATA_VERSION:
        return list(tables.MARKS), list(tables.NONSPACING), list(tables.FORMAT)
    return scan_categories()


def write_tables(path: str) -> None:
    """Regenerate text/unicode_tables.py for the running Python's Unicode database:
    `python -c "from dealdesk.text.invisible import write_tables as w; w(PATH)"`."""
    marks, nonspacing, fmt = scan_categories()

    def table(name: str, ranges: Ranges) -> str:
        rows = [", ".join(f"(0x{a:04X}, 0x{b:04X})" for a, b in ranges[i:i + 4])
                for i in range(0, len(ranges), 4)]
        return f"{name}: tuple[tuple[int, int], ...] = (\n" + "".join(
            f"    {row},\n" for row in rows) + ")\n"

    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '"""Generated by text.invisible.write_tables from Unicode '
            f'{unicodedata.unidata_version}: do not edit.\n\n'
            "The marks, non-spacing marks and format characters of invisible._SCANNED, as\n"
            "ranges; used when the running Python's unicodedata is this version.\n"
            '"""\n\n'
            f'UNIDATA_VERSION = "{unicodedata.unidata_version}"\n\n'
            + table("MARKS", marks) + "\n" + table("NONSPACING", nonspacing) + "\n"
            + table("FORMAT", fmt))


# Unicode's emoji-data.txt, Extended_Pictographic: what emoji ZWJ sequences and presentation
# selectors are built on (not every symbol: U+FFFD is one, and joins nothing).
EXTENDED_PICTOGRAPHIC: tuple[tuple[int, int], ...] = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049),
    (0x2122, 0x2122), (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA),
    (0x231A, 0x231B), (0x2328, 0x2328), (0x2388, 0x2388), (0x23CF, 0x23CF),
    (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB),
    (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712),
    (0x2714, 0x2714), (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721),
    (0x2728, 0x2728), (0x2733, 0x2734), (0x2744, 0x2744), (0x2747, 0x2747),
    (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757),
    (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50), (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171), (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5), (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A), (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D), (0x1F546, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F), (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF), (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)
_PICTOGRAPHIC_STARTS = [a for a, _ in EXTENDED_PICTOGRAPHIC]


def _emoji_base(c: str) -> bool:
    """Can a presentation selector or a ZWJ follow `c` in a visible emoji?"""
    code = ord(c)
    if 0x1F3FB <= code <= 0x1F3FF:  # skin tones
        return True
    at = bisect.bisect_right(_PICTOGRAPHIC_STARTS, code) - 1
    return at >= 0 and code <= EXTENDED_PICTOGRAPHIC[at][1]


def _emoji_joined(m: re.Match[str]) -> str:
    """What of a run of ZWJ / VS15 / VS16 makes a visible emoji: at most one of each."""
    s, run = m.string, m.group()
    start, end = m.start(), m.end()
    before = s[start - 1] if start else ""
    after = s[end] if end < len(s) else ""
    if before and _emoji_base(before):
        selector = next((c for c in run if c != "\u200d"), "")
        joiner = "\u200d" if "\u200d" in run and after and _emoji_base(after) else ""
        return selector + joiner
    if before and before in "0123456789#*" and after == "\u20e3":  # keycap: 1️⃣
        return "\ufe0f" if "\ufe0f" in run else ""
    return ""


def scrub(s: str) -> str:
    """`s` without the classes above, words joined by single spaces."""
    c = classes()
    s = c.blank.sub(" ", s)
    if "\u200d" in s or "\ufe0e" in s or "\ufe0f" in s:
        s = c.joiners.sub(_emoji_joined, s)
    s = c.removed.sub("", s)
    if not s.isascii() and has_long_marks(c, s):
        s = c.nonspacing_run.sub(r"\1", s)
        s = c.mark_run.sub(r"\1", s)
    return " ".join(s.split())


def has_long_marks(c: Classes, s: str) -> bool:
    if c.bmp_nonspacing_run.search(s) or c.bmp_mark_run.search(s):
        return True
    if c.astral.search(s) is None:
        return False
    return c.nonspacing_run.search(s) is not None or c.mark_run.search(s) is not None


def needs_scrub(words: str) -> bool:
    """False when single-spaced `words` are already what scrub() would make of them."""
    if words.isascii():
        return not words.isprintable()
    if not words.isprintable():
        return True
    c = classes()
    if c.candidate.search(words) is None:  # no mark, no astral, nothing special: most text
        return False
    pos = 0
    while (m := c.special_or_astral.search(words, pos)) is not None:
        if m.group() <= "\uffff":
            return True
        # An astral character: a special one, or part of a run of marks over a cap. Such a
        # run holds a run of exactly the cap + 1 around it, inside this window.
        at = m.start()
        window_start, window_end = max(0, at - MAX_MARKS), at + MAX_MARKS + 1
        if c.suspect.search(words, window_start, window_end) is not None:
            return True
        pos = m.end()
    return c.bmp_nonspacing_run.search(words) is not None or (
        c.bmp_mark_run.search(words) is not None
    )
