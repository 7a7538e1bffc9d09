"""The summary table (Mẫu 2) and the evidence list as a spreadsheet (openpyxl).

Every value is written as text, never as a formula: a string that begins with "=", "+", "-"
or "@" is stored as a string cell with Excel's quote prefix, so a unit named
`=HYPERLINK(...)` shows literally and stays text even when someone edits the cell.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import Cell  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from reports.office_text import level_mark, xml_safe

FONT = "Times New Roman"
HEADER = (
    "Tiêu chí",
    "Chỉ tiêu",
    "Nội dung",
    "Không đạt",
    "Đạt mức độ 1",
    "Đạt mức độ 2",
    "Kết quả tiêu chí",
)
WIDTHS = (12, 10, 60, 12, 14, 14, 18)
EVIDENCE_HEADER = ("Mã minh chứng", "Chỉ tiêu", "Tên minh chứng")
EVIDENCE_WIDTHS = (18, 10, 90)
MAX_CELL = 32_767  # Excel's limit on the characters in one cell
FORMULA_LEAD = ("=", "+", "-", "@")
_THIN = Side(style="thin")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def render_xlsx(data: dict[str, Any]) -> bytes:
    workbook = Workbook()
    workbook.properties.title = _text(data["title"])
    workbook.properties.creator = ""
    summary = workbook.active
    assert isinstance(summary, Worksheet)
    summary.title = "Tổng hợp"
    _summary(summary, data)
    _evidence(workbook.create_sheet("Minh chứng"), data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: object) -> str:
    return xml_safe(value)[:MAX_CELL]


def _put(
    sheet: Worksheet,
    row: int,
    column: int,
    value: object,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 12,
    horizontal: str = "center",
    grid: bool = True,
) -> Cell:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, int):
        cell.value = value
    elif value is not None:
        text = _text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl reads "=…" as a formula and "#N/A" as an error
        if text.startswith(FORMULA_LEAD):
            cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    if grid:
        cell.border = _GRID
    return cell


def _banner(sheet: Worksheet, row: int, text: object, columns: int, **style: Any) -> None:
    _put(sheet, row, 1, text, grid=False, **style)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _summary(sheet: Worksheet, data: dict[str, Any]) -> None:
    columns = len(HEADER)
    _banner(sheet, 1, data["title"], columns, bold=True, size=14)
    _banner(sheet, 2, data["unit"]["name"], columns, bold=True)
    status = data["level_sentence"]
    if data["draft"]:
        status = f"BẢN NHÁP: hồ sơ còn {data['unanswered']} chỉ tiêu chưa trả lời. {status}"
    _banner(sheet, 3, status, columns, italic=True)
    sheet.row_dimensions[2].height = 36
    sheet.row_dimensions[3].height = 36

    header_row = 4
    for column, text in enumerate(HEADER, start=1):
        _put(sheet, header_row, column, text, bold=True)
    row = header_row + 1
    totals = {0: 0, 1: 0, 2: 0}
    for criterion in data["criteria"]:
        indicators = criterion["indicators"]
        if not indicators:
            continue
        first = row
        for indicator in indicators:
            _put(sheet, row, 1, f"Tiêu chí {criterion['id']}")
            _put(sheet, row, 2, indicator["id"])
            _put(sheet, row, 3, str(indicator["short"]), horizontal="left")
            for level in range(3):
                _put(sheet, row, 4 + level, "X" if indicator["level"] == level else None)
            if indicator["level"] in totals:
                totals[indicator["level"]] += 1
            _put(sheet, row, 7, level_mark(criterion["level"]))
            row += 1
        if row - 1 > first:
            for column in (1, 7):
                sheet.merge_cells(
                    start_row=first, start_column=column, end_row=row - 1, end_column=column
                )
    _put(sheet, row, 1, "Tổng", bold=True)
    _put(sheet, row, 2, sum(totals.values()), bold=True)
    _put(sheet, row, 3, None)
    for level in range(3):
        _put(sheet, row, 4 + level, totals[level], bold=True)
    _put(sheet, row, 7, None)

    _widths(sheet, WIDTHS)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    _print_setup(sheet, landscape=True)


def _evidence(sheet: Worksheet, data: dict[str, Any]) -> None:
    for column, text in enumerate(EVIDENCE_HEADER, start=1):
        _put(sheet, 1, column, text, bold=True)
    row = 2
    for criterion in data["criteria"]:
        for indicator in criterion["indicators"]:
            for item in indicator["evidence"]:
                _put(sheet, row, 1, item["code"])
                _put(sheet, row, 2, indicator["id"])
                _put(sheet, row, 3, item["title"], horizontal="left")
                row += 1
    if data["missing"]:
        row += 1
        _banner(
            sheet, row, "Minh chứng còn thiếu", len(EVIDENCE_HEADER), bold=True, horizontal="left"
        )
        for item in data["missing"]:
            row += 1
            _put(sheet, row, 2, item["indicator"])
            _put(sheet, row, 3, f"ví dụ {item['example']}", horizontal="left")
    _widths(sheet, EVIDENCE_WIDTHS)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _print_setup(sheet, landscape=False)


def _print_setup(sheet: Worksheet, *, landscape: bool) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
