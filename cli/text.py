"""Every user-facing string of the `dvht` command line, and its text layouts.

Kept in one place so wording can change without touching the command code. Every command
module imports it, so it holds strings and functions only: the tier names come from the core
when a layout needs them (the core is loaded by then).
"""

from __future__ import annotations

import errno
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: importing this catalogue must cost nothing but its strings
    import datetime as dt

    from dvht_core.document_error import DocumentError
    from dvht_core.gaps import Requirement
    from dvht_core.model import Criterion, Rulebook, UnitType, UnitTypeCatalogue
    from dvht_core.tt22 import Tt22Rulebook

DESCRIPTION = "Tự đánh giá “Đơn vị học tập” theo Thông tư 24/2023/TT-BGDĐT."
HELP_EVALUATE = "đánh giá một tệp tự đánh giá (YAML hoặc JSON)"
HELP_FILE = "tệp tự đánh giá"
HELP_JSON = "in kết quả dạng JSON"
HELP_RULES = "những gì đơn vị cần để đạt một mức độ"
HELP_TIER = "cấp đánh giá: huyen hoặc tinh"
HELP_UNIT_TYPE = "loại đơn vị, ví dụ ubnd_xa, co_quan, pho_thong"
HELP_LEVEL = "mức độ cần đạt (1 hoặc 2; mặc định 2)"
INTERRUPTED = "đã dừng theo yêu cầu."
HELP_DB = "cơ sở dữ liệu"
HELP_REPORT = "xuất báo cáo tự đánh giá (PDF, Word, Excel) từ một tệp hoặc từ hồ sơ của đơn vị"
HELP_PDF = "ghi báo cáo PDF vào tệp này (hoặc vào thư mục này, tên tệp theo đơn vị, năm và ngày)"
HELP_DOCX = "ghi báo cáo Word (DOCX, sửa được) vào tệp này (hoặc vào thư mục này)"
HELP_XLSX = "ghi bảng tổng hợp Excel (XLSX) vào tệp này (hoặc vào thư mục này)"
REPORT_NO_OUTPUT = "cần ít nhất một tệp ra: --pdf, --docx hoặc --xlsx."
HELP_GOVERNING = "cơ quan chủ quản in ở góc trái đầu báo cáo"
REPORT_SOURCE = "cần đúng một nguồn: một TỆP tự đánh giá, hoặc --unit MÃ_ĐƠN_VỊ."
HELP_CHAT = "trò chuyện với bot ngay trong cửa sổ lệnh (cùng dịch vụ như Telegram)"
HELP_CHAT_USER = "tên người dùng trong phiên chat (mặc định: tên đăng nhập máy)"
HELP_SERVE = (
    "chạy bot: Telegram nếu có TELEGRAM_BOT_TOKEN, nếu không thì trò chuyện trong cửa sổ lệnh"
)
HELP_ASK = "hỏi nhanh một câu, ví dụ “cần gì để đạt mức 2”, rồi thoát"
HELP_QUESTION = "câu hỏi bằng tiếng Việt (có dấu hoặc không)"
HELP_DB_UPGRADE = "áp dụng các bản nâng cấp cấu trúc (migration) còn thiếu"
HELP_UNIT = "quản lý đơn vị"
HELP_UNIT_CREATE = "tạo đơn vị và in mã đơn vị cùng mã mời"
HELP_UNIT_LIST = "liệt kê đơn vị, mỗi dòng một đơn vị, bắt đầu bằng mã đơn vị"
HELP_UNIT_NAME = "tên đơn vị, ví dụ “UBND xã Quảng Phú”"
HELP_PROVINCE = "tỉnh, thành phố"
HELP_UNIT_ID = "mã đơn vị (số in ra khi tạo đơn vị)"
HELP_YEAR = "năm đánh giá"
HELP_OUTPUT = "ghi ra tệp thay vì màn hình"
HELP_EXPORT = "xuất hồ sơ tự đánh giá ra tệp định dạng evaluate"
HELP_IMPORT = "nhập tệp định dạng evaluate vào bản nháp của đơn vị"
DATABASE_DOWN = (
    "không kết nối được cơ sở dữ liệu (đã thử lại một lần); chưa có gì được ghi. "
    "Kiểm tra DATABASE_URL hoặc máy chủ cơ sở dữ liệu."
)
SCHEMA_OUTDATED = "cơ sở dữ liệu chưa được nâng cấp; hãy chạy “dvht db upgrade” trước."
UNIT_FIELDS = {
    "name": "--name",
    "tier": "--tier",
    "unit_type": "--type",
    "province": "--province",
    "members": "--members",
    "learners": "--learners",
}

LEVEL_LABELS = {None: "Không áp dụng", 0: "Không đạt", 1: "Mức độ 1", 2: "Mức độ 2"}
RULE = "─" * 72


def _tier_name(tier: str) -> str:
    from dvht_core.model import TIER_NAMES

    return TIER_NAMES[tier]


def usage_error(prog: str, message: str) -> str:
    return f"lệnh không hợp lệ ({message}); xem “{prog} --help”."


def file_missing(path: str) -> str:
    return f"không tìm thấy tệp {path}."


def file_unreadable(path: str, exc: Exception) -> str:
    return f"không đọc được tệp {path} ({type(exc).__name__}); tệp phải là văn bản UTF-8."


def bad_json(path: str, line: int, column: int) -> str:
    return f"tệp {path} không phải JSON hợp lệ (dòng {line}, cột {column})."


def bad_yaml(path: str, where: str) -> str:
    return f"tệp {path} không phải YAML hợp lệ ({where})."


def input_error(field: str, message: str) -> str:
    # On one line whatever a file's keys held (they reach the field name).
    field, message = " ".join(field.split()), " ".join(message.split())
    if not field:
        return f"dữ liệu không hợp lệ: {message}"
    return f"dữ liệu không hợp lệ ở trường {field}: {message}"


def tt24_only(command: str, path: str) -> str:
    return (
        f"tệp {path} là hồ sơ chấm điểm theo Thông tư 22/2020 (ruleset: tt22-hanoi); "
        f"“dvht {command}” chỉ dùng cho hồ sơ tự đánh giá theo Thông tư 24/2023. Dùng "
        f"“dvht evaluate {path}” để chấm điểm tệp này."
    )


def unknown_ruleset(ruleset: object) -> str:
    return f"ruleset: “{_quoted(ruleset)}” không hợp lệ; dùng tt24 (mặc định) hoặc tt22-hanoi."


def ruleset_tier_mismatch(ruleset: object, tier: str) -> str:
    return f"ruleset: bộ tiêu chí “{_quoted(ruleset)}” không dùng cho {_tier_name(tier)}."


def warning_line(warning: str) -> str:
    return f"dvht: cảnh báo: {warning}\n"


def unknown_unit_type(unit_type: str, catalogue: UnitTypeCatalogue) -> str:
    known = ", ".join(u.id for u in catalogue.unit_types)
    return f"loại đơn vị “{unit_type}” không hợp lệ; dùng một trong: {known}."


def unit_type_not_in_tier(unit: UnitType, tier: str) -> str:
    tiers = ", ".join(_tier_name(t) for t in unit.tiers)
    return f"loại đơn vị {unit.id} không được đánh giá ở {_tier_name(tier)} (chỉ ở {tiers})."


def evaluation_table(document: dict[str, Any], rulebook: Rulebook, unit: UnitType | None) -> str:
    """A readable Vietnamese summary of `dvht evaluate`, one indicator per line."""
    info = document["unit"]
    lines = [
        f"TỰ ĐÁNH GIÁ “ĐƠN VỊ HỌC TẬP” {_tier_name(info['tier']).upper()} NĂM {info['year']}",
    ]
    name = info["name"] or "(chưa ghi tên đơn vị)"
    lines.append(f"Đơn vị: {name}" + (f" — {info['province']}" if info["province"] else ""))
    kind = unit.plain if unit else info["unit_type"]
    members = f" · {info['members']} thành viên" if info["members"] is not None else ""
    learners = f" · {info['learners']} người học" if info["learners"] is not None else ""
    lines.append(f"Loại đơn vị: {kind}{members}{learners}")
    lines.append(f"Căn cứ: {rulebook.legal_source} (bộ tiêu chí {rulebook.id} {rulebook.version})")
    lines.append("")
    lines.append(f"KẾT QUẢ: {document['level_name'].upper()}. {document['reason']}")
    for criterion in rulebook.criteria:
        lines.append("")
        level = document["criteria"][criterion.id]
        lines.append(f"Tiêu chí {criterion.id}. {criterion.title}: {LEVEL_LABELS[level]}")
        lines.append(RULE)
        for indicator in criterion.indicators:
            row = document["indicators"][indicator.id]
            lines.append(f"  {indicator.id:<4} {LEVEL_LABELS[row['level']]:<14} {indicator.short}")
            if row["level"] is not None:
                lines.append(f"       {row['reason']}")
    if document["missing_evidence"]:
        lines += ["", "CÒN THIẾU MINH CHỨNG"]
        for item in document["missing_evidence"]:
            state = "" if item["answered"] else " (chưa trả lời)"
            lines.append(f"  - {item['indicator']}{state}: ví dụ {item['suggestions'][0]}")
    for target, items in document["gaps"].items():
        if items:
            lines += ["", f"ĐỂ ĐẠT MỨC ĐỘ {target}"]
            lines += [f"  - {gap['message']}" for gap in items]
    if document["warnings"]:
        lines += ["", "CẢNH BÁO"]
        lines += [f"  - {warning}" for warning in document["warnings"]]
    if document["notices"]:
        lines += ["", "LƯU Ý (văn bản chưa xác nhận được)"]
        lines += [f"  - {notice}" for notice in document["notices"]]
    return "\n".join(lines) + "\n"


