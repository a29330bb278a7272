#!/usr/bin/env python3
"""A year of news: DealDesk at 10k, 100k and 1M stored items, and newsboat beside it.

    make bench-year                        # fills (or reuses) the stores, measures, writes
                                           # benchmarks/RESULTS-year.md and year.png
    .venv/bin/python benchmarks/year_bench.py --sizes 10000 --reps 2 --no-newsboat

The stores (year_store.py: 500 feeds, 365 days, entities, ~10 % of items with a figure, so
100,000 signals at 1M, the search index) are filled once through the Store API and cached
in --cache (make bench-year: BENCH_CACHE; else $DEALDESK_BENCH_CACHE, else
~/.cache/dealdesk-bench) with a manifest; a run whose parameters match reuses them. Every
measure runs on a scratch copy of the cached store.

The dashboard runs as shipped: the repository's config/ with only feeds.toml replaced by
the 500 bench feeds, whose URLs point at a closed loopback port (127.0.0.1:9): the start-up
refresh fails at once for every feed, without traffic, and stores nothing.

Measured at each size, in a real pty at 120x40 (benchmarks/pty_screen.py), each time from
the moment the key is written to the arrival of the output that shows the result:
  paint       launch -> facts on screen ("Partners" and "Nvidia"), against the bare Textual
              app (bare_app.py), alternating, --reps each after one untimed start of each;
              ratio of the medians <= 1.3x.
  news        launch -> stored news rows on screen (informative).
  rss         the dashboard's peak RSS over a session (launch, paint, stored news, start-up
              refresh over, quit) <= 150 MB, the dashboard and its refresh process (wait4's
              ru_maxrss); once more for a user back after a day (a last-seen file: the
              "since you last looked" pass runs as well), informative.
  search      `/`, the query typed, then enter (which searches at once, without the 0.25 s
              pause typing waits for) -> the status line "N items match 'query'", the
              results table drawn with it; p95 over 20 queries <= 50 ms. The store's own
              part (open, query, rows formatted) is timed apart (year_queries.py).
  partner     enter on a partner in Partners (its details open; escape closes them) -> the
              News panel's title names the partner (its items read and drawn); escape on
              the dashboard -> all news again.
  scroll      `j` in the News panel, 150 times: each key -> its frame (p50 / p95).
  inbox       `s` -> the Signals inbox's first page (100,000 signals at 1M) <= 0.5 s.
  dump        `dealdesk dump --format json` wall time and output size.
  size        the store on disk (database and WAL).
  newsboat    `newsboat` started on a cache holding the same items (500 feeds) -> its feed
              list drawn ("Your feeds" in the title), in the same pty.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

COLS, ROWS = 120, 40
CLOSED_PORT = 9  # discard: nothing listens on loopback, so every fetch is refused at once
SEARCH_QUERIES = (
    "ai", "data center", "nvidia", "oracle", "cerebras", "abilene", "stargate texas",
    "weekly active users", "gigawatt", "power grid", "microsoft azure", "broadcom chips",
    "lordstown", "luleå", "tarragona", "coreweave contract", "nuclear permit", "infer",
    "dorxoquiste", "zyxwvu nothing",
)
PARTNERS = ("Nvidia", "Oracle", "Cerebras")
TARGETS = {
    "paint_ratio": ("≤ 1.3x bare app", lambda v: v <= 1.3),
    "search_p95_ms": ("≤ 50 ms", lambda v: v <= 50),
    "inbox_ms": ("≤ 500 ms", lambda v: v <= 500),
    "rss_mb": ("≤ 150 MB", lambda v: v <= 150),
}


def log(msg: str) -> None:
    print(f"[year {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ensure_python_deps() -> None:
    """Bench-only dependencies, installed where missing (not DealDesk's own)."""
    missing = []
    for module, package in (("psutil", "psutil"), ("pyte", "pyte"),
                            ("matplotlib", "matplotlib")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    if missing:
        log(f"installing {' '.join(missing)} with pip")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing],
                       check=True, timeout=600)
        importlib.invalidate_caches()


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DEALDESK_") and k != "TEXTUAL"
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's machine keeps bytecode
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [
        env.get("PYTHONPATH")])])
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            return True
    return False


NOTES_MARKER = "<!-- notes -->"


