"""fetch_feed / fetch_all against a real loopback server and httpx.MockTransport."""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news.fetch import FetchResult, fetch_all, fetch_feed, make_client
from tests.feedserver import closed_port, feed_server, no_proxy_env, rss  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_proxy_env")

BODY = rss([{"title": "Hello", "link": "https://e.com/1", "guid": "1"}])
LIMITS = FetchLimits(deadline_s=5, connect_timeout_s=2, read_timeout_s=2)


async def fetch(url: str, limits: FetchLimits = LIMITS, **kw) -> FetchResult:
    async with make_client(limits) as client:
        return await fetch_feed(client, FeedSpec("f", url), limits, **kw)


async def test_ok_returns_body_validators_and_timing(feed_server):
    url = feed_server.add("/feed", body=BODY, etag='"v1"',
                          last_modified="Tue, 23 Sep 2025 10:00:00 GMT")
    result = await fetch(url)
    assert result.status == "ok" and result.http_status == 200 and result.error is None
    assert result.body == BODY
    assert result.etag == '"v1"'
    assert result.last_modified == "Tue, 23 Sep 2025 10:00:00 GMT"
    assert result.final_url == url and result.name == "f" and result.url == url
    assert result.elapsed_ms >= 0
    (request,) = feed_server.requests("/feed")
    assert request.headers["user-agent"] == LIMITS.user_agent
    assert "if-none-match" not in request.headers


async def test_conditional_get_304_has_no_body(feed_server):
    url = feed_server.add("/feed", body=BODY, etag='"v1"',
                          last_modified="Tue, 23 Sep 2025 10:00:00 GMT")
    result = await fetch(url, etag='"v1"', last_modified="Tue, 23 Sep 2025 10:00:00 GMT")
    assert result.status == "not_modified" and result.http_status == 304
    assert result.body is None  # nothing for the parser to do
    assert result.etag == '"v1"'
    request = feed_server.requests("/feed")[-1]
    assert request.headers["if-none-match"] == '"v1"'
    assert request.headers["if-modified-since"] == "Tue, 23 Sep 2025 10:00:00 GMT"


async def test_if_modified_since_alone_gives_304_and_keeps_our_validators(feed_server):
    url = feed_server.add("/feed", body=BODY, last_modified="Tue, 23 Sep 2025 10:00:00 GMT")
    result = await fetch(url, etag='"ours"', last_modified="Tue, 23 Sep 2025 10:00:00 GMT")
    assert result.status == "not_modified"
    assert result.etag == '"ours"'  # the 304 had no ETag: keep sending ours


async def test_changed_etag_gets_the_new_body(feed_server):
    url = feed_server.add("/feed", body=BODY, etag='"v2"')
    result = await fetch(url, etag='"v1"')
    assert result.status == "ok" and result.etag == '"v2"' and result.body == BODY


async def test_deadline_beats_a_trickle(feed_server):
    # One byte every 50 ms never trips the 2 s read timeout; only the deadline stops it.
    url = feed_server.add("/slow", kind="trickle", interval_s=0.05, max_bytes=400)
    limits = FetchLimits(deadline_s=0.6, connect_timeout_s=2, read_timeout_s=2)
    started = time.monotonic()
    result = await fetch(url, limits)
    took = time.monotonic() - started
    assert result.status == "error" and result.error == "deadline exceeded (0.6 s)"
    assert 0.5 < took < 2.0


async def test_deadline_covers_a_slow_response_start(feed_server):
    url = feed_server.add("/late", body=BODY, delay_s=1.0)
    result = await fetch(url, FetchLimits(deadline_s=0.3, read_timeout_s=5))
    assert result.error == "deadline exceeded (0.3 s)"


async def test_read_timeout_is_a_timeout(feed_server):
    url = feed_server.add("/late", body=BODY, delay_s=1.0)
    result = await fetch(url, FetchLimits(deadline_s=5, read_timeout_s=0.2))
    assert result.status == "error" and result.error == "timeout"


