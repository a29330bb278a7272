"""run_refresh end to end over the loopback server: fetch, parse, tag, store."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news import parse as parse_module
from dealdesk.news.enrich import EnrichReport, figure_finder
from dealdesk.news.entities import EntityMatcher
from dealdesk.news.refresh import FeedOutcome, run_refresh
from dealdesk.store import Store, StoreError
from tests.feedserver import Route, closed_port, feed_server, no_proxy_env, rss  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_proxy_env")

T0 = datetime(2025, 9, 24, 12, 0, tzinfo=UTC)
LIMITS = FetchLimits(deadline_s=5, connect_timeout_s=2, read_timeout_s=2)
ENTITIES = {"Nvidia": ["NVDA"], "OpenAI": ["ChatGPT"], "Oracle": ["OCI"]}

WIRE = rss(
    [
        {"title": "Nvidia to invest up to $100 billion in OpenAI", "guid": "w1",
         "link": "https://wire.example.com/1", "pubDate": "Mon, 22 Sep 2025 16:00:00 GMT",
         "description": "<p>The first gigawatt in 2026.</p>"},
        {"title": "ChatGPT reaches 700 million weekly users", "guid": "w2",
         "link": "https://wire.example.com/2", "pubDate": "Tue, 23 Sep 2025 09:00:00 GMT"},
        {"title": "Markets close higher", "guid": "w3",
         "link": "https://wire.example.com/3", "pubDate": "Tue, 23 Sep 2025 20:00:00 GMT"},
    ]
)
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Cloud</title>
<entry><title>OCI capacity for Stargate</title><id>c1</id><link href="https://cloud.example.org/c1"/>
<updated>2025-09-23T12:00:00Z</updated><summary>Oracle adds capacity</summary></entry>
</feed>"""


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def specs_for(server) -> list[FeedSpec]:
    return [
        FeedSpec("wire", server.add("/wire.xml", body=WIRE, etag='"w1"')),
        FeedSpec("cloud", server.add("/cloud.atom", body=ATOM,
                                     last_modified="Tue, 23 Sep 2025 12:00:00 GMT")),
        FeedSpec("down", server.add("/down.xml", kind="status", status=503, retry_after="600")),
        FeedSpec("html", server.add("/page", body=b"<!DOCTYPE html><html><body>Moved</body></html>",
                                    content_type="text/html")),
        FeedSpec("refused", f"http://127.0.0.1:{closed_port()}/feed.xml"),
    ]


def test_good_and_bad_feeds_end_to_end(feed_server, tmp_path):
    specs = specs_for(feed_server)
    store_path = tmp_path / "data" / "dealdesk.db"
    clock = Clock(T0)
    progress: list[tuple[int, int, FeedOutcome]] = []

    report = run_refresh(specs, store_path, LIMITS, ENTITIES, clock,
                         on_progress=lambda d, t, o: progress.append((d, t, o)))

    by_name = {o.name: o for o in report.outcomes}
    assert [o.name for o in report.outcomes] == [s.name for s in specs]
    assert (by_name["wire"].status, by_name["wire"].new_items) == ("ok", 3)
    assert (by_name["cloud"].status, by_name["cloud"].new_items) == ("ok", 1)
    assert by_name["down"].error == "HTTP 503" and by_name["down"].http_status == 503
    assert by_name["html"].error == "not a feed (looks like HTML)"
    assert by_name["refused"].error == "connection refused"
    assert report.failed == 3
    assert [d for d, _, _ in progress] == [1, 2, 3, 4, 5]
    assert {t for _, t, _ in progress} == {5}

    with Store.open(store_path) as store:
        items = {i.title: i for i in store.latest_items()}
        nvidia = items["Nvidia to invest up to $100 billion in OpenAI"]
        assert nvidia.entities == ("Nvidia", "OpenAI")
        assert items["ChatGPT reaches 700 million weekly users"].entities == ("OpenAI",)
        assert items["OCI capacity for Stargate"].entities == ("Oracle",)
        assert items["Markets close higher"].entities == ()
        big_deal = items["Nvidia to invest up to $100 billion in OpenAI"]
        assert big_deal.summary == "The first gigawatt in 2026."
        states = {s.name: s for s in store.feed_states()}
        assert states["down"].status == "error" and states["down"].error == "HTTP 503"
        assert states["down"].next_retry == T0 + timedelta(minutes=10)  # Retry-After: 600
        assert states["html"].etag is None  # an error page's validators are not kept
        assert states["wire"].etag == '"w1"' and states["wire"].items == 3