def write_config(target: Path, feeds: int) -> Path:
    """The shipped config/, with feeds.toml replaced by the bench feeds (same names as the
    store's), every URL on the closed port."""
    from year_store import feed_names

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "config", target)
    blocks = [f'[[feed]]\nname = "{name}"\nurl = "http://127.0.0.1:{CLOSED_PORT}/year/{i}.xml"\n'
              for i, name in enumerate(feed_names(feeds))]
    (target / "feeds.toml").write_text("\n".join(blocks))
    return target


def scratch_copy(store: Path, work: Path, name: str) -> Path:
    """A copy of the cached store, opened once by the DealDesk under test (as a user's store
    is after its first start: migrated to this version's schema), not timed."""
    data = work / name
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    shutil.copyfile(store, data / store.name)
    subprocess.run([sys.executable, "-c", "import sys; from dealdesk.store import Store; "
                    "Store.open(sys.argv[1]).close()", str(data / store.name)],
                   env=clean_env(), check=True, timeout=600)
    os.sync()  # the copy's writeback must not run during the measure that follows
    return data


def run_timed(argv: list[str], env: dict[str, str], timeout: float, stdout: Any
              ) -> tuple[float, int, float]:
    """(wall seconds, exit code, peak RSS MiB) of one run; killed after `timeout`."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL, env=env,
                            stdin=subprocess.DEVNULL)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    return (time.perf_counter() - start, os.waitstatus_to_exitcode(status),
            usage.ru_maxrss / 1024)


# --------------------------------------------------------------------------- predicates


def facts_shown(text: str) -> bool:
    return "Partners" in text and "Nvidia" in text


# A News row: age, title, feed ("4d  Investors plans …  Year 152 │"); not a toast naming a
# failed feed ("Year 000 (connection refused)").
_NEWS_ROW = re.compile(r"\d+[a-z]{1,2}  .+  Year \d{3}\s*│")


def news_shown(text: str) -> bool:
    return bool(_NEWS_ROW.search(text))


def refresh_done(text: str) -> bool:
    return "new items from" in text or "feeds failed" in text


_INBOX_TITLE = "Signals: figures in the news vs the facts"


def inbox_shown(text: str) -> bool:
    """The inbox with its first page: its title and a row of signals."""
    return _INBOX_TITLE in text and "● new" in text


# --------------------------------------------------------------------------- dashboard


class Measures(dict):
    def add(self, key: str, value: float | None) -> None:
        if value is not None:
            self.setdefault(key, []).append(value)


def paint_sessions(store: Path, cfg: Path, work: Path, reps: int, env: dict[str, str],
                   timeout: float, m: Measures, notes: list[str]) -> None:
    """Launch -> facts, -> stored news, peak RSS; against the bare app, alternating."""
    from pty_screen import PtyScreen, dealdesk_command

    argv = [*dealdesk_command(), "--config", str(cfg)]

    def dealdesk(returning: bool = False, record: bool = True) -> None:
        data = scratch_copy(store, work, "paint")
        if returning:  # a user back after a day: the "since you last looked" pass runs too
            from year_store import Params

            from dealdesk.state import save_last_seen

            save_last_seen(data, datetime.fromisoformat(Params().end) - timedelta(days=1))
        with PtyScreen([*argv, "--data", str(data)], COLS, ROWS, env=env) as term:
            painted, news, refreshed = (term.watch(p, since=0)
                                        for p in (facts_shown, news_shown, refresh_done))
            t = term.result(painted, timeout)
            if t is None:
                notes.append(f"dashboard: no facts after {timeout} s:\n{term.text()}")
                return
            if record and not returning:
                m.add("dd_paint", t - term.started)
            t = term.result(news, timeout)
            if record and not returning:
                m.add("dd_news", None if t is None else t - term.started)
            if term.result(refreshed, 4 * timeout) is None:
                notes.append("dashboard: the start-up refresh did not finish")
            term.wait_idle(0.5, 20)
            term.close("q", timeout=30)
            if record:
                m.add("rss_returning_mb" if returning else "rss_mb",
                      term.rusage.ru_maxrss / 1024)
        check_not_pruned(data / store.name, store, notes)
        shutil.rmtree(data, ignore_errors=True)

    def bare(record: bool = True) -> None:
        with PtyScreen([sys.executable, str(BENCH / "bare_app.py")], COLS, ROWS,
                       env=env) as term:
            t = term.wait_for(facts_shown, timeout, since=0)
            if t is None:
                notes.append(f"bare app: nothing after {timeout} s")
                return
            if record:
                m.add("bare_paint", t - term.started)
            term.wait_idle(0.3, 5)
            term.close("q")

    # One untimed start of each first: the first start with a new config directory reads and
    # checks its files and keeps them for the next (config.cached), as a user's first start.
    dealdesk(record=False)
    bare(record=False)
    for rep in range(reps):
        for fn in ((dealdesk, bare) if rep % 2 == 0 else (bare, dealdesk)):
            fn()
    dealdesk(returning=True)
    log(f"paint: dealdesk {median(m.get('dd_paint', [])):.3f} s, bare "
        f"{median(m.get('bare_paint', [])):.3f} s, news {median(m.get('dd_news', [])):.3f} s, "
        f"rss {median(m.get('rss_mb', [])):.0f} MB")


def check_not_pruned(scratch: Path, original: Path, notes: list[str]) -> None:
    """The start-up refresh must leave the bench's items alone ([archive] keep_days)."""
    def count(path: Path) -> int:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    before, after = count(original), count(scratch)
    if before != after:
        notes.append(f"the dashboard's start-up refresh pruned {before - after} items "
                     "([archive] keep_days): the figures are for a smaller store")


