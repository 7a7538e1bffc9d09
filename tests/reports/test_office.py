"""The DOCX report and the XLSX summary: rendered from the example, read back, compared."""

from __future__ import annotations

import copy
import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Length, Pt
from docx.table import Table
from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from dvht_core.assessment import Assessment, parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from reports.data import report_data
from reports.docx import render_docx
from reports.xlsx import render_xlsx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
RULEBOOKS = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
# The example's levels, written out so the test does not only trust report_data.
EXPECTED_LEVELS = {
    "1.1": 2, "1.2": 2, "1.3": 2, "1.4": 2, "1.5": 2,
    "2.1": 2, "2.2": 1, "2.3": 2, "2.4": 1, "2.5": 1,
    "3.1": 1, "3.2": 2, "3.3": 2,
}  # fmt: skip
LEVEL_SENTENCE = "Đơn vị tự đánh giá đạt “Đơn vị học tập” cấp huyện mức độ 1 năm 2025."
HOSTILE = "#1 *đậm* $x$ [a] @nhãn <b> & \"kép\" 'đơn' 😀 Quảng Phú"


def _assessment(**changes: Any) -> Assessment:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    answers = changes.pop("answers", None)
    drop = changes.pop("drop", ())
    data.update(changes)
    if answers is not None:
        data["answers"].update(answers)
    for indicator_id in drop:
        data["answers"].pop(indicator_id)
    return parse_assessment(data, RULEBOOKS, load_unit_types())


def _data(assessment: Assessment) -> dict[str, Any]:
    return report_data(RULEBOOKS["huyen"], assessment, governing_body="UBND huyện X")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- reading back ----------------------------------------------------------------------------


def _tables(tables: list[Table]) -> list[Table]:
    found: list[Table] = []
    for table in tables:
        found.append(table)
        for row in table.rows:
            for cell in row.cells:
                found.extend(_tables(cell.tables))
    return found


def _docx(blob: bytes) -> DocumentObject:
    assert blob.startswith(b"PK")
    return Document(io.BytesIO(blob))


def _docx_lines(document: DocumentObject) -> list[str]:
    """Every paragraph's text: body, table cells and page headers, NFC-normalised."""
    paragraphs = list(document.paragraphs)
    for table in _tables(document.tables):
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for section in document.sections:
        paragraphs.extend(section.header.paragraphs)
        paragraphs.extend(section.first_page_header.paragraphs)
    return [_nfc(paragraph.text) for paragraph in paragraphs]


def _docx_text(document: DocumentObject) -> str:
    return "\n".join(_docx_lines(document))


def _docx_summary(document: DocumentObject) -> dict[str, int]:
    """Indicator id -> the level whose column holds the X in the Mẫu 2 table."""
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Tiêu chí")
    header = [cell.text for cell in table.rows[0].cells]
    assert header[2:5] == ["Không đạt", "Đạt mức độ 1", "Đạt mức độ 2"]
    levels: dict[str, int] = {}
    for row in table.rows[1:]:
        cells = [cell.text for cell in row.cells]
        marks = [level for level in range(3) if cells[2 + level] == "X"]
        assert len(marks) == 1, cells
        levels[cells[1]] = marks[0]
    return levels


def _cm(length: Length | None) -> float:
    assert length is not None
    return round(float(length.cm), 2)


def _sheet_rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def _xlsx_summary(sheet: Worksheet) -> dict[str, int]:
    rows = _sheet_rows(sheet)
    start = rows.index(
        (
            "Tiêu chí",
            "Chỉ tiêu",
            "Nội dung",
            "Không đạt",
            "Đạt mức độ 1",
            "Đạt mức độ 2",
            "Kết quả tiêu chí",
        )
    )
    levels: dict[str, int] = {}
    for row in rows[start + 1 :]:
        if row[0] == "Tổng":
            break
        marks = [level for level in range(3) if row[3 + level] == "X"]
        assert len(marks) == 1, row
        assert not [v for v in row[3:6] if v not in ("X", None)]
        levels[row[1]] = marks[0]
    return levels


# --- the example -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return _data(_assessment())


