"""The briefing as Markdown that renders on a code forge (GitHub-flavoured: tables and
footnotes). Every piece of text is escaped: a title holding `<script>`, `*`, `|` or `$`
shows those characters, never markup, a table split or a formula; links are http(s) only
and percent-encoded so they cannot close their own parentheses."""

from __future__ import annotations

import re

from .model import Briefing, Cell, Note, Section

# CommonMark lets any ASCII punctuation be escaped with a backslash. These are the ones
# that mean something inside a line: emphasis, code, links and images, raw HTML and
# entities, table cells, strikethrough and GitHub's math ($).
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&!#{}])")
# In a link destination: what could end it, nest it or split it.
_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]|[()]")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def link_target(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _cell(cell: Cell) -> str:
    mark = f"[^{cell.note}]" if cell.note is not None else ""
    return escape(cell.text) + mark


def _section(section: Section) -> list[str]:
    out = [f"## {escape(section.title)}", ""]
    if not section.rows:
        return [*out, f"_{escape(section.empty)}_", ""]
    out.append("| " + " | ".join(escape(c) for c in section.columns) + " |")
    out.append("|" + "|".join("---" for _ in section.columns) + "|")
    for row in section.rows:
        out.append("| " + " | ".join(_cell(c) for c in row) + " |")
    out.append("")
    out += [escape(line) for line in section.lines]
    return out


def _note(number: int, note: Note) -> str:
    parts = [f"`{note.source_id}`" if "`" not in note.source_id else escape(note.source_id),
             escape(note.kind)]
    if note.outlet:
        parts.append(escape(note.outlet))
    if note.published:
        parts.append(note.published.isoformat())
    if note.title and note.url:
        parts.append(f"[{escape(note.title)}]({link_target(note.url)})")
    elif note.title:
        parts.append(escape(note.title))
    if note.url:  # spelled out too: a printed page keeps it
        parts.append(f"[{escape(note.url)}]({link_target(note.url)})")
    if note.quote:
        parts.append(f"“{escape(note.quote)}”")
    return f"[^{number}]: " + " · ".join(parts)


def render(b: Briefing) -> str:
    out = [
        f"# {escape(b.title)}",
        "",
        f"**Briefing as of {b.as_of.isoformat()}** · {escape(b.company)} · changes since "
        f"{b.since.isoformat()} · generated {b.generated_at.strftime('%Y-%m-%d %H:%M')} UTC",
        "",
    ]
    for section in b.sections:
        out += _section(section)
    out += ["## Sources", ""]
    if not b.notes:
        out += ["_No figures cited._", ""]
    for number, note in enumerate(b.notes, start=1):
        out.append(_note(number, note))
    return "\n".join(out).rstrip("\n") + "\n"
