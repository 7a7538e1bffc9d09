"""Creating an office's units in bulk from an XLSX sheet (the dashboard's /quantri page):
the template to download, reading an uploaded file safely, checking each row, and writing
the valid rows in one transaction.

Reading: the file must be a ZIP by its first bytes (an XLSX is one), its members may not
unpack to more than `MAX_UNPACKED_BYTES` (a 5 MB zip bomb would otherwise become gigabytes of
shared strings), and it is opened with `read_only=True, data_only=True`: formulas are never
evaluated, a formula cell reads as the value the spreadsheet program saved with it, or as
empty when none was saved. Cells that begin with = + - @ are refused as names: shown again in
a spreadsheet (the CSV export) they would run as formulas.

Checking: every problem is one Vietnamese sentence naming the row and the column (“Dòng 7,
cột Loại đơn vị: …”), and the valid rows load anyway. Re-importing the same file creates
nothing twice: a row whose unit already exists in the office (the same name, NFC-casefolded,
the same province and type) is reported as “đã có”.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor
from dvht_core.limits import MAX_MEMBERS, MAX_NAME_CHARS
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.provinces import find_province, province_key, same_province
from storage import audit
from storage.tables import AssessmentRow, Office, ReviewerScope, Unit

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 5_000
"""Data rows read from one file; more is refused as a whole (split the file)."""
SHEET_TITLE = "Đơn vị"
HELP_TITLE = "Hướng dẫn"
COLUMNS = (
    "Tên đơn vị",
    "Loại đơn vị",
    "Cấp",
    "Tỉnh/thành phố",
    "Số thành viên",
    "Email liên hệ",
    "Ghi chú",
)
TIER_LABELS = {"huyen": "Cấp huyện/xã", "tinh": "Cấp tỉnh"}
_FORMULA_START = ("=", "+", "-", "@")
_COLUMN_NOTES = (
    "Bắt buộc. Tên đầy đủ của đơn vị, ví dụ: UBND xã Đông Anh.",
    "Bắt buộc. Chọn trong danh sách (xem trang Hướng dẫn).",
    "Bắt buộc. Cấp huyện/xã hoặc Cấp tỉnh; loại đơn vị phải có ở cấp này.",
    "Bắt buộc. Tỉnh, thành phố của đơn vị (34 tỉnh, thành phố từ 1/7/2025).",
    "Không bắt buộc. Tổng số thành viên, số nguyên dương.",
    "Không bắt buộc. Email để liên hệ với đơn vị.",
    "Không bắt buộc. Ghi chú của cơ quan.",
)


class ImportRefused(Exception):
    """The file as a whole cannot be read: `message` is one Vietnamese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class UnitRow:
    line: int
    name: str
    unit_type: str
    tier: str
    province: str
    members: int | None
    email: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str | None
    message: str

    def sentence(self) -> str:
        where = f"Dòng {self.line}" + (f", cột {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: list[tuple[int, str]] = field(default_factory=list)
    """(line, name) of every unit created."""
    existing: list[tuple[int, str]] = field(default_factory=list)
    """(line, name) of rows whose unit the office already has (“đã có”)."""
    problems: list[RowProblem] = field(default_factory=list)


# --- the template -----------------------------------------------------------------------------


def _type_labels() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(t.id, t.plain, tuple(t.tiers)) for t in load_unit_types().unit_types]


