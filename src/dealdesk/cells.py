"""Text from outside in a form whose width Rich and terminals agree on.

Rich lays tables out by its own measure of each cluster (rich.cells.cell_len); the terminal
then draws the characters by its own. For most text they agree; for some emoji sequences
they do not, and every border after the sequence shifts (measured in tmux 3.3a, the
terminal the end-to-end tests drive; xterm, VTE and the Linux console do the same or worse):

| sequence                          | Rich | tmux |
|-----------------------------------|------|------|
| ❤️  heart + VS16 (emoji style)    | 2    | 1    |
| 👍🏽 thumbs up + skin tone          | 2    | 4    |
| 👩🏽‍💻 ZWJ sequence with a skin tone | 2    | 4    |
| a‍b letter, ZWJ, letter             | 1    | 2    |

So, at the text boundary (the view, where feed text becomes a row), such sequences are
reduced to what both measure alike: variation selectors go (the symbol keeps its text
style and width), skin-tone modifiers go (the emoji keeps its default tone), and a zero-width
joiner stays only between two wide emoji (👩‍💻 is 2 in both; a joiner next to a narrow
character or a letter goes). Flags, keycaps and plain emoji are left as they are: they agree.
The stored text is untouched; only what is drawn changes.
"""

from __future__ import annotations

import re
from typing import Final

from rich.cells import cell_len

ZWJ: Final = "\u200d"
# Variation selectors 1-16, and emoji skin-tone modifiers (Fitzpatrick 1-2 .. 6).
_DROPPED: Final = re.compile("[\ufe00-\ufe0f\U0001f3fb-\U0001f3ff]")


def terminal_safe(text: str) -> str:
    if text.isascii():
        return text
    text = _DROPPED.sub("", text)
    if ZWJ not in text:
        return text
    out = []
    for i, char in enumerate(text):
        if char == ZWJ and not (0 < i < len(text) - 1 and cell_len(text[i - 1]) == 2
                                and cell_len(text[i + 1]) == 2):
            continue
        out.append(char)
    return "".join(out)
