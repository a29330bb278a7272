"""Read and check `watches.toml` (and risks' `watch_terms`) into Watch records.

Two kinds of `[[watch]]`, each with a `name`:

* phrase: `terms = ["gigawatt", "mis en service"]`, optional `partner`; an item matches when
  its title or summary holds any term as a phrase (case- and accent-insensitive, any
  language), and when a partner is given, when the item is tagged with that partner.
* figure: `metric`, `subject`, `when` and (for above and below) `value`; a signal about that
  metric and subject matches when
  - `changes`: it differs from the fact's current value (a status: from the current status),
  - `above` / `below`: its value is above / below `value`,
  - `disagrees`: it differs from the fact's current value by more than `value` (a fraction,
    0.1 = 10 %; default 0: any difference). For metric `status`, as `changes`.

Every problem is added to the caller's list as `path:line: message` (see config). A missing
file is no problem: there are no watches then.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from ..model import Metric
from ..value import Value
from .check import (
    Problem,
    Table,
    metric_number,
    nonempty_text,
    number,
    one_of,
    read_toml,
    tables,
)

WATCHES_FILE = "watches.toml"
WATCH_METRICS = (Metric.WEEKLY_ACTIVE_USERS, Metric.CAPACITY_GW, Metric.DEPLOYED_GW,
                 Metric.COMMITMENT_USD, Metric.STATUS)
WATCH_WHEN = ("changes", "above", "below", "disagrees")
MAX_TERMS = 100  # per watch: each term is one search per refresh


class Watch(Value):
    name: str
    kind: str  # "phrase" | "figure"
    terms: tuple[str, ...] = ()
    partner: str | None = None
    metric: str | None = None
    subject: str | None = None
    when: str | None = None
    value: float | None = None


def load_watches(
    path: Path,
    problems: list[Problem],
    subjects: Collection[str] = (),
    partners: Collection[str] = (),
) -> tuple[Watch, ...]:
    """The watches of `path` (none when it does not exist). `subjects` are the names a figure
    watch may follow (partners and products), `partners` those a phrase watch may name; when
    empty, any name is taken (the story did not load)."""
    if not path.exists():
        return ()
    doc = read_toml(path, problems)
    if doc is None:
        return ()
    for key in doc.data:
        if key != "watch":
            problems.append(Problem(path, doc.lines.table(key) if doc.lines.table(key) != 1
                                    else doc.lines.key("", 0, key),
                                    f"unknown table [[{key}]]", "expected [[watch]]"))
    watches: list[Watch] = []
    names: dict[str, int] = {}
    for t in tables(doc, "watch", problems):
        watch = _watch(t, subjects, partners)
        t.finish()
        if watch is None:
            continue
        if watch.name in names:
            t.problem("name", f"duplicate watch name {watch.name!r} (first at line "
                              f"{names[watch.name]})", "give each watch its own name")
            continue
        names[watch.name] = t.where("name")
        watches.append(watch)
    return tuple(watches)


def _watch(t: Table, subjects: Collection[str], partners: Collection[str]) -> Watch | None:
    name = t.get("name", nonempty_text)
    has_terms, has_metric = "terms" in t.values, "metric" in t.values
    if has_terms == has_metric:
        t.seen.update(("terms", "partner", "metric", "subject", "when", "value"))
        t.problem(None, f"[watch] {name or ''} needs either terms or metric".replace("  ", " "),
                  'a phrase watch: terms = ["..."]; a figure watch: metric, subject, when')
        return None
    if has_terms:
        terms = t.get("terms", _terms)
        partner = t.get("partner", _known(partners, "partner"), None)
        if name is None or terms is None:
            return None
        return Watch(name, "phrase", terms=terms, partner=partner)
    metric = t.get("metric", one_of(WATCH_METRICS))
    subject = t.get("subject", _known(subjects, "partner or product"))
    when = t.get("when", one_of(WATCH_WHEN))
    value: float | None = None
    if when in ("above", "below"):
        if metric == "status":
            t.problem("when", f"when = {when!r} compares numbers; a status only changes",
                      'use when = "changes"')
            return None
        value = t.get("value", metric_number(metric) if metric else _number,
                      hint=f"when = {when!r} needs the value to compare with")
        if value is None:
            return None
    elif when == "disagrees":
        value = t.get("value", _fraction, 0.0)
    elif "value" in t.values:
        t.seen.add("value")
        t.problem("value", f"when = {when!r} takes no value",
                  "value goes with above, below and disagrees")
    if name is None or metric is None or subject is None or when is None:
        return None
    return Watch(name, "figure", metric=metric, subject=subject, when=when, value=value)


def _terms(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError("expected a non-empty list of phrases")
    if len(value) > MAX_TERMS:
        raise ValueError(f"{len(value)} terms; at most {MAX_TERMS}")
    terms = []
    for item in value:
        term = nonempty_text(item).strip()
        if not any(c.isalnum() for c in term):
            raise ValueError(f"{item!r} has no letter or digit to look for")
        terms.append(term)
    return tuple(terms)


def _known(names: Collection[str], what: str) -> Any:
    def check(value: Any) -> str:
        name = nonempty_text(value)
        if names and name not in names:
            import difflib

            known = sorted(set(names))
            close = difflib.get_close_matches(name, known, n=1)
            raise ValueError(f"unknown {what} {name!r}"
                             + (f"; did you mean {close[0]!r}?" if close
                                else f" (known: {', '.join(known[:12])})"))
        return name

    return check


def _number(value: Any) -> float:

    return number(value)


def _fraction(value: Any) -> float:

    n = number(value)
    if not 0 <= n <= 100:
        raise ValueError(f"{n!r} is not a fraction between 0 and 100 (0.1 = 10 %)")
    return n


def risk_watches(risks: Collection[Any]) -> tuple[Watch, ...]:
    """A risk's `watch_terms` act as a phrase watch named after the risk."""
    return tuple(Watch(f"risk {r.id}", "phrase", terms=tuple(r.watch_terms))
                 for r in risks if getattr(r, "watch_terms", ()))
