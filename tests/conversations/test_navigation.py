"""Moving around the walk: back, skip, edit, pause and resume, cancel, stale buttons, restarts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conversations import catalogue as say
from conversations.service import ConversationService
from storage.db import Database
from tests.conversations.driver import (
    BotClient,
    FakeFiles,
    Reply,
    answer,
    onboard,
    saved_state,
    stored,
    titles,
    values,
    walk,
)

# --- quay lại ---------------------------------------------------------------------------------


async def test_back_from_evidence_to_the_value_question(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    first = client.question_text
    await client.click("v:y")
    assert client.step == "evidence"
    await client.click("nav:back")
    assert client.step == "value"
    assert client.indicator == "1.1"
    assert "Đã trả lời: đạt — Lan" in client.question_text
    assert client.question_text.startswith(first.split("\n")[0])
    await client.click("v:n")  # the value can be changed there
    assert client.step == "description"
    assert values(await stored(database)) == {"1.1": {"met": False}}


async def test_back_typed_from_evidence_and_from_description(client: BotClient) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("Kế hoạch số 12")
    await client.click("ev:done")
    assert client.step == "description"
    await client.send("quay lại")
    assert client.step == "evidence"
    assert client.indicator == "1.1"
    assert "Minh chứng 1: Kế hoạch số 12" in client.question_text
    await client.send("quay lại")
    assert client.step == "value"
    assert client.indicator == "1.1"


async def test_back_from_a_value_question_to_the_previous_indicator(client: BotClient) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    await client.send("quay lại")
    assert client.step == "value"
    assert client.indicator == "1.2"
    assert "Đã trả lời: đạt — Lan" in client.question_text
    await client.click("nav:back")
    assert client.indicator == "1.1"
    await client.click("nav:back")
    assert client.errors == [say.AT_FIRST]
    assert client.indicator == "1.1"
    # answering again continues with the first unanswered indicator
    await answer(client, "v:y")
    assert client.indicator == "1.3"


async def test_back_from_the_confirmation_and_the_learners_count(client: BotClient) -> None:
    await onboard(client, unit_type="ut:thpt", members=41)
    await walk(client, "tinh", "pho_thong", 41, stop_before="3.1")
    await client.send("95%")
    assert client.step == "confirm_pct"
    await client.click("nav:back", stale=True)  # also typed: “quay lại”
    assert client.step == "value"
    assert client.indicator == "3.1"
    await client.send("40")
    await client.send("1000")
    assert client.step == "learners_value"
    await client.click("nav:back")
    assert client.step == "value"
    assert client.indicator == "3.1"


async def test_back_from_the_learners_total_returns_to_the_same_indicator(
    client: BotClient,
) -> None:
    """The learners total is a part of 3.1: “quay lại” there is back to 3.1's member count."""
    await onboard(client, unit_type="ut:thpt", members=40)
    await walk(client, "tinh", "pho_thong", 40, stop_before="3.1")
    await client.send("38")
    assert client.step == "ask_learners"
    await client.send("quay lại")
    assert client.step == "value"
    assert client.indicator == "3.1"


# --- bỏ qua -------------------------------------------------------------------------------------


async def test_skip_leaves_the_indicator_unanswered_and_moves_on(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.send("bỏ qua")
    assert client.last[0].text == say.skipped("1.1")
    assert client.indicator == "1.2"
    await client.click("nav:skip")
    assert client.indicator == "1.3"
    await client.send("tiến độ")
    assert "đã trả lời 0/13" in client.text
    record = await stored(database)
    assert record.answers == {}


async def test_skipped_indicator_is_not_asked_again_at_the_end_of_the_walk(
    client: BotClient, database: Database
) -> None:
    """“Bỏ qua” counts it as unanswered until “sửa 1.1”: the walk ends with the result."""
    await onboard(client)
    await client.click("nav:skip")
    asked = await walk(client, "huyen", "ubnd_xa", 30)
    assert "1.1" not in asked
    assert client.result_text, client.text
    assert "1.1" not in values(await stored(database))


async def test_skip_the_last_indicator_shows_the_result(client: BotClient) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="3.3")
    await client.click("nav:skip")
    assert client.last[0].text == say.skipped("3.3")
    assert "KẾT QUẢ: KHÔNG ĐẠT" in client.result_text


