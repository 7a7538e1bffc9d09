"""Two colleagues fill one dossier: the invite code, joining, interleaved answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from conversations import catalogue as say
from conversations.service import ConversationService
from storage.db import Database
from tests.conversations.driver import (
    VN,
    BotClient,
    FakeFiles,
    Reply,
    answer,
    fixed_clock,
    onboard,
    stored,
    titles,
    unit_ids,
    values,
)

UNKNOWN_CODE = "Mã mời không đúng; hãy kiểm tra lại với người gửi mã."
Clients = Callable[..., BotClient]
LAN_IDS = ["1.1", "1.2", "1.3", "1.4"]
MINH_IDS = ["2.1", "2.2", "2.3", "2.4"]


async def test_second_member_joins_with_start_code(
    make_client: Clients, database: Database
) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan)
    assert f"Đồng nghiệp gửi “/start {code}”" in lan.text

    await minh.send(f"/start {code}")

    assert minh.last[0].text == say.joined("UBND xã Quảng Phú")
    assert minh.step == "value"
    assert minh.indicator == "1.1"
    assert await unit_ids(database) == [(await stored(database)).unit.id]


async def test_second_member_joins_with_the_typed_code(
    make_client: Clients, database: Database
) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan)
    await answer(lan, "v:y")
    await minh.send("/start")
    await minh.click("ob:code")
    assert minh.step == "ask_code"
    await minh.send(code.lower())
    assert minh.last[0].text == say.joined("UBND xã Quảng Phú")
    assert minh.indicator == "1.2"  # 1.1 is answered already


async def test_two_members_answer_interleaved_and_see_each_other(
    make_client: Clients, database: Database
) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan)
    await minh.send(f"/start {code}")
    await minh.send("sửa 2.1")  # Minh takes criterion 2, Lan criterion 1
    assert minh.indicator == "2.1"

    for lan_id, minh_id in zip(LAN_IDS, MINH_IDS, strict=True):
        assert lan.indicator == lan_id
        await answer(lan, Reply("v:y", evidence=(f"Văn bản của Lan {lan_id}",)))
        assert minh.indicator == minh_id
        await answer(minh, Reply("29", evidence=(f"Danh sách của Minh {minh_id}",)))
    assert lan.indicator == "1.5"
    await answer(lan, "v:y")
    # Lan's walk skips what Minh answered: 2.1–2.4 are done, 2.5 is next
    assert lan.indicator == "2.5"
    assert minh.indicator == "2.5"
    await answer(minh, "28")
    assert minh.indicator == "3.1"

    # Lan's screen still shows 2.5; anything she sends shows Minh's answer on it
    await lan.send("tiến độ")
    assert "Tiến độ: đã trả lời 10/13 chỉ tiêu. Còn: 3.1, 3.2, 3.3." in lan.text
    assert lan.indicator == "2.5"
    assert "Đã trả lời: 28 thành viên — Minh," in lan.question_text
    await lan.click("nav:skip")
    assert lan.indicator == "3.1"

    await minh.send("sửa 1.3")
    assert "Đã trả lời: đạt — Lan," in minh.question_text
    await minh.send("tiến độ")
    assert "Tiến độ: đã trả lời 10/13 chỉ tiêu." in minh.text

    record = await stored(database)
    by = {i: a.answered_by_name for i, a in record.answers.items()}
    assert by == {
        **dict.fromkeys(["1.1", "1.2", "1.3", "1.4", "1.5"], "Lan"),
        **dict.fromkeys(["2.1", "2.2", "2.3", "2.4", "2.5"], "Minh"),
    }
    assert values(record)["2.5"] == {"count": 28}
    assert titles(record, "1.2") == ["Văn bản của Lan 1.2"]
    assert titles(record, "2.2") == ["Danh sách của Minh 2.2"]


async def test_both_finish_the_walk_and_see_the_same_result(
    make_client: Clients, database: Database
) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan)
    await minh.send(f"/start {code}")
    await minh.send("sửa 3.1")
    await answer(minh, "30")
    await answer(minh, "v:y")
    await answer(minh, "v:tap_the_lao_dong_tien_tien")
    assert minh.indicator == "1.1"  # wraps around to the first unanswered
    while lan.step == "value" and lan.indicator not in ("3.1", None):
        value = "30" if lan.indicator.startswith("2.") else "v:y"  # type: ignore[union-attr]
        await answer(lan, value)
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in lan.result_text
    await minh.send("/ketqua")
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in minh.text


async def test_a_wrong_code_is_refused_and_asked_again(
    make_client: Clients, database: Database
) -> None:
    lan, khanh = make_client("lan", "Lan"), make_client("khanh", "Khánh")
    code = await onboard(lan)

    await khanh.send("/start ABCD-EFGH")
    assert khanh.errors == [UNKNOWN_CODE]
    assert khanh.step == "ask_code"
    await khanh.send("XXXX-0000")
    assert khanh.errors == [UNKNOWN_CODE]
    assert khanh.step == "ask_code"
    await khanh.send(code)
    assert khanh.last[0].text == say.joined("UBND xã Quảng Phú")
    assert khanh.indicator == "1.1"


async def test_a_code_reused_by_a_member_changes_nothing(
    make_client: Clients, database: Database
) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan)
    await minh.send(f"/start {code}")
    await answer(minh, "v:y")
    await minh.send(f"/start {code}")
    assert minh.last[0].text == say.joined("UBND xã Quảng Phú")
    assert minh.indicator == "1.2"
    assert len(await unit_ids(database)) == 1


async def test_a_user_without_a_unit_gets_no_answers_of_others(
    make_client: Clients, database: Database
) -> None:
    lan, other = make_client("lan", "Lan"), make_client("other", "Người lạ")
    await onboard(lan)
    await answer(lan, "v:y")
    await other.send("tiến độ")
    assert other.last[0].text == say.NO_UNIT_YET
    await other.send("sửa 1.1")
    assert other.last[0].text == say.UNIT_NO_UNIT  # and the question on screen again
    await other.send("/ketqua")
    assert "KẾT QUẢ" not in other.text


async def test_colleagues_share_one_assessment_after_the_new_year(
    database: Database,
    make_service: Callable[..., ConversationService],
    fake_files: FakeFiles,
) -> None:
    """Lan started in November 2025; Minh joins in February 2026, after the 15/01 deadline.
    Whichever year the bot picks, both must be filling in the same dossier."""
    november = make_service(database)
    lan = BotClient(november, "lan", files=fake_files, display_name="Lan")
    code = await onboard(lan)
    await answer(lan, "v:y")

    february = make_service(database, fixed_clock(dt.datetime(2026, 2, 2, 9, 0, tzinfo=VN)))
    lan.service = february
    minh = BotClient(february, "minh", files=fake_files, display_name="Minh")
    await minh.send(f"/start {code}")
    await lan.send("tiến độ")
    await minh.send("tiến độ")
    assert lan.last[0].text == minh.last[0].text


async def test_a_new_years_assessment_asks_the_members_total_once_then_the_question(
    database: Database,
    make_service: Callable[..., ConversationService],
    fake_files: FakeFiles,
) -> None:
    lan = BotClient(make_service(database), "lan", files=fake_files, display_name="Lan")
    code = await onboard(lan)
    february = make_service(database, fixed_clock(dt.datetime(2026, 2, 2, 9, 0, tzinfo=VN)))
    minh = BotClient(february, "minh", files=fake_files, display_name="Minh")
    await minh.send(f"/start {code}")
    await minh.send("sửa 2.1")
    assert minh.step == "ask_members"  # the 2026 dossier has no total yet
    await minh.send("30")
    assert (minh.step, minh.indicator) == ("value", "2.1")
    assert "(trên tổng 30)" in minh.question_text


async def test_a_user_who_blocked_the_bot_and_returns_is_reachable_again(
    make_client: Clients, database: Database
) -> None:
    from sqlmodel import select

    from storage.people import PersonRepository
    from storage.tables import ChannelIdentity
    from storage.uow import read, transaction

    lan = make_client("lan", "Lan")
    await onboard(lan)

    def block(session: object) -> None:
        PersonRepository().set_reachable(
            session,  # type: ignore[arg-type]
            channel=lan.channel,
            external_id="lan",
            reachable=False,
        )

    def active(session: object) -> bool:
        identity = session.exec(select(ChannelIdentity)).first()  # type: ignore[attr-defined]
        return bool(identity.active)

    await transaction(database, block)
    assert await read(database, active) is False
    await lan.send("tiến độ")
    assert await read(database, active) is True
