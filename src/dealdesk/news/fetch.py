"""Fetch feeds over HTTP with limits a hostile or broken server cannot get around.

Time: httpx's connect/read timeouts catch silence, and a whole-request deadline around
connect + headers + body catches a server that trickles a byte at a time.
Size: the cap counts decompressed bytes while streaming. Decompression is done here, one
bounded step at a time, because httpx inflates each network chunk in full (a 64 KiB chunk
of a gzip bomb is 64 MiB) and reads redirect bodies whole.
Redirects: followed here, at most `max_redirects`, without reading their bodies.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import socket
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ..model import FeedSpec, FetchLimits, FetchResult, usable_validator
from ..text.feedurl import parse_feed_url
from .hosts import Gate, Passage, host_key, url_host_key
from .transport import FeedTransport
from .wire import feed_headers

_REASONS = {401: "unauthorized", 403: "forbidden", 404: "not found", 410: "gone"}


class _Failure(Exception):
    """A fetch failed for a reason already put in user words."""


async def fetch_feed(
    client: httpx.AsyncClient,
    spec: FeedSpec,
    limits: FetchLimits,
    etag: str | None = None,
    last_modified: str | None = None,
    passage: Passage | None = None,
) -> FetchResult:
    """Fetch one feed. Never raises (except on cancellation): failures become results.

    With a `passage`, each request (a redirect's too) waits for its slots in the passage's
    Gate; fetch_all holds the first one before calling, so the deadline counts no queueing
    for the feed's own host.
    """
    started = time.monotonic()
    state: dict[str, object] = {"final_url": spec.url}
    deadline = asyncio.timeout(limits.deadline_s)
    try:
        async with deadline:
            headers = feed_headers(limits.user_agent, etag, last_modified)
            result = await _fetch(client, spec, limits, headers, etag, last_modified, state,
                                  passage)
    except TimeoutError as exc:
        message = f"deadline exceeded ({limits.deadline_s:g} s)"
        result = _error(spec, message if deadline.expired() else _classify(exc), state)
    except _Failure as exc:
        result = _error(spec, str(exc), state)
    except httpx.TooManyRedirects:
        result = _error(spec, "too many redirects", state)
    except httpx.InvalidURL:  # not an HTTPError subclass
        result = _error(spec, "invalid URL", state)
    except httpx.HTTPError as exc:
        result = _error(spec, _classify(exc), state)
    except (OSError, ValueError, zlib.error) as exc:
        result = _error(spec, _classify(exc), state)
    except Exception as exc:  # one odd feed must not take the whole refresh down
        result = _error(spec, unexpected(exc), state)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return replace(result, elapsed_ms=elapsed_ms)


async def _fetch(
    client: httpx.AsyncClient,
    spec: FeedSpec,
    limits: FetchLimits,
    headers: dict[str, str],
    etag: str | None,
    last_modified: str | None,
    state: dict[str, object],
    passage: Passage | None = None,
) -> FetchResult:
    _check_url(spec.url)  # before httpx reads it: `check` and the head start read it so
    request = client.build_request("GET", spec.url, headers=headers)
    for _hop in range(limits.max_redirects + 1):
        # Checked here, not left to the transport: a redirect to file:// or a custom
        # transport must not get a say in which schemes are fetched.
        if request.url.scheme not in ("http", "https"):
            raise _Failure("unsupported URL (only http and https)")
        if not request.url.host:
            raise _Failure("invalid URL")
        _check_url(str(request.url))  # a redirect to port 99999 and the like
        if passage is not None:  # a redirect to another host counts against that host
            await passage.hold(host_key(request.url.raw_host.decode("ascii", "replace")))
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            state["final_url"] = str(response.url)
            if response.next_request is not None:
                request = response.next_request
                continue
            return await _read_response(spec, limits, response, etag, last_modified)
        finally:
            await response.aclose()
    raise _Failure("too many redirects")


def _check_url(url: str) -> None:
    try:
        parse_feed_url(url)
    except ValueError as exc:
        if not url.lower().startswith(("http://", "https://")):
            raise _Failure("unsupported URL (only http and https)") from None
        raise _Failure(f"invalid URL ({exc})") from None


async def _read_response(
    spec: FeedSpec,
    limits: FetchLimits,
    response: httpx.Response,
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    code = response.status_code
    final_url = str(response.url)
    if code == 304:
        # The server may omit validators on a 304; the ones we sent are still the right ones.
        return FetchResult(
            name=spec.name, url=spec.url, status="not_modified", http_status=code,
            etag=usable_validator(response.headers.get("etag")) or usable_validator(etag),
            last_modified=(usable_validator(response.headers.get("last-modified"))
                           or usable_validator(last_modified)),
            final_url=final_url,
        )
    if code >= 400 or code < 200:
        reason = _REASONS.get(code)
        return FetchResult(
            name=spec.name, url=spec.url, status="error", http_status=code,
            error=f"HTTP {code} {reason}" if reason else f"HTTP {code}",
            retry_after_s=_retry_after(response.headers.get("retry-after")),
            final_url=final_url,
        )
    if code >= 300:  # a redirect without a usable Location
        return FetchResult(
            name=spec.name, url=spec.url, status="error", http_status=code,
            error=f"HTTP {code} without a redirect target", final_url=final_url,
        )
    too_large = f"too large (> {_size_label(limits.max_bytes)})"
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and (
        len(declared) > 18 or int(declared) > limits.max_bytes  # int() of 5,000 digits fails
    ):
        raise _Failure(too_large)  # the compressed size already exceeds the cap
    if response.is_stream_consumed:
        # Built in memory (httpx.MockTransport with content=...): already decoded by httpx.
        body = response.content
        if len(body) > limits.max_bytes:
            raise _Failure(too_large)
    else:
        inflater = _Inflater(response.headers.get("content-encoding", ""), limits.max_bytes)
        async for chunk in response.aiter_raw():
            if not inflater.feed(chunk):
                raise _Failure(too_large)
        if not inflater.finish():
            raise _Failure(too_large)
        body = inflater.body()
    return FetchResult(
        name=spec.name, url=spec.url, status="ok", http_status=code,
        body=body,
        etag=usable_validator(response.headers.get("etag")),
        last_modified=usable_validator(response.headers.get("last-modified")),
        final_url=final_url,
        content_type=response.headers.get("content-type"),
    )


class _Inflater:
    """Decodes Content-Encoding with a hard cap on the output, one bounded step at a time."""

    def __init__(self, encoding: str, max_bytes: int):
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._max = max_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self._deflate_raw_retry = False
        if not codings:
            self._decoder = None
        elif codings in (["gzip"], ["x-gzip"]):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif codings == ["deflate"]:
            # "deflate" is meant to be zlib-wrapped, but some servers send it raw.
            self._decoder = zlib.decompressobj()
            self._deflate_raw_retry = True
        else:
            raise _Failure(f"unsupported content encoding ({_header_words(encoding)})")

    def _keep(self, data: bytes) -> bool:
        self._size += len(data)
        if self._size > self._max:
            return False
        if data:
            self._parts.append(data)
        return True

    def feed(self, chunk: bytes) -> bool:
        """False once the decoded body is over the cap."""
        if self._decoder is None:
            return self._keep(chunk)
        data = chunk
        while data:
            try:
                out = self._decoder.decompress(data, self._max - self._size + 1)
            except zlib.error:
                if not (self._deflate_raw_retry and self._size == 0):
                    raise
                self._deflate_raw_retry = False
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._deflate_raw_retry = False
            if not self._keep(out):
                return False
            data = self._decoder.unconsumed_tail
            if self._decoder.eof:
                break  # trailing garbage after the stream is ignored, as browsers do
        return True

    def finish(self) -> bool:
        if self._decoder is None:
            return True
        return self._keep(self._decoder.flush(self._max - self._size + 1))

    def body(self) -> bytes:
        return b"".join(self._parts)


def unexpected(exc: BaseException) -> str:
    """A one-line reason for an exception nobody planned for, safe to print."""
    from ..text.clean import clean_text  # rare: not worth its import on every refresh

    try:
        detail = clean_text(str(exc), 200, html_markup=False)
    except Exception:  # the cleaner itself failed: the exception's name says enough
        detail = ""
    detail = " ".join(detail.split())
    return f"unexpected error ({type(exc).__name__}{': ' + detail if detail else ''})"


def _error(spec: FeedSpec, message: str, state: Mapping[str, object]) -> FetchResult:
    final_url = state.get("final_url")
    return FetchResult(
        name=spec.name, url=spec.url, status="error", error=message,
        final_url=final_url if isinstance(final_url, str) else None,
    )


def _classify(exc: BaseException) -> str:
    """Network failures in the words a reader of the feed list would use."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported URL (only http and https)"
    if isinstance(exc, (httpx.InvalidURL, httpx.LocalProtocolError)):
        return "invalid URL"
    if isinstance(exc, (httpx.DecodingError, zlib.error)):
        return "corrupt compressed body"
    chain = _causes(exc)
    for cause in chain:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "DNS lookup failed"
        if isinstance(cause, ssl.SSLError):
            return "TLS error"
        if isinstance(cause, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return "connection reset"
        if isinstance(cause, TimeoutError):
            return "timeout"
    text = " ".join(str(c) for c in chain).lower()
    # MockTransport and some proxies give only a message, no chained OSError.
    for needles, label in (
        (("refused",), "connection refused"),
        (("name or service not known", "nodename nor servname", "getaddrinfo",
          "name resolution", "no address associated"), "DNS lookup failed"),
        (("ssl", "certificate", "tls"), "TLS error"),
        (("reset", "peer closed", "incomplete", "broken pipe", "server disconnected"),
         "connection reset"),
    ):
        if any(n in text for n in needles):
            return label
    if isinstance(exc, httpx.RemoteProtocolError):
        return "invalid HTTP response"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, httpx.NetworkError):
        return "network error"
    return f"network error ({type(exc).__name__})"


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


# Longer than any backoff_max_minutes `check` accepts: the store caps it further.
MAX_RETRY_AFTER_S = 366 * 24 * 3600.0


def _retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait, from a Retry-After of either delta-seconds or an HTTP date; never
    more than MAX_RETRY_AFTER_S, whatever the server wrote. None if it is unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # 99999999999999 and longer: int() of thousands of digits is refused, and a
        # timedelta of that many seconds overflows.
        return MAX_RETRY_AFTER_S if len(value) > 12 else min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER_S)


