"""Every sentence the bot says, in one place (Vietnamese; channel-neutral).

Refusals are one specific sentence; the engine then repeats the question. Wording for the
people who use it: officials on phones, so short lines and concrete examples.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from conversations.records import AnswerRecord
from dvht_core import vietnam_time
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, TIER_NAMES, Indicator
from dvht_core.numbers import format_pct

MEMBERS = "thành viên"
LEARNERS = "người học"

# --- buttons ---------------------------------------------------------------------------------
BTN_NEW_UNIT = "Tạo đơn vị mới"
BTN_HAVE_CODE = "Tôi có mã mời"
BTN_MET = "Đạt"
BTN_NOT_MET = "Chưa đạt"
BTN_SKIP = "Bỏ qua"
BTN_BACK = "Quay lại"
BTN_LATER = "Bổ sung sau"
BTN_DONE = "Xong"
BTN_NO_DESCRIPTION = "Không mô tả"
BTN_RETYPE = "Nhập lại"
BTN_REPORT = "Báo cáo"

# --- onboarding ------------------------------------------------------------------------------
ASK_CODE = "Hãy gửi mã mời mà quản trị đơn vị đã chia sẻ (ví dụ ABCD-EFGH)."
ASK_NAME = "Tên đơn vị của bạn là gì? Ví dụ: UBND xã Quảng Phú."
ASK_PROVINCE = "Đơn vị thuộc tỉnh, thành phố nào? Ví dụ: Thành phố Huế."
ASK_TYPE = (
    "Đơn vị của bạn thuộc loại nào? Loại đơn vị quyết định bộ tiêu chí (cấp huyện hay cấp tỉnh)."
)
ASK_MEMBERS = (
    "Đơn vị có tổng cộng bao nhiêu thành viên (cán bộ, công chức, viên chức, người lao động)? "
    "Gõ một số, ví dụ 30. Số này dùng để tính mọi tỷ lệ."
)
ASK_LEARNERS = "Cơ sở giáo dục có tổng cộng bao nhiêu người học? Gõ một số, ví dụ 1200."
ONBOARDING_CANCELLED = "Đã hủy. Gõ /start khi bạn muốn bắt đầu lại."


def welcome(name: str) -> str:
    return (
        f"Chào {name}! Tôi giúp đơn vị tự đánh giá “Đơn vị học tập” theo Thông tư "
        "24/2023/TT-BGDĐT: đi qua từng chỉ tiêu, ghi minh chứng, cho biết kết quả và còn thiếu "
        "gì. Bạn muốn tạo đơn vị mới hay tham gia đơn vị bằng mã mời?"
    )


def welcome_back(unit_name: str) -> str:
    return f"Chào mừng trở lại! Đơn vị: {unit_name}."


def joined(unit_name: str) -> str:
    return f"Bạn đã tham gia đơn vị {unit_name}."


def unit_created(unit_name: str, code: str) -> str:
    return (
        f"Đã tạo đơn vị {unit_name}; bạn là quản trị đơn vị.\n"
        f"Mã mời đồng nghiệp: {code} (dùng trong 30 ngày). Đồng nghiệp gửi “/start {code}” "
        "cho bot là cùng điền một hồ sơ.\nBắt đầu với chỉ tiêu đầu tiên:"
    )


# --- the walk --------------------------------------------------------------------------------
BACK_TO_QUESTION = "Quay lại câu hỏi đang làm:"
EVIDENCE_LATER = (
    "Đã ghi nhận: minh chứng sẽ bổ sung sau (chỉ tiêu chưa có minh chứng tính là không đạt)."
)
DESCRIPTION_SAVED = "Đã lưu mô tả hiện trạng."
WALK_FINISHED = "Bạn đã đi hết các chỉ tiêu. Kết quả hiện tại:"
PAUSED = "Đã lưu, tạm dừng. Gõ “tiếp tục” hoặc /danhgia để làm tiếp đúng chỗ này."
NOTHING_TO_PAUSE = "Không có câu hỏi nào đang chờ. Gõ /danhgia để đánh giá."
CANCELLED = (
    "Đã dừng câu hỏi hiện tại; các câu trả lời đã lưu vẫn giữ nguyên. Gõ /danhgia để làm tiếp."
)
AT_FIRST = "Đây là chỉ tiêu đầu tiên, không quay lại được nữa."
NOT_IN_WALK = "Bạn chưa ở trong phần đánh giá. Gõ /danhgia để bắt đầu."
NOT_HERE = "Ở bước này không quay lại hay bỏ qua được; hãy trả lời câu hỏi, hoặc gõ /huy để dừng."
NOTHING_TO_EDIT = "Chưa có chỉ tiêu nào được trả lời để sửa."
PICK_TO_EDIT = "Chọn chỉ tiêu muốn sửa (hoặc gõ “sửa 2.4”):"
IDLE_HINT = "Gõ /danhgia để đánh giá, /ketqua để xem kết quả, hoặc hỏi “cần gì để đạt mức 2”."
UNKNOWN_TEXT = (
    "Tôi chưa hiểu. Bạn có thể hỏi: “cần gì để đạt mức 2”, “chỉ tiêu 2.4 là gì”, “tiến độ”, "
    "“còn thiếu minh chứng gì”, “hạn nộp hồ sơ khi nào”, “nộp cho ai”, hoặc gõ /huongdan."
)
EMPTY_MESSAGE = "Tin nhắn trống; hãy trả lời câu hỏi bên dưới."
STALE_BUTTON = "Nút này thuộc câu hỏi cũ; hãy trả lời câu hỏi hiện tại."
ANSWER_FIRST = "Hãy trả lời chỉ tiêu trước; phần minh chứng sẽ hỏi ngay sau đó."
FILE_NOT_NOW = "Chưa cần tệp lúc này: hãy trả lời câu hỏi trước, phần minh chứng sẽ hỏi sau."
FILE_NOT_RECEIVED = "Không nhận được tệp; hãy gửi lại."
# --- storage faults (issue 11: a busy database, a full disk, a database that is down) ---------
STORAGE_BUSY = "Hệ thống đang bận; câu trả lời chưa được lưu, hãy gửi lại sau ít phút."
STORAGE_FULL = (
    "Máy chủ hết dung lượng lưu trữ; câu trả lời chưa được lưu. Hãy báo quản trị hệ thống, rồi "
    "gửi lại sau."
)
STORAGE_DOWN = (
    "Tạm thời không kết nối được cơ sở dữ liệu; câu trả lời chưa được lưu, "
    "hãy gửi lại sau ít phút."
)
# --- end of storage faults --------------------------------------------------------------------
INTERNAL_ERROR = "Có lỗi khi xử lý tin nhắn, câu trả lời chưa được lưu. Vui lòng gửi lại."
ACCESS_DENIED = "Bạn không có quyền với đơn vị này; hãy xin mã mời từ quản trị đơn vị."
CLOSED_ASSESSMENT = (
    "Hồ sơ năm nay đã gửi đi nên không sửa được nữa; hãy liên hệ cơ quan tiếp nhận."
)
NO_UNIT_YET = "Bạn chưa thuộc đơn vị nào. Gõ /start để tạo đơn vị hoặc tham gia bằng mã mời."


def _bars(indicator: Indicator, unit_type: str) -> str:
    level1, level2 = bar_text(indicator, 1, unit_type), bar_text(indicator, 2, unit_type)
    return f"Mức độ 1: {level1} · Mức độ 2: {level2}"


def bar_text(indicator: Indicator, level: int, unit_type: str) -> str:
    bar = indicator.thresholds.level1 if level == 1 else indicator.thresholds.level2
    kind = indicator.kind
    if kind in ("member_ratio", "member_learner_ratio"):
        text = f"≥ {bar}% thành viên"
        learner = indicator.learner_thresholds
        if learner is not None and indicator.learners_apply(unit_type):
            text += f", ≥ {learner.level1 if level == 1 else learner.level2}% người học"
        return text
    if kind == "emulation_title":
        return f"từ “{EMULATION_TITLES[str(bar)]}” trở lên"
    if kind == "digital_level":
        return f"“{DIGITAL_LEVELS[str(bar)]}”"
    return "đáp ứng, có minh chứng"


def indicator_question(
    indicator: Indicator,
    unit_type: str,
    position: int,
    total: int,
    members: int | None,
    last: AnswerRecord | None,
    evidence_count: int = 0,
) -> str:
    # One indicator number in the header (“2.1 · Tiêu chí 2 · 6/13”): “Chỉ tiêu 6/13 — 2.1”
    # read as two indicator numbers (issue 12).
    lines = [
        f"{indicator.id} · Tiêu chí {indicator.id.split('.')[0]} · {position}/{total} — "
        f"{indicator.short}",
        indicator.text_for(1, unit_type),
        _bars(indicator, unit_type),
        f"Minh chứng thường dùng: {'; '.join(indicator.evidence[:2])}.",
    ]
    note = indicator.uncertainty_for(unit_type)
    if note:
        lines.append(f"Lưu ý: {note}")
    if last is not None:
        who = last.answered_by_name or "một thành viên"
        lines.append(f"Đã trả lời: {answer_text(last.value)} — {who}, {_when(last.answered_at)}.")
        if evidence_count:
            lines.append(evidence_on_file(evidence_count))
    kind = indicator.kind
    if kind in ("yes_no", "accreditation"):
        lines.append("Đơn vị đã đạt chỉ tiêu này chưa?")
    elif kind == "emulation_title":
        lines.append("Năm đánh giá, đơn vị đạt danh hiệu thi đua tập thể nào?")
    elif kind == "digital_level":
        lines.append("Kết quả đánh giá mức độ chuyển đổi số của đơn vị là mức nào?")
    else:
        lines.append(
            f"Bao nhiêu thành viên (trên tổng {members}) {indicator.measure}? "
            f"Gõ số người, ví dụ {max(0, (members or 30) - 2)}, "
            f"{max(0, (members or 30) - 2)}/{members or 30} hoặc 90%."
        )
    return "\n".join(lines)


def _when(moment: dt.datetime) -> str:
    return vietnam_time.local(moment).strftime("%H:%M %d/%m/%Y")


def answer_text(value: dict[str, Any]) -> str:
    if "met" in value:
        return "đạt" if value["met"] else "chưa đạt"
    if "title" in value:
        return EMULATION_TITLES.get(str(value["title"]), str(value["title"]))
    if "dt_level" in value:
        return DIGITAL_LEVELS.get(str(value["dt_level"]), str(value["dt_level"]))
    text = f"{value.get('count')} thành viên"
    if "learners_count" in value:
        text += f", {value['learners_count']} người học"
    return text


def answer_saved(indicator: Indicator, value: dict[str, Any]) -> str:
    return f"Đã lưu {indicator.id}: {answer_text(value)}."


def digital(name: str) -> str:
    return name[0].upper() + name[1:]


def learners_question(indicator: Indicator, learners: int | None) -> str:
    return (
        f"{indicator.id}: bao nhiêu người học (trên tổng {learners}) đạt danh hiệu “Công dân học "
        "tập”? Gõ số người, ví dụ 1150."
    )


def learners_whole_number(exact: Fraction) -> str:
    return f"Tỷ lệ này ứng với {float(exact):.1f} người học; hãy gõ số người cụ thể."


def confirm_percent(value: int, percent: str | None, exact: str, total: int) -> str:
    """`exact` is the count as a fraction ("2821/100"), `percent` as typed ("91")."""
    shown = f"{float(Fraction(exact)):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return (
        f"{percent}% của {total} thành viên là {shown} người, không phải số "
        f"nguyên. Ghi {value} người ({format_pct(value, total)}) nhé?"
    )


def confirm_button(value: int) -> str:
    return f"Đúng, {value} người"


def evidence_question(indicator: Indicator) -> str:
    """The evidence question while the indicator has none (`evidence_listing` once it has)."""
    return (
        f"Minh chứng cho {indicator.id}: gửi tệp hoặc ảnh, hoặc gõ tên văn bản, ví dụ "
        f"“{indicator.evidence[0]}”. Chưa có thì chọn “Bổ sung sau”."
    )


def evidence_added(title: str) -> str:
    return f"Đã ghi minh chứng: {title}. Gửi thêm, hoặc chọn “Xong”."


def file_added(title: str, size: int) -> str:
    return f"Đã nhận tệp {title} ({_size(size)}). Gửi thêm, hoặc chọn “Xong”."


def file_attached(name: str, size: int) -> str:
    return f"Đã nhận thêm tệp {name} ({_size(size)}) vào cùng minh chứng (cùng một lần gửi)."


def file_already_there(name: str, indicator_id: str) -> str:
    return f"Tệp {name} đã có trong minh chứng của {indicator_id}; không cần gửi lại."


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def description_question(indicator: Indicator) -> str:
    return (
        f"Mô tả ngắn hiện trạng của {indicator.id} cho báo cáo (không bắt buộc), ví dụ "
        "“Đơn vị ban hành kế hoạch số 12/KH-UBND, tổ chức 4 lớp bồi dưỡng”. Không cần thì chọn "
        "“Không mô tả”."
    )


def skipped(indicator_id: str) -> str:
    return f"Đã bỏ qua {indicator_id} (tính là chưa trả lời; gõ “sửa {indicator_id}” để quay lại)."


# --- the console's /file: what cannot be read as a local file (issue 11, item 5) -----------
LOCAL_FILE_NO_PATH = "Hãy gõ đường dẫn của tệp sau /file, ví dụ /file ~/ke-hoach.pdf."


def local_file_missing(path: str) -> str:
    return f"Không tìm thấy tệp {path}; hãy kiểm tra lại đường dẫn."


def local_file_is_directory(path: str) -> str:
    return f"{path} là một thư mục, không phải tệp; hãy gõ đường dẫn của một tệp trong đó."


def local_file_is_device(path: str) -> str:
    return f"{path} là một thiết bị, không phải tệp; hãy gửi tệp PDF, ảnh, Word hoặc Excel."


def local_file_is_fifo(path: str) -> str:
    return f"{path} là một ống dẫn (FIFO), không phải tệp; hãy gửi một tệp đã lưu trên máy."


def local_file_not_regular(path: str) -> str:
    return f"{path} không phải là tệp thường; hãy gửi một tệp đã lưu trên máy."


def local_file_no_permission(path: str) -> str:
    return f"Không có quyền đọc tệp {path}; hãy cấp quyền đọc hoặc chép tệp sang chỗ khác."


def local_file_unreadable(path: str) -> str:
    return f"Không đọc được tệp {path}; hãy kiểm tra lại đường dẫn và tệp."


def local_file_too_large(path: str, size: int | None, limit: int) -> str:
    """`size` None: the file is larger than it said (a file growing, a /proc file)."""
    shown = f"hơn {_bytes(limit)}" if size is None else _bytes(size)
    return f"Tệp {path} quá lớn ({shown}), giới hạn là {_bytes(limit)}."


def _bytes(size: int) -> str:
    """As the evidence store writes sizes: 1023 byte, 1,5 KB, 20 MB, 25,3 MB."""
    if size < 1024:
        return f"{size} byte"
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if round(value, 1) < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f}".removesuffix(".0").replace(".", ",") + f" {unit}"


# --- refusals of typed values ----------------------------------------------------------------
EMPTY_NUMBER = "Hãy gõ một số, ví dụ 27."
NEGATIVE = "Số người không thể âm."
NOT_WHOLE = "Số người phải là số nguyên, ví dụ 27 (không phải 27,5)."
EMPTY_TEXT = "Nội dung trống; hãy gõ lại."
NO_LETTERS = "Nội dung cần có chữ hoặc số, không chỉ biểu tượng."

# --- text hygiene: invisible characters in typed names and titles (issue 11, item 9) ---------
INVISIBLE_ONLY = "Nội dung chỉ có ký tự ẩn (không hiển thị được); hãy gõ lại bằng chữ."
BROKEN_CHARACTERS = "Tin nhắn có ký tự bị lỗi mã hóa; hãy gõ lại."
NAME_EMPTY = "Tên đơn vị không được để trống; hãy gõ tên bằng chữ, ví dụ UBND xã Quảng Phú."
PROVINCE_EMPTY = "Tên tỉnh, thành phố không được để trống; hãy gõ bằng chữ, ví dụ Thành phố Huế."


def not_a_number(what: str) -> str:
    return f"Hãy gõ số {what}, ví dụ 27, 27/30 hoặc 90%."


def above_total(number: int, total: int, what: str) -> str:
    return f"Số người ({number}) lớn hơn tổng số {what} ({total}); hãy gõ lại."


def wrong_denominator(denominator: int, total: int, what: str) -> str:
    return (
        f"Tổng số {what} của đơn vị là {total}, không phải {denominator}; "
        "hãy gõ số người, ví dụ 27."
    )


def bad_percent(text: str) -> str:
    return f"Tỷ lệ {text}% không hợp lệ; phải từ 0% đến 100%."


def total_not_a_number(what: str) -> str:
    example = "1200" if what == LEARNERS else "30"  # as the question itself says
    return f"Hãy gõ tổng số {what} bằng một số nguyên, ví dụ {example}."


def total_too_small(what: str) -> str:
    return f"Tổng số {what} phải lớn hơn 0."


def total_too_large(what: str) -> str:
    return f"Tổng số {what} quá lớn; hãy kiểm tra lại."


def too_long(length: int, limit: int) -> str:
    def grouped(number: int) -> str:
        return f"{number:,}".replace(",", ".")  # 10.000: the Vietnamese thousands separator

    return f"Nội dung quá dài ({grouped(length)} ký tự, tối đa {grouped(limit)}); hãy rút gọn."


# --- results and quick answers -----------------------------------------------------------------
UNMET_HEADING = "Chỉ tiêu không đạt:"
NO_MISSING_EVIDENCE = "Mọi chỉ tiêu đã trả lời đều có minh chứng."
REPORT_TEXT_ONLY = "Kênh này chưa gửi được tệp PDF; đây là bản tóm tắt của báo cáo."
REPORT_CAPTION = (
    "Báo cáo tự đánh giá (PDF): bảng tổng hợp, từng chỉ tiêu, kết luận, minh chứng còn thiếu."
)
REPORT_DOCX_CAPTION = "Cùng báo cáo ở dạng Word (DOCX) để sửa theo mẫu của tỉnh, ký và đóng dấu."
REPORT_XLSX_CAPTION = "Bảng tổng hợp kết quả các tiêu chí, chỉ tiêu (Excel)."


def result_heading(level: int, level_name: str, reason: str) -> str:
    return f"KẾT QUẢ: {level_name.upper()}\n{reason}"


def criterion_line(criterion_id: str, title: str, level: int) -> str:
    names = {0: "không đạt", 1: "mức độ 1", 2: "mức độ 2"}
    return f"• Tiêu chí {criterion_id} ({title}): {names[level]}"


def unmet_line(indicator_id: str, reason: str) -> str:
    return f"• {indicator_id}: {reason}"


def missing_line(indicator_ids: list[str]) -> str:
    return f"Còn thiếu minh chứng: {', '.join(indicator_ids)}."


def gap_heading(target: int) -> str:
    return f"Để đạt mức độ {target}:"


def more_items(count: int, target: int) -> str:
    return f"… và {count} mục nữa (hỏi “cần gì để đạt mức {target}” để xem đủ)."


LEVEL_2_AFTERWARDS = "Sau mức độ 1, hỏi “cần gì để đạt mức 2” để xem yêu cầu mức độ 2."


def warning_line(warning: str) -> str:
    return f"⚠ {warning}"


def level_reached(level: int) -> str:
    return f"Với các câu trả lời hiện có, đơn vị đã đạt yêu cầu mức độ {level}."


def need_with_figures(level: int, messages: list[str], repeated: int = 0) -> str:
    """What a level needs; `repeated`: the indicators of level 1's list just above whose needs
    are the same for this level, not listed twice."""
    if repeated and not messages:
        return f"Để đạt mức độ {level}: hoàn thành {repeated} chỉ tiêu nêu ở trên là đủ."
    head = f"Để đạt mức độ {level}, "
    head += f"ngoài {repeated} chỉ tiêu nêu ở trên, " if repeated else ""
    return head + "đơn vị còn cần:\n" + "\n".join(f"• {m}" for m in messages)


def need_from_rulebook(
    level: int, unit_type_name: str, items: list[tuple[str, str, str]], *, example: bool
) -> str:
    head = f"Để đạt mức độ {level} ({unit_type_name}"
    head += ", ví dụ khi chưa có đơn vị" if example else ""
    lines = [head + "), mọi chỉ tiêu sau phải đạt và có minh chứng:"]
    lines += [f"• {i} {short}: {bar}" for i, short, bar in items]
    return "\n".join(lines)


def criterion_info(criterion_id: str, title: str, items: list[tuple[str, str]]) -> str:
    lines = [f"Tiêu chí {criterion_id}: {title}. Gồm các chỉ tiêu áp dụng cho đơn vị:"]
    lines += [f"• {i} {short}" for i, short in items]
    lines.append("Tiêu chí chỉ đạt khi mọi chỉ tiêu của nó đạt.")
    return "\n".join(lines)


def no_such_criterion(criterion_id: str | None) -> str:
    return f"Không có tiêu chí {criterion_id or ''}; TT24 có tiêu chí 1, 2 và 3.".replace(
        "  ", " "
    )


def no_such_indicator(indicator_id: str) -> str:
    return (
        f"Không có chỉ tiêu {indicator_id} cho đơn vị này; "
        "gõ “tiêu chí 2 gồm những gì” để xem danh sách."
    )


def indicator_info(
    indicator: Indicator,
    unit_type: str,
    applies: bool,
    bars: tuple[str, str],
    current: str | None,
    legal_source: str,
) -> str:
    """What an indicator asks. It cites the law (the indicator's `source`, a legal citation),
    never the research trail behind the data (`basis` in the rulebook, not loaded at runtime);
    the uncertainty note only when it concerns this unit type."""
    lines = [f"Chỉ tiêu {indicator.id}. {indicator.short}", indicator.text_for(1, unit_type)]
    if not applies:
        lines.append("Chỉ tiêu này không áp dụng cho loại đơn vị của bạn.")
    lines.append(f"Mức độ 1: {bars[0]} · Mức độ 2: {bars[1]}")
    lines.append("Minh chứng thường dùng: " + "; ".join(indicator.evidence_of(unit_type)) + ".")
    note = indicator.uncertainty_for(unit_type)
    if note:
        lines.append(f"Lưu ý: {note}")
    if current:
        lines.append(f"Đơn vị hiện tại: {current}")
    lines.append(f"Căn cứ: {legal_source}.")
    return "\n".join(lines)


def missing_evidence_list(items: list[tuple[str, bool, str]]) -> str:
    lines = ["Còn thiếu minh chứng:"]
    for indicator_id, answered, suggestion in items:
        state = "" if answered else " (chưa trả lời)"
        lines.append(f"• {indicator_id}{state}: ví dụ {suggestion}")
    return "\n".join(lines)


def progress(answered: int, total: int, remaining: list[str], missing: int) -> str:
    text = f"Tiến độ: đã trả lời {answered}/{total} chỉ tiêu."
    if remaining:
        text += f" Còn: {', '.join(remaining)}."
    if missing:
        text += f" {missing} chỉ tiêu đã trả lời nhưng chưa có minh chứng."
    return text


# --- quick answers (issue 12, item 8): only what concerns this unit ---------------------------
NO_ANSWERS_YET = (
    "Đơn vị chưa trả lời chỉ tiêu nào nên chưa có kết quả. Gõ /danhgia để bắt đầu đánh giá."
)


def quick_no_such_indicator(indicator_id: str, groups: list[tuple[str, list[str]]]) -> str:
    """“chỉ tiêu 9.9 là gì”: the indicators that exist for this unit, by criterion."""
    named = f"chỉ tiêu {indicator_id}" if indicator_id else "chỉ tiêu đó"
    listed = "; ".join(f"tiêu chí {c}: {', '.join(ids)}" for c, ids in groups if ids)
    return f"Không có {named} cho đơn vị này. Các chỉ tiêu của đơn vị: {listed}."


# The answer on deadlines reads the unit's calendar since issue 13: `calendar_deadline` below.


# --- end of the quick answer on deadlines ------------------------------------------------------


HELP = (
    "Tôi giúp đơn vị tự đánh giá “Đơn vị học tập” theo Thông tư 24/2023/TT-BGDĐT.\n"
    "• /danhgia: đánh giá (tiếp tục đúng chỗ đang dừng)\n"
    "• /ketqua: kết quả hiện tại và còn thiếu gì\n"
    "• /baocao: báo cáo tự đánh giá\n"
    "• /sua 2.4: sửa câu trả lời một chỉ tiêu\n"
    "• /donvi: thông tin đơn vị (tên, tỉnh, loại, số thành viên); quản trị đơn vị sửa được\n"
    "• /hoi: hỏi nhanh, ví dụ “cần gì để đạt mức 2”, “chỉ tiêu 2.4 là gì”, “tiến độ”, "
    "“còn thiếu minh chứng gì”, “hạn nộp hồ sơ khi nào”, “còn bao nhiêu ngày”, “nộp cho ai”, "
    "“ai công nhận”\n"
    "• “quay lại”, “bỏ qua”, “tạm dừng”, /huy: điều hướng\n"
    "• /tatnhacnho, /batnhacnho (hoặc gõ “tắt nhắc nhở”, “bật nhắc nhở”): tắt hoặc bật tin nhắc "
    "hạn nộp hồ sơ và thông báo chung\n"
    "• /lienket: dùng chung một hồ sơ trên Telegram và Zalo (lấy mã ở ứng dụng này, gõ "
    "/lienket kèm mã ở ứng dụng kia)\n"
    "• /nop (hoặc gõ “nộp hồ sơ”): quản trị viên đơn vị nộp hồ sơ khi đã tự đánh giá đạt mức 1 "
    "trở lên\n"
    "• /hoso (hoặc gõ “tải hồ sơ”): quản trị viên đơn vị tải cả hồ sơ trong một tệp ZIP: tờ "
    "trình, báo cáo, bảng tổng hợp, danh mục và các tệp minh chứng\n"
    "• /dangnhap: liên kết đăng nhập trang quản lý (quản trị viên đơn vị, người thẩm định)\n"
    "• /danhsach: mẫu danh sách thành viên (Excel); gửi lại tệp đã điền, bot đếm các chỉ tiêu "
    "2.1–2.5 và 3.1\n"
    "Trong nhóm chat, bot chỉ trả lời lệnh và không bao giờ hiện câu trả lời hay minh chứng "
    "của ai; hãy nhắn riêng cho bot để đánh giá."
)
GROUP_HELP = HELP
GROUP_PRIVATE = (
    "Để tự đánh giá, hãy nhắn riêng cho bot; trong nhóm bot không hiện câu trả lời của ai."
)


# --- words officials type, option numbers, channel hints, pause (issue 12, item 2) -----------
# `buttons`: the channel shows buttons (Telegram); otherwise options are a numbered list
# (the console, Zalo), so a hint says “bấm nút” only where there is a button to press.


def _pick(buttons: bool) -> str:
    return "bấm nút hoặc gõ tên mục" if buttons else "gõ số thứ tự hoặc tên mục"


def how_to_answer(numbered: bool, navigation: list[str]) -> str:
    """The last line of a numbered list: how to answer, and the navigation words to type
    (“bỏ qua”, “quay lại”): they get no number, so a number always means an option (or, on a
    count question, the count)."""
    words = ", ".join(f"“{word}” để {word}" for word in navigation)
    if numbered and navigation:
        return f"Trả lời bằng số thứ tự hoặc gõ nội dung lựa chọn; gõ {words}."
    if numbered:
        return "Trả lời bằng số thứ tự hoặc gõ nội dung lựa chọn."
    return f"Gõ {words}."


def pick_a_type(buttons: bool) -> str:
    return (
        f"Hãy chọn một loại đơn vị trong danh sách ({_pick(buttons)}), "
        "ví dụ “UBND xã” hoặc “trường THCS”."
    )


def pick_an_option(buttons: bool) -> str:
    return f"Hãy chọn một mục trong danh sách ({_pick(buttons)})."


def pick_a_start(buttons: bool) -> str:
    how = "bấm một nút" if buttons else "gõ 1 hoặc 2"
    return f"Hãy chọn “{BTN_NEW_UNIT}” hoặc “{BTN_HAVE_CODE}” ({how})."


def yes_no_expected(buttons: bool) -> str:
    how = "bấm nút" if buttons else "gõ 1 hoặc 2"
    return f"Hãy trả lời “đạt” hoặc “chưa đạt” (hoặc {how})."


def confirm_or_retype(buttons: bool) -> str:
    if buttons:
        return "Hãy bấm “Đúng” để ghi số này, hoặc “Nhập lại”."
    return "Hãy gõ 1 (hoặc “đúng”) để ghi số này, hoặc 2 (“nhập lại”)."


def sticker(buttons: bool) -> str:
    how = "trả lời bằng chữ hoặc bấm nút" if buttons else "gõ câu trả lời bằng chữ hoặc số thứ tự"
    return f"Tôi chưa đọc được nhãn dán; hãy {how}."


def out_of_range(number: int, count: int, buttons: bool) -> str:
    """A typed number that names no option of the question on screen. Where the options are
    buttons, they carry no number on screen: the hint is the button, not a range."""
    if buttons:
        return f"Không có lựa chọn số {number}; hãy bấm một nút hoặc gõ tên lựa chọn."
    listed = "chỉ có lựa chọn số 1" if count == 1 else f"hãy gõ số từ 1 đến {count}"
    return f"Không có lựa chọn số {number}; {listed}."


def guess(labels: list[str], buttons: bool) -> str:
    """“Ý bạn là …?”: typed words close to one or a few options, asked rather than guessed."""
    if len(labels) == 1:
        return f"Ý bạn là “{labels[0]}”? Trả lời “có” để chọn, hoặc “không” để xem lại danh sách."
    named = " hay ".join(f"“{label}”" for label in labels)
    how = "bấm nút" if buttons else "gõ số thứ tự"
    return f"Ý bạn là {named}? Hãy {how} để chọn, hoặc trả lời “không” để xem lại danh sách."


def paused_answer(indicator_id: str | None) -> str:
    """An answer sent while the walk is paused: nothing is stored, and how to go on."""
    where = f" {indicator_id}" if indicator_id else ""
    return f"Đang tạm dừng; gõ “tiếp tục” để làm tiếp{where}."


def resume_offer(indicator_id: str) -> str:
    """The console, started again over a dialogue left in the middle of an indicator."""
    return (
        f"Bạn đang dừng ở chỉ tiêu {indicator_id}. Gõ “tiếp tục” để làm tiếp, hoặc /huongdan "
        "để xem các lệnh."
    )


# --- end of words officials type, option numbers, channel hints, pause ------------------------


# --- issue 12 (evidence you can correct, strengths and weaknesses, skipped indicators, edits) --
BTN_NO_STRENGTHS = "Không có"
BTN_ANSWER_SKIPPED = "Trả lời các chỉ tiêu đã bỏ qua"
NO_SKIPPED = "Không còn chỉ tiêu nào đã bỏ qua mà chưa trả lời."
EVIDENCE_ITEM_GONE = "Minh chứng này đã được xóa hoặc không thuộc chỉ tiêu đang làm."
EVIDENCE_NUMBER_NEEDED = "Hãy ghi số thứ tự của minh chứng, ví dụ “xóa minh chứng 2”."
RENAME_FORMAT = "Hãy gõ theo mẫu “đổi tên minh chứng 2 thành Kế hoạch số 12/KH-UBND”."
STRENGTHS_FORMAT = (
    "Hãy ghi rõ “Điểm mạnh: …” và/hoặc “Tồn tại: …”, ví dụ “Tồn tại: còn 3 thành viên chưa "
    "tham gia học tập”, hoặc gõ “không”."
)
_TITLE_CHARS = 80
"""How much of an evidence title a list line or a confirmation shows (titles run to 500)."""


def unknown_command(command: str) -> str:
    shown = command if len(command) <= 30 else command[:29] + "…"
    return f"Lệnh không rõ: {shown}; gõ /huongdan để xem các lệnh."


def title_is_a_number(text: str, example: str) -> str:
    return f"“{text}” chưa phải tên văn bản; hãy gõ tên đầy đủ, ví dụ “{example}”."


def title_is_an_answer(text: str) -> str:
    return (
        f"“{text}” là một câu trả lời, không phải tên văn bản; ở bước này hãy gửi minh chứng: "
        "tên văn bản, tệp hoặc ảnh."
    )


def title_too_short(text: str, example: str) -> str:
    return f"“{text}” quá ngắn để là tên văn bản; hãy gõ tên đầy đủ, ví dụ “{example}”."


def title_is_a_question(text: str) -> str:
    return (
        f"“{_short_title(text)}” là một câu hỏi, không phải tên văn bản; hãy gửi minh chứng, "
        "hỏi lại sau khi xong bước này, hoặc gõ /huongdan."
    )


def title_already_there(title: str, number: int, indicator_id: str) -> str:
    return (
        f"“{_short_title(title)}” đã có trong minh chứng của {indicator_id} (minh chứng "
        f"{number}); không cần gõ lại."
    )


def _short_title(title: str) -> str:
    return title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1].rstrip() + "…"


def evidence_listing(indicator: Indicator, titles: list[str]) -> str:
    """The evidence question once the indicator has evidence: each item numbered, so a
    corrected answer never keeps the old list silently, with the words to keep or remove it."""
    lines = [f"Minh chứng cho {indicator.id}: đã có {len(titles)} mục."]
    lines += [f"Minh chứng {n}: {_short_title(t)}" for n, t in enumerate(titles[:10], start=1)]
    if len(titles) > 10:
        lines.append(f"… và {len(titles) - 10} mục nữa.")
    lines.append(
        "Giữ tất cả: “xong”. Bỏ một mục: “xóa minh chứng 1”. Đổi tên: “đổi tên minh chứng 1 "
        "thành …”. Gửi thêm tệp, ảnh hoặc tên văn bản nếu cần."
    )
    return "\n".join(lines)


def remove_button(number: int) -> str:
    return f"Xóa minh chứng {number}"


def evidence_removed(number: int, title: str, indicator_id: str) -> str:
    return (
        f"Đã xóa minh chứng {number} “{_short_title(title)}” khỏi {indicator_id} "
        "(vẫn lưu trong lịch sử)."
    )


def evidence_renamed(number: int, old: str, new: str) -> str:
    return f"Đã đổi tên minh chứng {number}: “{_short_title(old)}” → “{_short_title(new)}”."


def no_such_evidence(number: int, indicator_id: str, count: int) -> str:
    if count == 0:
        return f"Chỉ tiêu {indicator_id} chưa có minh chứng nào để xóa hay đổi tên."
    listed = "1" if count == 1 else f"1–{count}"
    return f"Chỉ tiêu {indicator_id} không có minh chứng {number}; hiện có {count} mục ({listed})."


def evidence_on_file(count: int) -> str:
    """A line of the value question of an indicator being corrected (“sửa 2.4”)."""
    return f"Minh chứng hiện có: {count} mục; sau khi trả lời, bạn chọn giữ hay xóa từng mục."


def photo_name(indicator_id: str, number: int) -> str:
    """An uncaptioned photo: the indicator and a number, so the report's list tells them apart."""
    return f"Ảnh minh chứng {indicator_id} ({number})"


def strengths_question(indicator_id: str) -> str:
    return (
        f"Điểm mạnh và tồn tại của {indicator_id} cho báo cáo (không bắt buộc): gõ theo mẫu "
        "“Điểm mạnh: …; Tồn tại: …” (có thể chỉ một phần). Không có thì gõ “không”."
    )


def strengths_saved(strengths: str | None, weaknesses: str | None) -> str:
    parts = [
        f"{label}: {text}"
        for label, text in (("điểm mạnh", strengths), ("tồn tại", weaknesses))
        if text
    ]
    return "Đã lưu " + "; ".join(parts) + "."


def skipped_offer(indicator_ids: list[str]) -> str:
    return (
        f"Còn {len(indicator_ids)} chỉ tiêu đã bỏ qua, chưa trả lời: {', '.join(indicator_ids)}."
    )


def id_range(indicator_ids: list[str]) -> str:
    """“3.1–3.4” for consecutive indicators of one criterion, else “3.1, 3.2, 3.4”."""
    numbers = [int(i.split(".")[1]) for i in indicator_ids]
    consecutive = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    if len(indicator_ids) > 2 and consecutive:
        return f"{indicator_ids[0]}–{indicator_ids[-1]}"
    return ", ".join(indicator_ids)


def edit_not_applicable(indicator_id: str, unit_type: str, criterion: str, ids: str) -> str:
    return (
        f"Chỉ tiêu {indicator_id} không áp dụng cho {unit_type}; tiêu chí {criterion} gồm {ids}."
    )


def edit_no_such_indicator(indicator_id: str, criterion: str, ids: str) -> str:
    return f"Không có chỉ tiêu {indicator_id}; tiêu chí {criterion} gồm {ids}."


def edit_no_such_criterion(indicator_id: str, criteria: list[tuple[str, str]]) -> str:
    listed = ", ".join(f"tiêu chí {c} ({ids})" for c, ids in criteria)
    return f"Không có chỉ tiêu {indicator_id}; đơn vị có {listed}."


# --- end of issue 12 --------------------------------------------------------------------------


# --- unit details: /donvi, “sửa số thành viên”, an unusual total (issue 12, item 3) ------------
BTN_UNIT_DONE = "Xong"
UNIT_FIELD_LABELS = {
    "name": "Tên đơn vị",
    "province": "Tỉnh, thành phố",
    "unit_type": "Loại đơn vị",
    "members": "Số thành viên",
    "learners": "Số người học",
    "receiving_office": "Nơi nhận hồ sơ",
}
UNIT_ADMIN_ONLY = (
    "Chỉ quản trị đơn vị (người tạo đơn vị hoặc nhận mã mời quản trị) mới sửa được thông tin "
    "đơn vị; hãy nhờ quản trị đơn vị sửa."
)
UNIT_NO_UNIT = "Bạn chưa có đơn vị. Gõ /start để tạo đơn vị mới hoặc tham gia bằng mã mời."
UNIT_PICK_FIELD = "Hãy chọn mục cần sửa trong danh sách, hoặc “Xong” để quay lại đánh giá."
UNIT_NOTHING_CHANGED = "Giá trị này đã như vậy; không có gì thay đổi."
CONFIRM_TOTAL_HINT = "Hãy trả lời “có” nếu đúng, “nhập lại” nếu sai, hoặc gõ ngay số đúng."
UNIT_ANSWERS_KEPT_NOTE = "câu trả lời vẫn được lưu nhưng không còn được tính"
LEARNERS_NOW_NEEDED = (
    "Ở cấp tỉnh, chỉ tiêu 3.1 của cơ sở giáo dục tính cả người học: hãy khai báo tổng số "
    "người học (mục “Số người học”)."
)


def grouped_number(number: int) -> str:
    """10.000: the Vietnamese thousands separator."""
    return f"{number:,}".replace(",", ".")


def unit_details(
    name: str,
    province: str,
    kind: str,
    tier: str,
    year: int,
    members: int | None,
    learners: int | None,
    *,
    show_learners: bool,
    admin: bool,
    office: str | None = None,
) -> str:
    """/donvi: the unit's details, and what the reader can do with them."""
    unknown = "chưa khai báo"
    lines = [
        "Thông tin đơn vị:",
        f"• Tên đơn vị: {name}",
        f"• Tỉnh, thành phố: {province}",
        f"• Loại đơn vị: {kind} ({TIER_NAMES.get(tier, tier)})",
        f"• Số thành viên năm {year}: {grouped_number(members) if members else unknown}",
    ]
    if show_learners:
        lines.append(
            f"• Số người học năm {year}: {grouped_number(learners) if learners else unknown}"
        )
    if office is not None:
        lines.append(f"• Nơi nhận hồ sơ năm {year}: {office}")
    if admin:
        lines.append("Chọn mục cần sửa, hoặc “Xong” để quay lại đánh giá.")
    else:
        lines.append(UNIT_ADMIN_ONLY)
    return "\n".join(lines)


def ask_unit_field(field: str, current: str, year: int) -> str:
    if field == "name":
        return (
            f"Tên mới của đơn vị? Hiện tại: “{current}”. Gõ tên đầy đủ như trên văn bản của "
            "đơn vị, ví dụ UBND xã Quảng Phú."
        )
    if field == "province":
        return f"Tỉnh, thành phố mới của đơn vị? Hiện tại: {current}."
    if field == "receiving_office":
        return (
            f"Nơi nhận hồ sơ của đơn vị theo kế hoạch của tỉnh? Hiện tại: {current}. Gõ tên cơ "
            "quan, ví dụ Phòng Văn hóa – Xã hội, UBND xã Quảng Phú."
        )
    if field == "unit_type":
        return (
            f"Loại đơn vị mới? Hiện tại: {current}. Loại đơn vị quyết định những chỉ tiêu "
            "áp dụng (và cấp huyện hay cấp tỉnh)."
        )
    what = MEMBERS if field == "members" else LEARNERS
    return (
        f"Tổng số {what} mới của đơn vị năm {year}? Hiện tại: {current}. Gõ một số, "
        "ví dụ 42. Mọi tỷ lệ sẽ được tính lại theo số mới."
    )


def confirm_total(total: int, what: str) -> str:
    return f"Đơn vị có {grouped_number(total)} {what} — đúng không? (có / nhập lại)"


def total_confirm_button(total: int, what: str) -> str:
    return f"Đúng, {grouped_number(total)} {what}"


def unit_change_line(field: str, old: str, new: str, year: int | None) -> str:
    label = UNIT_FIELD_LABELS.get(field, "Cấp đánh giá" if field == "tier" else field)
    when = f" năm {year}" if year is not None else ""
    return f"Đã đổi {label.lower()}{when}: {old} → {new}."


def ratios_recomputed(lines: list[str]) -> str:
    return "Các tỷ lệ đã được tính lại theo số mới:\n" + "\n".join(f"• {x}" for x in lines)


def ratio_line(indicator_id: str, reason: str, before: str | None) -> str:
    """“2.1 — Không đạt: 28/42 thành viên (66,7%) … (trước đó: Đạt mức độ 1)”."""
    was = f" (trước đó: {before})" if before else ""
    return f"{indicator_id} — {reason.rstrip('.')}{was}"


def indicators_left(ids: list[str]) -> str:
    return (
        f"Không còn áp dụng cho loại đơn vị mới: {', '.join(ids)} ({UNIT_ANSWERS_KEPT_NOTE}; "
        "đổi lại loại cũ thì được tính lại)."
    )


def indicators_joined(ids: list[str]) -> str:
    return f"Áp dụng thêm cho loại đơn vị mới, cần trả lời: {', '.join(ids)}."


# --- end of unit details --------------------------------------------------------------------


# --- walked as an official (issue 12): a name or province made of digits only -----------------


def no_letters_in(field: str, typed: str) -> str:
    """“12345” as the unit's name would head the signed report; a place must be a word too."""
    if field == "province":
        return f"“{typed}” chưa phải tên tỉnh, thành phố; hãy gõ bằng chữ, ví dụ Thành phố Huế."
    return f"“{typed}” chưa phải tên đơn vị; hãy gõ tên bằng chữ, ví dụ UBND xã Quảng Phú."


def province_unknown(typed: str) -> str:
    """A typed place that is none of the 34 provinces (nor one merged in 2025): the office that
    receives the dossier, the deadlines and the reviewers all follow the province."""
    return (
        f"Không tìm thấy tỉnh, thành phố “{typed}”; hãy gõ tên một trong 34 tỉnh, thành phố, "
        "ví dụ Hưng Yên hoặc Thành phố Huế."
    )


def province_merged(former: str, now: str) -> str:
    """“Thái Bình” typed after the 2025 merger: kept as the province it is now part of."""
    return f"Tỉnh {former} nay thuộc {now}; đơn vị được ghi ở {now}."


IDLE_NO_UNIT_HINT = "Gõ /start để bắt đầu, hoặc hỏi “hạn nộp hồ sơ khi nào”."
"""Nothing asked and no unit yet: /danhgia and /ketqua would only say there is no unit."""


# --- end of walked as an official -------------------------------------------------------------


# --- reminders: what a push says (issue 13, the content part) ---------------------------------
# Each push is ONE message of at most 2,000 characters (Zalo's limit): long lists end with
# “và N chỉ tiêu khác” (`reminders.compose`). Dates are Vietnam's, written dd/mm/yyyy.
BTN_RESUME = "Làm tiếp"
RESUME_TAP = "Bấm “Làm tiếp” (hoặc gõ “tiếp tục”) để làm tiếp đúng chỗ bạn đang dừng."
RESUME_WORD = "Gõ “tiếp tục” để làm tiếp đúng chỗ bạn đang dừng."
REPORT_OFFER_TAP = "Bấm “Báo cáo” hoặc gõ /baocao để nhận báo cáo tự đánh giá (PDF, Word, Excel)."
REPORT_OFFER_WORD = "Gõ /baocao để nhận báo cáo tự đánh giá (PDF, Word, Excel)."
FORECAST_UNKNOWN = (
    "Chưa đủ dữ liệu để dự báo ngày hoàn thành (cần ít nhất 2 ngày có trả lời trong 14 ngày qua)."
)


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def countdown(days: int, deadline: dt.date, year: int) -> str:
    """“Còn 7 ngày đến hạn nộp hồ sơ … (trước ngày 15/01/2027).”: the days are counted to the
    deadline date itself, which the dossier must arrive before."""
    what = f"hạn nộp hồ sơ “Đơn vị học tập” năm {year}"
    if days == 1:
        return (
            f"Còn 1 ngày — hạn là ngày mai: hồ sơ “Đơn vị học tập” năm {year} nộp trước ngày "
            f"{_day(deadline)}."
        )
    if days <= 0:
        return f"Đã hết {what} (trước ngày {_day(deadline)}); hãy liên hệ nơi nhận hồ sơ."
    return f"Còn {days} ngày đến {what} (trước ngày {_day(deadline)})."


def reminder_unit(name: str) -> str:
    return f"Đơn vị: {name}."


def not_started(total: int) -> str:
    return f"Đơn vị chưa bắt đầu tự đánh giá: cả {total} chỉ tiêu đều chưa trả lời."


def unanswered_left(ids: list[str]) -> str:
    return f"Còn {len(ids)} chỉ tiêu chưa trả lời: {', '.join(ids)}."


def evidence_left(ids: list[str]) -> str:
    return f"{len(ids)} chỉ tiêu đã trả lời nhưng chưa có minh chứng: {', '.join(ids)}."


def heading_gaps(target: int, *, besides_unanswered: bool) -> str:
    """The head of the exact shortfall for the level the unit is heading to."""
    if besides_unanswered:
        return f"Để đạt mức độ {target}, ngoài các chỉ tiêu chưa trả lời, đơn vị còn cần:"
    return f"Để đạt mức độ {target}, đơn vị còn cần:"


def answered_meet(target: int) -> str:
    return f"Các chỉ tiêu đã trả lời đều đạt yêu cầu mức độ {target}."


def more_indicators(count: int) -> str:
    return f"và {count} chỉ tiêu khác."


def forecast_late(finish: dt.date, days_late: int) -> str:
    return (
        f"Với tốc độ hiện tại, đơn vị sẽ xong khoảng ngày {_day(finish)} — sau hạn "
        f"{days_late} ngày."
    )


def forecast_on_time(finish: dt.date, days_early: int) -> str:
    return (
        f"Với tốc độ hiện tại, đơn vị sẽ xong khoảng ngày {_day(finish)}, trước hạn "
        f"{days_early} ngày."
    )


def finished_submit(deadline: dt.date) -> str:
    return f"Đơn vị đã trả lời đủ các chỉ tiêu — hãy nộp hồ sơ trước ngày {_day(deadline)}."


def current_result(level_name: str) -> str:
    return f"Kết quả tự đánh giá hiện tại: {level_name}."


def evidence_before_submitting(ids: list[str]) -> str:
    return (
        f"Trước khi nộp, hãy bổ sung minh chứng cho {len(ids)} chỉ tiêu: {', '.join(ids)} "
        "(chỉ tiêu không có minh chứng được đánh giá là không đạt)."
    )


# The unit admin's roll-up at T-7.
def admin_rollup_heading(unit_name: str, year: int) -> str:
    return f"Tổng hợp cho quản trị đơn vị {unit_name}, hồ sơ năm {year}:"


def answered_share(answered: int, total: int, percent: int) -> str:
    return f"Đã trả lời {answered}/{total} chỉ tiêu ({percent}%, làm tròn xuống)."


OPEN_HEADING = "Chỉ tiêu còn mở:"


def open_unanswered(ids: list[str]) -> str:
    return f"• Chưa trả lời: {', '.join(ids)}"


def open_without_evidence(ids: list[str]) -> str:
    return f"• Chưa có minh chứng: {', '.join(ids)}"


def open_below(target: int, items: list[tuple[str, str]]) -> str:
    listed = "; ".join(f"{i} ({short})" for i, short in items)
    return f"• Chưa đạt mức độ {target}: {listed}"


NOTHING_OPEN = "Không còn chỉ tiêu nào mở."
WHO_ANSWERED_HEADING = "Ai đã trả lời gì:"
NOBODY_ANSWERED = "Chưa có ai trả lời chỉ tiêu nào."
ANSWERED_BY_OPERATOR = "Nhập từ tệp hoặc dòng lệnh"


def person_answers(name: str, items: list[tuple[str, str, dt.date]]) -> str:
    """“• Lan (2): 1.1 đạt, 02/12/2026; 2.1 27 thành viên, 03/12/2026”."""
    listed = "; ".join(f"{i} {answer}, {_day(day)}" for i, answer, day in items)
    return f"• {name} ({len(items)}): {listed}"


def more_people(count: int) -> str:
    return f"và {count} người khác."


# The reviewers' roll-up at T-3.
def reviewer_heading(office: str | None, count: int, year: int) -> str:
    scope = f"thuộc phạm vi {office}" if office else "thuộc phạm vi của bạn"
    return (
        f"{count} đơn vị {scope} chưa nộp hồ sơ “Đơn vị học tập” năm {year}. Tiến độ là số "
        "chỉ tiêu đã trả lời trên số chỉ tiêu áp dụng, làm tròn xuống; thấp nhất trước:"
    )


def unit_progress_line(name: str, answered: int, total: int, percent: int, started: bool) -> str:
    note = "" if started else ", chưa bắt đầu"
    return f"• {name}: {percent}% ({answered}/{total}{note})"


def more_units(count: int) -> str:
    return f"và {count} đơn vị khác."


def all_submitted(office: str | None, year: int) -> str:
    scope = f"thuộc phạm vi {office}" if office else "thuộc phạm vi của bạn"
    return f"Mọi đơn vị {scope} đã nộp hồ sơ “Đơn vị học tập” năm {year}."


# Recognition reminders: the upgrade to level 2, and a recognition about to lapse.
def upgrade_open(unit_name: str, decided: dt.date, opens: dt.date, months: int) -> str:
    return (
        f"Từ ngày {_day(opens)}, {unit_name} đã đủ {months} tháng kể từ quyết định công nhận "
        f"“Đơn vị học tập” mức độ 1 (ngày {_day(decided)}): đơn vị có thể đề nghị đánh giá, "
        "công nhận nâng lên mức độ 2."
    )


UPGRADE_NOTE = (
    "Lưu ý: mốc 12 tháng theo kế hoạch triển khai Thông tư 24 của các tỉnh (chưa đối chiếu được "
    "với văn bản gốc); hãy xem kế hoạch của tỉnh."
)
UPGRADE_READY = "Với các câu trả lời hiện có, đơn vị đã đạt yêu cầu mức độ 2."
UPGRADE_NOT_STARTED = (
    "Đơn vị chưa trả lời chỉ tiêu nào của năm nay; hãy tự đánh giá theo yêu cầu mức độ 2."
)


def expiry_soon(unit_name: str, lapses_on: dt.date, days: int) -> str:
    left = f"còn {days} ngày" if days > 0 else "đã đến hạn"
    return (
        f"Kết quả công nhận “Đơn vị học tập” của {unit_name} hết thời hạn vào ngày "
        f"{_day(lapses_on)} ({left}). Hãy tự đánh giá lại và gửi hồ sơ để được công nhận tiếp."
    )


EXPIRY_NOTE = (
    "Lưu ý: thời hạn bảo lưu 3 năm “tiếp theo năm được công nhận” theo kế hoạch triển khai "
    "Thông tư 24 của các tỉnh; mốc bắt đầu tính có thể là năm đánh giá hoặc năm ra quyết định, "
    "hãy đối chiếu với quyết định công nhận của đơn vị."
)


# --- end of reminders: what a push says -------------------------------------------------------

# --- calendar (issue 13) ---------------------------------------------------------------------
# The deadline, days-left and office answers from the unit's calendar (`dvht_core.calendar`,
# `dvht_core.unit_calendar`): its effective deadline (an office may set an earlier one), who
# receives the dossier and who recognises, with a plain note when no text confirms it. From
# 1/7/2025 no answer names the Phòng GDĐT or the UBND cấp huyện as the current office.

CAP_HUYEN_NOTE = (
    "“Cấp huyện” là tên mức công nhận trong Thông tư 24. Chính quyền cấp huyện không còn "
    "từ 1/7/2025: nơi nhận hồ sơ và người quyết định công nhận do kế hoạch của tỉnh quy "
    "định; chưa có văn bản nào đổi các mốc thời gian trên."
)


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _left(deadline: dt.date, today: dt.date) -> str:
    left = (deadline - today).days
    if left > 1:
        return f"còn {left} ngày"
    if left == 1:
        return "hôm nay là ngày cuối cùng"
    return "đã quá hạn"


def _set_by(deadline: Any) -> str:
    if deadline.office_name:
        return f"do {deadline.office_name} đặt"
    return f"do cơ quan của tỉnh {deadline.province} đặt"


def office_lines(office: Any) -> list[str]:
    """Who receives and who recognises; the candidates and the note when uncertain."""
    lines = [f"Nơi nhận: {office.office}.", f"Người quyết định công nhận: {office.authority}."]
    if office.likely_office:
        lines.append(
            f"Nhiều khả năng là {office.likely_office} (người công nhận: "
            f"{office.likely_authority}), nhưng chưa có văn bản nào xác nhận."
        )
    if office.uncertain and office.note:
        lines.append(office.note)
    return lines


def provincial_date(text: str, day: dt.date, province: str | None) -> str:
    """A date a province's plan sets (plan-level, so said as such)."""
    return (
        f"{text} trước ngày {_dmy(day)} (theo kế hoạch của tỉnh {province}; hãy xem kế hoạch "
        "hiện hành của tỉnh)."
    )


def calendar_deadline(
    calendar: Any,
    today: dt.date,
    *,
    source: str,
    completion: dt.date | None,
    reformed: bool,
    extra: list[str],
    upgrade_months: int,
) -> str:
    """“hạn nộp hồ sơ khi nào”: the unit's deadline (and the law's when an office set an
    earlier one), where the dossier goes, the dates that follow and those of its type."""
    year, deadline = calendar.year, calendar.deadline
    lines = [
        f"Hồ sơ năm đánh giá {year} (tờ trình, báo cáo tự đánh giá, bản tổng hợp kết quả) gửi "
        f"trước ngày {_dmy(deadline)} ({_left(deadline, today)}); số liệu tính từ 01/01 đến "
        f"31/12/{year}. Căn cứ: {source}."
    ]
    earliest = calendar.earliest_office_deadline
    if earliest is not None:
        lines.append(
            f"Hạn này {_set_by(earliest)}: “{earliest.title}”; hạn theo Thông tư 24 là trước "
            f"ngày {_dmy(calendar.legal_deadline)}."
        )
    lines += office_lines(calendar.office())
    if completion is not None:
        lines.append(f"Việc đánh giá, công nhận hoàn thành trước ngày {_dmy(completion)}.")
    if reformed:
        lines.append(CAP_HUYEN_NOTE)
    lines += extra
    lines.append(
        f"Đơn vị đã được công nhận mức độ 1 được đề nghị nâng lên mức độ 2 sau ít nhất "
        f"{upgrade_months} tháng kể từ ngày có quyết định công nhận."
    )
    return "\n".join(lines)


def days_left_answer(calendar: Any, today: dt.date) -> str:
    """“còn bao nhiêu ngày”: the days to the unit's effective deadline."""
    deadline = calendar.deadline
    left = (deadline - today).days
    if left > 1:
        head = (
            f"Còn {left} ngày đến hạn nộp hồ sơ năm {calendar.year} (trước ngày {_dmy(deadline)})."
        )
    elif left == 1:
        head = (
            f"Hôm nay là ngày cuối cùng gửi hồ sơ năm {calendar.year} (hạn: trước ngày "
            f"{_dmy(deadline)})."
        )
    else:
        head = f"Đã quá hạn nộp hồ sơ năm {calendar.year} (trước ngày {_dmy(deadline)})."
    lines = [head]
    earliest = calendar.earliest_office_deadline
    if earliest is not None:
        lines.append(
            f"Hạn này {_set_by(earliest)}: “{earliest.title}”; hạn theo Thông tư 24 là trước "
            f"ngày {_dmy(calendar.legal_deadline)}."
        )
    return "\n".join(lines)


def office_answer(calendar: Any) -> str:
    """“nộp cho ai”, “ai công nhận”: who receives the dossier of this year, who recognises."""
    head = f"Hồ sơ năm đánh giá {calendar.year} (hạn trước ngày {_dmy(calendar.deadline)}):"
    office = calendar.office()
    return "\n".join([head, *office_lines(office), f"Căn cứ: {office.source}."])


def office_answer_by_tier(calendars: list[Any]) -> str:
    """The same before a unit exists: for a district-tier unit, then a province-tier one."""
    blocks = []
    for calendar in calendars:
        office = calendar.office()
        blocks.append("\n".join([f"Đơn vị {TIER_NAMES[calendar.tier]}:", *office_lines(office)]))
    head = (
        f"Hồ sơ năm đánh giá {calendars[0].year} (hạn trước ngày {_dmy(calendars[0].deadline)})."
    )
    return "\n".join([head, *blocks])


OFFICE_EMPTY = "Hãy gõ tên nơi nhận hồ sơ, ví dụ Phòng Văn hóa – Xã hội, UBND xã Quảng Phú."
OFFICE_ABOLISHED = (
    "Từ 1/7/2025 không còn Phòng Giáo dục và Đào tạo và UBND cấp huyện; hãy gõ nơi nhận hồ sơ "
    "theo kế hoạch hiện hành của tỉnh."
)


def office_without_letters(typed: str) -> str:
    return f"“{typed}” chưa phải tên cơ quan; hãy gõ bằng chữ, ví dụ UBND xã Quảng Phú."


# --- end of calendar -------------------------------------------------------------------------

# --- reminders engine (issue 13) ---------------------------------------------------------------
# The opt-out (/tatnhacnho, /batnhacnho), and the pushes whose own wording is not written yet
# for a kind (a unit that has not started, an upgrade that opens, a recognition that lapses).

REMINDERS_OFF = (
    "Đã tắt nhắc nhở: bot sẽ không tự nhắn nhắc hạn nộp hồ sơ hay thông báo chung cho bạn nữa; "
    "gõ “bật nhắc nhở” để bật lại."
)
REMINDERS_ON = (
    "Đã bật nhắc nhở: bot sẽ nhắn nhắc bạn trước hạn nộp hồ sơ, lúc 8 giờ sáng, và chuyển thông "
    "báo chung của cơ quan."
)


def reminder_not_started(unit_name: str, year: int, days: int, deadline: dt.date) -> str:
    """A T-N push to a unit whose assessment of the year has not started."""
    return (
        f"Nhắc hạn: còn {days} ngày đến hạn nộp hồ sơ “Đơn vị học tập” năm {year} của "
        f"{unit_name} (trước ngày {deadline:%d/%m/%Y}), và đơn vị chưa bắt đầu tự đánh giá. "
        "Gõ /danhgia để bắt đầu."
    )


# --- end of reminders engine --------------------------------------------------------------------

# --- report links (issue 14, part C "links") ---------------------------------------------------
# The page a report link shows when its token is forged, damaged or expired: the same sentence
# whatever went wrong, so that it tells a prober nothing, and what to do to get a new link.

REPORT_LINK_REFUSED = (
    "Đường dẫn không hợp lệ hoặc đã hết hạn. Hãy gửi /baocao cho bot để nhận đường dẫn mới."
)

# --- end of report links -----------------------------------------------------------------------

# --- Zalo (issue 14) -----------------------------------------------------------------------------
# The Zalo channel: no buttons and no documents (reports arrive as signed links), photos only as
# evidence, and events the bot cannot read (a protected user's message, a voice note…).

ZALO_UNSUPPORTED = (
    "Tôi chưa đọc được loại tin nhắn này trên Zalo; hãy gõ câu trả lời bằng chữ hoặc gửi ảnh "
    "minh chứng."
)
ZALO_GROUP = (
    "Bot chưa hỗ trợ nhóm trên Zalo; hãy nhắn riêng cho bot để tự đánh giá đơn vị của bạn."
)
ZALO_PHOTO_NOT_IMAGE = (
    "Zalo không gửi kèm một ảnh JPEG, PNG hay HEIC; hãy chụp lại minh chứng và gửi ảnh đó."
)
ZALO_PHOTO_WEBP = (
    "Ảnh này ở dạng WebP, hệ thống chỉ lưu ảnh JPEG, PNG hoặc HEIC; hãy chụp lại minh chứng "
    "bằng máy ảnh của điện thoại và gửi ảnh đó."
)
ZALO_PHOTO_FAILED = "Không tải được ảnh từ Zalo lúc này; hãy gửi lại ảnh sau ít phút."
ZALO_PREVIEW_CAPTION = "Trang 1 của báo cáo (xem trước); tải bản đầy đủ theo đường dẫn ở trên."
ZALO_REPORT_LINK_FAILED = (
    "Chưa tạo được đường dẫn tải báo cáo lúc này; hãy gõ /baocao lại sau ít phút."
)
_ZALO_FORMATS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
}


