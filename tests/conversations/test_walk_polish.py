"""The walk's rough edges (issue 12, items 4 and 8), as an official meets them: the question
for Điểm mạnh / Tồn tại after the description, one indicator number in each header, the
indicators passed over offered again at the end, and “sửa 3.5” pointing at the right criterion."""

from __future__ import annotations

import re

import pytest

from conversations import catalogue as say
from conversations.context import Context
from conversations.records import PersonRecord
from storage.db import Database
from tests.conversations.driver import (
    FIXED_NOW,
    BotClient,
    Reply,
    answer,
    onboard,
    stored,
    walk,
)

# --- Điểm mạnh / Tồn tại ------------------------------------------------------------------------


async def test_strengths_and_weaknesses_are_one_optional_question(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("Kế hoạch số 12/KH-UBND")
    await client.click("ev:done")
    await client.send("Ban hành kế hoạch học tập đầu năm")
    assert client.step == "strengths"
    assert client.indicator == "1.1"
    assert client.buttons == ["sw:skip", "nav:back"]
    question = client.where
    await client.send("Đơn vị làm tốt")  # no label: refused, not guessed
    assert client.errors == [say.STRENGTHS_FORMAT]
    assert client.where == question
    await client.send("Điểm mạnh: ban hành sớm, đủ nội dung; Tồn tại: chưa có kinh phí riêng")
    assert client.last[0].text == say.strengths_saved(
        "ban hành sớm, đủ nội dung", "chưa có kinh phí riêng"
    )
    assert client.where[:2] == ("value", "1.2")

    answer_11 = (await stored(database)).answers["1.1"]
    assert answer_11.value == {"met": True}
    assert answer_11.description == "Ban hành kế hoạch học tập đầu năm", "kept with them"
    assert answer_11.strengths == "ban hành sớm, đủ nội dung"
    assert answer_11.weaknesses == "chưa có kinh phí riêng"


@pytest.mark.parametrize("skip", ["sw:skip", "không", "bỏ qua"])
async def test_the_strengths_question_is_skipped_with_a_tap_or_a_word(
    client: BotClient, database: Database, skip: str
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    await client.click("ds:skip")
    assert client.step == "strengths"
    if skip.startswith("sw:"):
        await client.click(skip)
    else:
        await client.send(skip)
    assert client.where[:2] == ("value", "1.2")
    answer_11 = (await stored(database)).answers["1.1"]
    assert (answer_11.strengths, answer_11.weaknesses) == (None, None)


@pytest.mark.parametrize("declined", ["không", "Không mô tả", "ko", "không có."])
async def test_no_at_the_description_is_no_description(
    client: BotClient, database: Database, declined: str
) -> None:
    """An official answers the optional description with “không”: nothing is stored as the
    description (it would be printed in the signed report), as with the button."""
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    assert client.step == "description"
    await client.send(declined)
    assert client.step == "strengths"
    assert (await stored(database)).answers["1.1"].description is None


async def test_a_description_beginning_with_no_is_kept(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    await client.send("Không có thành viên nào vi phạm kỷ luật")
    assert (await stored(database)).answers["1.1"].description == (
        "Không có thành viên nào vi phạm kỷ luật"
    )


async def test_back_from_strengths_is_the_description(client: BotClient) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    await client.click("ds:skip")
    await client.click("nav:back")
    assert client.where[:2] == ("description", "1.1")


async def test_weaknesses_without_diacritics_reach_the_report_data(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await answer(client, Reply("v:y", strengths="ton tai: thieu phong hoc"))
    record = await stored(database)
    assert record.answers["1.1"].weaknesses == "thieu phong hoc"
    person = PersonRecord(1, "Lan")
    assessment = Context(person, (), record.unit, record, FIXED_NOW.date()).as_assessment()
    assert assessment is not None
    assert assessment.answers["1.1"].weaknesses == "thieu phong hoc"  # what the report prints


# --- one indicator number in the header ---------------------------------------------------------


async def test_the_header_shows_one_indicator_number(client: BotClient) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.1")
    first_line = client.question_text.splitlines()[0]
    assert first_line.startswith("2.1 · Tiêu chí 2 · 6/13 — ")
    assert "Chỉ tiêu 6/13" not in client.question_text
    assert re.findall(r"\b\d\.\d\b", first_line) == ["2.1"]


# --- the indicators passed over -----------------------------------------------------------------


async def _skip_33_last(client: BotClient) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="3.3")
    await client.click("nav:skip")
    assert "KẾT QUẢ" in client.result_text


async def test_after_the_last_skip_the_result_offers_the_skipped(client: BotClient) -> None:
    await _skip_33_last(client)
    assert client.last[-1].text == say.skipped_offer(["3.3"])
    assert client.buttons == ["q:report", "nav:skipped"]
    await client.click("nav:skipped")
    assert client.where[:2] == ("value", "3.3")
    await answer(client, "v:tap_the_lao_dong_xuat_sac")
    assert "KẾT QUẢ" in client.result_text
    assert all(r.text != say.skipped_offer(["3.3"]) for r in client.last), "none left"


@pytest.mark.parametrize(
    "typed", ["trả lời các chỉ tiêu đã bỏ qua", "tra loi chi tieu bo qua", "2"]
)
async def test_the_skipped_are_answered_when_asked_in_words(
    make_client: object, typed: str
) -> None:
    zalo: BotClient = make_client("zl-2", "Hà", "zalo")  # type: ignore[operator]
    await _skip_33_last(zalo)
    await zalo.send(typed)  # “2”: the second option (after “Báo cáo”), as numbered on Zalo
    assert zalo.where[:2] == ("value", "3.3")


async def test_the_skipped_are_offered_again_after_a_restart_of_the_walk(
    client: BotClient,
) -> None:
    await onboard(client)
    await client.click("nav:skip")  # 1.1 passed over at the start
    await walk(client, "huyen", "ubnd_xa", 30)
    assert client.last[-1].text == say.skipped_offer(["1.1"])
    await client.send("tiếp tục")  # the walk is over: the result, and the offer again
    assert client.last[-1].text == say.skipped_offer(["1.1"])
    await client.click("nav:skipped")
    assert client.where[:2] == ("value", "1.1")


async def test_no_offer_when_nothing_was_skipped(client: BotClient) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30)
    assert "KẾT QUẢ" in client.result_text
    assert client.asked_now() is None
    assert "nav:skipped" not in client.buttons


# --- “sửa 3.5” -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_type", "typed", "refusal"),
    [
        (
            "ut:xa",
            "sửa 3.5",
            "Chỉ tiêu 3.5 không áp dụng cho UBND xã/phường; tiêu chí 3 gồm 3.1–3.3.",
        ),
        ("ut:xa", "sửa 2.9", "Không có chỉ tiêu 2.9; tiêu chí 2 gồm 2.1–2.5."),
        (
            "ut:th",
            "sửa 3.5",
            "Chỉ tiêu 3.5 không áp dụng cho Trường tiểu học, THCS, THPT, trung tâm GDTX; "
            "tiêu chí 3 gồm 3.1–3.4.",
        ),
        ("ut:th", "/sua 3.6", "Không có chỉ tiêu 3.6; tiêu chí 3 gồm 3.1–3.4."),
    ],
)
async def test_a_wrong_indicator_to_edit_names_the_criterion(
    client: BotClient, unit_type: str, typed: str, refusal: str
) -> None:
    await onboard(client, unit_type=unit_type)
    question = client.where
    await client.send(typed)
    assert client.errors == [refusal]
    assert client.where == question


async def test_asking_for_the_skipped_when_none_were_skipped_skips_nothing(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    question = client.where
    await client.send("trả lời các chỉ tiêu đã bỏ qua")
    assert client.last[0].text == say.NO_SKIPPED
    assert client.where == question, "1.1 is not passed over"
    assert (await stored(database)).answers == {}
