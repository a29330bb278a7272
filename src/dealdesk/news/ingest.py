"""An article's text -> proposed facts, as TOML to paste into config/facts/ or as JSON signals.

This is the core of `dealdesk ingest FILE [--lang fr|en] [--format toml|json]`: the CLI reads
the file, builds the EntityMatcher from the config, and prints `render(...)`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from dealdesk.news.entities import EntityMatcher
from dealdesk.news.signals import Figure, detect_lang, find_figures

__all__ = ["ingest", "render", "to_facts_toml", "to_json", "to_toml"]


def ingest(text: str, lang: str | None, matcher: EntityMatcher) -> list[Figure]:
    """The figures of an article, each (metric, value, subject) once.

    An article often repeats a figure (a heading "10 gigawatts…", then "au moins 10
    gigawatts…"). The copy that carries a qualifier wins, since it keeps the source's hedge;
    otherwise the first. Order is that of first mention.
    """
    figures = find_figures(text, matcher, lang or detect_lang(text))
    best: dict[tuple[str, float, str | None], Figure] = {}
    for fig in figures:
        key = (fig.metric, fig.value, fig.subject)
        kept = best.get(key)
        if kept is None or (kept.qualifier is None and fig.qualifier is not None):
            best[key] = fig  # replacing a value keeps the key's first position
    return list(best.values())


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
    ]
    return json.dumps(signals, ensure_ascii=False, indent=2) + "\n"


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
        if fig.metric == "weekly_active_users" and fig.subject in products:
            lines += ["", "[[users]]", f"product = {_toml_str(fig.subject)}",
                      f"as_of = {published.isoformat()}",
                      f"weekly_active_users = {_toml_number(fig.value)}", *hedge]
        elif fig.metric != "weekly_active_users" and fig.subject in partners:
            lines += ["", "[[event]]", f"date = {published.isoformat()}",
                      f"subject = {_toml_str(fig.subject)}", f"field = {_toml_str(fig.metric)}",
                      f"value = {_toml_number(fig.value)}", *hedge]
        else:
            untracked.append(fig)
            continue
        lines += [f"source = {_toml_str(source_id)}", f"quote = {_toml_str(fig.quote)}"]
    if untracked:
        lines += ["", "# Not about a tracked partner or product; add one first to keep these:"]
        lines += [f"#   {fig.metric} {_toml_number(fig.value)} ({fig.subject or 'no subject'}): "
                  f"{fig.quote[:120]!r}" for fig in untracked]
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
) -> str:
    """What `dealdesk ingest` prints: fact tables ready for config/facts/, or JSON signals."""
    if fmt not in ("toml", "json"):
        raise ValueError(f"unknown format {fmt!r}: expected toml or json")
    lang = lang or detect_lang(text)
    figures = ingest(text, lang, matcher)
    if fmt == "json":
        return to_json(figures)
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
    return to_facts_toml(figures, source_id, lang, title=title,
                         published=published or date.today(), partners=partners,
                         products=products)


# TOML basic strings must escape the backslash, the double quote and every control
# character (U+0000-U+001F and U+007F); everything else, accents and NBSP included, is kept.
_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
                 "\r": "\\r"}


def _toml_str(s: str) -> str:
    out = []
    for ch in s:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_number(value: float) -> str:
    """Written as config/facts/ writes figures: 100e9, 700e6, 1.4e12, 10, 0.75."""
    exact = Decimal(repr(value))
    for exp in (12, 9, 6):
        if abs(exact) >= Decimal(10) ** exp:
            mantissa = (exact / Decimal(10) ** exp).normalize()
            return f"{mantissa:f}e{exp}"
    if exact == exact.to_integral_value():
        return str(int(exact))
    return repr(value)