@pytest.fixture(scope="module")
def incomplete() -> dict[str, Any]:
    # 3.2 unanswered (a draft); 1.3 answered without evidence (missing evidence).
    return _data(_assessment(drop=("3.2",), answers={"1.3": {"met": True}}))


def test_docx_carries_the_whole_report(example: dict[str, Any]) -> None:
    document = _docx(render_docx(example))
    lines = _docx_lines(document)
    text = "\n".join(lines)
    heading = document.tables[0].rows[0].cells
    assert [p.text for p in heading[0].paragraphs if p.text] == [
        "ỦY BAN NHÂN DÂN HUYỆN X",
        "ỦY BAN NHÂN DÂN",
        "XÃ QUẢNG PHÚ",
        "Số:\u2002\u2002\u2002\u2002\u2002\u2002/BC-UBND",
    ]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading[1].text
    assert "Độc lập - Tự do - Hạnh phúc" in heading[1].text
    assert example["place_date"] in lines
    assert "BÁO CÁO" in lines
    assert "Tự đánh giá “Đơn vị học tập” cấp huyện năm 2025" in lines
    assert LEVEL_SENTENCE in lines
    assert _docx_summary(document) == EXPECTED_LEVELS
    for criterion in example["criteria"]:
        assert f"Tiêu chí {criterion['id']}: {criterion['title']}" in lines
        for indicator in criterion["indicators"]:
            assert indicator["text"] in lines
            for item in indicator["evidence"]:
                assert f"{item['code']} {item['title']}" in lines
    assert "[H1-1.1-01] Kế hoạch số 12/KH-UBND ngày 10/01/2025" in lines
    assert "1. Mô tả hiện trạng: 28/30 thành viên (93,3%)" in text
    # The example has no strengths or weaknesses: left out, not printed as a dash.
    assert "2. Tự đánh giá: Đạt mức độ 1" in lines
    assert "Điểm mạnh" not in text
    assert "Tồn tại" not in text
    assert "—" not in text
    assert "Để đạt mức độ 2:" in lines
    assert any("cần thêm 5 thành viên" in line for line in lines)
    assert "Chỉ tiêu (13)" in lines
    assert "4 (30,8%)" in lines
    assert "TỔ TRƯỞNG TỔ ĐÁNH GIÁ" in lines
    head = lines.index("TM. ỦY BAN NHÂN DÂN")
    assert lines[head : head + 2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert "BẢN NHÁP" not in text
    assert "Minh chứng còn thiếu" not in text


def test_docx_page_and_font_follow_the_administrative_convention(example: dict[str, Any]) -> None:
    document = _docx(render_docx(example))
    section = document.sections[0]
    page = (section.page_width, section.page_height)
    margins = (
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [_cm(length) for length in page] == [21, 29.7]  # stored in twips
    assert [_cm(length) for length in margins] == [2, 2, 3, 2]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(13)
    styles = document.styles.element.xml
    assert "majorHAnsi" not in styles.split("<w:latentStyles")[0]  # no theme font by default


def test_xlsx_summary_and_evidence(example: dict[str, Any]) -> None:
    workbook = load_workbook(io.BytesIO(render_xlsx(example)))
    assert workbook.sheetnames == ["Tổng hợp", "Minh chứng"]
    summary = workbook["Tổng hợp"]
    assert summary["A1"].value == example["title"]
    assert summary["A2"].value == "UBND xã Quảng Phú"
    assert summary["A3"].value == LEVEL_SENTENCE
    assert summary.freeze_panes == "A5"
    assert summary["A4"].font.b
    assert summary.column_dimensions["C"].width > summary.column_dimensions["B"].width
    assert summary["C5"].alignment.wrap_text
    assert _xlsx_summary(summary) == EXPECTED_LEVELS
    assert summary["C5"].value == "Kế hoạch học tập hằng năm"  # the rulebook's short name
    merged = {str(r) for r in summary.merged_cells.ranges}
    assert {"A5:A9", "A10:A14", "A15:A17", "G5:G9", "G10:G14", "G15:G17"} <= merged
    assert (summary["A5"].value, summary["G5"].value) == ("Tiêu chí 1", "Đạt mức độ 2")
    assert (summary["A10"].value, summary["G10"].value) == ("Tiêu chí 2", "Đạt mức độ 1")
    totals = next(row for row in _sheet_rows(summary) if row[0] == "Tổng")
    assert totals[1:6] == (13, None, 0, 4, 9)

    evidence = _sheet_rows(workbook["Minh chứng"])
    assert evidence[0] == ("Mã minh chứng", "Chỉ tiêu", "Tên minh chứng")
    expected = [
        (item["code"], indicator["id"], item["title"])
        for criterion in example["criteria"]
        for indicator in criterion["indicators"]
        for item in indicator["evidence"]
    ]
    assert evidence[1:] == expected
    assert ("[H1-1.1-01]", "1.1", "Kế hoạch số 12/KH-UBND ngày 10/01/2025") in expected
    assert len(expected) == 13


def test_an_incomplete_assessment_is_a_draft_with_missing_evidence(
    incomplete: dict[str, Any],
) -> None:
    document = _docx(render_docx(incomplete))
    lines = _docx_lines(document)
    assert "BẢN NHÁP: hồ sơ còn 1 chỉ tiêu chưa trả lời." in lines
    assert "BẢN NHÁP" in [p.text for p in document.sections[0].header.paragraphs]
    assert "Minh chứng còn thiếu:" in lines
    missing = [line for line in lines if line.startswith("Chỉ tiêu 1.3: ví dụ Dự toán")]
    assert len(missing) == 1
    assert any("chưa đạt “Đơn vị học tập”" in line for line in lines)
    assert _docx_summary(document)["3.2"] == 0
    assert "Minh chứng: chưa có" in lines

    workbook = load_workbook(io.BytesIO(render_xlsx(incomplete)))
    status = workbook["Tổng hợp"]["A3"].value
    assert status.startswith("BẢN NHÁP: hồ sơ còn 1 chỉ tiêu chưa trả lời.")
    assert "chưa đạt" in status
    assert _xlsx_summary(workbook["Tổng hợp"])["3.2"] == 0
    rows = _sheet_rows(workbook["Minh chứng"])
    codes = [row[0] for row in rows]
    assert not [code for code in codes if code and code.startswith(("[H1-1.3-", "[H3-3.2-"))]
    heading = codes.index("Minh chứng còn thiếu")
    assert rows[heading + 1][1] == "1.3"
    assert rows[heading + 1][2].startswith("ví dụ Dự toán")
    assert rows[heading + 2][1] == "3.2"
    assert rows[heading + 2][2].startswith("ví dụ")


# --- hostile content -------------------------------------------------------------------------


def _no_formula(blob: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    for sheet in load_workbook(io.BytesIO(blob)):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_hostile_content_renders_literally() -> None:
    name = unicodedata.normalize("NFD", (f"UBND xã {HOSTILE} " + "Quảng Phú " * 30)[:300])
    description = ("Mô tả <w:t>&amp; # * $ [ ] @ 😀 " * 80)[:2000]
    hostile = _assessment(
        unit_name=name,
        answers={
            "1.1": {
                "met": True,
                "evidence": ["#let x = 1 [QĐ] $5$ <b>&</b>", "=SUM(A1:A2)", "@nhãn", "-1", "+1"],
                "description": description,
                "strengths": "Điểm mạnh 😀 \"kép\" 'đơn'",
                "weaknesses": unicodedata.normalize("NFD", "Tồn tại: thiếu kinh phí"),
            }
        },
    )
    data = _data(hostile)
    assert len(data["unit"]["name"]) == len(unicodedata.normalize("NFC", name))
    text = _docx_text(_docx(render_docx(data)))
    assert _nfc(name).upper().removeprefix("UBND ").strip() in text  # “UBND” is written out
    assert f"1. Mô tả hiện trạng: Đơn vị đáp ứng yêu cầu của chỉ tiêu. {_nfc(description)}" in (
        text
    )
    assert "[H1-1.1-01] #let x = 1 [QĐ] $5$ <b>&</b>" in text
    assert "[H1-1.1-02] =SUM(A1:A2)" in text
    assert "2. Điểm mạnh: Điểm mạnh 😀 \"kép\" 'đơn'" in text
    assert "3. Tồn tại: Tồn tại: thiếu kinh phí" in text
    assert "4. Tự đánh giá: Đạt mức độ 2" in text

    blob = render_xlsx(data)
    _no_formula(blob)
    workbook = load_workbook(io.BytesIO(blob))
    assert _nfc(workbook["Tổng hợp"]["A2"].value) == _nfc(name)
    titles = [row[2] for row in _sheet_rows(workbook["Minh chứng"])]
    for title in ("#let x = 1 [QĐ] $5$ <b>&</b>", "=SUM(A1:A2)", "@nhãn", "-1", "+1"):
        assert title in titles
    cells = {cell.value: cell for cell in workbook["Minh chứng"]["C"]}
    for title in ("=SUM(A1:A2)", "@nhãn", "-1", "+1"):
        assert cells[title].data_type == "s"
        assert cells[title].quotePrefix


@pytest.mark.parametrize("name", ["=1+2", '=HYPERLINK("http://x")', "-2+3", "@SUM(1)", "#N/A"])
def test_formula_like_unit_names_stay_text(name: str) -> None:
    data = _data(_assessment(unit_name=name))
    assert name.upper() in _docx_text(_docx(render_docx(data)))
    blob = render_xlsx(data)
    _no_formula(blob)
    cell = load_workbook(io.BytesIO(blob))["Tổng hợp"]["A2"]
    assert (cell.value, cell.data_type) == (name, "s")


def test_raw_data_with_nfd_and_control_characters_does_not_fail(example: dict[str, Any]) -> None:
    """Data reaching the renderers from elsewhere: NFD text and characters XML cannot hold."""
    data = copy.deepcopy(example)
    data["unit"]["name"] = unicodedata.normalize("NFD", "UBND xã Quảng Phú\x00\x0b")
    data["heading"]["issuer"] = [unicodedata.normalize("NFD", "XÃ QUẢNG PHÚ\x00\x0b")]
    indicator = data["criteria"][0]["indicators"][0]
    indicator["description"] = "dòng 1\ndòng 2\tcột\x07"
    indicator["evidence"][0]["title"] = "=cmd|' /C calc'!A0\x1f"
    text = _docx_text(_docx(render_docx(data)))
    assert "XÃ QUẢNG PHÚ\ufffd\ufffd" in text
    assert "dòng 1\ndòng 2\tcột\ufffd" in text
    blob = render_xlsx(data)
    _no_formula(blob)
    workbook = load_workbook(io.BytesIO(blob))
    assert _nfc(workbook["Tổng hợp"]["A2"].value) == "UBND xã Quảng Phú\ufffd\ufffd"
    assert workbook["Minh chứng"]["C2"].value == "=cmd|' /C calc'!A0\ufffd"


def test_cli_writes_all_three_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    pdf, docx, xlsx = (tmp_path / f"bao-cao.{ext}" for ext in ("pdf", "docx", "xlsx"))
    argv = ["report", str(EXAMPLE), "--pdf", str(pdf), "--docx", str(docx), "--xlsx", str(xlsx)]
    assert main(argv) == 0
    assert capsys.readouterr().out.count("Đã ghi báo cáo") == 3
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _docx_summary(_docx(docx.read_bytes())) == EXPECTED_LEVELS
    assert _xlsx_summary(load_workbook(xlsx)["Tổng hợp"]) == EXPECTED_LEVELS
    assert main(["report", str(EXAMPLE)]) == 2
    assert "cần ít nhất một tệp ra" in capsys.readouterr().err
    assert main(["report", str(EXAMPLE), "--xlsx", str(tmp_path / "none" / "x.xlsx")]) == 2


def test_docx_heading_without_a_governing_body() -> None:
    data = report_data(RULEBOOKS["huyen"], _assessment())
    heading = _docx(render_docx(data)).tables[0].rows[0].cells[0]
    assert [p.text for p in heading.paragraphs if p.text][:2] == [
        "ỦY BAN NHÂN DÂN",
        "XÃ QUẢNG PHÚ",
    ]