def test_second_run_is_conditional_and_a_newly_broken_feed_keeps_its_items(
    feed_server, tmp_path, monkeypatch
):
    specs = specs_for(feed_server)[:2]
    store_path = tmp_path / "dealdesk.db"
    clock = Clock(T0)
    run_refresh(specs, store_path, LIMITS, ENTITIES, clock)
    parsed_feeds = []
    real_parse = parse_module.parse_feed
    monkeypatch.setattr(parse_module, "parse_feed",
                        lambda data, feed, *a: (parsed_feeds.append(feed)
                                                or real_parse(data, feed, *a)))

    # The wire now fails with a page that is not a feed; the cloud feed is unchanged.
    feed_server.add("/wire.xml", Route(body=b"<html><body>Maintenance</body></html>",
                                       content_type="text/html"))
    clock.now = T0 + timedelta(hours=1)
    report = run_refresh(specs, store_path, LIMITS, ENTITIES, clock)
    by_name = {o.name: o for o in report.outcomes}
    assert by_name["cloud"].status == "not_modified" and by_name["cloud"].new_items == 0
    assert parsed_feeds == ["wire"]  # a 304 costs no parse
    assert by_name["wire"].status == "error"
    assert by_name["wire"].error == "not a feed (looks like HTML)"
    assert report.failed == 1
    cloud_request = feed_server.requests("/cloud.atom")[-1]
    assert cloud_request.headers["if-modified-since"] == "Tue, 23 Sep 2025 12:00:00 GMT"
    wire_request = feed_server.requests("/wire.xml")[-1]
    assert wire_request.headers["if-none-match"] == '"w1"'

    with Store.open(store_path) as store:
        states = {s.name: s for s in store.feed_states()}
        assert states["wire"].status == "error" and states["wire"].items == 3
        assert states["wire"].last_success == T0 and states["wire"].failures == 1
        assert store.count_items() == 4


def test_not_forced_skips_feeds_that_are_not_due(feed_server, tmp_path):
    specs = specs_for(feed_server)[:3]
    store_path = tmp_path / "dealdesk.db"
    clock = Clock(T0)
    run_refresh(specs, store_path, LIMITS, ENTITIES, clock)
    seen = len(feed_server.requests())

    clock.now = T0 + timedelta(minutes=5)
    report = run_refresh(specs, store_path, LIMITS, ENTITIES, clock, force=False)
    assert report.outcomes == [] and set(report.skipped) == {"wire", "cloud", "down"}
    assert len(feed_server.requests()) == seen

    clock.now = T0 + timedelta(minutes=11)  # past the 503's Retry-After, not the 30 min
    report = run_refresh(specs, store_path, LIMITS, ENTITIES, clock, force=False)
    assert [o.name for o in report.outcomes] == ["down"]


def test_figures_become_signals_and_a_broken_extractor_loses_nothing(feed_server, tmp_path):
    specs = specs_for(feed_server)[:1]
    store_path = tmp_path / "dealdesk.db"

    def figures(title, summary):
        if "ChatGPT" in title:
            raise RuntimeError("extractor bug")
        if "$100 billion" in title:
            return [{"metric": "commitment_usd", "value": 100e9, "unit": "USD",
                     "subject": "Nvidia", "quote": "up to $100 billion"}]
        return []

    report = run_refresh(specs, store_path, LIMITS, ENTITIES, Clock(T0), figures=figures)
    # Stored and kept, but the feed reports the failure (issue 13: any step, its error)
    assert report.outcomes[0].new_items == 3 and report.failed == 1
    assert report.outcomes[0].error == (
        "enrichment failed: unexpected error (RuntimeError: extractor bug)")
    assert report.enriched == EnrichReport(items=3, signals=1)
    with Store.open(store_path) as store:
        (signal,) = store.signals()
        assert (signal.metric, signal.value, signal.state) == ("commitment_usd", 100e9, "new")
        assert signal.news_title == "Nvidia to invest up to $100 billion in OpenAI"
        assert store.count_items() == 3
        assert store.count_pending() == 0  # the item whose extractor failed is not retried


