"""The one reading of a feed URL: what `check` accepts is exactly what a refresh fetches.

`dealdesk check`, the head start (news/early.py) and the fetcher (news/fetch.py, on every
hop) all call parse_feed_url, so a URL is never accepted by one and refused or rewritten by
another. Python's urlsplit is not that reader: it silently drops tabs and newlines, and
reads port 99999 happily, while httpx refuses the first and asyncio fails on the second.

The rules are stricter than httpx's, never looser (tests/test_trust_fetch.py checks that
httpx builds the very host, port and target read here for every URL accepted): only
printable ASCII without spaces, so nothing is percent-encoded, IDNA-encoded or normalised
behind our back; what a user would need to write differently gets a message saying how.
Standard library only, and cheap: the head start reads URLs before httpx is imported.
"""

from __future__ import annotations

import re

MAX_URL_LENGTH = 4096
DEFAULT_PORTS = {"http": 80, "https": 443}

_UNRESERVED = r"A-Za-z0-9._~\-"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
# Compiled on first use (see _patterns): the head start reads URLs while the refresh is
# still starting, and six compilations cost it more than a millisecond.
_SOURCES = {
    "url": (r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)"
            r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?"),
    # Characters httpx sends as they are (its PATH_SAFE / QUERY_SAFE less what it would
    # quote); a "%" only as the start of an escape.
    "path": rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@/\[\]\\^|]|{_PCT})*",
    "query": rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@/?\[\]\\^|`{{}}]|{_PCT})*",
    "userinfo": rf"(?:[{_UNRESERVED}!$&'()*+,:]|{_PCT})*",  # httpx quotes ; and =
    "label": r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?",
    "ipv4": r"[0-9]+(?:\.[0-9]+){3}",
    "octet": r"0|[1-9][0-9]{0,2}",
}
_compiled: dict[str, re.Pattern[str]] = {}


def _patterns() -> dict[str, re.Pattern[str]]:
    if not _compiled:
        _compiled.update((k, re.compile(v, re.DOTALL)) for k, v in _SOURCES.items())
    return _compiled


class FeedURL:
    """A feed URL as it goes on the wire. (A plain class: typing.NamedTuple would import
    typing ahead of the head start's first request.)"""

    __slots__ = ("scheme", "host", "port", "explicit_port", "target", "has_userinfo")

    def __init__(self, scheme: str, host: str, port: int, explicit_port: bool, target: str,
                 has_userinfo: bool) -> None:
        self.scheme = scheme  # http | https
        self.host = host  # lower case (an IPv6 address as written, without its brackets)
        self.port = port  # the port connected to
        self.explicit_port = explicit_port  # not the default: part of the Host header
        self.target = target  # path ("/" when empty) and query, as in the request line
        self.has_userinfo = has_userinfo

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FeedURL) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"FeedURL({fields})"

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.explicit_port else host


def parse_feed_url(url: object) -> FeedURL:
    """The URL read as the fetcher reads it; ValueError with a one-line reason if it cannot
    be fetched as written."""
    if not isinstance(url, str):
        raise ValueError("not a string")
    if not url:
        raise ValueError("empty URL")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"longer than {MAX_URL_LENGTH:,} characters")
    for position, char in enumerate(url, start=1):
        if not "\x21" <= char <= "\x7e":
            raise ValueError(f"{_describe(char)} at position {position}; {_advice(char)}")
    patterns = _patterns()
    match = patterns["url"].fullmatch(url)
    if match is None:
        raise ValueError(f"not an http(s) URL: {url!r}")
    scheme = match["scheme"].lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    userinfo, at, hostport = match["authority"].rpartition("@")
    if at and not patterns["userinfo"].fullmatch(userinfo):
        raise ValueError("user name or password holds a character to percent-encode")
    host, port, port_given = _host_and_port(hostport, scheme)
    # httpx leaves a default port out of the Host header only for a lower-case scheme
    explicit = port_given and (port != DEFAULT_PORTS[scheme] or match["scheme"] != scheme)
    path, query = match["path"], match["query"]
    if path and not path.startswith("/"):  # cannot happen after "//authority"; kept explicit
        raise ValueError("path must start with /")
    if not patterns["path"].fullmatch(path):
        raise ValueError("path holds a character to percent-encode (or a bad % escape)")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError("path holds a . or .. segment; write the path it leads to")
    if query is not None and not patterns["query"].fullmatch(query):
        raise ValueError("query holds a character to percent-encode (or a bad % escape)")
    target = (path or "/") + ("" if query is None else f"?{query}")
    return FeedURL(scheme, host, port, explicit, target, bool(userinfo))


def _host_and_port(hostport: str, scheme: str) -> tuple[str, int, bool]:
    """The host, the port connected to, and whether a port was written."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ValueError("IPv6 address without its closing ]")
        host, rest = hostport[1:end], hostport[end + 1:]
        if not _is_ipv6(host):
            raise ValueError(f"not an IPv6 address: {host!r}")  # kept as written, as httpx does
    else:
        host, colon, port_text = hostport.partition(":")
        rest = colon + port_text
        host = host.lower()
        if not host:
            raise ValueError("no host name")
        patterns = _patterns()
        if patterns["ipv4"].fullmatch(host):
            octet = patterns["octet"]
            if not all(octet.fullmatch(o) and int(o) <= 255 for o in host.split(".")):
                raise ValueError(f"not an IPv4 address: {host!r}")
        elif len(host) > 253 or not all(
            patterns["label"].fullmatch(label) for label in host.split(".")
        ):
            raise ValueError(
                f"not a host name: {host!r} (letters, digits, - and dots; "
                "write an international name in its xn-- form)"
            )
    if not rest:
        return host, DEFAULT_PORTS[scheme], False
    if not rest.startswith(":") or not rest[1:].isdigit() or not rest[1:].isascii():
        raise ValueError(f"not a port: {rest[1:]!r}" if rest.startswith(":") else
                         "unexpected text after the host")
    digits = rest[1:]
    port = int(digits) if len(digits) <= 5 else 0
    if not 1 <= port <= 65535:
        raise ValueError(f"port {digits} is out of range (1-65535)")
    return host, port, True


def _is_ipv6(host: str) -> bool:
    import ipaddress  # rare: only for a bracketed address

    if not host or host.strip("0123456789abcdefABCDEF:.") != "":  # no zone id (%25eth0)
        return False
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


def _describe(char: str) -> str:
    if char == " ":
        return "a space"
    if char in "\t\r\n":
        return {"\t": "a tab", "\r": "a carriage return", "\n": "a line break"}[char]
    if _invisible(char):
        return f"a control or invisible character (U+{ord(char):04X})"
    return f"the non-ASCII character U+{ord(char):04X}"


def _advice(char: str) -> str:
    if char == " ":
        return "write it %20, or remove it if it is not part of the URL"
    if _invisible(char):
        return "remove it"
    return "percent-encode it in the path, or write the host in its xn-- form"


def _invisible(char: str) -> bool:
    import unicodedata  # only to word an error

    return unicodedata.category(char)[0] in "CZ"
