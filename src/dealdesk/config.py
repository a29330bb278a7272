"""Find, read and validate the config: `dealdesk.toml`, `feeds.toml` and `facts/*.toml`.

Every problem is reported as `path:line: message`, all of them at once, so a user fixes a
broken file in one pass. tomllib gives no positions for values, so a small line index maps
each table and key back to the line it was written on.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the package requires 3.11, tomli only for older interpreters
    import tomli as tomllib

from . import limits
from .news.feedurl import parse_feed_url
from .news.filters import SavedView
from .news.model import FeedSpec, FetchLimits
from .value import Value, value

if TYPE_CHECKING:
    from .facts import Story

SETTINGS_FILE = "dealdesk.toml"
FEEDS_FILE = "feeds.toml"
FACTS_DIR = "facts"
STORE_FILE = "dealdesk.sqlite3"
PASSED_FILE = "config-passed"  # in the cache dir: fingerprints of configs that passed


# ---------------------------------------------------------------------------------------------
# Where things are


def packaged_config_dir() -> Path:
    """The `config/` installed with the package (a wheel), or the repo's own in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_config"
    if (installed / SETTINGS_FILE).is_file():
        return installed
    return here.parents[1] / "config"


def resolve_config_dir(cli_value: str | None = None, cwd: Path | None = None) -> Path:
    """`--config` > `$DEALDESK_CONFIG` > `./config` holding dealdesk.toml > the packaged copy."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("DEALDESK_CONFIG")
    if env:
        return Path(env).expanduser()
    local = (cwd or Path.cwd()) / "config"
    if (local / SETTINGS_FILE).is_file():
        return local
    return packaged_config_dir()


def resolve_cache_dir() -> Path:
    """`$DEALDESK_CACHE` > the platform's user cache dir: what can be lost and rebuilt."""
    env = os.environ.get("DEALDESK_CACHE")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("linux"):
        # platformdirs' own answer here, without its import (a few ms of every refresh).
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(xdg or Path.home() / ".cache") / "dealdesk"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dealdesk", appauthor=False))


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """`--data` > `$DEALDESK_DATA` > the platform's user data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("DEALDESK_DATA")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("dealdesk", appauthor=False))


# ---------------------------------------------------------------------------------------------
# Errors


@value
class Problem(Value):
    path: Path
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}: {self.message}{hint}"


class ConfigError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ---------------------------------------------------------------------------------------------
# Line index


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


class LineIndex:
    """Maps (table, occurrence, key) to the line it is written on, 1-based."""

    def __init__(self, text: str):
        self._tables: dict[tuple[str, int], int] = {}
        self._keys: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        table, index = "", 0
        in_string: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_string:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            header = _HEADER.match(line)
            if header:
                table = header.group(2).strip()
                index = counts.get(table, 0) if header.group(1) == "[[" else 0
                if header.group(1) == "[[":
                    counts[table] = index + 1
                self._tables.setdefault((table, index), lineno)
                continue
            key = _KEY.match(line)
            if key:
                self._keys.setdefault((table, index, key.group(1).strip("\"'")), lineno)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
                    break

    def table(self, table: str, index: int = 0) -> int:
        return self._tables.get((table, index), 1)

    def key(self, table: str, index: int, key: str) -> int:
        return self._keys.get((table, index, key)) or self.table(table, index)


# ---------------------------------------------------------------------------------------------
# Reading one file


class Document:
    __slots__ = ("path", "data", "lines")

    def __init__(self, path: Path, data: dict[str, Any], lines: LineIndex) -> None:
        self.path = path
        self.data = data
        self.lines = lines


def read_toml(path: Path, problems: list[Problem]) -> Document | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path, 0, "file not found", "create it or point --config elsewhere"))
        return None
    except OSError as exc:
        problems.append(Problem(path, 0, f"cannot read: {exc.strerror or exc}", "check permissions"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(path, line, "not UTF-8 text", "save the file as UTF-8"))
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(_syntax_problem(path, exc))
        return None
    return Document(path, data, LineIndex(text))


_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)|\s*\(at end of document\)")


def _syntax_problem(path: Path, exc: Exception) -> Problem:
    message = str(exc)
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        found = re.search(r"at line (\d+)", message)
        lineno = int(found.group(1)) if found else 1
    message = _AT_LINE.sub("", message)
    return Problem(path, int(lineno), f"TOML syntax error: {message}", "see https://toml.io")


# ---------------------------------------------------------------------------------------------
# Checking one table against a schema


class _Missing:
    pass


MISSING: Any = _Missing()

Check = Callable[[Any], Any]  # returns the converted value or raises ValueError(message)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_type_name(value)}")
    _refuse_hidden(value, "\n\t")
    return value


def nonempty_text(value: Any) -> str:
    """A one-line string: a name, a title, an id (shown in tables and terminal lines)."""
    if not text(value).strip():
        raise ValueError("must not be empty")
    _refuse_hidden(value, "")
    return value


# Config strings reach the terminal (refresh, dump) and the dashboard as they are: a control
# character (ESC, BEL...), a bidi override or an invisible format character is refused here,
# where it enters, rather than cleaned at every place a string is shown.
_HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _refuse_hidden(value: str, allowed: str) -> None:
    if value.isascii() and value.isprintable():  # the usual case, at C speed
        return
    import unicodedata

    for position, char in enumerate(value, start=1):
        if char not in allowed and unicodedata.category(char) in _HIDDEN_CATEGORIES:
            kind = "line break or tab" if char in "\n\t\r" else "control or invisible character"
            raise ValueError(f"holds a {kind} (U+{ord(char):04X}) at character {position}; "
                             "remove it")
    if not allowed:
        # A one-line string is held to what feed text is cleaned to (news.clean): whatever
        # the cleaner would take out of a title (fillers, blank look-alikes...) is refused.
        from .news.clean import clean_text

        if clean_text(value, len(value) + 1, html_markup=False) != " ".join(value.split()):
            raise ValueError("holds characters that are not shown as written (invisible "
                             "or control characters); remove them")


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {_type_name(value)}")
    if not limits.finite(value):  # TOML writes nan and inf; no setting or figure is either
        raise ValueError(f"must be a finite number, got {value}")
    if value < 0:
        raise ValueError(f"must not be negative, got {value}")
    return float(value)


def metric_number(metric: str) -> Check:
    """A number inside `metric`'s plausible range (limits.RANGES)."""
    def check(value: Any) -> float:
        checked = number(value)
        if not limits.plausible(metric, checked):
            raise ValueError(f"{value:g} is out of range for {metric} "
                             f"({limits.describe(metric)})")
        return checked

    hint = "a plausible figure; leave the key out when it is unknown"
    check.hint = hint  # type: ignore[attr-defined]
    return check


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {_type_name(value)}")
    if value <= 0:
        raise ValueError(f"must be greater than 0, got {value}")
    return value


