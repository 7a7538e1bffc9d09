"""Downloads of the units in scope, under the list's current filter: `/xuat/donvi.xlsx` (one
row per unit, one column per indicator), `/xuat/donvi.csv` (the same, for any tool) and
`/xuat/baocao.zip` (every started unit's PDF report).

**Never the whole file in memory.** The rows come from the database in batches
(`BoardStore.export`); the workbook is openpyxl's write-only kind, written to a temporary
file as the batches arrive and served from disk (`FileResponse`, the file removed once sent);
the CSV is streamed batch by batch; the ZIP is written to a temporary file one report at a
time. 10,000 units fit in well under 200 MB (`bench/dashboard_bench.py`).

**No formula injection.** Every cell of the workbook is a text cell (a name such as
“=HYPERLINK(…)” stays text, openpyxl is told the type), and in the CSV a value starting with
= + - @ (or a tab or carriage return) is prefixed with an apostrophe, as OWASP advises, since
a spreadsheet opening a CSV decides types on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from conversations.catalogue import answer_text
from conversations.context import assessment_of
from dvht_core.loader import TT24_BY_TIER, load_rulebook, rulebook_for
from dvht_core.vietnam_time import today
from review.board import LEVEL_WORDS, UnitRow
from review.ports import Viewer
from storage.board_store import BoardStore, ExportRow
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.units_routes import read_filter
from web.report_routes import content_disposition

router = APIRouter()

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXED_COLUMNS = (
    "Mã đơn vị",
    "Tên đơn vị",
    "Loại đơn vị",
    "Cấp",
    "Tỉnh/thành",
    "Trạng thái",
    "Đã trả lời",
    "Tổng chỉ tiêu",
    "Mức tự đánh giá",
    "Mức đề nghị",
    "Mức công nhận",
    "Hạn nộp",
)
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def indicator_columns() -> list[str]:
    """Every indicator of both tiers' rulebooks, in rulebook order, each once."""
    seen: dict[str, None] = {}
    for rulebook_id in TT24_BY_TIER.values():
        for indicator in load_rulebook(rulebook_id).indicators:
            seen.setdefault(indicator.id, None)
    return list(seen)


def row_values(item: ExportRow, indicators: list[str]) -> list[str]:
    """The row's cells as text: the unit, its status, levels, deadline, then each answer."""
    row: UnitRow = item.row
    fixed = [
        str(row.unit_id),
        row.name,
        row.unit_type_name,
        "cấp tỉnh" if row.tier == "tinh" else "cấp huyện",
        row.province,
        row.status_text,
        str(row.answered),
        str(row.total),
        LEVEL_WORDS[row.level] if row.level is not None else "",
        LEVEL_WORDS[row.submitted_level] if row.submitted_level else "",
        LEVEL_WORDS[row.recognised_level] if row.recognised_level else "",
        row.deadline_text,
    ]
    answers = [answer_text(item.answers[i]) if i in item.answers else "" for i in indicators]
    return fixed + answers


def csv_safe(value: str) -> str:
    """A cell a spreadsheet will not run: a leading = + - @ tab or CR gets an apostrophe."""
    return "'" + value if value.startswith(_DANGEROUS) else value


def _file_name(stem: str, year: int, day: dt.date, extension: str) -> str:
    return f"{stem}_{year}_{day.isoformat()}.{extension}"


async def _batches(request: Request, viewer: Viewer) -> tuple[Any, int, dt.date]:
    deps = get_deps(request)
    wanted, _ = read_filter(request.query_params, year=deps.current_year())
    day = today(deps.now())
    store = BoardStore(deps.database)
    assert wanted.year is not None
    return store.export(viewer.person_id, wanted, today=day), wanted.year, day


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


