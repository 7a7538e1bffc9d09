"""The member roster as a spreadsheet (issue 16): the template to fill in, and a filled one read
back into `dvht_core.roster.Roster` (the `conversations.ports.RosterFiles` adapter).

Officials keep their member lists in Excel and send what they have, so the reader takes what
they really send: the columns are found by their header text (NFC, case and diacritics
ignored; the id “(2.4)” alone is enough), in any order, the header on any of the first
`HEADER_SEARCH_ROWS` rows of any sheet (the members sheet is the one with the header), extra
columns and sheets ignored. A cell that is not x / có / đạt or blank is a problem naming its
row and column; the member still counts in the total and that cell counts as not marked (the
sentence says so), so one typo costs one mark, not the whole file.

Decisions, each for a reason:
- Hidden rows are read and counted: a hidden row is still a member (officials hide rows to
  print, not to remove people). Nothing is said about them.
- A merged cell's value belongs to every row it spans (a position merged over the rows of one
  department is each member's position); a merged title above the header is just a title.
- Formulas are never evaluated: the workbook is opened with its cached values
  (`data_only=True`); a formula cell saved without a cached value (a file written by a program,
  never opened in Excel) is a problem for that cell, found by a second, read-only pass that runs
  only when the sheet's XML holds a formula at all.
- Hostile files: the bytes must be a ZIP (an XLSX is one) no larger than `MAX_FILE_BYTES`, whose
  members declare at most `MAX_UNPACKED_BYTES` unpacked, checked before openpyxl parses a byte
  (a 5 MB zip bomb would otherwise become gigabytes of XML); at most `MAX_ROWS` members.
- The full (not read-only) openpyxl mode is used because only it knows the merged cells.
  Measured with `python -m bench roster` (5,000 members, 180 KB, best of 5, 2 shared cores):
  openpyxl reading every cell read-only 315 ms, in full mode 612 ms (1.95×); our read and count
  670 ms, 2.1× the read-only baseline against the issue's goal of 10×. Read-only mode would save
  about 300 ms and lose merged positions, which officials do send.

The reader's sentences are here, beside the reader, as in `storage.unit_import`: the chat and
the command line show them as they are.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from conversations.messages import Attachment
from conversations.ports import RosterRefused
from dvht_core.limits import MAX_NAME_CHARS
from dvht_core.model import Indicator, Rulebook
from dvht_core.roster import LearnerClass, Roster, RosterMember, RosterProblem, roster_indicators
from dvht_core.text_hygiene import preview, visible_text

__all__ = [
    "LEARNERS_SHEET",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "MEMBERS_SHEET",
    "RosterXlsx",
    "fold",
    "indicator_label",
    "read_roster",
    "template_bytes",
]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEMBERS_SHEET = "Danh sách thành viên"
LEARNERS_SHEET = "Người học"
GUIDE_SHEET = "Hướng dẫn"
TEMPLATE_NAME = "danh-sach-thanh-vien.xlsx"

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Telegram lets a bot download 20 MB; a roster of 20,000 members is about 1 MB."""
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
"""A roster of 20,000 members written by the template unpacks to 9.8 MB: three times that
leaves room for Excel's styles, and bounds the full openpyxl read (about 3.5 s for those
20,000 members on the benchmark's machine)."""
MAX_MERGED_CELLS = 200_000
"""Cells covered by merged ranges, all sheets together: a title across a row and positions
down a department's rows are a few thousand; openpyxl makes one object per covered cell."""
MAX_COLUMNS = 100
"""Columns read: the header is looked for, and values read, in the first 100 columns only
(a stray cell in column XFD must not make every row 16,384 cells long)."""
MAX_ROWS = 20_000
"""More members than any unit TT24 assesses (the database caps totals at 100,000, but a
roster this long is a whole district sent by mistake)."""
HEADER_SEARCH_ROWS = 10
MAX_SCAN_ROWS = MAX_ROWS + 10_000
"""Rows read below the header: members plus blank rows in between; a sheet whose cells reach
further is refused rather than read in part."""
MAX_HEADER_CHARS = 60
"""A header is a few words: a longer cell (a title, an instruction) that happens to say “họ và
tên” is not the header."""
TEMPLATE_ROWS = 1_000
"""Rows of the template given the drop-down and borders; more rows can be added by copying."""