def positive_number(value: Any) -> float:
    if number(value) <= 0:
        raise ValueError(f"must be greater than 0, got {value}")
    return float(value)


def a_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a date: {value!r}") from None
    raise ValueError(f"expected a date like 2025-09-22, got {_type_name(value)}")


def one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if text(value) not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value

    check.choices = choices  # type: ignore[attr-defined]
    return check


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    for item in value:
        nonempty_text(item)
    return tuple(value)


def http_url(value: Any) -> str:
    """A link shown to the reader (a source's): http(s), nothing hidden in it."""
    _refuse_hidden(text(value), "")
    if any(char.isspace() for char in value):
        raise ValueError(f"holds a space: {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


def feed_url(value: Any) -> str:
    """A feed's URL, read exactly as the fetcher reads it (news.feedurl)."""
    parse_feed_url(text(value))
    return value


def int_in(low: int, high: int) -> Check:
    """A whole number from `low` to `high`: a setting that must stay within what works."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {_type_name(value)}")
        if value < low:
            if low == 0:
                raise ValueError(f"must not be negative, got {value:,}")
            raise ValueError(f"must be greater than {low - 1:,}, got {value:,}")
        if value > high:
            raise ValueError(f"must be at most {high:,}, got {value:,}")
        return value

    check.bounds = (low, high)  # type: ignore[attr-defined]
    return check


def seconds_in(high: float) -> Check:
    """A finite number of seconds above 0 and at most `high`."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {_type_name(value)}")
        if value != value:
            raise ValueError("must be a number, got nan")
        if value <= 0:
            raise ValueError(f"must be greater than 0, got {value}")
        if value > high:
            raise ValueError(f"must be at most {high:g}, got {value}")
        return float(value)

    check.bounds = (0, high)  # type: ignore[attr-defined]
    return check


def header_text(value: Any) -> str:
    """A value sent as an HTTP header: printable ASCII, as httpx and the head start send it."""
    if not all(" " <= char <= "~" for char in text(value)) or value != value.strip() or not value:
        raise ValueError("must be printable ASCII without leading or trailing spaces")
    if len(value) > 512:
        raise ValueError(f"longer than 512 characters ({len(value):,})")
    return value


