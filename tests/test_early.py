"""The head start (news/early.py): requests sent before the event loop, taken over by it.

Against real servers on 127.0.0.1: what the server receives is the proof. A request sent
early and taken over is received once; one that does not match what the refresh would
send is never used, whatever the server answered; a connection that fails early is made
again the ordinary way. tests/data/tls holds a self-signed certificate for 127.0.0.1 and
localhost, made for these tests only.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from pathlib import Path

import httpx
import pytest

from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news import early
from dealdesk.news.fetch import fetch_feed, make_client
from dealdesk.news.refresh import run_refresh
from dealdesk.news.transport import FeedTransport
from dealdesk.news.wire import feed_headers
from dealdesk.store import Store
from tests.conftest import fixed_clock
from tests.feedserver import closed_port, feed_server, no_proxy_env, rss  # noqa: F401

TLS_DIR = Path(__file__).parent / "data" / "tls"
LIMITS = FetchLimits(concurrency=8, connect_timeout_s=2, read_timeout_s=2, deadline_s=5)


def wait_for(condition, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def feeds(server, count: int, host: str = "127.0.0.1") -> list[FeedSpec]:
    specs = []
    for i in range(count):
        url = server.add(f"/f{i}.xml", body=rss([{"title": f"item {i}", "guid": f"g{i}"}]),
                         etag=f'"v{i}"')
        specs.append(FeedSpec(f"Feed {i}", url.replace("127.0.0.1", host)))
    return specs


def refresh(specs, store_path, head_start, **kwargs):
    return run_refresh(specs, store_path, LIMITS, {}, fixed_clock, force=True, enrich=False,
                       head_start=head_start, **kwargs)


# --- the request is the one httpx would send -------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/feed.xml?x=1&y=%20",
    "http://Example.COM/rss",
    "http://example.com:80",
    "https://example.com:443/a/b.xml",
    "https://example.com:8443/feed",
    "http://[::1]:81/atom",
])
@pytest.mark.parametrize("validators", [(None, None), ('W/"abc"', "Sun, 29 Nov 2026 10:00:00 GMT")])
def test_the_planned_request_is_what_httpx_builds(url, validators):
    headers = feed_headers(LIMITS.user_agent, *validators)
    planned = early._plan(url, headers)
    built = make_client(LIMITS).build_request("GET", url, headers=headers)
    assert planned is not None
    assert planned.origin == (built.url.scheme, built.url.host,
                              built.url.port or {"http": 80, "https": 443}[built.url.scheme])
    assert planned.target == built.url.raw_path
    assert planned.headers == early._canonical(built.headers.raw)
    assert bool(planned.payload) == (built.url.scheme == "http")


@pytest.mark.parametrize("url, validators", [
    ("http://user:secret@example.com/feed", (None, None)),  # httpx adds Authorization
    ("http://example.com/caf\u00e9.xml", (None, None)),  # httpx percent-encodes it
    ("http://ex\u00e4mple.com/feed", (None, None)),  # IDNA
    ("ftp://example.com/feed", (None, None)),
    ("http://example.com:99999/feed", (None, None)),
])
def test_what_httpx_could_send_differently_is_left_to_httpx(url, validators):
    assert early._plan(url, feed_headers(LIMITS.user_agent, *validators)) is None


def test_a_validator_that_cannot_be_sent_is_sent_by_neither():
    headers = feed_headers(LIMITS.user_agent, '"a"\r\nX-Injected: 1', "Sun, 29 Nov 2026 \u00e9")
    planned = early._plan("http://example.com/feed", headers)
    assert planned is not None and b"X-Injected" not in planned.payload
    assert b"If-None-Match" not in planned.payload and b"If-Modified-Since" not in planned.payload


def test_no_head_start_behind_a_proxy_or_beyond_the_concurrency(monkeypatch):
    specs = [FeedSpec(f"F{i}", f"http://127.0.0.1:{closed_port()}/{i}") for i in range(5)]
    monkeypatch.setenv("https_proxy", "http://proxy.invalid:3128")
    assert len(early.start(specs, {}, LIMITS)) == 0
    monkeypatch.delenv("https_proxy")
    head_start = early.start(specs, {}, FetchLimits(concurrency=3))
    try:
        assert len(head_start) == 3
    finally:
        head_start.close()


# --- taken over by the refresh ------------------------------------------------------------

def test_requests_sent_early_reach_the_server_once(feed_server, tmp_path):
    specs = feeds(feed_server, 5)
    head_start = early.start(specs, {}, LIMITS)
    assert head_start.sent() == 5
    wait_for(lambda: len(feed_server.requests()) == 5)  # answered before httpx is involved

    report = refresh(specs, tmp_path / "s.sqlite3", head_start)

    assert [(o.status, o.new_items) for o in report.outcomes] == [("ok", 1)] * 5
    assert len(feed_server.requests()) == 5
    assert head_start.sent() == 0


def test_an_early_request_carries_the_headers_of_an_ordinary_one(feed_server):
    url = feed_server.add("/one.xml", body=rss([]), etag='"v"')
    spec = FeedSpec("One", url)
    head_start = early.start([spec], {"One": ('"v"', "Sun, 29 Nov 2026 10:00:00 GMT")}, LIMITS)
    wait_for(lambda: len(feed_server.requests()) == 1)
    head_start.close()

    async def ordinary():
        async with make_client(LIMITS) as client:
            return await fetch_feed(client, spec, LIMITS, '"v"', "Sun, 29 Nov 2026 10:00:00 GMT")

    assert asyncio.run(ordinary()).status == "not_modified"
    sent_early, sent_later = feed_server.requests()
    assert sent_early.headers == sent_later.headers
    assert sent_early.path == sent_later.path


def test_validators_read_from_the_store_make_a_warm_refresh_all_304(feed_server, tmp_path):
    specs = feeds(feed_server, 3)
    store_path = tmp_path / "s.sqlite3"
    refresh(specs, store_path, None)

    head_start = early.from_store(specs, store_path, LIMITS, fixed_clock(), force=False,
                                  respect_interval=False)
    assert head_start.sent() == 3
    report = refresh(specs, store_path, head_start)

    assert [o.status for o in report.outcomes] == ["not_modified"] * 3
    assert len(feed_server.requests()) == 6
    assert sorted(r.headers.get("if-none-match") for r in feed_server.requests()[3:]) == \
        ['"v0"', '"v1"', '"v2"']


def test_an_early_request_that_differs_is_never_used(feed_server, tmp_path):
    specs = feeds(feed_server, 2)
    # The early request claims a version the store does not have: the server answers it
    # 304, and that answer must not pass for the feed's (the store has no items yet).
    head_start = early.start(specs, {"Feed 0": ('"v0"', None)}, LIMITS)
    wait_for(lambda: len(feed_server.requests()) == 2)

    report = refresh(specs, tmp_path / "s.sqlite3", head_start)

    assert [(o.status, o.new_items) for o in report.outcomes] == [("ok", 1), ("ok", 1)]
    sent = [(r.path, r.headers.get("if-none-match", "")) for r in feed_server.requests()]
    assert sorted(sent) == [("/f0.xml", ""), ("/f0.xml", '"v0"'), ("/f1.xml", "")]


def test_a_named_host_is_looked_up_in_a_thread(feed_server, tmp_path):
    specs = feeds(feed_server, 3, host="localhost")
    head_start = early.start(specs, {}, LIMITS)
    wait_for(lambda: len(feed_server.requests()) == 3)

    report = refresh(specs, tmp_path / "s.sqlite3", head_start)

    assert [o.status for o in report.outcomes] == ["ok"] * 3
    assert len(feed_server.requests()) == 3


def test_a_refused_early_connection_is_reported_as_usual(no_proxy_env, tmp_path):
    specs = [FeedSpec("Closed", f"http://127.0.0.1:{closed_port()}/feed")]
    head_start = early.start(specs, {}, LIMITS)

    report = refresh(specs, tmp_path / "s.sqlite3", head_start)

    assert [(o.status, o.error) for o in report.outcomes] == [("error", "connection refused")]


def test_a_store_that_cannot_be_opened_gives_no_head_start(tmp_path):
    bad = tmp_path / "not-a-store.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    head_start = early.from_store([FeedSpec("F", "http://127.0.0.1:1/")], bad, LIMITS,
                                  fixed_clock(), force=True, respect_interval=True)
    assert len(head_start) == 0


def test_feeds_backing_off_get_no_head_start(feed_server, tmp_path):
    good, *_ = feeds(feed_server, 1)
    failing = FeedSpec("Failing", feed_server.add("/down.xml", kind="status", status=503))
    store_path = tmp_path / "s.sqlite3"
    refresh([good, failing], store_path, None)
    with Store.open(store_path):
        pass

    head_start = early.from_store([good, failing], store_path, LIMITS, fixed_clock(),
                                  force=False, respect_interval=False)
    try:
        assert [r.target for r in head_start._requests] == [b"/f0.xml"]
    finally:
        head_start.close()


# --- the transport's side: raw servers -----------------------------------------------------

async def serve(handler, ssl_context: ssl.SSLContext | None = None) -> asyncio.Server:
    return await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ssl_context)


def port_of(server: asyncio.Server) -> int:
    return server.sockets[0].getsockname()[1]


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 body: bytes = b"<rss/>") -> None:
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    await writer.drain()
    writer.close()


async def test_an_early_connection_dropped_unanswered_is_made_again(no_proxy_env):
    connections = []

    async def handler(reader, writer):
        connections.append(writer)
        if len(connections) == 1:  # the early one: read the request, then hang up
            await reader.readuntil(b"\r\n\r\n")
            writer.close()
            return
        await answer(reader, writer, b"second")

    server = await serve(handler)
    spec = FeedSpec("F", f"http://127.0.0.1:{port_of(server)}/feed")
    head_start = early.start([spec], {}, LIMITS)
    assert head_start.sent() == 1
    async with make_client(LIMITS, FeedTransport(head_start=head_start)) as client:
        result = await fetch_feed(client, spec, LIMITS)
    server.close()
    assert (result.status, result.body) == ("ok", b"second")
    assert len(connections) == 2


async def test_https_connects_early_and_shakes_hands_on_the_taken_connection(no_proxy_env):
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(TLS_DIR / "cert.pem", TLS_DIR / "key.pem")
    client_tls = ssl.create_default_context(cafile=TLS_DIR / "cert.pem")
    connections = []

    async def handler(reader, writer):
        connections.append(writer)  # counted before TLS: an idle early connection counts too
        await writer.start_tls(server_tls)
        await answer(reader, writer, b"secret feed")

    server = await serve(handler)
    spec = FeedSpec("F", f"https://127.0.0.1:{port_of(server)}/feed")
    head_start = early.start([spec], {}, LIMITS)
    assert len(head_start) == 1 and head_start.sent() == 0  # connected, nothing sent
    transport = FeedTransport(ssl_context=client_tls, head_start=head_start)
    async with make_client(LIMITS, transport) as client:
        result = await fetch_feed(client, spec, LIMITS)
    server.close()
    assert (result.status, result.body) == ("ok", b"secret feed")
    assert len(connections) == 1


async def test_a_failed_handshake_on_the_taken_connection_is_a_tls_error(no_proxy_env):
    async def plain(reader, writer):
        await reader.read(1)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await serve(plain)
    spec = FeedSpec("F", f"https://127.0.0.1:{port_of(server)}/feed")
    head_start = early.start([spec], {}, LIMITS)
    async with make_client(LIMITS, FeedTransport(head_start=head_start)) as client:
        result = await fetch_feed(client, spec, LIMITS)
    server.close()
    assert (result.status, result.error) == ("error", "TLS error")


async def test_closing_the_transport_closes_what_it_did_not_take(no_proxy_env):
    async def silent(reader, writer):
        await reader.read(1)

    server = await serve(silent)
    specs = [FeedSpec(f"F{i}", f"http://127.0.0.1:{port_of(server)}/{i}") for i in range(3)]
    head_start = early.start(specs, {}, LIMITS)
    socks = [r.sock for r in head_start._requests]
    assert all(isinstance(s, socket.socket) for s in socks)
    transport = FeedTransport(head_start=head_start)
    async with httpx.AsyncClient(transport=transport):
        pass
    server.close()
    assert all(s.fileno() == -1 for s in socks)
