"""What each reminder says, for crafted progress: the numbers and the shortfall exact, one
message within 2,000 characters, Vietnamese dates, no research labels, the resume button on
Telegram and the word elsewhere, and finished units told to submit."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conversations import catalogue as say
from conversations.messages import MAX_TEXT, Outbound
from reminders.compose import (
    MEMBER_KINDS,
    admin_rollup,
    expiry_soon,
    finished,
    reminder_messages,
    reviewer_rollup,
    upgrade_open,
)
from reminders.progress import UnitProgress, standing
from reminders.wording import fitted
from tests.reminders.compose_records import (
    DEADLINE,
    all_answered,
    answer,
    applicable_ids,
    progress,
    unit,
)
from tests.research_labels import assert_no_research_labels

DAY = dt.timedelta(days=1)
T7 = DEADLINE - 7 * DAY  # 08/01/2027


def one(messages: list[Outbound]) -> Outbound:
    assert len(messages) == 1, messages
    message = messages[0]
    assert 0 < len(message.text) <= MAX_TEXT, len(message.text)
    assert_no_research_labels(message.text, "a reminder")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", message.text), message.text  # no ISO dates
    return message


def partial() -> UnitProgress:
    """1.1 đạt with evidence, 1.2 đạt without, 2.1 24/30 with evidence; 10 unanswered."""
    return progress(
        [
            answer("1.1", {"met": True}),
            answer("1.2", {"met": True}, by=(2, "Minh"), on=dt.date(2026, 12, 3)),
            answer("2.1", {"count": 24}),
        ],
        evidence=["1.1", "2.1"],
    )


# --- the members' countdown ---------------------------------------------------------------------


def test_a_countdown_says_days_date_unit_what_is_left_and_the_exact_shortfall() -> None:
    message = one(reminder_messages("T-7", partial(), deadline=DEADLINE, today=T7))
    lines = message.text.split("\n")
    assert lines[:6] == [
        "Còn 7 ngày đến hạn nộp hồ sơ “Đơn vị học tập” năm 2026 (trước ngày 15/01/2027).",
        "Đơn vị: UBND xã Quảng Phú.",
        "Còn 10 chỉ tiêu chưa trả lời: 1.3, 1.4, 1.5, 2.2, 2.3, 2.4, 2.5, 3.1, 3.2, 3.3.",
        "1 chỉ tiêu đã trả lời nhưng chưa có minh chứng: 1.2.",
        "Để đạt mức độ 1, ngoài các chỉ tiêu chưa trả lời, đơn vị còn cần:",
        "• Chỉ tiêu 2.1 (Tuân thủ kỷ luật, nội quy, đoàn kết): cần thêm 3 thành viên tuân thủ "
        "kỷ luật lao động, nội quy làm việc, có tinh thần đoàn kết, hợp tác: hiện 24/30 (80%), "
        "cần ≥ 27/30 (90%).",
    ]
    assert message.kind == "reminder"


def test_the_countdown_counts_from_the_day_it_is_sent() -> None:
    """A T-7 held back by a holiday and sent a day later says 6 days, not 7."""
    text = one(reminder_messages("T-7", partial(), deadline=DEADLINE, today=T7 + DAY)).text
    assert text.startswith("Còn 6 ngày đến hạn nộp hồ sơ")


def test_one_day_left_says_tomorrow() -> None:
    text = one(reminder_messages("T-1", partial(), deadline=DEADLINE, today=DEADLINE - DAY)).text
    assert text.startswith(
        "Còn 1 ngày — hạn là ngày mai: hồ sơ “Đơn vị học tập” năm 2026 nộp trước ngày 15/01/2027."
    )


@pytest.mark.parametrize("kind", MEMBER_KINDS)
def test_every_member_kind_is_worded(kind: str) -> None:
    days = int(kind.removeprefix("T-"))
    text = one(reminder_messages(kind, partial(), deadline=DEADLINE, today=DEADLINE - days * DAY))
    assert f"Còn {days} ngày" in text.text if days > 1 else "ngày mai" in text.text


def test_heading_to_level_2_once_every_answer_meets_level_1() -> None:
    """28/30 (93,3%) meets level 1's 90% but not level 2's 95%: one more member."""
    found = progress(
        [answer("1.1", {"met": True}), answer("2.1", {"count": 28})], evidence=["1.1", "2.1"]
    )
    assert standing(found).heading == 2
    text = one(reminder_messages("T-14", found, deadline=DEADLINE, today=DEADLINE - 14 * DAY)).text
    assert "Để đạt mức độ 2, ngoài các chỉ tiêu chưa trả lời, đơn vị còn cần:" in text
    assert (
        "• Chỉ tiêu 2.1 (Tuân thủ kỷ luật, nội quy, đoàn kết): cần thêm 1 thành viên tuân thủ "
        "kỷ luật lao động, nội quy làm việc, có tinh thần đoàn kết, hợp tác: hiện 28/30 "
        "(93,3%), cần ≥ 29/30 (95%)."
    ) in text


def test_heading_to_level_1_while_an_answer_is_below_it_and_several_needs_are_listed() -> None:
    """An indicator below level 1 keeps the unit heading to level 1, whatever the others."""
    found = progress(
        [
            answer("1.1", {"met": False}),
            answer("2.4", {"count": 14}),  # 50% needs 15/30
            answer("3.3", {"title": "tap_the_lao_dong_tien_tien"}),
        ],
        evidence=["2.4", "3.3"],
    )
    assert standing(found).heading == 1
    text = one(reminder_messages("T-30", found, deadline=DEADLINE, today=DEADLINE - 30 * DAY)).text
    assert "Để đạt mức độ 1, ngoài các chỉ tiêu chưa trả lời, đơn vị còn cần:" in text
    assert (
        "• Chỉ tiêu 1.1 (Kế hoạch học tập hằng năm): đơn vị chưa đáp ứng; cần đáp ứng yêu cầu "
        "và có minh chứng."
    ) in text
    assert "cần thêm 1 thành viên có chứng nhận hoặc chứng chỉ ngoại ngữ" in text
    assert "hiện 14/30 (46,7%), cần ≥ 15/30 (50%)." in text
    assert "Chỉ tiêu 3.3" not in text  # meets level 1; level 2 is not the heading yet
    assert "1 chỉ tiêu đã trả lời nhưng chưa có minh chứng: 1.1." in text


def test_answers_that_all_reach_level_2_say_so() -> None:
    found = progress(
        [answer("1.1", {"met": True}), answer("2.1", {"count": 30})], evidence=["1.1"]
    )
    text = one(reminder_messages("T-3", found, deadline=DEADLINE, today=DEADLINE - 3 * DAY)).text
    assert "Các chỉ tiêu đã trả lời đều đạt yêu cầu mức độ 2." in text
    assert "1 chỉ tiêu đã trả lời nhưng chưa có minh chứng: 2.1." in text
    assert "Để đạt mức độ" not in text


def test_a_unit_not_started_is_told_how_much_is_left() -> None:
    found = progress([], members=None, started=False)
    text = one(reminder_messages("T-30", found, deadline=DEADLINE, today=DEADLINE - 30 * DAY)).text
    assert "Đơn vị chưa bắt đầu tự đánh giá: cả 13 chỉ tiêu đều chưa trả lời." in text
    assert say.FORECAST_UNKNOWN in text
    assert "Để đạt mức độ" not in text
    started_empty = progress([])
    same = reminder_messages("T-30", started_empty, deadline=DEADLINE, today=DEADLINE - 30 * DAY)
    assert "cả 13 chỉ tiêu đều chưa trả lời" in one(same).text


def test_the_resume_button_on_telegram_and_the_word_elsewhere() -> None:
    on_telegram = one(
        reminder_messages("T-7", partial(), deadline=DEADLINE, today=T7, buttons=True)
    )
    assert [(b.id, b.label) for b in on_telegram.buttons] == [("go:resume", "Làm tiếp")]
    assert on_telegram.text.endswith(say.RESUME_TAP)
    elsewhere = one(reminder_messages("T-7", partial(), deadline=DEADLINE, today=T7))
    assert elsewhere.buttons == ()
    assert elsewhere.text.endswith("Gõ “tiếp tục” để làm tiếp đúng chỗ bạn đang dừng.")


# --- the forecast in a push ---------------------------------------------------------------------


def test_a_late_forecast_is_said_with_its_date_and_days() -> None:
    """2 indicators first answered on 28/12 and 04/01 (2 in 14 days), 11 left: ceil(11 × 14 / 2)
    = 77 days after 08/01/2027 is 26/03/2027, 71 days after the last allowed day (14/01)."""
    found = progress(
        [
            answer("1.1", {"met": True}, on=dt.date(2026, 12, 28)),
            answer("1.2", {"met": True}, on=dt.date(2027, 1, 4)),
        ],
        evidence=["1.1", "1.2"],
    )
    text = one(reminder_messages("T-7", found, deadline=DEADLINE, today=T7)).text
    assert "Với tốc độ hiện tại, đơn vị sẽ xong khoảng ngày 26/03/2027 — sau hạn 71 ngày." in text


def test_a_correction_does_not_move_the_first_answer() -> None:
    """The history is the first answer's day: 1.1 answered long ago and corrected today does not
    make today an active day."""
    found = progress(
        [
            answer("1.1", {"met": True}, on=T7, first=dt.date(2026, 10, 1)),
            answer("1.2", {"met": True}, on=T7 - 2 * DAY),
        ],
        evidence=["1.1", "1.2"],
    )
    assert found.completions == (dt.date(2026, 10, 1), T7 - 2 * DAY)
    text = one(reminder_messages("T-7", found, deadline=DEADLINE, today=T7)).text
    assert say.FORECAST_UNKNOWN in text


def test_an_on_time_forecast_is_left_out_of_a_push() -> None:
    """12 first answers over the last 12 days, 1 left: done tomorrow, nothing to warn about."""
    answers = [
        answer(i, {"met": True} if i[0] in "13" else {"count": 30}, on=T7 - n * DAY)
        for n, i in enumerate(applicable_ids()[:12])
    ]
    found = progress(answers, evidence=applicable_ids()[:12])
    text = one(reminder_messages("T-7", found, deadline=DEADLINE, today=T7)).text
    assert "Với tốc độ hiện tại" not in text
    assert say.FORECAST_UNKNOWN not in text
    assert "Còn 1 chỉ tiêu chưa trả lời: 3.3." in text


# --- finished units ----------------------------------------------------------------------------


def test_a_finished_unit_is_told_to_submit_with_its_result_and_the_report() -> None:
    done = progress(all_answered(), evidence=applicable_ids())
    assert finished(done)
    message = one(reminder_messages("T-7", done, deadline=DEADLINE, today=T7, buttons=True))
    assert message.text.split("\n") == [
        "Còn 7 ngày đến hạn nộp hồ sơ “Đơn vị học tập” năm 2026 (trước ngày 15/01/2027).",
        "Đơn vị: UBND xã Quảng Phú.",
        "Đơn vị đã trả lời đủ các chỉ tiêu — hãy nộp hồ sơ trước ngày 15/01/2027.",
        "Kết quả tự đánh giá hiện tại: Đạt mức độ 2.",
        say.REPORT_OFFER_TAP,
    ]
    assert [b.id for b in message.buttons] == ["q:report"]
    console = one(reminder_messages("T-7", done, deadline=DEADLINE, today=T7))
    assert console.text.endswith("Gõ /baocao để nhận báo cáo tự đánh giá (PDF, Word, Excel).")
    assert console.buttons == ()


def test_a_finished_unit_missing_evidence_is_told_which() -> None:
    done = progress(all_answered(), evidence=applicable_ids()[2:])
    text = one(reminder_messages("T-3", done, deadline=DEADLINE, today=DEADLINE - 3 * DAY)).text
    assert "Kết quả tự đánh giá hiện tại: Không đạt." in text
    assert "Trước khi nộp, hãy bổ sung minh chứng cho 2 chỉ tiêu: 1.1, 1.2" in text


def test_finished_needs_every_applicable_indicator() -> None:
    assert not finished(progress(all_answered()[:-1]))
    assert not finished(progress([], started=False))


# --- length -------------------------------------------------------------------------------------


def test_a_long_push_is_cut_to_one_message_with_the_rest_counted() -> None:
    """A provincial school with a 300-character name and every answer short of level 1: the
    list ends with “và N chỉ tiêu khác”, and shown plus N is every indicator short."""
    school = unit(
        "Trường " + "Trung học phổ thông chuyên " * 11, tier="tinh", unit_type="pho_thong"
    )
    assert len(school.name) > 290
    ids = applicable_ids("tinh", "pho_thong")
    answers = []
    for i in ids:
        if i.startswith(("1.", "3.2")):
            answers.append(answer(i, {"met": False}))
        elif i == "3.3":
            answers.append(answer(i, {"title": "khong_co"}))
        elif i == "3.4":
            answers.append(answer(i, {"dt_level": "chua_dap_ung"}))
        elif i == "3.1":
            answers.append(answer(i, {"count": 1, "learners_count": 1}))
        else:
            answers.append(answer(i, {"count": 1}))
    answers = answers[:-1]  # one left unanswered, so this is a countdown
    found = progress(answers, of=school, learners=1000)
    short = standing(found).shortfall
    text = one(reminder_messages("T-7", found, deadline=DEADLINE, today=T7, buttons=True)).text
    shown = text.count("\n• Chỉ tiêu ")
    cut = re.search(r"\nvà (\d+) chỉ tiêu khác\.\n", text)
    assert cut is not None, text
    assert shown + int(cut.group(1)) == len(short)
    assert shown >= 3


def test_fitted_cuts_items_to_the_limit_and_counts_the_rest() -> None:
    items = [f"• mục {n} " + "x" * 40 for n in range(20)]
    text = fitted(["Đầu"], items, ["Cuối"], more=say.more_indicators, limit=200)
    assert len(text) <= 200
    assert text.startswith("Đầu\n• mục 0 ")
    assert text.endswith("chỉ tiêu khác.\nCuối")
    shown = text.count("• mục")
    assert f"và {20 - shown} chỉ tiêu khác." in text
    assert fitted(["Đầu"], items[:2], ["Cuối"], more=say.more_indicators).count("• mục") == 2


# --- the unit admin's roll-up -------------------------------------------------------------------


def test_the_admin_roll_up_lists_open_indicators_and_who_answered_what() -> None:
    found = progress(
        [
            answer("1.1", {"met": True}, by=(1, "Lan"), on=dt.date(2026, 12, 1)),
            answer("1.2", {"met": True}, by=(2, "Minh"), on=dt.date(2026, 12, 3)),
            answer("2.1", {"count": 24}, by=(1, "Lan"), on=dt.date(2026, 12, 2)),
            answer("2.2", {"count": 29}, by=(None, None), on=dt.date(2026, 11, 30)),
            answer("3.3", {"title": "tap_the_lao_dong_xuat_sac"}, by=(3, "Ánh")),
        ],
        evidence=["1.1", "2.1", "2.2", "3.3"],
    )
    message = one(admin_rollup(found, deadline=DEADLINE, today=T7, buttons=True))
    assert message.text.split("\n") == [
        "Còn 7 ngày đến hạn nộp hồ sơ “Đơn vị học tập” năm 2026 (trước ngày 15/01/2027).",
        "Tổng hợp cho quản trị đơn vị UBND xã Quảng Phú, hồ sơ năm 2026:",
        "Đã trả lời 5/13 chỉ tiêu (38%, làm tròn xuống).",
        "Chỉ tiêu còn mở:",
        "• Chưa trả lời: 1.3, 1.4, 1.5, 2.3, 2.4, 2.5, 3.1, 3.2",
        "• Chưa có minh chứng: 1.2",
        "• Chưa đạt mức độ 1: 2.1 (Tuân thủ kỷ luật, nội quy, đoàn kết)",
        "Ai đã trả lời gì:",
        "• Ánh (1): 3.3 Tập thể lao động xuất sắc, 01/12/2026",
        "• Lan (2): 1.1 đạt, 01/12/2026; 2.1 24 thành viên, 02/12/2026",
        "• Minh (1): 1.2 đạt, 03/12/2026",
        "• Nhập từ tệp hoặc dòng lệnh (1): 2.2 29 thành viên, 30/11/2026",
        say.FORECAST_UNKNOWN,
        say.RESUME_TAP,
    ]
    assert [b.id for b in message.buttons] == ["go:resume"]


def test_the_admin_roll_up_is_the_admin_kind_of_reminder_messages() -> None:
    found = partial()
    by_kind = reminder_messages("admin-T-7", found, deadline=DEADLINE, today=T7)
    assert by_kind == admin_rollup(found, deadline=DEADLINE, today=T7)


def test_the_admin_roll_up_of_many_people_stays_one_message() -> None:
    answers = [
        answer(
            i, {"met": True} if i[0] in "13" else {"count": 30}, by=(n, f"Người {n} " + "x" * 150)
        )
        for n, i in enumerate(applicable_ids(), start=1)
    ][:-1]
    found = progress(answers, evidence=applicable_ids())
    text = one(admin_rollup(found, deadline=DEADLINE, today=T7)).text
    shown = text.count("\n• Người ")
    cut = re.search(r"\nvà (\d+) người khác\.\n", text)
    assert cut is not None
    assert shown + int(cut.group(1)) == 12


def test_an_admin_roll_up_with_nothing_answered() -> None:
    text = one(admin_rollup(progress([]), deadline=DEADLINE, today=T7)).text
    assert "Đã trả lời 0/13 chỉ tiêu (0%, làm tròn xuống)." in text
    assert say.NOBODY_ANSWERED in text


# --- the reviewers' roll-up ---------------------------------------------------------------------


def _unit_with(unit_id: int, name: str, answered: int, **kw: object) -> UnitProgress:
    ids = applicable_ids()[:answered]
    answers = [answer(i, {"met": True} if i[0] in "13" else {"count": 30}) for i in ids]
    return progress(answers, of=unit(name, unit_id=unit_id), **kw)  # type: ignore[arg-type]


def test_the_reviewer_roll_up_lists_units_lowest_first_in_whole_percent() -> None:
    units = [
        _unit_with(1, "UBND xã Quảng Phú", 12),  # 92,3% → 92%
        _unit_with(2, "UBND xã Quảng Thọ", 0, started=False),
        _unit_with(3, "Trường THCS Quảng Vinh", 5),  # 38,5% → 38%
        _unit_with(4, "UBND xã Quảng Điền", 13, status="submitted"),  # left out
        _unit_with(5, "UBND xã Quảng An", 5),  # same share: by name
    ]
    message = one(reviewer_rollup(units, deadline=DEADLINE, today=DEADLINE - 3 * DAY))
    assert message.text.split("\n") == [
        "Còn 3 ngày đến hạn nộp hồ sơ “Đơn vị học tập” năm 2026 (trước ngày 15/01/2027).",
        "4 đơn vị thuộc phạm vi Phòng Văn hóa – Xã hội xã Quảng Phú chưa nộp hồ sơ “Đơn vị học "
        "tập” năm 2026. Tiến độ là số chỉ tiêu đã trả lời trên số chỉ tiêu áp dụng, làm tròn "
        "xuống; thấp nhất trước:",
        "• UBND xã Quảng Thọ: 0% (0/13, chưa bắt đầu)",
        "• Trường THCS Quảng Vinh: 38% (5/13)",
        "• UBND xã Quảng An: 38% (5/13)",
        "• UBND xã Quảng Phú: 92% (12/13)",
    ]
    assert message.buttons == ()


def test_the_reviewer_roll_up_sorts_on_exact_shares() -> None:
    """1/3 (33%) of a provincial unit's… shares compare exactly: 6/13 (46,15%) before 7/15."""
    a = _unit_with(1, "A", 6)  # 6/13
    tinh = unit("B", unit_id=2, tier="tinh", unit_type="pho_thong")
    ids = applicable_ids("tinh", "pho_thong")[:7]
    b = progress(
        [answer(i, {"met": True} if i[0] in "13" else {"count": 30}) for i in ids], of=tinh
    )
    text = one(reviewer_rollup([b, a], deadline=DEADLINE, today=DEADLINE - 3 * DAY)).text
    assert text.index("• A: 46% (6/13)") < text.index("• B: 50% (7/14)")