MARKS = frozenset({"x", "co", "dat"})
"""x / có / đạt, as folded: any case, diacritics optional, spaces trimmed."""

LABELS: dict[str, str] = {
    "2.1": "Tuân thủ kỷ luật",
    "2.2": "Hoàn thành học tập, bồi dưỡng",
    "2.3": "Đào tạo, tham gia chuyển đổi số",
    "2.4": "Chứng chỉ ngoại ngữ / tiếng dân tộc thiểu số",
    "2.5": "Lao động tiên tiến",
    "3.1": "Công dân học tập",
}
"""Short column headers: a commune official reads them on a phone's narrow columns."""

_NAME_HEADERS = ("ho va ten", "ho ten", "ho, ten", "ten thanh vien", "ten can bo")
_POSITION_HEADERS = ("chuc vu", "don vi cong tac", "chuc danh", "vi tri")
_CLASS_HEADERS = ("lop",)
_LEARNERS_TOTAL_HEADERS = ("tong so nguoi hoc", "tong so hoc sinh", "tong so sinh vien", "si so")
_CITIZENS_HEADERS = ("cong dan hoc tap",)
_ID_RE = re.compile(r"(?<![\d.])(\d)\s*\.\s*(\d)(?![\d.])")


# --- the reader's sentences --------------------------------------------------------------------

NOT_XLSX = "Tệp không phải là tệp Excel (.xlsx); hãy tải mẫu danh sách về, điền rồi gửi lại."
BROKEN = "Tệp Excel bị hỏng, không đọc được; hãy mở tệp bằng Excel, lưu lại rồi gửi lại."
TOO_BIG = "Tệp lớn hơn 10 MB; danh sách thành viên thường chỉ vài trăm KB, hãy kiểm tra lại tệp."
TOO_MUCH = "Tệp chứa quá nhiều dữ liệu để là một danh sách thành viên; hãy kiểm tra lại tệp."
NO_HEADER = (
    "Không tìm thấy dòng tiêu đề có cột “Họ và tên” trong 10 dòng đầu của các trang tính; "
    "hãy dùng mẫu danh sách hoặc thêm dòng tiêu đề đó."
)
NO_INDICATORS = (
    "Danh sách không có cột chỉ tiêu nào (như “Tuân thủ kỷ luật (2.1)”), nên không đếm được gì; "
    "hãy dùng mẫu danh sách."
)
NO_MEMBERS = "Danh sách không có thành viên nào (không có dòng nào ghi họ và tên)."
TOO_MANY = (
    f"Danh sách có hơn {MAX_ROWS:,} thành viên; hãy kiểm tra lại tệp "
    "(có thể đã gửi nhầm danh sách của nhiều đơn vị)."
).replace(",", ".")


def _too_long(sheet: str, last_row: int) -> str:
    shown = f"{last_row:,}".replace(",", ".")
    return (
        f"Trang “{sheet}” có dữ liệu tới dòng {shown}, quá dài cho một danh sách thành viên; "
        "hãy xóa các dòng thừa ở cuối trang rồi gửi lại."
    )


def _not_a_mark(row: int, column: str, value: str) -> str:
    return (
        f"Dòng {row}, cột {column}: “{value}” không phải x, có, đạt hoặc để trống; "
        "ô này được tính là chưa đạt."
    )


def _formula_without_value(row: int, column: str) -> str:
    return (
        f"Dòng {row}, cột {column}: ô có công thức nhưng chưa có kết quả (hãy mở tệp bằng Excel "
        "rồi lưu lại); ô này được tính là chưa đạt."
    )


def _duplicate(row: int, first: int, name: str) -> str:
    return (
        f"Dòng {row}: “{name}” trùng họ tên và chức vụ với dòng {first}; dòng sau không được tính."
    )


