"""`dvht roster template` and `dvht roster import` on a real database (SQLite, and PostgreSQL
when configured), and the issue's round trip: template → filled → import → the same counts as
typed answers → the same verdict."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from conversations.context import Context
from conversations.records import Actor, PersonRecord
from dvht_core import vietnam_time
from dvht_core.evaluate import evaluate
from dvht_core.model import Rulebook
from reports.roster_xlsx import MEMBERS_SHEET
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput
from storage.units import UnitRepository
from storage.uow import read, transaction
from tests.cli.test_cli_db import Run, _create
from tests.roster.sheets import filled

IDS = ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1")
YEAR = vietnam_time.assessment_year(vietnam_time.today())
OPERATOR = Actor.operator()


def _rows(members: int, marked: dict[str, int]) -> list[list[Any]]:
    return [
        [f"Người số {n}", "Công chức", *("x" if n < marked[i] else None for i in IDS)]
        for n in range(members)
    ]


def test_template_generic_and_for_a_unit(dvht: Run, tmp_path: Path) -> None:
    out = tmp_path / "ds.xlsx"
    status, printed, _ = dvht("roster", "template", "-o", str(out))
    assert status == 0
    assert "Đã ghi mẫu danh sách" in printed
    assert load_workbook(out).sheetnames == [MEMBERS_SHEET, "Hướng dẫn"]
    unit = _create(dvht, tier="tinh", unit_type="pho_thong")
    status, _, err = dvht("roster", "template", "--unit", str(unit), "-o", str(out))
    assert status == 0, err
    book = load_workbook(out)
    assert "Người học" in book.sheetnames
    assert "UBND xã Quảng Phú" in book[MEMBERS_SHEET]["A1"].value


def test_refusals_are_one_line_and_exit_2(dvht: Run, tmp_path: Path) -> None:
    unit = _create(dvht)
    pdf = tmp_path / "ds.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF")
    cases = [
        ("roster", "import", "--unit", str(unit), "--yes", str(tmp_path / "none.xlsx")),
        ("roster", "import", "--unit", str(unit), "--yes", str(pdf)),
        ("roster", "import", "--unit", "999", "--yes", str(pdf)),
        ("roster", "template", "--tinh", "--loai", "xyz", "-o", str(tmp_path / "a.xlsx")),
        ("roster", "template", "--unit", str(unit), "--tinh", "-o", str(tmp_path / "a.xlsx")),
        ("roster", "template", "-o", str(tmp_path / "no" / "dir" / "a.xlsx")),
    ]
    for argv in cases:
        status, _out, err = dvht(*argv)
        assert status == 2, argv
        assert err.count("\n") == 1, err
        assert err.startswith("dvht: ")
        assert "Traceback" not in err
    _, _, err = dvht("roster", "import", "--unit", str(unit), "--yes", str(pdf))
    assert "không phải là tệp Excel" in err


def test_without_a_terminal_or_yes_nothing_is_written(
    dvht: Run, rulebooks: dict[str, Rulebook], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = _create(dvht)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(filled(rulebooks["huyen"], "ubnd_xa", _rows(4, dict.fromkeys(IDS, 3))))
    monkeypatch.setattr(sys, "stdin", io.StringIO("có\n"))  # not a terminal
    status, out, err = dvht("roster", "import", "--unit", str(unit), str(path))
    assert status == 2
    assert "Theo danh sách: 4 thành viên; 2.1 3/4 (75%)" in out
    assert "--yes" in err
    assert not list((tmp_path / "var").rglob("sha256/*/*/*")), "the file was not stored"
    status, out, _ = dvht("unit", "show", "--unit", str(unit))
    assert "4 thành viên" not in out


def test_on_a_terminal_it_asks(
    dvht: Run, rulebooks: dict[str, Rulebook], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = _create(dvht)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(filled(rulebooks["huyen"], "ubnd_xa", _rows(4, dict.fromkeys(IDS, 3))))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("không\n"))
    status, out, _ = dvht("roster", "import", "--unit", str(unit), str(path))
    assert status == 0
    assert "Ghi các số này? (có/không)" in out
    assert "Chưa ghi số nào" in out
    monkeypatch.setattr(sys, "stdin", Terminal("Có\n"))
    status, out, _ = dvht("roster", "import", "--unit", str(unit), str(path))
    assert status == 0
    assert "Đã ghi 6 câu trả lời" in out


def test_import_prints_problems_with_row_and_column(
    dvht: Run, rulebooks: dict[str, Rulebook], tmp_path: Path
) -> None:
    unit = _create(dvht)
    rows = _rows(3, dict.fromkeys(IDS, 3))
    rows[1][6] = "abc"
    path = tmp_path / "ds.xlsx"
    path.write_bytes(filled(rulebooks["huyen"], "ubnd_xa", rows))
    status, out, err = dvht("roster", "import", "--unit", str(unit), "--yes", str(path))
    assert status == 0, err
    assert "2.5 2/3 (66,7%)" in out
    assert "1 chỗ chưa đếm được:" in out
    assert "  - Dòng 5, cột Lao động tiên tiến (2.5): “abc” không phải x, có, đạt" in out


async def _verdict(database: Database, unit_id: int) -> Any:
    def work(session: Any) -> Any:
        unit = UnitRepository().get(session, actor=OPERATOR, unit_id=unit_id)
        record = AssessmentRepository().load(session, actor=OPERATOR, unit_id=unit_id, year=YEAR)
        return unit, record

    unit, record = await read(database, work)
    context = Context(PersonRecord(0, "operator"), (), unit, record, vietnam_time.today())
    assessment, rulebook = context.as_assessment(), context.rulebook
    assert assessment is not None
    assert rulebook is not None
    return evaluate(rulebook, assessment), record


def test_round_trip_gives_the_typed_answers_and_the_same_verdict(
    dvht: Run, rulebooks: dict[str, Rulebook], tmp_path: Path, database_url: str
) -> None:
    marked = {"2.1": 40, "2.2": 42, "2.3": 38, "2.4": 10, "2.5": 30, "3.1": 41}
    imported = _create(dvht)
    typed = _create(dvht)
    template = tmp_path / "mau.xlsx"
    assert dvht("roster", "template", "--unit", str(imported), "-o", str(template))[0] == 0
    book = load_workbook(template)
    sheet = book[MEMBERS_SHEET]
    for offset, row in enumerate(_rows(42, marked)):
        for column, value in enumerate(row, start=2):
            sheet.cell(row=4 + offset, column=column, value=value)
    path = tmp_path / "da-dien.xlsx"
    book.save(path)
    status, out, err = dvht("roster", "import", "--unit", str(imported), "--yes", str(path))
    assert status == 0, err
    assert "Theo danh sách: 42 thành viên; 2.1 40/42 (95,2%); 2.2 42/42 (100%)" in out

    async def compare() -> Any:
        database = Database(database_url)
        try:
            await transaction(database, answer)
            return await _verdict(database, imported), await _verdict(database, typed)
        finally:
            await database.close()

    def answer(session: Any) -> None:
        repo = AssessmentRepository()
        assessment_id = repo.get_or_create(session, actor=OPERATOR, unit_id=typed, year=YEAR)
        repo.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            totals=AssessmentTotals(members=42),
        )
        for indicator_id, count in marked.items():
            repo.record_answer(
                session,
                actor=OPERATOR,
                assessment_id=assessment_id,
                answer=AnswerInput(indicator_id=indicator_id, value={"count": count}),
            )
        repo.add_evidence(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            evidence=EvidenceInput(
                kind="reference", title="Danh sách thành viên (tệp Excel)", indicator_ids=IDS
            ),
        )

    (from_roster, record), (from_typing, typed_record) = asyncio.run(compare())
    assert record.members == typed_record.members == 42
    assert {i: record.answers[i].value for i in IDS} == {
        i: {"count": c} for i, c in marked.items()
    }
    assert from_roster.indicators == from_typing.indicators
    assert from_roster.level == from_typing.level
    assert from_roster.indicators["2.4"].level == 0, "10/42 is below the bar: a real verdict"


def test_an_answer_the_roster_does_not_replace_must_fit_its_total(
    dvht: Run, rulebooks: dict[str, Rulebook], tmp_path: Path
) -> None:
    unit = _create(dvht)
    big = tmp_path / "lon.xlsx"
    big.write_bytes(filled(rulebooks["huyen"], "ubnd_xa", _rows(50, dict.fromkeys(IDS, 45))))
    assert dvht("roster", "import", "--unit", str(unit), "--yes", str(big))[0] == 0

    def without_25(book: Any) -> None:
        book[MEMBERS_SHEET].delete_cols(8)  # the 2.5 column

    small = tmp_path / "nho.xlsx"
    rows = _rows(42, dict.fromkeys(IDS, 40))
    small.write_bytes(filled(rulebooks["huyen"], "ubnd_xa", rows, edit=without_25))
    status, out, err = dvht("roster", "import", "--unit", str(unit), "--yes", str(small))
    assert status == 2
    assert "Không có cột Lao động tiên tiến (2.5)" in out
    assert err == (
        "dvht: chưa ghi được: chỉ tiêu 2.5 đã trả lời 45 người, nhiều hơn 42 thành viên theo "
        "danh sách; hãy sửa câu trả lời chỉ tiêu 2.5 trước, hoặc thêm cột chỉ tiêu đó vào "
        "danh sách.\n"
    )


def test_a_tinh_school_imports_its_learners_and_the_file_is_kept(
    dvht: Run, rulebooks: dict[str, Rulebook], tmp_path: Path, database_url: str
) -> None:
    unit = _create(dvht, tier="tinh", unit_type="pho_thong")
    path = tmp_path / "truong.xlsx"
    classes = [["10A1", 40, 38], ["10A2", 42, 41]]
    rows = _rows(20, dict.fromkeys(IDS, 19))
    path.write_bytes(filled(rulebooks["tinh"], "pho_thong", rows, classes=classes))
    status, out, err = dvht("roster", "import", "--unit", str(unit), "--yes", str(path))
    assert status == 0, err
    assert "Người học: 82 người, 79 người đạt Công dân học tập (96,3%)." in out

    async def stored() -> Any:
        database = Database(database_url)
        try:
            return await read(
                database,
                lambda s: AssessmentRepository().load(s, actor=OPERATOR, unit_id=unit, year=YEAR),
            )
        finally:
            await database.close()

    record = asyncio.run(stored())
    assert record.learners == 82
    assert record.answers["3.1"].value == {"count": 19, "learners_count": 79}
    (item,) = record.evidence
    kept = tmp_path / "var" / "evidence" / item.storage_key
    assert kept.read_bytes() == path.read_bytes(), "the same store the chat uses"