def zalo_photo_too_large(limit_mb: int) -> str:
    return f"Ảnh quá lớn, hệ thống chỉ nhận ảnh đến {limit_mb} MB; hãy gửi ảnh nhỏ hơn."


def zalo_report_link(mime_type: str, url: str, expires: dt.date) -> str:
    """One line under the report's text: the file's kind, its signed link, when it ends."""
    kind = _ZALO_FORMATS.get(mime_type, "tệp")
    return f"Tải báo cáo ({kind}): {url} — hết hạn {expires:%d/%m/%Y}"


# --- end of Zalo ---------------------------------------------------------------------------------

# --- linking (issue 14) ------------------------------------------------------------------------
# One person, two channels: /lienket shows a one-time code, /lienket CODE typed in the other app
# joins that account to the same person (conversations/linking.py, storage/linking.py).

_CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "cửa sổ dòng lệnh"}


def channel_name(channel: str | None) -> str:
    return _CHANNEL_NAMES.get(channel or "", "ứng dụng kia")


def _vn_moment(moment: dt.datetime) -> str:
    return vietnam_time.local(moment).strftime("%H:%M ngày %d/%m/%Y")


def link_code(code: str, expires_at: dt.datetime) -> str:
    """The code, grouped for reading aloud, and how to use it (one short explanation)."""
    return (
        f"Mã liên kết của bạn: {code[:3]} {code[3:]} (dùng một lần, hết hạn lúc "
        f"{vietnam_time.local(expires_at):%H:%M}).\n"
        f"Gõ /lienket {code} trong Zalo hoặc Telegram để dùng chung hồ sơ: ở đó bạn tiếp tục "
        "đúng bản đánh giá và chỗ đang làm ở đây."
    )