# An error message is shown in a terminal and a dashboard: what a server sent is quoted in it
# only as letters, digits and a little punctuation, never its control characters or markup.
_HEADER_UNSAFE = re.compile(r"[^A-Za-z0-9 ,._+-]+")


def _header_words(value: str, limit: int = 40) -> str:
    words = " ".join(_HEADER_UNSAFE.sub(" ", value).split())
    if len(words) > limit:
        words = words[: limit - 1].rstrip() + "…"
    return words or "unreadable"


def _size_label(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


def make_client(
    limits: FetchLimits, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client fetch_all uses when given none: timeouts, pool size and UA from `limits`."""
    timeout = httpx.Timeout(
        connect=limits.connect_timeout_s,
        read=limits.read_timeout_s,
        write=limits.read_timeout_s,
        pool=limits.deadline_s,
    )
    return httpx.AsyncClient(
        timeout=timeout,
        limits=httpx.Limits(
            max_connections=max(1, limits.concurrency),
            max_keepalive_connections=max(1, limits.concurrency),
        ),
        headers={"User-Agent": limits.user_agent},
        follow_redirects=False,  # fetch_feed follows them itself, within limits
        transport=transport or FeedTransport(),
    )


OnDone = Callable[[FetchResult], Awaitable[None] | None]


async def fetch_all(
    specs: Iterable[FeedSpec],
    limits: FetchLimits,
    validators: Mapping[str, tuple[str | None, str | None]] | None = None,
    client: httpx.AsyncClient | None = None,
    on_done: OnDone | None = None,
) -> list[FetchResult]:
    """Fetch every feed, at most `limits.concurrency` requests at a time and at most
    `limits.per_host` to any one host (hosts.Gate); results in `specs` order.

    `on_done` is called with each result as soon as it is in, outside the concurrency slot
    so slow bookkeeping does not hold up the next download; it may be sync or async.
    An exception from `on_done` is the caller's and propagates.
    """
    specs = list(specs)
    validators = validators or {}
    gate = Gate(limits.concurrency, limits.per_host)
    own_client = client is None
    client = client or make_client(limits)
    results: list[FetchResult | None] = [None] * len(specs)

    async def one(index: int, spec: FeedSpec) -> None:
        passage = Passage(gate)
        try:
            await passage.hold(url_host_key(spec.url))
            etag, last_modified = validators.get(spec.name, (None, None))
            result = await fetch_feed(client, spec, limits, etag, last_modified, passage)
        except Exception as exc:  # fetch_feed never raises; one feed never stops all
            result = FetchResult(name=spec.name, url=spec.url, status="error",
                                 error=unexpected(exc))
        finally:
            passage.release()
        results[index] = result
        if on_done is not None:
            outcome = on_done(result)
            if inspect.isawaitable(outcome):
                await outcome

    try:
        async with asyncio.TaskGroup() as group:
            for index, spec in enumerate(specs):
                group.create_task(one(index, spec))
    finally:
        if own_client:
            await client.aclose()
    return [r for r in results if r is not None]
