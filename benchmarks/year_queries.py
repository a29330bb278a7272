"""The store's side of the dashboard's reads on a big store (for year_bench.py).

Prints one JSON object: for each measure, the list of times in seconds. Run by year_bench.py
in its own process per store size, so one size's caches never help the next.

    python benchmarks/year_queries.py STORE CONFIG_DIR

What is timed (perf_counter):
  search_store   what the `/` search worker does for one query: Store.open, search_shown
                 (200 rows), the rows formatted for the table (view.news_line, news_view).
  store_read     everything the dashboard reads from the store at start and after every
                 commit (tui.newsroom._read_store's queries, the inbox closed), and the rows
                 formatted for News.
  partner_store  the same read with News filtered to a partner (enter on a partner).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# 20 queries: common words, rare ones, a made-up tail word, several words, partner names,
# a prefix as typed, and one that finds nothing.
QUERIES = (
    "ai", "data center", "nvidia", "oracle", "cerebras", "abilene", "stargate texas",
    "weekly active users", "gigawatt", "power grid", "microsoft azure", "broadcom chips",
    "lordstown", "luleå", "tarragona", "coreweave contract", "nuclear permit", "infer",
    "dorxoquiste", "zyxwvu nothing",
)
PARTNER_FILTERS = ("Nvidia", "Microsoft", "Oracle", "Cerebras")


def store_side(store_path: Path, config: Any) -> dict[str, list[float]]:
    from dealdesk import view as V
    from dealdesk.store import NewsQuery, Store
    from dealdesk.text.filters import exclusions

    now = datetime.now(UTC)
    hide = exclusions(config.settings.news_exclude, config.feeds).rules()
    out: dict[str, list[float]] = {"search_store": [], "search_hits": [], "store_read": [],
                                   "partner_store": []}
    for query in QUERIES:
        start = time.perf_counter()
        with Store.open(store_path) as store:
            items = store.search_shown(query, NewsQuery(hide=hide), limit=200)
        lines = [V.news_line(i) for i in items]
        V.news_view(lines, now)
        out["search_store"].append(time.perf_counter() - start)
        out["search_hits"].append(len(items))

    def read(query: NewsQuery) -> float:
        start = time.perf_counter()
        with Store.open(store_path) as store:
            items = store.news_page(query, 200)
            store.count_news(query)
            store.count_news(replace(query, unread_only=True))
            store.count_hidden(query)
            store.unread_by_feed(query.hide)
            store.unread_by_entity(query.hide)
            store.feed_states(config.feeds)
            store.signal_counts_shown("new", query.hide)
            store.count_pending()
            store.signals("accepted")
        V.news_view([V.news_line(i) for i in items], now)
        return time.perf_counter() - start

    for _ in range(3):
        out["store_read"].append(read(NewsQuery(hide=hide)))
    for partner in PARTNER_FILTERS:
        out["partner_store"].append(read(NewsQuery(entity=partner, hide=hide)))
    return out


def main(argv: list[str] | None = None) -> int:
    from dealdesk.config import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("config", type=Path)
    args = parser.parse_args(argv)
    config = load(args.config)
    result: dict[str, Any] = store_side(args.store, config)
    result["queries"] = list(QUERIES)
    result["partners"] = list(PARTNER_FILTERS)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