LINK_CODE_NOT_KEPT = "Mã liên kết chưa gửi được tới bạn; hãy gõ /lienket lần nữa để lấy mã mới."
LINK_MALFORMED = "Mã liên kết gồm 6 chữ số, ví dụ /lienket 123456."


def link_wrong(attempts_left: int | None) -> str:
    left = f" (còn {attempts_left} lần thử)" if attempts_left else ""
    return f"Mã liên kết không đúng; hãy xem lại 6 chữ số ở ứng dụng kia{left}."


LINK_EXPIRED = (
    "Mã liên kết đã hết hạn (mã dùng được 10 phút); hãy gõ /lienket ở ứng dụng kia để lấy mã mới."
)
LINK_USED = "Mã liên kết này đã được dùng rồi; hãy gõ /lienket ở ứng dụng kia để lấy mã mới."


def link_locked(until: dt.datetime, *, just_now: bool) -> str:
    """Five wrong codes: no code is accepted from this account until `until` (Vietnam time)."""
    if just_now:
        return (
            "Mã liên kết không đúng, và vì đã nhập sai 5 lần nên bạn tạm thời chưa liên kết được "
            f"đến {_vn_moment(until)} (giờ Việt Nam)."
        )
    return (
        "Bạn đã nhập sai mã liên kết 5 lần nên tạm thời chưa liên kết được đến "
        f"{_vn_moment(until)} (giờ Việt Nam)."
    )


