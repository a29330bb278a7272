"""Terminal replies are not keys (tui.replies), and the charset fallbacks (tui.charset):
real replies from xterm, tmux, kitty, foot and others, fed through the reply filter into
Textual's own parser, whole and cut at every point."""

from __future__ import annotations

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from dealdesk.tui.charset import StandIns, locale_charset, stand_in
from dealdesk.tui.replies import (
    CSI_HOLD_SECONDS,
    LONE_ESC_HOLD_SECONDS,
    STRING_HOLD_SECONDS,
    ReplyFilter,
)

ST = "\x1b\\"
REPLIES = {
    "DA1 (xterm)": "\x1b[?62;22c",
    "DA1 (VT100)": "\x1b[?1;2c",
    "DA1 (kitty)": "\x1b[?62;c",
    "DA2 (tmux)": "\x1b[>84;0;0c",
    "DA2 (xterm)": "\x1b[>41;390;0c",
    "DA3": "\x1bP!|00000000" + ST,
    "XTGETTCAP Tc": "\x1bP1+r5463=" + ST,
    "XTGETTCAP unknown": "\x1bP0+r5465" + ST,
    "XTGETTCAP q (as in the issue)": "\x1bP+q5465" + ST,
    "DECRQSS SGR": "\x1bP1$r0m" + ST,
    "DECRQSS cursor style": "\x1bP1$r2 q" + ST,
    "XTVERSION": "\x1bP>|tmux 3.3a" + ST,
    "OSC 11 background (BEL)": "\x1b]11;rgb:0000/0000/0000\x07",
    "OSC 10 foreground (ST)": "\x1b]10;rgb:ffff/ffff/ffff" + ST,
    "OSC 4 palette": "\x1b]4;1;rgb:cdcd/0000/0000\x07",
    "OSC 52 clipboard": "\x1b]52;c;cT9xdWl0P2hlbHA=\x07",
    "OSC 52 clipboard, long": "\x1b]52;c;" + "cXFxcQ==" * 2000 + "\x07",
    "OSC 8-bit ST": "\x1b]11;rgb:1/1/1\x9c",
    "APC kitty graphics": "\x1b_Gi=31;OK" + ST,
    "DECRPM ANSI mode": "\x1b[4;2$y",
    "DSR OK": "\x1b[0n",
    "colour scheme (contour)": "\x1b[?997;1n",
    "DECXCPR": "\x1b[?12;40;1R",
    "kitty keyboard flags": "\x1b[?1u",
    "XTWINOPS text area size": "\x1b[8;24;80t",
    "XTWINOPS pixel size": "\x1b[4;600;800t",
    "8-bit DCS": "\x90+q5465\x9c",
    "8-bit CSI DA": "\x9b?62;22c",
}


def parse(chunks: list[str], gap: float = 0.0) -> list[events.Event]:
    """What Textual's parser makes of `chunks`, read one after the other through the filter
    (`gap` seconds apart), after every wait has passed."""
    replies = ReplyFilter()
    parser = XTermParser()
    out: list[events.Event] = []
    now = 0.0

    def feed(text: str) -> None:
        if text:  # "" is the parser's end of input
            out.extend(parser.feed(text))

    for chunk in chunks:
        feed(replies.feed(chunk, now))
        now += gap
        feed(replies.flush(now))
    now += 5.0
    feed(replies.flush(now))
    out.extend(parser.feed(""))  # end of input: the parser gives up what it holds
    return out


def keys(found: list[events.Event]) -> list[str]:
    return [e.key for e in found if isinstance(e, events.Key)]


@pytest.mark.parametrize("name", REPLIES)
def test_replies_are_not_keys(name):
    reply = REPLIES[name]
    assert keys(parse([reply])) == []
    # Between what the user types, which still arrives, in order.
    assert keys(parse(["j" + reply + "q"])) == ["j", "q"]


@pytest.mark.parametrize("name", ["DA1 (xterm)", "XTGETTCAP q (as in the issue)",
                                  "OSC 11 background (BEL)", "DECRQSS SGR", "DA2 (tmux)",
                                  "OSC 52 clipboard, long"])
def test_replies_cut_across_reads_are_not_keys(name):
    reply = REPLIES[name]
    cuts = range(1, len(reply)) if len(reply) < 100 else (1, 2, 3, 50, len(reply) - 1)
    for cut in cuts:
        assert keys(parse(["k" + reply[:cut], reply[cut:] + "j"], gap=0.01)) == ["k", "j"], cut


def test_replies_back_to_back_and_in_one_read_with_keys():
    stream = "".join(REPLIES.values())
    assert keys(parse([stream])) == []
    assert keys(parse(["1", stream, "2", stream[:7], stream[7:], "q"])) == ["1", "2", "q"]


def test_what_textual_asks_for_still_reaches_it():
    """Synchronized-output and in-band-resize mode reports, cursor position reports and
    in-band resizes are Textual's own: they pass, and are still not keys."""
    found = parse(["\x1b[?2026;2$y", "\x1b[12;40R", "\x1b[48;24;80;480;640t"])
    names = [type(e).__name__ for e in found]
    assert "TerminalSupportsSynchronizedOutput" in names
    assert "CursorPosition" in names
    assert "Resize" in names
    assert keys(found) == []


