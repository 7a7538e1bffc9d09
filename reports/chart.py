"""The chart as a PNG for the chat (Telegram sends it after the result), compiled by typst from
the same drawing as the report's figure (`templates/chart.typ`, through `chart-page.typ`).

A page 3.75 inches wide at 288 pixels per inch is 1080 pixels: the width Telegram keeps for a
photo on a phone, so the labels stay legible without zooming. Fonts are the shipped ones, as for
the PDF (`reports.pdf`), so the picture is the same on any host. Rendering is CPU-bound: the
chat calls it in a worker thread (`ChartImages.render`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typst

from dvht_core.assessment import Assessment
from dvht_core.model import Rulebook
from reports.chart_data import chart_data
from reports.pdf import FONTS, HERE

PAGE = HERE / "templates" / "chart-page.typ"
PPI = 288
WIDTH_PX = 1080
"""3.75 in × 288 ppi, the page width set in chart-page.typ."""
FILE_NAME = "bieu-do-ti-le.png"


def render_chart_png(data: dict[str, Any]) -> bytes | None:
    """The chart of `reports.chart_data.chart_data` as a PNG 1080 pixels wide, or None when no
    count indicator is answered (nothing to draw)."""
    if not data.get("rows"):
        return None
    png = typst.compile(  # type: ignore[call-overload]  # root: the stub wants str | Path | bytes
        PAGE.read_bytes(),
        root=str(HERE),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        format="png",
        ppi=PPI,
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
    assert isinstance(png, bytes)  # one page: height auto
    return png


class ChartImages:
    """The conversation layer's `ChartRenderer` port."""

    def build(self, rulebook: Rulebook, assessment: Assessment) -> dict[str, Any] | None:
        data = chart_data(rulebook, assessment)
        if not data["rows"]:
            return None
        name = assessment.unit_name or "Đơn vị"
        return data | {"title": f"{name}, năm {assessment.year}"}

    async def render(self, data: dict[str, Any]) -> bytes | None:
        return await asyncio.to_thread(render_chart_png, data)
