"""Polite by default: a total limit and a per-host limit on the requests in flight, counted
by a real loopback server. 127.0.0.2, 127.0.0.3 ... stand for other hosts (Linux routes all
of 127/8 to lo), and the server records how many requests each address answers at once."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys

import pytest

from dealdesk import config as C
from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news import early
from dealdesk.news.fetch import fetch_all
from dealdesk.news.hosts import first_wave, host_key, url_host_key
from dealdesk.news.refresh import run_refresh
from tests.conftest import CONFIG_DIR, fixed_clock
from tests.feedserver import feed_server, rss  # noqa: F401

SLOW = 0.5  # seconds each answer takes: long enough for requests to overlap


def limits(**kwargs: object) -> FetchLimits:
    return FetchLimits(connect_timeout_s=5, read_timeout_s=5, deadline_s=20, **kwargs)


def slow_feeds(server, count: int, address: str = "127.0.0.1",
               prefix: str = "f") -> list[FeedSpec]:
    specs = []
    for i in range(count):
        path = f"/{prefix}{i}.xml"
        server.add(path, body=rss([{"title": f"item {i}", "guid": f"{prefix}{i}"}]), delay_s=SLOW)
        specs.append(FeedSpec(f"{prefix} {i}", server.url_on(address, path)))
    return specs


def test_the_defaults_are_a_wide_total_and_six_per_host():
    assert FetchLimits().per_host == 6
    assert FetchLimits().concurrency >= 64
    assert C.load(CONFIG_DIR).settings.limits == FetchLimits()


def test_feeds_sharing_a_host_never_get_more_than_per_host_at_once(feed_server):
    specs = slow_feeds(feed_server, 24)
    results = asyncio.run(fetch_all(specs, limits()))
    assert [r.status for r in results] == ["ok"] * 24
    # The limit is reached (six at once, not one at a time) and never passed.
    assert feed_server.tally.peak == {"127.0.0.1": 6}


def test_feeds_on_distinct_hosts_all_leave_in_one_wave(feed_server):
    specs = []
    for n in range(2, 22):
        specs += slow_feeds(feed_server, 1, f"127.0.0.{n}", prefix=f"h{n}-")
    results = asyncio.run(fetch_all(specs, limits()))
    assert [r.status for r in results] == ["ok"] * 20
    starts = [t for t, _ in feed_server.tally.started]
    assert len(starts) == 20
    # All twenty were being answered before the first answer came back.
    assert max(starts) - min(starts) < SLOW
    assert max(feed_server.tally.peak.values()) == 1


def test_the_total_limit_holds_across_hosts(feed_server):
    specs = []
    for n in range(2, 10):
        specs += slow_feeds(feed_server, 2, f"127.0.0.{n}", prefix=f"t{n}-")
    results = asyncio.run(fetch_all(specs, limits(concurrency=3)))
    assert [r.status for r in results] == ["ok"] * 16
    assert _most_in_flight(feed_server.tally.started, SLOW) <= 3 + 1  # +1: clock overlap


def _most_in_flight(starts: list[tuple[float, str]], duration: float) -> int:
    times = sorted(t for t, _ in starts)
    return max(sum(1 for u in times if t <= u < t + duration * 0.9) for t in times)


def test_a_redirect_counts_against_the_host_it_leads_to(feed_server):
    target = "/target.xml"
    feed_server.add(target, body=rss([{"title": "t", "guid": "t"}]), delay_s=SLOW)
    specs = []
    for n in range(2, 14):  # twelve hosts, each redirecting to 127.0.0.1
        path = f"/r{n}.xml"
        feed_server.add(path, kind="redirect", status=302, location=feed_server.url(target))
        specs.append(FeedSpec(f"r{n}", feed_server.url_on(f"127.0.0.{n}", path)))
    results = asyncio.run(fetch_all(specs, limits(per_host=2)))
    assert [r.status for r in results] == ["ok"] * 12
    assert feed_server.tally.peak["127.0.0.1"] == 2


def test_redirects_between_busy_hosts_cannot_deadlock(feed_server):
    # One slot in all and one per host: a feed redirected to a host another feed waits for
    # lets go of its first slot before it waits for the next.
    feed_server.add("/b.xml", body=rss([{"title": "b", "guid": "b"}]))
    feed_server.add("/a.xml", kind="redirect", status=302, location=feed_server.url("/b.xml"))
    specs = [FeedSpec("a", feed_server.url_on("127.0.0.2", "/a.xml")),
             FeedSpec("b", feed_server.url("/b.xml")),
             FeedSpec("c", feed_server.url_on("127.0.0.2", "/a.xml"))]

    async def bounded() -> list:
        return await asyncio.wait_for(fetch_all(specs, limits(concurrency=1, per_host=1)), 15)

    assert [r.status for r in asyncio.run(bounded())] == ["ok"] * 3


@pytest.mark.parametrize(("host", "key"), [
    ("Example.COM", "example.com"), ("example.com.", "example.com"),
    ("[::1]", "::1"), ("bücher.example", "xn--bcher-kva.example"),
])
def test_a_host_is_one_key_whatever_its_spelling(host, key):
    assert host_key(host) == key


def test_scheme_and_port_do_not_make_another_host():
    keys = {url_host_key(u) for u in ("http://News.Example/a", "https://news.example:8443/b",
                                      "HTTP://news.example:80/c")}
    assert keys == {"news.example"}
    assert url_host_key("ftp://x") == ""


def test_the_first_wave_respects_both_limits():
    keys = ["a", "a", "a", "b", "c", "a", "d"]
    assert first_wave(list(range(7)), keys, total=4, per_host=2) == [0, 1, 3, 4]
    assert first_wave(list(range(7)), keys, total=10, per_host=1) == [0, 3, 4, 6]


def test_the_head_start_sends_no_more_than_per_host_to_one_host(feed_server, tmp_path):
    specs = slow_feeds(feed_server, 24)
    head_start = early.start(specs, {}, limits(per_host=3))
    assert len(head_start) == 3
    report = run_refresh(specs, tmp_path / "s.sqlite3", limits(per_host=3), {}, fixed_clock,
                         force=True, enrich=False, head_start=head_start)
    assert [o.status for o in report.outcomes] == ["ok"] * 24
    assert feed_server.tally.peak == {"127.0.0.1": 3}
    assert len(feed_server.requests()) == 24  # each early request taken over, none twice


def test_dealdesk_refresh_is_polite_from_its_first_request(feed_server, tmp_path):
    # A subprocess: the head start sends before httpx loads, and must keep to the limits.
    specs = slow_feeds(feed_server, 12)
    for n in range(2, 10):
        specs += slow_feeds(feed_server, 1, f"127.0.0.{n}", prefix=f"h{n}-")
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    settings = cfg / "dealdesk.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "per_host = 6", "per_host = 4"), encoding="utf-8")
    (cfg / "feeds.toml").write_text("".join(
        f'[[feed]]\nname = "{s.name}"\nurl = "{s.url}"\n\n' for s in specs), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "dealdesk.cli", "refresh", "--config", str(cfg),
         "--data", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "20 feeds, 20 new items, 0 failed" in proc.stdout
    assert feed_server.tally.peak["127.0.0.1"] == 4
    assert max(v for k, v in feed_server.tally.peak.items() if k != "127.0.0.1") == 1
    # The other hosts did not wait behind the busy one.
    first = {host: t for t, host in reversed(feed_server.tally.started)}
    start = min(first.values())
    assert all(first[f"127.0.0.{n}"] - start < SLOW for n in range(2, 10))
