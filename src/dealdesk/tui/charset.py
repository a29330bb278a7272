"""What the terminal can show: its character set from the locale, and ASCII stand-ins.

The locale (LC_ALL, else LC_CTYPE, else LANG) is the only word a program gets on the
terminal's character set. Python runs in UTF-8 under a C/POSIX locale (PEP 538/540), but the
terminal at the other end was not asked: a C locale, or a locale naming another charset
(ISO-8859-1, KOI8-R...), says nothing UTF-8 may be sent. So the dashboard decides here, once:
a UTF-8 locale gets the frames as drawn; any other gets every character its charset cannot
encode replaced at the output boundary (tui.driver) by an ASCII stand-in of the same width:
box drawing by `+ - |`, status symbols by letters and signs, accents dropped, anything
else `?` per cell. Layout is unchanged: Rich measured the original characters, and each
stand-in fills the same cells. (A UTF-8 terminal behind a C locale, the usual SSH case
when LANG is not forwarded, is told so with `LANG=C.UTF-8`; LC_CTYPE=C.UTF-8 alone is
what Python sets itself when it coerces a C locale, so it is not taken as the user's word.)
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Mapping

from rich.cells import cell_len

# Symbols the panels use, by meaning (README "The panels"), then by shape.
_SYMBOLS = {
    "●": "*", "○": "o", "◔": "c", "◑": "c", "‖": "=", "⇄": "~", "✕": "x", "✖": "x",
    "▲": "^", "△": ".", "◷": "@", "⟳": "~", "·": ".", "…": ".", "—": "-", "–": "-",
    "≠": "#", "≈": "~", "≥": ">", "≤": "<", "→": ">", "←": "<", "↑": "^", "↓": "v",
    "‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "•": "*", "✓": "v",
    "█": "#", "▒": ":", "░": ".", "▓": "#", "\u00a0": " ",
}


_COERCED = ("c.utf-8", "c.utf8")


def locale_charset(environ: Mapping[str, str]) -> str:
    """The charset the locale names, as a Python codec name: `utf-8`, `ascii` for C/POSIX or
    an unset or unknown one, else the codeset after the dot (`de_DE.ISO-8859-1@euro`)."""
    names = ["LC_ALL", "LC_CTYPE", "LANG"]
    if not environ.get("LC_ALL") and environ.get("LC_CTYPE", "").lower() in _COERCED:
        # Python's own doing (PEP 538): a C locale, or one not installed, made LC_CTYPE
        # C.UTF-8 for the interpreter; what the user's locale said is in LANG.
        names.remove("LC_CTYPE")
    value = ""
    for name in names:
        value = environ.get(name, "")
        if value:
            break
    codeset = value.partition(".")[2].partition("@")[0]
    if not codeset:
        return "ascii"
    try:
        return codecs.lookup(codeset).name
    except LookupError:
        return "ascii"


def is_utf8(charset: str) -> bool:
    return codecs.lookup(charset).name == "utf-8"


def stand_in(char: str) -> str:
    """An ASCII string as many cells wide as `char` (0 for combining marks)."""
    width = cell_len(char)
    if char in _SYMBOLS:
        return _SYMBOLS[char] if width == 1 else _SYMBOLS[char] + " " * (width - 1)
    if width == 0:
        return ""
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        if "ARC" in name or "AND" in name or "CROSS" in name:
            return "+"
        if "VERTICAL" in name:
            return "|"
        return "-"
    if name.startswith(("LOWER", "UPPER", "LEFT", "RIGHT")) and "BLOCK" in name:
        return "#"
    if "ARROW" in name:
        return ">"
    if "TRIANGLE" in name:
        return "^" if "UP" in name else ">" if "RIGHT" in name else "v" if "DOWN" in name else "<"
    if "CIRCLE" in name:
        return "o"
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if len(plain) == width:
        return plain
    return "?" * width


class StandIns(dict[int, str]):
    """A str.translate table that learns: characters `charset` can encode stay, others get
    their stand-in, each worked out once."""

    def __init__(self, charset: str) -> None:
        super().__init__()
        self.charset = charset

    def __missing__(self, code: int) -> str:
        char = chr(code)
        try:
            char.encode(self.charset)
            value = char
        except UnicodeEncodeError:
            value = stand_in(char)
        self[code] = value
        return value