def _no_name(row: int) -> str:
    return f"Dòng {row}: có đánh dấu nhưng thiếu họ và tên; dòng này không được tính."


def _missing_column(label: str) -> str:
    return (
        f"Không có cột {label}; chỉ tiêu này không được tính từ danh sách "
        "(số đã ghi trước đây giữ nguyên)."
    )


def _bad_number(sheet: str, row: int, column: str, value: str) -> str:
    return (
        f"Trang “{sheet}”, dòng {row}, cột {column}: “{value}” không phải là một số; "
        "lớp này không được tính."
    )


def _citizens_over_total(sheet: str, row: int, name: str) -> str:
    return (
        f"Trang “{sheet}”, dòng {row}: lớp {name} có số đạt Công dân học tập lớn hơn tổng số "
        "người học; lớp này không được tính."
    )


def _no_learner_column(sheet: str, label: str) -> str:
    return f"Trang “{sheet}” không có cột {label}; số người học không được tính từ danh sách."


# --- text helpers ------------------------------------------------------------------------------


def fold(text: str) -> str:
    """The form headers and marks are compared in: NFC then without diacritics (đ → d),
    lower case, inner spaces collapsed — “ĐẠT ”, “đạt” and “dat” are one."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _clean(value: Any) -> str:
    """A cell as text: NFC, invisible and control characters removed (a right-to-left override
    in a name shown to the admins), trimmed, inner spaces collapsed; whole floats without
    “.0”."""
    if value is None:
        return ""
    if isinstance(value, str):
        return visible_text(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return visible_text(str(value))


def indicator_label(indicator: Indicator) -> str:
    """The column header: “Lao động tiên tiến (2.5)”."""
    return f"{LABELS.get(indicator.id, indicator.short)} ({indicator.id})"


# --- the template ------------------------------------------------------------------------------


def template_bytes(rulebook: Rulebook, *, unit_type: str, unit_name: str | None) -> bytes:
    """The XLSX template: members sheet (title, header with notes, drop-downs, frozen header),
    a learners sheet when 3.1's learners apply, and the guide."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
        DataValidation,
    )

    indicators = roster_indicators(rulebook, unit_type)
    book = Workbook()
    book.properties.creator = ""
    sheet = book.active
    sheet.title = MEMBERS_SHEET
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    headers = ["STT", "Họ và tên", "Chức vụ / đơn vị công tác"]
    headers += [indicator_label(i) for i in indicators]
    last = get_column_letter(len(headers))
    title = "DANH SÁCH THÀNH VIÊN" + (f" — {_clean(unit_name)}" if unit_name else "")
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = (
        "Dùng để tự đánh giá “Đơn vị học tập” (Thông tư 24/2023/TT-BGDĐT): mỗi người một dòng; "
        "ở cột mỗi chỉ tiêu ghi x (hoặc có, đạt) nếu người đó đạt, để trống nếu chưa đạt."
    )
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 32
    header_row = 3
    for column, value in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=value)
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = wrap
    sheet.row_dimensions[header_row].height = 48
    for offset, indicator in enumerate(indicators):
        cell = sheet.cell(row=header_row, column=4 + offset)
        note = (
            f"Chỉ tiêu {indicator.id}: {indicator.text_for(1, unit_type)}\n\n"
            "Ghi x (hoặc có, đạt) nếu thành viên này đạt; để trống nếu chưa đạt."
        )
        if indicator.learners_apply(unit_type):
            note += f"\nNgười học: điền ở trang “{LEARNERS_SHEET}”."
        comment = Comment(note, "dvht")
        comment.width, comment.height = 360, 220
        cell.comment = comment
    first_data, last_data = header_row + 1, header_row + TEMPLATE_ROWS
    if indicators:
        validation = DataValidation(
            type="list",
            formula1='"x,có,đạt"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Giá trị không hợp lệ",
            error="Chỉ ghi x, có, đạt hoặc để trống.",
        )
        validation.add(f"D{first_data}:{last}{last_data}")
        sheet.add_data_validation(validation)
    for row in range(first_data, first_data + 3):
        sheet.cell(row=row, column=1, value=row - header_row)
    widths = [6, 28, 28] + [16] * len(indicators)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=first_data, column=4)
    if any(i.learners_apply(unit_type) for i in indicators):
        learners = book.create_sheet(LEARNERS_SHEET)
        learners["A1"] = "NGƯỜI HỌC THEO LỚP (chỉ tiêu 3.1)"
        learners["A1"].font = Font(bold=True, size=13)
        learners.merge_cells("A1:C1")
        for column, value in enumerate(
            ("Lớp", "Tổng số người học", "Số đạt Công dân học tập"), start=1
        ):
            cell = learners.cell(row=2, column=column, value=value)
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = wrap
        for letter, width in zip("ABC", (16, 20, 24), strict=True):
            learners.column_dimensions[letter].width = width
        learners.freeze_panes = "A3"
    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 100
    for row, line in enumerate(_guide(indicators, unit_type), start=1):
        guide.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=True)
    guide["A1"].font = bold
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _guide(indicators: Sequence[Indicator], unit_type: str) -> list[str]:
    lines = [
        "HƯỚNG DẪN ĐIỀN DANH SÁCH THÀNH VIÊN",
        "1. Mỗi thành viên của đơn vị ghi một dòng ở trang “Danh sách thành viên”: họ và tên, "
        "chức vụ hoặc đơn vị công tác.",
        "2. Ở cột mỗi chỉ tiêu, ghi x (hoặc có, đạt) nếu người đó đạt; để trống nếu chưa đạt. "
        "Không ghi chữ khác vào các cột này.",
        "3. Không cần và không nên ghi số căn cước công dân hay thông tin cá nhân khác.",
        "4. Hai người trùng họ tên thì ghi rõ chức vụ khác nhau để phân biệt.",
        "5. Gửi lại tệp này cho trợ lý; trợ lý đếm số người đạt từng chỉ tiêu, cho xem trước rồi "
        "mới ghi khi anh/chị đồng ý. Báo cáo chỉ ghi số lượng, không ghi họ tên.",
    ]
    if any(i.learners_apply(unit_type) for i in indicators):
        lines.append(
            "6. Trang “Người học”: mỗi lớp một dòng, ghi tổng số người học và số người học đạt "
            "Công dân học tập."
        )
    lines.append("")
    lines.append("Các chỉ tiêu:")
    for indicator in indicators:
        lines.append(f"{indicator.id}. {indicator.text_for(1, unit_type)} ({indicator.source})")
    return lines


