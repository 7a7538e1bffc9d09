"""Intent recognition: Vietnamese with and without diacritics, typos, English, slash commands,
and above all the answers and free text that must never be taken for a command."""

from __future__ import annotations

import unicodedata
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations.intents import (
    DEFAULT_IDS,
    MAX_CHARS,
    Intent,
    IntentKind,
    is_question,
    normalise,
    parse_intent,
)
from dvht_core.loader import TT24_BY_TIER, load_rulebook

CANCEL = Intent("cancel")


def need(level: int | None) -> Intent:
    return Intent("need_level", level=level)


def crit(criterion: str | None, level: int | None = None) -> Intent:
    return Intent("criterion_info", level=level, criterion=criterion)


def ind(indicator: str | None, level: int | None = None) -> Intent:
    return Intent("indicator_info", level=level, indicator=indicator)


def edit(indicator: str | None) -> Intent:
    return Intent("edit", indicator=indicator)


def k(kind: IntentKind) -> Intent:
    return Intent(kind)


# Recognised in normal mode (the bot waits for a number, a choice or a yes/no).
POSITIVES: list[tuple[str, Intent]] = [
    # need_level
    ("cần gì để đạt mức 2", need(2)),
    ("muc 2 can gi", need(2)),
    ("can gi de dat muc2", need(2)),
    ("what do we need for level 2", need(2)),
    ("điều kiện đạt mức độ 1", need(1)),
    ("Tôi cần làm gì để đạt mức 1?", need(1)),
    ("mức II cần gì", need(2)),
    ("Mức độ 1 là gì", need(1)),
    ("mức 2?", need(2)),
    ("mức 3 cần gì", need(None)),  # TT24 has no level 3: the bot lists the real ones
    ("điều kiện", need(None)),
    ("what are the requirements for level 1", need(1)),
    ("how do I reach level 2?", need(2)),
    # criterion_info
    ("tiêu chí 2 gồm những gì", crit("2")),
    ("tieu chi 3 la gi", crit("3")),
    ("criterion 1", crit("1")),
    ("tiêu chí 2", crit("2")),
    ("tiêu chí 2 mức 1 gồm những gì", crit("2", level=1)),
    ("tiêu chí 9 là gì", crit(None)),
    # indicator_info
    ("chỉ tiêu 2.4 là gì", ind("2.4")),
    ("chi tieu 3.1 yeu cau gi", ind("3.1")),
    ("2.4 là gì", ind("2.4")),
    ("indicator 2.4", ind("2.4")),
    ("what is indicator 3.6", ind("3.6")),
    ("chỉ tiêu 2.4", ind("2.4")),
    ("2.4?", ind("2.4")),
    ("hướng dẫn chỉ tiêu 2.4", ind("2.4")),
    ("chỉ tiêu 2.4 cần gì để đạt mức 2", ind("2.4", level=2)),
    ("cần nộp những minh chứng gì cho chỉ tiêu 1.2?", ind("1.2")),
    ("chỉ tiêu 9.9 là gì", ind(None)),  # no such indicator: the bot says so
    ("chi tieu 7", ind(None)),
    # deadline
    ("hạn nộp hồ sơ khi nào", k("deadline")),
    ("han nop", k("deadline")),
    ("deadline", k("deadline")),
    ("khi nào phải nộp", k("deadline")),
    ("nộp hồ sơ ở đâu", k("deadline")),
    ("khi nào phải nộp báo cáo", k("deadline")),
    ("hạn chót nộp hồ sơ là ngày nào?", k("deadline")),
    ("when is the deadline", k("deadline")),
    # the calendar (issue 13): days left, who receives and who recognises
    ("còn bao nhiêu ngày", k("days_left")),
    ("con bao nhieu ngay", k("days_left")),
    ("còn mấy ngày nữa?", k("days_left")),
    ("còn bao nhiêu ngày nữa thì hết hạn", k("days_left")),
    ("nộp cho ai", k("office")),
    ("nop ho so cho ai", k("office")),
    ("đơn vị nộp hồ sơ cho cơ quan nào?", k("office")),
    ("ai công nhận đơn vị học tập", k("office")),
    ("ai công nhận", k("office")),
    ("cơ quan nào công nhận", k("office")),
    # missing_evidence
    ("còn thiếu minh chứng gì", k("missing_evidence")),
    ("thieu minh chung", k("missing_evidence")),
    ("missing evidence", k("missing_evidence")),
    ("con thieu minh chung nao khong", k("missing_evidence")),
    # progress
    ("tiến độ", k("progress")),
    ("tien do", k("progress")),
    ("đã làm đến đâu", k("progress")),
    ("progress", k("progress")),
    ("cho tôi xem tiến độ", k("progress")),
    ("tien do cua don vi toi den dau roi", k("progress")),
    ("TIẾN ĐỘ", k("progress")),
    ("Tiến  độ!!!", k("progress")),
    ("show my progress", k("progress")),
    # result
    ("kết quả", k("result")),
    ("ket qua", k("result")),
    ("đạt mức mấy", k("result")),
    ("result", k("result")),
    ("kết quả đánh giá", k("result")),
    ("đơn vị tôi đã đạt mức 2 chưa?", k("result")),
    ("toi muon xem ket qua", k("result")),
    # report
    ("báo cáo", k("report")),
    ("xuất báo cáo", k("report")),
    ("report", k("report")),
    ("pdf", k("report")),
    ("xuất file pdf", k("report")),
    ("bot ơi cho xem báo cáo", k("report")),
    ("hồ sơ", k("dossier")),
    ("tải hồ sơ", k("dossier")),
    ("tải cả hồ sơ zip", k("dossier")),
    # help
    ("hướng dẫn", k("help")),
    ("huong dan", k("help")),
    ("trợ giúp", k("help")),
    ("help", k("help")),
    ("?", k("help")),
    # back
    ("quay lại", k("back")),
    ("quay lai", k("back")),
    ("trở lại", k("back")),
    ("back", k("back")),
    ("I want to go back", k("back")),
    # skip
    ("bỏ qua", k("skip")),
    ("bo qua", k("skip")),
    ("skip", k("skip")),
    ("để sau", k("skip")),
    # later_evidence
    ("bổ sung sau", k("later_evidence")),
    ("bo sung sau", k("later_evidence")),
    ("gửi sau", k("later_evidence")),
    ("later", k("later_evidence")),
    ("bổ sung minh chứng sau", k("later_evidence")),
    # the reminders' opt-out (issue 13)
    ("tắt nhắc nhở", k("reminders_off")),
    ("tat nhac nho", k("reminders_off")),
    ("dừng nhắc nhở", k("reminders_off")),
    ("bật nhắc nhở", k("reminders_on")),
    ("bat nhac nho", k("reminders_on")),
    # pause
    ("tạm dừng", k("pause")),
    ("tam dung", k("pause")),
    ("dừng", k("pause")),
    ("pause", k("pause")),
    ("tạm dừng đánh giá", k("pause")),
    # resume
    ("tiếp tục", k("resume")),
    ("tiep tuc", k("resume")),
    ("đánh giá", k("resume")),
    ("continue", k("resume")),
    ("resume", k("resume")),
    # cancel
    ("hủy", CANCEL),
    ("huỷ", CANCEL),
    ("huy", CANCEL),
    ("thoát", CANCEL),
    ("cancel", CANCEL),
    ("Hủy đi", CANCEL),
    # edit
    ("sửa 2.4", edit("2.4")),
    ("sua 2.4", edit("2.4")),
    ("edit 2.4", edit("2.4")),
    ("sửa chỉ tiêu 2.4", edit("2.4")),
    ("edit indicator 1.3", edit("1.3")),
    ("sửa", edit(None)),
    ("sửa 9.9", edit(None)),
    ("Tôi có thể sửa chỉ tiêu 2.4 không?", edit("2.4")),
    # typos, one letter or run together, typed without diacritics
    ("tien dô", k("progress")),
    ("tieen do", k("progress")),
    ("tiendo", k("progress")),
    ("thieu minh chng", k("missing_evidence")),
    ("ket qau", k("result")),
    ("ket qa", k("result")),
    ("ketqua", k("result")),
    ("quay lia", k("back")),
    ("quaylai", k("back")),
    ("huong dna", k("help")),
    ("huogn dan", k("help")),
    ("tam dugn", k("pause")),
    ("progres", k("progress")),
    ("reprot", k("report")),
    ("deadlnie", k("deadline")),
]

