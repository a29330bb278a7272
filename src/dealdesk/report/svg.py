"""Two small inline SVG charts for the HTML briefing: weekly users over time, and GW
planned vs deployed per partner. Plain shapes and text, no script, no external reference;
every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from .. import view as V

WIDTH, HEIGHT = 640, 220
PAD_L, PAD_R, PAD_T, PAD_B = 64, 16, 16, 36


def _svg(body: list[str], label: str, height: int = HEIGHT) -> str:
    return (f'<svg viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" role="img" aria-label="{escape(label)}">'
            + "".join(body) + "</svg>")


def users_chart(points: Sequence[tuple[date, float]], product: str) -> str:
    label = f"{product} weekly active users over time"
    if not points:
        return _svg([f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">'
                     "No user counts</text>"], label)
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(1, last - first)
    top = max(v for _, v in points) or 1.0
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def xy(day: date, v: float) -> tuple[float, float]:
        x = PAD_L + plot_w * (day.toordinal() - first) / span
        y = PAD_T + plot_h * (1 - max(0.0, v) / top)
        return round(x, 1), round(y, 1)

    coords = [xy(d, v) for d, v in points]
    body = [
        f'<line class="axis" x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{WIDTH - PAD_R}" '
        f'y2="{PAD_T + plot_h}"/>',
        f'<line class="axis" x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + plot_h}"/>',
        f'<text class="tick" x="{PAD_L - 6}" y="{PAD_T + 4}" text-anchor="end">'
        f"{escape(V.users(top))}</text>",
        f'<text class="tick" x="{PAD_L - 6}" y="{PAD_T + plot_h}" text-anchor="end">0</text>',
        f'<text class="tick" x="{PAD_L}" y="{HEIGHT - 12}">{points[0][0].isoformat()}</text>',
        f'<text class="tick" x="{WIDTH - PAD_R}" y="{HEIGHT - 12}" text-anchor="end">'
        f"{points[-1][0].isoformat()}</text>",
        '<polyline class="line" points="' + " ".join(f"{x},{y}" for x, y in coords) + '"/>',
    ]
    for (x, y), (day, v) in zip(coords, points, strict=True):
        body.append(f'<circle class="dot" cx="{x}" cy="{y}" r="3.5">'
                    f"<title>{day.isoformat()}: {escape(V.users(v))}</title></circle>")
    return _svg(body, label)


def compute_chart(rows: Sequence[tuple[str, float, float]]) -> str:
    label = "Gigawatts planned vs deployed, by partner"
    row_h = 28
    height = PAD_T + row_h * max(1, len(rows)) + 28
    if not rows:
        return _svg([f'<text x="{WIDTH // 2}" y="{height // 2}" text-anchor="middle">'
                     "No compute figures</text>"], label, height)
    name_w = 120
    plot_w = WIDTH - name_w - PAD_R - 70
    top = max(max(p, d) for _, p, d in rows) or 1.0
    body = []
    for i, (name, planned, deployed) in enumerate(rows):
        y = PAD_T + i * row_h
        pw, dw = plot_w * planned / top, plot_w * deployed / top
        body += [
            f'<text class="name" x="{name_w - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(name)}</text>",
            f'<rect class="planned" x="{name_w}" y="{y + 2}" width="{pw:.1f}" height="18"/>',
            f'<rect class="deployed" x="{name_w}" y="{y + 2}" width="{dw:.1f}" height="18"/>',
            f'<text class="tick" x="{name_w + max(pw, dw) + 6:.1f}" y="{y + 15}">'
            f"{escape(V.gigawatts(deployed))} / {escape(V.gigawatts(planned))}</text>",
        ]
    legend_y = PAD_T + row_h * len(rows) + 14
    body += [
        f'<rect class="deployed" x="{name_w}" y="{legend_y - 10}" width="12" height="12"/>',
        f'<text class="tick" x="{name_w + 16}" y="{legend_y}">deployed</text>',
        f'<rect class="planned" x="{name_w + 100}" y="{legend_y - 10}" width="12" height="12"/>',
        f'<text class="tick" x="{name_w + 116}" y="{legend_y}">planned</text>',
    ]
    return _svg(body, label, height)