def requirements_text(
    rulebook: Rulebook,
    unit: UnitType,
    level: int,
    grouped: tuple[tuple[Criterion, tuple[Requirement, ...]], ...],
) -> str:
    """What a unit needs for a level, grouped by criterion (`dvht rules`)."""
    tier = _tier_name(rulebook.tier)
    lines = [
        f"ĐỂ ĐẠT “ĐƠN VỊ HỌC TẬP” {tier.upper()} MỨC ĐỘ {level} — {unit.plain}",
        f"Căn cứ: {rulebook.legal_source} (bộ tiêu chí {rulebook.id} {rulebook.version})",
        "Một tiêu chí chỉ đạt khi mọi chỉ tiêu của nó đạt; chỉ tiêu không có minh chứng phù hợp "
        "được đánh giá là không đạt.",
    ]
    for criterion, items in grouped:
        lines += ["", f"Tiêu chí {criterion.id}. {criterion.title}", RULE]
        for item in items:
            lines.append(f"  {item.indicator_id}  {item.short}")
            lines.append(f"       Yêu cầu: {item.bar}.")
            lines.append(f"       Văn bản: {item.text}")
            lines.append(f"       Minh chứng: {'; '.join(item.evidence)}.")
            if item.note:
                lines.append(f"       Lưu ý: {item.note}")
    lines += ["", *submission_lines(rulebook, unit.id)]
    return "\n".join(lines) + "\n"


# --- `dvht rules`: where the dossier goes, for this unit type (issue 12, items 5 and 8) -------
def submission_lines(rulebook: Rulebook, unit_type: str) -> list[str]:
    """The dossier's deadline and receiving office as of today's assessment year.

    TT24's own office (Phòng GDĐT) is never named for a dossier due from 1/7/2025, when district
    government ended; “cấp huyện” is explained as the name of the level it still is.
    """
    from dvht_core import vietnam_time

    submission = rulebook.submission
    year = vietnam_time.assessment_year(vietnam_time.today())
    month, day = submission.deadline.split("-")
    office = f"Nơi nhận: {submission.office_for(year)}."
    hint = submission.office_hint(year, unit_type)
    lines = [
        "Hồ sơ (tờ trình, báo cáo tự đánh giá, bản tổng hợp kết quả) gửi trước ngày "
        f"{day}/{month} của năm sau năm đánh giá ({submission.source}).",
        f"{office} {hint}" if hint else office,
    ]
    if submission.completion:
        c_month, c_day = submission.completion.split("-")
        lines.append(f"Việc đánh giá, công nhận hoàn thành trước ngày {c_day}/{c_month}.")
    if rulebook.tier == "huyen":
        lines.append(
            "“Cấp huyện” là tên mức công nhận trong Thông tư 24. Chính quyền cấp huyện không còn "
            "từ 1/7/2025: nơi nhận hồ sơ và người quyết định công nhận do kế hoạch của tỉnh quy "
            "định; chưa có văn bản nào đổi các mốc thời gian trên."
        )
    lines += [entry.text for entry in rulebook.calendar if entry.applies(unit_type)]
    return lines


# --- end of `dvht rules` submission lines -------------------------------------------------------


def tt22_table(document: dict[str, Any], rulebook: Tt22Rulebook) -> str:
    """The TT22 100-point score, one indicator per line (history and migration only)."""
    lines = [
        "CHẤM ĐIỂM “ĐƠN VỊ HỌC TẬP” THEO THÔNG TƯ 22/2020/TT-BGDĐT (đã được Thông tư 24 thay thế)",
        f"Căn cứ: {rulebook.legal_source} (bộ tiêu chí {rulebook.id} {rulebook.version})",
        "",
        f"TỔNG ĐIỂM: {document['total']}/100 — XẾP LOẠI: {document['grade_name'].upper()}",
    ]
    for criterion in rulebook.criteria:
        lines += [
            "",
            f"Tiêu chí {criterion.id}: {document['criteria'][criterion.id]}/"
            f"{criterion.max_points} điểm",
            RULE,
        ]
        for indicator in criterion.indicators:
            row = document["indicators"][indicator.id]
            lines.append(
                f"  {indicator.id:<4} {row['points']:>2}/{row['max_points']:<2}  {row['reason']}"
            )
    if document["warnings"]:
        lines += ["", "CẢNH BÁO"] + [f"  - {w}" for w in document["warnings"]]
    return "\n".join(lines) + "\n"


def bad_setting(field: str) -> str:
    return f"cấu hình không hợp lệ ở biến {field}; {SETTING_HINTS.get(field, 'xem .env.example')}."


_FOUND_NOUNS = {
    "unit": "đơn vị",
    "office": "cơ quan tiếp nhận",
    "assessment": "hồ sơ tự đánh giá",
    "evidence": "minh chứng",
    "invite": "mã mời",
}
_STATUS_NAMES = {
    "draft": "bản nháp",
    "self_assessed": "đã tự đánh giá",
    "submitted": "đã nộp",
    "returned": "bị trả lại",
    "recognised": "đã được công nhận",
}


def not_found(what: str) -> str:
    """“unit 99” (the storage's NotFound) → “không tìm thấy đơn vị 99.”"""
    noun, _, number = what.partition(" ")
    return f"không tìm thấy {_FOUND_NOUNS.get(noun, noun)}{' ' + number if number else ''}."


def access_denied(what: str) -> str:
    """The storage's AccessDenied, which the operator meets only for a dossier that no longer
    accepts changes (its English reason is for the log, never printed)."""
    import re

    frozen = re.search(r"assessment (\d+) is (\w+) and cannot change", what)
    if frozen:
        status = _STATUS_NAMES.get(frozen.group(2), frozen.group(2))
        return (
            f"hồ sơ tự đánh giá #{frozen.group(1)} đang ở trạng thái “{status}” nên không sửa "
            "được; chỉ bản nháp hoặc hồ sơ bị trả lại mới sửa được."
        )
    return "không có quyền thực hiện việc này."


def _unit_type_ids(tier: str) -> str:
    from dvht_core.loader import load_unit_types

    return ", ".join(sorted(u.id for u in load_unit_types().for_tier(tier)))


def invalid_unit(error: Any, tier: str) -> str:
    """A refused `unit create` option, in Vietnamese (pydantic's own messages are English)."""
    location = error.get("loc") or ()
    option = UNIT_FIELDS.get(str(location[0]) if location else "", "--type")
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("string_too_short", "too_short"):
        reason = "không được để trống (hoặc chỉ gồm ký tự không nhìn thấy)"
    elif kind in ("string_too_long", "too_long"):
        reason = f"dài quá {context.get('max_length')} ký tự"
    elif kind == "literal_error":
        reason = f"phải là một trong: {context.get('expected', '')}"
    elif option == "--type":
        reason = f"không có loại đơn vị này ở cấp đã chọn; các loại: {_unit_type_ids(tier)}"
    else:
        reason = "giá trị không hợp lệ"
    return f"dữ liệu không hợp lệ ở {option}: {reason}."


def upgraded(before: str | None, after: str | None) -> str:
    if before == after:
        return f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}).\n"
    return f"Đã nâng cấp cơ sở dữ liệu: {before or '(trống)'} → {after}.\n"


def unit_created(unit: Any, admin: Any, members: Any) -> str:
    return (
        f"Đã tạo đơn vị #{unit.id}: {unit.name}\n"
        f"Mã đơn vị: {unit.id}\n"
        f"Mã mời quản trị đơn vị (dùng một lần): {admin.code}\n"
        f"Mã mời thành viên: {members.code}\n"
        f"Các mã hết hạn ngày {members.expires_at.strftime('%d/%m/%Y')}.\n"
    )


def unit_line(unit: Any) -> str:
    return f"{unit.id}\t{unit.name}\t{unit.tier}\t{unit.unit_type}\t{unit.province}\n"


def no_assessment(unit_id: int, year: int) -> str:
    return f"đơn vị #{unit_id} chưa có hồ sơ tự đánh giá năm {year}."


def imported(unit_id: int, year: int, answers: int, evidence: int) -> str:
    return (
        f"Đã nhập vào bản nháp năm {year} của đơn vị #{unit_id}: {answers} câu trả lời mới, "
        f"{evidence} minh chứng mới.\n"
    )


_WRITE_FAILURES: dict[int, str] = {
    errno.ENOENT: "thư mục không tồn tại",
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
    errno.EROFS: "ổ đĩa chỉ đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EISDIR: "đó là một thư mục",
    errno.ENOTDIR: "một phần đường dẫn không phải thư mục",
}


def file_unwritable(path: str, exc: Exception) -> str:
    """Why a file could not be written, in words (not the exception's English class name)."""
    reason = _WRITE_FAILURES.get(getattr(exc, "errno", None) or -1, "lỗi ghi tệp")
    return f"không ghi được tệp {path}: {reason}."


def folder_missing(path: str) -> str:
    return f"không có thư mục {path}; hãy tạo thư mục trước hoặc ghi tên tệp cụ thể."


def report_written(path: str, size: int) -> str:
    return f"Đã ghi báo cáo {path} ({size // 1024} KB).\n"


