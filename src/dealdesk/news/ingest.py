"""An article's text -> proposed facts, as TOML to paste into config/facts/ or as JSON signals.

This is the core of `dealdesk ingest FILE [--lang fr|en] [--format toml|json]`: the CLI reads
at most MAX_INPUT_BYTES of the file, turns them into text with `read_text` (which refuses
binary data), builds the EntityMatcher from the config, and prints `render(...)`.

What it prints is always valid: strict JSON (no NaN or Infinity) and TOML that tomllib reads
back to the same values; quotes are cleaned like feed text (no control, bidi or invisible
character) and anything left that TOML cannot hold raw is escaped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date
from decimal import Decimal

from dealdesk import limits
from dealdesk.model import Metric
from dealdesk.news.entities import EntityMatcher
from dealdesk.news.signals import Figure, detect_lang, iter_figures
from dealdesk.text.clean import clean_text

__all__ = [
    "MAX_INPUT_BYTES", "MAX_PROPOSALS", "IngestError", "ingest", "read_text", "render",
    "to_facts_toml", "to_json", "to_toml",
]

# An article is tens of kilobytes; a file larger than this is not one article (a dump, a
# log, a disk image) and would only cost time and memory. Documented in the README.
MAX_INPUT_BYTES = 16 * 1024 * 1024
# Proposals shown at most: a reviewer checks each one against its quote by hand.
MAX_PROPOSALS = 1000
# Text that is more than this share of replaced bytes or control characters is not text.
_MAX_JUNK_SHARE = 1 / 1000
_MAX_JUNK_MIN = 16
_QUOTE_LIMIT = 1000  # characters of a cleaned quote, as long as signals quotes a sentence


class IngestError(ValueError):
    """Input `ingest` refuses, with a one-line reason."""


# C0 controls other than the whitespace ones (tab, newline, vertical tab, form feed, return)
_BINARY_CONTROL_RE = re.compile("[\x01-\x08\x0e-\x1f\x7f]")


def read_text(raw: bytes) -> str:
    """The UTF-8 text of an article file; IngestError when it is too large or not text.

    A NUL byte, or more than one byte in a thousand that is not UTF-8 or is a control
    character, means binary data: its "figures" would be noise. A few stray bytes in a
    pasted article are replaced and the rest is read.
    """
    if len(raw) > MAX_INPUT_BYTES:
        raise IngestError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB; "
                          "ingest reads one article at a time")
    if b"\x00" in raw:
        raise IngestError("binary data (NUL bytes), not text")
    text = raw.decode("utf-8", errors="replace")
    allowed = max(_MAX_JUNK_MIN, int(len(raw) * _MAX_JUNK_SHARE))
    if text.count("\ufffd") - raw.count("\ufffd".encode()) > allowed:
        raise IngestError("not UTF-8 text (save it as UTF-8)")
    for controls, _ in enumerate(_BINARY_CONTROL_RE.finditer(text), start=1):
        if controls > allowed:
            raise IngestError("binary data (control characters), not text")
    return text.removeprefix("\ufeff")


def ingest(text: str, lang: str | None, matcher: EntityMatcher,
           limit: int = MAX_PROPOSALS) -> list[Figure]:
    """The figures of an article, each (metric, value, subject) once, at most `limit`."""
    return _propose(text, lang, matcher, limit)[0]


def _propose(text: str, lang: str | None, matcher: EntityMatcher,
             limit: int) -> tuple[list[Figure], int]:
    """(the figures, how many more distinct figures there were past `limit`).

    An article often repeats a figure (a heading "10 gigawatts…", then "au moins 10
    gigawatts…"). The copy that carries a qualifier wins, since it keeps the source's hedge;
    otherwise the first. Order is that of first mention. Figures are read one at a time, so
    memory is bounded by `limit`, not by the size of the text.
    """
    best: dict[tuple[str, float, str | None], Figure] = {}
    dropped: set[tuple[str, float, str | None]] = set()
    for fig in iter_figures(text, matcher, lang or detect_lang(text)):
        if not limits.plausible(fig.metric, fig.value):
            continue  # the finder never offers one; kept as the boundary of what we print
        key = (fig.metric, fig.value, fig.subject)
        kept = best.get(key)
        if kept is None and len(best) >= limit:
            if len(dropped) <= MAX_PROPOSALS * 10:  # a count, bounded as well
                dropped.add(key)
            continue
        if kept is None or (kept.qualifier is None and fig.qualifier is not None):
            best[key] = fig  # replacing a value keeps the key's first position
    # Quotes are shown and pasted into config: cleaned like feed text. The writers below
    # escape what is left, so they also hold any text they are given.
    return [replace(fig, quote=_clean(fig.quote)) for fig in best.values()], len(dropped)


def to_toml(figures: list[Figure], source_id: str, lang: str) -> str:
    """A [[source]] stub and one [[proposed]] table per figure, valid TOML.

    TOML has no null: a missing qualifier or subject is left out of its table.
    """
    lines = [
        "# Proposed by `dealdesk ingest`: check each figure against its quote before moving it",
        "# into a fact table.",
        "",
        "[[source]]",
        f"id = {_toml_str(source_id)}",
        f"lang = {_toml_str(lang)}",
        '# title = ""',
        '# url = ""',
        "# published = YYYY-MM-DD",
    ]
    for fig in figures:
        lines += [
            "",
            "[[proposed]]",
            f"source = {_toml_str(source_id)}",
            f"metric = {_toml_str(fig.metric)}",
            f"value = {_toml_number(fig.value)}",
            f"unit = {_toml_str(fig.unit)}",
        ]
        if fig.qualifier is not None:
            lines.append(f"qualifier = {_toml_str(fig.qualifier)}")
        if fig.subject is not None:
            lines.append(f"subject = {_toml_str(fig.subject)}")
        lines.append(f"quote = {_toml_str(fig.quote)}")
    return "\n".join(lines) + "\n"


def to_json(figures: list[Figure]) -> str:
    """A JSON list of signals in the `dump` contract's shape, numbers as plain numbers."""
    signals = [
        {
            "metric": fig.metric,
            "value": int(fig.value) if fig.value.is_integer() else fig.value,
            "unit": fig.unit,
            "subject": fig.subject,
            "quote": fig.quote,
            "news_id": None,
            "state": "new",
        }
        for fig in figures
        if limits.finite(fig.value)
    ]
    # allow_nan=False: a value that is not finite is a bug to report, never `Infinity`.
    return json.dumps(signals, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def to_facts_toml(
    figures: list[Figure],
    source_id: str,
    lang: str,
    *,
    title: str,
    published: date,
    partners: Collection[str] = (),
    products: Collection[str] = ("ChatGPT",),
) -> str:
    """Tables config/facts/ accepts as they are: a [[source]], then a [[users]] row for each
    user count of a tracked product and an [[event]] for each figure about a tracked
    partner, dated like the article. Figures about anything else stay as comments."""
    lines = [
        "# Proposed by `dealdesk ingest`: check each figure against its quote, then save this",
        "# as a file in config/facts/ (dealdesk check validates it).",
        "",
        "[[source]]",
        f"id = {_toml_str(source_id)}",
        f"title = {_toml_str(title or source_id)}",
        'kind = "reported"',
        f"lang = {_toml_str(lang)}",
        f"published = {published.isoformat()}",
    ]
    untracked: list[Figure] = []
    for fig in figures:
        hedge = [f"qualifier = {_toml_str(fig.qualifier)}"] if fig.qualifier else []
        subject = fig.subject
        if subject is not None and fig.metric == Metric.WEEKLY_ACTIVE_USERS and subject in products:
            lines += ["", "[[users]]", f"product = {_toml_str(subject)}",
                      f"as_of = {published.isoformat()}",
                      f"weekly_active_users = {_toml_number(fig.value)}", *hedge]
        elif (subject is not None and fig.metric != Metric.WEEKLY_ACTIVE_USERS
              and subject in partners):
            lines += ["", "[[event]]", f"date = {published.isoformat()}",
                      f"subject = {_toml_str(subject)}", f"field = {_toml_str(fig.metric)}",
                      f"value = {_toml_number(fig.value)}", *hedge]
        else:
            untracked.append(fig)
            continue
        lines += [f"source = {_toml_str(source_id)}",
                  f"quote = {_toml_str(fig.quote)}"]
    if untracked:
        lines += ["", "# Not about a tracked partner or product; add one first to keep these:"]
        # A comment holds no escapes: what it shows goes through _toml_str, quotes and all.
        lines += [f"#   {fig.metric} {_toml_number(fig.value)} "
                  f"({_toml_str(fig.subject or 'no subject')}): "
                  f"{_toml_str(_clean(fig.quote, 120))}" for fig in untracked]
    return "\n".join(lines) + "\n"


def render(
    text: str,
    matcher: EntityMatcher,
    *,
    lang: str | None = None,
    fmt: str = "toml",
    source_id: str = "new-source",
    published: date | None = None,
    partners: Collection[str] = (),
    products: Collection[str] = ("ChatGPT",),
    warn: Callable[[str], None] | None = None,
) -> str:
    """What `dealdesk ingest` prints: fact tables ready for config/facts/, or JSON signals.

    Past MAX_PROPOSALS distinct figures the rest are left out, and `warn` is told so in one
    line."""
    if fmt not in ("toml", "json"):
        raise ValueError(f"unknown format {fmt!r}: expected toml or json")
    lang = lang or detect_lang(text)
    figures, dropped = _propose(text, lang, matcher, MAX_PROPOSALS)
    if dropped and warn is not None:
        more = f"{dropped - 1:,}+" if dropped > MAX_PROPOSALS * 10 else f"{dropped:,}"
        warn(f"{more} more figures left out: ingest proposes at most {MAX_PROPOSALS:,}")
    if fmt == "json":
        return to_json(figures)
    # The first line that is not blank, read no further than a title can be: neither a list
    # of every line nor a copy of a file that is one long line.
    first_line = _FIRST_LINE_RE.search(text, 0, _TITLE_SCAN)
    title = _clean(first_line.group() if first_line else "", 200)
    return to_facts_toml(figures, source_id, lang, title=title,
                         published=published or date.today(), partners=partners,
                         products=products)


_FIRST_LINE_RE = re.compile(r"[^\n]*\S[^\n]*")
_TITLE_SCAN = 4096


def _clean(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """Source text as feed text is shown: one line, no control, bidi or invisible character."""
    return clean_text(text, limit, html_markup=False)


# TOML basic strings must escape the backslash, the double quote and every control
# character (U+0000-U+001F and U+007F). Beyond what TOML requires, every other character
# that does not print (C1 controls, bidi and other format characters, line separators,
# unassigned code points) is written as an escape too, so the file shows what it holds and
# a terminal that prints it is not driven by it; accents and NBSP are kept as they are.
_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
                 "\r": "\\r"}


def _toml_str(s: str) -> str:
    if s.isprintable() and '"' not in s and "\\" not in s:
        return f'"{s}"'
    out = []
    for ch in s:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ch.isprintable() or unicodedata.category(ch) == "Zs":
            out.append(ch)
        elif "\ud800" <= ch <= "\udfff":
            out.append("\\uFFFD")  # a lone surrogate is no character: TOML cannot escape it
        elif ord(ch) > 0xFFFF:
            out.append(f"\\U{ord(ch):08X}")
        else:
            out.append(f"\\u{ord(ch):04X}")
    return '"' + "".join(out) + '"'


def _toml_number(value: float) -> str:
    """Written as config/facts/ writes figures: 100e9, 700e6, 1.4e12, 10, 0.75.

    TOML has nan and inf, but no fact may hold them: a value that is not finite raises
    ValueError instead of writing `Infinitye12` (the callers only pass plausible figures).
    """
    if not limits.finite(value):
        raise ValueError(f"not a finite number: {value!r}")
    exact = Decimal(repr(value))
    for exp in (12, 9, 6):
        if abs(exact) >= Decimal(10) ** exp:
            mantissa = (exact / Decimal(10) ** exp).normalize()
            return f"{mantissa:f}e{exp}"
    if exact == exact.to_integral_value():
        return str(int(exact))
    return repr(value)