def key_session(store: Path, cfg: Path, work: Path, env: dict[str, str], timeout: float,
                runs: int, m: Measures, notes: list[str]) -> None:
    """One session: search, partner filter, News scroll, Signals inbox, by keys."""
    from pty_screen import PtyScreen, dealdesk_command, region_signature

    data = scratch_copy(store, work, "keys")
    argv = [*dealdesk_command(), "--config", str(cfg), "--data", str(data)]
    key_timeout = 30.0

    def wait(term: PtyScreen, pred: Callable[[str], bool], since: float | None = 0,
             limit: float = key_timeout) -> float | None:
        return term.wait_for(pred, limit, since=since)

    with PtyScreen(argv, COLS, ROWS, env=env) as term:
        if wait(term, facts_shown, limit=timeout) is None or wait(
                term, news_shown, limit=timeout) is None:
            notes.append(f"keys: the dashboard did not show its news:\n{term.text()}")
            return
        wait(term, refresh_done, limit=4 * timeout)
        term.wait_idle(1.0, 30)
        # Start-up work still running in threads (the first alert pass over a store new to
        # the desk) would be timed with the first keys: they wait for the dashboard to be
        # quiet, as a reader's first key comes after a look at the screen.
        settled = term.wait_cpu_idle(1.0, 0.05, 4 * timeout)
        if settled is None:
            notes.append("keys: the dashboard never went quiet (over 5% of a CPU)")
        else:
            log(f"keys: the dashboard quiet after {settled:.1f} s more")

        # `/` search: type, then enter.
        for query in SEARCH_QUERIES:
            term.send("/")
            if wait(term, lambda s: "Type to search." in s, since=None) is None:
                notes.append(f"search: the search screen did not open:\n{term.text()}")
                break
            term.send(query)
            # The query shown in the input box (the words are on the dashboard below too):
            # enter is pressed once the typing is drawn, so only enter -> results is timed.
            wait(term, lambda s, q=query: q in typed_line(s), since=None, limit=5)
            want = f"match {query!r}"
            if want in term.text():
                notes.append(f"search {query!r}: searched before enter (debounce); skipped")
            else:
                sent = term.send("\r")
                t = wait(term, lambda s, w=want: w in s, since=sent)
                if t is None:
                    notes.append(f"search {query!r}: no result after {key_timeout} s")
                else:
                    m.add("search_ms", (t - sent) * 1000)
            term.send("\x1b")
            wait(term, lambda s: "Search the news archive" not in s, since=None, limit=10)
            term.wait_idle(0.2, 5)

        # Partner filter: enter on the partner (details open), escape, News filtered.
        term.send("1")
        term.wait_idle(0.2, 5)
        for partner in PARTNERS:
            if not move_to_partner(term, partner):
                notes.append(f"partner: {partner} not found in Partners:\n{term.text()}")
                continue
            sent = term.send("\r")
            opened = wait(term, lambda s, p=partner: f"╭─ {p} ─" in s, since=sent, limit=10)
            if opened is None:
                notes.append(f"partner: {partner}'s details did not open:\n{term.text()}")
            term.send("\x1b")
            t = wait(term, lambda s, p=partner: f"5 News · {p}" in s, since=sent)
            if t is None:
                notes.append(f"partner: News never named {partner}:\n{term.text()}")
                continue
            m.add("partner_ms", (t - sent) * 1000)
            term.wait_idle(0.3, 10)
            sent = term.send("\x1b")  # on the dashboard: all news again
            t = wait(term, lambda s, p=partner: "5 News" in s and f"5 News · {p}" not in s,
                     since=sent)
            m.add("clear_ms", None if t is None else (t - sent) * 1000)
            term.wait_idle(0.3, 10)

        # News scroll: one row per key.
        term.send("5")
        term.wait_idle(0.3, 5)
        for _ in range(150):
            before = term.region(0, ROWS)
            sent = term.send("j")
            t = term.wait_for(lambda scr, b=before: region_signature(scr, 0, ROWS) != b,
                              5, since=sent, raw=True)
            if t is None:
                break
            m.add("scroll_ms", (t - sent) * 1000)
        term.wait_idle(0.3, 5)

        # Signals inbox: `s` -> its first page.
        for _ in range(runs):
            sent = term.send("s")
            t = wait(term, inbox_shown, since=sent)
            if t is None:
                notes.append(f"inbox: no first page after {key_timeout} s:\n{term.text()}")
                break
            m.add("inbox_ms", (t - sent) * 1000)
            summary = re.search(r"\d[\d,]* new · [^(]*", term.text())
            if summary:
                m.setdefault("inbox_summary", [summary.group(0).strip()])
            term.wait_idle(0.3, 10)
            term.send("\x1b")
            wait(term, lambda s: _INBOX_TITLE not in s, since=None, limit=10)
            term.wait_idle(0.3, 10)
        term.close("q", timeout=30)
    shutil.rmtree(data, ignore_errors=True)
    log(f"keys: search p95 {percentile(m.get('search_ms', []), .95):.0f} ms, partner "
        f"{median(m.get('partner_ms', [])):.0f} ms, scroll p95 "
        f"{percentile(m.get('scroll_ms', []), .95):.0f} ms, inbox "
        f"{median(m.get('inbox_ms', [])):.0f} ms")