@pytest.mark.parametrize("typed, expected", [
    ("\x1b[A", ["up"]), ("\x1b[1;5C", ["ctrl+right"]), ("\x1bOB", ["down"]),
    ("\x1b[Z", ["shift+tab"]), ("\x1b[3~", ["delete"]), ("\x1b[15~", ["f5"]),
    ("\x1bj", ["alt+j"]), ("\t\t\t", ["tab", "tab", "tab"]), ("é", ["é"]),
])
def test_keys_still_arrive(typed, expected):
    assert keys(parse([typed])) == expected


def test_escape_alone_arrives_after_a_short_hold():
    replies = ReplyFilter()
    assert replies.feed("\x1b", 0.0) == ""
    assert replies.flush(LONE_ESC_HOLD_SECONDS / 2) == ""
    assert replies.flush(LONE_ESC_HOLD_SECONDS) == "\x1b"
    assert keys(parse(["\x1b"], gap=1.0)) == ["escape"]


def test_an_alt_key_that_looks_like_a_reply_start_arrives_as_typed():
    """`ESC P` is alt+shift+p and `ESC [` alt+[: passed on once no reply follows."""
    replies = ReplyFilter()
    assert replies.feed("\x1bP", 0.0) == ""
    assert replies.flush(STRING_HOLD_SECONDS) == "\x1bP"
    assert replies.feed("\x1b[", 1.0) == ""
    assert replies.flush(1.0 + CSI_HOLD_SECONDS) == "\x1b["


def test_a_reply_that_never_ends_is_dropped_not_typed():
    replies = ReplyFilter()
    assert replies.feed("\x1bP+q54", 0.0) == ""
    assert replies.flush(STRING_HOLD_SECONDS) == ""
    assert replies.feed("q", 1.0) == "q"


def test_a_runaway_reply_is_bounded():
    replies = ReplyFilter()
    replies.feed("\x1b]52;c;", 0.0)
    for _ in range(40):
        replies.feed("A" * 4096, 0.0)
    assert not replies.holding or len(replies._held) <= 70 * 1024


def test_pasted_text_is_never_filtered():
    """Even what looks like a reply, inside a bracketed paste, is the user's."""
    pasted = "see \x1b[?62;22c and \x1bP+q5465\x1b\\ here"
    replies = ReplyFilter()
    stream = "\x1b[200~" + pasted + "\x1b[201~" + "\x1b[?62;22c" + "q"
    for cut in range(1, len(stream)):
        passed = replies.feed(stream[:cut], 0.0) + replies.feed(stream[cut:], 0.0)
        assert passed == "\x1b[200~" + pasted + "\x1b[201~q", cut
    found = parse(["\x1b[200~q?[;", "r\x1b[201~", "q"])
    assert [e.text for e in found if isinstance(e, events.Paste)] == ["q?[;r"]
    assert keys(found) == ["q"]


def test_floods_pass_in_one_piece_and_quickly():
    import time

    replies = ReplyFilter()
    flood = "abcdefghij" * 100_000
    started = time.perf_counter()
    assert replies.feed(flood, 0.0) == flood
    assert time.perf_counter() - started < 0.2


# -- charset -------------------------------------------------------------------------------

@pytest.mark.parametrize("environ, charset", [
    ({"LANG": "en_US.UTF-8"}, "utf-8"),
    ({"LANG": "C.utf8"}, "utf-8"),
    ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "ascii"),
    ({"LC_ALL": "POSIX"}, "ascii"),
    ({"LANG": "C"}, "ascii"),
    ({}, "ascii"),
    ({"LC_CTYPE": "de_DE.ISO-8859-1@euro", "LANG": "en_US.UTF-8"}, "iso8859-1"),
    ({"LANG": "ru_RU.KOI8-R"}, "koi8-r"),
    ({"LANG": "xx_XX.NOT-A-CODESET"}, "ascii"),
    # What Python's C-locale coercion leaves in the environment is not the user's locale.
    ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, "ascii"),
    ({"LANG": "en_US.ISO-8859-1", "LC_CTYPE": "C.UTF-8"}, "iso8859-1"),
    ({"LANG": "en_US.UTF-8", "LC_CTYPE": "C.UTF-8"}, "utf-8"),
    ({"LC_CTYPE": "en_US.UTF-8", "LANG": "C"}, "utf-8"),
])
def test_the_locale_names_the_terminal_charset(environ, charset):
    assert locale_charset(environ) == charset


def test_stand_ins_fill_the_same_cells_in_ascii():
    from rich.cells import cell_len

    drawn = "╭─ 1 Partners ─╮│●○◔‖⇄✕▲△◷⟳✖█▒·…—é日本😀▁▇┃━┏┛"
    table = StandIns("ascii")
    plain = drawn.translate(table)
    assert plain.isascii()
    assert cell_len(plain) == cell_len(drawn)
    assert plain.startswith("+- 1 Partners -+|*oc=~x^.@~x#:..-e")
    assert stand_in("\u0301") == ""  # a combining accent adds no cell


def test_stand_ins_keep_what_the_charset_has():
    table = StandIns("latin-1")
    assert "café ─".translate(table) == "café -"