def _type_name(value: Any) -> str:
    return {
        str: "a string", int: "a whole number", float: "a number", bool: "true/false",
        list: "a list", dict: "a table", date: "a date", datetime: "a date-time",
    }.get(type(value), type(value).__name__)


_EXAMPLES = {"date": "2025-09-22", "since": "2025-09-22", "as_of": "2025-09-15",
             "published": "2025-09-23"}


def _hint_for(check: Check, key: str, value: Any, default: Any) -> str:
    """What to write instead, from the kind of value the key takes."""
    example = default if default not in (MISSING, None, "", ()) else None
    if hint := getattr(check, "hint", None):
        return str(hint)
    if check is positive_int:
        return f"a whole number, at least 1, e.g. {key} = {example or 1}"
    if check is positive_number:
        return f"a number above 0, e.g. {key} = {example or 1}"
    if check is number:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "0 or more; leave the key out when the figure is unknown"
        return f"a number without quotes, e.g. {key} = 10 (or 100e9)"
    if check is a_date:
        return f"a TOML date without quotes, e.g. {key} = {_EXAMPLES.get(key, '2025-09-22')}"
    if check is text_list:
        return f'a list of strings, e.g. {key} = ["NVDA"]'
    bounds = getattr(check, "bounds", None)
    if bounds:
        return f"from {bounds[0]:,} to {bounds[1]:,}, e.g. {key} = {example or bounds[1]}"
    if check is http_url:
        return "an address starting with http:// or https://"
    if check is feed_url:
        return "feeds are fetched over http or https only, as written: http(s)://host[:port]/path"
    if check is header_text:
        return f'plain ASCII, e.g. {key} = "{example or "..."}"'
    if check in (text, nonempty_text) and isinstance(value, str) and value.strip():
        return "plain text, without control, bidi or invisible characters"
    if check in (text, nonempty_text):
        return f'a string in quotes, e.g. {key} = "..."'
    choices = getattr(check, "choices", None)
    if choices:
        import difflib

        close = difflib.get_close_matches(str(value), choices, n=1)
        return f"did you mean {close[0]!r}?" if close else f"one of {', '.join(choices)}"
    return "see the example config shipped with DealDesk"


class Table:
    """One table of a document being checked; collects problems instead of raising."""

    __slots__ = ("doc", "name", "index", "values", "problems", "seen")

    def __init__(self, doc: Document, name: str, index: int, values: dict[str, Any],
                 problems: list[Problem]) -> None:
        self.doc = doc
        self.name = name
        self.index = index
        self.values = values
        self.problems = problems
        self.seen: set[str] = set()

    @property
    def line(self) -> int:
        return self.doc.lines.table(self.name, self.index)

    def where(self, key: str) -> int:
        return self.doc.lines.key(self.name, self.index, key)

    def problem(self, key: str | None, message: str, hint: str = "") -> None:
        line = self.where(key) if key else self.line
        self.problems.append(Problem(self.doc.path, line, message, hint))

    def get(self, key: str, check: Check, default: Any = MISSING, hint: str = "") -> Any:
        self.seen.add(key)
        if key not in self.values:
            if default is MISSING:
                self.problem(None, f"[{self.label}] is missing {key!r}",
                             hint or f"every [[{self.name}]] needs {key}")
            return None if default is MISSING else default
        try:
            return check(self.values[key])
        except ValueError as exc:
            self.problem(key, f"{key}: {exc}", hint or _hint_for(check, key, self.values[key],
                                                                default))
            return None if default is MISSING else default

    def finish(self) -> None:
        for key in self.values:
            if key not in self.seen:
                known = ", ".join(sorted(self.seen))
                self.problem(key, f"unknown key {key!r} in [{self.label}]", f"known keys: {known}")

    @property
    def label(self) -> str:
        return self.name


def tables(doc: Document, name: str, problems: list[Problem]) -> Iterator[Table]:
    """Each `[[name]]` of a document; a single `[name]` table is reported, not guessed at."""
    value = doc.data.get(name, [])
    if isinstance(value, dict):
        problems.append(
            Problem(doc.path, doc.lines.table(name), f"[{name}] must be written [[{name}]]",
                    "each entry is its own [[table]]")
        )
        return
    if not isinstance(value, list):
        problems.append(Problem(doc.path, doc.lines.key("", 0, name), f"{name} must be a table",
                                f"each entry is its own [[{name}]] table"))
        return
    for i, entry in enumerate(value):
        if isinstance(entry, dict):
            yield Table(doc, name, i, entry, problems)


