"""The Danh mục minh chứng (evidence index) as data, as XLSX and (through typst) as PDF.

One row per code: STT, mã, tên minh chứng, số/ký hiệu, ngày ban hành, nơi ban hành (blank
where the official did not say), the indicators the item supports, and the file's name in
the ZIP (“không có tệp” for an item recorded without one, “như H1-1.1-01 (…)” for an item
already stored under its first code).
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from dvht_core.model import TIER_NAMES
from reports.dossier.plan import IndexRow
from reports.xlsx import _banner, _put, _widths

COLUMNS = (
    "STT",
    "Mã minh chứng",
    "Tên minh chứng",
    "Số, ký hiệu",
    "Ngày ban hành",
    "Nơi ban hành",
    "Chỉ tiêu",
    "Tên tệp trong hồ sơ",
)
WIDTHS = (6, 16, 60, 18, 13, 28, 12, 36)
HEADING = "DANH MỤC MINH CHỨNG"


def index_data(
    rows: list[IndexRow], *, unit_name: str, tier: str, year: int, notes: list[str]
) -> dict[str, Any]:
    return {
        "title": f"Danh mục minh chứng - {unit_name} - {year}",
        "unit": unit_name.upper(),
        "heading": HEADING,
        "subtitle": f"(Kèm theo hồ sơ đề nghị công nhận “Đơn vị học tập” {TIER_NAMES[tier]} "
        f"năm {year})",
        "columns": list(COLUMNS),
        "rows": [dataclasses.asdict(row) for row in rows],
        "notes": notes,
    }


def render_index_xlsx(data: dict[str, Any]) -> bytes:
    workbook = Workbook()
    workbook.properties.title = data["title"]
    workbook.properties.creator = ""
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Danh mục minh chứng"
    width = len(COLUMNS)
    _banner(sheet, 1, data["unit"], width, bold=True)
    _banner(sheet, 2, data["heading"], width, bold=True, size=14)
    _banner(sheet, 3, data["subtitle"], width, italic=True)
    for column, title in enumerate(COLUMNS, start=1):
        _put(sheet, 5, column, title, bold=True)
    for offset, row in enumerate(data["rows"]):
        values = (
            row["number"], row["code"], row["title"], row["doc_number"], row["doc_date"],
            row["issuer"], row["indicators"], row["file"],
        )  # fmt: skip
        for column, value in enumerate(values, start=1):
            _put(sheet, 6 + offset, column, value, horizontal="left" if column > 1 else "center")
    last = 6 + len(data["rows"])
    for n, note in enumerate(data["notes"]):
        _banner(sheet, last + 1 + n, note, width, italic=True)
    _widths(sheet, WIDTHS)
    sheet.freeze_panes = "A6"
    sheet.print_title_rows = "5:5"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
