"""The conversation layer's `ReportRenderer` port: report data from dvht_core, PDF by typst."""

from __future__ import annotations

from typing import Any

from dvht_core.assessment import Assessment
from dvht_core.model import Rulebook
from reports.data import report_data
from reports.pdf import render_pdf_async


class PdfReports:
    def build(self, rulebook: Rulebook, assessment: Assessment) -> dict[str, Any]:
        return report_data(rulebook, assessment)

    async def render(self, data: dict[str, Any]) -> bytes:
        return await render_pdf_async(data)