async def test_skip_at_the_evidence_step_is_evidence_later(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("bỏ qua")
    assert client.last[0].text == say.EVIDENCE_LATER
    assert client.step == "description"
    await client.send("bỏ qua")
    assert client.step == "strengths"
    await client.send("bỏ qua")
    assert client.indicator == "1.2"
    record = await stored(database)
    assert values(record) == {"1.1": {"met": True}}
    assert record.evidence == ()


# --- sửa --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["sửa 2.4", "/sua 2.4", "sua 2.4", "/sua@dvht_bot 2.4"])
async def test_edit_jumps_and_then_continues_with_the_next_unanswered(
    client: BotClient, database: Database, command: str
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="3.2")
    await client.send(command)
    assert client.step == "value"
    assert client.indicator == "2.4"
    assert "Đã trả lời: 30 thành viên — Lan" in client.question_text
    await answer(client, Reply("18", evidence=("Danh sách chứng chỉ",)))
    assert client.indicator == "3.2"
    record = await stored(database)
    assert values(record)["2.4"] == {"count": 18}
    assert titles(record, "2.4") == ["Kế hoạch số 12/KH-UBND", "Danh sách chứng chỉ"]


async def test_edit_an_earlier_indicator_returns_to_the_first_unanswered(
    client: BotClient,
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.4")
    await client.send("sửa 1.1")
    assert client.indicator == "1.1"
    await answer(client, "v:y")
    assert client.indicator == "1.4"


async def test_edit_alone_lists_the_answered_indicators(client: BotClient) -> None:
    await onboard(client)
    await client.send("sửa")
    assert client.last[0].text == say.NOTHING_TO_EDIT
    assert client.indicator == "1.1"
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.4")
    await client.click("nav:skip")  # 1.4 stays unanswered
    await client.send("sửa")
    assert client.step == "pick_edit"
    assert client.buttons == ["e:1.1", "e:1.2", "e:1.3"]
    question = client.asked_now()
    assert question is not None
    assert question.buttons[0].label.startswith("1.1 ")
    await client.click("e:1.2")
    assert client.step == "value"
    assert client.indicator == "1.2"


@pytest.mark.parametrize("command", ["/sua 3.4", "sửa 9.9"])
async def test_edit_an_indicator_that_does_not_apply_is_refused(
    client: BotClient, command: str
) -> None:
    await onboard(client)  # UBND xã: no 3.4
    await answer(client, "v:y")
    await client.send(command)
    assert client.errors == [
        {
            "/sua 3.4": "Chỉ tiêu 3.4 không áp dụng cho UBND xã/phường; tiêu chí 3 gồm 3.1–3.3.",
            "sửa 9.9": (
                "Không có chỉ tiêu 9.9; đơn vị có tiêu chí 1 (1.1–1.5), tiêu chí 2 (2.1–2.5), "
                "tiêu chí 3 (3.1–3.3)."
            ),
        }[command]
    ]
    assert client.step == "value"
    assert client.indicator == "1.2"


# --- tạm dừng, tiếp tục, hủy ---------------------------------------------------------------------


async def test_pause_then_resume_at_exactly_the_same_question(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    await client.click("v:y")
    await client.send("Dự toán 2025")
    question = client.where
    assert question[:2] == ("evidence", "1.3")
    await client.send("tạm dừng")
    assert client.last[0].text == say.PAUSED
    assert client.asked_now() is None
    await client.send("tiến độ")  # a question while paused asks nothing back
    assert client.asked_now() is None
    await client.send("tiếp tục")
    assert client.where == question
    assert "Minh chứng 1: Dự toán 2025" in client.question_text
    await client.click("ev:done")
    assert client.step == "description"
    assert titles(await stored(database), "1.3") == ["Dự toán 2025"]


@pytest.mark.parametrize("again", ["/danhgia", "tiếp tục", "/start"])
async def test_pause_at_a_value_question_and_come_back(client: BotClient, again: str) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.4")
    question = client.asked_now()
    await client.send("/tamdung")
    assert client.last[0].text == say.PAUSED
    await client.send(again)
    assert client.asked_now() == question
    await client.send("27")
    assert client.last[0].text == "Đã lưu 2.4: 27 thành viên."


async def test_pause_during_onboarding_resumes_the_onboarding(client: BotClient) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Quảng Phú")
    question = client.asked_now()
    assert client.step == "ask_province"
    await client.send("tạm dừng")
    assert client.last[0].text == say.PAUSED  # “…làm tiếp đúng chỗ này”
    await client.send("tiếp tục")
    assert client.asked_now() == question


async def test_cancel_then_danhgia_continues_from_the_first_unanswered(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    await client.click("v:y")
    await client.send("/huy")
    assert client.last[0].text == say.CANCELLED
    await client.send("27")
    assert client.errors == []
    assert client.asked_now() is None
    await client.send("/danhgia")
    assert client.step == "value"
    assert client.indicator == "1.4"  # 1.3's value was stored before the cancel
    assert values(await stored(database))["1.3"] == {"met": True}


async def test_cancel_during_onboarding_creates_nothing(
    client: BotClient, database: Database
) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Quảng Phú")
    await client.send("hủy")
    assert client.last[0].text == say.ONBOARDING_CANCELLED
    await client.send("/start")
    assert client.step == "welcome"
    state = await saved_state(database, "lan")
    assert state["unit_id"] is None


# --- navigation words and stale buttons --------------------------------------------------------


@pytest.mark.parametrize("word", ["quay lại", "bỏ qua"])
async def test_navigation_words_during_onboarding_repeat_the_question(
    client: BotClient, word: str
) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Quảng Phú")
    question = client.asked_now()
    await client.send(word)
    assert client.asked_now() == question


@pytest.mark.parametrize(
    ("old", "current"),
    [
        ("ev:later", "value"),
        ("ev:done", "value"),
        ("ds:skip", "value"),
        ("pct:yes", "value"),
        ("pct:no", "value"),
        ("ut:xa", "value"),
        ("v:3", "value"),
        ("v:tot", "value"),
        ("v:y", "evidence"),
        ("v:n", "evidence"),
        ("nonsense:button", "evidence"),
        ("ds:skip", "evidence"),
        ("ev:later", "description"),
    ],
)
async def test_stale_button_is_refused_with_the_current_question(
    client: BotClient, database: Database, old: str, current: str
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    if current in ("evidence", "description"):
        await client.click("v:y")
    if current == "description":
        await client.send("Dự toán 2025")
        await client.click("ev:done")
    assert client.step == current
    question = client.asked_now()
    before = await stored(database)

    await client.click(old, stale=True)

    assert client.errors == [say.STALE_BUTTON]
    assert client.asked_now() == question
    after = await stored(database)
    assert values(after) == values(before)
    assert after.evidence == before.evidence


async def test_stale_welcome_button_in_the_middle_of_the_walk(
    client: BotClient, database: Database
) -> None:
    """The welcome's “Tạo đơn vị mới” is still in the chat history; the walk must not restart."""
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    question = client.asked_now()
    await client.click("ob:new", stale=True)
    assert client.errors == [say.STALE_BUTTON]
    assert client.asked_now() == question


async def test_a_button_of_the_previous_indicator_does_not_answer_the_current_one(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await answer(client, "v:y")
    assert client.indicator == "1.2"
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.1")
    await client.click("v:n", stale=True)  # 1.5's “Chưa đạt”, pressed at 2.1
    assert client.errors == [say.STALE_BUTTON]
    assert client.indicator == "2.1"
    assert "2.1" not in values(await stored(database))


# --- restart ----------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["/danhgia", "tiến độ", "/start"])
async def test_restart_resumes_at_the_same_question(
    database: Database,
    make_service: Callable[..., ConversationService],
    fake_files: FakeFiles,
    first: str,
) -> None:
    before = BotClient(make_service(database), "lan", files=fake_files, display_name="Lan")
    await onboard(before)
    await walk(before, "huyen", "ubnd_xa", 30, stop_before="2.3")
    await before.click("v:y", stale=True)  # a count question has no v:y: refused
    await before.send("29")
    assert before.step == "evidence"
    await before.send("Danh sách tập huấn kỹ năng số")
    question = before.where
    assert question[:2] == ("evidence", "2.3")
    assert question[2][:2] == ("ev:later", "ev:done")
    assert question[2][2].startswith("evx:")  # “Xóa minh chứng 1”

    after = BotClient(make_service(database), "lan", files=fake_files, display_name="Lan")
    await after.send(first)

    assert after.where == question
    assert "Minh chứng 1: Danh sách tập huấn kỹ năng số" in after.question_text
    record = await stored(database)
    assert sorted(record.answers) == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3"]
    assert values(record)["2.3"] == {"count": 29}
    assert titles(record, "2.3") == ["Danh sách tập huấn kỹ năng số"]
    await after.click("ev:done")
    await after.click("ds:skip")
    await after.click("sw:skip")
    assert after.indicator == "2.4"


async def test_restart_in_the_middle_of_a_confirmation(
    database: Database,
    make_service: Callable[..., ConversationService],
    fake_files: FakeFiles,
) -> None:
    before = BotClient(make_service(database), "lan", files=fake_files, display_name="Lan")
    await onboard(before, members=31)
    await walk(before, "huyen", "ubnd_xa", 31, stop_before="2.1")
    await before.send("95%")
    assert before.step == "confirm_pct"

    after = BotClient(make_service(database), "lan", files=fake_files, display_name="Lan")
    await after.send("/danhgia")
    assert after.step == "confirm_pct"
    await after.click("pct:yes")
    assert values(await stored(database))["2.1"] == {"count": 29}