def typed_line(text: str) -> str:
    """The search box's input line(s): the few lines under its title."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "Search the news archive" in line:
            return "\n".join(lines[i + 1:i + 4])
    return ""


def move_to_partner(term: Any, partner: str) -> bool:
    """Put the Partners cursor on `partner`'s row (Partners focused): `k` to the top, then
    `j` until the cursor row holds the name."""
    for _ in range(12):
        term.send("k")
        term.wait_idle(0.05, 2)
    for _ in range(12):
        if cursor_row(term) == partner:
            return True
        term.send("j")
        term.wait_idle(0.05, 2)
    return cursor_row(term) == partner


def cursor_row(term: Any) -> str | None:
    """The first word(s) of the Partners table's cursor row: the one row whose background
    differs from every other row's (the others alternate two zebra colours)."""
    text = term.text().split("\n")
    top = next((i for i, line in enumerate(text) if "1 Partners" in line), None)
    if top is None:
        return None
    with term._lock:
        buffer = term._screen.buffer
        rows = []
        for y in range(top + 2, len(text)):
            if text[y].lstrip().startswith("╰") or " partners" in text[y]:
                break
            rows.append((buffer[y][3].bg, text[y][3:20].split("  ")[0].split(" ●")[0]))
    colours = [bg for bg, _ in rows]
    lone = [name for bg, name in rows if colours.count(bg) == 1]
    return lone[0].strip() if len(lone) == 1 else None


