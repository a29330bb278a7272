"""Terminal replies are not keys: take them out of the input before Textual's parser sees it.

A terminal answers queries (ours, tmux's, another program's left over in the pty) on the same
channel as the keyboard: device attributes `ESC [ ? 62;22 c`, DCS/XTGETTCAP
`ESC P + q 5465 ESC \\`, DECRQSS `ESC P 1 $ r ... ESC \\`, OSC colour and clipboard replies
`ESC ] 11 ; rgb:... BEL`. Textual's XTermParser (textual 8.2.8) knows none of these: it reads
such a sequence up to 32 characters or the escape delay, then "reissues" every character as
a key press, so the `q` in a DCS reply quits and the `?` of a DA reply opens Help.

`ReplyFilter` sits at the input boundary (tui.driver feeds it every chunk read from the
terminal) and removes complete replies; everything else passes through unchanged and in
order. What Textual itself asks for and understands passes: DECRPM mode reports
(`ESC [ ? 2026 ; 1 $ y`), cursor position reports (`ESC [ 12;40 R`, which Textual turns into a
CursorPosition event, never a key) and in-band resize reports (`ESC [ 48 ; ... t`).

A reply cut across two reads is held back until its end arrives. A held beginning that never
ends is an alt+key (`ESC P` is also alt+shift+p): after a short wait it is passed on as
typed when it is only the introducer, and dropped when more than that came with it.
Text inside a bracketed paste is never filtered.
"""

from __future__ import annotations

import re
from typing import Final

ESC: Final = "\x1b"
# Introducers of control strings, ended by ST (ESC \ or 0x9C), or BEL for OSC:
# DCS, OSC, APC, PM, SOS, in their 7-bit (after ESC) and 8-bit (C1) forms.
_STRING_7BIT: Final = frozenset("P]_^X")
_STRING_8BIT: Final = frozenset("\x90\x9d\x9f\x9e\x98")
_CSI_8BIT: Final = "\x9b"
_STARTS: Final = re.compile("[\x1b\x90\x98\x9b\x9d\x9e\x9f]")
_STRING_END: Final = re.compile("\x07|\x1b\\\\|\x9c")
PASTE_START: Final = "\x1b[200~"
PASTE_END: Final = "\x1b[201~"

MAX_REPLY: Final = 64 * 1024  # an OSC 52 clipboard reply can be long; more is not a reply
CSI_HOLD_SECONDS: Final = 0.2
STRING_HOLD_SECONDS: Final = 0.5
LONE_ESC_HOLD_SECONDS: Final = 0.03  # the escape key: Textual waits its own delay after this


def is_reply_csi(params: str, intermediates: str, final: str) -> bool:
    """Whether a complete CSI sequence (ESC [ params intermediates final) is a report.

    Keys and mouse reports never start their parameters with `?`, `>` or `=` (SGR mouse
    starts with `<`) and never end in `c`, `n` or `$y`; the window reports end in `t`.
    """
    if intermediates == "$" and final == "y":
        # DECRPM: Textual asks about modes 2026 and 2048 and reads the `?` form itself.
        return not params.startswith("?")
    if params[:1] in ("?", ">", "="):
        return True
    if final in ("c", "n"):  # device attributes, device status
        return True
    if final == "t":  # window reports, except the in-band resize Textual enables
        return not params.startswith("48;")
    return False


class ReplyFilter:
    """Feed it what the terminal sent, chunk by chunk; it returns what the user typed."""

    def __init__(self) -> None:
        self._held = ""
        self._held_since = 0.0
        self._in_paste = False

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def hold_deadline(self) -> float | None:
        """When what is held must be decided, on the clock `feed` and `flush` are given."""
        if not self._held:
            return None
        return self._held_since + self._hold_seconds()

    def _hold_seconds(self) -> float:
        held = self._held
        if held == ESC:
            return LONE_ESC_HOLD_SECONDS
        if held[0] in _STRING_8BIT or (len(held) > 1 and held[1] in _STRING_7BIT):
            return STRING_HOLD_SECONDS
        return CSI_HOLD_SECONDS

    def flush(self, now: float) -> str:
        """What is held past its wait: passed on as typed (an alt+key, a lone escape, a
        partial key sequence) or dropped (the start of a reply whose end never came)."""
        deadline = self.hold_deadline()
        if deadline is None or now < deadline:
            return ""
        held, self._held = self._held, ""
        if self._in_paste:
            return held
        is_string = held[0] in _STRING_8BIT or (len(held) > 1 and held[1] in _STRING_7BIT)
        if is_string and len(held) > (1 if held[0] in _STRING_8BIT else 2):
            return ""
        return held

    def feed(self, data: str, now: float) -> str:
        if self._held:
            data = self._held + data
            since = self._held_since
            self._held = ""
        else:
            since = now
        out: list[str] = []
        i = 0
        n = len(data)
        while i < n:
            if self._in_paste:
                end = data.find(PASTE_END, i)
                if end < 0:
                    # Keep a tail that could be the start of the end marker.
                    keep = _partial_suffix(data, PASTE_END, i)
                    out.append(data[i:n - keep])
                    self._hold(data[n - keep:], since if keep else now)
                    break
                out.append(data[i:end + len(PASTE_END)])
                i = end + len(PASTE_END)
                self._in_paste = False
                continue
            match = _STARTS.search(data, i)
            if match is None:
                out.append(data[i:])
                break
            j = match.start()
            out.append(data[i:j])
            end, reply = self._scan(data, j)
            if end < 0:  # incomplete: wait for the rest
                self._hold(data[j:], since if j == 0 else now)
                if len(self._held) > MAX_REPLY:
                    self._held = ""  # not a reply anyone sent on purpose
                break
            if not reply:
                seq = data[j:end]
                out.append(seq)
                if seq == PASTE_START:
                    self._in_paste = True
            i = end
        return "".join(out)

    def _hold(self, text: str, since: float) -> None:
        self._held = text
        self._held_since = since

    @staticmethod
    def _scan(data: str, j: int) -> tuple[int, bool]:
        """(end, is_reply) of the sequence at data[j]; end -1 when it may not be complete.
        A sequence that is not a reply ends after its introducer: the rest is scanned as
        ordinary input again (and passed on)."""
        n = len(data)
        first = data[j]
        if first in _STRING_8BIT:
            body = j + 1
        elif first == _CSI_8BIT:
            return _scan_csi(data, j + 1, j)
        else:  # ESC
            if j + 1 >= n:
                return -1, False
            second = data[j + 1]
            if second == "[":
                return _scan_csi(data, j + 2, j)
            if second not in _STRING_7BIT:
                return j + 1, False  # alt+key, SS3 keys (ESC O A): Textual's
            body = j + 2
        end = _STRING_END.search(data, body)
        if end is None:
            return -1, False
        return end.end(), True


def _scan_csi(data: str, start: int, j: int) -> tuple[int, bool]:
    n = len(data)
    k = start
    while k < n and "\x30" <= data[k] <= "\x3f":
        k += 1
    params_end = k
    while k < n and "\x20" <= data[k] <= "\x2f":
        k += 1
    if k >= n:
        return -1, False
    final = data[k]
    if not "\x40" <= final <= "\x7e":
        return j + 1, False  # not a well-formed CSI: leave it to Textual
    return k + 1, is_reply_csi(data[start:params_end], data[params_end:k], final)


def _partial_suffix(data: str, marker: str, start: int) -> int:
    """Length of the longest end of data[start:] that begins `marker`."""
    for size in range(min(len(marker) - 1, len(data) - start), 0, -1):
        if marker.startswith(data[len(data) - size:]):
            return size
    return 0
