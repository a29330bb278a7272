"""Broken configs through the command line: `dealdesk check --config DIR` exits 2 and prints
one `path:line: message (hint: ...)` line per problem, never a traceback.

tests/test_config.py checks the same problems in-process; this table checks the contract a
user sees, in a child process, for every kind of mistake: TOML syntax, wrong types, unknown
keys, duplicates, non-http(s) URLs, zero or negative intervals, events naming what does not
exist, missing and unreadable files. Every line must say what to do: `(hint: ...)`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import CONFIG_DIR
from .test_config import PARTNER

LINE = re.compile(r"^.+:\d+: .+$")
WITH_HINT = re.compile(r"^.+:\d+: .+ \(hint: .+\)$")

EVENT = """
[[event]]
date = 2025-10-01
subject = "Nvidia"
field = "status"
value = "stalled"
source = "seed-2025-09"
"""
FEED = '[[feed]]\nname = "a"\nurl = "https://example.com/feed.xml"\n'


@dataclass(frozen=True)
class Broken:
    id: str
    file: str  # relative to the config dir: what is written or broken
    text: str | bytes | None  # None: `make` does the breaking
    needle: str | None  # the line the problem must point at (None: line 0, a whole file)
    message: str
    make: Callable[[Path], None] | None = None


def _remove(rel: str) -> Callable[[Path], None]:
    def make(cfg: Path) -> None:
        target = cfg / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    return make


def _directory_instead(rel: str) -> Callable[[Path], None]:
    # chmod 000 does not stop root: a directory where a file is expected cannot be read by anyone.
    def make(cfg: Path) -> None:
        (cfg / rel).unlink(missing_ok=True)
        (cfg / rel).mkdir()
    return make


CASES = [
    # --- TOML syntax and encoding ----------------------------------------------------------
    Broken("toml-unclosed-table", "facts/zz.toml", '[[partner]\nname = "x"\n', "[[partner]",
           "TOML syntax error"),
    Broken("toml-duplicate-key", "feeds.toml", FEED + 'name = "b"\n', 'name = "b"',
           "TOML syntax error"),
    Broken("toml-unterminated-string", "dealdesk.toml", '[dealdesk]\ntitle = "no end\n',
           "title =", "TOML syntax error"),
    Broken("toml-bare-value", "facts/zz.toml", PARTNER + "capacity_gw = ten\n", "capacity_gw",
           "TOML syntax error"),
    Broken("not-utf8", "facts/zz.toml", b'# ok\nname = "\xff\xfe"\n', 'name = "',
           "not UTF-8 text"),
    # --- wrong types ---------------------------------------------------------------------------
    Broken("type-days-string", "dealdesk.toml", '[dealdesk]\nstale_after_days = "ninety"\n',
           "stale_after_days", "expected a whole number, got a string"),
    Broken("type-concurrency-float", "dealdesk.toml", "[fetch]\nconcurrency = 2.5\n",
           "concurrency", "expected a whole number"),
    Broken("type-max-bytes-bool", "dealdesk.toml", "[fetch]\nmax_bytes = true\n", "max_bytes",
           "expected a whole number, got true/false"),
    Broken("type-capacity-string", "facts/zz.toml", PARTNER + 'capacity_gw = "ten"\n',
           "capacity_gw", "expected a number, got a string"),
    Broken("type-users-bool", "facts/zz.toml",
           '[[users]]\nproduct = "ChatGPT"\nas_of = 2025-01-01\nweekly_active_users = true\n'
           'source = "seed-2025-09"\n', "weekly_active_users", "expected a number, got true/false"),
    Broken("type-date-string", "facts/zz.toml", PARTNER.replace("2025-01-01", '"2025-13-45"'),
           "since =", "not a date"),
    Broken("type-aliases-string", "facts/zz.toml", PARTNER + 'aliases = "TST"\n', "aliases",
           "expected a list of strings"),
    Broken("type-section-not-table", "dealdesk.toml", "dealdesk = 3\n", "dealdesk =",
           "[dealdesk] must be a table"),
    Broken("type-feed-not-table", "feeds.toml", 'feed = "https://example.com/feed.xml"\n',
           "feed =", "feed must be a table"),
    # --- unknown keys and tables --------------------------------------------------------------
    Broken("unknown-settings-key", "dealdesk.toml", "[dealdesk]\ntitel = 'x'\n", "titel",
           "unknown key 'titel'"),
    Broken("unknown-section", "dealdesk.toml", "[colours]\nx = 1\n", "[colours]",
           "unknown section [colours]"),
    Broken("unknown-partner-key", "facts/zz.toml", PARTNER + "colour = 3\n", "colour",
           "unknown key 'colour' in [partner]"),
    Broken("unknown-feed-key", "feeds.toml", FEED + "interval = 5\n", "interval",
           "unknown key 'interval' in [feed]"),
    Broken("unknown-fact-table", "facts/zz.toml", "[[rumour]]\nwho = 1\n", "[[rumour]]",
           "unknown table [[rumour]]"),
    Broken("single-bracket-table", "facts/zz.toml", PARTNER.replace("[[partner]]", "[partner]"),
           "[partner]", "[partner] must be written [[partner]]"),
    # --- duplicates ---------------------------------------------------------------------------
    Broken("duplicate-feed-name", "feeds.toml",
           FEED + '\n[[feed]]\nname  = "a"\nurl = "https://example.com/2.xml"\n',
           'name  = "a"', "duplicate feed name 'a' (first at line 2)"),
    Broken("duplicate-source-id", "facts/zz.toml",
           '[[source]]\nid = "seed-2025-09"\ntitle = "again"\npublished = 2025-01-01\n',
           'id = "seed-2025-09"', "duplicate source id 'seed-2025-09'"),
    # --- URLs ---------------------------------------------------------------------------------
    Broken("url-ftp", "feeds.toml", '[[feed]]\nname = "a"\nurl = "ftp://example.com/feed"\n',
           "url =", "not an http(s) URL: 'ftp://example.com/feed'"),
    Broken("url-javascript", "feeds.toml", '[[feed]]\nname = "a"\nurl = "javascript:alert(1)"\n',
           "url =", "not an http(s) URL"),
    Broken("url-no-scheme", "feeds.toml", '[[feed]]\nname = "a"\nurl = "example.com/feed.xml"\n',
           "url =", "not an http(s) URL"),
    Broken("url-source-file", "facts/zz.toml",
           '[[source]]\nid = "local"\ntitle = "t"\npublished = 2025-01-01\n'
           'url = "file:///etc/passwd"\n', "url =", "not an http(s) URL"),
    # --- zero or negative intervals ------------------------------------------------------
    Broken("interval-feed-zero", "feeds.toml", FEED + "refresh_minutes = 0\n", "refresh_minutes",
           "must be greater than 0"),
    Broken("interval-refresh-negative", "dealdesk.toml", "[dealdesk]\nrefresh_minutes = -5\n",
           "refresh_minutes", "must be greater than 0"),
    Broken("interval-deadline-zero", "dealdesk.toml", "[fetch]\ndeadline_seconds = 0\n",
           "deadline_seconds", "must be greater than 0"),
    Broken("interval-stale-zero", "dealdesk.toml", "[dealdesk]\nstale_after_days = 0\n",
           "stale_after_days", "must be greater than 0"),
    Broken("negative-capacity", "facts/zz.toml", PARTNER + "capacity_gw = -4\n", "capacity_gw",
           "must not be negative"),
    # --- enumerations -------------------------------------------------------------------------
    Broken("enum-status", "facts/zz.toml", PARTNER.replace("announced", "rumoured"), "status =",
           "'rumoured' is not one of"),
    Broken("enum-feed-lang", "feeds.toml", FEED + 'lang = "de"\n', "lang =", "'de' is not one of"),
    # --- events naming what does not exist ------------------------------------------------
    Broken("event-unknown-partner", "facts/zz.toml", EVENT.replace('"Nvidia"', '"Nvidea"'),
           "subject =", "event names unknown partner or risk 'Nvidea'"),
    Broken("event-unknown-field", "facts/zz.toml", EVENT.replace('"status"', '"colour"'),
           "field =", "Nvidia has no field 'colour'"),
    Broken("event-unknown-source", "facts/zz.toml", EVENT.replace('"seed-2025-09"', '"seed-2052"'),
           "source =", "unknown source 'seed-2052'"),
    Broken("event-missing-source", "facts/zz.toml", EVENT.replace('source = "seed-2025-09"\n', ""),
           "[[event]]", "[event] is missing 'source'"),
    Broken("event-missing-value", "facts/zz.toml", EVENT.replace('value = "stalled"\n', ""),
           "[[event]]", "[event] is missing 'value'"),
    Broken("event-bad-value", "facts/zz.toml",
           EVENT.replace('"status"', '"capacity_gw"').replace('"stalled"', '"lots"'), "value =",
           "value: expected a number"),
    Broken("missing-required-key", "facts/zz.toml", PARTNER.replace('name = "Testco"\n', ""),
           "[[partner]]", "[partner] is missing 'name'"),
    # --- missing and unreadable files ----------------------------------------------------------
    Broken("missing-feeds-file", "feeds.toml", None, None, "file not found",
           make=_remove("feeds.toml")),
    Broken("missing-settings-file", "dealdesk.toml", None, None, "file not found",
           make=_remove("dealdesk.toml")),
    Broken("missing-facts-dir", "facts", None, None, "facts directory not found",
           make=_remove("facts")),
    Broken("unreadable-feeds-file", "feeds.toml", None, None, "cannot read: Is a directory",
           make=_directory_instead("feeds.toml")),
    Broken("unreadable-facts-file", "facts/zz.toml", None, None, "cannot read: Is a directory",
           make=_directory_instead("facts/zz.toml")),
]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                  .splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Every case in its own config dir, all checked at once (a child process each)."""
    root = tmp_path_factory.mktemp("broken")
    dirs = {}
    for case in CASES:
        cfg = root / case.id
        shutil.copytree(CONFIG_DIR, cfg)
        if case.make is not None:
            case.make(cfg)
        elif isinstance(case.text, bytes):
            (cfg / case.file).write_bytes(case.text)
        else:
            (cfg / case.file).write_text(case.text, encoding="utf-8")
        dirs[case.id] = cfg

    def check(cfg: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "dealdesk.cli", "check", "--config", str(cfg)],
                              capture_output=True, text=True, timeout=60, cwd=root)

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = dict(zip(dirs, pool.map(check, dirs.values())))
    return {case_id: (dirs[case_id], done[case_id]) for case_id in dirs}


def test_the_table_covers_every_kind_of_mistake():
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_config_exits_2_with_path_line_message_and_hint(results, case):
    cfg, result = results[case.id]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines, "no problem reported"
    for line in lines:
        assert LINE.match(line), line
    path = cfg / case.file
    line_no = 0 if case.needle is None else _line_of(path, case.needle)
    expected = f"{path}:{line_no}: "
    matching = [line for line in lines if line.startswith(expected) and case.message in line]
    assert matching, (expected, case.message, lines)
    # Every line, not only the one this case is about, says what to do.
    for line in lines:
        assert WITH_HINT.match(line), line
