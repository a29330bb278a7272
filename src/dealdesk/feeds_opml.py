"""OPML in and out: `dealdesk feeds import FILE.opml` and `dealdesk feeds export`.

OPML is how readers hand their subscriptions to one another, so an import reads files
written by any of them, and by anyone: the file is hostile until read. It is parsed with
expat through handlers (no tree, so no depth limit to hit), a DOCTYPE of any kind is
refused before anything is declared (no entity is ever expanded: no billion laughs, no
external entity, no DTD fetched), and its size and number of outlines are capped.

The import appends `[[feed]]` tables to feeds.toml as text, so that its comments and
layout stay as the user wrote them; the new text is checked by the config checker before
it replaces the old file, atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.parsers import expat

from . import config
from .config import FEEDS_FILE, ConfigError, Problem
from .model import FeedSpec
from .text.clean import clean_text
from .text.feedurl import FeedURL, parse_feed_url
from .value import Value

MAX_OPML_BYTES = 8 << 20  # 8 MiB: a subscription list of 10,000 feeds is about 2 MiB
MAX_OUTLINES = 20_000
NAME_LIMIT = 200
_SHOWN_LIMIT = 120  # characters of an unusable URL shown when saying why it was skipped


class OpmlError(Exception):
    """The file cannot be imported; the message is one line and names no internals."""


class Outline(Value):
    """An `<outline>` that holds (or should hold) a feed: its attributes as written."""

    title: str
    text: str
    xml_url: str | None
    line: int


# ---------------------------------------------------------------------------------------------
# Reading


class _Refused(Exception):
    pass


def read_opml_file(path: Path) -> list[Outline]:
    """The feed outlines of the OPML file at `path`; OpmlError when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_OPML_BYTES + 1)
    except OSError as exc:
        raise OpmlError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"larger than {MAX_OPML_BYTES >> 20} MiB; not a subscription list")
    return parse_opml(data)


def parse_opml(data: bytes) -> list[Outline]:
    """Outlines with an xmlUrl, and leaf outlines without one (reported as skipped), in
    document order; folders (outlines holding outlines) are flattened away.

    OpmlError for anything that is not a well-formed OPML document without a DOCTYPE.
    """
    if not data.strip():
        raise OpmlError("empty file")
    parser = expat.ParserCreate()
    # Belt and braces: the DOCTYPE handler refuses first, and nothing external is read.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: list[Outline] = []
    # One entry per open element: [is an outline, holds an outline, its Outline or None].
    open_elements: list[list[Any]] = []
    root: list[str] = []

    def refuse(reason: str) -> None:
        raise _Refused(reason)

    def on_doctype(*_: Any) -> None:
        refuse("it has a DOCTYPE (OPML needs none; refused so that no entity is expanded)")

    def on_entity(*_: Any) -> None:
        refuse("it declares entities")

    def on_external(*_: Any) -> int:
        refuse("it refers to an external entity")
        return 0

    def on_start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2].lower()
        if not root:
            root.append(local)
            if local != "opml":
                refuse(f"not OPML: the root element is <{_shown(name, 40)}>, not <opml>")
        is_outline = local == "outline"
        if is_outline:
            if open_elements and open_elements[-1][0]:
                open_elements[-1][1] = True
            if len(found) >= MAX_OUTLINES:
                refuse(f"more than {MAX_OUTLINES:,} outlines")
            # Attribute names as readers write them: xmlUrl, mostly; xmlurl or XMLURL some.
            lowered = {k.lower(): v for k, v in attrs.items()}
            outline = Outline(lowered.get("title", ""), lowered.get("text", ""),
                              lowered.get("xmlurl"), parser.CurrentLineNumber)
            if outline.xml_url is not None:
                found.append(outline)
            open_elements.append([True, False, outline])
        else:
            open_elements.append([False, False, None])

    def on_end(_: str) -> None:
        is_outline, holds_outlines, outline = open_elements.pop()
        if is_outline and not holds_outlines and outline.xml_url is None:
            if len(found) >= MAX_OUTLINES:
                refuse(f"more than {MAX_OUTLINES:,} outlines")
            found.append(outline)  # a leaf that names no feed: reported as skipped

    parser.StartDoctypeDeclHandler = on_doctype
    parser.EntityDeclHandler = on_entity
    parser.UnparsedEntityDeclHandler = on_entity
    parser.ExternalEntityRefHandler = on_external
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise OpmlError(str(exc)) from None
    except expat.ExpatError as exc:
        raise OpmlError(f"not well-formed XML: {expat.ErrorString(exc.code)} "
                        f"at line {exc.lineno}, column {exc.offset + 1}") from None
    except (ValueError, LookupError) as exc:  # an encoding expat does not know, say
        raise OpmlError(f"not readable XML: {_shown(str(exc), 80)}") from None
    return sorted(found, key=lambda o: o.line)  # leaves are found at their end tag