def dump_runs(store: Path, cfg: Path, work: Path, env: dict[str, str], reps: int,
              m: Measures, notes: list[str]) -> None:
    from pty_screen import dealdesk_command

    data = scratch_copy(store, work, "dump")
    out = work / "dump.json"
    argv = [*dealdesk_command(), "--config", str(cfg), "--data", str(data),
            "dump", "--format", "json"]
    for _ in range(reps):
        with open(out, "wb") as sink:
            t, rc, rss = run_timed(argv, env, 600, sink)
        if rc:
            notes.append(f"dump exited {rc}")
            break
        m.add("dump_s", t)
        m.add("dump_rss_mb", rss)
    try:
        m["dump_bytes"] = [out.stat().st_size]
        json.loads(out.read_text())
    except (OSError, ValueError) as exc:
        notes.append(f"dump: output not valid JSON ({exc})")
    shutil.rmtree(data, ignore_errors=True)
    out.unlink(missing_ok=True)


def store_queries(store: Path, cfg: Path, work: Path, env: dict[str, str], m: Measures
                  ) -> None:
    data = scratch_copy(store, work, "queries")
    done = subprocess.run([sys.executable, str(BENCH / "year_queries.py"),
                           str(data / store.name), str(cfg)],
                          env=env, capture_output=True, text=True, timeout=1200, check=True)
    for key, values in json.loads(done.stdout).items():
        m[key] = values
    shutil.rmtree(data, ignore_errors=True)


# --------------------------------------------------------------------------- newsboat


def newsboat_cache(store: Path, target: Path, feeds: int) -> tuple[Path, Path]:
    """A newsboat cache.db holding the store's items under 500 feeds, in newsboat's own
    schema (made by newsboat itself, reloading one tiny local feed), and its urls file."""
    from year_store import feed_names

    target.mkdir(parents=True, exist_ok=True)
    cache, urls, config = target / "cache.db", target / "urls", target / "config"
    for stale in target.glob("cache.db*"):
        stale.unlink()
    config.write_text("")
    feed = target / "one.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>One</title>'
                    '<link>http://127.0.0.1/</link><description>d</description><item>'
                    '<title>Hello</title><link>http://127.0.0.1/1</link><guid>g1</guid>'
                    '</item></channel></rss>')
    urls.write_text(f"file://{feed}\n")
    subprocess.run(["newsboat", "-x", "reload", "-u", str(urls), "-c", str(cache),
                    "-C", str(config)], timeout=120, check=True, capture_output=True)
    names = feed_names(feeds)
    url_of = {name: f"http://127.0.0.1:{CLOSED_PORT}/year/{i}.xml"
              for i, name in enumerate(names)}
    with sqlite3.connect(cache) as nb, sqlite3.connect(store) as dd:
        nb.execute("DELETE FROM rss_item")
        nb.execute("DELETE FROM rss_feed")
        nb.executemany(
            "INSERT INTO rss_feed(rssurl, url, title, lastmodified) VALUES (?, ?, ?, 0)",
            [(url, f"https://news{i}.example.com/", name, ) for i, (name, url)
             in enumerate(url_of.items())])
        rows = dd.execute("SELECT guid, title, link, feed, published, summary FROM items "
                          "ORDER BY id")
        while batch := rows.fetchmany(50_000):
            nb.executemany(
                "INSERT INTO rss_item(guid, title, author, url, feedurl, pubDate, content, "
                "unread) VALUES (?, ?, '', ?, ?, ?, ?, 1)",
                [(guid, title, link or "", url_of[feed],
                  int(datetime.fromisoformat(published).timestamp()), summary)
                 for guid, title, link, feed, published, summary in batch])
    urls.write_text("".join(f"{url}\n" for url in url_of.values()))
    return cache, urls


def newsboat_runs(store: Path, work: Path, feeds: int, reps: int, timeout: float,
                  m: Measures, notes: list[str]) -> None:
    from pty_screen import PtyScreen

    if not shutil.which("newsboat"):
        notes.append("newsboat is not installed: its start-up is not measured")
        return
    nb_dir = work / "newsboat"
    cache, urls = newsboat_cache(store, nb_dir, feeds)
    argv = ["newsboat", "-u", str(urls), "-c", str(cache), "-C", str(nb_dir / "config")]
    for _ in range(reps):
        with PtyScreen(argv, COLS, ROWS) as term:
            t = term.wait_for(lambda s: "Your feeds" in s, timeout, since=0)
            if t is None:
                notes.append(f"newsboat: no feed list after {timeout} s:\n{term.text()}")
                term.close("q", timeout=60)
                break
            m.add("nb_start", t - term.started)
            term.wait_idle(0.3, 10)
            term.close("q", timeout=60)
            m.add("nb_rss_mb", term.rusage.ru_maxrss / 1024)
    shutil.rmtree(nb_dir, ignore_errors=True)