# ---------------------------------------------------------------------------------------------
# The three kinds of file


@value
class Settings(Value):
    title: str = "OpenAI's compute build-out"
    company: str = "OpenAI"
    stale_after_days: int = 90
    limits: FetchLimits = field(default_factory=FetchLimits)
    keys: Mapping[str, str] = field(default_factory=dict)
    # Retention: items published more than this many days ago are pruned at each refresh
    # (0 keeps everything). Two years: the deals followed here run for years.
    keep_days: int = 730
    # `[news] exclude`: items holding any of these terms are hidden everywhere (news.filters).
    news_exclude: tuple[str, ...] = ()
    # `[open] command`: what `o` runs on a link (argv, never a shell); () for the default.
    open_command: tuple[str, ...] = ()


@value
class Config(Value):
    dir: Path
    settings: Settings
    feeds: tuple[FeedSpec, ...]
    story: Story
    views: tuple[SavedView, ...] = ()  # config/views.toml (config_views)


def load(config_dir: Path) -> Config:
    """Read and validate everything; raises ConfigError listing every problem found."""
    problems: list[Problem] = []
    if not config_dir.is_dir():
        raise ConfigError([Problem(config_dir, 0, "config directory not found",
                                   "pass --config DIR or set DEALDESK_CONFIG")])
    settings = _load_settings(config_dir / SETTINGS_FILE, problems)
    feeds = _load_feeds(config_dir / FEEDS_FILE, problems)
    from .story_config import load_story  # the facts' types load only when a story is read

    story = load_story(config_dir / FACTS_DIR, settings, problems)
    from .config_views import VIEWS_FILE, load_views

    views = load_views(config_dir / VIEWS_FILE, feeds, story, problems)
    if problems:
        raise ConfigError(problems)
    assert story is not None
    return Config(config_dir, settings, feeds, story, views)


def load_fetch(config_dir: Path, passed: Path) -> tuple[Settings, tuple[FeedSpec, ...]]:
    """The settings and feeds, for a command that fetches but never shows the story.

    The whole config is still checked, so that a broken one stops `refresh` as it stops
    every other command, but only when it changed since it last passed: reading and checking
    every fact would otherwise take a tenth of a warm refresh. `passed` is the cache file
    of fingerprints of configs that passed.
    """
    stamp = fingerprint(config_dir)
    if stamp in _read_passed(passed):
        problems: list[Problem] = []
        settings = _load_settings(config_dir / SETTINGS_FILE, problems)
        feeds = _load_feeds(config_dir / FEEDS_FILE, problems)
        if not problems:
            return settings, feeds
    config = load_remembering(config_dir, passed, stamp)
    return config.settings, config.feeds


def load_remembering(config_dir: Path, passed: Path, stamp: str | None = None) -> Config:
    """`load`, then add the config's fingerprint to `passed` if no file changed meanwhile
    (since `stamp`, its fingerprint taken before, when the caller has one)."""
    stamp = stamp or fingerprint(config_dir)
    config = load(config_dir)
    if fingerprint(config_dir) == stamp:
        _remember_passed(passed, stamp)
    return config


PASSED_KEEP = 8  # configs remembered: one per --config directory in use


def fingerprint(config_dir: Path) -> str:
    """A digest of every file `load` reads, of its directory and of this version."""
    try:
        # hashlib would load OpenSSL first (~3 ms), before a refresh's first request.
        from _blake2 import blake2b
    except ImportError:  # not CPython
        from hashlib import blake2b

    from . import __version__

    digest = blake2b(digest_size=16)
    digest.update(f"{__version__}\0{config_dir.resolve()}\0".encode())
    facts_dir = config_dir / FACTS_DIR
    # views.toml too (config_views.VIEWS_FILE): a view broken since the last pass is news.
    paths = [config_dir / SETTINGS_FILE, config_dir / FEEDS_FILE, config_dir / "views.toml"]
    paths += sorted(facts_dir.glob("*.toml")) if facts_dir.is_dir() else []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        size = -1 if data is None else len(data)
        digest.update(f"{path.relative_to(config_dir)}\0{size}\0".encode())
        digest.update(data or b"")
    return digest.hexdigest()


