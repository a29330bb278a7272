"""The benchmark's feed server (benchmarks/feedserver.py) serves every feed on a loopback
address of its own and counts, per address, the most requests it answered at once: the
figure `make bench` reports as "the most requests one host saw at once"."""

from __future__ import annotations

import http.client
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import feedserver


@pytest.fixture
def served() -> Iterator[tuple[feedserver.FeedState, int]]:
    state = feedserver.FeedState(n_feeds=8, n_items=2, delay=0.3, churn_delay=0.3)
    servers = feedserver.listen(state, hosts=3)
    stop = threading.Event()
    thread = threading.Thread(target=feedserver.serve, args=(servers, stop), daemon=True)
    thread.start()
    try:
        yield state, servers[0].server_address[1]
    finally:
        stop.set()
        thread.join(5)
        for server in servers:
            server.server_close()


def get(host: str, port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_loopback_addresses_are_distinct_and_skip_network_and_broadcast_endings():
    addresses = feedserver.loopback_addresses(600)
    assert addresses[:2] == ["127.0.0.2", "127.0.0.3"]
    assert len(set(addresses)) == 600
    assert not any(a.endswith((".0", ".255")) for a in addresses)
    assert all(a.startswith("127.") for a in addresses)


def test_bench_server_counts_the_most_requests_each_address_answered_at_once(served):
    _, port = served
    one, two, three = feedserver.loopback_addresses(3)
    wanted = [(one, i) for i in range(4)] + [(two, 4)]
    codes: list[int] = []
    threads = [threading.Thread(target=lambda h=h, i=i: codes.append(
        get(h, port, f"/feed/{i}.xml")[0])) for h, i in wanted]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert codes == [200] * 5
    status, body = get("127.0.0.1", port, "/stats?reset=1")
    stats = json.loads(body)
    assert status == 200
    assert stats["status"] == {"200": 5}
    # Four overlapping requests (each takes 0.3 s) to one address, one to another; none to
    # the third, and /stats itself is not a feed request.
    assert stats["max_in_flight"] == {one: 4, two: 1}
    assert three not in stats["max_in_flight"]
    assert isinstance(stats["first_request"], float)
    status, body = get("127.0.0.1", port, "/stats")
    assert json.loads(body) == {"status": {}, "max_in_flight": {}, "first_request": None}


def test_bench_server_answers_every_feed_on_every_address(served):
    _, port = served
    for host in ["127.0.0.1", *feedserver.loopback_addresses(3)]:
        assert get(host, port, "/feed/7.xml")[0] == 200
    assert get("127.0.0.1", port, "/feed/8.xml")[0] == 404
