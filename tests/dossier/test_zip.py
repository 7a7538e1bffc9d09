"""The dossier's ZIP against the stored evidence and its own index (SQLite, and PostgreSQL when
configured): every stored file once, named by the report's codes; an item linked to two
indicators stored once; an album one PDF; an item without a file listed as such; evidence
taken off its indicator left out; the tờ trình's words in the PDF and the DOCX."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlmodel import Session

from conversations.dossier import DossierSource
from conversations.errors import AccessDenied
from conversations.records import Actor
from reports.data import report_data
from reports.dossier.builder import DossierZip, folder_name
from storage.db import Database
from storage.dossier_store import dossier_source
from storage.uow import read
from tests.dossier.world import OPERATOR, UNIT, YEAR, World, build_world
from tests.research_labels import assert_no_research_labels
from tests.storage.test_repositories import _member

TODAY = dt.date(2026, 1, 5)


async def _source(world: World, actor: Actor = OPERATOR) -> DossierSource:
    def work(session: Session) -> DossierSource | None:
        return dossier_source(
            session, actor=actor, unit_id=world.unit_id, year=YEAR, evidence_root=world.root
        )

    source = await read(world.database, work)
    assert source is not None
    return source


def _zip(source: DossierSource, tmp_path: Path) -> tuple[zipfile.ZipFile, str]:
    written = DossierZip().write(source, tmp_path / "hoso.zip", today=TODAY)
    assert written.path.stat().st_size == written.size
    name = source.assessment.unit_name
    assert name is not None
    return zipfile.ZipFile(written.path), folder_name(name, YEAR)


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


async def test_the_zip_holds_every_stored_file_once_under_the_reports_codes(
    database: Database, tmp_path: Path
) -> None:
    world = await build_world(database, tmp_path / "evidence")
    source = await _source(world)
    archive, top = _zip(source, tmp_path)
    names = sorted(n.removeprefix(f"{top}/") for n in archive.namelist())
    evidence = sorted(n for n in names if n.startswith("minh-chung/"))
    assert evidence == [
        "minh-chung/H1-1.1-01.pdf",  # kh: also 1.4-01, stored once
        "minh-chung/H1-1.1-02.pdf",  # qd (the removed item does not count)
        "minh-chung/H1-1.2-01.pdf",  # the album: one PDF
        "minh-chung/H1-1.3-01-1.pdf",  # two files of one item
        "minh-chung/H1-1.3-01-2.pdf",
    ]
    assert {n for n in names if not n.startswith("minh-chung/")} == {
        "01-to-trinh.pdf", "01-to-trinh.docx", "02-bao-cao-tu-danh-gia.pdf",
        "02-bao-cao-tu-danh-gia.docx", "03-bang-tong-hop.xlsx", "04-danh-muc-minh-chung.pdf",
        "04-danh-muc-minh-chung.xlsx",
    }  # fmt: skip
    # The bytes are the stored bytes.
    for code, key in (("H1-1.1-01", "kh"), ("H1-1.1-02", "qd"), ("H1-1.3-01-1", "two1")):
        stored = (world.root / world.stored[key].storage_key).read_bytes()
        assert archive.read(f"{top}/minh-chung/{code}.pdf") == stored
    # The codes are the report's codes.
    report = report_data(source.rulebook, source.assessment, today=TODAY)
    report_codes = {
        e["code"].strip("[]") for c in report["criteria"] for i in c["indicators"]
        for e in i["evidence"]
    }  # fmt: skip
    index = load_workbook(io.BytesIO(archive.read(f"{top}/04-danh-muc-minh-chung.xlsx")))
    sheet = index.active
    rows = [r for r in sheet.iter_rows(min_row=6, values_only=True) if isinstance(r[0], int)]
    codes = {r[1] for r in rows}
    assert codes == report_codes
    assert {c for c in codes if c.startswith("H1-")} >= {
        "H1-1.1-01", "H1-1.1-02", "H1-1.2-01", "H1-1.3-01", "H1-1.4-01", "H1-1.5-01"
    }  # fmt: skip
    assert len(rows) == len(codes), "one row per code"
    by_code = {r[1]: r for r in rows}
    assert by_code["H1-1.1-01"][3:8] == (
        "12/KH-UBND", "10/01/2025", "UBND xã Quảng Phú", "1.1, 1.4", "minh-chung/H1-1.1-01.pdf"
    )  # fmt: skip
    assert by_code["H1-1.4-01"][7] == "như H1-1.1-01 (H1-1.1-01.pdf)"
    assert by_code["H1-1.5-01"][7] == "không có tệp"
    assert by_code["H1-1.5-01"][3:6] == (None, None, None)  # blank where not known
    # Every file the index names is in the ZIP, and every evidence file is named once.
    named = [
        part.strip() for r in rows if r[7].startswith("minh-chung/") for part in r[7].split(",")
    ]
    assert sorted(named) == evidence
    index_pdf = _pdf_text(archive.read(f"{top}/04-danh-muc-minh-chung.pdf"))
    for code in report_codes:
        assert code in index_pdf


async def test_photos_and_pdfs_are_stored_and_documents_written_in_one_folder(
    database: Database, tmp_path: Path
) -> None:
    world = await build_world(database, tmp_path / "evidence")
    archive, top = _zip(await _source(world), tmp_path)
    for info in archive.infolist():
        assert info.filename.startswith(f"{top}/")
        if info.filename.endswith((".pdf", ".jpg", ".docx", ".xlsx")):
            assert info.compress_type == zipfile.ZIP_STORED, info.filename
    assert not list(tmp_path.glob(".ho-so-*")), "no temporary file left behind"
    assert not list(tmp_path.glob(".albums-*"))


async def test_the_letter_names_the_unit_the_level_a_blank_office_and_the_signature(
    database: Database, tmp_path: Path
) -> None:
    world = await build_world(database, tmp_path / "evidence")
    source = await _source(world)
    assert source.office is None, "after 1/7/2025 the province's plan decides: no guess"
    archive, top = _zip(source, tmp_path)
    level = source.level
    assert level in (1, 2)
    request = f"“Đơn vị học tập” cấp huyện mức độ {level} năm {YEAR}"
    text = _pdf_text(archive.read(f"{top}/01-to-trinh.pdf"))
    word = docx.Document(io.BytesIO(archive.read(f"{top}/01-to-trinh.docx")))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    word_text = " ".join([p.text for p in word.paragraphs] + cells)
    for body in (text, word_text):
        assert "TỜ TRÌNH" in body
        assert f"Đề nghị công nhận {request}" in " ".join(body.split())
        assert "ỦY BAN NHÂN DÂN" in body
        assert "XÃ QUẢNG PHÚ" in body
        assert "/TTr-UBND" in body
        assert "Kính gửi: ……" in body, "a blank to fill, not a guessed office"
        assert "Điều 10" in body
        assert "TM. ỦY BAN NHÂN DÂN" in body
        assert "CHỦ TỊCH" in body
        assert "Quảng Phú, ngày 05 tháng 01 năm 2026" in body
        assert "5 tệp minh chứng" in body
        assert_no_research_labels(body, "the tờ trình")
    index = _pdf_text(archive.read(f"{top}/04-danh-muc-minh-chung.pdf"))
    assert_no_research_labels(index, "the evidence index")


async def test_an_office_set_for_the_province_is_named(database: Database, tmp_path: Path) -> None:
    from storage import calendar_store

    world = await build_world(database, tmp_path / "evidence")

    def set_office(session: Session) -> None:
        calendar_store.set_office(
            session,
            actor=OPERATOR,
            province="Thành phố Huế",
            tier="huyen",
            effective_from=dt.date(2025, 7, 1),
            office="Phòng Văn hóa - Xã hội UBND xã Quảng Phú",
            authority=None,
        )

    from storage.uow import transaction

    await transaction(database, set_office)
    source = await _source(world)
    assert source.office == "Phòng Văn hóa - Xã hội UBND xã Quảng Phú"
    archive, top = _zip(source, tmp_path)
    text = " ".join(_pdf_text(archive.read(f"{top}/01-to-trinh.pdf")).split())
    assert "Kính gửi: Phòng Văn hóa - Xã hội UBND xã Quảng Phú" in text


async def test_only_admins_reviewers_and_the_operator_take_the_dossier(
    database: Database, tmp_path: Path
) -> None:
    world = await build_world(database, tmp_path / "evidence")
    member = await _member(database, world.unit_id, "tg-m")
    admin = await _member(database, world.unit_id, "tg-a", role="unit_admin")
    with pytest.raises(AccessDenied):
        await _source(world, Actor.person(member))
    assert (await _source(world, Actor.person(admin))).unit_id == world.unit_id
    assert UNIT in (await _source(world, Actor.person(admin))).assessment.unit_name  # type: ignore[operator]


async def test_a_submitted_dossier_requests_the_submitted_level(
    database: Database, tmp_path: Path
) -> None:
    from storage.tables import AssessmentRow
    from storage.uow import transaction

    world = await build_world(database, tmp_path / "evidence")
    assert (await _source(world)).level == 2

    def submit(session: Session) -> None:
        row = session.get(AssessmentRow, world.assessment_id)
        assert row is not None
        row.status, row.submitted_level = "submitted", 1
        session.add(row)

    await transaction(database, submit)
    source = await _source(world)
    assert source.level == 1
    archive, top = _zip(source, tmp_path)
    text = " ".join(_pdf_text(archive.read(f"{top}/01-to-trinh.pdf")).split())
    assert "cấp huyện mức độ 1 năm 2025" in text
