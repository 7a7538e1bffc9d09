"""Hints name what the channel offers: “bấm nút” on Telegram (buttons), numbers to type on the
console and Zalo (numbered options). A number that names no option gets one sentence and the
same question; an answer while paused says how to go on.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conversations import catalogue as say
from conversations.service import ConversationService
from storage.db import Database
from tests.conversations.driver import (
    PDF,
    BotClient,
    onboard,
    saved_state,
    stored,
    values,
    walk,
)

CHANNELS = [("telegram", True), ("console", False), ("zalo", False)]


async def _onboarded(client: BotClient) -> None:
    await client.send("/start")
    await client.send("1")
    await client.send("UBND xã Hòa Bình")
    await client.send("Quảng Trị")
    await client.send("1")
    await client.send("42")
    assert client.indicator == "1.1", client.text


@pytest.mark.parametrize(("channel", "has_buttons"), CHANNELS)
async def test_every_refusal_names_what_the_channel_offers(
    make_client: Callable[..., BotClient], channel: str, has_buttons: bool
) -> None:
    client = make_client(f"{channel}-1", "Lan", channel)
    await client.send("/start")
    await client.send("xin chào")
    assert client.errors == [say.pick_a_start(has_buttons)]
    await client.send("3")
    assert client.errors == [say.out_of_range(3, 2, has_buttons)]
    await client.send("1")
    await client.send("UBND xã Hòa Bình")
    await client.send("Quảng Trị")
    await client.send("loại gì cũng được")
    assert client.errors == [say.pick_a_type(has_buttons)]
    await client.send("0")
    assert client.errors == [say.out_of_range(0, 11, has_buttons)]
    await client.send("1")
    await client.send("42")
    await client.sticker()
    assert client.errors == [say.sticker(has_buttons)]
    await client.send("hình như đạt")
    assert client.errors == [say.yes_no_expected(has_buttons)]
    await client.send("sửa 2.4")
    await client.send("95%")  # 39,9 of 42: confirm
    await client.send("hmm")
    assert client.errors == [say.confirm_or_retype(has_buttons)]
    errors = [r.text for _, replies in client.history for r in replies if r.kind == "error"]
    assert len(errors) == 7
    for error in errors:
        assert ("bấm" in error) == has_buttons, error
        if not has_buttons:
            assert "gõ" in error, error


async def test_out_of_range_names_the_one_option(client: BotClient) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("Kế hoạch số 5")
    await client.click("ev:done")
    assert client.step == "description"
    await client.send("2")  # “Không mô tả” is the only numbered option
    assert client.errors == [say.out_of_range(2, 1, True)]
    assert client.step == "description"


async def test_an_answer_while_paused_says_how_to_go_on(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    for channel in ("telegram", "console"):
        client = make_client(f"{channel}-p", "Lan", channel)
        await _onboarded(client)
        await walk(client, "huyen", "ubnd_xa", 42, stop_before="1.5")
        await client.send("tạm dừng")
        assert client.text == say.PAUSED
        expected = say.paused_answer("1.5")
        assert expected == "Đang tạm dừng; gõ “tiếp tục” để làm tiếp 1.5."
        for typed in ("đạt", "1", "2", "chưa đạt", "Kế hoạch số 12"):
            await client.send(typed)
            assert client.text == expected, (channel, typed)
        if channel == "telegram":
            await client.click("v:y", stale=True)  # the paused question's button
            assert client.text == expected
        await client.upload(PDF, name="ke-hoach.pdf")
        assert client.text == expected
        record = await stored(database, (await _unit_of(client, database)))
        assert "1.5" not in values(record)
        await client.send("tiếp tục")
        assert client.indicator == "1.5"
        assert client.step == "value"
        await client.send("1")
        assert values(await stored(database, await _unit_of(client, database)))["1.5"] == {
            "met": True
        }


async def _unit_of(client: BotClient, database: Database) -> int:
    state = await saved_state(database, client.user_id, client.channel)
    return int(state["unit_id"])


async def test_a_paused_quick_question_is_still_answered(client: BotClient) -> None:
    await onboard(client)
    await client.send("tạm dừng")
    await client.send("tiến độ")
    assert client.text.startswith("Tiến độ: đã trả lời 0/13 chỉ tiêu.")
    await client.send("/ketqua")
    assert "KẾT QUẢ" in client.text
    await client.send("1")  # the result's “Báo cáo”: the option on screen now
    assert client.last[0].text == say.REPORT_TEXT_ONLY  # the report (no renderer wired here)


async def test_the_resume_offer_says_where_the_walk_stopped(
    client: BotClient, service: ConversationService
) -> None:
    assert await service.resume_offer(channel="telegram", user_id="nobody") == []
    await client.send("/start")
    assert await service.resume_offer(channel="telegram", user_id="lan") == []  # onboarding
    await client.click("ob:new")
    await client.send("UBND xã Hòa Bình")
    await client.send("Quảng Trị")
    await client.click("ut:xa")
    await client.send("42")
    await walk(client, "huyen", "ubnd_xa", 42, stop_before="1.5")
    offer = await service.resume_offer(channel="telegram", user_id="lan")
    assert [o.text for o in offer] == [say.resume_offer("1.5")]
    await client.send("tạm dừng")
    offer = await service.resume_offer(channel="telegram", user_id="lan")
    assert [o.text for o in offer] == [say.resume_offer("1.5")]
    assert await service.resume_offer(channel="console", user_id="lan") == []  # per channel
