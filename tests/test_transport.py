"""FeedTransport against a raw HTTP server on 127.0.0.1 whose every byte the test writes.

The fetch tests (test_fetch.py) drive the transport through fetch_feed against a real
http.server; these pin what only a hand-written server can show: keep-alive and its
failures, framing (chunked, close-delimited, 304), TLS made only when needed, and errors
carrying their OS cause.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from dealdesk.news.transport import FeedTransport
from tests.feedserver import closed_port, no_proxy_env  # noqa: F401

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)


class RawServer:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Handler], Awaitable[RawServer]]]:
    servers: list[RawServer] = []

    async def start(handler: Handler) -> RawServer:
        raw = RawServer(handler)
        raw.server = await asyncio.start_server(raw._serve, "127.0.0.1", 0)
        servers.append(raw)
        return raw

    yield start
    for raw in servers:
        assert raw.server is not None
        raw.server.close()


def client() -> httpx.AsyncClient:
    timeout = httpx.Timeout(2.0)
    return httpx.AsyncClient(transport=FeedTransport(), timeout=timeout, trust_env=False)


def keep_alive_answer(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


async def test_keep_alive_reuses_one_connection(raw_server):
    async def handler(reader, writer):
        for n in range(3):
            await read_request(reader)
            writer.write(keep_alive_answer(b"answer %d" % n))
            await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        bodies = [(await c.get(f"{server.url}/feed/{n}")).content for n in range(3)]
    assert bodies == [b"answer 0", b"answer 1", b"answer 2"]
    assert server.connections == 1


async def test_a_connection_the_server_dropped_while_idle_is_replaced(raw_server):
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(keep_alive_answer(b"first"))
        await writer.drain()
        # No "Connection: close": the client keeps it, and the server hangs up silently.

    server = await raw_server(handler)
    async with client() as c:
        assert (await c.get(server.url)).content == b"first"
        await asyncio.sleep(0.05)  # the close reaches the client
        assert (await c.get(server.url)).content == b"first"
    assert server.connections == 2


async def test_a_reused_connection_reset_before_answering_is_retried_once(raw_server):
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(keep_alive_answer(b"ok"))
        await writer.drain()
        await read_request(reader)  # the second request arrives, then the server dies
        writer.transport.abort()

    server = await raw_server(handler)
    async with client() as c:
        assert (await c.get(server.url)).content == b"ok"
        assert (await c.get(server.url)).content == b"ok"
    assert server.connections == 2


async def test_a_fresh_connection_closed_without_an_answer_is_an_error(raw_server):
    async def handler(reader, writer):
        await read_request(reader)

    server = await raw_server(handler)
    async with client() as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.get(server.url)


async def test_chunked_and_close_delimited_bodies(raw_server):
    async def handler(reader, writer):
        request = await read_request(reader)
        if b"/chunked" in request:
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
        await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        assert (await c.get(f"{server.url}/chunked")).content == b"hello world"
        assert (await c.get(f"{server.url}/close")).content == b"until the end"


async def test_304_and_informational_answers(raw_server):
    async def handler(reader, writer):
        await read_request(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n"
                     b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n')
        await writer.drain()
        await read_request(reader)
        writer.write(keep_alive_answer(b"after a 304"))
        await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        first = await c.get(server.url, headers={"If-None-Match": '"v1"'})
        assert (first.status_code, first.headers["etag"], first.content) == (304, '"v1"', b"")
        assert (await c.get(server.url)).content == b"after a 304"
    assert server.connections == 1


async def test_a_body_left_unread_closes_its_connection(raw_server):
    async def handler(reader, writer):
        while True:
            await read_request(reader)
            writer.write(keep_alive_answer(b"x" * 100_000))
            await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        async with c.stream("GET", server.url) as response:
            async for _ in response.aiter_raw():
                break  # read one chunk, as fetch.py does when a body is over its cap
        assert len((await c.get(server.url)).content) == 100_000
    assert server.connections == 2  # the half-read connection was not reused


async def test_the_request_line_and_headers_sent(raw_server):
    seen: list[bytes] = []

    async def handler(reader, writer):
        seen.append(await read_request(reader))
        writer.write(keep_alive_answer(b""))
        await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        await c.get(f"{server.url}/a/b.xml?x=1&y=%20", headers={"If-None-Match": '"e"'})
    head = seen[0].decode()
    assert head.startswith("GET /a/b.xml?x=1&y=%20 HTTP/1.1\r\n")
    assert f"Host: {server.url.removeprefix('http://')}\r\n" in head
    assert 'If-None-Match: "e"\r\n' in head


async def test_oversized_or_garbled_heads_are_protocol_errors(raw_server):
    async def handler(reader, writer):
        request = await read_request(reader)
        if b"/huge" in request:
            writer.write(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        else:
            writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()

    server = await raw_server(handler)
    async with client() as c:
        for path in ("/huge", "/garbled"):
            with pytest.raises(httpx.RemoteProtocolError):
                await c.get(server.url + path)


async def test_read_timeout_and_connect_errors_keep_their_cause(raw_server):
    async def silent(reader, writer):
        await read_request(reader)
        await asyncio.sleep(5)

    server = await raw_server(silent)
    async with httpx.AsyncClient(transport=FeedTransport(), timeout=httpx.Timeout(0.2),
                                 trust_env=False) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(server.url)
        with pytest.raises(httpx.ConnectError) as refused:
            await c.get(f"http://127.0.0.1:{closed_port()}/")
    assert isinstance(refused.value.__cause__, ConnectionRefusedError)


async def test_tls_is_set_up_only_for_https(raw_server, monkeypatch):
    made: list[ssl.SSLContext] = []
    real = httpx.create_ssl_context
    monkeypatch.setattr(httpx, "create_ssl_context",
                        lambda *a, **k: made.append(real(*a, **k)) or made[-1])

    async def handler(reader, writer):
        await read_request(reader)
        writer.write(keep_alive_answer(b"plain"))
        await writer.drain()

    async def plain_answer_to_a_hello(reader, writer):
        await reader.read(1)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()

    server = await raw_server(handler)
    plain = await raw_server(plain_answer_to_a_hello)
    async with client() as c:
        assert (await c.get(server.url)).content == b"plain"
        assert made == []
        # A plain-text server spoken to in TLS: the handshake fails, as a TLS error.
        with pytest.raises(httpx.ConnectError) as failed:
            await c.get(plain.url.replace("http://", "https://"))
    assert len(made) == 1
    assert isinstance(failed.value.__cause__, ssl.SSLError)


async def test_other_schemes_are_refused():
    transport = FeedTransport()
    with pytest.raises(httpx.UnsupportedProtocol):
        await transport.handle_async_request(httpx.Request("GET", "ftp://127.0.0.1/x"))
    await transport.aclose()


async def test_closing_the_client_closes_idle_connections(raw_server):
    closed = asyncio.Event()

    async def handler(reader, writer):
        await read_request(reader)
        writer.write(keep_alive_answer(b"ok"))
        await writer.drain()
        await asyncio.wait_for(reader.read(), 5)  # b"" once the client hangs up
        closed.set()

    server = await raw_server(handler)
    transport = FeedTransport()
    async with httpx.AsyncClient(transport=transport, trust_env=False) as c:
        await c.get(server.url)
        assert not closed.is_set()  # kept alive for the next request
    await asyncio.wait_for(closed.wait(), 5)
    with pytest.raises(RuntimeError):
        await transport.handle_async_request(httpx.Request("GET", server.url))