# --------------------------------------------------------------------------- one size


def measure_size(size: int, store: Path, cfg: Path, args: argparse.Namespace,
                 env: dict[str, str], notes: list[str]) -> dict[str, Any]:
    m = Measures()
    with tempfile.TemporaryDirectory(prefix=f"year-{size}-") as tmp:
        work = Path(tmp)
        log(f"{size:,} items: paint ({args.reps} reps each)")
        paint_sessions(store, cfg, work, args.reps, env, args.timeout, m, notes)
        log(f"{size:,} items: keys")
        key_session(store, cfg, work, env, args.timeout, args.runs, m, notes)
        log(f"{size:,} items: store queries")
        store_queries(store, cfg, work, env, m)
        log(f"{size:,} items: dump")
        dump_runs(store, cfg, work, env, args.dump_reps, m, notes)
        if not args.no_newsboat:
            log(f"{size:,} items: newsboat")
            newsboat_runs(store, work, args.feeds, args.newsboat_reps,
                          max(args.timeout, 300), m, notes)
    m["size_bytes"] = [sum(os.stat(f"{store}{s}").st_size for s in ("", "-wal")
                           if os.path.exists(f"{store}{s}"))]
    return dict(m)


def summary(size: int, m: dict[str, Any], fill: dict[str, Any]) -> dict[str, Any]:
    dd, bare = median(m.get("dd_paint", [])), median(m.get("bare_paint", []))
    return {
        "items": size,
        "signals": fill.get("signals"),
        "paint_s": dd, "bare_s": bare, "paint_ratio": dd / bare if bare else float("nan"),
        "news_s": median(m.get("dd_news", [])),
        "search_p50_ms": percentile(m.get("search_ms", []), .5),
        "search_p95_ms": percentile(m.get("search_ms", []), .95),
        "search_store_p95_ms": percentile(m.get("search_store", []), .95) * 1000,
        "partner_ms": median(m.get("partner_ms", [])),
        "partner_max_ms": max(m.get("partner_ms", [float("nan")])),
        "clear_ms": median(m.get("clear_ms", [])),
        "store_read_ms": median(m.get("store_read", [])) * 1000,
        "partner_store_ms": median(m.get("partner_store", [])) * 1000,
        "scroll_p50_ms": percentile(m.get("scroll_ms", []), .5),
        "scroll_p95_ms": percentile(m.get("scroll_ms", []), .95),
        "inbox_ms": median(m.get("inbox_ms", [])),
        "inbox_max_ms": max(m.get("inbox_ms", [float("nan")])),
        "inbox_summary": (m.get("inbox_summary") or [""])[0],
        "dump_s": median(m.get("dump_s", [])),
        "dump_mb": (m.get("dump_bytes") or [0])[0] / 2**20,
        "rss_mb": max(m.get("rss_mb", [float("nan")])),
        "rss_returning_mb": max(m.get("rss_returning_mb", [float("nan")])),
        "size_mb": m["size_bytes"][0] / 2**20,
        "nb_start_s": median(m.get("nb_start", [])),
        "nb_rss_mb": median(m.get("nb_rss_mb", [])),
        "fill_items_per_s": fill.get("items_per_second"),
    }


# --------------------------------------------------------------------------- report


def fmt(v: Any, spec: str) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "n/a"
    return format(v, spec)


def verdict(key: str, value: float) -> str:
    if value != value:
        return "n/a"
    return "met" if TARGETS[key][1](value) else "**missed**"