def _shown(text: str, limit: int) -> str:
    """`text` made safe to print on one line: cleaned, cut."""
    return clean_text(text, limit, html_markup=False) or "?"


# ---------------------------------------------------------------------------------------------
# Importing


class ImportResult(Value):
    added: list[FeedSpec]  # the feeds appended, as written
    skipped: list[tuple[str, str]]  # (what, why), ready to print
    text: str  # the new feeds.toml


def plan_import(
    outlines: Sequence[Outline], existing: Sequence[FeedSpec], current_text: str
) -> ImportResult:
    """What importing `outlines` into a feeds.toml holding `existing` (`current_text`)
    adds and skips, and the resulting text. Nothing is written."""
    urls: dict[object, str] = {}  # a feed URL as read -> the name it goes by
    for feed in existing:
        urls[_url_key(feed.url)] = feed.name
    names = {feed.name.casefold() for feed in existing}
    added: list[FeedSpec] = []
    skipped: list[tuple[str, str]] = []
    for outline in outlines:
        label = _label(outline)
        if outline.xml_url is None:
            skipped.append((label, "no xmlUrl (not a feed)"))
            continue
        url = outline.xml_url.strip()
        try:
            key = _request_of(parse_feed_url(url), url)
        except ValueError as exc:
            skipped.append((label, f"{_shown(url, _SHOWN_LIMIT)}: {exc}"))
            continue
        if key in urls:
            skipped.append((label, f"{url}: duplicate of feed {urls[key]!r}"))
            continue
        name = _unique(_name_of(outline, url), names)
        names.add(name.casefold())
        urls[key] = name
        added.append(FeedSpec(name, url))
    return ImportResult(added, skipped, append_feeds(current_text, added))


def _url_key(url: str) -> object:
    try:
        return _request_of(parse_feed_url(url), url)
    except ValueError:
        return url


def _request_of(parsed: FeedURL, url: str) -> object:
    """Two URLs are the same feed when the fetcher would send the same request to the same
    place: the case of the scheme and host, a default port written or not, do not matter.
    With a user name in it, only the very same URL is (two accounts, two feeds)."""
    if parsed.has_userinfo:
        return url
    return (parsed.scheme, parsed.host, parsed.port, parsed.target)


def _label(outline: Outline) -> str:
    return _shown(outline.title or outline.text or outline.xml_url or "(untitled)", 80)


def _name_of(outline: Outline, url: str) -> str:
    """title, else text, else the URL: cleaned the way the config checker wants names
    (no control, bidi or invisible character, one line) and not too long."""
    for candidate in (outline.title, outline.text):
        name = clean_text(candidate, NAME_LIMIT, html_markup=False)
        if name:
            return name
    return url  # printable ASCII without spaces: parse_feed_url said so


