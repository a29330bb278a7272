"""Links from feeds -> absolute http(s) URLs that go where they say, or None."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import SplitResult, quote, urljoin, urlsplit

from .clean import _OnFirstUse
from .invisible import BLANK_LOOKING, classes, has_long_marks

_URL_WHITESPACE = _OnFirstUse("[\t\n\r]")  # WHATWG URL parsing drops these inside a URL
# Whitespace and what looks like it (Hangul fillers, the Braille blank): percent-encoded.
_URL_SPACE = _OnFirstUse("[\\s" + "".join(map(chr, sorted(BLANK_LOOKING))) + "]")


# The usual case, an absolute URL with a plain host name (no user, no port), needs none of
# urllib's work; with its scheme in lower case (matching without IGNORECASE: twice as fast),
# none at all.
_PLAIN = r"https?://[A-Za-z0-9.-]+(?:[/?#][!-~]*)?"
# A host name once in ASCII (IDNA): letters, digits, "-" and "_" in dot-separated labels.
_ASCII_HOST = _OnFirstUse(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
_PLAIN_ABSOLUTE_LOWER = _OnFirstUse(_PLAIN)
_PLAIN_ABSOLUTE = _OnFirstUse(_PLAIN, re.IGNORECASE)


def clean_link(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL, or None.

    Relative URLs are resolved against `base` (the feed's URL or xml:base); anything that
    does not end up as http or https with a host (javascript:, data:, file:, mailto:...)
    is refused, so the dashboard only ever offers web links. So is a link whose authority
    could mislead a reader: user info ("http://openai.com@evil.example/" goes to
    evil.example), a control or invisible character in the host, a host that is no host
    name (IDN is fine: it must pass IDNA), a port out of range. Invisible characters
    elsewhere are removed.
    """
    if not isinstance(url, str):
        return None
    if len(url) <= 4096:
        if _PLAIN_ABSOLUTE_LOWER.fullmatch(url):
            return url
        if _PLAIN_ABSOLUTE.fullmatch(url):
            return url[:5].lower() + url[5:]
    try:
        candidate = _visible_url(url)
        if not candidate or len(candidate) > 4096:
            return None
        if base:
            clean_base = _visible_url(base)
            if clean_base:
                candidate = urljoin(clean_base, candidate)
        parts = urlsplit(candidate)
        if parts.scheme.lower() not in ("http", "https") or not _trusted_authority(parts):
            return None
        # Whitespace left inside (a space, VT, FF, NBSP, U+2028...) is percent-encoded, as a
        # browser would: a link never holds a character that moves the cursor or splits it,
        # nor one that looks like a space.
        encoded: str = _URL_SPACE.sub(lambda m: quote(m.group(), safe=""), candidate)
        if not encoded.isascii():
            encoded = _marks_capped(encoded)
        return parts.scheme.lower() + encoded[len(parts.scheme) :]
    except (ValueError, TypeError):  # e.g. "http://[::1" (bad IPv6 literal)
        return None


def _marks_capped(url: str) -> str:
    """A pile of combining marks in a path shows as one on screen: the marks past the caps
    of invisible.py are percent-encoded (the same URL, as a browser sends it)."""
    c = classes()
    if not has_long_marks(c, url):
        return url

    def encode_excess(m: re.Match[str]) -> str:
        return m.group(1) + quote(m.group()[len(m.group(1)) :], safe="")

    return str(c.mark_run.sub(encode_excess, c.nonspacing_run.sub(encode_excess, url)))


def _visible_url(url: str) -> str | None:
    """`url` without tab, CR, LF (as WHATWG parsing drops them) and invisible characters;
    None if its authority held a control, a space or an invisible or blank character."""
    url = _URL_WHITESPACE.sub("", url).strip()
    c = classes()
    netloc = urlsplit(url).netloc
    if netloc and (
        not netloc.isprintable() or " " in netloc
        or c.removed_or_joiner.search(netloc) or c.blank.search(netloc)
    ):
        return None
    return c.removed_or_joiner.sub("", url).strip()


def _trusted_authority(parts: SplitResult) -> bool:
    """A host name or IP address, no user info, a port in range (else ValueError)."""
    host = parts.hostname
    if not host or "@" in parts.netloc:
        return False
    parts.port  # noqa: B018  # raises ValueError when out of range or not a number
    if parts.netloc.startswith("["):
        return _is_ip_address(host)
    if not host.isascii():
        if has_long_marks(classes(), host):  # a pile of accents: no name reads like that
            return False
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    return _ASCII_HOST.fullmatch(host) is not None


def _is_ip_address(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return False
    return True


_PLAIN_ABSOLUTE_LINES = re.compile(f"{_PLAIN}(?:\n{_PLAIN})*")


def clean_links(
    urls: Sequence[str | None], bases: Sequence[str | None], default_base: str | None = None
) -> list[str | None]:
    """[clean_link(u, b or default_base) if u else None for u, b in zip(urls, bases)], faster."""
    present = [url for url in urls if url]
    try:
        # One line per URL, and no URL of _PLAIN holds a "\n": one match says it of them all,
        # once the count of "\n" shows that none of them brought one of its own.
        joined = "\n".join(present)
        if not present or (
            max(map(len, present)) <= 4096
            and joined.count("\n") == len(present) - 1
            and _PLAIN_ABSOLUTE_LINES.fullmatch(joined)
        ):
            return [url or None for url in urls]
    except TypeError:  # not all str
        pass
    return [
        clean_link(url, base or default_base) if url else None for url, base in zip(urls, bases)
    ]