LINK_OWN_CODE = (
    "Mã này được tạo ngay trong ứng dụng này; hãy gõ nó trong ứng dụng kia (Zalo hoặc Telegram) "
    "để liên kết."
)
LINK_SAME_PERSON = "Tài khoản này đã dùng chung hồ sơ với bên kia rồi, không cần liên kết lại."


def linked(name: str, channel: str | None, unit_name: str | None, *, left_behind: bool) -> str:
    """After /lienket CODE: whose person this account now is, and where they go on."""
    where = f" và tiếp tục bản đánh giá của {unit_name}" if unit_name else ""
    text = (
        f"Đã liên kết: tài khoản này giờ dùng chung hồ sơ của {name} với {channel_name(channel)}"
        f"{where}."
    )
    if left_behind:
        text += (
            " Tài khoản này đã tách khỏi hồ sơ cũ; các tài khoản khác của hồ sơ cũ vẫn giữ "
            "nguyên đơn vị và câu trả lời."
        )
    return text


# --- end of linking ----------------------------------------------------------------------------


# --- issue 15: A review-chat (submission, review, notices, /dangnhap) -------------------------

STATUS_NAMES: dict[str, str] = {
    "draft": "đang làm",
    "self_assessed": "đã tự đánh giá",
    "submitted": "đã nộp",
    "returned": "đã bị trả lại",
    "recognised": "đã được công nhận",
}
"""A dossier's status as a sentence names it (“Hồ sơ đang ở trạng thái “đã nộp” …”)."""


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def no_dossier(year: int) -> str:
    return f"Đơn vị chưa có hồ sơ tự đánh giá năm {year}."