async def test_declared_size_over_cap_is_refused_early(feed_server):
    url = feed_server.add("/huge", kind="huge", max_bytes=5_000_000, send_length=True)
    result = await fetch(url, FetchLimits(max_bytes=64 * 1024))
    assert result.status == "error" and result.error == "too large (> 64 KiB)"
    assert result.body is None


async def test_undeclared_size_is_capped_while_streaming(feed_server):
    url = feed_server.add("/huge", kind="huge", max_bytes=5_000_000, send_length=False)
    result = await fetch(url, FetchLimits(max_bytes=100_000))
    assert result.error == "too large (> 97.6562 KiB)"


async def test_gzip_bomb_is_capped_after_decompression(feed_server):
    # 64 MiB of zeros is ~64 KiB on the wire: under the cap compressed, far over it inflated.
    url = feed_server.add("/bomb", kind="gzip_bomb", max_bytes=64 * 1024 * 1024)
    limits = FetchLimits(max_bytes=1024 * 1024)
    result = await fetch(url, limits)
    assert result.status == "error" and result.error == "too large (> 1 MiB)"


async def test_gzip_body_within_cap_is_decoded(feed_server):
    url = feed_server.add("/gz", body=gzip.compress(BODY), headers={"Content-Encoding": "gzip"})
    result = await fetch(url)
    assert result.status == "ok" and result.body == BODY


async def test_redirects_are_followed_up_to_the_limit(feed_server):
    feed_server.add("/feed", body=BODY)
    feed_server.add("/r2", kind="redirect", location="/feed")
    url = feed_server.add("/r1", kind="redirect", location="/r2", status=301)
    result = await fetch(url, FetchLimits(max_redirects=2))
    assert result.status == "ok" and result.final_url == feed_server.url("/feed")
    result = await fetch(url, FetchLimits(max_redirects=1))
    assert result.error == "too many redirects"


async def test_redirect_loop(feed_server):
    feed_server.add("/a", kind="redirect", location="/b")
    url = feed_server.add("/b", kind="redirect", location="/a")
    result = await fetch(url, FetchLimits(max_redirects=5))
    assert result.status == "error" and result.error == "too many redirects"
    assert len(feed_server.requests()) == 6  # the first request and five redirects


async def test_redirect_to_another_scheme_is_refused(feed_server):
    url = feed_server.add("/r", kind="redirect", location="file:///etc/passwd")
    result = await fetch(url)
    assert result.status == "error" and result.error == "unsupported URL (only http and https)"


@pytest.mark.parametrize(
    ("status", "retry_after", "error", "expected_retry"),
    [
        (404, None, "HTTP 404 not found", None),
        (410, None, "HTTP 410 gone", None),
        (500, None, "HTTP 500", None),
        (503, "120", "HTTP 503", 120.0),
        (429, "7", "HTTP 429", 7.0),
        (503, "soon", "HTTP 503", None),
    ],
)
async def test_status_codes_are_classified(feed_server, status, retry_after, error, expected_retry):
    url = feed_server.add("/s", kind="status", status=status, retry_after=retry_after)
    result = await fetch(url)
    assert result.status == "error" and result.http_status == status
    assert result.error == error and result.retry_after_s == expected_retry
    assert result.body is None


async def test_retry_after_as_http_date(feed_server):
    when = datetime.now(UTC) + timedelta(minutes=10)
    retry_after = format_datetime(when, usegmt=True)
    url = feed_server.add("/s", kind="status", status=503, retry_after=retry_after)
    result = await fetch(url)
    assert 500 < result.retry_after_s <= 600


async def test_connection_refused_on_a_closed_port():
    result = await fetch(f"http://127.0.0.1:{closed_port()}/feed")
    assert result.status == "error" and result.error == "connection refused"


async def test_connection_reset_mid_body(feed_server):
    url = feed_server.add("/reset", kind="reset", body=b"<rss><channel>" + b"x" * 2000)
    result = await fetch(url)
    assert result.status == "error" and result.error == "connection reset"


