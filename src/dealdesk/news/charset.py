"""Feed bytes in whatever charset -> UTF-8 bytes that say so, the same for both parsers.

Which charset, in order:
1. a byte order mark (it cannot be there by accident);
2. UTF-16/32 without one, told by the zero bytes around the first "<";
3. UTF-8, whenever the bytes are valid UTF-8: text in a legacy charset almost never is,
   and servers and feeds mislabel UTF-8 far more often than anything else (a "charset=
   iso-8859-1" header on a UTF-8 feed would otherwise turn every accent into mojibake);
4. the HTTP header's charset, then the XML declaration's: the header wins, as RFC 7303
   says; a label is used only if it decodes the bytes and reads ASCII as ASCII (a body
   labelled utf-16 that is not has no zero bytes: the label is wrong and is passed over);
5. UTF-8 again, with the few bad bytes replaced, if it holds any valid multi-byte sequence;
6. ISO-8859-1, which reads any bytes. Never windows-1252 by guess: it would turn the C1
   controls of a hostile feed into visible punctuation ("\\x9b2J" into "\u203a2J"), and
   the controls are removed with their sequences (clean.py). A feed labelled
   windows-1252 gets its curly quotes.
The XML declaration of the result says UTF-8, so neither parser second-guesses it.
"""

from __future__ import annotations

import codecs
import functools
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ANY_BOM = tuple(bom for bom, _ in _BOMS)
_DECLARATION = re.compile(rb"[ \t\r\n]{0,64}<\?xml[^>]{0,200}?\?>")
_ENCODING = re.compile(rb"""(\sencoding\s*=\s*)(["'])([^"']{0,64})\2""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s"';,]{1,64})""", re.IGNORECASE)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8", "u8"})
# Python codecs that are not charsets a feed may name: they transform text (escapes, IDNA,
# UTF-7's base64 runs), or they are Windows-only or raise by design.
_NOT_CHARSETS = frozenset({
    "unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "undefined",
    "mbcs", "oem", "charmap", "palmos", "unicode-internal",
})
_ASCII_SAMPLE = bytes(range(0x20, 0x7F))


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    if not content_type or not isinstance(content_type, str):
        return None
    m = _CHARSET.search(content_type)
    return m.group(1) if m else None


def to_utf8(data: bytes, content_type: str | None = None) -> bytes:
    """`data` as UTF-8, its XML declaration (if any) saying so. Returns `data` itself when
    it is valid UTF-8 already and declares nothing else (no copy: the usual case)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _as_declared_utf8(data[len(bom):].decode(name, "replace"))
    wide = wide_encoding(data[:64])
    if wide is not None:
        return _as_declared_utf8(data.decode(wide, "replace"))
    if _is_utf8(data):
        return _declaring_utf8(data)
    declared = _declared_encoding(data)
    for label in (header_charset(content_type), declared):
        codec = _codec(label)
        if codec is None:
            continue
        try:
            return _as_declared_utf8(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    text = data.decode("utf-8", "replace")
    if not text.replace("\ufffd", "").isascii():
        return _as_declared_utf8(text)
    return _as_declared_utf8(data.decode("latin-1"))


def declares_utf8(data: bytes) -> bool:
    """Does `data` say it is UTF-8 (or say nothing, which means UTF-8), without a BOM?

    Such bytes can go to expat as they are, unchecked: it refuses any that are not UTF-8
    (overlong forms and encoded surrogates included), and the caller then reads them with
    to_utf8(), whose rules give UTF-8 for every input expat accepts.
    """
    if data.startswith(_ANY_BOM) or wide_encoding(data[:64]):
        return False
    m = _DECLARATION.match(data)
    if m is None:
        return True
    enc = _ENCODING.search(m.group())
    return enc is None or enc.group(3).strip().lower().decode("ascii", "replace") in _UTF8_NAMES


def wide_encoding(head: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by the zero bytes around the first "<" (after any
    whitespace): a character starts at an offset its width divides."""
    at = head.find(b"<")
    if at < 0 or b"\x00" not in head:
        return None
    if at % 4 == 0 and head[at + 1 : at + 4] == b"\x00\x00\x00":
        return "utf-32-le"
    if at % 4 == 3 and head[at - 3 : at] == b"\x00\x00\x00":
        return "utf-32-be"
    if at % 2 == 0 and head[at + 1 : at + 2] == b"\x00":
        return "utf-16-le"
    if at % 2 == 1 and head[at - 1 : at] == b"\x00":
        return "utf-16-be"
    return None


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declared_encoding(data: bytes) -> str | None:
    m = _DECLARATION.match(data)
    if m is None:
        return None
    enc = _ENCODING.search(m.group())
    return enc.group(3).decode("ascii", "replace") if enc else None


@functools.lru_cache(maxsize=64)
def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, if it is one that reads ASCII as ASCII."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except (LookupError, ValueError):
        return None
    if name == "gb2312":
        name = "gb18030"  # what servers mean by it
    if name in _NOT_CHARSETS or name == "utf-8":
        return None  # UTF-8 was tried first
    try:
        if _ASCII_SAMPLE.decode(name) != _ASCII_SAMPLE.decode("ascii"):
            return None  # UTF-16/32, EBCDIC...: not what an ASCII-looking body is in
    except (UnicodeDecodeError, LookupError):
        return None
    return name


def _declaring_utf8(data: bytes) -> bytes:
    """UTF-8 `data` whose declaration names another encoding, rewritten to say UTF-8."""
    m = _DECLARATION.match(data)
    if m is None:
        return data
    enc = _ENCODING.search(m.group())
    if enc is None or enc.group(3).strip().lower().decode("ascii", "replace") in _UTF8_NAMES:
        return data
    declaration = m.group()[: enc.start(3)] + b"utf-8" + m.group()[enc.end(3):]
    return declaration + data[m.end():]


def _as_declared_utf8(text: str) -> bytes:
    return _declaring_utf8(text.encode("utf-8", "replace"))