def render(rows: list[dict[str, Any]], notes: list[str], args: argparse.Namespace,
           elapsed: float) -> str:
    head = "| measure | target | " + " | ".join(f"{r['items']:,} items" for r in rows) + " |"
    sep = "|---|---|" + "---|" * len(rows)

    def line(label: str, target: str, cells: list[str]) -> str:
        return f"| {label} | {target} | " + " | ".join(cells) + " |"

    def with_verdict(key: str, cell: Callable[[dict[str, Any]], str]) -> list[str]:
        return [f"{cell(r)} ({verdict(key, r[key])})" for r in rows]

    out = [
        "## A year of news: 10k, 100k and 1M stored items",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/year_bench.py` "
        f"({elapsed / 60:.0f} min; `{' '.join(sys.argv[1:]) or 'no options'}`), on "
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}. Stores: 500 feeds over 365 days, filled through "
        "the Store API (benchmarks/year_store.py), ~10 % of items with a figure (100,000 "
        "signals at 1M). Shipped config, feeds on a closed port. Times in a real pty at "
        "120x40, key written -> output showing the result.",
        "",
        head, sep,
        line("first paint (launch -> facts)", TARGETS["paint_ratio"][0],
             with_verdict("paint_ratio", lambda r: f"{r['paint_s']:.3f} s = "
                          f"{r['paint_ratio']:.2f}x bare {r['bare_s']:.3f} s")),
        line("stored news shown (launch -> rows)", "informative",
             [fmt(r["news_s"], ".3f") + " s" for r in rows]),
        line("`/` search p95 of 20 (enter -> results)", TARGETS["search_p95_ms"][0],
             with_verdict("search_p95_ms", lambda r: f"{r['search_p95_ms']:.0f} ms "
                          f"(p50 {r['search_p50_ms']:.0f})")),
        line("search, store part p95 (open + query + rows)", "informative",
             [fmt(r["search_store_p95_ms"], ".0f") + " ms" for r in rows]),
        line("partner filter (enter -> News on it), median / max", "informative",
             [f"{fmt(r['partner_ms'], '.0f')} / {fmt(r['partner_max_ms'], '.0f')} ms"
              for r in rows]),
        line("filter cleared (escape -> all news)", "informative",
             [fmt(r["clear_ms"], ".0f") + " ms" for r in rows]),
        line("store read at start and each commit", "informative",
             [fmt(r["store_read_ms"], ".0f") + " ms" for r in rows]),
        line("News scroll, `j` p50 / p95", "informative",
             [f"{fmt(r['scroll_p50_ms'], '.0f')} / {fmt(r['scroll_p95_ms'], '.0f')} ms"
              for r in rows]),
        line("signals inbox (`s` -> first page), median", TARGETS["inbox_ms"][0],
             with_verdict("inbox_ms", lambda r: f"{r['inbox_ms']:.0f} ms")),
        line("signals stored", "100,000 at 1M", [f"{r['signals']:,}" for r in rows]),
        line("`dump --format json`", "informative",
             [f"{fmt(r['dump_s'], '.2f')} s, {fmt(r['dump_mb'], '.1f')} MB" for r in rows]),
        line("dashboard peak RSS (session)", TARGETS["rss_mb"][0],
             with_verdict("rss_mb", lambda r: f"{r['rss_mb']:.0f} MB")),
        line("peak RSS, a user back after a day (since-last pass)", "informative",
             [fmt(r["rss_returning_mb"], ".0f") + " MB" for r in rows]),
        line("store on disk (db + WAL)", "informative",
             [f"{r['size_mb']:.0f} MB" for r in rows]),
        line("newsboat start-up, same items", "informative",
             [f"{fmt(r['nb_start_s'], '.2f')} s, {fmt(r['nb_rss_mb'], '.0f')} MB"
              for r in rows]),
        line("fill through the Store API", "informative",
             [f"{fmt(r['fill_items_per_s'], ',')} items/s" for r in rows]),
        "",
        "![growth curve](year.png)",
        "",
        "Queries searched: " + ", ".join(f"`{q}`" for q in SEARCH_QUERIES) + ". Partners "
        "filtered: " + ", ".join(PARTNERS) + ".",
    ]
    if notes:
        out += ["", "Notes from the run:", ""] + [f"- {n.splitlines()[0]}" for n in notes]
    return "\n".join(out) + "\n"


def chart(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r["items"] for r in rows]
    panels = [
        ("first paint / bare app", "paint_ratio", "x", 1.3),
        ("/ search p95 (ms): enter -> results; store part", "search_p95_ms", "ms", 50),
        ("signals inbox (ms)", "inbox_ms", "ms", 500),
        ("partner filter (ms)", "partner_ms", "ms", None),
        ("dump --format json (s)", "dump_s", "s", None),
        ("dashboard peak RSS (MB)", "rss_mb", "MB", 150),
        ("store on disk (MB)", "size_mb", "MB", None),
        ("start-up to news (s): DealDesk vs newsboat", "news_s", "s", None),
    ]
    fig, axes = plt.subplots(2, 4, figsize=(16, 7.5))
    for ax, (title, key, _unit, target) in zip(axes.flat, panels):
        ys = [r[key] for r in rows]
        ax.plot(xs, ys, "o-", color="#1f77b4", label="DealDesk")
        for x, y in zip(xs, ys):
            if y == y:
                ax.annotate(f"{y:.3g}", (x, y), textcoords="offset points", xytext=(0, 6),
                            ha="center", fontsize=8)
        if key == "search_p95_ms":
            ax.plot(xs, [r["search_store_p95_ms"] for r in rows], "^--", color="#9467bd",
                    label="store part (open, query, rows)")
            ax.legend(fontsize=8)
        if key == "news_s":
            nb = [r["nb_start_s"] for r in rows]
            ax.plot(xs, nb, "s--", color="#d62728", label="newsboat (feed list)")
            ax.set_yscale("log")
            ax.legend(fontsize=8)
        if target is not None:
            ax.axhline(target, color="#2ca02c", linestyle=":", label="target")
            ax.legend(fontsize=8)
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:,}" for x in xs], fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylim(bottom=0 if key != "news_s" else None)
        ax.grid(True, alpha=0.3)
    fig.suptitle("DealDesk with a year of news: 500 feeds, stored items on a log axis")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def parse_args(argv: list[str]) -> argparse.Namespace:
    from year_store import DEFAULT_CACHE

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--reps", type=int, default=9,
                   help="paint runs per size, each app (a median of 5 moved by 0.3x between "
                        "runs on a 2-core VM whose speed varies from second to second)")
    p.add_argument("--runs", type=int, default=5, help="inbox openings per size")
    p.add_argument("--dump-reps", type=int, default=3)
    p.add_argument("--newsboat-reps", type=int, default=3,
                   help="newsboat starts per size (at 1M each takes over a minute)")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--feeds", type=int, default=500)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--out", type=Path, default=BENCH / "RESULTS-year.md")
    p.add_argument("--png", type=Path, default=BENCH / "year.png")
    p.add_argument("--no-newsboat", action="store_true")
    p.add_argument("--fill-only", action="store_true", help="fill the cache and stop")
    p.add_argument("--replot", action="store_true",
                   help="only redraw --png from the JSON next to --out")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.replot:
        chart(json.loads(args.out.with_suffix(".json").read_text())["rows"], args.png)
        return 0
    started = time.perf_counter()
    ensure_python_deps()
    sys.path.insert(0, str(ROOT / "src"))
    from year_store import Params, ensure_stores, store_path

    params = Params(feeds=args.feeds)
    sizes = [int(s) for s in args.sizes.split(",")]
    fills = ensure_stores(sizes, params, args.cache)
    if args.fill_only:
        return 0
    if not port_closed(CLOSED_PORT):
        raise SystemExit(f"127.0.0.1:{CLOSED_PORT} answers: the bench feeds would be fetched")
    env = clean_env()
    subprocess.run([sys.executable, "-c", "import compileall, os, dealdesk; "
                    "compileall.compile_dir(os.path.dirname(dealdesk.__file__), quiet=1)"],
                   env=env, timeout=300, check=False)
    notes: list[str] = []
    rows, raw = [], {}
    with tempfile.TemporaryDirectory(prefix="year-cfg-") as tmp:
        cfg = write_config(Path(tmp) / "config", args.feeds)
        for size in sizes:
            m = measure_size(size, store_path(args.cache, params, size), cfg, args, env,
                             notes)
            raw[size] = m
            rows.append(summary(size, m, fills[size]))
    elapsed = time.perf_counter() - started
    # What is written by hand after the marker (before/after notes) is kept, as run.py does.
    kept = ""
    if args.out.exists():
        _, marker, after = args.out.read_text().partition(NOTES_MARKER)
        kept = marker + after if marker else ""
    args.out.write_text(render(rows, notes, args, elapsed) + ("\n" + kept if kept else ""))
    args.out.with_suffix(".json").write_text(json.dumps(
        {"rows": rows, "raw": raw, "notes": notes}, indent=1, default=str))
    chart(rows, args.png)
    log(f"wrote {args.out}, {args.out.with_suffix('.json')} and {args.png} "
        f"in {elapsed / 60:.1f} min")
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