def cannot_return(status: str) -> str:
    return (
        f"Hồ sơ đang ở trạng thái “{status_name(status)}” nên không trả lại được; "
        "chỉ trả lại được hồ sơ đã nộp."
    )


def cannot_recognise(status: str) -> str:
    return (
        f"Hồ sơ đang ở trạng thái “{status_name(status)}” nên chưa thể công nhận; "
        "chỉ công nhận được hồ sơ đã nộp."
    )


REASON_LENGTH = "Lý do trả lại cần từ 3 đến 1000 ký tự, ví dụ: “Thiếu minh chứng chỉ tiêu 2.3”."
DECISION_NUMBER_NEEDED = "Cần số quyết định công nhận (tối đa 100 ký tự), ví dụ: “125/QĐ-UBND”."
LEVEL_ONE_OR_TWO = "Mức công nhận phải là 1 hoặc 2."


def decision_in_future(today: dt.date) -> str:
    return f"Ngày quyết định không được sau hôm nay ({_day(today)})."


def decision_before_year(year: int) -> str:
    return f"Ngày quyết định không được trước năm của hồ sơ ({year})."


def level_above_submitted(submitted: int | None) -> str:
    if not submitted:
        return (
            "Hồ sơ không ghi mức đề nghị nên không công nhận được; hãy trả lại để đơn vị nộp lại."
        )
    return f"Đơn vị chỉ đề nghị công nhận mức {submitted}, không công nhận cao hơn mức đó được."