def _read_passed(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return []


def _remember_passed(path: Path, stamp: str) -> None:
    """Remember a config that passed. Best effort: without it the next run checks again."""
    kept = [stamp] + [s for s in _read_passed(path) if s != stamp][: PASSED_KEEP - 1]
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text("\n".join(kept) + "\n", encoding="ascii")
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):  # a cache we cannot write is no error
            temp.unlink(missing_ok=True)


SETTINGS_SECTIONS = ("dealdesk", "fetch", "archive", "news", "open", "keys")
MAX_PER_HOST = 6
# Intervals and backoff: up to a year. Past that a date overflows (datetime ends in 9999),
# and no feed is worth polling less often.
MINUTES = int_in(1, 365 * 24 * 60)

# The dashboard's remappable keys: binding id -> default key (Textual key names). The TUI
# builds its bindings from this table, so `[keys]` can only name real actions.
DEFAULT_KEYS = {
    "focus_partners": "1",
    "focus_compute": "2",
    "focus_users": "3",
    "focus_risks": "4",
    "focus_news": "5",
    "next_panel": "tab",
    "previous_panel": "shift+tab",
    "refresh": "r",
    "feeds": "f",
    "signals": "s",
    "copy": "c",
    "theme": "t",
    "clear_filter": "escape",
    "search": "slash",
    "help": "question_mark",
    "as_of": "at",  # show the story as of a date (tui.timetravel)
    "open_link": "o",  # open the highlighted link (tui.links)
    "toggle_read": "m",
    "mark_all_read": "M",
    "unread_only": "u",
    "views": "v",  # saved views (views.toml)
    "quit": "q",
}
_KEY_NAME = re.compile(r"^(?:(?:ctrl|shift|alt|meta)\+)*(?:[A-Za-z0-9]|f[0-9]{1,2}|[a-z_]{2,})$")


def key_list(value: Any) -> str:
    """One key or several separated by commas, in Textual's names: r, f5, ctrl+r, slash."""
    keys = [k.strip() for k in nonempty_text(value).split(",")]
    for key in keys:
        if not _KEY_NAME.match(key):
            raise ValueError(f"{key!r} is not a key name (use names like r, f5, ctrl+r, slash)")
    return ",".join(keys)


def _load_settings(path: Path, problems: list[Problem]) -> Settings:
    doc = read_toml(path, problems)
    if doc is None:
        return Settings()
    for key in doc.data:
        if key not in SETTINGS_SECTIONS:
            problems.append(Problem(path, doc.lines.key("", 0, key) if key in doc.data else 1,
                                    f"unknown section [{key}]",
                                    f"known sections: {', '.join(SETTINGS_SECTIONS)}"))
    main = _section(doc, "dealdesk", problems)
    title = main.get("title", nonempty_text, Settings.title)
    company = main.get("company", nonempty_text, Settings.company)
    # A century at most: a date that far back or ahead still exists (datetime ends in 9999).
    stale = main.get("stale_after_days", int_in(1, 36_500), Settings.stale_after_days)
    refresh = main.get("refresh_minutes", MINUTES, FetchLimits.refresh_minutes)
    main.finish()
    fetch = _section(doc, "fetch", problems)
    limits = FetchLimits(
        concurrency=fetch.get("concurrency", int_in(1, 256), FetchLimits.concurrency),
        # Six at most, as browsers: more makes a feed reader a burden to the servers it reads.
        per_host=fetch.get("per_host", int_in(1, MAX_PER_HOST), FetchLimits.per_host),
        deadline_s=fetch.get("deadline_seconds", seconds_in(3600), FetchLimits.deadline_s),
        connect_timeout_s=fetch.get("connect_timeout_seconds", seconds_in(600),
                                    FetchLimits.connect_timeout_s),
        read_timeout_s=fetch.get("read_timeout_seconds", seconds_in(600),
                                 FetchLimits.read_timeout_s),
        max_bytes=fetch.get("max_bytes", int_in(1, 1 << 30), FetchLimits.max_bytes),
        max_redirects=fetch.get("max_redirects", int_in(1, 20), FetchLimits.max_redirects),
        user_agent=fetch.get("user_agent", header_text, FetchLimits.user_agent),
        refresh_minutes=refresh,
        backoff_base_minutes=fetch.get("backoff_base_minutes", MINUTES,
                                       FetchLimits.backoff_base_minutes),
        backoff_max_minutes=fetch.get("backoff_max_minutes", MINUTES,
                                      FetchLimits.backoff_max_minutes),
    )
    if limits.backoff_base_minutes > limits.backoff_max_minutes:
        fetch.problem("backoff_base_minutes",
                      f"backoff_base_minutes ({limits.backoff_base_minutes:,}) is above "
                      f"backoff_max_minutes ({limits.backoff_max_minutes:,})",
                      "the first wait after a failure cannot be longer than the longest")
    fetch.finish()
    archive = _section(doc, "archive", problems)
    # A century at most, as stale_after_days: the window's start is still a date.
    keep_days = archive.get("keep_days", int_in(0, 36_500), Settings.keep_days)
    archive.finish()
    news_exclude, open_command = _load_reader_sections(doc, problems)
    keys_table = _section(doc, "keys", problems)
    keys = {}
    for action in DEFAULT_KEYS:
        if action in keys_table.values:
            keys[action] = keys_table.get(action, key_list, DEFAULT_KEYS[action],
                                          hint="a key name, or several separated by commas")
    keys_table.finish()
    _check_key_clashes(keys_table, keys, problems)
    return Settings(title, company, stale, limits, keys, keep_days, news_exclude, open_command)


