"""Whole dialogues through the real service and database: onboarding, every indicator, the result.

Each test is a script a real official could type; the assertions read both what the bot said and
what the repositories stored.
"""

from __future__ import annotations

import pytest

from conversations import catalogue as say
from storage.db import Database
from tests.conversations.driver import (
    BotClient,
    Reply,
    answer,
    onboard,
    stored,
    titles,
    values,
    walk,
    walk_of,
)

XA = [i.id for i in walk_of("huyen", "ubnd_xa")]
THPT = [i.id for i in walk_of("tinh", "pho_thong")]


def test_the_plans_the_dialogues_rely_on() -> None:
    assert XA == [
        "1.1", "1.2", "1.3", "1.4", "1.5",
        "2.1", "2.2", "2.3", "2.4", "2.5",
        "3.1", "3.2", "3.3",
    ]  # fmt: skip
    assert [*XA, "3.4"] == THPT


# --- full walks to each level -------------------------------------------------------------------


async def test_ubnd_xa_reaches_level_2(client: BotClient, database: Database) -> None:
    code = await onboard(client, unit_type="ut:xa", members=30)
    assert client.position == (1, 13)
    assert client.indicator == "1.1"

    asked = await walk(
        client,
        "huyen",
        "ubnd_xa",
        30,
        {"1.1": Reply("v:y", description="Ban hành kế hoạch số 12/KH-UBND ngày 10/01/2025")},
    )

    assert asked == XA
    assert client.last[0].text == say.WALK_FINISHED
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in client.result_text
    assert client.buttons == ["q:report", "sb:go"]  # issue 15: the admin may submit
    record = await stored(database)
    assert record.unit.name == "UBND xã Quảng Phú"
    assert (record.unit.tier, record.unit.unit_type, record.unit.province) == (
        "huyen",
        "ubnd_xa",
        "Thành phố Huế",
    )
    assert (record.year, record.members, record.learners, record.status) == (
        2025,
        30,
        None,
        "draft",
    )
    assert sorted(record.answers) == sorted(XA)
    assert values(record)["1.1"] == {"met": True}
    assert values(record)["2.4"] == {"count": 30}
    assert values(record)["3.3"] == {"title": "tap_the_lao_dong_xuat_sac"}
    assert record.answers["1.1"].description == "Ban hành kế hoạch số 12/KH-UBND ngày 10/01/2025"
    assert {a.answered_by_name for a in record.answers.values()} == {"Lan"}
    for indicator_id in XA:
        assert titles(record, indicator_id) == ["Kế hoạch số 12/KH-UBND"], indicator_id
    assert len(code) >= 8


async def test_ubnd_xa_reaches_level_1_with_2_4_at_16_of_30(
    client: BotClient, database: Database
) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, {"2.4": "16/30"})

    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 1" in client.result_text
    assert "2.4" in client.result_text
    record = await stored(database)
    assert values(record)["2.4"] == {"count": 16}


async def test_one_yes_no_not_met_is_not_achieved_and_skips_evidence(
    client: BotClient, database: Database
) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    await client.click("v:n")
    assert client.last[0].text == "Đã lưu 1.3: chưa đạt."
    assert client.step == "description"  # no evidence for something not met
    await client.send("Chưa bố trí được kinh phí năm 2025")
    assert client.last[0].text == say.DESCRIPTION_SAVED
    assert client.step == "strengths"
    await client.send("Tồn tại: chưa có nguồn kinh phí riêng")
    assert client.indicator == "1.4"
    await walk(client, "huyen", "ubnd_xa", 30)

    assert "KẾT QUẢ: KHÔNG ĐẠT" in client.result_text
    record = await stored(database)
    assert values(record)["1.3"] == {"met": False}
    assert record.answers["1.3"].description == "Chưa bố trí được kinh phí năm 2025"
    assert record.answers["1.3"].weaknesses == "chưa có nguồn kinh phí riêng"
    assert record.answers["1.3"].strengths is None
    assert titles(record, "1.3") == []


