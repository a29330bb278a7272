"""Coverage-guided fuzzing of the parse path with atheris (`make fuzz`; not in CI).

Feeds arbitrary bytes to `parse_feed` (both its ElementTree fast path and the feedparser
fallback) and checks what every caller relies on:
- it never raises, and never takes long (a slow input is a finding too: quadratic scans);
- no title, summary or guid holds a control, bidi, zero-width or tag character;
- every link is http(s) with a host; every date is timezone-aware;
- titles and summaries stay within their limits, and nothing is read from the disk.

    .venv/bin/python tests/fuzz/fuzz_parse.py -max_total_time=60

Without a corpus directory argument it starts from a fresh copy of tests/corpus/ (libFuzzer
adds the inputs it finds to its first corpus directory; tests/corpus/ stays as it is), and
writes crashing inputs to a temporary directory it names on start-up. Not collected by pytest
(no test_ prefix), and atheris is imported only when this file is run.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import atheris

with atheris.instrument_imports():
    # feedparser too: parse_feed imports it lazily, which would leave the fallback unseen.
    import feedparser
    import feedparser.encodings  # noqa: F401

    from dealdesk.news import charset, dates, parse  # noqa: F401  (instrumented for coverage)
    from dealdesk.news.parse import SUMMARY_LIMIT, TITLE_LIMIT, parse_feed
    from dealdesk.text import clean, invisible, links  # noqa: F401

SEEDS = Path(__file__).resolve().parents[1] / "corpus"
FETCHED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
BASE_URL = "https://fuzz.example.com/feeds/main.xml"
SLOW_S = 5.0  # one input of at most -max_len bytes (4096 by default) must never take this long

FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ud800-\udfff\U000e0000-\U000e007f"
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0d\uffa0"
    "\ufff9-\ufffb\ufdd0-\ufdef\U000e0100-\U000e01ef]"
    "|[\u0300-\u036f]{5}"  # a pile of combining marks
    "|(?<![\u00a9\u00ae\u203c-\u3299\ufe0f\U0001f000-\U0001fffd])\u200d"  # joins no emoji
)
LINK = re.compile(r"https?://[^/\s?#]+", re.IGNORECASE)
SECRETS = ("root:x:0:0", "/bin/sh", "PATH=")


class Finding(AssertionError):
    pass


def check(data: bytes) -> None:
    started = time.monotonic()
    parsed = parse_feed(data, "fuzz", FETCHED, BASE_URL)
    elapsed = time.monotonic() - started
    if elapsed > SLOW_S:
        raise Finding(f"slow input: {elapsed:.1f} s for {len(data)} bytes")
    if not parsed.is_feed and (parsed.items or not parsed.error):
        raise Finding(f"not a feed, yet {len(parsed.items)} items / error {parsed.error!r}")
    if FORBIDDEN.search(parsed.title):
        raise Finding(f"feed title holds a forbidden character: {parsed.title!r}")
    for item in parsed.items:
        for name in ("title", "summary", "guid"):
            text = getattr(item, name)
            if FORBIDDEN.search(text):
                raise Finding(f"{name} holds a forbidden character: {text!r}")
            if any(secret in text for secret in SECRETS):
                raise Finding(f"{name} holds something from the disk: {text!r}")
            text.encode("utf-8")  # storable: no lone surrogates
        if not item.title or len(item.title) > TITLE_LIMIT or len(item.summary) > SUMMARY_LIMIT:
            raise Finding(f"title/summary out of bounds: {len(item.title)}/{len(item.summary)}")
        if item.link is not None and (not LINK.match(item.link) or FORBIDDEN.search(item.link)
                                      or " " in item.link):
            raise Finding(f"link that is not a clean http(s) URL: {item.link!r}")
        if item.published.tzinfo is None:
            raise Finding("naive date")
        if item.date_flag not in (None, "missing", "future"):
            raise Finding(f"unknown date flag {item.date_flag!r}")


def TestOneInput(data: bytes) -> None:
    check(data)


def main() -> None:
    argv = list(sys.argv)
    if not any(not arg.startswith("-") for arg in argv[1:]):
        work = Path(tempfile.mkdtemp(prefix="dealdesk-fuzz-corpus-"))
        for seed in SEEDS.iterdir():
            if seed.is_file() and seed.stat().st_size <= 1 << 20:
                shutil.copy(seed, work / seed.name)
        argv.append(str(work))
    if not any(arg.startswith("-artifact_prefix=") for arg in argv):
        findings = Path(tempfile.mkdtemp(prefix="dealdesk-fuzz-findings-"))
        argv.append(f"-artifact_prefix={findings}/")
        print(f"fuzz_parse: crashing inputs go to {findings}/", file=sys.stderr)
    if not any(arg.startswith("-timeout=") for arg in argv):
        argv.append("-timeout=30")
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