def notice_returned(unit_name: str, year: int, reason: str) -> str:
    """To every member of the unit: the office returned the dossier, why, and what next."""
    return (
        f"Hồ sơ tự đánh giá năm {year} của {unit_name} đã bị cơ quan thẩm định trả lại.\n"
        f"Lý do: {reason}\n"
        "Hãy sửa các câu trả lời, minh chứng theo lý do trên rồi gõ /nop để nộp lại."
    )


def notice_recognised(
    unit_name: str, year: int, level: int, number: str, decided_on: dt.date
) -> str:
    """To every member of the unit: recognised, at which level, by which decision."""
    return (
        f"Chúc mừng! {unit_name} đã được công nhận “Đơn vị học tập” mức {level} "
        f"(hồ sơ năm {year}) theo Quyết định số {number} ngày {_day(decided_on)}."
    )


def notice_submitted(
    unit_name: str, year: int, level: int, by_name: str, dashboard: str | None
) -> str:
    """To every reviewer of the receiving office: a unit submitted; where to review it."""
    where = (
        f"Xem và thẩm định tại {dashboard}/donvi (gõ /dangnhap để nhận liên kết đăng nhập)"
        if dashboard
        else "Xem và thẩm định bằng lệnh “dvht review list”"
    )
    return (
        f"{unit_name} đã nộp hồ sơ tự đánh giá năm {year}, đề nghị công nhận mức {level} "
        f"(người nộp: {by_name}).\n{where}."
    )