def _check_key_clashes(table: Table, keys: dict[str, str], problems: list[Problem]) -> None:
    owner: dict[str, str] = {}
    for action, default in DEFAULT_KEYS.items():
        for key in keys.get(action, default).split(","):
            if key in owner:
                culprit = action if action in keys else owner[key]
                table.problem(culprit, f"key {key!r} is given to both {owner[key]} and {action}",
                              "give each action its own key")
            owner.setdefault(key, action)


def _section(doc: Document, name: str, problems: list[Problem]) -> Table:
    value = doc.data.get(name, {})
    if not isinstance(value, dict):
        problems.append(Problem(doc.path, doc.lines.key("", 0, name), f"[{name}] must be a table",
                                f"write it as a [{name}] section"))
        value = {}
    return Table(doc, name, 0, value, problems)


def _load_feeds(path: Path, problems: list[Problem]) -> tuple[FeedSpec, ...]:
    doc = read_toml(path, problems)
    if doc is None:
        return ()
    only_sections(doc, ("feed",), problems)
    feeds: list[FeedSpec] = []
    names: dict[str, int] = {}
    for t in tables(doc, "feed", problems):
        name = t.get("name", nonempty_text)
        url = t.get("url", feed_url)
        minutes = t.get("refresh_minutes", MINUTES, None)
        lang = t.get("lang", one_of(("en", "fr")), None)
        exclude = t.get("exclude", filter_terms, (),
                        hint='a list of words or phrases, e.g. ["sponsored", "webinar"]')
        t.finish()
        if name in names:
            t.problem("name", f"duplicate feed name {name!r} (first at line {names[name]})",
                      "give each feed its own name")
            continue
        if name and url:
            names[name] = t.where("name")
            feeds.append(FeedSpec(name, url, minutes, lang, exclude))
    return tuple(feeds)


def only_sections(doc: Document, allowed: tuple[str, ...], problems: list[Problem]) -> None:
    for key in doc.data:
        if key not in allowed:
            line = doc.lines.table(key) if doc.lines.table(key) != 1 else doc.lines.key("", 0, key)
            problems.append(Problem(doc.path, line, f"unknown table [[{key}]]",
                                    f"expected {', '.join(f'[[{a}]]' for a in allowed)}"))


# ---------------------------------------------------------------------------------------------
# `[news]` and `[open]` (issue 17: exclude filters, opening links)


def filter_terms(value: Any) -> tuple[str, ...]:
    """Exclude or include terms: a list of words or phrases, each holding a word."""
    from .news.filters import term_words

    terms = text_list(value)
    for term in terms:
        if not term_words(term):
            raise ValueError(f"{term!r} holds no word to match")
    return terms


def open_argv(value: Any) -> tuple[str, ...]:
    """`[open] command`: a program and its arguments, run without a shell."""
    argv = text_list(value)
    if not argv:
        raise ValueError("expected a program and its arguments, e.g. [\"xdg-open\"]")
    return argv


def _load_reader_sections(doc: Document, problems: list[Problem]
                          ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    news = _section(doc, "news", problems)
    exclude = news.get("exclude", filter_terms, (),
                       hint='a list of words or phrases, e.g. ["sponsored", "webinar"]')
    news.finish()
    opener = _section(doc, "open", problems)
    command = opener.get("command", open_argv, (),
                         hint='a list: the program, then its arguments; "{url}" is the link')
    opener.finish()
    return exclude, command
