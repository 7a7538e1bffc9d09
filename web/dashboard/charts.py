"""The charts of `/bieudo` as server-side SVG: no script, no external library, readable
without colour (every bar carries its number as text) and by a screen reader (each chart has
a `<title>` and a `<desc>` that says the figures in words). The drawings scale to the width of
the page (`viewBox`, width 100%), so they work on a 390 px phone.

Every text put in the SVG is escaped (`markupsafe.escape`); the result is `Markup` for the
template.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from review.board import ChartData

WIDTH = 360
BAR = 28
GAP = 10
LABEL_W = 150
LEVEL_ROWS = (
    ("level_2", "Mức 2"),
    ("level_1", "Mức 1"),
    ("level_0", "Không đạt"),
    ("incomplete", "Chưa trả lời đủ"),
)
COLOURS = {
    "level_2": "#1b7f3b",
    "level_1": "#0b5cad",
    "level_0": "#a4161a",
    "incomplete": "#8a94a3",
}


def _bars(
    chart_id: str, title: str, rows: list[tuple[str, int, str]], *, label_w: int = LABEL_W
) -> Markup:
    """Horizontal bars: (label, value, colour) each, the value written after the bar."""
    top = max((v for _, v, _ in rows), default=0) or 1
    height = len(rows) * (BAR + GAP) + GAP
    span = WIDTH - label_w - 50
    desc = "; ".join(f"{label}: {value}" for label, value, _ in rows) or "Chưa có số liệu."
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for n, (label, value, colour) in enumerate(rows):
        y = GAP + n * (BAR + GAP)
        width = value * span // top
        parts.append(
            f'<text x="0" y="{y + BAR * 2 // 3}" font-size="12">{escape(_short(label))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{width}" height="{BAR}" fill="{colour}"/>'
            f'<text x="{label_w + width + 6}" y="{y + BAR * 2 // 3}" font-size="13" '
            f'font-weight="600">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def levels_chart(data: ChartData) -> Markup:
    rows = [(label, data.levels.get(key, 0), COLOURS[key]) for key, label in LEVEL_ROWS]
    return _bars("levels", f"Mức tự đánh giá của các đơn vị, năm {data.year}", rows)


def failed_chart(data: ChartData) -> Markup:
    rows = [(f.label, f.units, "#a4161a") for f in data.failed]
    return _bars("failed", "Các chỉ tiêu chưa đạt nhiều nhất (số đơn vị)", rows)


def progress_chart(data: ChartData) -> Markup:
    """The share of indicators answered at the end of each week, as a line with its points,
    the first and last weeks and 0–100% written on the axes."""
    points = data.progress
    height, left, bottom, top = 200, 40, 30, 10
    span_x = WIDTH - left - 10
    span_y = height - bottom - top
    title = f"Tỷ lệ chỉ tiêu đã trả lời theo tuần, năm {data.year}"
    if not points:
        desc = "Chưa có chỉ tiêu nào được trả lời."
    else:
        desc = "; ".join(
            f"tuần từ {p.week_start.strftime('%d/%m/%Y')}: {p.percent}%" for p in points
        )
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        'aria-labelledby="progress-t progress-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="progress-t">{escape(title)}</title>',
        f'<desc id="progress-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + span_y}" stroke="#5b6470"/>',
        f'<line x1="{left}" y1="{top + span_y}" x2="{left + span_x}" y2="{top + span_y}" '
        'stroke="#5b6470"/>',
        f'<text x="0" y="{top + 10}" font-size="11">100%</text>',
        f'<text x="12" y="{top + span_y}" font-size="11">0%</text>',
    ]
    if points:
        step = span_x // max(1, len(points) - 1) if len(points) > 1 else 0
        coords = []
        for n, p in enumerate(points):
            x = left + n * step
            y = top + span_y - p.percent * span_y // 100
            coords.append(f"{x},{y}")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="#0b5cad"/>')
        parts.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="#0b5cad" '
            'stroke-width="2"/>'
        )
        last = points[-1]
        parts.append(
            f'<text x="{left}" y="{height - 8}" font-size="11">'
            f"{points[0].week_start.strftime('%d/%m')}</text>"
            f'<text x="{WIDTH - 10}" y="{height - 8}" font-size="11" text-anchor="end">'
            f"{last.week_start.strftime('%d/%m')}: {last.percent}%</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