# --- the reader --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Header:
    row: int
    name: int
    position: int | None
    indicators: dict[str, int]
    """Indicator id → the column index (0-based) of its marks."""


def _open(data: bytes) -> tuple[Any, bool]:
    """The workbook with cached values, and whether any sheet has a formula; `RosterRefused`
    for anything that is not a readable XLSX of reasonable size. Sizes are checked from the
    ZIP's directory, and the sheets' merged ranges from their XML, before openpyxl parses a
    byte: openpyxl makes an object for every cell of a merged range, so a few bytes naming
    A1:XFD1048576 would otherwise take all the memory."""
    if len(data) > MAX_FILE_BYTES:
        raise RosterRefused(TOO_BIG)
    if not data.startswith(b"PK\x03\x04"):
        raise RosterRefused(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if "xl/workbook.xml" not in {entry.filename for entry in entries}:
                raise RosterRefused(NOT_XLSX)  # a DOCX, an ODS or any other ZIP
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
                raise RosterRefused(TOO_MUCH)
            formulas = _prescan(archive)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise RosterRefused(BROKEN) from None
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), data_only=True), formulas
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors) for a broken file
        raise RosterRefused(BROKEN) from None


_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_RE = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?\""
)
_OVERLAP = 512
"""Bytes of one chunk kept before the next, so an element split by a chunk's end is seen."""


