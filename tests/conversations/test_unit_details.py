"""The unit's details in the chat (issue 12, item 3): /donvi, “sửa số thành viên”, the
confirmation of an unusual total, a member refused, and every ratio re-evaluated."""

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
)

Clients = Callable[..., BotClient]
XA_FIELDS = [
    "uf:name",
    "uf:province",
    "uf:unit_type",
    "uf:members",
    "uf:receiving_office",
    "ud:done",
]


async def _to_2_1(client: BotClient) -> None:
    await client.send("sửa 2.1")
    assert (client.step, client.indicator) == ("value", "2.1"), client.text


async def test_donvi_shows_the_details_with_a_button_per_field(client: BotClient) -> None:
    await onboard(client, name="UBND xã Hòa Bình", province="Hà Nội", members=42)

    await client.send("/donvi")

    assert client.last_question is not None
    text = client.question_text
    assert "• Tên đơn vị: UBND xã Hòa Bình" in text
    assert "• Tỉnh, thành phố: Hà Nội" in text
    assert "• Loại đơn vị: UBND xã/phường (cấp huyện)" in text
    assert "• Số thành viên năm 2025: 42" in text
    assert "người học" not in text  # only where 3.1 counts learners
    assert client.buttons == XA_FIELDS
    await client.click("ud:done")
    assert (client.step, client.indicator) == ("value", "1.1")  # where Lan was


async def test_a_changed_total_re_evaluates_the_ratios_answered(
    client: BotClient, database: Database
) -> None:
    await onboard(client, members=30)
    await _to_2_1(client)
    await answer(client, Reply("28", evidence=("Bảng chấm công 2025",)))  # 93,3%: level 1
    assert client.indicator == "2.2"

    await client.send("sửa số thành viên")
    assert "Tổng số thành viên mới của đơn vị năm 2025? Hiện tại: 30." in client.question_text
    await client.send("42")

    said = client.last[0].text
    assert said.startswith("Đã đổi số thành viên năm 2025: 30 → 42.")
    assert "Các tỷ lệ đã được tính lại theo số mới:" in said
    assert "• 2.1 — Không đạt: 28/42 thành viên (66,7%)" in said
    assert "(trước đó: Đạt mức độ 1)" in said
    assert "• Số thành viên năm 2025: 42" in client.question_text  # the details again
    assert (await stored(database)).members == 42

    await client.click("ud:done")
    assert (client.step, client.indicator) == ("value", "2.2")
    assert "(trên tổng 42)" in client.question_text
    await client.send("/ketqua")
    assert "28/42 thành viên (66,7%)" in client.text


async def test_a_total_below_an_answered_count_is_refused_and_asked_again(
    client: BotClient, database: Database
) -> None:
    await onboard(client, members=30)
    await _to_2_1(client)
    await answer(client, "28")
    await client.send("/donvi")
    await client.click("uf:members")
    question = client.question_text

    await client.send("20")

    assert client.errors == [
        "Chưa đổi được: năm 2025, chỉ tiêu 2.1 đã trả lời số người (28) lớn hơn tổng số thành "
        "viên (20). Hãy sửa câu trả lời chỉ tiêu 2.1 trước."
    ]
    assert client.question_text == question
    assert (await stored(database)).members == 30
    await client.send("không biết")
    assert client.errors == [say.total_not_a_number(say.MEMBERS)]
    await client.click("ud:back")
    assert client.buttons == XA_FIELDS


async def test_an_unusual_total_is_confirmed_at_onboarding(
    client: BotClient, database: Database
) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Hòa Bình")
    await client.send("Hà Nội")
    await client.click("ut:xa")

    await client.send("2500")
    assert client.question_text == "Đơn vị có 2.500 thành viên — đúng không? (có / nhập lại)"
    assert client.buttons == ["tot:yes", "tot:no"]
    await client.send("nhập lại")
    assert client.step == "ask_members"
    await client.send("25000")
    assert "25.000 thành viên — đúng không?" in client.question_text
    await client.send("chắc vậy")
    assert client.errors == [say.CONFIRM_TOTAL_HINT]
    await client.send("250")  # a number here names an option (1 Đúng, 2 Nhập lại)
    assert client.errors == [say.out_of_range(250, 2, True)]
    await client.send("2")  # Nhập lại
    assert client.step == "ask_members"
    await client.send("250")  # the right total: usual, so stored
    assert "Đã tạo đơn vị UBND xã Hòa Bình" in client.text
    assert (await stored(database)).members == 250


