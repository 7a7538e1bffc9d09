"""The downloads: the XLSX read back with openpyxl (text cells only, frozen header, one column
per indicator), the CSV (BOM, quoted, formula guard), the ZIP of reports (complete, with the
units not started listed)."""

from __future__ import annotations

import csv
import io
import zipfile

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]

from storage.db import Database
from tests.api.conftest import VALUES, Site, sign_in
from web.dashboard.exports import FIXED_COLUMNS, csv_safe, indicator_columns


async def test_xlsx_is_text_only_with_a_frozen_header(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    answer = await http.get("/xuat/donvi.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "danh-sach-don-vi_2026_2026-12-07.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.active
    assert sheet.freeze_panes == "C2"
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[: len(FIXED_COLUMNS)] == list(FIXED_COLUMNS)
    assert header[len(FIXED_COLUMNS) :] == [f"Chỉ tiêu {i}" for i in indicator_columns()]
    assert len(rows) == 4  # the header and the office's three units, nobody else's
    for row in rows:
        for cell in row:
            if cell.value is not None:  # an empty answer is an empty cell
                assert cell.data_type == "s", (cell.coordinate, cell.value)
    by_name = {r[1].value: [c.value for c in r] for r in rows[1:]}
    assert '=HYPERLINK("http://x","bấm")' in by_name  # stored as text, not a formula
    done = by_name["UBND xã Đồng Thanh"]
    assert done[5] == "đã nộp"
    assert done[8] == "mức 2"
    assert done[9] == "mức 1"
    assert done[len(FIXED_COLUMNS)] == "đạt"  # 1.1
    filtered = await http.get("/xuat/donvi.xlsx", params={"status": "in_progress"})
    names = [r[1].value for r in load_workbook(io.BytesIO(filtered.content)).active.iter_rows()]
    assert names == ["Tên đơn vị", "UBND xã Hùng An"]


async def test_csv_has_a_bom_quotes_and_a_formula_guard(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    answer = await http.get("/xuat/donvi.csv")
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbf")
    body = answer.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith('"Mã đơn vị","Tên đơn vị"')
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 4
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x","bấm")' in names
    assert csv_safe("+84 912") == "'+84 912"
    assert csv_safe("-1") == "'-1"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("Hà Nội") == "Hà Nội"


async def test_zip_holds_each_started_units_report(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    answer = await http.get("/xuat/baocao.zip")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    names = archive.namelist()
    pdfs = sorted(n for n in names if n.endswith(".pdf"))
    assert len(pdfs) == 2
    assert any("ubnd-xa-dong-thanh" in n for n in pdfs)
    assert any("ubnd-xa-hung-an" in n for n in pdfs)
    for name in pdfs:
        assert archive.read(name).startswith(b"%PDF-")
    listing = archive.read("danh-sach.txt").decode("utf-8")
    assert "Số báo cáo trong tệp: 2." in listing
    assert "HYPERLINK" in listing
    assert "chưa bắt đầu tự đánh giá" in listing
    assert len(VALUES) == 13