def test_a_long_reviewer_roll_up_ends_with_the_units_left_out() -> None:
    units = [_unit_with(n, f"UBND xã số {n:03d} " + "y" * 120, n % 13) for n in range(1, 61)]
    text = one(reviewer_rollup(units, deadline=DEADLINE, today=DEADLINE - 3 * DAY)).text
    shown = text.count("\n• UBND xã số ")
    cut = re.search(r"\nvà (\d+) đơn vị khác\.$", text)
    assert cut is not None
    assert shown + int(cut.group(1)) == 60
    assert "60 đơn vị thuộc phạm vi" in text


def test_a_reviewer_roll_up_when_all_submitted() -> None:
    units = [_unit_with(1, "UBND xã Quảng Phú", 13, status="recognised")]
    text = one(reviewer_rollup(units, deadline=DEADLINE, today=DEADLINE - 3 * DAY)).text
    assert text.endswith(
        "Mọi đơn vị thuộc phạm vi Phòng Văn hóa – Xã hội xã Quảng Phú đã nộp hồ sơ “Đơn vị học "
        "tập” năm 2026."
    )


# --- recognition: the upgrade and the expiry ---------------------------------------------------


def test_the_upgrade_push_names_the_dates_and_what_level_2_still_needs() -> None:
    found = progress(
        [answer("1.1", {"met": True}), answer("2.1", {"count": 28}), answer("2.4", {"count": 16})],
        evidence=["1.1", "2.1"],
        level1_decision_date=dt.date(2025, 12, 5),
    )
    message = one(upgrade_open(found, today=dt.date(2026, 12, 5), buttons=True))
    text = message.text
    assert text.startswith(
        "Từ ngày 05/12/2026, UBND xã Quảng Phú đã đủ 12 tháng kể từ quyết định công nhận "
        "“Đơn vị học tập” mức độ 1 (ngày 05/12/2025): đơn vị có thể đề nghị đánh giá, công "
        "nhận nâng lên mức độ 2."
    )
    assert "Còn 10 chỉ tiêu chưa trả lời:" in text
    assert "1 chỉ tiêu đã trả lời nhưng chưa có minh chứng: 2.4." in text
    assert "hiện 28/30 (93,3%), cần ≥ 29/30 (95%)" in text
    assert "hiện 16/30 (53,3%), cần ≥ 21/30 (70%)" in text
    assert say.UPGRADE_NOTE in text
    assert [b.id for b in message.buttons] == ["go:resume"]


