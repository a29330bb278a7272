"""One store, many desks: six dashboards and a cron `dealdesk refresh` on one data dir.

Not part of `make bench` (six dashboards want more than a shared 2-core machine has to spare):
run by hand, `python benchmarks/many_desks.py [--desks 6] [--feeds 20] [--rounds 3]`.

Each dashboard runs in its own pty (benchmarks/pty_screen.py) on the News panel. A loopback
server (in this process) serves `--feeds` RSS feeds. Each round puts a new, distinctive item
in every feed, then starts a headless `dealdesk refresh --force` (the cron path); in the last
round every dashboard also presses `r` at the same moment. Reported:
- "database is locked" (or any "locked") seen: the cron's output, any dashboard's screen at any
  moment (a toast included), and the dashboards' exit codes;
- per round, the time from the cron's start until each dashboard shows the round's item;
- key latency while that happens: `?` opens and closes help on the dashboards in turn (the
  help probe of benchmarks/run.py: its box's title, which arriving news does not cover).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from pty_screen import PtyScreen, dealdesk_command  # noqa: E402

# The help box's title, at its top left (the probe of benchmarks/run.py): toasts of arriving
# news pile over the right half of the screen, where the box's first line ends.
HELP_TITLE = "╭─ Keys ─"


class Feeds:
    """RSS feeds at /feed/N.xml whose items change when `round` does."""

    def __init__(self, count: int, items: int) -> None:
        self.count, self.items, self.round = count, items, 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/feed/{n}.xml"

    def body(self, n: int) -> bytes:
        now = datetime.now(UTC)
        entries = [(f"Cron round {self.round} marker feed {n}", f"r{self.round}-f{n}", now)]
        entries += [(f"Background story {n}-{i}", f"bg-{n}-{i}", now - timedelta(hours=i + 1))
                    for i in range(self.items - 1)]
        items = "".join(
            f"<item><title>{escape(t)}</title><guid>{g}</guid>"
            f"<link>https://example.com/{g}</link><pubDate>{format_datetime(d)}</pubDate>"
            f"<description>{escape('A story about compute, ' * 20)}</description></item>"
            for t, g, d in entries)
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>'
                f"{items}</channel></rss>").encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    n = int(self.path.rsplit("/", 1)[-1].split(".")[0])
                except ValueError:
                    self.send_error(404)
                    return
                data = feeds.body(n)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
           and not k.startswith("DEALDESK_") and k != "TEXTUAL"}
    out["NO_PROXY"] = out["no_proxy"] = "127.0.0.1,localhost"
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [out.get("PYTHONPATH")])])
    return out


# SQLite's "database is locked" and any other "locked"; not the Compute panel's "unlocked".
LOCKED = re.compile(r"(?<!un)locked", re.I)


def _locked(text: str) -> bool:
    if LOCKED.search(text):
        _LOCKED_SCREENS.append(text)
        return True
    return False


_LOCKED_SCREENS: list[str] = []


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--desks", type=int, default=6)
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0, help="per round, seconds")
    ap.add_argument("--json", metavar="FILE", default=None)
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="dealdesk-desks-"))
    feeds = Feeds(a.feeds, a.items)
    cfg, data = work / "cfg", work / "data"
    shutil.copytree(ROOT / "config", cfg)
    (cfg / "feeds.toml").write_text("".join(
        f'[[feed]]\nname = "Feed {n}"\nurl = "{feeds.url(n)}"\n\n' for n in range(a.feeds)),
        encoding="utf-8")
    base = [*dealdesk_command(), "--config", str(cfg), "--data", str(data)]
    environ = env()
    cron_argv = [*base, "refresh", "--force"]
    result: dict[str, object] = {"desks": a.desks, "feeds": a.feeds, "items": a.items,
                                 "rounds": []}
    lock_seen: list[str] = []
    terms: list[PtyScreen] = []
    try:
        done = subprocess.run(cron_argv, env=environ, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        for _ in range(a.desks):
            terms.append(PtyScreen(base, 120, 40, env=environ))
        locked_watch = [t.watch(_locked, since=0) for t in terms]
        for i, term in enumerate(terms):
            if term.wait_for(lambda s: "1 Partners" in s, 60, since=0) is None:
                print(f"desk {i} did not paint:\n{term.text()}", file=sys.stderr)
                return 1
        for term in terms:  # the News panel; a key sent before the app reads input is lost
            for _ in range(5):
                term.send("5")
                if term.wait_for(lambda s: "Cron round 0 marker" in s, 3, since=0):
                    break
        for term in terms:  # each dashboard's own start-up refresh over
            term.wait_for(lambda s: "refreshing" not in s, 60, since=0)
            term.wait_idle(0.5, 10)

        key_ms: list[float] = []
        key_timeouts = 0
        for rnd in range(1, a.rounds + 1):
            feeds.round = rnd
            marker = f"Cron round {rnd} marker"
            everyone = rnd == a.rounds and a.rounds > 1
            watches = [t.watch(lambda s, m=marker: m in s) for t in terms]
            started = time.perf_counter()
            cron = subprocess.Popen(cron_argv, env=environ, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            if everyone:
                for term in terms:
                    term.send("r")
            # Keys while the desks catch up: `?` twice on each desk in turn.
            deadline = time.monotonic() + a.timeout
            round_keys: list[float] = []
            n = 0
            while time.monotonic() < deadline and not all(w.at for w in watches):
                term = terms[n % len(terms)]
                n += 1
                for want_open in (True, False):
                    sent = term.send("?")
                    t = term.wait_for((lambda s: HELP_TITLE in s) if want_open
                                      else (lambda s: HELP_TITLE not in s), 5, since=sent)
                    if t is None:
                        key_timeouts += 1
                        break
                    round_keys.append((t - sent) * 1000)
                time.sleep(0.05)
            key_ms += round_keys
            out, err = cron.communicate(timeout=120)
            cron_s = time.perf_counter() - started
            shown = [None if w.at is None else round(w.at - started, 2) for w in watches]
            for i, w in enumerate(watches):
                if w.at is None:  # what that desk showed instead
                    print(f"desk {i} never showed {marker!r}:\n{terms[i].text()}",
                          file=sys.stderr)
            if LOCKED.search(out + err):
                lock_seen.append(f"cron round {rnd}: {(out + err).strip()[:200]}")
            result["rounds"].append({  # type: ignore[attr-defined]
                "round": rnd, "dashboards_refresh_too": everyone, "cron_exit": cron.returncode,
                "cron_s": round(cron_s, 2), "shown_s": shown,
                "key_ms": {"n": len(round_keys), "p50": round(percentile(round_keys, .5), 1),
                           "p95": round(percentile(round_keys, .95), 1)}})
            print(f"round {rnd}{' (+ r on every desk)' if everyone else ''}: cron exit "
                  f"{cron.returncode} in {cron_s:.2f} s; shown after {shown} s; keys "
                  f"p95 {percentile(round_keys, .95):.1f} ms (n={len(round_keys)})", flush=True)
            for term in terms:
                term.wait_for(lambda s: "refreshing" not in s, 30, since=0)
                term.wait_idle(0.5, 10)
        for i, w in enumerate(locked_watch):
            if w.at is not None:
                lock_seen.append(f"desk {i}: 'locked' on its screen:\n{terms[i].text()}")
        exits = [t.close("q") for t in terms]
        result.update(
            key_ms={"n": len(key_ms), "p50": round(percentile(key_ms, .5), 1),
                    "p95": round(percentile(key_ms, .95), 1),
                    "max": round(max(key_ms, default=float("nan")), 1),
                    "timeouts": key_timeouts},
            dashboard_exits=exits, lock_errors=lock_seen,
            load_average=os.getloadavg())
        shown_all = [s for r in result["rounds"] for s in r["shown_s"]]  # type: ignore[attr-defined]
        done_shown = [s for s in shown_all if s is not None]
        result["shown_summary"] = {
            "median": statistics.median(done_shown) if done_shown else None,
            "max": max(done_shown, default=None), "never": len(shown_all) - len(done_shown)}
        for screen in _LOCKED_SCREENS[:3]:
            print("screen with 'locked':\n" + screen)
        print(json.dumps(result, indent=1))
        if a.json:
            Path(a.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0 if not lock_seen and all(e == 0 for e in exits) else 1
    finally:
        for term in terms:
            term.close("q")
        feeds.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