# --- operator mistakes: the settings and the database (issue 11) -------------------------------
# One line each, naming the setting and what to do; never a password (storage.faults gives the
# file, or the server and the role or the database name, never the URL).
SETTING_HINTS = {
    "DATABASE_URL": (
        "dùng dạng postgresql+asyncpg://người_dùng:mật_khẩu@máy_chủ:5432/tên_cơ_sở_dữ_liệu, "
        "hoặc để trống để dùng SQLite trong DVHT_DATA_DIR"
    ),
    "DVHT_DATA_DIR": "đó là một tệp; đặt DVHT_DATA_DIR là một thư mục (có sẵn hoặc sẽ được tạo)",
    "DVHT_MAX_UPLOAD_MB": (
        "dùng một số nguyên từ 1 đến 2000: dung lượng lớn nhất (MB) của một tệp minh chứng"
    ),
    "DVHT_SECRET_KEY": (
        "cần ít nhất 32 ký tự ngẫu nhiên, không phải giá trị mẫu; tạo bằng lệnh "
        'python3 -c "import secrets; print(secrets.token_hex(32))", hoặc để trống để '
        "dvht tự tạo và giữ trong DVHT_DATA_DIR"
    ),
    "DVHT_PUBLIC_URL": (
        "dùng địa chỉ đầy đủ mà người dùng mở được, ví dụ https://dvht.example.vn (không có "
        "dấu cách, ? hay #)"
    ),
    "DVHT_HTTP_PORT": "dùng một số cổng từ 1 đến 65535",
    "DVHT_REPORT_LINK_DAYS": "dùng số ngày từ 1 đến 90: thời hạn của đường dẫn tải báo cáo",
    "DVHT_WORKERS": "dùng một số nguyên từ 1 đến 64: số tiến trình phục vụ",
    "ZALO_WEBHOOK_SECRET": "Zalo nhận khóa bí mật webhook dài từ 8 đến 256 ký tự",
}
DATABASE_BUSY = (
    "cơ sở dữ liệu đang bận (một tiến trình khác đang ghi, ví dụ “dvht import”); chưa có gì "
    "được ghi, hãy chạy lại lệnh sau ít phút."
)
DATABASE_FULL = (
    "máy chủ hết dung lượng lưu trữ; chưa có gì được ghi. Giải phóng dung lượng trên ổ đĩa của "
    "cơ sở dữ liệu (DVHT_DATA_DIR, hoặc máy chủ trong DATABASE_URL) rồi chạy lại lệnh."
)


def _line(value: object) -> str:
    """A path or name as it may be printed on one line."""
    return str(value).replace("\r", "\\r").replace("\n", "\\n")


def database_url_invalid() -> str:
    return bad_setting("DATABASE_URL")


def schema_newer(revision: str) -> str:
    return (
        f"cơ sở dữ liệu mới hơn phiên bản này (cấu trúc {_line(revision)}, do một bản dvht mới "
        "hơn nâng cấp); hãy cài bản dvht mới nhất, đừng chạy bản cũ trên cơ sở dữ liệu này."
    )


def data_dir_unusable(reason: str, path: object, setting: str) -> str:
    where = _line(path)
    if reason == "not_a_directory":
        return f"{setting}: {where} là một tệp, không phải thư mục; đặt {setting} là một thư mục."
    if reason == "cannot_create":
        return (
            f"không tạo được thư mục dữ liệu {where} ({setting}): thư mục cha chỉ đọc hoặc không "
            f"có quyền ghi; đặt {setting} vào một thư mục ghi được."
        )
    if reason == "file_read_only":
        return (
            f"tệp cơ sở dữ liệu {where} chỉ đọc; cấp quyền ghi cho tệp, hoặc đặt {setting} sang "
            "thư mục khác."
        )
    return (
        f"thư mục dữ liệu {where} ({setting}) chỉ đọc; cấp quyền ghi cho thư mục, hoặc đặt "
        f"{setting} sang thư mục ghi được."
    )


def database_fault(fault: str, *, where: str, name: str, sqlite: bool, setting: str) -> str:
    """One line per `storage.faults.Fault` the operator must fix (busy and full are above)."""
    where, name = _line(where), _line(name)
    if fault == "unreachable":
        return (
            f"không kết nối được cơ sở dữ liệu ở {where} (đã thử lại một lần); chưa có gì được "
            "ghi. Kiểm tra máy chủ cơ sở dữ liệu và DATABASE_URL (máy chủ, cổng)."
        )
    if fault == "timeout":
        return (
            f"máy chủ cơ sở dữ liệu {where} không trả lời; chưa có gì được ghi. Kiểm tra "
            "DATABASE_URL (máy chủ, cổng), tường lửa và máy chủ cơ sở dữ liệu."
        )
    if fault == "auth":
        return (
            f"máy chủ PostgreSQL {where} từ chối người dùng “{name}” (sai tên người dùng hoặc "
            "mật khẩu); sửa người dùng và mật khẩu trong DATABASE_URL."
        )
    if fault == "no_database":
        return (
            f"máy chủ PostgreSQL {where} không có cơ sở dữ liệu “{name}”; tạo nó (createdb "
            f"{name}) rồi chạy “dvht db upgrade”, hoặc sửa tên trong DATABASE_URL."
        )
    if fault == "corrupt":
        return (
            f"tệp {where} không phải cơ sở dữ liệu SQLite hoặc đã hỏng (bị cắt ngắn, bị ghi đè); "
            f"khôi phục tệp từ bản sao lưu, hoặc đặt {setting} sang thư mục khác để bắt đầu "
            "cơ sở dữ liệu mới."
        )
    if fault == "read_only" and sqlite:
        return (
            f"cơ sở dữ liệu {where} chỉ đọc; chưa có gì được ghi. Cấp quyền ghi cho tệp và thư "
            f"mục của nó, hoặc đặt {setting} sang thư mục ghi được."
        )
    if fault == "read_only":
        return (
            f"máy chủ PostgreSQL {where} chỉ cho đọc (máy dự phòng?); chưa có gì được ghi. Đặt "
            "DATABASE_URL vào máy chủ chính."
        )
    if fault == "cannot_open":
        return (
            f"không mở được tệp cơ sở dữ liệu {where}; kiểm tra {setting}: thư mục phải tồn tại "
            "và ghi được."
        )
    if fault == "io":
        return (
            f"lỗi đọc/ghi đĩa ở tệp cơ sở dữ liệu {where}; chưa có gì được ghi. Kiểm tra ổ đĩa "
            f"của {setting}."
        )
    return DATABASE_DOWN


# --- end of operator mistakes --------------------------------------------------------------------


# --- dvht serve start-up failures and the last resort (issue 11: the token redacted) ---------

TOKEN_REFUSED = (
    "TELEGRAM_BOT_TOKEN bị Telegram từ chối (401); kiểm tra lại mã bot do @BotFather cấp."
)
_NOT_BOT_API = {
    "html": "nó trả về một trang HTML thay vì JSON",
    "not_json": "câu trả lời không phải JSON",
    "other_json": "câu trả lời là JSON nhưng không theo dạng của Bot API",
    "redirect_loop": "nó chuyển hướng liên tục",
    "bad_http": "câu trả lời không theo giao thức HTTP",
}


def serve_failure(reason: str, details: dict[str, str]) -> str:
    """One line for each `bot.startup.Reason`; `details` are already redacted and on one line."""
    if details.get("channel") == "zalo":
        return zalo_serve_failure(reason, details)
    if reason.startswith("workers_"):
        return workers_serve_failure(reason, details)
    api = details.get("api", "")
    description = details.get("description", "")
    if reason == "token_refused":
        return TOKEN_REFUSED
    if reason == "token_unknown":
        return (
            f"máy chủ Bot API ở {api} không nhận ra mã bot (404); kiểm tra TELEGRAM_BOT_TOKEN "
            "(dạng 123456:ABC…) và TELEGRAM_API_URL."
        )
    if reason == "api_url_invalid":
        return (
            f"TELEGRAM_API_URL “{api}” không phải địa chỉ http:// hay https:// hợp lệ; "
            "bỏ trống để dùng https://api.telegram.org."
        )
    if reason == "api_unreachable":
        why = f" ({description})" if description else " (không trả lời)"
        return (
            f"không kết nối được máy chủ Bot API ở {api}{why}; kiểm tra TELEGRAM_API_URL và "
            "mạng của máy chủ."
        )
    if reason == "not_bot_api":
        what = _NOT_BOT_API.get(details.get("what", ""), "câu trả lời không đúng dạng")
        return (
            f"TELEGRAM_API_URL ({api}) không phải máy chủ Bot API: {what}; kiểm tra lại địa chỉ."
        )
    if reason == "webhook_refused":
        return (
            f"Telegram từ chối TELEGRAM_WEBHOOK_URL ({description}); cần một địa chỉ https:// "
            "công khai trỏ tới máy chủ này."
        )
    if reason == "webhook_unset":
        return (
            "không đăng ký được webhook với Telegram (setWebhook không qua được); kiểm tra mạng "
            "rồi chạy lại."
        )
    if reason == "webhook_not_removed":
        return (
            "không gỡ được webhook cũ của bot (deleteWebhook không qua được) nên không nhận tin "
            "bằng long polling được; kiểm tra mạng rồi chạy lại."
        )
    if reason == "http_port":
        return (
            f"không mở được cổng HTTP {details.get('host', '')}:{details.get('port', '')} "
            f"({description}); kiểm tra DVHT_HTTP_HOST và DVHT_HTTP_PORT, cổng có thể "
            "đang bị chương trình khác dùng."
        )
    if reason == "channel_unavailable":
        return (
            f"bản dvht này chưa có kênh {details.get('channel', '')}; bỏ "
            f"{details.get('setting', '')} hoặc cập nhật dvht."
        )
    method = details.get("method", "Bot API")
    why = f" ({description})" if description else ""
    return (
        f"máy chủ Bot API ở {api} từ chối {method}{why}; kiểm tra TELEGRAM_BOT_TOKEN và "
        "TELEGRAM_API_URL."
    )