async def test_concurrent_feeds_finish_well_under_serial_time(feed_server):
    n, latency = 10, 0.4
    specs = [FeedSpec(f"f{i}", feed_server.add(f"/f{i}", body=BODY, delay_s=latency))
             for i in range(n)]
    done: list[str] = []
    started = time.monotonic()
    results = await fetch_all(specs, LIMITS, {}, on_done=lambda r: done.append(r.name))
    took = time.monotonic() - started
    assert [r.name for r in results] == [s.name for s in specs]
    assert all(r.status == "ok" for r in results)
    assert sorted(done) == sorted(s.name for s in specs)
    assert took < n * latency / 3


async def test_concurrency_limit_is_respected(feed_server):
    n, latency = 6, 0.3
    specs = [FeedSpec(f"f{i}", feed_server.add(f"/f{i}", body=BODY, delay_s=latency))
             for i in range(n)]
    started = time.monotonic()
    await fetch_all(specs, FetchLimits(concurrency=2), {})
    assert time.monotonic() - started >= (n / 2) * latency * 0.9


async def test_fetch_all_sends_validators_and_isolates_failures(feed_server):
    good = FeedSpec("good", feed_server.add("/good", body=BODY, etag='"e"'))
    bad = FeedSpec("bad", feed_server.add("/bad", kind="status", status=500))
    refused = FeedSpec("refused", f"http://127.0.0.1:{closed_port()}/")
    results = await fetch_all([bad, good, refused], LIMITS, {"good": ('"e"', None)})
    by_name = {r.name: r for r in results}
    assert by_name["good"].status == "not_modified"
    assert by_name["bad"].error == "HTTP 500"
    assert by_name["refused"].error == "connection refused"


async def test_fetch_all_awaits_async_callbacks(feed_server):
    spec = FeedSpec("a", feed_server.add("/a", body=BODY))
    seen = []

    async def on_done(result):
        await asyncio.sleep(0)
        seen.append(result.status)

    await fetch_all([spec], LIMITS, {}, on_done=on_done)
    assert seen == ["ok"]


# --- unit cases over MockTransport: failures a loopback server cannot produce -------------


def mock_client(handler) -> httpx.AsyncClient:
    return make_client(LIMITS, transport=httpx.MockTransport(handler))


async def mock_fetch(handler) -> FetchResult:
    async with mock_client(handler) as client:
        return await fetch_feed(client, FeedSpec("m", "https://feeds.example.com/x"), LIMITS)


def raising(exc: Exception):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def chained(outer: type[httpx.HTTPError], cause: BaseException, message: str = "boom"):
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise cause
        except BaseException as inner:
            raise outer(message, request=request) from inner

    return handler


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (chained(httpx.ConnectError, socket.gaierror(-2, "Name or service not known")),
         "DNS lookup failed"),
        (raising(httpx.ConnectError("[Errno -3] Temporary failure in name resolution")),
         "DNS lookup failed"),
        (chained(httpx.ConnectError, ssl.SSLCertVerificationError(1, "certificate verify failed")),
         "TLS error"),
        (raising(httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number")),
         "TLS error"),
        (chained(httpx.ReadError, ConnectionResetError(104, "Connection reset by peer")),
         "connection reset"),
        (raising(httpx.RemoteProtocolError("peer closed connection without sending complete "
                                           "message body")),
         "connection reset"),
        (raising(httpx.ConnectTimeout("timed out")), "timeout"),
        (raising(httpx.ReadTimeout("timed out")), "timeout"),
        (raising(httpx.RemoteProtocolError("illegal header line")), "invalid HTTP response"),
        (raising(RuntimeError("surprise")), "unexpected error (RuntimeError: surprise)"),
    ],
)
async def test_transport_errors_are_put_in_user_words(handler, error):
    result = await mock_fetch(handler)
    assert result.status == "error" and result.error == error
    assert result.body is None and result.http_status is None


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://[::1", "invalid URL"),
        ("ftp://feeds.example.com/x", "unsupported URL (only http and https)"),
        ("feeds.example.com/rss", "unsupported URL (only http and https)"),
    ],
)
async def test_bad_feed_urls_are_errors_not_exceptions(url, error):
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request should be made")

    async with mock_client(handler) as client:
        result = await fetch_feed(client, FeedSpec("m", url), LIMITS)
    # "invalid URL" says why in brackets: the reason text.feedurl gives `check` as well
    assert result.status == "error" and result.error.startswith(error)