async def test_evidence_later_is_not_achieved_and_stores_no_evidence(
    client: BotClient, database: Database
) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, {"3.2": Reply("v:y", evidence=None)})

    assert "KẾT QUẢ: KHÔNG ĐẠT" in client.result_text
    assert "Còn thiếu minh chứng: 3.2." in client.result_text
    record = await stored(database)
    assert values(record)["3.2"] == {"met": True}
    assert record.evidence_for("3.2") == ()
    assert len(record.evidence) == len(XA) - 1


async def test_evidence_later_says_it_counts_as_not_met(client: BotClient) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    assert client.last[0].text == say.EVIDENCE_LATER
    assert client.step == "description"


async def test_thpt_school_at_tinh_tier_with_learners_title_and_digital_level(
    client: BotClient, database: Database
) -> None:
    await onboard(client, unit_type="ut:thpt", members=40, name="Trường THPT Hai Bà Trưng")
    assert client.position == (1, 14)
    replies = {
        "3.1": Reply("38", learners_total="1200", learners="1170"),
        "3.3": Reply("v:tap_the_lao_dong_tien_tien"),
        "3.4": Reply("v:tot"),
    }
    asked = await walk(client, "tinh", "pho_thong", 40, replies)

    assert asked == THPT
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in client.result_text
    asked_learners = [
        out for _, outs in client.history for out in outs if out.text == say.ASK_LEARNERS
    ]
    assert len(asked_learners) == 1
    record = await stored(database)
    assert (record.unit.tier, record.unit.unit_type) == ("tinh", "pho_thong")
    assert (record.members, record.learners) == (40, 1200)
    assert values(record)["3.1"] == {"count": 38, "learners_count": 1170}
    assert values(record)["3.3"] == {"title": "tap_the_lao_dong_tien_tien"}
    assert values(record)["3.4"] == {"dt_level": "tot"}


async def test_thpt_learners_part_of_3_1_asks_total_once_and_checks_it(
    client: BotClient, database: Database
) -> None:
    await onboard(client, unit_type="ut:thpt", members=40)
    await walk(client, "tinh", "pho_thong", 40, stop_before="3.1")
    await client.send("38")
    assert client.step == "ask_learners"
    assert client.buttons == []
    await client.send("0")
    assert client.errors == [say.total_too_small(say.LEARNERS)]
    assert client.step == "ask_learners"
    await client.send("1200")
    assert client.step == "learners_value"
    assert "trên tổng 1200" in client.question_text
    await client.send("1300")
    assert client.errors == [say.above_total(1300, 1200, say.LEARNERS)]
    await client.send("90,55%")  # 1086,6 people
    assert client.errors == ["Tỷ lệ này ứng với 1086.6 người học; hãy gõ số người cụ thể."]
    assert client.step == "learners_value"
    await client.click("nav:back")
    assert client.step == "value"
    assert client.indicator == "3.1"
    await client.send("39")
    assert client.step == "learners_value"  # the total is known now: not asked again
    await client.send("97%")  # 1164 exactly
    assert client.last[0].text == "Đã lưu 3.1: 39 thành viên, 1164 người học."
    assert client.step == "evidence"
    record = await stored(database)
    assert record.learners == 1200
    assert values(record)["3.1"] == {"count": 39, "learners_count": 1164}


async def test_thpt_digital_level_basic_is_level_1(client: BotClient, database: Database) -> None:
    await onboard(client, unit_type="ut:thpt", members=40)
    replies = {
        "3.1": Reply("40", learners_total="1000", learners="1000"),
        "3.3": "v:tap_the_lao_dong_tien_tien",
        "3.4": "v:co_ban",
    }
    await walk(client, "tinh", "pho_thong", 40, replies)
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 1" in client.result_text
    assert values(await stored(database))["3.4"] == {"dt_level": "co_ban"}


