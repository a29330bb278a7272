"""Throughput of parse_feed against plain feedparser on the same 10,000-item RSS document.

Run: .venv/bin/python benchmarks/parse_bench.py [items]
Prints items/s for both and the ratio. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import io
import sys
import time
from datetime import UTC, datetime

import feedparser

from dealdesk.news.parse import parse_feed


def make_rss(n: int) -> bytes:
    items = []
    for i in range(n):
        items.append(
            f"""<item>
  <title>Nvidia and OpenAI expand partnership, story {i} &amp; more</title>
  <link>https://news.example.com/2025/09/story-{i}.html</link>
  <guid isPermaLink="false">story-{i}</guid>
  <pubDate>Tue, 23 Sep 2025 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate>
  <description>&lt;p&gt;Nvidia will invest up to &lt;b&gt;$100 billion&lt;/b&gt; in OpenAI as
  each gigawatt is deployed. The first 1 GW comes online in the second half of 2026.
  &lt;a href="https://news.example.com/{i}"&gt;Read more&lt;/a&gt;&lt;/p&gt;</description>
</item>"""
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Bench</title><link>https://news.example.com/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = make_rss(n)
    now = datetime(2025, 9, 24, tzinfo=UTC)

    ours = parse_feed(data, "bench", now, "https://news.example.com/feed")
    theirs = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    assert len(ours.items) == n == len(theirs.entries), (len(ours.items), len(theirs.entries))
    assert ours.parser == "fast"

    t_ours = best_of(5, lambda: parse_feed(data, "bench", now, "https://news.example.com/feed"))
    t_fp = best_of(
        2,
        lambda: feedparser.parse(
            io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False
        ),
    )
    print(f"document: {n} items, {len(data) / 1e6:.1f} MB")
    print(f"parse_feed : {n / t_ours:>10,.0f} items/s ({t_ours * 1000:.0f} ms)")
    print(f"feedparser : {n / t_fp:>10,.0f} items/s ({t_fp * 1000:.0f} ms)")
    print(f"ratio      : {t_fp / t_ours:.1f}x faster")


if __name__ == "__main__":
    main()
