"""Bulk creation of units from XLSX on the admin page: the template, valid and bad rows
(reported by row and column while the valid rows load), re-import, files that are not XLSX,
formulas, the size limit, and who may do it."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

from storage.tables import AssessmentRow, AuditEntry, Unit
from storage.unit_import import COLUMNS, SHEET_TITLE
from storage.uow import read
from tests.dashboard.conftest import World, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def book(*rows: tuple[Any, ...], header: tuple[str, ...] = COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD = (
    ("UBND xã Tiên Dương", "UBND xã/phường", "Cấp huyện/xã", "Hà Nội", 40, "vt@td.gov.vn", ""),
    ("Trường THCS Cổ Loa", "Trường tiểu học, THCS, THPT, trung tâm GDTX", "huyện", "TP Hà Nội"),
    ("Sở Tư pháp", "co_quan", "Cấp tỉnh", "ha noi", None, None, "ghi chú"),
)


async def _upload(
    http: httpx.AsyncClient, csrf: str, data: bytes, name: str = "donvi.xlsx"
) -> httpx.Response:
    return await http.post(
        "/quantri/nhap-donvi",
        data={"csrf_token": csrf},
        files={"tep": (name, data, XLSX)},
    )


async def _units(world: World) -> list[Unit]:
    def load(session: Session) -> list[Unit]:
        query = select(Unit).where(Unit.office_id == world.office_id).order_by(col(Unit.id))
        return list(session.exec(query))

    return await read(world.database, load)


async def test_the_template_downloads_and_reads_back(
    client: httpx.AsyncClient, world: World
) -> None:
    await sign_in(client, world, world.reviewer_id)
    answer = await client.get("/quantri/donvi-mau.xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    assert "attachment" in answer.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(answer.content))
    sheet = workbook[SHEET_TITLE]
    assert tuple(cell.value for cell in sheet[1]) == COLUMNS
    assert sheet["B1"].comment is not None
    assert sheet["A2"].number_format == "@"
    assert sheet.freeze_panes == "A2"
    assert "Hướng dẫn" in workbook.sheetnames


async def test_valid_rows_load_and_bad_rows_are_named(
    client: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    data = book(
        GOOD[0],
        ("", "UBND xã/phường", "Cấp huyện/xã", "Hà Nội"),  # line 3: no name
        ("Trường ĐH X", "Trường đại học", "Cấp huyện/xã", "Hà Nội"),  # 4: tier
        ("Xã Y", "Hợp tác xã nông nghiệp", "Cấp huyện/xã", "Hà Nội"),  # 5: type
        ("Xã Z", "UBND xã/phường", "Cấp huyện/xã", "Atlantis"),  # 6: province
        ("Xã Huế", "UBND xã/phường", "Cấp huyện/xã", "Huế"),  # 7: other province
        ("Xã W", "UBND xã/phường", "Cấp huyện/xã", "Hà Nội", "nhiều"),  # 8: members
        ('=HYPERLINK("http://x")', "UBND xã/phường", "Cấp huyện/xã", "Hà Nội"),  # 9
        GOOD[1],
        GOOD[2],
    )
    answer = await _upload(client, csrf, data)
    assert answer.status_code == 400
    page = answer.text
    assert "Đã tạo 3 đơn vị" in page
    assert "Dòng 3, cột Tên đơn vị: chưa có tên đơn vị" in page
    assert "Dòng 4, cột Cấp: loại đơn vị này không đánh giá ở cấp huyện/xã." in page
    assert "Dòng 5, cột Loại đơn vị:" in page
    assert "Dòng 6, cột Tỉnh/thành phố:" in page
    assert "Dòng 7, cột Tỉnh/thành phố: đơn vị ở Huế, ngoài tỉnh của cơ quan (Hà Nội)." in page
    assert "Dòng 8, cột Số thành viên:" in page
    assert "Dòng 9, cột Tên đơn vị:" in page
    units = await _units(world)
    created = [(u.name, u.unit_type, u.tier, u.province) for u in units[1:]]
    assert created == [
        ("UBND xã Tiên Dương", "ubnd_xa", "huyen", "Hà Nội"),
        ("Trường THCS Cổ Loa", "pho_thong", "huyen", "Hà Nội"),
        ("Sở Tư pháp", "co_quan", "tinh", "Hà Nội"),
    ]

    def audits(session: Session) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.action == "unit.create")
        return list(session.exec(query))

    rows = await read(world.database, audits)
    assert len(rows) == 3
    assert {row.actor_person_id for row in rows} == {world.reviewer_id}
    assert rows[0].details["via"] == "xlsx"
    assert rows[0].details["members"] == 40

    def drafts(session: Session) -> list[AssessmentRow]:
        return list(session.exec(select(AssessmentRow)))

    (draft,) = await read(world.database, drafts)  # only the row that gave a members total
    assert draft.unit_id == units[1].id
    assert draft.members == 40
    assert draft.status == "draft"
    assert draft.year == 2026  # the year officials work on at the test clock (20/11/2026)


async def test_reimporting_creates_nothing_twice(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    data = book(*GOOD)
    first = await _upload(client, csrf, data)
    assert first.status_code == 200
    assert "Đã tạo 3 đơn vị; 0 đơn vị đã có; 0 lỗi." in first.text
    again = await _upload(client, csrf, data)
    assert again.status_code == 200
    assert "Đã tạo 0 đơn vị; 3 đơn vị đã có; 0 lỗi." in again.text
    assert "Dòng 2: UBND xã Tiên Dương (đã có)" in again.text
    # the same unit typed differently (case, spaces, province spelling) is the same unit
    variant = book(("ubnd  XÃ tiên dương", "ubnd_xa", "xã", "Thành phố Hà Nội"))
    third = await _upload(client, csrf, variant)
    assert "Đã tạo 0 đơn vị; 1 đơn vị đã có" in third.text
    assert len(await _units(world)) == 1 + 3
    # the unit already there before the import (seeded) is matched too
    seeded = book(("UBND xã Đông Anh", "UBND xã/phường", "Cấp huyện/xã", "Hà Nội"))
    assert "1 đơn vị đã có" in (await _upload(client, csrf, seeded)).text


async def test_files_that_are_not_xlsx(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    for data in (b"Ten don vi,Loai\nX,Y\n", b"%PDF-1.7\n", b""):
        answer = await _upload(client, csrf, data, "donvi.xlsx")
        assert answer.status_code == 400
    pretend = await _upload(client, csrf, b"PK\x03\x04 not really a zip")
    assert pretend.status_code == 400
    assert "hỏng" in pretend.text
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    other_zip = await _upload(client, csrf, archive.getvalue())
    assert other_zip.status_code == 400
    assert "không phải là tệp Excel" in other_zip.text
    assert len(await _units(world)) == 1


async def test_a_zip_bomb_is_refused_before_parsing(
    client: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"\0" * (80 * 1024 * 1024))
    assert len(archive.getvalue()) < 1024 * 1024
    answer = await _upload(client, csrf, archive.getvalue())
    assert answer.status_code == 400
    assert "quá nhiều dữ liệu" in answer.text


async def test_formulas_are_never_evaluated(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    data = book(
        ('="UBND xã "&"Công Thức"', "UBND xã/phường", "Cấp huyện/xã", "Hà Nội"),
        ("UBND xã Thật", "UBND xã/phường", "Cấp huyện/xã", "Hà Nội", "=10*10"),
    )
    answer = await _upload(client, csrf, data)
    # openpyxl saves no cached value: a formula reads as empty, never as its result
    assert "Dòng 2, cột Tên đơn vị: chưa có tên đơn vị" in answer.text
    assert "UBND xã Công Thức" not in answer.text
    names = [u.name for u in await _units(world)]
    assert names == ["UBND xã Đông Anh", "UBND xã Thật"]


async def test_a_large_upload_is_refused(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    big = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)
    answer = await _upload(client, csrf, big)
    assert answer.status_code in (400, 413)
    assert len(await _units(world)) == 1


async def test_no_file_and_no_csrf(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.reviewer_id)
    missing = await client.post("/quantri/nhap-donvi", data={"csrf_token": csrf})
    assert missing.status_code == 400
    assert "Hãy chọn tệp Excel" in missing.text
    forged = await client.post("/quantri/nhap-donvi", files={"tep": ("a.xlsx", book(*GOOD), XLSX)})
    assert forged.status_code == 403
    assert len(await _units(world)) == 1


async def test_unit_admins_may_not_import(client: httpx.AsyncClient, world: World) -> None:
    csrf = await sign_in(client, world, world.admin_id)
    assert (await client.get("/quantri/nhap-donvi")).status_code == 403
    assert (await _upload(client, csrf, book(*GOOD))).status_code == 403
    assert (await client.get("/quantri/donvi-mau.xlsx")).status_code == 403
    assert len(await _units(world)) == 1
