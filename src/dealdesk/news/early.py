"""A head start for a refresh: its first requests leave before asyncio and httpx are loaded.

Why: a refresh process spends its first ~70 ms importing asyncio, httpx and the refresh
code, and until then no request can go out. Here, with the socket module alone, each due
feed's GET is sent at once (plain http) or its connection opened (https: TLS is left to
asyncio), so the servers are already answering while Python loads the rest.

FeedTransport then takes each connection over, and only for a request equal to the one
sent: same origin, target and headers (their order aside). Anything else, a connection
that failed, or one not ready in time, is closed, and the transport does it the ordinary
way. A head start can make a refresh faster, never different.

Not attempted: feeds reached through a proxy from the environment (httpx routes those),
URLs that carry credentials or characters httpx would rewrite, and feeds beyond the first
wave fetch_all starts: at most `concurrency` in all and `per_host` to one host
(hosts.first_wave, the rule hosts.Gate follows), so a host never gets more from here.
Known limit: should another process refresh in the ~70 ms between this plan and the
refresh's own reading of the store, a request sent here may not be the refresh's, and a
host may then briefly see it on top of the refresh's own wave.
Host names are looked up in threads, one per host, so a slow DNS server never holds up
the start.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import time
from _thread import allocate_lock
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from ..model import FeedSpec, FetchLimits
from ..text.feedurl import parse_feed_url
from .hosts import first_wave, url_host_key
from .wire import feed_headers

Origin = tuple[str, str, int]
Headers = tuple[tuple[bytes, bytes], ...]
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")
_MAX_LOOKUPS = 8  # threads, one per named host; feeds on further hosts start the usual way
_VISIBLE_ASCII = frozenset(range(0x21, 0x7F))
_HEADER_VALUE = frozenset(range(0x20, 0x7F))  # printable ASCII: what h11 sends unchanged
_STEP = 0.05  # seconds a lookup thread waits on its connections before looking again
_GLANCE = 0.005  # seconds the main thread waits for connections to an address it was given
# (host, port), or (host, port, flowinfo, scope_id) for IPv6, as getpeername() gives it.
SockAddr = tuple[str | int, ...]


class _Request:
    __slots__ = ("origin", "target", "headers", "payload", "sock", "sent", "claimed")

    def __init__(self, origin: Origin, target: bytes, headers: Headers, payload: bytes):
        self.origin = origin
        self.target = target
        self.headers = headers
        self.payload = payload  # empty for https: only the connection is made here
        self.sock: socket.socket | None = None
        self.sent = False
        self.claimed = False  # by the transport, or by close(): nobody else touches it then


class HeadStart:
    """Connections opened, and requests sent, ahead of the event loop."""

    def __init__(self, requests: Sequence[_Request] = ()) -> None:
        self._requests = list(requests)
        # Shared by the lookup threads and the event loop's thread. (_thread: threading is
        # imported only for a host name to look up.)
        self._lock = allocate_lock()

    def __len__(self) -> int:
        return len(self._requests)

    def take(
        self, origin: Origin, method: str, target: bytes, headers: Sequence[tuple[bytes, bytes]]
    ) -> tuple[socket.socket, bool] | None:
        """The socket opened for this request, and whether the request is already on it."""
        with self._lock:
            for request in self._requests:
                if request.claimed or request.origin != origin or request.target != target:
                    continue
                request.claimed = True
                sock, request.sock = request.sock, None
                if sock is None:
                    return None  # its lookup or connection failed, or is not done yet
                if request.sent and (method != "GET" or _canonical(headers) != request.headers):
                    sock.close()  # the request it carries is not this one
                    return None
                return sock, request.sent
        return None

    def close(self) -> None:
        """Close whatever the transport did not take. Safe to call more than once."""
        with self._lock:
            for request in self._requests:
                request.claimed = True
                if request.sock is not None:
                    request.sock.close()
                    request.sock = None

    def sent(self) -> int:
        """How many requests are on the wire, waiting for the transport to read the answer."""
        with self._lock:
            return sum(1 for r in self._requests if r.sent and not r.claimed)

    def _begin(self, connect_timeout: float) -> None:
        by_host: dict[tuple[str, int], list[_Request]] = {}
        for request in self._requests:
            by_host.setdefault(request.origin[1:], []).append(request)
        lookups = 0
        for (host, port), requests in by_host.items():
            family = _ip_family(host)
            if family is not None:
                # An address already: connect here and now, and send on whatever connects
                # within a glance (all of them, on a LAN); the transport sees to the rest.
                self._open(requests, family, (host, port), _GLANCE)
            elif lookups < _MAX_LOOKUPS:
                import threading

                lookups += 1
                threading.Thread(
                    target=self._look_up_and_open, args=(host, port, requests, connect_timeout),
                    name="dealdesk-early", daemon=True,
                ).start()

    def _look_up_and_open(
        self, host: str, port: int, requests: list[_Request], timeout: float
    ) -> None:
        first, rest = requests[0], requests[1:]
        try:
            # One connection the slow way finds the address that answers (IPv6 or 4)...
            sock = socket.create_connection((host, port), timeout)
        except (OSError, UnicodeError):
            return  # the transport's own attempt will say what is wrong, in the usual words
        family, address = sock.family, sock.getpeername()
        sock.setblocking(False)
        with self._lock:
            if first.claimed:
                sock.close()
            else:
                first.sock = sock
                _send(first)
        # ...and the other feeds of the host connect to it all at once.
        self._open(rest, family, address, timeout)

    def _open(self, requests: list[_Request], family: int, address: SockAddr, wait: float) -> None:
        selector = selectors.DefaultSelector()
        try:
            with self._lock:
                for request in requests:
                    if not request.claimed:
                        sock = _connect(family, address)
                        if sock is not None:
                            request.sock = sock
                            selector.register(sock, selectors.EVENT_WRITE, request)
            deadline = time.monotonic() + wait
            while selector.get_map():
                # In short steps: a request the transport has taken is no longer waited for.
                ready = selector.select(min(_STEP, max(0.0, deadline - time.monotonic())))
                with self._lock:
                    for key, _ in ready:
                        selector.unregister(key.fileobj)
                        _send(key.data)
                    if all(r.claimed for r in requests) or time.monotonic() >= deadline:
                        break
        finally:
            selector.close()


def _connect(family: int, address: SockAddr) -> socket.socket | None:
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return None
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        code = sock.connect_ex(address)
    except OSError:
        code = -1
    if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK):
        sock.close()
        return None
    return sock


def _send(request: _Request) -> None:
    """Once connected: send the request, unless the transport took the socket meanwhile."""
    sock = request.sock
    if request.claimed or sock is None:
        return
    try:
        failed = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0
        # A request is a few hundred bytes: a new connection's buffer takes it whole, and a
        # part sent could not be finished by the transport, so a short send counts as failed.
        if not failed and request.payload:
            failed = sock.send(request.payload) != len(request.payload)
    except OSError:
        failed = True
    if failed:
        sock.close()
        request.sock = None
    else:
        request.sent = bool(request.payload)


def start(
    specs: Sequence[FeedSpec],
    validators: Mapping[str, tuple[str | None, str | None]],
    limits: FetchLimits,
) -> HeadStart:
    """Open the way for the feeds fetch_all will start first, within both of its limits."""
    if _proxied():
        return HeadStart()
    planned = []
    wave = first_wave(specs, (url_host_key(spec.url) for spec in specs), limits.concurrency,
                      limits.per_host)
    for spec in wave:
        etag, last_modified = validators.get(spec.name, (None, None))
        request = _plan(spec.url, feed_headers(limits.user_agent, etag, last_modified))
        if request is not None:
            planned.append(request)
    head_start = HeadStart(planned)
    head_start._begin(limits.connect_timeout_s)
    return head_start


def from_store(
    specs: Sequence[FeedSpec],
    store_path: Path,
    limits: FetchLimits,
    now: datetime,
    force: bool,
    respect_interval: bool,
) -> HeadStart:
    """start() for the feeds a refresh of this store will find due, with their validators.

    run_refresh reads both again in its store thread (a millisecond): what it finds there is
    what counts, should another process have refreshed a feed in between, and a request
    planned here from older validators is then simply not taken over.
    """
    import sqlite3

    from ..store import Store, StoreError

    try:
        with Store.open(store_path) as store:
            due = store.due_feeds(specs, now, limits.refresh_minutes, force, respect_interval,
                                  limits.backoff_max_minutes)
            validators = store.validators()
    except (StoreError, sqlite3.Error):
        return HeadStart()  # the refresh opens the store again and reports what is wrong
    return start(due, validators, limits)


def _plan(url: str, headers: Mapping[str, str]) -> _Request | None:
    """The request as httpx will send it, or None where it could differ."""
    try:
        # The fetcher's own reading: a URL it would refuse is never sent from here.
        parsed = parse_feed_url(url)
    except ValueError:
        return None
    if parsed.has_userinfo:
        return None  # httpx turns it into an Authorization header
    lines = [("Host", parsed.host_header), ("Connection", "keep-alive"), *headers.items()]
    try:
        raw = [(name.encode("ascii"), value.encode("ascii")) for name, value in lines]
    except UnicodeError:
        return None  # httpx would refuse it: leave it to httpx
    if any(not _VISIBLE_ASCII.issuperset(name) or not _HEADER_VALUE.issuperset(value)
           for name, value in raw):
        return None
    wire_target = parsed.target.encode("ascii")
    payload = b""
    if parsed.scheme == "http":
        payload = b"GET %s HTTP/1.1\r\n%b\r\n" % (
            wire_target, b"".join(b"%s: %s\r\n" % pair for pair in raw)
        )
    origin = (parsed.scheme, parsed.host, parsed.port)
    return _Request(origin, wire_target, _canonical(raw), payload)


def _canonical(headers: Sequence[tuple[bytes, bytes]]) -> Headers:
    return tuple(sorted((name.lower(), value) for name, value in headers))


def _ip_family(host: str) -> int | None:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return family
    return None


def _proxied() -> bool:
    return any(
        value for name, value in os.environ.items() if name.lower() in _PROXY_VARIABLES
    )