def submit_admins_only(admin_names: list[str]) -> str:
    """/nop from a member who is not the unit's admin: who can submit."""
    if not admin_names:
        return "Chỉ quản trị viên của đơn vị mới nộp được hồ sơ; đơn vị chưa có quản trị viên."
    return f"Chỉ quản trị viên của đơn vị mới nộp được hồ sơ: {', '.join(admin_names)}."


def submit_unanswered(count: int) -> str:
    return (
        f"Chưa nộp được: còn {count} chỉ tiêu chưa trả lời; gõ “tiếp tục” để trả lời nốt rồi /nop."
    )


SUBMIT_BELOW_LEVEL_1 = (
    "Chưa nộp được: kết quả tự đánh giá chưa đạt mức 1, mà đơn vị chỉ nộp được mức đã tự "
    "đánh giá đạt; gõ “cần gì để đạt mức 1” để xem còn thiếu gì."
)
SUBMIT_NOT_STARTED = (
    "Chưa nộp được: đơn vị chưa bắt đầu tự đánh giá năm nay; gõ /danhgia để bắt đầu."
)
SUBMIT_CHANGED = (
    "Kết quả tự đánh giá vừa thay đổi trong lúc chờ xác nhận; hãy gõ /nop lại để xem mức mới."
)
SUBMIT_YES_OR_NO = "Gõ “có” để nộp hồ sơ, hoặc “không” để thôi."
SUBMIT_CANCELLED = "Đã hủy, hồ sơ chưa được nộp. Khi sẵn sàng, gõ /nop."
BTN_SUBMIT = "Nộp hồ sơ"
BTN_YES = "Có"
BTN_NO = "Không"


def submit_wrong_status(status: str, at: dt.datetime | None, by_name: str | None) -> str:
    if status == "submitted":
        return dossier_locked(status, at, by_name).split(";")[0] + "; đang chờ thẩm định."
    return f"Hồ sơ {status_name(status)} nên không nộp lại được."


def submit_confirm(
    unit_name: str,
    year: int,
    level: int,
    office: str | None,
    without_evidence: list[str],
    *,
    buttons: bool,
) -> str:
    """The question before a submission: what is requested, where it goes, what is missing."""
    lines = [
        f"Nộp hồ sơ tự đánh giá năm {year} của {unit_name}, đề nghị công nhận mức {level}.",
        f"Cơ quan tiếp nhận: {office}." if office else "Cơ quan tiếp nhận: chưa xác định.",
    ]
    if without_evidence:
        lines.append(
            f"Còn {len(without_evidence)} chỉ tiêu chưa có minh chứng: "
            f"{', '.join(without_evidence[:12])}{' …' if len(without_evidence) > 12 else ''}."
        )
    lines.append("Sau khi nộp, hồ sơ không sửa được nữa cho đến khi cơ quan trả lại.")
    lines.append(
        "Bấm “Có” để nộp, “Không” để thôi." if buttons else "Gõ “có” để nộp, “không” để thôi."
    )
    return "\n".join(lines)


