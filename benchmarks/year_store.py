"""A year of news in a DealDesk store, filled through the Store API, grown and cached.

Items from `feeds` feeds published over `days` days back from a fixed end date, with titles
and summaries drawn from word lists by a seeded RNG (a Zipf-like vocabulary: a few words in
most items, most words in few), partner names at varied rates (Nvidia in ~8 % of items,
Cerebras in ~0.3 %), and a figure sentence in ~10 % of items about a tracked fact (ChatGPT's
weekly users, a partner's $ or GW), so that 1,000,000 items give ~100,000 signals.

Each batch goes in as a refresh stores it: the items tagged with the story's EntityMatcher
and recorded with Store.record_many (one transaction per batch of feeds; the search index is
filled by the store's own trigger), then the figures the shipped figure finder reads in them
with Store.add_signals_many. One store per size, each a whole year filled in the order
refreshes would have stored it (ids follow dates, as in a real archive; a store grown
10k -> 100k -> 1M would either not span the year at 10k or hold its ids out of date order),
cached with a manifest saying what each holds:

    CACHE/year/<key>/manifest.json
    CACHE/year/<key>/items-10000/dealdesk.sqlite3 ...

CACHE is --cache, else $DEALDESK_BENCH_CACHE, else ~/.cache/dealdesk-bench.

    python benchmarks/year_store.py [--sizes 10000,100000,1000000] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_CACHE = Path(os.environ.get("DEALDESK_BENCH_CACHE")
                     or Path.home() / ".cache" / "dealdesk-bench")
VERSION = 3  # bump when the generator changes what it writes: the cache key changes too


@dataclass(frozen=True)
class Params:
    feeds: int = 500
    days: int = 365
    end: str = "2026-12-01T00:00:00+00:00"  # newest possible item; fixed, so caches agree
    seed: int = 16
    figure_rate: float = 0.10  # items carrying a figure sentence about a tracked fact
    version: int = VERSION

    def key(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


# --- the words ---------------------------------------------------------------------------

COMMON = (
    "ai compute data center chips deal cloud capacity power model training inference "
    "market investors billion growth demand supply energy grid servers racks cooling "
    "startup revenue contract shares stock analysts report quarter earnings plans build "
    "expansion partnership agreement sites construction gigawatt megawatt network fiber "
    "regulators policy export semiconductor foundry wafer memory bandwidth accelerator "
    "platform enterprise customers software developers agents reasoning benchmark "
    "launch release update outage pricing subscription users adoption europe asia texas "
    "ohio arizona nuclear solar gas turbines substation permit lawsuit antitrust filing"
).split()
RARE = (
    "abilene lordstown milam shackelford dona ana michigan saline wisconsin port "
    "washington norway narvik stargate uae emirates jupiter vera rubin blackwell grace "
    "hopper mi450 tpu trainium inferentia ironwood colossus memphis hyperion prometheus "
    "fairwater atlanta mount pleasant quincy kenosha lancaster tarragona sines "
    "kristiansand luleå"
).split()
VERBS = ("announces", "signs", "expands", "delays", "weighs", "unveils", "doubles", "cuts",
         "raises", "secures", "plans", "confirms", "denies", "eyes", "boosts", "pauses")
# Partner names (or an alias the matcher knows) and how often an item mentions each.
PARTNERS = (("Nvidia", 0.08), ("Microsoft", 0.06), ("Oracle", 0.04), ("AMD", 0.03),
            ("Broadcom", 0.02), ("CoreWeave", 0.015), ("Amazon", 0.01), ("SoftBank", 0.01),
            ("Azure", 0.01), ("Cerebras", 0.003))
# Figure sentences the shipped figure finder reads, each about a pair the inbox lists.
FIGURES = (
    ("ChatGPT reaches {n} million weekly active users", lambda r: r.randint(300, 1500)),
    ("{p} commits ${n} billion to OpenAI", lambda r: r.randint(1, 500)),
    ("{p} to deploy {n} GW for OpenAI", lambda r: round(r.uniform(0.1, 20), 1)),
)
FIGURE_PARTNERS = ("Nvidia", "Microsoft", "Oracle", "AMD", "Broadcom", "CoreWeave", "Amazon",
                   "Cerebras")
SYLLABLES = ("ka ro mi ta len dor vex qui shan bel tor nu pra zel mo ri fa gon ste lu "
             "ver da xo pel tri cas nor win").split()


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Made-up words, most of them rare: the long tail of a real archive's vocabulary."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Writer:
    """Titles and summaries from a seeded RNG; the same seed gives the same archive."""

    def __init__(self, seed: int, figure_rate: float) -> None:
        self.rng = random.Random(seed)
        self.figure_rate = figure_rate
        tail = vocabulary(random.Random(seed + 1))
        self.words = COMMON + RARE + tail
        # Zipf-like weights: the k-th word about 1/k^0.9 as frequent as the first, so the
        # news words are in most items and the made-up tail's last words in ~0.1 %.
        self.cum = list(_accumulate([1.0 / (1 + rank) ** 0.9
                                     for rank in range(len(self.words))]))

    def _words(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def item(self) -> tuple[str, str]:
        rng = self.rng
        names = [name for name, rate in PARTNERS if rng.random() < rate]
        subject = names[0] if names else rng.choice(("OpenAI", "Analysts", "Investors",
                                                       "Regulators", "Hyperscalers"))
        title = " ".join([subject, rng.choice(VERBS), *self._words(rng.randint(4, 9))])
        title = title[:1].upper() + title[1:]
        body = self._words(rng.randint(20, 40))
        for name in names[1:]:
            body.insert(rng.randrange(len(body) + 1), name)
        summary = " ".join(body).capitalize() + "."
        if rng.random() < self.figure_rate:
            template, number = rng.choice(FIGURES)
            sentence = template.format(p=rng.choice(FIGURE_PARTNERS), n=number(rng))
            summary = f"{sentence}. {summary}"
        return title, summary


def _accumulate(values: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def feed_names(n: int) -> list[str]:
    return [f"Year {i:03d}" for i in range(n)]


def feed_weights(n: int, rng: random.Random) -> list[float]:
    """Some feeds publish a lot (wires), most a little: a long-tailed share per feed."""
    return [rng.paretovariate(1.2) for _ in range(n)]


# --- the fill ----------------------------------------------------------------------------


class Filler:
    """Fills one store through the Store API, a year of refreshes in the order they happen:
    items arrive a few minutes to a few hours after they are published, round by round, so
    ids follow dates as in a store that refreshes have grown."""

    BATCH_ITEMS = 10_000  # items per transaction (record_many), each feed's share <= 500

    def __init__(self, path: Path, params: Params, config_dir: Path | None = None) -> None:
        from dealdesk.config import load
        from dealdesk.news.enrich import figure_finder
        from dealdesk.news.entities import EntityMatcher
        from dealdesk.store import Store

        self.params = params
        story = load(config_dir or ROOT / "config").story
        self.matcher = EntityMatcher(story.entities())
        self.finder = figure_finder(self.matcher, story.company,
                                    [p.name for p in story.partners])
        self.store = Store.open(path)
        self.path = path
        rng = random.Random(params.seed)
        self.names = feed_names(params.feeds)
        self.cum_feeds = list(_accumulate(feed_weights(params.feeds, rng)))
        self.writer = Writer(params.seed, params.figure_rate)
        self.end = datetime.fromisoformat(params.end)
        self.signals = 0
        self.seconds = 0.0

    def close(self) -> None:
        self.store.close()

    ROUND_MINUTES = 30  # the shipped refresh_minutes: each round stores what it found

    def fill(self, total: int, log: bool = True) -> None:
        """`total` items published over the year, stored as refreshes every 30 minutes
        would have: each round the items published (and seen by their feed) since the last
        one, feed by feed, each feed's newest first."""
        from dealdesk.model import FetchResult, NewsItem

        start = time.perf_counter()
        rng = random.Random(self.params.seed + 3)
        span = self.params.days * 86400.0
        round_s = self.ROUND_MINUTES * 60
        feed_of = self.writer.rng.choices(range(len(self.names)), cum_weights=self.cum_feeds,
                                          k=total)
        # (round, feed, -published): the order the rounds store the items in.
        plan = []
        for serial in range(total):
            ago = rng.random() * span
            seen = max(0.0, ago - rng.uniform(5, 240) * 60)  # the feed lists it a bit later
            plan.append((int((span - seen) // round_s), feed_of[serial], ago, serial))
        plan.sort(key=lambda p: (p[0], p[1], p[2]))
        done = 0
        while done < total:
            chunk = plan[done:done + self.BATCH_ITEMS]
            outcomes: list[tuple[Any, list[NewsItem], datetime]] = []
            last: tuple[int, int] | None = None
            fetched = self.end
            for round_no, feed, ago, serial in chunk:
                title, summary = self.writer.item()
                if (round_no, feed) != last:
                    last = (round_no, feed)
                    fetched = min(self.end, self.end - timedelta(seconds=span)
                                  + timedelta(seconds=(round_no + 1) * round_s))
                    result = FetchResult(name=self.names[feed],
                                         url=f"http://127.0.0.1:9/year/{feed}.xml",
                                         status="ok", http_status=200)
                    outcomes.append((result, [], fetched))
                published = (self.end - timedelta(seconds=ago)).replace(microsecond=0)
                outcomes[-1][1].append(NewsItem(
                    feed=self.names[feed], guid=f"year-{serial}", title=title,
                    link=f"https://news{feed}.example.com/{serial}",
                    published=published, summary=summary,
                    entities=self.matcher.find(f"{title}\n{summary}"),
                ))
            found = []
            for stored in self.store.record_many(outcomes):
                if isinstance(stored, Exception):
                    raise stored
                for item_id, item in stored:
                    figures = self.finder(item.title, item.summary)
                    if figures:
                        found.append((item_id, figures))
            self.signals += self.store.add_signals_many(found, fetched)
            done += len(chunk)
            if log and (done // self.BATCH_ITEMS) % 10 == 0:
                rate = done / (time.perf_counter() - start)
                print(f"[fill] {done:,} items, {rate:,.0f} items/s", flush=True)
        self.seconds += time.perf_counter() - start


def cache_dir(cache: Path, params: Params) -> Path:
    return cache / "year" / params.key()


def store_path(cache: Path, params: Params, size: int) -> Path:
    return cache_dir(cache, params) / f"items-{size}" / "dealdesk.sqlite3"


def read_manifest(cache: Path, params: Params) -> dict:
    path = cache_dir(cache, params) / "manifest.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"params": asdict(params), "sizes": {}}


def write_manifest(cache: Path, params: Params, manifest: dict) -> None:
    path = cache_dir(cache, params) / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, path)


def cached_sizes(cache: Path, params: Params) -> dict[int, dict]:
    """The sizes the cache holds a finished store for (manifest entry and file present)."""
    manifest = read_manifest(cache, params)
    if manifest.get("params") != asdict(params):
        return {}
    return {int(size): entry for size, entry in manifest["sizes"].items()
            if store_path(cache, params, int(size)).exists()}


def ensure_stores(sizes: Sequence[int], params: Params, cache: Path) -> dict[int, dict]:
    """Fill (or reuse) one store per size, each a whole year; each size's manifest entry."""
    have = cached_sizes(cache, params)
    manifest = read_manifest(cache, params)
    manifest["params"] = asdict(params)
    for size in sorted(set(sizes)):
        if size in have:
            continue
        target = store_path(cache, params, size)
        work = target.with_name("filling")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        filler = Filler(work / target.name, params)
        try:
            filler.fill(size)
        finally:
            filler.close()
        with sqlite3.connect(work / target.name) as conn:  # one self-contained file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        entry = {
            "items": size, "signals": _count(work / target.name, "signals"),
            "fill_seconds": round(filler.seconds, 1),
            "items_per_second": round(size / filler.seconds),
            "filled_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        shutil.move(work / target.name, target)
        shutil.rmtree(work, ignore_errors=True)
        manifest["sizes"][str(size)] = entry
        write_manifest(cache, params, manifest)
        print(f"[fill] {size:,} items: {entry}", flush=True)
    return {size: manifest["sizes"][str(size)] for size in sizes}


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    for size, entry in ensure_stores(sizes, Params(), args.cache).items():
        print(size, entry)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
