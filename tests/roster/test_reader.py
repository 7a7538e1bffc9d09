"""Reading a filled roster (issue 16, item 2): the template round trip, what officials really
send (columns in any order, the header lower down, extra columns and sheets, ids alone), every
bad-file case with its row-and-column sentence, and hostile files."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from conversations.ports import RosterRefused
from dvht_core.model import Rulebook
from reports import roster_xlsx
from reports.roster_xlsx import MEMBERS_SHEET, RosterXlsx, read_roster
from tests.roster.sheets import HEADER_ROW, filled, plain, save

IDS = ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1")


@pytest.fixture
def huyen(rulebooks: dict[str, Rulebook]) -> Rulebook:
    return rulebooks["huyen"]


def _read(data: bytes, rulebook: Rulebook, unit_type: str = "ubnd_xa") -> Any:
    return read_roster(data, rulebook, unit_type=unit_type)


def _refused(data: bytes, rulebook: Rulebook) -> str:
    with pytest.raises(RosterRefused) as refused:
        _read(data, rulebook)
    return refused.value.reason


# --- the template and its round trip -----------------------------------------------------------


def test_template_has_one_noted_column_per_indicator_and_no_citizen_id(huyen: Rulebook) -> None:
    attachment = RosterXlsx().template(huyen, unit_type="ubnd_xa", unit_name="UBND xã Quảng Phú")
    assert attachment.file_name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(attachment.data))
    assert book.sheetnames == [MEMBERS_SHEET, "Hướng dẫn"], "no learners' sheet for a xã"
    sheet = book[MEMBERS_SHEET]
    assert "UBND xã Quảng Phú" in sheet["A1"].value
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:3] == ["STT", "Họ và tên", "Chức vụ / đơn vị công tác"]
    assert header[3:] == [
        "Tuân thủ kỷ luật (2.1)",
        "Hoàn thành học tập, bồi dưỡng (2.2)",
        "Đào tạo, tham gia chuyển đổi số (2.3)",
        "Chứng chỉ ngoại ngữ / tiếng dân tộc thiểu số (2.4)",
        "Lao động tiên tiến (2.5)",
        "Công dân học tập (3.1)",
    ]
    indicator = huyen.indicator("2.1")
    assert indicator is not None
    note = sheet.cell(row=HEADER_ROW, column=4).comment.text
    assert indicator.text_for(1, "ubnd_xa") in note
    assert "x" in note
    assert all(sheet.cell(row=HEADER_ROW, column=c).comment for c in range(4, 10))
    assert sheet.freeze_panes == f"D{HEADER_ROW + 1}"
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"x,có,đạt"'
    everything = " ".join(
        str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value
    ).lower()
    assert "căn cước" not in header
    assert "cccd" not in everything
    assert "[" not in everything, "no research labels"


def test_template_of_a_tinh_school_has_the_learners_sheet(rulebooks: dict[str, Rulebook]) -> None:
    data = roster_xlsx.template_bytes(rulebooks["tinh"], unit_type="pho_thong", unit_name=None)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [MEMBERS_SHEET, "Người học", "Hướng dẫn"]
    assert [c.value for c in book["Người học"][2]] == [
        "Lớp",
        "Tổng số người học",
        "Số đạt Công dân học tập",
    ]
    other = roster_xlsx.template_bytes(rulebooks["tinh"], unit_type="co_quan", unit_name=None)
    assert "Người học" not in load_workbook(io.BytesIO(other)).sheetnames


def test_round_trip_counts_each_column(huyen: Rulebook) -> None:
    rows = [
        ["Nguyễn Văn An", "Chủ tịch", "x", "x", "x", None, "đạt", "có"],
        ["Trần Thị Bình", "Công chức", "X", " Có ", "", None, None, "x"],
        ["Lê Văn Cường", "Công chức", "ĐẠT", "dat", None, "co", None, None],
    ]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.indicator_ids == IDS
    assert roster.total_members == 3
    assert [roster.count(i) for i in IDS] == [3, 3, 1, 1, 1, 2]
    assert roster.missing("2.4") == ("Nguyễn Văn An", "Trần Thị Bình")
    assert roster.problems == ()
    assert roster.members[0].row == HEADER_ROW + 1


def test_learners_sheet_of_a_tinh_school(rulebooks: dict[str, Rulebook]) -> None:
    rows = [["Nguyễn Văn An", "Giáo viên", "x", "x", "x", "x", "x", "x"]]
    classes = [["10A1", 40, 38], ["10A2", "42", 40], ["10A3", 30, "ba"], ["10A4", 20, 21]]
    data = filled(rulebooks["tinh"], "pho_thong", rows, classes=classes)
    roster = _read(data, rulebooks["tinh"], "pho_thong")
    assert [c.name for c in roster.classes] == ["10A1", "10A2"]
    assert (roster.learners_total, roster.learners_citizens) == (82, 78)
    texts = [p.text for p in roster.problems]
    assert texts[0].startswith("Trang “Người học”, dòng 5, cột Số đạt Công dân học tập: “ba”")
    assert "dòng 6: lớp 10A4 có số đạt Công dân học tập lớn hơn" in texts[1]


# --- what officials really send ----------------------------------------------------------------


def test_columns_in_any_order_header_lower_down_extra_columns_and_sheets(huyen: Rulebook) -> None:
    header = ["Ghi chú", "(2.5)", "CHỨC VỤ", "2.1", "HO VA TEN", "Ngày sinh", "Tuân thủ (2.2)"]
    rows = [header, ["", "x", "Trưởng thôn", "x", "Phạm Thị Dung", "1980", ""]]
    data = plain(rows, before=4)
    book = load_workbook(io.BytesIO(data))
    book.create_sheet("Bìa", 0)["A1"] = "Danh sách cán bộ"
    roster = _read(save(book), huyen)
    assert roster.indicator_ids == ("2.1", "2.2", "2.5")
    assert roster.members[0].name == "Phạm Thị Dung"
    assert roster.members[0].position == "Trưởng thôn"
    assert roster.members[0].row == 6
    assert roster.members[0].marks == frozenset({"2.1", "2.5"})
    missing = [p.text for p in roster.problems if p.row is None]
    assert len(missing) == 3
    assert "Không có cột Đào tạo, tham gia chuyển đổi số (2.3)" in missing[0]


def test_a_value_that_is_not_a_mark_is_a_problem_and_the_member_still_counts(
    huyen: Rulebook,
) -> None:
    rows = [
        ["Nguyễn Văn An", "Chủ tịch", "x", "x", "x", "x", "abc", "x"],
        ["Trần Thị Bình", "Công chức", "x", "x", "x", "x", "x", "x"],
    ]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.total_members == 2
    assert roster.count("2.5") == 1
    assert roster.count("2.4") == 2
    (problem,) = roster.problems
    assert problem.text == (
        "Dòng 4, cột Lao động tiên tiến (2.5): “abc” không phải x, có, đạt hoặc để trống; "
        "ô này được tính là chưa đạt."
    )
    assert (problem.row, problem.column) == (4, "Lao động tiên tiến (2.5)")


def test_duplicate_name_and_position_counts_once_a_namesake_counts(huyen: Rulebook) -> None:
    rows = [
        ["Nguyễn Văn An", "Chủ tịch", "x", "", "", "", "", ""],
        ["Nguyễn Văn An", "Công an xã", "x", "", "", "", "", ""],
        ["nguyễn  văn an", "chủ tịch", "x", "x", "x", "x", "x", "x"],
    ]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.total_members == 2
    assert roster.count("2.2") == 0, "the later duplicate's marks do not count"
    (problem,) = roster.problems
    assert problem.text == (
        "Dòng 6: “nguyễn văn an” trùng họ tên và chức vụ với dòng 4; dòng sau không được tính."
    )


def test_names_in_nfd_become_nfc_and_are_the_same_person(huyen: Rulebook) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    rows = [["Nguyễn Thị Hằng", "Kế toán", "x"], [nfd, "Kế toán", "x"]]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.total_members == 1
    assert roster.members[0].name == unicodedata.normalize("NFC", nfd)
    assert "trùng họ tên" in roster.problems[0].text


def test_marks_without_a_name_are_a_problem(huyen: Rulebook) -> None:
    rows = [["Nguyễn Văn An", "Chủ tịch", "x"], [None, "Công chức", "x", "x"], [None, None]]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.total_members == 1
    assert [p.text for p in roster.problems] == [
        "Dòng 5: có đánh dấu nhưng thiếu họ và tên; dòng này không được tính."
    ]


def test_no_name_column_no_header_or_no_member_is_refused(huyen: Rulebook) -> None:
    assert "“Họ và tên”" in _refused(plain([["STT", "Chức vụ", "(2.1)"], [1, "A", "x"]]), huyen)
    assert "“Họ và tên”" in _refused(plain([]), huyen)
    assert _refused(filled(huyen, "ubnd_xa", []), huyen) == roster_xlsx.NO_MEMBERS
    lower = plain([["Họ và tên", "(2.1)"], ["An", "x"]], before=10)
    assert "“Họ và tên”" in _refused(lower, huyen), "only the first 10 rows are searched"


# --- hostile files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF",
        "Họ và tên,Chức vụ,2.1\nAn,Chủ tịch,x\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,  # an .xls (OLE)
        bytes(range(256)) * 8,
        b"",
    ],
    ids=["pdf", "csv", "xls", "random", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused_in_one_sentence(huyen: Rulebook, data: bytes) -> None:
    reason = _refused(data, huyen)
    assert reason == roster_xlsx.NOT_XLSX
    assert reason.count(".") <= 2
    assert "\n" not in reason


def test_a_zip_that_is_not_a_workbook_or_is_broken_is_refused(huyen: Rulebook) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert _refused(buffer.getvalue(), huyen) == roster_xlsx.NOT_XLSX
    good = filled(huyen, "ubnd_xa", [["An", "", "x"]])
    assert _refused(good[: len(good) // 2], huyen) == roster_xlsx.BROKEN


def test_a_zip_bomb_is_refused_before_parsing(huyen: Rulebook) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (roster_xlsx.MAX_UNPACKED_BYTES + 1))
    data = buffer.getvalue()
    assert len(data) < 200_000, "small on the wire"
    assert _refused(data, huyen) == roster_xlsx.TOO_MUCH


def test_a_file_over_the_size_limit_is_refused(huyen: Rulebook) -> None:
    data = b"PK\x03\x04" + b"\0" * roster_xlsx.MAX_FILE_BYTES
    assert _refused(data, huyen) == roster_xlsx.TOO_BIG


def test_formulas_are_never_evaluated_cached_values_count(huyen: Rulebook) -> None:
    def formulas(book: Any) -> None:
        sheet = book[MEMBERS_SHEET]
        sheet.cell(row=4, column=4, value='=IF(1=1,"x","")')  # saved by openpyxl: no cache
        sheet.cell(row=5, column=2, value='=CONCAT("Lê"," Văn Tám")')

    rows = [["Nguyễn Văn An", "Chủ tịch", None, "x"], ["placeholder", "Công chức", "x"]]
    data = filled(huyen, "ubnd_xa", rows, edit=formulas)
    roster = _read(data, huyen)
    # No cached value: the cell counts as not marked, with a sentence; the name formula has no
    # value either, so that row has no name and its mark is reported.
    assert roster.count("2.1") == 0
    texts = [p.text for p in roster.problems]
    assert any(t.startswith("Dòng 4, cột Tuân thủ kỷ luật (2.1): ô có công thức") for t in texts)
    assert "Dòng 5: có đánh dấu nhưng thiếu họ và tên; dòng này không được tính." in texts
    # A formula cell saved with its cached value (as Excel saves it) reads as that value.
    cached = _with_cached_value(data, "D4", "x")
    assert _read(cached, huyen).count("2.1") == 1


def _with_cached_value(data: bytes, ref: str, value: str) -> bytes:
    """The file as Excel would save it: the formula cell `ref` with a cached string value."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                start = text.index(f'<c r="{ref}"')
                end = text.index("</c>", start) + len("</c>")
                cell = text[start:end]
                formula = cell[cell.index("<f>") : cell.index("</f>") + len("</f>")]
                text = text[:start] + f'<c r="{ref}" t="str">{formula}<v>{value}</v></c>'
                text += body.decode()[end:]
                body = text.encode()
            target.writestr(entry, body)
    return out.getvalue()