def submitted_ok(year: int, level: int, notified: int, reviewers: int = 0) -> str:
    if notified:
        told = f" Đã báo cho {notified} người thẩm định."
    elif reviewers:  # they work on the dashboard only: the dossier is in their list already
        told = " Người thẩm định của cơ quan tiếp nhận sẽ thấy hồ sơ trên trang quản lý."
    else:
        told = (
            " Cơ quan tiếp nhận chưa có người thẩm định dùng chatbot; "
            "hãy gửi hồ sơ theo cách thường lệ."
        )
    return f"Đã nộp hồ sơ năm {year}, đề nghị công nhận mức {level}.{told}"


def dossier_locked(status: str, at: dt.datetime | None, by_name: str | None) -> str:
    """An edit to a submitted (or recognised) dossier: since when, by whom, why not."""
    if status == "recognised":
        return "Hồ sơ đã được công nhận; không sửa được nữa."
    when = f" ngày {_day(vietnam_time.today(at))}" if at is not None else ""
    who = f" bởi {by_name}" if by_name else ""
    return (
        f"Hồ sơ đã nộp{when}{who}; không sửa được nữa. "
        "Nếu cần sửa, hãy đề nghị cơ quan thẩm định trả lại hồ sơ."
    )


def login_link(url: str) -> str:
    return (
        f"Liên kết đăng nhập trang quản lý (dùng 1 lần, trong 15 phút):\n{url}\n"
        "Đừng chuyển liên kết này cho người khác."
    )


LOGIN_NOT_SET_UP = "Trang quản lý chưa được cài đặt cho chatbot này (chưa có địa chỉ web)."
LOGIN_NOT_ALLOWED = (
    "Trang quản lý chỉ dành cho quản trị viên đơn vị và người thẩm định; "
    "bạn vẫn làm mọi việc khác ngay trong chatbot."
)


# --- end of issue 15: A review-chat -------------------------------------------------------------


# --- issue 16: roster (part A2, the chat) -------------------------------------
# /danhsach: the template, the file sent back, the counts to confirm, the names still missing
# (to the unit's admins only). Numbers through `format_pct` (exact integers).

ROSTER_TEMPLATE_CAPTION = (
    "Mẫu danh sách thành viên của đơn vị. Cách điền:\n"
    "• Mỗi người một dòng: họ và tên, chức vụ hoặc đơn vị công tác.\n"
    "• Ở mỗi cột chỉ tiêu, ghi x (hoặc “có”, “đạt”) nếu người đó đạt; để trống nếu chưa.\n"
    "• Không cần số căn cước, ngày sinh hay số điện thoại.\n"
    "Điền xong, gửi lại tệp vào đây: bot đếm và hỏi trước khi ghi."
)
ROSTER_TEMPLATE_NO_FILE = (
    "Kênh này chưa gửi được tệp mẫu danh sách; hãy dùng lệnh “dvht roster template” trên máy "
    "tính hoặc nhờ quản trị viên gửi mẫu."
)
ROSTER_ZALO_RETURN = (
    "Zalo chưa cho bot nhận tệp Excel: điền xong, hãy gửi tệp cho bot trên Telegram (gõ /lienket "
    "để dùng chung hồ sơ), hoặc nhờ quản trị viên nhập bằng lệnh “dvht roster import”."
)
ROSTER_AWAIT = "Gửi tệp danh sách đã điền (Excel .xlsx) vào đây. Gõ “hủy” để thôi."
ROSTER_SEND_FILE = "Đây chưa phải tệp danh sách; hãy gửi tệp Excel (.xlsx) theo mẫu /danhsach."
ROSTER_NOT_READ = "Chưa đọc được tệp danh sách lúc này; hãy gửi lại tệp sau ít phút."
ROSTER_YES_OR_NO = "Gõ “có” để ghi các số theo danh sách, hoặc “không” để thôi."
ROSTER_CANCELLED = (
    "Chưa ghi gì: các số đã có giữ nguyên. Muốn nhập lại, gửi lại tệp danh sách vào đây."
)
ROSTER_CONFIRM_QUESTION = "Ghi các số này?"
ROSTER_ALREADY = "Danh sách này đã được ghi rồi; không ghi lại lần nữa."
ROSTER_SUPERSEDED = (
    "Đã có tệp danh sách gửi sau tệp này; tệp này không được ghi. Hãy gửi lại tệp mới nhất."
)
ROSTER_WAITING_FILE = "Bot đang chờ tệp danh sách (.xlsx): hãy gửi tệp, hoặc gõ “hủy” để thôi."
ROSTER_NAME_HIDDEN = "(tên)"
"""A member's name in a problem's sentence, to a sender who is not the unit's admin."""
ROSTER_MORE_RESULT = "Gõ /ketqua để xem kết quả đầy đủ."
ROSTER_PROBLEMS_SHOWN = 8
"""Problems listed by row before “và M lỗi khác”: eight sentences of ~120 characters keep the
summary and the question within Zalo's 2,000 characters for a unit type with all six columns."""


def roster_summary(
    members: int,
    counts: list[tuple[str, int]],
    learners: int | None = None,
    citizens: int | None = None,
) -> str:
    """“Theo danh sách: 42 thành viên; 2.1 40/42 (95,2%); …; người học 3.1 500/600 (83,3%).”"""
    parts = [f"Theo danh sách: {members} thành viên"]
    parts += [f"{i} {n}/{members} ({format_pct(n, members)})" for i, n in counts]
    if learners is not None and citizens is not None:
        parts.append(
            f"người học là Công dân học tập {citizens}/{learners} "
            f"({format_pct(citizens, learners)})"
        )
    return "; ".join(parts) + "."


def roster_problems(texts: list[str]) -> str:
    """The rows that were not counted, the first few by row and column, then how many more."""
    shown = texts[:ROSTER_PROBLEMS_SHOWN]
    lines = [f"Có {len(texts)} chỗ chưa tính được (các dòng khác vẫn được đếm):"]
    lines += [f"• {t}" for t in shown]
    if len(texts) > len(shown):
        lines.append(f"… và {len(texts) - len(shown)} lỗi khác.")
    return "\n".join(lines)


def roster_recorded(members: int, indicators: list[str]) -> str:
    return (
        f"Đã ghi theo danh sách: {members} thành viên; chỉ tiêu {', '.join(indicators)}. "
        "Tệp danh sách được lưu làm minh chứng của các chỉ tiêu đó."
    )


def roster_level_now(level_name: str) -> str:
    return f"Đơn vị hiện: {level_name}."


def roster_still_needed(target: int, items: list[str]) -> str:
    return f"Để đạt mức {target} còn thiếu: " + "; ".join(items) + "."


def roster_short_gap(indicator_id: str, more: int) -> str:
    return f"{indicator_id} cần thêm {more} người"


def roster_names_gap(
    target: int, indicator_id: str, more: int, names: list[str], rest: int
) -> str:
    """“Để đạt mức 2 ở 2.4 cần thêm 8 người; chưa có: Nguyễn Văn A, … và 23 người khác.”"""
    listed = ", ".join(names)
    tail = f" và {rest} người khác" if rest else ""
    return f"Để đạt mức {target} ở {indicator_id} cần thêm {more} người; chưa có: {listed}{tail}."


def zalo_file_link(file_name: str, mime_type: str, url: str, expires: dt.date) -> str:
    """The link line of a file on Zalo: the roster template (`reports.roster_xlsx`'s name)
    says what it is; every other file is one of the report's."""
    if file_name.startswith("danh-sach-thanh-vien"):
        return f"Tải mẫu danh sách (Excel): {url} — hết hạn {expires:%d/%m/%Y}"
    return zalo_report_link(mime_type, url, expires)


ROSTER_NAMES_SHOWN = 10
"""Names listed per indicator before “và N người khác”: enough to act on, short on a phone."""


# --- issue 16: dossier (part B) -----------------------------------------------
DOSSIER_PREPARING = (
    "Đang đóng gói hồ sơ: tờ trình, báo cáo, bảng tổng hợp, danh mục minh chứng và các tệp "
    "minh chứng."
)
DOSSIER_NOTHING_TO_REQUEST = (
    "Đơn vị chưa đạt mức độ 1 nên chưa có gì để đề nghị công nhận; gõ /ketqua để xem còn thiếu gì."
)
DOSSIER_NO_ASSESSMENT = "Đơn vị chưa có hồ sơ tự đánh giá năm nay; gõ /danhgia để bắt đầu."
DOSSIER_FAILED = "Chưa đóng gói được hồ sơ do lỗi trên máy chủ; vui lòng thử lại sau ít phút."


def dossier_no_link(unit_id: int) -> str:
    """No links service (DVHT_PUBLIC_URL unset) for a ZIP the chat cannot carry."""
    return (
        "Hồ sơ quá lớn để gửi qua ứng dụng chat và máy chủ chưa bật trang tải về; người quản "
        f"trị máy chủ lấy được hồ sơ bằng lệnh “dvht dossier --unit {unit_id} -o hoso.zip”."
    )


def dossier_admins_only(admin_names: list[str]) -> str:
    """/hoso from a member who is not the unit's admin: the ZIP holds every evidence file."""
    if not admin_names:
        return "Chỉ quản trị viên của đơn vị mới tải được cả hồ sơ; đơn vị chưa có quản trị viên."
    return f"Chỉ quản trị viên của đơn vị mới tải được cả hồ sơ: {', '.join(admin_names)}."


def dossier_caption(level: int, files: int, size: str) -> str:
    return (
        f"Hồ sơ đề nghị công nhận mức độ {level} ({size}): tờ trình (PDF, Word), báo cáo tự "
        f"đánh giá (PDF, Word), bảng tổng hợp, danh mục minh chứng và {files} tệp minh chứng "
        "đặt tên theo mã. Giải nén, kiểm tra, ký và đóng dấu tờ trình trước khi nộp."
    )


def dossier_link(level: int, files: int, size: str, url: str, expires: dt.date) -> str:
    return (
        f"{dossier_caption(level, files, size)}\nTải hồ sơ (ZIP) tại: {url}\n"
        f"Liên kết dùng được đến hết ngày {expires:%d/%m/%Y}."
    )


# --- issue 16: chart (part C) -------------------------------------------------
CHART_CAPTION = "Biểu đồ: tỉ lệ thành viên đạt từng chỉ tiêu so với mức 1 và mức 2."
"""The one line under the chart the result is followed by (Telegram's photo caption)."""