def _prescan(archive: zipfile.ZipFile) -> bool:
    """Whether any worksheet has a formula (only then is the second pass that finds formulas
    without a cached value needed); `RosterRefused` when the merged ranges cover more than
    `MAX_MERGED_CELLS` cells. The sheets' XML is streamed in 1 MB chunks."""
    from openpyxl.utils import column_index_from_string

    formulas = False
    merged = 0
    for entry in archive.infolist():
        if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
            continue
        tail = b""
        with archive.open(entry) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                formulas = formulas or _FORMULA_RE.search(block) is not None
                for match in _MERGE_RE.finditer(block):
                    if match.end() <= len(tail):
                        continue  # seen whole in the previous block
                    first_col, first_row, last_col, last_row = match.groups()
                    if last_col is None:
                        continue  # a single cell
                    width = abs(
                        column_index_from_string(last_col.decode())
                        - column_index_from_string(first_col.decode())
                    )
                    merged += (width + 1) * (abs(int(last_row) - int(first_row)) + 1)
                    if merged > MAX_MERGED_CELLS:
                        raise RosterRefused(TOO_MUCH)
                tail = block[-_OVERLAP:]
    return formulas


def _find_header(sheet: Any, indicators: Sequence[Indicator]) -> _Header | None:
    for row_index, row in enumerate(
        sheet.iter_rows(
            min_row=1,
            max_row=HEADER_SEARCH_ROWS,
            max_col=min(sheet.max_column, MAX_COLUMNS),
            values_only=True,
        ),
        start=1,
    ):
        folded = [fold(_clean(value)) for value in row]
        name = _column(folded, _NAME_HEADERS)
        if name is None:
            continue
        position = _column(folded, _POSITION_HEADERS, skip={name})
        found: dict[str, int] = {}
        for indicator in indicators:
            column = _indicator_column(folded, indicator, skip={name, position})
            if column is not None:
                found[indicator.id] = column
        return _Header(row_index, name, position, found)
    return None


def _column(
    folded: Sequence[str], keys: Iterable[str], *, skip: set[int | None] | None = None
) -> int | None:
    for index, text in enumerate(folded):
        if skip and index in skip:
            continue
        if len(text) <= MAX_HEADER_CHARS and any(key in text for key in keys):
            return index
    return None


def _indicator_column(
    folded: Sequence[str], indicator: Indicator, *, skip: set[int | None]
) -> int | None:
    """The column headed with the indicator's id (“(2.4)”, “2.4”, “CT 2.4”) or, without an id,
    with its short label or the rulebook's short name."""
    labels = {fold(LABELS.get(indicator.id, indicator.short)), fold(indicator.short)}
    for index, text in enumerate(folded):
        if index in skip or not text:
            continue
        ids = {f"{a}.{b}" for a, b in _ID_RE.findall(text)}
        if ids:
            if indicator.id in ids:
                return index
            continue  # headed with another id
        if any(label in text for label in labels):
            return index
    return None


def _merged_values(
    sheet: Any, first_row: int, last_row: int, width: int
) -> dict[tuple[int, int], Any]:
    """(row, column 0-based) → the value of the merged range it lies in, for the ranges within
    the rows and columns read: openpyxl keeps a merged value in the top-left cell only."""
    filled: dict[tuple[int, int], Any] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.max_row < first_row or merged.min_row > last_row or merged.min_col > width:
            continue
        value = sheet.cell(row=merged.min_row, column=merged.min_col).value
        for row in range(max(merged.min_row, first_row), min(merged.max_row, last_row) + 1):
            for column in range(merged.min_col, min(merged.max_col, width) + 1):
                filled[(row, column - 1)] = value
    return filled


