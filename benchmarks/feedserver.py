"""A loopback RSS server for the benchmarks: N feeds of M items, a fixed delay on every response.

Where: 127.0.0.1 and, with --hosts N, N more loopback addresses (loopback_addresses(N):
127.0.0.2, 127.0.0.3, ...; on Linux all of 127.0.0.0/8 is routed to lo), all on one port, so
that each feed can have a host of its own as on the internet. One listening socket per
address, all served by one thread through a selector; never 0.0.0.0 (loopback only).

Routes (the same on every address):
  /feed/<i>.xml    feed i, the same bytes on every request, with an ETag and a Last-Modified;
                   a request carrying either validator gets a bodiless 304.
  /churn/<i>.xml   feed i with new items on every request (a new ETag each time): each refresh
                   parses and stores M new items. For the responsiveness run.
  /stats           JSON: {"status": responses sent by status, "max_in_flight": for each
                   address that received feed requests, the most it was answering at once,
                   "first_request": time.monotonic() of the first feed request or null};
                   /stats?reset=1 zeroes them after answering.
A feed request is in flight from its request line read to its response written. Every
feed response waits `delay` seconds first (`churn_delay` for /churn). Nagle is off
(`disable_nagle_algorithm`): without it a response written in two pieces waits ~40 ms for the
client's delayed ACK, which would swamp the differences being measured.

Run standalone (the benchmark does, so that serving never competes for the GIL of the
process doing the measuring):
    python benchmarks/feedserver.py --feeds 50 --items 50 --delay 0.2 --hosts 50
It prints `port <N>` on its first line of stdout, then serves until stdin closes or
--max-seconds pass (a bound, so a crashed benchmark never leaves it running).
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import resource
import selectors
import socketserver
import sys
import threading
import time
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

EPOCH = datetime(2025, 9, 23, 8, 0, tzinfo=UTC)

# Words the dashboard tags and figures its signal finder picks up, so tagging and signals do
# their real work on these items.
_SUBJECTS = ["Nvidia", "OpenAI", "Oracle", "Microsoft", "AMD", "Broadcom", "CoreWeave"]
_FIGURES = ["$100 billion", "10 GW", "700 million weekly users", "$300 billion", "6 gigawatts"]
_FILLER = (
    "Analysts said the agreement, which is structured in tranches released as each gigawatt "
    "of capacity comes online, ties the build-out to power and chip supply through 2026. "
    "The companies did not disclose the terms of the later phases; filings are expected "
    "next quarter, and regulators in several countries are reviewing the arrangement."
)


def item_xml(feed: int, n: int, generation: int = 0) -> str:
    """One RSS item; its description is about 500 bytes of escaped HTML."""
    subject = _SUBJECTS[(feed + n) % len(_SUBJECTS)]
    other = _SUBJECTS[(feed + n + 1 + n % (len(_SUBJECTS) - 1)) % len(_SUBJECTS)]
    figure = _FIGURES[(feed * 7 + n) % len(_FIGURES)]
    when = EPOCH + timedelta(minutes=feed * 97 + n * 13 + generation * 5)
    guid = f"bench-{feed}-{generation}-{n}"
    html = (
        f"<p>{subject} and {other} expand their partnership: {figure} over the next phase "
        f"(story {n} of feed {feed}). <b>{_FILLER}</b> "
        f'<a href="https://news.example.com/{feed}/{generation}/{n}">Read more</a></p>'
    )
    return (
        "<item>"
        f"<title>{escape(f'{subject} and {other}: {figure}, update {n}.{generation}')}</title>"
        f"<link>https://news.example.com/{feed}/{generation}/{n}.html</link>"
        f'<guid isPermaLink="false">{guid}</guid>'
        f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
        f"<description>{escape(html)}</description>"
        "</item>"
    )


def feed_xml(feed: int, items: int, generation: int = 0) -> bytes:
    body = "".join(item_xml(feed, n, generation) for n in range(items))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Bench feed {feed}</title><link>https://news.example.com/{feed}/</link>"
        f"<description>Loopback benchmark feed {feed}</description>{body}</channel></rss>"
    ).encode()


def loopback_addresses(n: int) -> list[str]:
    """n loopback addresses after 127.0.0.1, skipping those ending in .0 or .255 (some
    tools take them for network or broadcast addresses)."""
    out: list[str] = []
    value = int(ipaddress.IPv4Address("127.0.0.2"))
    while len(out) < n:
        address = ipaddress.IPv4Address(value)
        if address not in ipaddress.IPv4Network("127.0.0.0/8"):
            raise ValueError(f"{n} addresses do not fit in 127.0.0.0/8")
        if address.packed[-1] not in (0, 255):
            out.append(str(address))
        value += 1
    return out


class FeedState:
    """What every listening socket serves and counts, shared by all of them."""

    def __init__(self, n_feeds: int, n_items: int, delay: float, churn_delay: float) -> None:
        self.n_feeds, self.n_items = n_feeds, n_items
        self.delay, self.churn_delay = delay, churn_delay
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.first_request: float | None = None
        self.generation: dict[int, int] = {}
        stamp = format_datetime(EPOCH + timedelta(days=1), usegmt=True)
        self.static = []
        for i in range(n_feeds):
            body = feed_xml(i, n_items)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            self.static.append((body, etag, stamp))

    def stats(self, reset: bool) -> bytes:
        with self.lock:
            body = json.dumps({"status": self.counts, "max_in_flight": self.max_in_flight,
                               "first_request": self.first_request}).encode()
            if reset:
                self.counts, self.max_in_flight, self.first_request = {}, {}, None
        return body

    def begin(self, host: str) -> None:
        with self.lock:
            if self.first_request is None:
                self.first_request = time.monotonic()
            now = self.in_flight[host] = self.in_flight.get(host, 0) + 1
            if now > self.max_in_flight.get(host, 0):
                self.max_in_flight[host] = now

    def end(self, host: str) -> None:
        with self.lock:
            self.in_flight[host] -= 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: FeedHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        path, _, query = self.path.partition("?")
        srv = self.server.state
        if path == "/stats":
            self._send(200, srv.stats("reset=1" in query), "application/json")
            return
        # Counted by the address the request came to: one address is one server here.
        host = self.connection.getsockname()[0]
        srv.begin(host)
        try:
            self._feed(path, srv)
        finally:
            srv.end(host)

    def _feed(self, path: str, srv: FeedState) -> None:
        kind, _, name = path.strip("/").partition("/")
        try:
            index = int(name.removesuffix(".xml"))
        except ValueError:
            index = -1
        if kind not in ("feed", "churn") or not 0 <= index < srv.n_feeds:
            self._count(404)
            self._send(404, b"no such feed", "text/plain")
            return
        time.sleep(srv.churn_delay if kind == "churn" else srv.delay)
        if kind == "churn":
            with srv.lock:
                srv.generation[index] = srv.generation.get(index, 0) + 1
                generation = srv.generation[index]
            body = feed_xml(index, srv.n_items, generation)
            etag = f'"churn-{index}-{generation}"'
            self._count(200)
            self._send(200, body, "application/rss+xml; charset=utf-8", {"ETag": etag})
            return
        body, etag, last_modified = srv.static[index]
        if (self.headers.get("If-None-Match") == etag
                or self.headers.get("If-Modified-Since") == last_modified):
            self._count(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self._count(200)
        self._send(200, body, "application/rss+xml; charset=utf-8",
                   {"ETag": etag, "Last-Modified": last_modified})

    def _count(self, status: int) -> None:
        state = self.server.state
        with state.lock:
            key = str(status)
            state.counts[key] = state.counts.get(key, 0) + 1

    def _send(self, status: int, body: bytes, ctype: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class FeedHTTPServer(ThreadingHTTPServer):
    """One listening socket (one address); requests are handled in a thread each."""

    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops SYNs when 50 feeds connect at once; the kernel resends
    # them a second later, which would look like a slow client.
    request_queue_size = 256

    def __init__(self, state: FeedState, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.state = state

    def server_bind(self) -> None:
        # HTTPServer's own looks the address up in DNS (getfqdn): ~50 ms per address.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up early is not the server's problem here


def listen(state: FeedState, hosts: int, port: int = 0) -> list[FeedHTTPServer]:
    """127.0.0.1 and `hosts` more loopback addresses on one port (the first free one found
    on 127.0.0.1 when `port` is 0; tried again on another should an address have it taken)."""
    for _ in range(20):
        servers = [FeedHTTPServer(state, "127.0.0.1", port)]
        chosen = servers[0].server_address[1]
        try:
            for address in loopback_addresses(hosts):
                servers.append(FeedHTTPServer(state, address, chosen))
        except OSError:
            for server in servers:
                server.server_close()
            if port:
                raise
            continue
        return servers
    raise OSError("no port free on every loopback address")


def serve(servers: list[FeedHTTPServer], stop: threading.Event) -> None:
    """Accept on every socket from one thread (a thread per socket would be 500 pollers)."""
    with selectors.DefaultSelector() as selector:
        for server in servers:
            selector.register(server, selectors.EVENT_READ, server)
        while not stop.is_set():
            for key, _ in selector.select(0.05):
                key.data._handle_request_noblock()


def _raise_file_limit() -> None:
    # A socket per address plus one per connection: 500 hosts need more than the usual 1024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--churn-delay", type=float, default=1.0)
    parser.add_argument("--hosts", type=int, default=0,
                        help="loopback addresses to serve on besides 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args(argv)
    _raise_file_limit()
    state = FeedState(args.feeds, args.items, args.delay, args.churn_delay)
    servers = listen(state, args.hosts, args.port)
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(servers, stop), daemon=True)
    thread.start()
    print(f"port {servers[0].server_address[1]}", flush=True)

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read1(4096):  # EOF when the parent goes away
                pass
        except (OSError, ValueError):
            pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    deadline = time.monotonic() + args.max_seconds
    while thread.is_alive() and time.monotonic() < deadline:
        thread.join(0.5)
    stop.set()
    thread.join(5)
    for server in servers:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