def unexpected_error(summary: str, details: str | None) -> str:
    where = f" và tệp {details}" if details else ""
    return f"gặp lỗi không lường trước ({summary}); hãy gửi dòng này{where} cho người phát triển."


# --- Input documents: the evaluate/import/report file reader (issue 11, item 4) -------------


def _quoted(value: object) -> str:
    """A value from a file, quoted in an error: short, printable, on one line."""
    from dvht_core.text_hygiene import preview

    return preview(value if isinstance(value, str) else type(value).__name__)


def file_is_directory(path: str) -> str:
    return f"{path} là một thư mục; hãy chỉ ra tệp tự đánh giá (YAML hoặc JSON) trong đó."


def file_not_permitted(path: str) -> str:
    return f"không có quyền đọc tệp {path}."


def file_too_large(path: str, limit: int) -> str:
    return (
        f"tệp {path} lớn hơn {limit // (1024 * 1024)} MB, không phải một tệp tự đánh giá "
        "(một hồ sơ đầy đủ chỉ vài chục KB)."
    )


def document_refused(path: str, error: DocumentError, *, is_json: bool) -> str:
    """A file the reader refused before any field was read (`dvht_core.DocumentError`)."""
    from dvht_core.limits import MAX_DOCUMENT_DEPTH

    line, detail = error.line, error.detail
    at = f"ở dòng {line}" if line is not None else "ở một chỗ không rõ"
    problem = error.problem
    if problem == "syntax":
        if is_json and line is not None and error.column is not None:
            return bad_json(path, line, error.column)
        where = f"dòng {line}" if line is not None else "không rõ vị trí"
        if line is not None and error.column is not None:
            where += f", cột {error.column}"
        return f"tệp {path} không phải {'JSON' if is_json else 'YAML'} hợp lệ ({where})."
    if problem == "too_deep":
        return (
            f"tệp {path} lồng nhau quá {MAX_DOCUMENT_DEPTH} cấp {at}; tệp tự đánh giá chỉ có "
            "bốn cấp (tệp → answers → chỉ tiêu → evidence)."
        )
    if problem == "duplicate_key":
        lines = (
            f"cùng ở dòng {line}"
            if error.first_line == line
            else f"dòng {error.first_line} và dòng {line}"
        )
        return f"tệp {path} có khóa “{detail}” hai lần ({lines}); hãy giữ một."
    if problem == "number_too_large":
        return f"tệp {path} có một số quá lớn {at} ({detail}); hãy kiểm tra lại số đó."
    if problem == "not_a_number":
        return f"tệp {path} có {detail} {at}, không phải một số JSON; hãy ghi một số."
    if problem == "lone_surrogate":
        return (
            f"tệp {path} có ký tự Unicode hỏng (nửa cặp UTF-16, như \\udc80) {at}; "
            "hãy gõ lại đoạn đó."
        )
    if problem == "tag":
        return f"tệp {path} dùng thẻ kiểu YAML “{detail}” {at}; hãy ghi giá trị, không thẻ “!!”."
    if problem == "key_not_text":
        return f"tệp {path} có khóa không phải văn bản {at}; khóa là tên trường hoặc mã chỉ tiêu."
    if problem == "alias":
        return f"tệp {path} dùng tham chiếu YAML “*{detail}” {at}; hãy ghi thẳng giá trị."
    return f"tệp {path} có nhiều tài liệu YAML (dấu “---” {at}); mỗi tệp chỉ chứa một hồ sơ."


# --- argparse in Vietnamese (issue 12, item 7) ---------------------------------------------------
# argparse writes its own headings and usage errors in English. The parser (`cli.main`) gives it
# the headings below and passes each error message through `argparse_message`, which reads the
# message against argparse's own templates, as gettext would, and writes the Vietnamese one.

USAGE_PREFIX = "cách dùng: "
HELP_POSITIONALS = "tham số"
HELP_OPTIONS = "tùy chọn"
HELP_HELP = "in hướng dẫn này rồi thoát"
METAVARS = {
    "name": "TÊN",
    "unit_type": "LOẠI",
    "province": "TỈNH",
    "unit": "MÃ_ĐƠN_VỊ",
    "year": "NĂM",
    "output": "TỆP",
    "user": "TÊN",
    "governing": "CƠ_QUAN",
    "members": "SỐ",
    "learners": "SỐ",
    "office": "MÃ_CƠ_QUAN",
    "text": "NỘI_DUNG",
}
"""How the help names an option's value, by the option's destination."""

ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("argument %(argument_name)s: %(message)s", "tham số {argument_name}: {message}"),
    ("the following arguments are required: %s", "thiếu tham số bắt buộc: {0}"),
    (
        "invalid choice: %(value)r (choose from %(choices)s)",
        "không có lựa chọn {value} (chọn một trong: {choices})",
    ),
    (
        "unknown parser %(parser_name)r (choices: %(choices)s)",
        "không có lệnh {parser_name} (các lệnh: {choices})",
    ),
    ("unrecognized arguments: %s", "có tham số không nhận ra: {0}"),
    ("expected one argument", "cần một giá trị theo sau"),
    ("expected at most one argument", "chỉ nhận nhiều nhất một giá trị"),
    ("expected at least one argument", "cần ít nhất một giá trị"),
    ("expected %s argument", "cần {0} giá trị"),
    ("expected %s arguments", "cần {0} giá trị"),
    ("one of the arguments %s is required", "cần một trong các tham số {0}"),
    ("not allowed with argument %s", "không dùng cùng với {0}"),
    ("ignored explicit argument %r", "tham số không nhận giá trị {0}"),
    (
        "ambiguous option: %(option)s could match %(matches)s",
        "tùy chọn {option} chưa rõ: có thể là {matches}",
    ),
    ("unexpected option string: %s", "tùy chọn không mong đợi: {0}"),
    ("invalid %(type)s value: %(value)r", "giá trị {value} không hợp lệ"),
    ("can't open '%(filename)s': %(error)s", "không mở được “{filename}”: {error}"),
)
"""argparse's templates (Python 3.11 `argparse`, each passed to gettext there) and ours.
Placeholders named in the template keep their names; unnamed ones are {0}, {1}…"""


@cache
def _argparse_patterns() -> tuple[tuple[Any, str], ...]:
    import re

    compiled = []
    for english, vietnamese in ARGPARSE_MESSAGES:
        position = iter(range(10))
        pattern = ""
        for piece in re.split(r"(%\(\w+\)[rs]|%[rs])", english):
            if piece.startswith("%("):
                pattern += rf"(?P<{piece[2:-2]}>.+?)"
            elif piece in ("%r", "%s"):
                pattern += rf"(?P<_{next(position)}>.+?)"
            else:
                pattern += re.escape(piece)
        compiled.append((re.compile(f"^{pattern}$", re.S), vietnamese))
    return tuple(compiled)


def argparse_message(message: str) -> str:
    """argparse's English message in Vietnamese (one it never wrote is kept as it is); a value
    argparse quoted with repr (“'x'”) is quoted the Vietnamese way (“x”)."""
    for pattern, vietnamese in _argparse_patterns():
        found = pattern.match(message)
        if found is None:
            continue
        named = {key: _unrepr(value) for key, value in found.groupdict().items()}
        if "message" in named:
            named["message"] = argparse_message(named["message"])
        positional = [named.pop(f"_{i}") for i in range(10) if f"_{i}" in named]
        return vietnamese.format(*positional, **named)
    return message


def _unrepr(value: str) -> str:
    """'x' → “x”; a list of them ('huyen', 'tinh') keeps its commas."""
    import re

    return re.sub(r"'([^']*)'", r"“\1”", value)


# --- end of argparse in Vietnamese ---------------------------------------------------------------


# --- unit details: create with totals, update, show (issue 12, item 3) ---------------------------

HELP_TIER_CREATE = (
    "cấp đánh giá: huyen hoặc tinh (không cần khi loại đơn vị chỉ thuộc một cấp, ví dụ ubnd_xa)"
)
HELP_UNIT_UPDATE = "sửa thông tin đơn vị (tên, tỉnh, loại, số thành viên, số người học)"
HELP_TIER_UPDATE = "cấp đánh giá mới, khi loại đơn vị thuộc cả hai cấp"
HELP_TOTALS_YEAR = "năm của hồ sơ có số thành viên, số người học (mặc định: năm đang đánh giá)"
HELP_UNIT_SHOW = "xem thông tin đơn vị và lịch sử thay đổi"
HELP_MEMBERS = "tổng số thành viên của đơn vị"
HELP_LEARNERS = "tổng số người học (cơ sở giáo dục cấp tỉnh)"


