"""HTTP/1.1 for httpx on asyncio streams and h11: the transport a refresh fetches with.

Why not httpx's default transport: a refresh is a burst of one GET per feed, mostly to
different hosts, and on a small machine httpcore's pool (on anyio) spent about 2 ms of CPU
per request and 50 ms importing anyio's backend, and httpx built its TLS context (~50 ms,
the CA bundle) on every start, even when no feed is https. Here the TLS context is made on
the first https connection, and each request is a few stream reads and writes.

What it keeps from httpx: the client API, redirects (followed by fetch.py), proxies (a proxy
from the environment is mounted by httpx with its own transport), timeouts taken from the
request, and errors raised as httpx's exceptions with the OS error as their cause, which is
how fetch.py tells "connection refused" from "DNS lookup failed".
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

import h11
import httpx

if TYPE_CHECKING:
    from .early import HeadStart

_READ_SIZE = 64 * 1024
_MAX_IDLE_PER_ORIGIN = 4
_DEFAULT_PORTS = {"http": 80, "https": 443}
_Origin = tuple[str, str, int]


class FeedTransport(httpx.AsyncBaseTransport):
    """Keep-alive per origin, TLS on demand; no HTTP/2, no proxies of its own."""

    def __init__(
        self, ssl_context: ssl.SSLContext | None = None, head_start: HeadStart | None = None
    ) -> None:
        self._ssl_context = ssl_context
        self._head_start = head_start
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._closed = False

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            # httpx's own default: certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR.
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        if url.scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        # The host as sent (raw_host): an international name in its xn-- form, as DNS,
        # TLS (SNI) and the head start (text.feedurl) know it; url.host would decode it.
        origin = (url.scheme, url.raw_host.decode("ascii"),
                  url.port or _DEFAULT_PORTS[url.scheme])
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        conn = None
        if self._head_start is not None:
            conn = await self._adopt(origin, request, timeouts)
        if conn is None:
            conn = self._take_idle(origin)
        if conn is not None:
            try:
                head = await conn.exchange(request, timeouts)
            except _StaleConnection:
                conn = None  # the server dropped it while idle: once more, on a new one
        if conn is None:
            conn = await self._connect(origin, timeouts.get("connect"))
            try:
                head = await conn.exchange(request, timeouts)
            except _StaleConnection as exc:
                raise httpx.RemoteProtocolError(
                    "server disconnected without sending a response", request=request
                ) from exc
        return httpx.Response(
            status_code=head.status_code,
            headers=head.headers,
            stream=_Body(self, origin, conn, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(head.reason)},
        )

    async def _connect(self, origin: _Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        tls = self._tls() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None,
                    happy_eyeballs_delay=0.25,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out connecting") from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Connection(reader, writer)

    async def _adopt(
        self, origin: _Origin, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> _Connection | None:
        """The connection the head start opened for this request, if there is a good one."""
        assert self._head_start is not None
        early = self._head_start.take(origin, request.method, request.url.raw_path,
                                      request.headers.raw)
        if early is None:
            return None
        sock, sent = early
        scheme, host, _ = origin
        try:
            async with asyncio.timeout(timeouts.get("connect")):
                if not sent:
                    await _connected(sock)
                tls = self._tls() if scheme == "https" else None
                reader, writer = await asyncio.open_connection(
                    sock=sock, ssl=tls, server_hostname=host if tls else None
                )
        except (OSError, ssl.SSLError, TimeoutError):
            sock.close()
            return None  # the ordinary way tries again, and names what is wrong
        conn = _Connection(reader, writer)
        # If the server drops it unanswered, the request is sent again on a new connection,
        # as for a kept-alive one.
        conn.reused = True
        conn.request_sent = sent
        return conn

    def _take_idle(self, origin: _Origin) -> _Connection | None:
        pool = self._idle.get(origin)
        while pool:
            conn = pool.pop()
            if conn.reusable():
                return conn
            conn.close()
        return None

    def _give_back(self, origin: _Origin, conn: _Connection) -> None:
        pool = self._idle.setdefault(origin, [])
        if self._closed or len(pool) >= _MAX_IDLE_PER_ORIGIN or not conn.next_cycle():
            conn.close()
        else:
            pool.append(conn)

    async def aclose(self) -> None:
        self._closed = True
        if self._head_start is not None:
            self._head_start.close()
        for pool in self._idle.values():
            for conn in pool:
                conn.close()
        self._idle.clear()


async def _connected(sock: socket.socket) -> None:
    """Wait for a connection still being made; raise its error if it failed."""
    loop = asyncio.get_running_loop()
    writable: asyncio.Future[None] = loop.create_future()

    def on_writable() -> None:
        if not writable.done():
            writable.set_result(None)

    loop.add_writer(sock, on_writable)
    try:
        await writable
    finally:
        loop.remove_writer(sock)
    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code:
        raise OSError(code, "connection failed")


class _StaleConnection(Exception):
    """A kept-alive connection closed before any byte of the response came back."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.reused = False
        self.request_sent = False  # by the head start, before this connection was made
        self._got_bytes = False

    async def exchange(
        self, request: httpx.Request, timeouts: dict[str, float | None]
    ) -> h11.Response:
        """Send the request and read up to the end of the response's head."""
        self._got_bytes = False
        try:
            await self._send(request, timeouts.get("write"))
            return await self._read_head(timeouts.get("read"))
        except (httpx.ReadError, httpx.WriteError) as exc:
            self.close()
            if self.reused and not self._got_bytes:
                raise _StaleConnection() from exc
            raise
        except BaseException:
            self.close()
            raise

    async def _send(self, request: httpx.Request, timeout: float | None) -> None:
        target = request.url.raw_path
        head = h11.Request(method=request.method, target=target,
                           headers=list(request.headers.raw))
        if self.request_sent:
            # The same request is on the wire already (early.HeadStart.take checked):
            # h11 only needs to know it went.
            self.request_sent = False
            self._write(head, on_wire=True)
            self._write(h11.EndOfMessage(), on_wire=True)
            return
        self._write(head)
        # An AsyncClient's request: its stream is always an async one (httpx types it as
        # either).
        async for chunk in cast(httpx.AsyncByteStream, request.stream):
            if chunk:
                self._write(h11.Data(data=chunk))
        self._write(h11.EndOfMessage())
        try:
            async with asyncio.timeout(timeout):
                await self.writer.drain()
        except TimeoutError as exc:
            raise httpx.WriteTimeout("timed out sending the request") from exc
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__) from exc

    def _write(self, event: Any, on_wire: bool = False) -> None:
        try:
            data = self.h11.send(event)
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc)) from exc
        if data and not on_wire:
            self.writer.write(data)

    async def _read_head(self, timeout: float | None) -> h11.Response:
        while True:
            event = self._next_event()
            if event is h11.NEED_DATA:
                data = await self.read(timeout)
                if not data and not self._got_bytes and self.reused:
                    raise _StaleConnection()
                self._got_bytes = self._got_bytes or bool(data)
                self.h11.receive_data(data)
            elif isinstance(event, h11.Response):
                return event
            elif isinstance(event, h11.InformationalResponse):
                continue  # 100 Continue and friends precede the real answer
            else:  # ConnectionClosed, or Data before a head: h11 reports both as errors
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}")

    def _next_event(self) -> Any:
        try:
            return self.h11.next_event()
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc) or "invalid HTTP response") from exc

    async def read(self, timeout: float | None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self.reader.read(_READ_SIZE)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("timed out reading the response") from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc

    async def body(self, timeout: float | None) -> AsyncIterator[bytes]:
        """The response body as it arrives, until h11 sees its end."""
        while True:
            event = self._next_event()
            if event is h11.NEED_DATA:
                self.h11.receive_data(await self.read(timeout))
            elif isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return
            else:
                raise httpx.RemoteProtocolError(f"unexpected {type(event).__name__}")

    def next_cycle(self) -> bool:
        """Ready the connection for another request, if both sides may keep it open."""
        if self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
            return False
        self.h11.start_next_cycle()
        self.reused = True
        return True

    def reusable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        # Not awaited: closing runs during cancellation (a feed's deadline) as well.
        self.writer.close()


class _Body(httpx.AsyncByteStream):
    """A response body; the connection goes back to the pool only once read to its end."""

    def __init__(
        self, transport: FeedTransport, origin: _Origin, conn: _Connection,
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._origin = origin
        self._conn: _Connection | None = conn
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._conn is None:
            raise httpx.StreamClosed()
        async for chunk in self._conn.body(self._timeout):
            yield chunk

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:  # pooled if read to its end, else closed (_give_back decides)
            self._transport._give_back(self._origin, conn)