async def test_deflate_raw_and_zlib_wrapped_are_both_decoded():
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_body = raw.compress(BODY) + raw.flush()
    for body in (zlib.compress(BODY), raw_body):
        result = await mock_fetch(
            lambda request, body=body: httpx.Response(
                200, stream=httpx.ByteStream(body), headers={"Content-Encoding": "deflate"}
            )
        )
        assert result.status == "ok" and result.body == BODY


async def test_corrupt_gzip_is_an_error():
    result = await mock_fetch(
        lambda request: httpx.Response(
            200, stream=httpx.ByteStream(b"not gzip at all"), headers={"Content-Encoding": "gzip"}
        )
    )
    assert result.status == "error" and result.error == "corrupt compressed body"


async def test_stacked_or_unknown_encodings_are_refused():
    body = gzip.compress(gzip.compress(b"\0" * 10_000_000))
    for encoding in ("gzip, gzip", "br", "zstd"):
        result = await mock_fetch(
            lambda request, e=encoding: httpx.Response(
                200, stream=httpx.ByteStream(body), headers={"Content-Encoding": e}
            )
        )
        assert result.status == "error"
        assert result.error == f"unsupported content encoding ({encoding})"


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        ("[@click=app.quit]x[/]", "click app.quit x"),  # markup, should a view parse it
        ("br\x9b2J\x9d52;c;ZXZp\x9c", "br 2J 52 c ZXZp"),  # C1 controls (latin-1 bytes)
        ("zstd " + "x" * 200, "zstd " + "x" * 34 + "…"),  # a wall of text
        ("\u00ff\u00fe", "unreadable"),
    ],
)
async def test_what_a_server_sent_is_quoted_in_an_error_only_as_plain_words(header, shown):
    result = await mock_fetch(
        lambda request: httpx.Response(
            200, stream=httpx.ByteStream(b"x"),
            headers=[(b"Content-Encoding", header.encode("latin-1"))],  # bytes, as on the wire
        )
    )
    assert result.status == "error"
    assert result.error == f"unsupported content encoding ({shown})"


async def test_an_unexpected_exception_is_an_error_with_a_clean_message(monkeypatch):
    from dealdesk.news import fetch as fetch_module

    async def boom(*args, **kwargs):
        raise RuntimeError("odd\x1b]52;c;ZXZpbA==\x07 " + "y" * 500)

    monkeypatch.setattr(fetch_module, "_fetch", boom)
    async with make_client(LIMITS) as client:
        result = await fetch_feed(client, FeedSpec("m", "https://example.com/"), LIMITS)
    assert result.status == "error"
    assert result.error.startswith("unexpected error (RuntimeError: odd ")
    assert "\x1b" not in result.error and "52;c;" not in result.error
    assert len(result.error) < 260


async def test_in_memory_responses_are_capped_too():
    # Responses built with content= (as tests elsewhere may do) arrive already read.
    small = await mock_fetch(lambda request: httpx.Response(200, content=BODY))
    assert small.status == "ok" and small.body == BODY
    big = await mock_fetch(
        lambda request: httpx.Response(200, content=b"x" * (LIMITS.max_bytes + 1)))
    assert big.error == "too large (> 10 MiB)"


async def test_request_headers_ask_only_for_decodable_encodings():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        return httpx.Response(200, content=BODY)

    await mock_fetch(handler)
    assert seen["accept-encoding"] == "gzip, deflate"
    assert "rss+xml" in seen["accept"]
    assert seen["user-agent"] == LIMITS.user_agent