def _unique(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`... : feed names are unique in feeds.toml (compared
    without case here, so that two imports never differ only by case either)."""
    if name.casefold() not in taken:
        return name
    for n in range(2, len(taken) + 3):  # bounded: one of these is free
        candidate = f"{name} ({n})"
        if candidate.casefold() not in taken:
            return candidate
    raise AssertionError("unreachable")


def toml_string(value: str) -> str:
    """A TOML basic string holding exactly `value`."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def append_feeds(text: str, feeds: Iterable[FeedSpec]) -> str:
    """`text` with a `[[feed]]` table per feed appended, the rest left byte for byte."""
    feeds = list(feeds)
    if not feeds:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    parts = [text]
    if text and not text.endswith("\n"):
        parts.append(newline)
    if text.strip():
        parts.append(newline)
    parts.append(f"# Imported from OPML{newline}")
    for index, feed in enumerate(feeds):
        if index:
            parts.append(newline)
        parts.append(f"[[feed]]{newline}name = {toml_string(feed.name)}{newline}"
                     f"url = {toml_string(feed.url)}{newline}")
    return "".join(parts)


def import_opml(config_dir: Path, opml_path: Path) -> ImportResult:
    """Add the feeds of the OPML file to `config_dir`/feeds.toml. OpmlError if the file
    cannot be imported, ConfigError if feeds.toml is (or would become) invalid: in both
    cases nothing is written."""
    if not config_dir.is_dir():
        raise ConfigError([Problem(config_dir, 0, "config directory not found",
                                   "pass --config DIR or set DEALDESK_CONFIG")])
    feeds_path = config_dir / FEEDS_FILE
    # A feeds.toml that is a symlink (into a dotfiles repo, say) stays one: its target is
    # what gets replaced.
    target = feeds_path.resolve() if feeds_path.is_symlink() else feeds_path
    outlines = read_opml_file(opml_path)
    current = _read_text(target, feeds_path)
    existing = _checked_feeds(feeds_path, current) if current.strip() else ()
    result = plan_import(outlines, existing, current)
    if result.added:
        # The very text to be written goes through the checker first.
        after = _checked_feeds(feeds_path, result.text)
        if [f.url for f in after[len(existing):]] != [f.url for f in result.added]:
            raise AssertionError("the appended feeds did not read back as written")
        if _read_text(target, feeds_path) != current:  # edited meanwhile: theirs wins
            raise ConfigError([Problem(feeds_path, 0, "changed while importing; nothing "
                                       "imported", "run the import again")])
        try:
            _write_atomically(target, result.text)
        except OSError as exc:
            raise ConfigError([Problem(feeds_path, 0, f"cannot write: {exc.strerror or exc}; "
                                       "nothing imported", "check permissions")]) from None
    return result


def _read_text(path: Path, shown: Path) -> str:
    """feeds.toml's text ("" when there is none yet), or ConfigError naming `shown`."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError:
        raise ConfigError([Problem(shown, 0, "not UTF-8 text", "save the file as UTF-8")]) \
            from None
    except OSError as exc:
        raise ConfigError([Problem(shown, 0, f"cannot read: {exc.strerror or exc}",
                                   "check permissions")]) from None


def _checked_feeds(feeds_path: Path, text: str) -> tuple[FeedSpec, ...]:
    """The feeds of `text` as feeds.toml, or ConfigError naming `feeds_path`."""
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="dealdesk-opml-") as scratch:
        probe = Path(scratch) / FEEDS_FILE
        probe.write_text(text, encoding="utf-8", newline="")
        # The checker every command runs on feeds.toml, on the text about to be written.
        feeds = config.load_feeds(probe, problems)
    if problems:
        raise ConfigError([Problem(feeds_path, p.line, p.message, p.hint) for p in problems])
    return feeds


def _write_atomically(path: Path, text: str) -> None:
    """Replace `path` by `text` in one step: a reader (or a crash) sees the old file or the
    new one, never half of one. The file keeps its permissions."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=".feeds-", suffix=".toml.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------------------------
# Exporting


def export_opml(feeds: Sequence[FeedSpec], now: datetime | None = None) -> str:
    """OPML 2.0 listing `feeds`, as newsboat, miniflux and FreshRSS import it."""
    created = format_datetime(now or datetime.now(UTC), usegmt=True)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        "    <title>DealDesk feeds</title>",
        f"    <dateCreated>{created}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        name = xml_attr(feed.name)
        lines.append(f'    <outline type="rss" text={name} title={name} '
                     f"xmlUrl={xml_attr(feed.url)}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


_ATTR_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                 "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def xml_attr(value: str) -> str:
    """`value` as a double-quoted XML attribute that reads back as exactly `value`; a
    character XML 1.0 cannot carry at all becomes U+FFFD."""
    out = ['"']
    for char in value:
        escaped = _ATTR_ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif _xml_char(ord(char)):
            out.append(char)
        else:
            out.append("\ufffd")
    out.append('"')
    return "".join(out)


def _xml_char(code: int) -> bool:
    return (code >= 0x20 and code not in (0xFFFE, 0xFFFF) and not 0xD800 <= code <= 0xDFFF) \
        or code in (0x9, 0xA, 0xD)