async def test_title_and_digital_level_accept_option_numbers_and_labels(
    client: BotClient, database: Database
) -> None:
    await onboard(client, unit_type="ut:thpt", members=40)
    await walk(
        client,
        "tinh",
        "pho_thong",
        40,
        {"3.1": Reply("40", learners_total="900", learners="900")},
        stop_before="3.3",
    )
    assert client.buttons[:5] == [  # “no title” last, so a quick “1” is not a slip into it
        "v:tap_the_lao_dong_tien_tien",
        "v:tap_the_lao_dong_xuat_sac",
        "v:co_thi_dua_bo_nganh_tinh",
        "v:co_thi_dua_chinh_phu",
        "v:khong_co",
    ]
    await client.send("tập thể lao động xuất sắc")
    assert client.last[0].text == "Đã lưu 3.3: Tập thể lao động xuất sắc."
    await client.click("ev:later")
    await client.click("ds:skip")
    await client.click("sw:skip")
    assert client.indicator == "3.4"
    await client.send("mức cao nhất")
    assert client.errors == [say.pick_an_option(True)]
    await client.send("3")
    assert client.last[0].text == "Đã lưu 3.4: mức đáp ứng tốt."
    record = await stored(database)
    assert values(record)["3.3"] == {"title": "tap_the_lao_dong_xuat_sac"}
    assert values(record)["3.4"] == {"dt_level": "tot"}


async def test_no_title_is_not_met_and_asks_no_evidence(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="3.3")
    await client.click("v:khong_co")
    assert client.step == "description"
    await client.click("ds:skip")
    await client.click("sw:skip")
    assert "KẾT QUẢ: KHÔNG ĐẠT" in client.result_text
    assert values(await stored(database))["3.3"] == {"title": "khong_co"}


async def test_answers_typed_on_a_channel_without_buttons(
    make_client: object, database: Database
) -> None:
    zalo: BotClient = make_client("zl-1", "Hà", "zalo")  # type: ignore[operator]
    await zalo.send("/start")
    await zalo.send("1")  # Tạo đơn vị mới
    await zalo.send("Phường An Cựu")
    await zalo.send("Thành phố Huế")
    await zalo.send("ubnd xa, phuong")  # the label typed back, without marks
    assert zalo.step == "ask_members"
    await zalo.send("25 người")
    assert zalo.indicator == "1.1"
    await zalo.send("Đạt")
    assert zalo.step == "evidence"
    await zalo.send("Kế hoạch 05/KH-UBND")
    await zalo.send("xong")  # the “Xong” option typed back
    assert zalo.step == "description"
    await zalo.send("1")  # Không mô tả
    assert zalo.step == "strengths"
    await zalo.send("1")  # Không có (điểm mạnh, tồn tại)
    assert zalo.indicator == "1.2"
    await zalo.send("chua dat")
    assert zalo.step == "description"
    record = await stored(database)
    assert record.unit.unit_type == "ubnd_xa"
    assert record.members == 25
    assert values(record) == {"1.1": {"met": True}, "1.2": {"met": False}}
    assert titles(record, "1.1") == ["Kế hoạch 05/KH-UBND"]


# --- counts -------------------------------------------------------------------------------------


async def _at_2_4(client: BotClient, members: int = 30) -> None:
    await onboard(client, members=members)
    await walk(client, "huyen", "ubnd_xa", members, stop_before="2.4")
    assert client.indicator == "2.4"


@pytest.mark.parametrize(
    ("typed", "count"),
    [("27", 27), ("27/30", 27), ("90%", 27), ("27 người", 27), ("0", 0), ("100%", 30)],
)
async def test_count_forms_accepted(
    client: BotClient, database: Database, typed: str, count: int
) -> None:
    await _at_2_4(client)
    await client.send(typed)
    assert client.last[0].text == f"Đã lưu 2.4: {count} thành viên."
    assert client.step == "evidence"
    assert values(await stored(database))["2.4"] == {"count": count}


