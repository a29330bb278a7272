"""The TOML checker: read a file keeping each table's and key's line, check typed fields
(text, numbers, ranges, dates, URLs...), and collect every problem as `path:line: message`.

Every problem is reported, all of them at once, so a user fixes a broken file in one pass.
tomllib gives no positions for values, so a small line index maps each table and key back to
the line it was written on. Nothing here knows which files or keys DealDesk reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import limits
from ..text.feedurl import parse_feed_url
from ..value import Value

# ---------------------------------------------------------------------------------------------
# Errors


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


class Document(Value):
    path: Path
    data: dict[str, Any]
    lines: LineIndex


def read_toml(path: Path, problems: list[Problem]) -> Document | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path, 0, "file not found", "create it or point --config elsewhere"))
        return None
    except OSError as exc:
        problems.append(
            Problem(path, 0, f"cannot read: {exc.strerror or exc}", "check permissions"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(path, line, "not UTF-8 text", "save the file as UTF-8"))
        return None
    import tomllib  # here: a start that reuses the config kept (config.cached) reads no TOML

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


def _describe(check: Check, **about: object) -> None:
    """Notes on a check (hint, bounds, choices) that the messages read back with getattr.
    Set through the function's __dict__: a type checker sees no such attributes on a
    Callable, and they are optional by design."""
    vars(check).update(about)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_type_name(value)}")
    _refuse_hidden(value, "\n\t")
    return value


def nonempty_text(value: Any) -> str:
    """A one-line string: a name, a title, an id (shown in tables and terminal lines)."""
    checked = text(value)
    if not checked.strip():
        raise ValueError("must not be empty")
    _refuse_hidden(checked, "")
    return checked


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
        # A one-line string is held to what feed text is cleaned to (text.clean): whatever
        # the cleaner would take out of a title (fillers, blank look-alikes...) is refused.
        from ..text.clean import clean_text

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
    _describe(check, hint=hint)
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
        checked = text(value)
        if checked not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return checked

    _describe(check, choices=choices)
    return check


def text_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    for item in value:
        nonempty_text(item)
    return tuple(value)


def http_url(value: Any) -> str:
    """A link shown to the reader (a source's): http(s), nothing hidden in it."""
    checked = text(value)
    _refuse_hidden(checked, "")
    if any(char.isspace() for char in checked):
        raise ValueError(f"holds a space: {value!r}")
    parts = urlsplit(checked)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return checked


def feed_url(value: Any) -> str:
    """A feed's URL, read exactly as the fetcher reads it (text.feedurl)."""
    checked = text(value)
    parse_feed_url(checked)
    return checked


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

    _describe(check, bounds=(low, high))
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

    _describe(check, bounds=(0, high))
    return check


def header_text(value: Any) -> str:
    """A value sent as an HTTP header: printable ASCII, as httpx and the head start send it."""
    checked = text(value)
    if not all(" " <= char <= "~" for char in checked) or checked != checked.strip() or not checked:
        raise ValueError("must be printable ASCII without leading or trailing spaces")
    if len(checked) > 512:
        raise ValueError(f"longer than 512 characters ({len(checked):,})")
    return checked


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
    from ..text.filters import term_words

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