async def test_a_confirmed_unusual_total_is_kept(client: BotClient, database: Database) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("Trường THCS Hòa Bình")
    await client.send("Hà Nội")
    await client.click("ut:th")
    await client.send("2500")
    await client.click("tot:yes")
    assert "Đã tạo đơn vị Trường THCS Hòa Bình" in client.text
    assert (await stored(database)).members == 2500

    await client.send("sửa tổng số thành viên")
    await client.send("3000")
    assert "3.000 thành viên — đúng không?" in client.question_text
    await client.send("có")
    assert client.last[0].text.startswith("Đã đổi số thành viên năm 2025: 2.500 → 3.000.")
    assert (await stored(database)).members == 3000


async def test_a_member_may_see_but_not_change(make_client: Clients, database: Database) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan, members=30)
    await minh.send(f"/start {code}")
    assert (minh.step, minh.indicator) == ("value", "1.1")

    await minh.send("sửa số thành viên")
    assert minh.errors == [say.UNIT_ADMIN_ONLY]
    assert (minh.step, minh.indicator) == ("value", "1.1")  # the same question again

    await minh.send("/donvi")
    assert "• Số thành viên năm 2025: 30" in minh.text
    assert say.UNIT_ADMIN_ONLY in minh.text
    assert not [b for b in minh.buttons if b.startswith("uf:")]
    assert (minh.step, minh.indicator) == ("value", "1.1")
    await minh.click("uf:members", stale=True)  # a button only an admin was shown
    assert (await stored(database)).members == 30


async def test_the_name_and_the_type_change(client: BotClient, database: Database) -> None:
    await onboard(client, members=30)
    await client.send("đổi tên đơn vị")
    await client.send("\u200b\u200b")
    assert client.errors == [say.NAME_EMPTY]
    await client.send("UBND xã Hòa Bình")
    assert client.last[0].text == "Đã đổi tên đơn vị: “UBND xã Quảng Phú” → “UBND xã Hòa Bình”."

    await client.click("uf:unit_type")
    await client.click("ut:th")
    said = client.last[0].text
    assert said.startswith(
        "Đã đổi loại đơn vị: UBND xã/phường → Trường tiểu học, THCS, THPT, trung tâm GDTX."
    )
    assert "Áp dụng thêm cho loại đơn vị mới, cần trả lời: 3.4." in said
    record = await stored(database)
    assert (record.unit.name, record.unit.unit_type, record.unit.tier) == (
        "UBND xã Hòa Bình",
        "pho_thong",
        "huyen",
    )
    await client.click("ud:done")
    await client.send("tiến độ")
    assert "/14 chỉ tiêu" in client.text  # 3.4 joined the walk


def test_what_officials_type_is_recognised() -> None:
    from conversations.unit_details import SHOW, asked

    assert asked("/donvi") == SHOW
    assert asked("/donvi số thành viên") == "members"
    assert asked("/donvi sửa tên") == "name"
    assert asked("Sửa số thành viên") == "members"
    assert asked("sua so thanh vien") == "members"
    assert asked("đổi tên đơn vị") == "name"
    assert asked("cập nhật tỉnh") == "province"
    assert asked("thay đổi loại đơn vị") == "unit_type"
    assert asked("thông tin đơn vị") == SHOW
    assert asked("Danh sách thành viên") is None  # an evidence title, not a request
    assert asked("sửa 2.1") is None
    assert asked("/danhgia") is None


async def test_an_unusual_total_asked_in_the_walk_is_confirmed_too(
    database: Database,
    make_service: Callable[..., ConversationService],
    fake_files: FakeFiles,
) -> None:
    """A new year's dossier asks the total once, before the first ratio."""
    lan = BotClient(make_service(database), "lan", files=fake_files, display_name="Lan")
    await onboard(lan)
    february = make_service(database, fixed_clock(dt.datetime(2026, 2, 2, 9, 0, tzinfo=VN)))
    lan.service = february
    await lan.send("sửa 2.1")
    assert lan.step == "ask_members"
    await lan.send("3000")
    assert "3.000 thành viên — đúng không?" in lan.question_text
    await lan.click("tot:no")
    assert lan.step == "ask_members"
    await lan.send("3000")
    await lan.click("tot:yes")
    assert (lan.step, lan.indicator) == ("value", "2.1")
    assert "(trên tổng 3000)" in lan.question_text