async def test_percentage_not_a_whole_number_asks_to_confirm(
    client: BotClient, database: Database
) -> None:
    await _at_2_4(client, members=31)
    question = client.question_text
    await client.send("95%")
    assert client.step == "confirm_pct"
    assert client.buttons == ["pct:yes", "pct:no"]
    assert client.asked_now().buttons[0].label == "Đúng, 29 người"  # type: ignore[union-attr]
    assert "95% của 31 thành viên là 29,45 người" in client.question_text
    assert "2.4" not in values(await stored(database))

    await client.click("pct:no")
    assert client.step == "value"
    assert client.question_text == question
    await client.send("95%")
    await client.click("pct:yes")
    assert client.last[0].text == "Đã lưu 2.4: 29 thành viên."
    assert client.step == "evidence"
    assert values(await stored(database))["2.4"] == {"count": 29}


async def test_confirmation_refuses_other_text_and_goes_back(client: BotClient) -> None:
    await _at_2_4(client, members=31)
    await client.send("95%")
    await client.send("hmm")
    assert client.errors == [say.confirm_or_retype(True)]
    assert client.step == "confirm_pct"
    await client.send("quay lại")
    assert client.step == "value"
    assert client.indicator == "2.4"


async def test_confirmation_accepts_a_typed_yes(client: BotClient, database: Database) -> None:
    """On Zalo there is no button: the official types “đúng” as the refusal itself suggests."""
    await _at_2_4(client, members=31)
    await client.send("95%")
    await client.send("đúng")
    assert client.last[0].text == "Đã lưu 2.4: 29 thành viên."
    assert values(await stored(database))["2.4"] == {"count": 29}


async def test_fraction_over_another_total_is_refused(
    client: BotClient, database: Database
) -> None:
    await _at_2_4(client)
    question = client.question_text
    await client.send("27/31")
    assert client.errors == [
        "Tổng số thành viên của đơn vị là 30, không phải 31; hãy gõ số người, ví dụ 27."
    ]
    assert client.asked_now().text == question  # type: ignore[union-attr]
    assert "2.4" not in values(await stored(database))


@pytest.mark.parametrize("typed", ["1", "2"])
async def test_small_counts_are_counts_not_option_numbers(
    client: BotClient, database: Database, typed: str
) -> None:
    """The count question offers “1. Bỏ qua 2. Quay lại”; a count of 1 or 2 people is a count."""
    await _at_2_4(client)
    await client.send(typed)
    assert client.last[0].text == f"Đã lưu 2.4: {typed} thành viên."
    assert values(await stored(database)).get("2.4") == {"count": int(typed)}


async def test_members_total_is_asked_once_per_unit(client: BotClient) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30)
    asked = [out for _, outs in client.history for out in outs if out.text == say.ASK_MEMBERS]
    assert len(asked) == 1  # at onboarding only, never again for 2.1–3.1
    ratio_questions = [
        out.text for _, outs in client.history for out in outs if "(trên tổng 30)" in out.text
    ]
    assert len(ratio_questions) == 6  # 2.1–2.5 and 3.1 all know the total


# --- quick questions at any point ---------------------------------------------------------------

QUICK = [
    ("tiến độ", "Tiến độ: đã trả lời 8/13 chỉ tiêu. Còn: 2.4, 2.5, 3.1, 3.2, 3.3."),
    ("muc 2 can gi", "Để đạt mức độ 2, "),
    ("what do we need for level 2", "Để đạt mức độ 2, "),
    ("chỉ tiêu 2.4 là gì", "Chỉ tiêu 2.4. Chứng chỉ ngoại ngữ hoặc tiếng dân tộc thiểu số"),
    ("tiêu chí 2 gồm những gì", "Tiêu chí 2: Về kết quả học tập của Thành viên trong đơn vị."),
    ("hạn nộp hồ sơ khi nào", "trước ngày 15/01/2026"),
    ("còn thiếu minh chứng gì", "Còn thiếu minh chứng:\n• 1.2:"),
    ("/help", "/sua 2.4: sửa câu trả lời một chỉ tiêu"),
    ("/ketqua", "KẾT QUẢ: KHÔNG ĐẠT"),
]