SLASH: list[tuple[str, Intent | None]] = [
    ("/start", None),
    ("/start ABC123", None),
    ("/start@dvht_bot", None),
    ("/danhgia", k("resume")),
    ("/ketqua", k("result")),
    ("/baocao", k("report")),
    ("/hoso", k("dossier")),
    ("/help", k("help")),
    ("/huongdan", k("help")),
    ("/huongdn", k("help")),
    ("/huy", CANCEL),
    ("/back", k("back")),
    ("/sua", edit(None)),
    ("/sua 2.4", edit("2.4")),
    ("/Sửa chỉ tiêu 3.6", edit("3.6")),
    ("/sua 9.9", edit(None)),
    ("/sua_2_4", edit("2.4")),
    ("/sua@dvht_bot 2.4", edit("2.4")),
    ("/dieukien 2", need(2)),
    ("/hoi", k("help")),
    ("/hoi muc 2 can gi", need(2)),
    ("/hoi chỉ tiêu 2.4 là gì?", ind("2.4")),
    ("/hoi con meo", k("help")),  # a question the bot cannot read: show what it can answer
    ("/", None),
    ("/xyz", None),
    ("/startt", None),
]

# Never intents, in either mode: answers, ids alone, free text, names.
NEGATIVES: list[str] = [
    "27",
    "27/30",
    "90%",
    "90 %",
    "0",
    "1",
    "2",
    "2.4",
    "2,5",
    "1.5 triệu",
    "đạt",
    "chưa đạt",
    "có",
    "không",
    "yes",
    "no",
    "OK",
    "đúng",
    "dung",  # "đúng" typed without marks: an answer, not "dừng"
    "Đúng rồi",
    "Chưa có minh chứng",
    "có 27 người",
    "27 người đạt",
    "đạt 90%",
    "mức 2",
    "đạt mức 2",
    "level 3",
    "10/01/2025",
    "ngày 10/01/2025",
    "10.01.2025",
    "👍",
    "😀😀",
    "...",
    "",
    "   \n\t ",
    "Kế hoạch số 12/KH-UBND ngày 10/01/2025",
    "UBND xã Quảng Phú",
    "Báo cáo kết quả thực hiện kế hoạch năm 2025",
    "Báo cáo năm 2025",
    "Kết quả học tập của cán bộ",
    "Hướng dẫn thực hiện",
    "Hướng dẫn số 05/HD-SGDĐT",
    "Quyết định số 45/QĐ-UBND",
    "Nghị quyết của Đảng ủy về xây dựng xã hội học tập",
    "Đánh giá cán bộ năm 2025",
    "Sửa chữa nhà văn hóa",
    "tiếp tục học tập",
    "Bổ sung kế hoạch",
    "UBND xã Tam Dương",
    "Tam Dương",
    "tam duong",  # a place typed without marks: a real syllable is no typo of "dừng"
    "Phòng Giáo dục và Đào tạo huyện Tam Dương",
    "Trường Mầm non Sao Mai",
    "Sao Mai",
    "Nguyễn Văn Huy",
    "Quang Huy",
    "cảm ơn",
    "xin chào",
    "ke hoach thuc hien nam 2025",
    "bao cao tong ket",
    "Báo cáo kết quả " * 700,  # 11,200 characters
    "tiến độ " * 1250,  # 10,000 characters, made of command words
]