def without_letters(option: str, value: str) -> str:
    """A name or province of digits only: most likely a total typed in the wrong option."""
    what = "tên đơn vị" if option == "--name" else "tên tỉnh, thành phố"
    return f"{option} “{value}” không có chữ nào; hãy ghi {what} bằng chữ."


UPDATE_NOTHING = (
    "chưa có gì để sửa; thêm ít nhất một trong: --name, --province, --type, --tier, --members, "
    "--learners."
)
FIELD_NAMES = {
    "name": "Tên đơn vị",
    "province": "Tỉnh, thành phố",
    "tier": "Cấp đánh giá",
    "unit_type": "Loại đơn vị",
    "members": "Tổng số thành viên",
    "learners": "Tổng số người học",
}


def tier_needed(unit: UnitType) -> str:
    tiers = " hoặc ".join(f"{t} ({_tier_name(t)})" for t in unit.tiers)
    return f"loại đơn vị {unit.id} có ở cả hai cấp; thêm --tier {tiers}."


def _value(field: str, value: object) -> str:
    if value is None:
        return "(chưa có)"
    if field == "tier":
        return _tier_name(str(value))
    if field == "unit_type":
        from dvht_core.loader import load_unit_types

        kind = load_unit_types().get(str(value))
        return f"{kind.plain} ({value})" if kind else str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return f"“{_line(value)}”"


def unit_totals(year: int, members: int | None, learners: int | None) -> str:
    parts = []
    if members is not None:
        parts.append(f"{_value('members', members)} thành viên")
    if learners is not None:
        parts.append(f"{_value('learners', learners)} người học")
    return f"Hồ sơ năm {year}: {', '.join(parts)}.\n"


def unusual_members(unit_id: int, members: int) -> str:
    return (
        f"{_value('members', members)} thành viên là con số lớn bất thường; nếu gõ nhầm, sửa bằng "
        f"“dvht unit update --unit {unit_id} --members SỐ”."
    )


def unit_updated(unit_id: int, done: Any) -> str:
    if not done:
        return f"Đơn vị #{unit_id}: không có gì thay đổi (các giá trị đã như vậy).\n"
    lines = [f"Đã sửa đơn vị #{unit_id}:"]
    for change in done:
        year = f" (năm {change.year})" if change.year is not None else ""
        lines.append(
            f"  {FIELD_NAMES[change.field]}{year}: {_value(change.field, change.old)} → "
            f"{_value(change.field, change.new)}"
        )
    return "\n".join(lines) + "\n"


def unit_details(unit: Any, year: int, record: Any, history: Any) -> str:
    """`dvht unit show`: the details, the totals of the year's dossier and every change."""
    members = record.members if record is not None else None
    learners = record.learners if record is not None else None
    lines = [
        f"Đơn vị #{unit.id}",
        f"  {FIELD_NAMES['name']}: {unit.name}",
        f"  {FIELD_NAMES['province']}: {unit.province}",
        f"  {FIELD_NAMES['unit_type']}: {_value('unit_type', unit.unit_type)}",
        f"  {FIELD_NAMES['tier']}: {_tier_name(unit.tier)}",
        f"  {FIELD_NAMES['members']} (năm {year}): {_value('members', members)}",
        f"  {FIELD_NAMES['learners']} (năm {year}): {_value('learners', learners)}",
    ]
    if history:
        lines += ["", "Lịch sử thay đổi:"]
        for change in history:
            when = _local_time(change.at)
            year_note = f" (năm {change.year})" if change.year is not None else ""
            lines.append(
                f"  {when} · {_who(change.by)} · {FIELD_NAMES.get(change.field, change.field)}"
                f"{year_note}: {_value(change.field, change.old)} → "
                f"{_value(change.field, change.new)}"
            )
    return "\n".join(lines) + "\n"


def _who(label: str | None) -> str:
    """Who made a change: the person's name, or the operator at the command line."""
    return "dòng lệnh (dvht)" if label in (None, "cli") else _line(label)


def _local_time(moment: Any) -> str:
    """A stored UTC moment as Vietnam's time (“02/12/2026 09:15”)."""
    from dvht_core import vietnam_time

    return str(moment.astimezone(vietnam_time.ZONE).strftime("%d/%m/%Y %H:%M"))


# --- end of unit details ------------------------------------------------------------------------


# --- walked as an official (issue 12): `dvht ask` speaks of the command line -------------------

ASK_HELP = (
    "Có thể hỏi: “cần gì để đạt mức 2”, “chỉ tiêu 2.4 là gì”, “hạn nộp hồ sơ khi nào”, “còn "
    "bao nhiêu ngày”, “nộp cho ai”, “ai công nhận”; thêm --unit MÃ_ĐƠN_VỊ để hỏi “tiến độ”, "
    "“còn thiếu minh chứng gì”, “kết quả”, và để biết hạn, nơi nhận hồ sơ của chính đơn vị."
)
"""What `dvht ask` answers; the chat's help lists /commands, which mean nothing here."""
ASK_UNKNOWN = "Tôi chưa hiểu. " + ASK_HELP


def ask_report(unit_id: int | None) -> str:
    """`dvht ask "báo cáo"` cannot hand over a file: the command that writes it."""
    unit = unit_id if unit_id is not None else "MÃ_ĐƠN_VỊ"
    return f"Báo cáo được ghi ra tệp bằng lệnh: dvht report --unit {unit} --pdf bao-cao.pdf"


def ask_needs_unit(question: str) -> str:
    return (
        f"câu hỏi “{question}” là về hồ sơ của một đơn vị; thêm --unit MÃ_ĐƠN_VỊ "
        "(xem “dvht unit list”)."
    )


# --- end of walked as an official ---------------------------------------------------------------


# --- calendar (issue 13): `dvht deadline list | add | remove | office` --------------------------

HELP_DEADLINE = "hạn nộp hồ sơ: xem các mốc sắp tới, thêm hoặc gỡ hạn của cơ quan, đặt nơi nhận"
HELP_DEADLINE_LIST = "các mốc sắp tới: ngày, số ngày còn lại, nội dung và căn cứ"
HELP_DEADLINE_ADD = "thêm một hạn nội bộ (sớm hơn hạn luật định) cho một tỉnh hoặc một cơ quan"
HELP_DEADLINE_REMOVE = "gỡ một hạn đã thêm (vẫn lưu lại, ghi ai gỡ và khi nào)"
HELP_DEADLINE_OFFICE = "đặt nơi nhận hồ sơ và người công nhận của một tỉnh hoặc một đơn vị"
HELP_DEADLINE_ID = "mã hạn (số in ra khi thêm, hoặc trong “dvht deadline list”)"
HELP_DEADLINE_DATE = "ngày, dạng dd/mm/yyyy, ví dụ 05/01/2027 (hồ sơ gửi trước ngày này)"
HELP_DEADLINE_TITLE = "nội dung hạn, ví dụ “Nộp hồ sơ về UBND xã”"
HELP_DEADLINE_OFFICE_ID = "mã cơ quan tiếp nhận đặt hạn cho các đơn vị của mình"
HELP_DEADLINE_YEAR = "năm đánh giá của hồ sơ (mặc định: năm mà hạn này đứng trước hạn nộp)"
HELP_LIST_YEAR = "năm đánh giá (mặc định: năm đang đánh giá; khi ghi rõ, in cả các mốc đã qua)"
HELP_OFFICE_NAME = "tên nơi nhận hồ sơ theo kế hoạch của tỉnh"
HELP_AUTHORITY = "người quyết định công nhận, ví dụ “Chủ tịch UBND xã”"
HELP_OFFICE_FROM = "áp dụng cho hồ sơ đến hạn từ ngày này (dd/mm/yyyy; mặc định: hôm nay)"
HELP_OFFICE_TIER = "cấp đánh giá: huyen hoặc tinh (mặc định: cấp của đơn vị khi có --unit)"
HELP_OFFICE_UNIT = "chỉ cho một đơn vị (quản trị đơn vị đặt cho đơn vị mình)"
METAVARS.update(
    {
        "date": "NGÀY",
        "title": "NỘI_DUNG",
        "office_id": "MÃ_CƠ_QUAN",
        "office_name": "NƠI_NHẬN",
        "authority": "NGƯỜI_CÔNG_NHẬN",
        "from_day": "NGÀY",
    }
)
DEADLINE_SCOPE = "cần đúng một phạm vi: --province TỈNH hoặc --office MÃ_CƠ_QUAN."
OFFICE_SCOPE = "cần --province TỈNH, hoặc --unit MÃ_ĐƠN_VỊ để đặt cho một đơn vị."
OFFICE_TIER_NEEDED = "cần --tier huyen hoặc --tier tinh."
TITLE_EMPTY = "nội dung hạn (--title) không được để trống."
OFFICE_EMPTY = "nơi nhận hồ sơ (--office) không được để trống."


def _d(day: Any) -> str:
    return str(day.strftime("%d/%m/%Y"))


def bad_date(option: str, typed: str) -> str:
    return f"{option} “{_line(typed)}” không phải ngày dạng dd/mm/yyyy, ví dụ 05/01/2027."


def no_such_date(option: str, typed: str) -> str:
    return f"{option} “{_line(typed)}”: không có ngày này trên lịch."


def date_not_future(day: Any, today: Any) -> str:
    when = "là hôm nay" if day == today else "đã qua"
    return f"ngày {_d(day)} {when}; hạn mới phải từ ngày mai ({_d(today)} là hôm nay) trở đi."