def test_merged_title_and_merged_position_cells(huyen: Rulebook) -> None:
    def merge(book: Any) -> None:
        book[MEMBERS_SHEET].merge_cells("C4:C6")  # one department's position over three rows

    rows = [
        ["Nguyễn Văn An", "Văn phòng", "x"],
        ["Trần Thị Bình", None, "x"],
        ["Lê Văn Cường", None, None],
    ]
    roster = _read(filled(huyen, "ubnd_xa", rows, edit=merge), huyen)
    assert [m.position for m in roster.members] == ["Văn phòng"] * 3
    assert roster.count("2.1") == 2
    assert roster.problems == ()


def test_hidden_rows_are_members_and_count(huyen: Rulebook) -> None:
    def hide(book: Any) -> None:
        book[MEMBERS_SHEET].row_dimensions[5].hidden = True

    rows = [["Nguyễn Văn An", "", "x"], ["Trần Thị Bình", "", "x"]]
    roster = _read(filled(huyen, "ubnd_xa", rows, edit=hide), huyen)
    assert roster.total_members == 2
    assert roster.count("2.1") == 2


def test_ten_thousand_rows(huyen: Rulebook) -> None:
    rows = [[f"Người {n}", f"Tổ {n % 50}", "x" if n % 10 else ""] for n in range(10_000)]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.total_members == 10_000
    assert roster.count("2.1") == 9_000