def _formula_cells(data: bytes, sheet_title: str, first_row: int) -> set[tuple[int, int]]:
    """Cells that hold a formula, as (row, column 0-based): read again, read-only and without
    cached values, only when the sheet has any formula."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        found: set[tuple[int, int]] = set()
        for row in book[sheet_title].iter_rows(
            min_row=first_row, max_row=first_row + MAX_SCAN_ROWS, max_col=MAX_COLUMNS
        ):
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    found.add((cell.row, cell.column - 1))
        return found
    finally:
        book.close()


def read_roster(data: bytes, rulebook: Rulebook, *, unit_type: str) -> Roster:
    """The roster in `data` with its problems; `RosterRefused` when nothing can count."""
    indicators = roster_indicators(rulebook, unit_type)
    book, has_formulas = _open(data)
    try:
        found: tuple[Any, _Header] | None = None
        for sheet in book.worksheets:
            header = _find_header(sheet, indicators)
            if header is not None:
                found = (sheet, header)
                break
        if found is None:
            raise RosterRefused(NO_HEADER)
        sheet, header = found
        formulas = _formula_cells(data, sheet.title, header.row + 1) if has_formulas else set()
        problems = [
            RosterProblem(sheet.title, None, None, _missing_column(indicator_label(indicator)))
            for indicator in indicators
            if indicator.id not in header.indicators
        ]
        members, row_problems = _members(sheet, header, indicators, formulas)
        problems += row_problems
        classes: tuple[LearnerClass, ...] = ()
        if any(i.learners_apply(unit_type) for i in indicators):
            classes = _classes(book, sheet, problems)
    finally:
        book.close()
    if not members:
        raise RosterRefused(NO_MEMBERS)
    if not header.indicators:
        raise RosterRefused(NO_INDICATORS)
    counted = tuple(i.id for i in indicators if i.id in header.indicators)
    return Roster(counted, tuple(members), classes, tuple(problems))


def _members(
    sheet: Any,
    header: _Header,
    indicators: Sequence[Indicator],
    formulas: set[tuple[int, int]],
) -> tuple[list[RosterMember], list[RosterProblem]]:
    width = 1 + max(
        column
        for column in (header.name, header.position, *header.indicators.values())
        if column is not None
    )
    last_row = _last_row(sheet, header.row)
    merged = _merged_values(sheet, header.row + 1, last_row, width)
    labels = {i.id: indicator_label(i) for i in indicators}
    marked_columns = [
        (i.id, header.indicators[i.id]) for i in indicators if i.id in header.indicators
    ]
    members: list[RosterMember] = []
    problems: list[RosterProblem] = []
    seen: dict[tuple[str, str], int] = {}
    title = sheet.title
    for row_index, row in enumerate(
        sheet.iter_rows(min_row=header.row + 1, max_row=last_row, max_col=width, values_only=True),
        start=header.row + 1,
    ):
        if merged:
            row = tuple(merged.get((row_index, column), value) for column, value in enumerate(row))
        name = _clean(_at(row, header.name))[:MAX_NAME_CHARS]
        position = _clean(_at(row, header.position))[:MAX_NAME_CHARS]
        marks: set[str] = set()
        row_problems: list[RosterProblem] = []
        any_mark = False
        for indicator_id, column in marked_columns:
            value = _clean(_at(row, column))
            if not value:
                if (row_index, column) in formulas:
                    row_problems.append(
                        RosterProblem(
                            title,
                            row_index,
                            labels[indicator_id],
                            _formula_without_value(row_index, labels[indicator_id]),
                        )
                    )
                continue
            any_mark = True
            if fold(value) in MARKS:
                marks.add(indicator_id)
            else:
                row_problems.append(
                    RosterProblem(
                        title,
                        row_index,
                        labels[indicator_id],
                        _not_a_mark(row_index, labels[indicator_id], preview(value)),
                    )
                )
        if not name:
            if any_mark:
                problems.append(RosterProblem(title, row_index, None, _no_name(row_index)))
            continue
        if len(members) >= MAX_ROWS:
            raise RosterRefused(TOO_MANY)
        key = (name.casefold(), position.casefold())
        first = seen.get(key)
        if first is not None:
            problems.append(
                RosterProblem(title, row_index, None, _duplicate(row_index, first, name))
            )
            continue
        seen[key] = row_index
        problems.extend(row_problems)
        members.append(RosterMember(row_index, name, position, frozenset(marks)))
    return members, problems


def _last_row(sheet: Any, header_row: int) -> int:
    """The last row to read below the header; `RosterRefused` when the sheet's cells reach
    further than a roster can (read in part, the counts would be wrong without a word)."""
    last: int = sheet.max_row
    if last - header_row > MAX_SCAN_ROWS:
        raise RosterRefused(_too_long(sheet.title, last))
    return last


def _at(row: Sequence[Any], column: int | None) -> Any:
    """The cell of a row in a column, None beyond the row's end (rows differ in length)."""
    return row[column] if column is not None and column < len(row) else None