def template_bytes() -> bytes:
    """The XLSX template: a header row with a comment on each column, text-formatted cells,
    drop-down lists for the type and the tier, and a sheet that explains every column."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    for index, (title, note) in enumerate(zip(COLUMNS, _COLUMN_NOTES, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font = Font(bold=True)
        cell.comment = Comment(note, "dvht")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 36 if index in (1, 2) else 18
        for row in range(2, 502):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    types = [plain for _, plain, _ in _type_labels()]
    lists = book.create_sheet("Danh mục")
    for row, plain in enumerate(types, start=1):
        lists.cell(row=row, column=1, value=plain)
    for row, label in enumerate(TIER_LABELS.values(), start=1):
        lists.cell(row=row, column=2, value=label)
    lists.sheet_state = "hidden"
    type_list = DataValidation(
        type="list", formula1=f"='Danh mục'!$A$1:$A${len(types)}", allow_blank=True
    )
    tier_list = DataValidation(type="list", formula1="='Danh mục'!$B$1:$B$2", allow_blank=True)
    sheet.add_data_validation(type_list)
    sheet.add_data_validation(tier_list)
    type_list.add("B2:B501")
    tier_list.add("C2:C501")
    guide = book.create_sheet(HELP_TITLE)
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 90
    guide.append(["Cột", "Cách điền"])
    for title, note in zip(COLUMNS, _COLUMN_NOTES, strict=True):
        guide.append([title, note])
    guide.append([])
    guide.append(["Loại đơn vị", "Cấp có thể chọn"])
    for _, plain, tiers in _type_labels():
        guide.append([plain, ", ".join(TIER_LABELS[t] for t in tiers)])
    guide.append([])
    guide.append(
        ["Lưu ý", "Nhập lại cùng một tệp không tạo trùng: đơn vị đã có sẽ được báo “đã có”."]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading a file ---------------------------------------------------------------------------


def read_rows(data: bytes) -> list[tuple[int, tuple[Any, ...]]]:
    """The data rows (line number, the first seven cells) of the first sheet, blank rows left
    out; `ImportRefused` when the file is not a readable XLSX or is too large."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused("Tệp lớn hơn 5 MB; hãy chia thành nhiều tệp nhỏ hơn.")
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused(
            "Tệp không phải là tệp Excel (.xlsx); hãy tải mẫu về, điền rồi gửi lại tệp đó."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise ImportRefused(
            "Tệp Excel bị hỏng, không đọc được; hãy lưu lại tệp rồi gửi lại."
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused("Tệp chứa quá nhiều dữ liệu; hãy chia thành nhiều tệp nhỏ hơn.")
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file it cannot read
        raise ImportRefused(
            "Tệp không phải là tệp Excel (.xlsx) đọc được; hãy tải mẫu về, điền rồi gửi lại."
        ) from None
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        rows: list[tuple[int, tuple[Any, ...]]] = []
        width = len(COLUMNS)
        for line, values in enumerate(
            sheet.iter_rows(min_row=1, max_col=width, values_only=True), start=1
        ):
            if line == 1:
                continue  # the header
            cells = tuple(values) + (None,) * (width - len(values))
            if all(_blank(cell) for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(
                    f"Tệp có hơn {MAX_ROWS:,} đơn vị; hãy chia thành nhiều tệp.".replace(",", ".")
                )
            rows.append((line, cells))
        return rows
    finally:
        book.close()


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFC", str(cell)).strip()


def folded(text: str) -> str:
    """The form names are compared in: NFC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _plain_key(text: str) -> str:
    return province_key(text)  # without marks, case or punctuation


def _tier(text: str) -> str | None:
    key = _plain_key(text)
    if not key:
        return None
    if "tinh" in key:
        return "tinh"
    if "huyen" in key or "xa" in key:
        return "huyen"
    return None


def _unit_type(text: str) -> str | None:
    key = _plain_key(text)
    for type_id, plain, _ in _type_labels():
        if key in (_plain_key(type_id), _plain_key(plain)):
            return type_id
    for unit_type in load_unit_types().unit_types:
        if key == _plain_key(unit_type.name):
            return unit_type.id
    return None


def check_rows(
    rows: Iterable[tuple[int, tuple[Any, ...]]], *, office_province: str | None
) -> tuple[list[UnitRow], list[RowProblem]]:
    """The rows that can be created, and a problem for each cell that is wrong."""
    good: list[UnitRow] = []
    problems: list[RowProblem] = []
    catalogue = load_unit_types()
    for line, cells in rows:
        name, type_text, tier_text, province_text, members_text, email, note = (
            _text(cell) for cell in cells[: len(COLUMNS)]
        )
        found: list[RowProblem] = []

        def bad(
            column: int, message: str, line: int = line, found: list[RowProblem] = found
        ) -> None:
            found.append(RowProblem(line, COLUMNS[column], message))

        if not name:
            bad(0, "chưa có tên đơn vị (ô trống, hoặc ô công thức chưa có giá trị).")
        elif len(name) > MAX_NAME_CHARS:
            bad(0, f"tên dài quá {MAX_NAME_CHARS} ký tự.")
        elif name.startswith(_FORMULA_START):
            bad(0, "tên không được bắt đầu bằng dấu =, +, - hoặc @.")
        unit_type = _unit_type(type_text) if type_text else None
        if not type_text:
            bad(1, "chưa chọn loại đơn vị.")
        elif unit_type is None:
            bad(1, f"“{type_text[:60]}” không phải loại đơn vị trong danh sách của mẫu.")
        tier = _tier(tier_text)
        if not tier_text:
            bad(2, "chưa chọn cấp (Cấp huyện/xã hoặc Cấp tỉnh).")
        elif tier is None:
            bad(2, f"“{tier_text[:40]}” không phải là Cấp huyện/xã hay Cấp tỉnh.")
        elif unit_type is not None:
            known = catalogue.get(unit_type)
            if known is not None and tier not in known.tiers:
                bad(2, f"loại đơn vị này không đánh giá ở {TIER_LABELS[tier].lower()}.")
        province = find_province(province_text) if province_text else None
        if not province_text:
            bad(3, "chưa có tỉnh, thành phố.")
        elif province is None:
            bad(3, f"“{province_text[:60]}” không phải tỉnh, thành phố nào.")
        elif office_province and not same_province(province.name, office_province):
            bad(3, f"đơn vị ở {province.name}, ngoài tỉnh của cơ quan ({office_province}).")
        members: int | None = None
        if members_text:
            try:
                members = int(members_text.replace(".", "").replace(",", "").replace(" ", ""))
            except ValueError:
                bad(4, f"“{members_text[:20]}” không phải là một số.")
            else:
                if not 1 <= members <= MAX_MEMBERS:
                    bad(4, f"số thành viên phải từ 1 đến {MAX_MEMBERS:,}.".replace(",", "."))
                    members = None
        if email and ("@" not in email or len(email) > 200 or " " in email):
            bad(5, "email không đúng dạng (ví dụ: vanthu@donvi.gov.vn).")
        if found:
            problems.extend(found)
            continue
        assert unit_type is not None
        assert tier is not None
        assert province is not None
        good.append(
            UnitRow(
                line=line,
                name=name,
                unit_type=unit_type,
                tier=tier,
                province=province.name,
                members=members,
                email=email or None,
                note=note[:500] or None,
            )
        )
    return good, problems


# --- writing ----------------------------------------------------------------------------------


def _check_office(session: Session, actor: Actor, office_id: int) -> Office:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound(f"office {office_id}")
    if actor.system:
        return office
    scope = session.exec(
        select(ReviewerScope.id).where(
            ReviewerScope.person_id == actor.person_id, ReviewerScope.office_id == office_id
        )
    ).first()
    if scope is None:
        raise AccessDenied(f"{actor.label} does not review for office {office_id}")
    return office


def office_province(session: Session, *, actor: Actor, office_id: int) -> str | None:
    """The office's province (the rows must be in it), checking the caller reviews for it."""
    return _check_office(session, actor, office_id).province or None


def create_units(
    session: Session,
    *,
    actor: Actor,
    office_id: int,
    rows: Sequence[UnitRow],
    source: str,
    year: int,
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Create the rows' units in the office (in the caller's transaction, audited), skipping
    those it already has: (created, existing), each as (line, name). A row's members total
    goes to the unit's draft assessment of `year` (created with it, on the current rulebook of
    its tier), so the unit's admin is not asked it again in the chat."""
    _check_office(session, actor, office_id)
    kept: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for unit in session.exec(select(Unit).where(col(Unit.office_id) == office_id)):
        kept.setdefault((folded(unit.name), unit.unit_type), []).append(
            (unit.province, unit.id or 0)
        )
    created: list[tuple[int, str]] = []
    existing: list[tuple[int, str]] = []
    for row in rows:
        key = (folded(row.name), row.unit_type)
        if any(same_province(province, row.province) for province, _ in kept.get(key, [])):
            existing.append((row.line, row.name))
            continue
        unit = Unit(
            name=row.name,
            tier=row.tier,
            unit_type=row.unit_type,
            province=row.province,
            office_id=office_id,
        )
        session.add(unit)
        session.flush()
        assert unit.id is not None
        kept.setdefault(key, []).append((row.province, unit.id))
        details: dict[str, Any] = {
            "name": row.name,
            "type": row.unit_type,
            "via": "xlsx",
            "file": source[:200],
            "line": row.line,
        }
        for name, value in (("members", row.members), ("email", row.email), ("note", row.note)):
            if value is not None:
                details[name] = value
        audit.record(session, actor=actor, action="unit.create", unit_id=unit.id, details=details)
        if row.members is not None:
            rulebook = load_rulebook(TT24_BY_TIER[row.tier])
            session.add(
                AssessmentRow(
                    unit_id=unit.id,
                    year=year,
                    ruleset_id=rulebook.id,
                    ruleset_version=rulebook.version,
                    members=row.members,
                )
            )
            audit.record(
                session,
                actor=actor,
                action="assessment.create",
                unit_id=unit.id,
                details={"year": year, "ruleset": rulebook.id, "members": row.members},
            )
        created.append((row.line, row.name))
    return created, existing