def test_without_enrichment_items_wait_for_the_next_pass(feed_server, tmp_path):
    """A headless refresh stores first; the next refresh (or dump) tags and finds figures."""
    specs = specs_for(feed_server)[:2]
    store_path = tmp_path / "dealdesk.db"
    report = run_refresh(specs, store_path, LIMITS, ENTITIES, Clock(T0),
                         figures=figure_finder(EntityMatcher(ENTITIES)), enrich=False)
    assert [o.new_items for o in report.outcomes] == [3, 1]
    assert report.enriched == EnrichReport()
    with Store.open(store_path) as store:
        assert store.count_pending() == 4
        assert all(item.entities == () for item in store.latest_items())
        assert store.signals() == []

    # Nothing new on the wire, yet the pending items are enriched by the next refresh.
    report = run_refresh(specs, store_path, LIMITS, ENTITIES, Clock(T0 + timedelta(hours=1)),
                         figures=figure_finder(EntityMatcher(ENTITIES)))
    assert [o.new_items for o in report.outcomes] == [0, 0]
    assert report.enriched.items == 4 and report.enriched.signals >= 2
    with Store.open(store_path) as store:
        assert store.count_pending() == 0
        items = {i.title: i for i in store.latest_items()}
        assert items["Nvidia to invest up to $100 billion in OpenAI"].entities == (
            "Nvidia", "OpenAI")
        found = {(s.metric, s.value, s.subject) for s in store.signals()}
        assert ("commitment_usd", 100e9, "Nvidia") in found
        assert ("weekly_active_users", 700e6, "OpenAI") in found


def test_parsing_runs_off_the_event_loop_thread(feed_server, tmp_path, monkeypatch):
    threads = []
    real_parse = parse_module.parse_feed

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(parse_module, "parse_feed", spy)
    run_refresh(specs_for(feed_server)[:2], tmp_path / "d.db", LIMITS, ENTITIES, Clock(T0))
    assert len(threads) == 2
    assert threading.current_thread() not in threads  # asyncio.run's loop is on this thread


def test_runs_from_a_worker_thread_like_the_tui(feed_server, tmp_path):
    results = []
    worker = threading.Thread(
        target=lambda: results.append(
            run_refresh(specs_for(feed_server)[:1], tmp_path / "d.db", LIMITS, ENTITIES, Clock(T0))
        )
    )
    worker.start()
    worker.join(timeout=20)
    assert results and results[0].outcomes[0].new_items == 3


def test_mock_transport_can_stand_in_for_the_network(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ok.xml":
            return httpx.Response(200, content=WIRE)
        return httpx.Response(404)

    specs = [FeedSpec("ok", "https://feeds.test/ok.xml"), FeedSpec("gone", "https://feeds.test/x")]
    report = run_refresh(specs, tmp_path / "d.db", LIMITS, ENTITIES, Clock(T0),
                         transport=httpx.MockTransport(handler))
    assert [(o.name, o.status, o.new_items, o.error) for o in report.outcomes] == [
        ("ok", "ok", 3, None), ("gone", "error", 0, "HTTP 404 not found")
    ]


def test_an_unusable_store_is_reported_before_any_fetch(feed_server, tmp_path):
    bad = tmp_path / "dealdesk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    specs = specs_for(feed_server)[:1]
    with pytest.raises(StoreError):
        run_refresh(specs, bad, LIMITS, ENTITIES, Clock(T0))
    assert feed_server.requests() == []


def test_a_feed_that_cannot_be_stored_fails_alone(feed_server, tmp_path):
    """Feeds that answer together share a transaction; one that fails to store is undone
    alone, reported as a store error, and the others keep what they fetched."""
    specs = specs_for(feed_server)[:3]
    store_path = tmp_path / "dealdesk.db"
    Store.open(store_path).close()
    with closing(sqlite3.connect(store_path)) as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON items WHEN new.feed = 'cloud' "
                     "BEGIN SELECT RAISE(ABORT, 'disk is full'); END")
        conn.commit()

    report = run_refresh(specs, store_path, LIMITS, ENTITIES, Clock(T0), enrich=False)

    by_name = {o.name: o for o in report.outcomes}
    assert (by_name["wire"].status, by_name["wire"].new_items) == ("ok", 3)
    assert by_name["cloud"].status == "error"
    assert by_name["cloud"].error == "store error (disk is full)"
    assert by_name["down"].error == "HTTP 503"
    with Store.open(store_path) as store:
        assert {s.name for s in store.feed_states()} == {"wire", "down"}
        assert store.count_items() == 3
