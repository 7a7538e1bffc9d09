"""The conversation layer's `ReportRenderer` port: report data from dvht_core, then the PDF
(typst), the editable DOCX and the XLSX summary from the same data."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from dvht_core.assessment import Assessment
from dvht_core.model import Rulebook
from reports.data import report_data


class ReportFiles:
    def build(
        self, rulebook: Rulebook, assessment: Assessment, *, today: dt.date
    ) -> dict[str, Any]:
        return report_data(rulebook, assessment, today=today)

    async def render(self, data: dict[str, Any]) -> dict[str, bytes]:
        """The three files, rendered in a worker thread: CPU-bound work off the event loop."""
        return await asyncio.to_thread(_render_all, data)


def _render_all(data: dict[str, Any]) -> dict[str, bytes]:
    # Imported on the first report: python-docx and openpyxl would add about 0.15 s to the
    # start of every chat session.
    from reports.docx import render_docx
    from reports.pdf import render_pdf
    from reports.xlsx import render_xlsx

    return {"pdf": render_pdf(data), "docx": render_docx(data), "xlsx": render_xlsx(data)}