def date_after_legal(day: Any, year: int, legal: Any) -> str:
    return (
        f"ngày {_d(day)} sau hạn luật định của hồ sơ năm {year} (trước ngày {_d(legal)}); "
        "cơ quan chỉ được đặt hạn nội bộ sớm hơn."
    )


def date_before_year(day: Any, year: int, previous: Any) -> str:
    return (
        f"ngày {_d(day)} thuộc hồ sơ năm {year - 1} (hạn trước ngày {_d(previous)}), "
        f"không phải hồ sơ năm {year}."
    )


def date_too_far(day: Any, last: Any) -> str:
    return (
        f"ngày {_d(day)} quá xa: chỉ đặt được hạn cho hồ sơ năm nay hoặc năm sau "
        f"(đến ngày {_d(last)})."
    )


def text_too_long(option: str, length: int, limit: int) -> str:
    return f"{option} dài {length:,} ký tự; tối đa {limit} ký tự.".replace(",", ".")


def unknown_province(typed: str, examples: tuple[str, ...]) -> str:
    return (
        f"không có tỉnh, thành phố “{_line(typed)}”; gõ tên một trong {len(examples)} tỉnh, "
        f"thành phố (có dấu hoặc không), ví dụ “{examples[0]}”, “{examples[-1]}”."
    )


def merged_province(typed: str, name: str) -> str:
    return (
        f"tỉnh “{_line(typed)}” đã hợp nhất vào “{name}” từ 1/7/2025; "
        f"hãy dùng --province “{name}”."
    )


def abolished_office(option: str, typed: str) -> str:
    return (
        f"{option} “{_line(typed)}”: từ 1/7/2025 không còn Phòng Giáo dục và Đào tạo và "
        "UBND cấp huyện; hãy ghi nơi nhận theo kế hoạch hiện hành của tỉnh."
    )


def unit_other_province(unit_id: int, province: str, typed: str) -> str:
    return f"đơn vị {unit_id} thuộc “{province}”, không thuộc “{_line(typed)}”."


def deadline_gone(deadline_id: int, removed_at: Any) -> str:
    if removed_at is None:
        return f"không có hạn mã {deadline_id}."
    return f"hạn mã {deadline_id} đã được gỡ lúc {_local_time(removed_at)}."


def _set_by(deadline: Any) -> str:
    if deadline.office_name:
        return f"do {deadline.office_name} đặt"
    return f"do cơ quan của tỉnh {deadline.province} đặt"


def deadline_added(deadline: Any) -> str:
    scope = (
        f"cơ quan {deadline.office_name} (mã {deadline.office_id})"
        if deadline.office_id is not None
        else f"tỉnh, thành phố {deadline.province}"
    )
    return (
        f"Mã hạn: {deadline.id}\n"
        f"Hạn “{deadline.title}” trước ngày {_d(deadline.day)} cho hồ sơ năm {deadline.year}, "
        f"áp dụng cho các đơn vị của {scope}.\n"
    )


def deadline_removed(deadline: Any) -> str:
    return f"Đã gỡ hạn mã {deadline.id}: “{deadline.title}” ({_d(deadline.day)}).\n"


def office_set(
    setting_id: int, scope: str, tier: str, office: str, authority: str | None, from_day: Any
) -> str:
    who = f"; người công nhận: {authority}" if authority else ""
    return (
        f"Mã thiết lập: {setting_id}\n"
        f"Từ hồ sơ đến hạn ngày {_d(from_day)}, {scope} ({_tier_name(tier)}) gửi hồ sơ đến: "
        f"{office}{who}.\n"
    )


def _left(day: Any, today: Any) -> str:
    left = (day - today).days
    return f"còn {left} ngày" if left > 0 else "đã qua"


def calendar_line(entry: Any, today: Any, with_tiers: bool) -> list[str]:
    """One date of the legal calendar (or of a province's plan): when, how long, what, on
    what legal basis; a note in plain words when the source is not the official text."""
    when = (
        f"{_d(entry.first_day)}–{_d(entry.day)}" if entry.first_day else f"trước {_d(entry.day)}"
    )
    text = entry.text
    named = [_tier_name(t) for t in entry.tiers]
    if with_tiers and len(named) == 1 and named[0] not in text:
        text += f" ({named[0]})"
    if entry.province:
        text += f" (kế hoạch của tỉnh {entry.province})"
    import datetime as dt

    # A period's last day counts (31/12 is still in the data year); a “trước ngày” date does not.
    end = entry.day + dt.timedelta(days=1) if entry.first_day else entry.day
    lines = [f"{when}  {_left(end, today)}  {text}. Căn cứ: {entry.source}."]
    if entry.uncertain and entry.note:
        lines.append(f"    Lưu ý: {entry.note}")
    return lines


def office_deadline_line(deadline: Any, today: Any) -> list[str]:
    return [
        f"trước {_d(deadline.day)}  {_left(deadline.day, today)}  {deadline.title} "
        f"(mã {deadline.id}, hồ sơ năm {deadline.year}) — {_set_by(deadline)}."
    ]


def unit_calendar_heading(unit: Any, calendar: Any, today: Any) -> list[str]:
    """The unit's own deadline and office, before its dates (`dvht deadline list --unit`)."""
    deadline = calendar.deadline
    lines = [
        f"Đơn vị {unit.id} · {unit.name} · {unit.province} · hồ sơ năm {calendar.year}",
        f"Hạn nộp hồ sơ của đơn vị: trước ngày {_d(deadline)} ({_left(deadline, today)}).",
    ]
    earliest = calendar.earliest_office_deadline
    if earliest is not None:
        lines[-1] += (
            f" Hạn này {_set_by(earliest)} (“{earliest.title}”); hạn theo Thông tư 24: "
            f"trước ngày {_d(calendar.legal_deadline)}."
        )
    lines += office_lines(calendar.office())
    return lines


def office_lines(office: Any) -> list[str]:
    """Who receives and who recognises; the likely candidates and a plain note when no text or
    setting confirms it."""
    origin = {"unit": " (đơn vị đã đặt)", "province": " (theo thiết lập của tỉnh)"}.get(
        office.set_by, ""
    )
    lines = [f"Nơi nhận hồ sơ: {office.office}{origin}.", f"Người công nhận: {office.authority}."]
    if office.likely_office:
        lines.append(
            f"Nhiều khả năng: {office.likely_office}; người công nhận: {office.likely_authority}."
        )
    if office.uncertain and office.note:
        lines.append(f"Lưu ý: {office.note}")
    return lines


NO_COMING_DEADLINES = "Không còn mốc nào sắp tới trong năm đánh giá này."

# --- end of calendar ----------------------------------------------------------------------------

# --- reminders engine (issue 13): dvht dispatch, dvht broadcast ---------------------------------

HELP_DISPATCH = "gửi các nhắc hạn đến hạn (chạy liên tục; cần TELEGRAM_BOT_TOKEN)"
HELP_DISPATCH_ONCE = "lập lịch, gửi một lượt các nhắc hạn đang đến hạn rồi thoát"
NO_PUSH_CHANNEL = (
    "chưa có kênh nào để gửi tin: đặt TELEGRAM_BOT_TOKEN (mã bot từ @BotFather) rồi chạy lại."
)
DISPATCHER_RUNNING = (
    "một tiến trình khác (dvht serve hoặc dvht dispatch) đang gửi nhắc hạn trên cơ sở dữ liệu "
    "SQLite này; nó sẽ gửi các tin đến hạn, không cần chạy thêm."
)
SKIP_REASONS = {
    "superseded": "đã có nhắc mới hơn",
    "past": "đã quá hạn",
    "moved": "hạn đã đổi",
    "submitted": "đơn vị đã nộp",
    "opted_out": "đã tắt nhắc nhở",
    "unreachable": "đã chặn bot",
    "no_channel": "không có kênh gửi",
}


def dispatched(sent: int, skipped: dict[str, int], failed: int) -> str:
    """“Đã gửi 12 tin; bỏ qua 3 (2 đã chặn bot, 1 đơn vị đã nộp); lỗi 0.”"""
    total = sum(skipped.values())
    reasons = ", ".join(
        f"{count} {SKIP_REASONS.get(reason, reason)}" for reason, count in sorted(skipped.items())
    )
    skipped_text = f"bỏ qua {total} ({reasons})" if total else "bỏ qua 0"
    return f"Đã gửi {sent} tin; {skipped_text}; lỗi {failed}."


HELP_BROADCAST = (
    "gửi một thông báo tới mọi thành viên nhận được tin trong một tỉnh, cơ quan hoặc đơn vị"
)
HELP_BROADCAST_PROVINCE = "gửi cho các đơn vị của tỉnh này"
HELP_BROADCAST_OFFICE = "gửi cho các đơn vị thuộc cơ quan tiếp nhận có mã này"
HELP_BROADCAST_UNIT = "gửi cho thành viên của đơn vị có mã này"
HELP_BROADCAST_TEXT = "nội dung thông báo (tối đa 4.096 ký tự)"
HELP_DRY_RUN = "chỉ cho biết bao nhiêu người sẽ nhận, không gửi gì"
HELP_BROADCAST_NOW = "gửi ngay cả trong giờ yên lặng (21:00–07:00) và ngày nghỉ: chỉ cho tin khẩn"


