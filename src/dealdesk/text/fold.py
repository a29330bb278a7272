"""Text folded for matching: lower case without accents, one character for one."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents, one character for one: offsets stay the text's."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0] if not char.isascii() else char
        low = base.lower()
        out.append(low[0] if low else base)
    # Typographic apostrophes and dashes read as ASCII ones.
    return "".join(out).translate(_ASCII)


_ASCII = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "\u2011": "-",
                        "\u00a0": " ", "\u202f": " "})
