"""Read and check `facts/*.toml` into a facts.Story: sources, partners, users, risks, events.

Every problem is added to the caller's list as `path:line: message` (see config).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import story_types as F
from ..model import Metric
from .check import (
    Check,
    Problem,
    Table,
    a_date,
    http_url,
    metric_number,
    nonempty_text,
    one_of,
    only_sections,
    read_toml,
    tables,
    text,
    text_list,
)
from .settings import Settings

FACT_TABLES = ("source", "partner", "users", "risk", "event")
_USERS_NUMBER = metric_number(Metric.WEEKLY_ACTIVE_USERS)


def load_story(facts_dir: Path, settings: Settings, problems: list[Problem]) -> F.Story | None:
    if not facts_dir.is_dir():
        problems.append(Problem(facts_dir, 0, "facts directory not found",
                                "create config/facts/ with at least one .toml file"))
        return None
    docs = [d for p in sorted(facts_dir.glob("*.toml")) if (d := read_toml(p, problems))]
    for doc in docs:
        only_sections(doc, FACT_TABLES, problems)

    sources: dict[str, F.Source] = {}
    source_lines: dict[str, str] = {}
    for doc in docs:
        for t in tables(doc, "source", problems):
            src = F.Source(
                id=t.get("id", nonempty_text),
                title=t.get("title", nonempty_text),
                published=t.get("published", a_date),
                kind=t.get("kind", one_of(F.SOURCE_KINDS), "reported"),
                publisher=t.get("publisher", text, ""),
                url=t.get("url", http_url, None),
                lang=t.get("lang", one_of(("en", "fr")), "en"),
            )
            t.finish()
            if src.id in sources:
                t.problem("id", f"duplicate source id {src.id!r} (first at {source_lines[src.id]})",
                          "give each [[source]] its own id")
            elif src.id:
                sources[src.id] = src
                source_lines[src.id] = f"{doc.path.name}:{t.where('id')}"

    def source_ref(t: Table) -> str:
        """The source id; "" when missing or unknown: a problem is recorded then, and a story
        with problems is never returned, so the placeholder is never seen."""
        ref = t.get("source", nonempty_text, hint="every fact names the [[source]] it comes from")
        if ref is None:
            return ""
        if ref not in sources:
            t.problem("source", f"unknown source {ref!r}", _did_you_mean(ref, sources))
            return ""
        return str(ref)

    partners: list[F.Partner] = []
    users: list[F.UserCount] = []
    risks: list[F.Risk] = []
    pending_events: list[tuple[Table, F.Event]] = []
    for doc in docs:
        for t in tables(doc, "partner", problems):
            partners.append(_partner(t, source_ref(t)))
            t.finish()
        for t in tables(doc, "users", problems):
            users.append(F.UserCount(
                product=t.get("product", nonempty_text),
                as_of=t.get("as_of", a_date),
                weekly_active_users=t.get(Metric.WEEKLY_ACTIVE_USERS, _USERS_NUMBER),
                source=source_ref(t),
                qualifier=t.get("qualifier", one_of(F.QUALIFIERS), None),
                quote=t.get("quote", text, ""),
                note=t.get("note", text, ""),
            ))
            t.finish()
        for t in tables(doc, "risk", problems):
            risks.append(F.Risk(
                id=t.get("id", nonempty_text),
                title=t.get("title", nonempty_text),
                party=t.get("party", nonempty_text),
                severity=t.get("severity", one_of(F.RISK_SEVERITIES)),
                status=t.get("status", one_of(F.RISK_STATUSES)),
                since=t.get("since", a_date),
                source=source_ref(t),
                note=t.get("note", text, ""),
                trigger=t.get("trigger", text, ""),
                watch=t.get("watch", text, ""),
                quote=t.get("quote", text, ""),
                watch_terms=t.get("watch_terms", _watch_terms, ()),
            ))
            t.finish()
        for t in tables(doc, "event", problems):
            raw_value: Any = t.values.get("value")  # as written: _check_events checks it
            event = F.Event(
                date=t.get("date", a_date),
                subject=t.get("subject", nonempty_text),
                field=t.get("field", nonempty_text),
                value=raw_value,
                source=source_ref(t),
                quote=t.get("quote", text, ""),
                note=t.get("note", text, ""),
                qualifier=t.get("qualifier", one_of(F.QUALIFIERS), None),
            )
            t.seen.add("value")
            t.finish()
            pending_events.append((t, event))

    events = _check_events(pending_events, partners, risks)
    if problems:
        return None
    return F.Story(
        title=settings.title,
        company=settings.company,
        sources=sources,
        partners=tuple(partners),
        users=tuple(users),
        risks=tuple(risks),
        events=tuple(events),
        stale_after_days=settings.stale_after_days,
    )


def _watch_terms(value: Any) -> tuple[str, ...]:
    from .watches import _terms  # the same rule as a phrase watch's terms

    return _terms(value)


def _partner(t: Table, source: str) -> F.Partner:
    return F.Partner(
        name=t.get("name", nonempty_text),
        role=t.get("role", nonempty_text),
        status=t.get("status", one_of(F.PARTNER_STATUSES)),
        since=t.get("since", a_date),
        source=source,
        aliases=t.get("aliases", text_list, ()),
        capacity_gw=t.get(Metric.CAPACITY_GW, metric_number(Metric.CAPACITY_GW), None),
        deployed_gw=t.get(Metric.DEPLOYED_GW, metric_number(Metric.DEPLOYED_GW), None),
        commitment_usd=t.get(Metric.COMMITMENT_USD, metric_number(Metric.COMMITMENT_USD), None),
        investment_max_usd=t.get(Metric.INVESTMENT_MAX_USD,
                                 metric_number(Metric.INVESTMENT_MAX_USD), None),
        tranche_per_gw_usd=t.get(Metric.TRANCHE_PER_GW_USD,
                                 metric_number(Metric.TRANCHE_PER_GW_USD), None),
        capacity_qualifier=t.get("capacity_qualifier", one_of(F.QUALIFIERS), None),
        commitment_qualifier=t.get("commitment_qualifier", one_of(F.QUALIFIERS), None),
        quote=t.get("quote", text, ""),
        note=t.get("note", text, ""),
    )


def _check_events(
    pending: list[tuple[Table, F.Event]], partners: list[F.Partner], risks: list[F.Risk]
) -> list[F.Event]:
    partner_names = {p.name for p in partners}
    risk_ids = {r.id for r in risks}
    events = []
    for t, e in pending:
        if e.subject is None or e.field is None:
            continue
        if e.subject in partner_names:
            fields: dict[str, Check] = {f: metric_number(f) for f in F.PARTNER_NUMBER_FIELDS}
            fields |= {Metric.STATUS: one_of(F.PARTNER_STATUSES), "role": nonempty_text,
                       "note": text}
        elif e.subject in risk_ids:
            fields = {Metric.STATUS: one_of(F.RISK_STATUSES), "severity": one_of(F.RISK_SEVERITIES),
                      "note": text}
        else:
            known = sorted(n for n in partner_names | risk_ids if n)  # a refused name is None
            t.problem("subject", f"event names unknown partner or risk {e.subject!r}",
                      _did_you_mean(e.subject, known))
            continue
        if e.field not in fields:
            t.problem("field", f"{e.subject} has no field {e.field!r}",
                      f"events may set {', '.join(fields)}")
            continue
        if "value" not in t.values:
            t.problem(None, "[event] is missing 'value'",
                      f"the new value of {e.field}, e.g. value = {_EVENT_EXAMPLE.get(e.field, 10)}")
            continue
        try:
            value = fields[e.field](t.values["value"])
        except ValueError as exc:
            t.problem("value", f"value: {exc}",
                      f"{e.field} takes e.g. value = {_EVENT_EXAMPLE.get(e.field, 10)}")
            continue
        events.append(replace(e, value=value))
    return events


_EVENT_EXAMPLE: dict[str, str] = {
    Metric.STATUS: '"stalled"', "severity": '"high"', "note": '"..."', "role": '"..."',
}


def _did_you_mean(word: str, known: Mapping[str, Any] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known)[:8])}"