def test_the_upgrade_push_of_a_unit_at_level_2_or_not_started() -> None:
    ready = progress(all_answered(), evidence=applicable_ids())
    text = one(
        upgrade_open(ready, today=dt.date(2026, 12, 5), decision_date=dt.date(2025, 12, 5))
    ).text
    assert say.UPGRADE_READY in text
    fresh = progress([], started=False)
    text = one(
        upgrade_open(fresh, today=dt.date(2026, 12, 5), decision_date=dt.date(2025, 12, 5))
    ).text
    assert say.UPGRADE_NOT_STARTED in text
    with pytest.raises(ValueError, match="level-1 decision"):
        upgrade_open(fresh, today=dt.date(2026, 12, 5))


def test_the_expiry_push_names_the_date_and_the_days_left() -> None:
    message = one(
        expiry_soon(partial(), lapses_on=dt.date(2027, 2, 1), today=dt.date(2026, 12, 3))
    )
    assert message.text.split("\n") == [
        "Kết quả công nhận “Đơn vị học tập” của UBND xã Quảng Phú hết thời hạn vào ngày "
        "01/02/2027 (còn 60 ngày). Hãy tự đánh giá lại và gửi hồ sơ để được công nhận tiếp.",
        say.EXPIRY_NOTE,
        say.RESUME_WORD,
    ]


def test_a_kind_without_its_own_words_is_refused() -> None:
    with pytest.raises(ValueError, match="reviewer-T-3"):
        reminder_messages("reviewer-T-3", partial(), deadline=DEADLINE, today=T7)
    with pytest.raises(ValueError, match="upgrade"):
        reminder_messages("upgrade", partial(), deadline=DEADLINE, today=T7)


def test_a_configured_offset_is_worded_like_the_default_ones() -> None:
    text = one(reminder_messages("T-60", partial(), deadline=DEADLINE, today=DEADLINE - 60 * DAY))
    assert text.text.startswith("Còn 60 ngày đến hạn nộp hồ sơ")
