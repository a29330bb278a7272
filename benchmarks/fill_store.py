"""Fill a DealDesk store with N items through the project's own Store API.

The items are what a refresh of the benchmark feeds would have stored: feed XML from
feedserver.py, parsed by parse_feed, tagged by EntityMatcher, recorded with Store.record and
their figures with Store.add_signals (as `dealdesk refresh` does). Each feed's last attempt
is `age` ago, so with the default 30-minute interval every feed is due when the dashboard
starts, as on a morning when the laptop was shut all night.

    python benchmarks/fill_store.py STORE_PATH --items 10000 --feeds 50 [--config DIR]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feedserver import feed_xml  # noqa: E402


def feed_names(n: int) -> list[str]:
    return [f"Bench {i:02d}" for i in range(n)]


def fill(
    store_path: Path,
    total: int,
    feeds: list[tuple[str, str]],
    config_dir: Path | None = None,
    age: timedelta = timedelta(hours=12),
    per_batch: int = 50,
) -> int:
    from dealdesk.config import load
    from dealdesk.news.entities import EntityMatcher
    from dealdesk.news.fetch import FetchResult
    from dealdesk.news.parse import parse_feed
    from dealdesk.news.signals import find_figures
    from dealdesk.store import Store

    config = load(config_dir or Path(__file__).resolve().parent.parent / "config")
    matcher = EntityMatcher(config.story.entities())
    fetched = datetime.now(UTC) - age
    stored = 0
    # Generations 1000+ never collide with what the live server sends (0 and churn 1, 2...).
    generation = 1000
    with Store.open(store_path) as store:
        while stored < total:
            for index, (name, url) in enumerate(feeds):
                if stored >= total:
                    break
                n = min(per_batch, total - stored)
                parsed = parse_feed(feed_xml(index, n, generation), name, fetched, url, fetched)
                items = [
                    replace(item, entities=matcher.find(f"{item.title}\n{item.summary}"))
                    for item in parsed.items
                ]
                result = FetchResult(name=name, url=url, status="ok", http_status=200)
                for item_id, item in store.record(result, items, fetched):
                    found = find_figures(f"{item.title}. {item.summary}", matcher)
                    if found:
                        store.add_signals(item_id, found, fetched)
                stored += len(items)
            generation += 1
        return store.count_items()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--base-url", default="http://127.0.0.1:9/feed")
    args = parser.parse_args(argv)
    feeds = [(name, f"{args.base_url}/{i}.xml") for i, name in enumerate(feed_names(args.feeds))]
    print(fill(args.store, args.items, feeds, args.config), "items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
