"""The briefing as one self-contained HTML file: inline CSS, inline SVG charts, no script,
nothing fetched (no image, font, stylesheet or frame), and a print style for paper.

Every piece of text goes through html.escape; the only links are the sources' http(s) URLs
(model.Note.url, already checked by text.links.clean_link), opened without a referrer.
Each figure is a <data value="..."> element carrying the number dump gives, so a test (or
a reader's script) can check the page against `dump --format json --as-of`.
"""

from __future__ import annotations

import re
from html import escape

from . import svg
from .model import Briefing, Cell, Note, Section

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b636d; --rule: #d7dce1;
  --planned: #c9d6e8; --deployed: #1f5fa8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  max-width: 980px; margin: 24px auto; padding: 0 20px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 22px 0 6px; border-bottom: 1px solid var(--rule);
  padding-bottom: 2px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.asof { font-weight: 700; color: #8a1c1c; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--rule);
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, td.date { white-space: nowrap; }
sup { font-size: 10px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: 12px; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .line { fill: none; stroke: var(--deployed); stroke-width: 2; }
svg .dot { fill: var(--deployed); }
svg .planned { fill: var(--planned); }
svg .deployed { fill: var(--deployed); }
ol.notes { font-size: 12px; padding-left: 24px; }
ol.notes li { margin-bottom: 4px; }
.quote { font-style: italic; }
code { font-size: 12px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; }
  table, figure, li { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 10px; color: var(--muted); }
  @page { margin: 14mm; }
}
"""


def _t(text: str) -> str:
    return escape(text, quote=False)


def _cell(cell: Cell) -> str:
    body = _t(cell.text)
    if cell.number is not None:
        body = f'<data value="{cell.number!r}">{body}</data>'
    if cell.note is not None:
        body += f"<sup>[{cell.note}]</sup>"
    cls = (' class="num"' if cell.number is not None
           else ' class="date"' if _DATE.match(cell.text) else "")
    return f"<td{cls}>{body}</td>"


def _section(section: Section) -> str:
    head = f"<h2>{_t(section.title)}</h2>"
    if not section.rows:
        return head + f'<p class="empty">{_t(section.empty)}</p>'
    cols = "".join(f"<th>{_t(c)}</th>" for c in section.columns)
    rows = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in section.rows)
    lines = "".join(f"<p>{_t(line)}</p>" for line in section.lines)
    return f"{head}<table><thead><tr>{cols}</tr></thead><tbody>{rows}</tbody></table>{lines}"


def _note(note: Note) -> str:
    parts = [f"<code>{_t(note.source_id)}</code>", _t(note.kind)]
    if note.outlet:
        parts.append(_t(note.outlet))
    if note.published:
        parts.append(note.published.isoformat())
    if note.title and note.url:
        parts.append(f'<a href="{escape(note.url, quote=True)}" rel="noreferrer noopener">'
                     f"{_t(note.title)}</a>")
    elif note.title:
        parts.append(_t(note.title))
    if note.url:
        parts.append(f"<span>{_t(note.url)}</span>")
    if note.quote:
        parts.append(f'<span class="quote">“{_t(note.quote)}”</span>')
    return "<li>" + " · ".join(parts) + "</li>"


def render(b: Briefing) -> str:
    sections = {s.key: s for s in b.sections}
    charts = (
        '<div class="charts">'
        f"<figure>{svg.users_chart(b.chart.users, b.chart.users_product)}"
        f"<figcaption>{_t(b.chart.users_product)} weekly active users</figcaption></figure>"
        f"<figure>{svg.compute_chart(b.chart.compute)}"
        "<figcaption>GW planned vs deployed</figcaption></figure></div>"
    )
    body = []
    for s in b.sections:
        if s.key == "users":
            body.append(charts)
        body.append(_section(s))
    if "users" not in sections:
        body.insert(0, charts)
    notes = "".join(_note(n) for n in b.notes) or '<li class="empty">No figures cited.</li>'
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No request may leave the page, whatever it holds: a second guard behind escaping.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_t(b.title)} · briefing as of {b.as_of.isoformat()}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<h1>{_t(b.title)}</h1>"
        f'<p class="meta"><span class="asof">Briefing as of {b.as_of.isoformat()}</span> · '
        f"{_t(b.company)} · changes since {b.since.isoformat()} · generated "
        f"{b.generated_at.strftime('%Y-%m-%d %H:%M')} UTC</p>"
        + "".join(body)
        + f'<h2>Sources</h2><ol class="notes">{notes}</ol>'
        "</body></html>\n"
    )