def broadcast_refused(reason: str, *, size: int, known: tuple[str, ...], value: str) -> str:
    """One line for each `reminders.broadcast.BroadcastRefused` reason."""
    if reason == "empty":
        return "nội dung thông báo trống; hãy gõ nội dung sau --text."
    if reason == "too_long":
        return (
            f"thông báo dài {size:,} ký tự, Telegram chỉ nhận tối đa 4.096 ký tự một tin; "
            "hãy rút gọn.".replace(",", ".")
        )
    if reason == "unknown_province":
        listed = ", ".join(known) if known else "chưa có"
        return f"không có đơn vị nào thuộc tỉnh “{value}”; các tỉnh đã có đơn vị: {listed}."
    if reason == "unknown_office":
        return f"không có cơ quan tiếp nhận mã {value}."
    if reason == "unknown_unit":
        return f"không có đơn vị mã {value} (xem “dvht unit list”)."
    return f"phạm vi này chưa có đơn vị nào đang hoạt động (mã {value})."


def broadcast_dry_run(would: int, received: int, blocked: int, opted_out: int = 0) -> str:
    line = f"Sẽ gửi cho {would} người."
    if received:
        line += f" {received} người đã nhận thông báo này từ lần gửi trước."
    if blocked:
        line += f" {blocked} người đã chặn bot, không nhận được."
    if opted_out:
        line += f" {opted_out} người đã tắt nhắc nhở, không nhận."
    return line + " Chưa gửi gì (--dry-run)."


def broadcast_waiting(due: str) -> str:
    return (
        f"Đang trong giờ yên lặng (21:00–07:00) hoặc ngày nghỉ: thông báo sẽ được gửi từ {due} "
        "(bởi dvht serve hoặc dvht dispatch đang chạy, hoặc chạy lại lệnh này sau giờ đó)."
    )


BROADCAST_ELSEWHERE = (
    "Một tiến trình khác (dvht serve hoặc dvht dispatch) đang gửi trên cơ sở dữ liệu này; "
    "thông báo do tiến trình đó gửi, đang theo dõi tiến độ."
)


def broadcast_done(totals: dict[str, int], blocked_before: int) -> str:
    """The broadcast's outcome over all its runs: sent, skipped as blocked or opted out, failed,
    waiting."""
    sent = totals.get("sent", 0)
    blocked = totals.get("skipped:unreachable", 0) + blocked_before
    opted_out = totals.get("skipped:opted_out", 0)
    failed = totals.get("failed", 0)
    waiting = totals.get("planned", 0) + totals.get("claimed", 0)
    line = (
        f"Đã gửi: {sent}; bỏ qua: {blocked} (đã chặn bot), {opted_out} (đã tắt nhắc nhở); "
        f"lỗi: {failed}."
    )
    if waiting:
        line += (
            f" Còn {waiting} tin chờ gửi lại; chạy lại lệnh này (chỉ gửi cho người chưa nhận) "
            "hoặc để dvht serve gửi."
        )
    return line


# --- end of reminders engine ---------------------------------------------------------------------


# --- Zalo (issue 14) -----------------------------------------------------------------------------
# Why the Zalo channel could not start (`bot.zalo.check`): the same reasons as Telegram's, naming
# the ZALO_* settings.


def zalo_serve_failure(reason: str, details: dict[str, str]) -> str:
    api = details.get("api", "")
    description = details.get("description", "")
    why = f" ({description})" if description else ""
    if reason == "token_refused":
        return (
            "Zalo từ chối mã bot (401): mã đã bị đặt lại trong Zalo Bot Creator hoặc chép sai; "
            "đặt ZALO_BOT_TOKEN bằng mã mới rồi chạy lại."
        )
    if reason == "token_unknown":
        return (
            f"máy chủ Zalo Bot API ở {api} không nhận ra mã bot (404); kiểm tra ZALO_BOT_TOKEN "
            "(dạng 123456789:abc…) và ZALO_API_URL."
        )
    if reason == "api_url_invalid":
        return (
            f"ZALO_API_URL “{api}” không phải địa chỉ http:// hay https:// hợp lệ; bỏ trống để "
            "dùng https://bot-api.zaloplatforms.com."
        )
    if reason == "api_unreachable":
        shown = why or " (không trả lời)"
        return (
            f"không kết nối được máy chủ Zalo Bot API ở {api}{shown}; kiểm tra ZALO_API_URL và "
            "mạng của máy chủ."
        )
    if reason == "not_bot_api":
        what = _NOT_BOT_API.get(details.get("what", ""), "câu trả lời không đúng dạng")
        return (
            f"ZALO_API_URL ({api}) không phải máy chủ Zalo Bot API: {what}; kiểm tra lại địa chỉ."
        )
    if reason == "webhook_refused":
        return (
            f"Zalo từ chối ZALO_WEBHOOK_URL{why}; cần một địa chỉ https:// công khai trỏ tới "
            "máy chủ này và ZALO_WEBHOOK_SECRET dài 8–256 ký tự."
        )
    if reason == "webhook_unset":
        return (
            "không đăng ký được webhook với Zalo (setWebhook không qua được); kiểm tra mạng rồi "
            "chạy lại."
        )
    if reason == "webhook_not_removed":
        return (
            "không gỡ được webhook cũ của bot Zalo (deleteWebhook không qua được) nên không nhận "
            "tin bằng long polling được; kiểm tra mạng rồi chạy lại."
        )
    method = details.get("method", "Zalo Bot API")
    return (
        f"máy chủ Zalo Bot API ở {api} từ chối {method}{why}; kiểm tra ZALO_BOT_TOKEN và "
        "ZALO_API_URL."
    )


# --- end of Zalo ---------------------------------------------------------------------------------


# --- Worker processes (issue 14, item 6: DVHT_WORKERS) -------------------------------------------
# Why `dvht serve` refused DVHT_WORKERS, or stopped as its workers kept dying (`bot.workers`).

WORKERS_SQLITE = (
    "DVHT_WORKERS > 1 cần PostgreSQL (DATABASE_URL): SQLite chỉ có một tiến trình ghi."
)
WORKERS_NO_BACKEND = (
    "DVHT_WORKERS > 1 nhưng không có máy chủ HTTP nào để các tiến trình cùng phục vụ; đặt "
    "TELEGRAM_WEBHOOK_URL và TELEGRAM_WEBHOOK_SECRET, ZALO_BOT_TOKEN hoặc DVHT_PUBLIC_URL, "
    "hoặc bỏ DVHT_WORKERS."
)


def workers_serve_failure(reason: str, details: dict[str, str]) -> str:
    if reason == "workers_sqlite":
        return WORKERS_SQLITE
    if reason == "workers_no_backend":
        return WORKERS_NO_BACKEND
    return (
        f"các tiến trình phụ (DVHT_WORKERS) dừng liên tục ({details.get('restarts', '?')} lần "
        f"khởi động lại trong {details.get('seconds', '?')} giây) nên dvht serve dừng; xem "
        "nhật ký phía trên để biết lý do."
    )


# --- end of worker processes ---------------------------------------------------------------------


# --- issue 15: A review-chat (offices, reviewers, login links, review) -------------------------

HELP_OFFICE = "cơ quan tiếp nhận, thẩm định hồ sơ: thêm cơ quan"
HELP_OFFICE_ADD = (
    "thêm cơ quan tiếp nhận cho một tỉnh; các đơn vị của tỉnh chưa có cơ quan được giao cho nó"
)
HELP_OFFICE_ADD_NAME = "tên cơ quan, ví dụ “Sở GD&ĐT Hưng Yên”"
HELP_OFFICE_KIND = "loại cơ quan"
HELP_REVIEWER = "người thẩm định của một cơ quan: thêm người"
HELP_REVIEWER_ADD = "thêm người thẩm định cho một cơ quan và in liên kết đăng nhập đầu tiên"
HELP_REVIEWER_NAME = "họ tên người thẩm định"
HELP_OFFICE_ID = "mã cơ quan (số in ra khi thêm cơ quan)"
HELP_BASE_URL = "địa chỉ web của trang quản lý (mặc định: DVHT_PUBLIC_URL)"
HELP_LOGIN_LINK = "in một liên kết đăng nhập trang quản lý mới (dùng 1 lần, trong 15 phút)"
HELP_PERSON_ID = "mã người dùng (người thẩm định hoặc quản trị viên đơn vị)"
HELP_REVIEW = "thẩm định hồ sơ đã nộp: xem danh sách, trả lại, công nhận"
HELP_REVIEW_LIST = "liệt kê hồ sơ theo cơ quan và trạng thái"
HELP_REVIEW_STATUS = "trạng thái (mặc định: submitted, hồ sơ đã nộp chờ thẩm định; all: mọi hồ sơ)"
HELP_REVIEW_RETURN = "trả lại hồ sơ đã nộp kèm lý do; mọi thành viên đơn vị được báo"
HELP_REVIEW_RECOGNISE = "công nhận hồ sơ đã nộp theo quyết định; mọi thành viên được báo"
HELP_REVIEW_YEAR = "năm của hồ sơ (mặc định: năm gần nhất của đơn vị)"
HELP_REASON = "lý do trả lại (3–1000 ký tự)"
HELP_DECISION = "số quyết định công nhận, ví dụ 125/QĐ-UBND"
HELP_DECISION_DATE = "ngày quyết định, dd/mm/yyyy"
HELP_LEVEL = "mức công nhận: 1 hoặc 2"
HELP_AS = "thực hiện với tư cách người thẩm định này (mặc định: người vận hành)"
OFFICE_NAME_EMPTY = "--name: cần tên cơ quan."
REVIEWER_NAME_EMPTY = "--name: cần họ tên người thẩm định."
REASON_EMPTY = "--reason: cần lý do trả lại."
NO_PUBLIC_URL = (
    "chưa có địa chỉ web của trang quản lý: đặt DVHT_PUBLIC_URL hoặc thêm --base-url https://…"
)
BAD_BASE_URL = "--base-url phải bắt đầu bằng http:// hoặc https://."
METAVARS.update(
    {
        "kind": "LOẠI",
        "base_url": "ĐỊA_CHỈ",
        "person": "MÃ_NGƯỜI",
        "status": "TRẠNG_THÁI",
        "reason": "LÝ_DO",
        "decision": "SỐ_QĐ",
        "level": "MỨC",
        "as_person": "MÃ_NGƯỜI",
    }
)


