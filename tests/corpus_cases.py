"""The hostile corpus: what each bad feed in tests/corpus/ is, and what must become of it.

One `Case` per feed. A case with a `file` is served from tests/corpus/ by the loopback feed
server; a network fault is a `Route` with no file (or `refused`, a port nothing listens on).
Every case is one feed named after it, so one refresh over `CASES` fetches them all at once.

Expectations after one refresh (tests/test_corpus.py checks them all):
- `status`: the feed's stored status, "ok" or "error";
- `error`: words the stored error must hold, in a reader's words (an "error" case);
  "a|b" accepts either (a silent server meets the read timeout or the deadline first);
- `items`: how many items the feed stores (None: not checked);
- `kept`: words that must survive into the stored titles (what is readable is kept);
- `literal`: text that must be stored and shown exactly as typed (markup never acts);
- `forbidden`: more substrings that must never be stored or shown, beyond `FORBIDDEN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .feedserver import Route

CORPUS = Path(__file__).resolve().parent / "corpus"

# Never stored, never on screen, whatever the feed sent: ESC, the C1 controls CSI/OSC/ST/DCS,
# BEL, NUL, bidi overrides and isolates, zero-width and tag characters, what an XML entity
# could have pulled from the disk (/etc/passwd, /proc/self/environ), an expanded entity,
# and what is left of an OSC 8 / OSC 52 sequence; soft hyphens, fillers, the Braille blank,
# variation selectors other than the emoji ones, interlinear annotations, noncharacters.
FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\U000e0000-\U000e007f"
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0d\uffa0"
    "\ufff9-\ufffb\ufdd0-\ufdef\U000e0100-\U000e01ef]"
    "|[\u0300-\u036f]{5}"  # a pile of combining marks
)
FORBIDDEN = (
    "root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "PATH=/", "lollollol", "x" * 64,
    "]8;;", "52;c;", "[31m", "[2J",
)

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
MIB = 1 << 20


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    file: str | None = None
    route: Route | None = None  # a network fault, instead of a file
    refused: bool = False  # a loopback port with nothing listening
    content_type: str = RSS
    headers: dict[str, str] = field(default_factory=dict)
    status: str = "ok"
    error: tuple[str, ...] = ()
    items: int | None = None
    kept: tuple[str, ...] = ()
    literal: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    no_links: bool = False  # every stored link is refused (None)
    links: tuple[str, ...] = ()  # these exact links are stored
    date_flags: frozenset[str] = frozenset()  # flags every stored item carries one of
    title_len: int | None = None  # the one stored title is exactly this long

    def data(self) -> bytes:
        assert self.file is not None
        return (CORPUS / self.file).read_bytes()

    def serve(self) -> Route:
        if self.route is not None:
            return self.route
        return Route(body=self.data(), content_type=self.content_type,
                     headers=dict(self.headers))


def _ok(name: str, what: str, **kw) -> Case:
    return Case(name, what, file=kw.pop("file", f"{name}.xml"), **kw)


def _bad(name: str, what: str, error: tuple[str, ...], **kw) -> Case:
    return Case(name, what, status="error", error=error, items=0, **kw)


CASES: tuple[Case, ...] = (
    # --- good feeds: stored whatever the others do --------------------------------------------
    _ok("good_rss", "a plain RSS 2.0 feed", items=2,
        kept=("Nvidia and OpenAI sign the first gigawatt", "Oracle capacity for OpenAI grows")),
    _ok("good_atom", "a plain Atom feed", content_type=ATOM, items=1,
        kept=("Microsoft and OpenAI: a plain Atom entry",)),
    # --- markup injection: Rich and Textual markup is text ----------------------------------
    _ok("markup_click", "Textual @click actions (app.quit, push_screen, bell)", items=2,
        literal=("[@click=app.quit]Quit DealDesk[/] now",
                 "[@click=\"app.push_screen('help')\"]help[/] and [@click=app.bell]ring[/]")),
    _ok("markup_link", "Rich [link=...] tags, bare and quoted", items=2,
        literal=("[link=https://evil.example/phish]Nvidia earnings[/link] beat",
                 '[link="https://evil.example/"]quoted link[/]')),
    _ok("markup_styles", "style tags: bold, blink, reverse, colours", items=1,
        literal=("[bold red on white]LOUD[/] [blink]blinking[/blink] [reverse]reversed[/reverse] "
                 "[dim]x[/dim]",)),
    _ok("markup_unbalanced", "markup that makes Rich and Textual raise MarkupError", items=3,
        literal=("[/bold] closing tag first", "nothing to close [/] here",
                 "[b]mismatched[/b][/i] tags [")),
    _ok("markup_textual_vars", "Textual $variables and [$var] styles", items=1,
        literal=("$accent [$accent]Themed[/] [on $primary]panel[/] [$text-error]error[/]",)),
    _ok("markup_emoji", "Rich :emoji: codes", items=1,
        literal=(":warning: :pile_of_poo: emoji codes stay as typed",)),
    _ok("markup_escaped", "backslash-escaped markup", items=1,
        literal=("\\[bold] backslash escapes \\\\[italic]stay[/italic]",)),
    _ok("markup_entities", "markup spelled with XML character references, and double-encoded",
        items=2, literal=("[@click=app.quit]Encoded click[/] as references",
                          "[@click=app.quit]Double encoded[/]")),
    _ok("markup_in_link", "an http link and a summary that carry markup", items=1,
        kept=("A link that carries markup",),
        links=("https://evil.example/[@click=app.quit]x[/]",)),
    _ok("markup_atom_text", 'Atom type="text" holding tags and markup', content_type=ATOM,
        items=1, literal=("<b>[@click=app.quit]</b> text stays text",)),
    _ok("markup_cdata", "CDATA with HTML, markup and a script holding markup", items=1,
        literal=("[bold]Strong[/bold] in CDATA",), forbidden=("[@click",)),
    # --- terminal escapes: removed whole, the words kept -----------------------------------------
    _ok("ansi_raw", "raw ANSI CSI sequences (colour, clear screen, cursor home)", items=1,
        kept=("Red alert screen cleared",)),
    _ok("ansi_charref", "ANSI sequences as XML character references", items=1,
        kept=("Red by reference cleared",)),
    _ok("osc8_hyperlink", "an OSC 8 hyperlink", items=1, kept=("Hyperlinked words end",),
        forbidden=("evil.example",)),
    _ok("osc52_clipboard", "an OSC 52 clipboard write, BEL- and ST-terminated", items=1,
        kept=("Clipboard write attempt",), forbidden=("Y3Vyb", "cm0gLXJm")),
    _ok("osc52_charref", "OSC 52 and OSC 8 as XML character references", items=1,
        kept=("Referenced clipboard write",), forbidden=("Y3Vyb", "evil.example")),
    _ok("c1_controls", "8-bit C1 CSI / OSC / ST, raw and as references", items=2,
        kept=("C1 CSI and OSC controls", "C1 by reference done"), forbidden=("ZXZpbA",)),
    _ok("control_chars", "BEL, BS, VT, FF, DEL and other C0 controls", items=1,
        kept=("Bell backspace vertical tab formfeed delete null controls",)),
    # --- Unicode that reorders or hides text ---------------------------------------------------
    _ok("bidi_overrides", "bidi overrides, embeddings, isolates and marks", items=2,
        kept=("Invoice fdp.exe attached", "Isolates left right first marks end")),
    _ok("bidi_charref", "a bidi override as a character reference", items=1,
        kept=("Referenced gnp.exe override",)),
    _ok("zero_width", "zero-width characters, BOM, word joiner, tag characters", items=1,
        kept=("Nvidia zerowidth joiners wordjoiner tags end",)),
    _ok("invisible_classes", "soft hyphen, U+180E, annotations, CGJ, fillers, Braille blank, "
        "Khmer vowels, variation selectors, tags, 1,000 marks on one letter, a blank title",
        items=5, kept=("OpenAI softhyphen annotation CGJ end", "Fillers between words",
                       "Khmer selectors tags gone", "algo capped",
                       "https://corpus.example.com/inv/5")),
    _ok("c1_fallback", "C1 controls, raw and by reference, on the feedparser path", items=1,
        kept=("C1 on the fallback path done",), forbidden=("\u203a", "2J", "31m", "pwned")),
    # --- sizes and shapes ------------------------------------------------------------------------
    _ok("huge_title", "a 100,000-character title", items=1, kept=("gigawatt gigawatt",),
        title_len=1000),
    _ok("newlines_tabs", "newlines, tabs, CR, LS, PS and NEL in a title", items=1,
        kept=("Line one Line two Tabbed separator paragraph next",)),
    # --- encodings -------------------------------------------------------------------------------
    _ok("encoding_wrong_declared", "declares UTF-8, sends Latin-1", items=1,
        kept=("Café crème declared UTF-8",)),
    _ok("encoding_missing", "Latin-1 without any declaration", items=1,
        content_type="application/xml", kept=("Naïve résumé without any declaration",)),
    _ok("encoding_header_mismatch", "UTF-8 document, Content-Type says ISO-8859-1", items=1,
        content_type="application/rss+xml; charset=iso-8859-1",
        kept=("Grüße aus Köln",)),
    _ok("encoding_utf16", "UTF-16 with a BOM", items=1, content_type="application/xml",
        kept=("UTF-16 été feed",)),
    _ok("encoding_header_wins", "UTF-8 declared ISO-8859-1; the header's charset=utf-8 wins",
        items=1, kept=("Grüße aus Köln, the header wins",)),
    _ok("encoding_utf16_label", "UTF-8 declared utf-16 (no BOM, no zero bytes)", items=1,
        content_type="application/xml; charset=utf-16", kept=("Été: UTF-8 labelled utf-16",)),
    _ok("encoding_unknown", "an encoding nobody knows (x-klingon)", items=1,
        kept=("Unknown encoding declared",)),
    _ok("encoding_invalid_utf8", "invalid UTF-8 sequences and an encoded surrogate", items=1,
        kept=("Invalid", "bytes inside")),
    # --- not feeds at all -----------------------------------------------------------------------
    _bad("html_login", "an HTML login page with status 200", ("not a feed", "HTML"),
         file="html_login.html", content_type="text/html; charset=utf-8"),
    _bad("json_feed", "a JSON Feed", ("not a feed", "JSON"), file="json_feed.json",
         content_type="application/feed+json"),
    _bad("empty", "an empty body", ("not a feed", "empty"), file="empty.xml"),
    _bad("whitespace_only", "only whitespace", ("not a feed", "empty"),
         file="whitespace_only.xml"),
    _bad("binary_png", "a PNG image", ("not a feed", "binary"), file="binary_png.bin",
         content_type="image/png"),
    _bad("nul_bytes", "XML with NUL bytes in it", ("not a feed", "binary"),
         file="nul_bytes.xml"),
    _bad("xml_not_feed", "well-formed XML that is not a feed", ("not a feed", "no RSS, Atom"),
         file="xml_not_feed.xml", content_type="application/xml"),
    _bad("plain_text", "a plain-text error message", ("not a feed", "unrecognised"),
         file="plain_text.txt", content_type="text/plain"),
    _ok("truncated", "XML cut off in the middle of the second item: the first is kept",
        items=1, kept=("First item survives truncation",)),
    # --- entities: never expanded, never read from the disk -----------------------------------
    _ok("billion_laughs", "entity expansion (billion laughs)", items=1, kept=("Laughs", "end")),
    _ok("quadratic_blowup", "one 50 KB entity referenced 20,000 times", items=1,
        kept=("Quadratic blowup",)),
    _ok("xxe_file", "an external entity naming /etc/passwd", items=1,
        kept=("External entity", "stays out")),
    _ok("xxe_parameter", "an external parameter entity naming /etc/passwd", items=1,
        kept=("External entity", "stays out")),
    _ok("xxe_external_dtd", "an external DTD at file:///etc/passwd", items=1,
        kept=("External entity", "stays out")),
    _ok("xxe_environ", 'an entity naming /proc/self/environ behind a "]>" in a value',
        items=1, kept=("External entity", "stays out")),
    # --- items: duplicates, dates, links ---------------------------------------------------------
    _ok("duplicate_guids", "the same story by guid, by link and by title", items=1,
        kept=("First copy of the story",)),
    _ok("dates_bad", "missing, malformed, impossible and far-future dates", items=6,
        date_flags=frozenset({"missing", "future"})),
    _ok("dates_impossible", "offsets +25:00 and -99:99, February 30th, years -1, 0, 9999 "
        "west of UTC and 10000", items=7, date_flags=frozenset({"missing", "future"})),
    _ok("links_userinfo", "user info before the host, controls and bidi in the host, port "
        "99999", items=5, no_links=True, kept=("User info before the host",)),
    _ok("links_unsafe", "javascript:, data:, vbscript:, file:, mailto: and a 10 KB link",
        items=7, no_links=True, kept=("javascript link", "very long link")),
    _ok("xml_base_relative", "relative links under nested xml:base", content_type=ATOM,
        items=2, links=("https://base.example.org/blog/2026/post-1.html",
                        "https://base.example.org/about")),
    _ok("xml_base_hostile", "xml:base smuggling javascript: and data:", content_type=ATOM,
        items=2, no_links=True, kept=("Base that smuggles javascript",)),
    # --- network faults --------------------------------------------------------------------------
    _bad("net_trickle", "a byte every half second", ("deadline exceeded",),
         route=Route(kind="trickle", interval_s=0.5, max_bytes=40)),
    _bad("net_hang", "a server that never answers", ("timeout|deadline exceeded",),
         route=Route(kind="static", body=b"<rss/>", delay_s=8.0)),
    _bad("net_huge_declared", "a 64 MiB body, announced", ("too large", "1 MiB"),
         route=Route(kind="huge", max_bytes=64 * MIB, send_length=True)),
    _bad("net_huge_streamed", "a 64 MiB body, no Content-Length", ("too large", "1 MiB"),
         route=Route(kind="huge", max_bytes=64 * MIB, send_length=False)),
    _bad("net_gzip_bomb", "64 MiB of zeros in a 64 KiB gzip body", ("too large", "1 MiB"),
         route=Route(kind="gzip_bomb", max_bytes=64 * MIB)),
    _bad("net_corrupt_gzip", "Content-Encoding: gzip on a body that is not",
         ("corrupt compressed body",),
         route=Route(body=b"this is not gzip" * 8, headers={"Content-Encoding": "gzip"})),
    _bad("net_unknown_encoding", "Content-Encoding: br, never asked for",
         ("unsupported content encoding (br)",),
         route=Route(body=b"\x1b\x00\x00", headers={"Content-Encoding": "br"})),
    _bad("net_hostile_encoding", "markup in a Content-Encoding header, quoted in the error",
         ("unsupported content encoding",), forbidden=("[@click", "[/]"),
         route=Route(body=b"x", headers={"Content-Encoding": "[@click=app.quit]x[/]"})),
    _bad("net_redirect_loop", "a redirect to itself", ("too many redirects",),
         route=Route(kind="redirect", location="/net_redirect_loop")),
    _bad("net_redirect_file", "a redirect to file:///etc/passwd", ("unsupported URL",),
         route=Route(kind="redirect", status=301, location="file:///etc/passwd")),
    _bad("net_404", "404", ("HTTP 404", "not found"),
         route=Route(kind="status", status=404, body=b"<html>Not Found</html>")),
    _bad("net_410", "410", ("HTTP 410", "gone"), route=Route(kind="status", status=410)),
    _bad("net_429", "429 with Retry-After", ("HTTP 429",),
         route=Route(kind="status", status=429, retry_after="120")),
    _bad("net_500", "500", ("HTTP 500",),
         route=Route(kind="status", status=500, body=b"Traceback (most recent call last)")),
    _bad("net_503", "503 with Retry-After as a date", ("HTTP 503",),
         route=Route(kind="status", status=503, retry_after="Wed, 21 Oct 2037 07:28:00 GMT")),
    _bad("net_refused", "a port nothing listens on", ("connection refused",), refused=True),
    _bad("net_reset", "a TCP reset in the middle of the body", ("connection reset",),
         route=Route(kind="reset", body=b'<?xml version="1.0"?><rss version="2.0"><channel>'
                     b"<item><title>cut off")),
)

def error_matches(case: Case, error: str | None) -> bool:
    return all(any(word in (error or "") for word in words.split("|")) for words in case.error)


FILE_CASES = tuple(c for c in CASES if c.file is not None)
NETWORK_CASES = tuple(c for c in CASES if c.file is None)
BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"