@router.get("/xuat/donvi.xlsx", **rule("viewer"))
async def units_xlsx(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    batches, year, day = await _batches(request, viewer)
    path = await write_xlsx(batches)
    name = _file_name("danh-sach-don-vi", year, day, "xlsx")
    return FileResponse(
        path,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
        background=BackgroundTask(_remove, path),
    )


async def write_xlsx(batches: AsyncIterator[list[ExportRow]]) -> str:
    """The workbook written to a temporary file as the batches arrive; its path."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    indicators = indicator_columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đơn vị")
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)

    def text_cell(value: str, *, header: bool = False) -> Any:
        """A text cell. openpyxl stores a plain str as text unless it starts with “=”, which
        it would store as a formula: such a value gets a cell told its type."""
        if not value:
            return None
        if not header and not value.startswith("="):
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, whatever it starts with: never a formula
        if header:
            cell.font = bold
        return cell

    header = [*FIXED_COLUMNS, *(f"Chỉ tiêu {i}" for i in indicators)]
    sheet.append([text_cell(h, header=True) for h in header])

    def append(batch: list[ExportRow]) -> None:
        for item in batch:
            sheet.append([text_cell(v) for v in row_values(item, indicators)])

    async for batch in batches:
        await asyncio.to_thread(append, batch)
    handle, path = tempfile.mkstemp(prefix="dvht-export-", suffix=".xlsx")
    os.close(handle)
    try:
        await asyncio.to_thread(workbook.save, path)
    except BaseException:
        _remove(path)
        raise
    return path


@router.get("/xuat/donvi.csv", **rule("viewer"))
async def units_csv(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    batches, year, day = await _batches(request, viewer)
    name = _file_name("danh-sach-don-vi", year, day, "csv")
    return StreamingResponse(
        csv_chunks(batches),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
    )


async def csv_chunks(batches: AsyncIterator[list[ExportRow]]) -> AsyncIterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads the diacritics), comma-separated, every
    field quoted, one chunk per batch."""
    indicators = indicator_columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([*FIXED_COLUMNS, *(f"Chỉ tiêu {i}" for i in indicators)])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        for item in batch:
            writer.writerow([csv_safe(v) for v in row_values(item, indicators)])
        yield buffer.getvalue().encode("utf-8")


SKIPPED_NAME = "danh-sach.txt"


@router.get("/xuat/baocao.zip", **rule("viewer"))
async def reports_zip(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    wanted, _ = read_filter(request.query_params, year=deps.current_year())
    day = today(deps.now())
    assert wanted.year is not None
    records = BoardStore(deps.database).report_records(viewer.person_id, wanted, today=day)
    path = await write_zip(records, year=wanted.year, day=day, reports=deps.reports)
    name = _file_name("bao-cao-don-vi", wanted.year, day, "zip")
    return FileResponse(
        path,
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
        background=BackgroundTask(_remove, path),
    )


async def write_zip(
    records: AsyncIterator[tuple[UnitRow, Any]], *, year: int, day: dt.date, reports: Any
) -> str:
    """Each started unit's PDF report, rendered and written one at a time into a ZIP on disk;
    the units not started are listed in `danh-sach.txt`. Returns the file's path."""
    from reports.file_names import report_file_name
    from reports.pdf import render_pdf
    from reports.renderer import ReportFiles

    builder = reports if reports is not None else ReportFiles()
    handle, path = tempfile.mkstemp(prefix="dvht-reports-", suffix=".zip")
    os.close(handle)
    skipped: list[str] = []
    written = 0
    names: set[str] = set()
    try:
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            async for row, record in records:
                if record is None or row.status == "not_started":
                    skipped.append(f"{row.name} (mã {row.unit_id}): chưa bắt đầu tự đánh giá")
                    continue
                rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
                data = builder.build(rulebook, assessment_of(record), today=day)
                pdf = await asyncio.to_thread(render_pdf, data)
                name = report_file_name("pdf", row.name, year, day)
                if name in names:
                    name = name.replace(".pdf", f"_{row.unit_id}.pdf")
                names.add(name)
                await asyncio.to_thread(archive.writestr, name, pdf)
                written += 1
            lines = [f"Báo cáo tự đánh giá năm {year}, lập ngày {day.strftime('%d/%m/%Y')}."]
            lines.append(f"Số báo cáo trong tệp: {written}.")
            if skipped:
                lines.append(f"Các đơn vị không có báo cáo ({len(skipped)}):")
                lines.extend(f"- {s}" for s in skipped)
            archive.writestr(SKIPPED_NAME, "\r\n".join(lines) + "\r\n")
    except BaseException:
        _remove(path)
        raise
    return path