def office_added(office_id: int, name: str, province: str, units: int) -> str:
    return (
        f"Đã thêm cơ quan “{_line(name)}” ({province}). Mã cơ quan: {office_id}\n"
        f"Đã giao {units} đơn vị của {province} chưa có cơ quan cho cơ quan này.\n"
    )


def login_link_line(url: str, expires_at: dt.datetime) -> str:
    from dvht_core import vietnam_time

    until = vietnam_time.local(expires_at).strftime("%H:%M %d/%m/%Y")
    return (
        f"Liên kết đăng nhập (dùng 1 lần, hết hạn lúc {until} giờ Việt Nam):\n{url}\n"
        "Gửi riêng cho đúng người; ai có liên kết này đều đăng nhập được.\n"
    )


def reviewer_added(person_id: int, name: str, office_id: int) -> str:
    return (
        f"Đã thêm người thẩm định {_line(name)} (mã người dùng {person_id}) "
        f"cho cơ quan {office_id}.\n"
    )


def no_such_person(person_id: int) -> str:
    return f"không tìm thấy người dùng {person_id}."


def not_dashboard_user(person_id: int) -> str:
    return (
        f"người dùng {person_id} không phải người thẩm định hay quản trị viên đơn vị nên không "
        "dùng trang quản lý."
    )


def no_dossier_of(unit_id: int) -> str:
    return f"đơn vị {unit_id} chưa có hồ sơ tự đánh giá nào."


def review_refused(message: str) -> str:
    return message[:1].lower() + message[1:]


def dossier_line(
    unit_id: int,
    name: str,
    year: int,
    status: str,
    level: int | None,
    at: dt.datetime | None,
    recognised: int | None,
) -> str:
    from dvht_core import vietnam_time

    shown = _STATUS_NAMES.get(status, status)
    parts = [f"{unit_id}\t{_line(name)}\t{year}\t{shown}"]
    if level is not None:
        parts.append(f"đề nghị mức {level}")
    if at is not None:
        parts.append(f"nộp {vietnam_time.local(at).strftime('%d/%m/%Y')}")
    if recognised is not None:
        parts.append(f"công nhận mức {recognised}")
    return "\t".join(parts) + "\n"


def no_dossiers(status: str | None) -> str:
    which = f" ở trạng thái “{_STATUS_NAMES.get(status, status)}”" if status else ""
    return f"Không có hồ sơ nào{which}.\n"


def decided(unit_name: str, year: int, status: str, level: int | None, notified: int) -> str:
    what = "Đã trả lại" if status == "returned" else f"Đã công nhận mức {level}"
    return f"{what} hồ sơ năm {year} của {_line(unit_name)}; đã báo cho {notified} người.\n"


# --- end of issue 15: A review-chat -------------------------------------------------------------

# --- issue 15: web shell (part B) ---

HELP_WEB = (
    "chạy trang quản lý trên web (không có bot, không gửi nhắc hạn) cho cơ quan chưa dùng bot"
)
HELP_WEB_HOST = "địa chỉ lắng nghe (mặc định DVHT_HTTP_HOST)"
HELP_WEB_PORT = "cổng lắng nghe (mặc định DVHT_HTTP_PORT)"


def web_serving(base_url: str) -> str:
    return f"Trang quản lý đang chạy tại {base_url} (Ctrl-C để dừng)."


# --- issue 16: roster (part A1) -----------------------------------------------

HELP_ROSTER = "danh sách thành viên (Excel): tải mẫu, nhập số đếm theo chỉ tiêu"
HELP_ROSTER_TEMPLATE = "ghi mẫu danh sách thành viên (.xlsx) để đơn vị điền"
HELP_ROSTER_IMPORT = "đọc danh sách đã điền, in số đếm từng chỉ tiêu, ghi khi được đồng ý"
HELP_ROSTER_OUTPUT = "tệp .xlsx sẽ ghi"
HELP_ROSTER_FILE = "tệp danh sách thành viên (.xlsx) đã điền"
HELP_ROSTER_UNIT = "mã đơn vị; không có thì ghi mẫu chung cho đơn vị cấp huyện"
HELP_ROSTER_TINH = "mẫu chung cho đơn vị cấp tỉnh (khi không có --unit)"
HELP_ROSTER_TYPE = "loại đơn vị của mẫu chung, ví dụ pho_thong (khi không có --unit)"
HELP_ROSTER_YES = "ghi ngay, không hỏi lại"
ROSTER_ASK = "Ghi các số này? (có/không) "
ROSTER_NOT_RECORDED = "Chưa ghi số nào; các câu trả lời đã có giữ nguyên.\n"
ROSTER_NEEDS_YES = (
    "chưa ghi số nào: hãy chạy trên cửa sổ dòng lệnh để trả lời có/không, "
    "hoặc thêm --yes để ghi ngay."
)
ROSTER_TYPE_NEEDS_NO_UNIT = "--tinh và --loai chỉ dùng cho mẫu chung; với --unit, mẫu theo đơn vị."


def roster_written(path: str, size: int) -> str:
    return f"Đã ghi mẫu danh sách {path} ({size:,} byte).\n".replace(",", ".")


def roster_type_unknown(unit_type: str, tier: str, known: list[str]) -> str:
    return (
        f"loại đơn vị “{unit_type}” không có ở cấp {'tỉnh' if tier == 'tinh' else 'huyện'}; "
        f"chọn một trong: {', '.join(known)}."
    )


def roster_counts(members: int, counts: list[tuple[str, int]], pct: list[str]) -> str:
    """“Theo danh sách: 42 thành viên; 2.1 40/42 (95,2%); …”."""
    parts = [
        f"{indicator} {count}/{members} ({share})"
        for (indicator, count), share in zip(counts, pct, strict=True)
    ]
    return f"Theo danh sách: {members} thành viên; " + "; ".join(parts) + ".\n"


def roster_learners(total: int, citizens: int, share: str) -> str:
    return f"Người học: {total} người, {citizens} người đạt Công dân học tập ({share}).\n"


def roster_problems(count: int) -> str:
    return f"{count} chỗ chưa đếm được:\n"


def roster_problem(text: str) -> str:
    return f"  - {text}\n"


def roster_recorded(unit_id: int, year: int, answers: int, evidence_id: int) -> str:
    return (
        f"Đã ghi {answers} câu trả lời của đơn vị #{unit_id} năm {year} (lịch sử được giữ) "
        f"và thêm danh sách làm minh chứng số {evidence_id} cho các chỉ tiêu đó.\n"
    )


def roster_stale(state: str) -> str:
    if state == "confirmed":
        return "danh sách này đã được ghi rồi."
    return "đã có danh sách mới hơn được đọc sau danh sách này; hãy nhập lại danh sách mới."


def roster_file_unreadable(path: str, exc: Exception) -> str:
    return f"không đọc được tệp {path} ({type(exc).__name__})."


def roster_file_refused(reason: str) -> str:
    """A reader's or the store's sentence after “dvht: ”, which the CLI's lines start lower
    case."""
    return reason[:1].lower() + reason[1:] if reason else reason


# --- issue 16: dossier (part B) -----------------------------------------------
HELP_DOSSIER = (
    "đóng gói cả hồ sơ đề nghị công nhận vào một tệp ZIP: tờ trình, báo cáo, bảng tổng hợp, "
    "danh mục minh chứng và các tệp minh chứng"
)
HELP_DOSSIER_OUTPUT = "tệp ZIP ghi ra, hoặc thư mục (tên tệp tự đặt)"
DOSSIER_NOTHING_TO_REQUEST = (
    "đơn vị chưa đạt mức độ 1 nên chưa có gì để đề nghị công nhận; "
    "xem dvht report để biết còn thiếu gì."
)
DOSSIER_OFFICE_BLANK = "để trống trong tờ trình, điền theo kế hoạch của tỉnh"


def dossier_unwritable(path: str) -> str:
    return f"không ghi được hồ sơ vào {path}: thư mục không tồn tại hoặc không có quyền ghi."


def dossier_written(
    path: str, size: str, level: int, files: int, without_file: int, office: str | None
) -> str:
    lines = [
        f"Đã ghi hồ sơ {path} ({size}).",
        "Gồm: tờ trình (PDF, DOCX), báo cáo tự đánh giá (PDF, DOCX), bảng tổng hợp (XLSX), "
        f"danh mục minh chứng (PDF, XLSX) và {files} tệp minh chứng"
        + (f"; {without_file} minh chứng không có tệp." if without_file else "."),
        f"Đề nghị công nhận mức độ {level}; nơi nhận: {office or DOSSIER_OFFICE_BLANK}.",
    ]
    return "\n".join(lines) + "\n"
