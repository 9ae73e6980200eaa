"""Simple horizontal bar charts as inline SVG, drawn on the server (no scripts, no third parties).

Jinja autoescaping still applies: labels are escaped by ``markupsafe.escape`` here because the
chart is built as a string and marked safe.
"""

from __future__ import annotations

from markupsafe import Markup, escape

ROW, LABEL_WIDTH, BAR_WIDTH, PAD = 28, 230, 360, 6


def bar_chart(title: str, rows: list[tuple[str, int]], *, unmet: bool = False, limit: int = 15) -> Markup:
    """An accessible SVG bar chart: a <title>, and each bar's value written next to it."""
    rows = rows[:limit]
    if not rows:
        return Markup("")
    top = max(count for _, count in rows) or 1
    height = ROW * len(rows) + PAD
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [f'<svg class="staff-chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for i, (label, count) in enumerate(rows):
        y = i * ROW + PAD
        length = max(2, round(BAR_WIDTH * count / top))
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>')
        parts.append(f'<rect class="bar{" bar--unmet" if unmet else ""}" x="{LABEL_WIDTH}" y="{y + 3}" '
                     f'width="{length}" height="{ROW - 10}"></rect>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 17}">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