def _classes(
    book: Any, members_sheet: Any, problems: list[RosterProblem]
) -> tuple[LearnerClass, ...]:
    """The learners' classes of the first other sheet with a “Lớp” header."""
    for sheet in book.worksheets:
        if sheet is members_sheet:
            continue
        for row_index, row in enumerate(
            sheet.iter_rows(
                min_row=1,
                max_row=HEADER_SEARCH_ROWS,
                max_col=min(sheet.max_column, MAX_COLUMNS),
                values_only=True,
            ),
            start=1,
        ):
            folded = [fold(_clean(value)) for value in row]
            name = _exact_column(folded, _CLASS_HEADERS)
            if name is None:
                continue
            total = _column(folded, _LEARNERS_TOTAL_HEADERS, skip={name})
            citizens = _column(folded, _CITIZENS_HEADERS, skip={name, total})
            if total is None or citizens is None:
                missing = "Tổng số người học" if total is None else "Số đạt Công dân học tập"
                problems.append(
                    RosterProblem(
                        sheet.title, None, None, _no_learner_column(sheet.title, missing)
                    )
                )
                return ()
            return _class_rows(sheet, row_index, name, total, citizens, problems)
    return ()


def _exact_column(folded: Sequence[str], keys: Iterable[str]) -> int | None:
    for index, text in enumerate(folded):
        if text in keys:
            return index
    return None


def _class_rows(
    sheet: Any,
    header_row: int,
    name: int,
    total: int,
    citizens: int,
    problems: list[RosterProblem],
) -> tuple[LearnerClass, ...]:
    classes: list[LearnerClass] = []
    for row_index, row in enumerate(
        sheet.iter_rows(
            min_row=header_row + 1,
            max_row=_last_row(sheet, header_row),
            max_col=1 + max(name, total, citizens),
            values_only=True,
        ),
        start=header_row + 1,
    ):
        width = len(row)
        cells = [row[c] if c < width else None for c in (name, total, citizens)]
        label = _clean(cells[0])
        if not any(_clean(value) for value in cells):
            continue
        numbers: list[int] = []
        for value, column in zip(
            cells[1:], ("Tổng số người học", "Số đạt Công dân học tập"), strict=True
        ):
            number = _whole(value)
            if number is None:
                problems.append(
                    RosterProblem(
                        sheet.title,
                        row_index,
                        column,
                        _bad_number(sheet.title, row_index, column, preview(_clean(value))),
                    )
                )
                break
            numbers.append(number)
        if len(numbers) != 2:
            continue
        if numbers[1] > numbers[0]:
            problems.append(
                RosterProblem(
                    sheet.title,
                    row_index,
                    None,
                    _citizens_over_total(sheet.title, row_index, preview(label)),
                )
            )
            continue
        classes.append(LearnerClass(row_index, label, numbers[0], numbers[1]))
        if len(classes) > MAX_ROWS:
            raise RosterRefused(TOO_MANY)
    return tuple(classes)


def _whole(value: Any) -> int | None:
    """A count: a whole non-negative number (blank is 0 only when typed as 0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    text = _clean(value).replace(".", "")
    return int(text) if text.isdigit() else None


class RosterXlsx:
    """`conversations.ports.RosterFiles` on openpyxl."""

    def template(self, rulebook: Rulebook, *, unit_type: str, unit_name: str | None) -> Attachment:
        return Attachment(
            TEMPLATE_NAME,
            XLSX_MIME,
            template_bytes(rulebook, unit_type=unit_type, unit_name=unit_name),
        )

    def read(self, data: bytes, rulebook: Rulebook, *, unit_type: str) -> Roster:
        return read_roster(data, rulebook, unit_type=unit_type)