# Command words alone, or clear questions: intents even while the bot waits for free text.
STRICT_POSITIVES: list[tuple[str, Intent]] = [
    ("quay lại", k("back")),
    ("bỏ qua", k("skip")),
    ("hủy", CANCEL),
    ("huỷ", CANCEL),
    ("tạm dừng", k("pause")),
    ("bổ sung sau", k("later_evidence")),
    ("kết quả", k("result")),
    ("tiến độ", k("progress")),
    ("hướng dẫn", k("help")),
    ("xem báo cáo", k("report")),
    ("sửa 2.4", edit("2.4")),
    ("/ketqua", k("result")),
    ("?", k("help")),
    ("muc 2 can gi", need(2)),
    ("hạn nộp hồ sơ khi nào", k("deadline")),
    ("còn thiếu minh chứng gì?", k("missing_evidence")),
    ("thieu minh chng gi?", k("missing_evidence")),  # a question may still have a typo
    ("Cho hỏi tiến độ của đơn vị", k("progress")),
]

# Intents in normal mode, but free text while the bot waits for it.
STRICT_ONLY_NEGATIVES: list[str] = [
    "huy",  # a given name when typed without marks
    "Huy",
    "ket qau",  # no typo tolerance for free text
    "quaylai",
    "Báo cáo 2025",
    "add evidence later",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_recognised(text: str, expected: Intent) -> None:
    assert parse_intent(text) == expected


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_decomposed_input_reads_the_same(text: str, expected: Intent) -> None:
    """Some keyboards send NFD ("ti\u0300m" style); it must not matter."""
    assert parse_intent(unicodedata.normalize("NFD", text)) == expected


@pytest.mark.parametrize(("text", "expected"), SLASH)
@pytest.mark.parametrize("strict", [False, True])
def test_slash_commands(text: str, expected: Intent | None, strict: bool) -> None:
    assert parse_intent(text, strict=strict) == expected


@pytest.mark.parametrize("text", NEGATIVES)
@pytest.mark.parametrize("strict", [False, True])
def test_answers_and_free_text_are_not_intents(text: str, strict: bool) -> None:
    assert parse_intent(text, strict=strict) is None


@pytest.mark.parametrize(("text", "expected"), STRICT_POSITIVES)
def test_strict_mode_keeps_commands_and_questions(text: str, expected: Intent) -> None:
    assert parse_intent(text, strict=True) == expected


@pytest.mark.parametrize("text", STRICT_ONLY_NEGATIVES)
def test_strict_mode_takes_near_commands_as_free_text(text: str) -> None:
    assert parse_intent(text) is not None
    assert parse_intent(text, strict=True) is None


def test_tables_cover_every_kind() -> None:
    assert {intent.kind for _, intent in POSITIVES} == set(get_args(IntentKind))
    assert len(POSITIVES) + len(SLASH) >= 80
    assert len(NEGATIVES) >= 25


def test_unknown_ids_depend_on_the_rulebook() -> None:
    tt22_ids = {"1.1", "1.2", "1.3", "2.1"}
    assert parse_intent("chỉ tiêu 3.6 là gì", indicator_ids=tt22_ids) == ind(None)
    assert parse_intent("sửa 2.1", indicator_ids=tt22_ids) == edit("2.1")
    assert parse_intent("tiêu chí 3 là gì", indicator_ids=tt22_ids) == crit(None)
    assert parse_intent("chỉ tiêu 3.6 là gì") == ind("3.6")


def test_default_ids_are_the_tt24_indicators() -> None:
    ids = {i.id for rid in TT24_BY_TIER.values() for i in load_rulebook(rid).indicators}
    assert ids == DEFAULT_IDS


def test_normalise() -> None:
    assert normalise("  Muc 2 CẦN gì?? ") == "muc 2 can gi??"
    assert normalise("Kế hoạch số 12/KH-UBND, ngày 10/01/2025!") == (
        "ke hoach so 12/kh ubnd ngay 10/01/2025"
    )
    assert normalise("Đạt 90%") == "dat 90%"
    assert normalise(unicodedata.normalize("NFD", "tiến độ")) == "tien do"
    assert normalise("👍") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sao vậy", True),
        ("Bao giờ nộp", True),
        ("what is this", True),
        ("tiêu chí 2 gồm những gì", True),
        ("đạt chưa ạ", True),
        ("được không?", True),
        ("tiến độ?", True),
        ("tiến độ ? 😀", True),
        ("chưa", False),
        ("UBND xã Quảng Phú", False),
        ("Báo cáo kết quả thực hiện kế hoạch năm 2025", False),
        ("27", False),
        ("", False),
    ],
)
def test_is_question(text: str, expected: bool) -> None:
    assert is_question(text) is expected


def test_longer_than_max_chars_is_never_an_intent() -> None:
    question = "cần gì để đạt mức 2 " + "a" * MAX_CHARS + "?"
    assert parse_intent(question) is None


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300), st.booleans())
def test_never_raises(text: str, strict: bool) -> None:
    result = parse_intent(text, strict=strict)
    assert result is None or isinstance(result, Intent)
    is_question(text)
    normalise(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789/%. \u00a0", max_size=60), st.booleans())
def test_numbers_are_answers(text: str, strict: bool) -> None:
    assert parse_intent(text, strict=strict) is None


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([t for t, _ in POSITIVES]), st.sampled_from(["", " ", "  ", "\n"]))
def test_surrounding_whitespace_does_not_matter(text: str, pad: str) -> None:
    assert parse_intent(pad + text + pad) == parse_intent(text)
