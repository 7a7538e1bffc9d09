"""The PDF and the DOCX read back and held to the layout of an administrative document
(Nghị định 30/2020/NĐ-CP, Phụ lục I) and to the forms Mẫu 1–3 a commune uses.

The PDF is read with pypdf's text visitor, which gives each run of text with its font, size
and position, so the tests check where things are, not only that they are there: the issuer
left and the Quốc hiệu right on the same line, “Số:” under the issuer, the place and date in
italics under the Tiêu ngữ, “BÁO CÁO” over its subject, no heading larger than the title,
the two signatures side by side and “Nơi nhận:” under them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader

from dvht_core.assessment import Assessment, parse_assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from reports.data import report_data
from reports.docx import render_docx
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
RULEBOOKS = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
DAY = dt.date(2026, 12, 2)
LEFT_MARGIN, TEXT_WIDTH = 85.0, 453.5  # 3 cm, then 16 cm of text (A4 less 3 + 2 cm), in pt
HEADING_SPLIT = LEFT_MARGIN + TEXT_WIDTH / 2.45  # the heading's columns are 1 : 1.45
PAGE_MIDDLE = LEFT_MARGIN + TEXT_WIDTH / 2  # the closing's columns are 1 : 1
TITLE_SIZE = 14.0
RESEARCH_LABEL = re.compile(
    r"seed|\[[A-Z0-9]{2,}(?:-[A-Z0-9]+)*\]|tt24-rules|\.md\b|KH 248|Nguồn:", re.IGNORECASE
)


def _assessment(**changes: Any) -> Assessment:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    answers = changes.pop("answers", {})
    data.update(changes)
    data["answers"].update(answers)
    return parse_assessment(data, RULEBOOKS, load_unit_types())


def hoa_binh() -> Assessment:
    """The commune of issue 12: 42 members, some indicators unmet (level 0)."""
    return _assessment(
        unit_name="UBND xã Hòa Bình",
        province="Tỉnh Phú Thọ",
        members=42,
        answers={
            "1.2": {"met": False, "evidence": ["Quy chế chi tiêu nội bộ"]},
            "2.1": {"count": 30, "evidence": []},
            "2.2": {"count": 40, "evidence": ["Danh sách bồi dưỡng"], "strengths": "  "},
        },
    )


def _data(assessment: Assessment, **options: Any) -> dict[str, Any]:
    return report_data(RULEBOOKS[assessment.tier], assessment, today=DAY, **options)


# --- reading the PDF back with positions -----------------------------------------------------


class Run(NamedTuple):
    page: int
    text: str
    size: float
    x: float
    y: float  # from the bottom of the page: larger is higher
    bold: bool
    italic: bool


def _runs(pdf: bytes) -> list[Run]:
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, page: int = number) -> None:
            text = unicodedata.normalize("NFC", text).strip()
            if not text:
                return
            name = str(font.get("/BaseFont", "")) if font else ""
            runs.append(
                Run(
                    page,
                    text,
                    float(size),
                    float(cm[4]),
                    float(cm[5]),
                    "Bold" in name,
                    "Italic" in name,
                )
            )

        page.extract_text(visitor_text=visit)
    return runs


def _run(runs: list[Run], text: str, page: int | None = None) -> Run:
    found = [r for r in runs if r.text.startswith(text) and (page is None or r.page == page)]
    assert found, f"{text!r} not in {[r.text for r in runs][:40]}"
    return found[0]


def _pdf_text(runs: list[Run]) -> str:
    return " ".join(r.text for r in runs)


# --- the heading ----------------------------------------------------------------------------


def test_pdf_heading_follows_the_decree() -> None:
    runs = _runs(render_pdf(_data(hoa_binh())))
    committee = _run(runs, "ỦY BAN NHÂN DÂN", page=1)
    commune = _run(runs, "XÃ HÒA BÌNH", page=1)
    number = _run(runs, "Số:", page=1)
    nation = _run(runs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", page=1)
    motto = _run(runs, "Độc lập - Tự do - Hạnh phúc", page=1)
    place = _run(runs, "Hòa Bình, ngày 02 tháng 12 năm 2026", page=1)
    kind = _run(runs, "BÁO CÁO", page=1)
    subject = _run(runs, "Tự đánh giá “Đơn vị học tập” cấp huyện năm 2025", page=1)

    # The issuer in full, bold capitals, left; the Quốc hiệu right, on the same line.
    assert committee.bold
    assert commune.bold
    assert committee.x < HEADING_SPLIT < nation.x
    assert committee.y == pytest.approx(nation.y, abs=1)
    assert commune.y < committee.y
    above = [r.text for r in runs if r.page == 1 and r.y > kind.y and r is not number]
    assert not any("UBND" in text for text in above)  # written out in full
    # “Số: …/BC-UBND” under the issuer, with room for the number.
    assert re.fullmatch(r"Số:\s{5,}/BC-UBND", number.text), number.text
    assert number.y < commune.y
    assert number.x < HEADING_SPLIT
    assert not number.bold
    # The Tiêu ngữ under the Quốc hiệu; the place and date in italics under it, right.
    assert motto.bold
    assert motto.y < nation.y
    assert place.italic
    assert place.x > HEADING_SPLIT
    assert place.y < motto.y
    assert "Tỉnh Phú Thọ," not in _pdf_text(runs)  # the commune, not the province
    # “BÁO CÁO” on its own line, the subject under it; both below the heading, centred.
    assert kind.text == "BÁO CÁO"
    assert kind.bold
    assert kind.size == TITLE_SIZE
    assert subject.bold
    assert subject.size == TITLE_SIZE
    assert subject.y < kind.y < place.y
    assert not subject.text.isupper()


def test_pdf_sections_are_lettered_and_no_heading_is_larger_than_the_title() -> None:
    runs = _runs(render_pdf(_data(hoa_binh())))
    sections = [r for r in runs if re.match(r"^[A-Z]\. [A-ZĐ]", r.text) and r.bold]
    assert [s.text for s in sections] == ["A. ĐẶT VẤN ĐỀ", "B. TỰ ĐÁNH GIÁ", "C. KẾT LUẬN CHUNG"]
    assert max(r.size for r in runs) == TITLE_SIZE
    assert [r.text for r in runs if r.size == TITLE_SIZE] == [
        "BÁO CÁO",
        "Tự đánh giá “Đơn vị học tập” cấp huyện năm 2025",
    ]
    # Page numbers centred in the top margin, none on the first page (Nghị định 30/2020).
    tops = {r.page: r for r in runs if r.y > 790}
    assert 1 not in tops
    assert tops[2].text == "2"
    assert abs(tops[2].x - (LEFT_MARGIN + TEXT_WIDTH / 2)) < 10
    assert not [r for r in runs if r.y < 40]  # nothing in the bottom margin
    criteria = [r for r in runs if r.text.startswith("Tiêu chí 1: ")]
    assert criteria
    assert all(r.bold and r.size <= TITLE_SIZE for r in criteria)


def test_pdf_closing_signatures_side_by_side_then_the_receivers() -> None:
    runs = _runs(render_pdf(_data(hoa_binh())))
    last = max(r.page for r in runs)
    team = _run(runs, "TỔ TRƯỞNG TỔ ĐÁNH GIÁ", page=last)
    collective = _run(runs, "TM. ỦY BAN NHÂN DÂN", page=last)
    chair = _run(runs, "CHỦ TỊCH", page=last)
    receivers = _run(runs, "Nơi nhận:", page=last)
    office = _run(runs, "- Cơ quan tiếp nhận hồ sơ theo kế hoạch của tỉnh;", page=last)
    filing = _run(runs, "- Lưu: VT.", page=last)
    assert team.bold
    assert collective.bold
    assert chair.bold
    assert team.x < PAGE_MIDDLE < collective.x
    assert team.y == pytest.approx(collective.y, abs=1)
    assert chair.y < collective.y
    assert receivers.bold
    assert receivers.italic
    assert receivers.x < PAGE_MIDDLE
    assert receivers.y < chair.y
    assert filing.y < office.y < receivers.y
    text = _pdf_text(runs)
    assert "Phòng Giáo dục" not in text
    assert "Phòng GDĐT" not in text


@pytest.mark.parametrize(
    ("tier", "unit_type", "name", "head"),
    [
        ("huyen", "mam_non", "Trường mầm non Hoa Sen", ["HIỆU TRƯỞNG"]),
        ("tinh", "pho_thong", "Trường THPT Chu Văn An", ["HIỆU TRƯỞNG"]),
        ("huyen", "gdnn", "Trung tâm GDNN-GDTX khu vực Phong Điền", ["GIÁM ĐỐC"]),
        ("tinh", "co_quan", "Sở Tư pháp", ["THỦ TRƯỞNG ĐƠN VỊ"]),
        ("huyen", "doanh_nghiep", "Công ty TNHH Minh Phát", ["THỦ TRƯỞNG ĐƠN VỊ"]),
    ],
)
def test_the_signature_fits_the_unit_type_in_pdf_and_docx(
    tier: str, unit_type: str, name: str, head: list[str]
) -> None:
    data = _data(
        _assessment(tier=tier, unit_type=unit_type, unit_name=name, province="Tỉnh Phú Thọ")
    )
    runs = _runs(render_pdf(data))
    last = max(r.page for r in runs)
    assert [r.text for r in runs if r.page == last and r.text in head] == head
    assert not any(r.text.startswith("TM. ") for r in runs)
    closing = _docx(render_docx(data)).tables[-1]
    assert [p.text for p in closing.rows[0].cells[1].paragraphs if p.text][:-1] == head
    # No commune in the name: the place is the province, written as the decree writes it.
    assert _run(runs, "Phú Thọ, ngày 02 tháng 12 năm 2026", page=1).italic


# --- the DOCX --------------------------------------------------------------------------------


def _docx(blob: bytes) -> DocumentObject:
    return Document(io.BytesIO(blob))


def _texts(paragraphs: list[Paragraph]) -> list[str]:
    return [unicodedata.normalize("NFC", p.text) for p in paragraphs if p.text]


def _bold(paragraph: Paragraph) -> bool:
    return all(run.bold for run in paragraph.runs if run.text.strip())


def test_docx_heading_and_title_follow_the_decree() -> None:
    document = _docx(render_docx(_data(hoa_binh(), governing_body="UBND tỉnh Phú Thọ")))
    left, right = document.tables[0].rows[0].cells
    lines = [p for p in left.paragraphs if p.text]
    assert _texts(lines) == [
        "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ",
        "ỦY BAN NHÂN DÂN",
        "XÃ HÒA BÌNH",
        "Số:\u2002\u2002\u2002\u2002\u2002\u2002/BC-UBND",
    ]
    assert [_bold(p) for p in lines] == [False, True, True, False]  # the issuer bold
    right_lines = [p for p in right.paragraphs if p.text]
    assert _texts(right_lines) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hòa Bình, ngày 02 tháng 12 năm 2026",
    ]
    assert all(run.italic for run in right_lines[-1].runs)
    body = [p for p in document.paragraphs if p.text]
    kind, subject = body[0], body[1]
    assert (kind.text, subject.text) == (
        "BÁO CÁO",
        "Tự đánh giá “Đơn vị học tập” cấp huyện năm 2025",
    )
    for paragraph in (kind, subject):
        assert _bold(paragraph)
        assert paragraph.alignment == 1  # centred
        assert all(run.font.size == Pt(14) for run in paragraph.runs)
    headings = [p for p in body if p.style is not None and p.style.name == "Heading 1"]
    assert _texts(headings) == ["A. ĐẶT VẤN ĐỀ", "B. TỰ ĐÁNH GIÁ", "C. KẾT LUẬN CHUNG"]
    for name in ("Heading 1", "Heading 2"):
        size = document.styles[name].font.size
        assert size is not None
        assert size <= Pt(14)


def test_docx_closing() -> None:
    document = _docx(render_docx(_data(hoa_binh())))
    closing = document.tables[-1]
    team, head = closing.rows[0].cells
    assert _texts(team.paragraphs) == ["TỔ TRƯỞNG TỔ ĐÁNH GIÁ", "(Ký, ghi rõ họ tên)"]
    assert _texts(head.paragraphs) == [
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "(Ký, ghi rõ họ tên, đóng dấu)",
    ]
    receivers = closing.rows[1].cells[0].paragraphs
    assert _texts(receivers) == [
        "Nơi nhận:",
        "- Cơ quan tiếp nhận hồ sơ theo kế hoạch của tỉnh;",
        "- Lưu: VT.",
    ]
    assert receivers[0].runs[0].bold
    assert receivers[0].runs[0].italic


# --- the content ----------------------------------------------------------------------------


def _docx_body(data: dict[str, Any]) -> list[str]:
    return _texts(_docx(render_docx(data)).paragraphs)


def test_empty_strengths_and_weaknesses_are_left_out_and_numbering_follows() -> None:
    data = _data(hoa_binh())
    lines = _docx_body(data)
    assert "—" not in "\n".join(lines)
    assert "Điểm mạnh" not in "\n".join(lines)  # blank strengths count as none
    text = _pdf_text(_runs(render_pdf(data)))
    assert "—" not in text
    assert "Điểm mạnh" not in text
    assert "Tồn tại" not in text

    written = _data(
        _assessment(answers={"1.1": {"met": True, "evidence": ["KH"], "weaknesses": "Ít"}})
    )
    lines = _docx_body(written)
    start = lines.index("1. Mô tả hiện trạng: Đơn vị đáp ứng yêu cầu của chỉ tiêu")
    assert lines[start + 1 : start + 5] == [
        "Minh chứng: ",
        "[H1-1.1-01] KH",
        "2. Tồn tại: Ít",
        "3. Tự đánh giá: Đạt mức độ 2",
    ]
    pdf = _pdf_text(_runs(render_pdf(written)))
    assert "[H1-1.1-01] KH 2. Tồn tại: Ít 3. Tự đánh giá: Đạt mức độ 2" in pdf


def _sections(lines: list[str]) -> dict[int, list[str]]:
    """The indicators listed under “Để đạt mức độ N:”, in order."""
    found: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        header = re.fullmatch(r"Để đạt mức độ (\d):", line)
        if header:
            current = found.setdefault(int(header.group(1)), [])
        elif current is not None and line.startswith("Chỉ tiêu "):
            current.append(line)
        elif current is not None and line.startswith("Hoàn thành "):
            continue  # level 2's lead: level 1's list holds for it too
        elif current is not None:
            current = None
    return found


def test_a_unit_below_level_1_reads_level_1_first_each_indicator_once() -> None:
    data = _data(hoa_binh())
    assert data["level"] == 0
    lines = _docx_body(data)
    assert lines.index("Để đạt mức độ 1:") < lines.index("Để đạt mức độ 2:")
    sections = _sections(lines)
    assert list(sections) == [1, 2]
    for items in sections.values():
        ids = [re.match(r"Chỉ tiêu (\d\.\d)", item).group(1) for item in items]  # type: ignore[union-attr]
        assert len(ids) == len(set(ids)), ids
    # 2.1 lacks members and evidence: one line with both shortfalls.
    (line,) = [item for item in sections[1] if item.startswith("Chỉ tiêu 2.1 ")]
    assert "cần thêm 8 thành viên" in line
    assert "cần bổ sung minh chứng" in line
    text = _pdf_text(_runs(render_pdf(data)))
    assert text.index("Để đạt mức độ 1:") < text.index("Để đạt mức độ 2:")
    # Level 2 lists only what differs from level 1 (2.1's bar is higher at level 2), and says
    # that level 1's list holds for it too.
    level_2 = data["gap_sections"][1]
    assert level_2["lead"] is not None
    assert level_2["lead"].startswith("Hoàn thành ")
    assert level_2["lead"] in lines
    assert level_2["lead"] in text
    for item in sections[2]:
        assert item not in sections[1], item  # never the same line twice


def test_no_uncertainty_note_warning_or_research_label_in_any_document() -> None:
    # 3.5 (vocational accreditation) does not apply to a UBND xã: the evaluation warns that
    # the answer was ignored, a note for whoever fills the dossier, not for the document.
    ignored = _assessment(answers={"3.5": {"met": True, "evidence": ["Giấy chứng nhận"]}})
    for assessment in (hoa_binh(), _assessment(tier="tinh", unit_type="pho_thong"), ignored):
        rulebook = RULEBOOKS[assessment.tier]
        data = _data(assessment)
        notes = [i.note for i in rulebook.indicators if i.uncertain and i.note]
        assert notes, "the rulebooks flag uncertain indicators: the test must see some"
        workbook = load_workbook(io.BytesIO(render_xlsx(data)))
        cells = [
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        warnings = evaluate(rulebook, assessment).warnings
        assert warnings or assessment is not ignored
        for text in (
            _pdf_text(_runs(render_pdf(data))),
            "\n".join(_docx_body(data)),
            "\n".join(cells),
        ):
            assert not RESEARCH_LABEL.search(text), RESEARCH_LABEL.search(text)
            for note in (*notes, *warnings):
                assert note[:40] not in text
