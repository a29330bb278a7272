"""A real HTTP server on 127.0.0.1 for the fetch and refresh tests.

Routes are registered per test: static feeds with validators, latency, any status,
trickles, huge bodies, gzip bombs, redirect loops and connections reset mid-body.
Every misbehaviour is bounded (bytes, time) so a test that fails cannot hang the suite.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    kind: str = "static"  # static | status | trickle | huge | gzip_bomb | redirect | reset
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay_s: float = 0.0
    retry_after: str | None = None
    location: str | None = None
    interval_s: float = 0.05  # trickle: one byte per interval
    max_bytes: int = 200  # trickle/huge: stop after this many bytes whatever happens
    send_length: bool = True  # huge: announce Content-Length or not
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small writes (trickle, headers) go out at once
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean

    def do_GET(self) -> None:
        host = self.connection.getsockname()[0]  # 127.0.0.2 and so on stand for other hosts
        self.server.tally.enter(host)
        try:
            self._get()
        finally:
            self.server.tally.leave(host)

    def _get(self) -> None:
        self.server.seen.append(
            SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
        )
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self._send(404, b"no such route", "text/plain")
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        getattr(self, f"_serve_{route.kind}")(route)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _serve_static(self, route: Route) -> None:
        validators = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        etag_match = route.etag and self.headers.get("If-None-Match") == route.etag
        date_match = (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
        )
        if etag_match or date_match:
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(route.status, route.body, route.content_type, {**validators, **route.headers})

    def _serve_status(self, route: Route) -> None:
        headers = dict(route.headers)
        if route.retry_after is not None:
            headers["Retry-After"] = route.retry_after
        self._send(route.status, route.body, "text/plain", headers)

    def _serve_redirect(self, route: Route) -> None:
        self._send(route.status if route.status in (301, 302, 303, 307, 308) else 302, b"",
                   "text/plain", {"Location": route.location or "/"})

    def _serve_trickle(self, route: Route) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(route.max_bytes))
        self.end_headers()
        self.wfile.flush()
        for _ in range(route.max_bytes):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(route.interval_s)

    def _serve_huge(self, route: Route) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        if route.send_length:
            self.send_header("Content-Length", str(route.max_bytes))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"<!-- filler -->" * 4096
        sent = 0
        while sent < route.max_bytes:
            piece = chunk[: route.max_bytes - sent]
            self.wfile.write(piece)
            sent += len(piece)

    def _serve_gzip_bomb(self, route: Route) -> None:
        self._send(200, self.server.bomb(route.max_bytes), route.content_type,
                   {"Content-Encoding": "gzip"})

    def _serve_reset(self, route: Route) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body) * 4 + 1))
        self.end_headers()
        self.wfile.write(route.body)
        self.wfile.flush()
        time.sleep(0.05)  # let the client start reading the body before the reset
        # SO_LINGER with a zero timeout turns close() into a TCP RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


class Tally:
    """Requests being answered at once, per loopback address, and the most ever seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.started: list[tuple[float, str]] = []  # (monotonic time, address)

    def enter(self, host: str) -> None:
        with self._lock:
            self.now[host] = self.now.get(host, 0) + 1
            self.peak[host] = max(self.peak.get(host, 0), self.now[host])
            self.started.append((time.monotonic(), host))

    def leave(self, host: str) -> None:
        with self._lock:
            self.now[host] -= 1

    def most_at_once(self) -> int:
        with self._lock:
            return max(self.peak.values(), default=0)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs when many feeds connect at once, and
    # the kernel retries them a second later: that would make concurrency look serial.
    request_queue_size = 128

    def __init__(self, address: str = "127.0.0.1", sibling: _Server | None = None) -> None:
        super().__init__((address, 0), _Handler)
        # Siblings on other loopback addresses serve the same routes and share the records.
        self.routes: dict[str, Route] = sibling.routes if sibling else {}
        self.seen: list[SeenRequest] = sibling.seen if sibling else []
        self.tally: Tally = sibling.tally if sibling else Tally()
        self._bombs: dict[int, bytes] = {}

    def bomb(self, size: int) -> bytes:
        if size not in self._bombs:
            self._bombs[size] = gzip.compress(b"\0" * size, compresslevel=9)
        return self._bombs[size]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on trickles and bombs is the expected case here


class FeedServer:
    def __init__(self, server: _Server):
        self._server = server
        self.port = server.server_address[1]
        self.tally = server.tally
        self._siblings: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []

    def url_on(self, address: str, path: str) -> str:
        """`path` served from another loopback address (127.0.0.2 ...), standing for another
        host: Linux routes all of 127/8 to lo. Its server starts on first use."""
        if address == "127.0.0.1":
            return self.url(path)
        if address not in self._siblings:
            sibling = self._siblings[address] = _Server(address, self._server)
            thread = threading.Thread(target=sibling.serve_forever,
                                      kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return f"http://{address}:{self._siblings[address].server_address[1]}{path}"

    def stop_siblings(self) -> None:
        for sibling in self._siblings.values():
            sibling.shutdown()
            sibling.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, route: Route | None = None, **fields: object) -> str:
        """Register `route` (or a Route built from `fields`) at `path`; returns its URL."""
        self._server.routes[path] = route or Route(**fields)  # type: ignore[arg-type]
        return self.url(path)

    def requests(self, path: str | None = None) -> list[SeenRequest]:
        return [r for r in self._server.seen if path is None or r.path == path]


def _clear_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours proxy variables; a CI proxy must not see (or swallow) loopback requests.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """For loopback tests that do not use feed_server (e.g. a closed port)."""
    _clear_proxies(monkeypatch)


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    """Self-contained on purpose: other test modules import only this name."""
    _clear_proxies(monkeypatch)
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    feeds = FeedServer(server)
    try:
        yield feeds
    finally:
        feeds.stop_siblings()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss(items: list[dict[str, str]], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; each dict gives title, link, guid, pubDate, description."""
    from xml.sax.saxutils import escape

    parts = []
    for item in items:
        fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title>{''.join(parts)}</channel></rss>"
    ).encode()


def finishes_within(seconds: float, fn, *args):
    """fn(*args) from a daemon thread: a regression to catastrophic backtracking or a
    quadratic scan fails the test instead of hanging the suite."""
    box: list = []

    def run() -> None:
        try:
            box.append(("ok", fn(*args)))
        except BaseException as exc:  # handed to the test thread below
            box.append(("raised", exc))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert box, f"still running after {seconds} s"
    outcome, value = box[0]
    if outcome == "raised":
        raise value
    return value