@pytest.mark.parametrize(("asked", "phrase"), QUICK)
async def test_quick_question_at_a_value_question_keeps_the_step(
    client: BotClient, database: Database, asked: str, phrase: str
) -> None:
    await onboard(client, members=30)
    await walk(
        client, "huyen", "ubnd_xa", 30, {"1.2": Reply("v:y", evidence=None)}, stop_before="2.4"
    )
    question = client.question_text
    before = values(await stored(database))

    await client.send(asked)

    assert phrase in client.text
    assert say.BACK_TO_QUESTION in [r.text for r in client.last]
    assert client.asked_now() is not None
    assert client.asked_now().text == question  # type: ignore[union-attr]
    assert client.buttons == ["nav:skip", "nav:back"]
    assert values(await stored(database)) == before
    await client.send("27")
    assert client.last[0].text == "Đã lưu 2.4: 27 thành viên."


async def test_all_quick_questions_in_a_row_then_the_answer(client: BotClient) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.4")
    question = client.question_text
    for asked, _ in QUICK:
        await client.send(asked)
        assert client.question_text == question, asked
    await client.send("27")
    assert client.last[0].text == "Đã lưu 2.4: 27 thành viên."


async def test_need_for_level_2_uses_the_units_own_figures(client: BotClient) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, {"2.4": "16"}, stop_before="2.5")
    await client.send("cần gì để đạt mức 2")
    assert "Để đạt mức độ 2, " in client.text
    assert "cần thêm 5 thành viên" in client.text
    assert "hiện 16/30" in client.text
    assert client.indicator == "2.5"


async def test_quick_question_at_the_evidence_step_is_not_taken_for_a_title(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    question = client.question_text
    await client.send("tiến độ")
    assert "Tiến độ: đã trả lời 1/13 chỉ tiêu." in client.text
    assert client.asked_now().text == question  # type: ignore[union-attr]
    await client.send("còn thiếu minh chứng gì")
    assert "Còn thiếu minh chứng:" in client.text
    assert client.step == "evidence"
    assert (await stored(database)).evidence == ()


async def test_quick_questions_during_onboarding_keep_the_question(client: BotClient) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Quảng Phú")
    await client.send("cần gì để đạt mức 2")
    assert "Để đạt mức độ 2 (UBND xã/phường, ví dụ khi chưa có đơn vị)" in client.text
    assert client.step == "ask_province"
    await client.send("hạn nộp hồ sơ khi nào")
    assert "15/01/2026" in client.text
    assert client.step == "ask_province"


async def test_result_report_button_shows_the_result(client: BotClient) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30)
    assert client.buttons == ["q:report", "sb:go"]
    await client.click("q:report")
    assert client.errors == []
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in client.text


async def test_after_the_walk_edit_and_result_still_work(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30)
    await client.send("/ketqua")
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in client.text
    await client.send("sửa 2.4")
    await answer(client, "16")
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 1" in client.result_text
    assert values(await stored(database))["2.4"] == {"count": 16}
    await client.send("/danhgia")
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 1" in client.result_text


async def test_a_unit_below_level_1_reads_level_1s_needs_first(client: BotClient) -> None:
    """“cần gì để đạt mức 2” and /ketqua for a unit not yet at level 1: level 1's shortfalls
    first, each indicator once with all of them (1.2 is unmet and has no evidence)."""
    await onboard(client, members=30)
    await walk(
        client,
        "huyen",
        "ubnd_xa",
        30,
        {"1.2": Reply("v:n", evidence=None)},
        stop_before="2.4",
    )
    await client.send("cần gì để đạt mức 2")
    text = client.text
    first, second = text.index("Để đạt mức độ 1,"), text.index("Để đạt mức độ 2,")
    assert first < second
    level_1 = text[first:second]
    assert level_1.count("Chỉ tiêu 1.2 (") == 1
    assert "đơn vị chưa đáp ứng" in level_1
    assert "cần bổ sung minh chứng" in level_1

    await client.send("/ketqua")
    result = client.last[0].text
    assert "Để đạt mức độ 1:" in result
    assert "Để đạt mức độ 2:" not in result
    assert result.count("• Chỉ tiêu 1.2 (") == 1
    assert say.LEVEL_2_AFTERWARDS in result