def test_more_rows_than_the_cap_is_refused(
    huyen: Rulebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_xlsx, "MAX_ROWS", 5)
    rows = [[f"Người {n}", "", "x"] for n in range(6)]
    with pytest.raises(RosterRefused) as refused:
        _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert "thành viên; hãy kiểm tra lại tệp" in refused.value.reason


def _patched(data: bytes, old: str, new: str) -> bytes:
    """The file with the members sheet's XML edited (what a hostile sender can write)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                assert old in text
                body = text.replace(old, new, 1).encode()
            target.writestr(entry, body)
    return out.getvalue()


def test_a_huge_merged_range_is_refused_before_parsing(huyen: Rulebook) -> None:
    data = filled(huyen, "ubnd_xa", [["An", "", "x"]])
    text = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    first = text[text.index("<mergeCell ") : text.index("/>", text.index("<mergeCell ")) + 2]
    bomb = _patched(data, first, first + '<mergeCell ref="A5:XFD1048576"/>')
    assert len(bomb) < 50_000
    assert _refused(bomb, huyen) == roster_xlsx.TOO_MUCH


def test_a_stray_cell_far_right_is_ignored_far_below_is_refused(huyen: Rulebook) -> None:
    data = filled(huyen, "ubnd_xa", [["Nguyễn Văn An", "", "x"]])
    far_right = _patched(
        data,
        "</sheetData>",
        '<row r="4000"><c r="XFD4000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    roster = _read(far_right, huyen)
    assert roster.total_members == 1
    assert roster.count("2.1") == 1
    far_below = _patched(
        data,
        "</sheetData>",
        '<row r="900000"><c r="B900000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    assert _refused(far_below, huyen) == (
        "Trang “Danh sách thành viên” có dữ liệu tới dòng 900.000, quá dài cho một danh sách "
        "thành viên; hãy xóa các dòng thừa ở cuối trang rồi gửi lại."
    )


def test_invisible_characters_are_removed_and_long_values_quoted_short(huyen: Rulebook) -> None:
    rows = [["Nguyễn\u202e Văn\u200b An", "Chủ tịch", "rất " * 5000]]
    roster = _read(filled(huyen, "ubnd_xa", rows), huyen)
    assert roster.members[0].name == "Nguyễn Văn An"
    (problem,) = roster.problems
    assert len(problem.text) < 200
    assert "“rất rất" in problem.text
    assert "…”" in problem.text


def test_a_list_without_any_indicator_column_is_refused(huyen: Rulebook) -> None:
    data = plain([["STT", "Họ và tên", "Chức vụ"], [1, "Nguyễn Văn An", "Chủ tịch"]])
    assert _refused(data, huyen) == roster_xlsx.NO_INDICATORS
