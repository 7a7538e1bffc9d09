"""What walking the merged product as an official found, each fixed and kept fixed.

Walked on the console (numbered options, no buttons) as the chairman's assistant of a UBND xã
and as a THPT school: every reply is read as the official reads it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.console import render
from storage.db import Database
from tests.conversations.driver import BotClient, onboard, saved_state, stored


async def test_a_new_member_total_typed_as_1_is_the_total_not_the_back_option(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    """“Sửa số thành viên” asks for a count: “Quay lại” was listed as “1. Quay lại”, yet a
    typed 1 became the total. On a count question a number is the count, so “quay lại” is a
    word to type there, as at the indicators' count questions."""
    client = make_client("walk-1", "Hà", "console")
    await onboard(client, name="UBND xã Hòa Bình", province="Hà Nội", members=42)

    await client.send("sửa số thành viên")
    question = client.asked_now()
    assert question is not None
    shown = render([question])
    assert "\n1. " not in shown, shown
    assert "số thứ tự" not in shown, shown
    assert "Gõ “quay lại” để quay lại." in shown, shown

    await client.send("1")
    assert client.last[0].text.startswith("Đã đổi số thành viên năm 2025: 42 → 1."), client.text
    assert (await stored(database)).members == 1

    await client.send("4")  # Số thành viên, from the details' numbered list
    await client.send("quay lại")
    assert "Thông tin đơn vị:" in client.question_text, client.text
    assert (await stored(database)).members == 1


async def test_the_unit_type_list_keeps_numbers_for_types_only(
    make_client: Callable[..., BotClient],
) -> None:
    """At “Loại đơn vị mới?” the eleven types are 1–11 and “quay lại” is typed, so the list
    reads as the onboarding one does."""
    client = make_client("walk-2", "Hà", "console")
    await onboard(client, name="UBND xã Hòa Bình", province="Hà Nội", members=42)

    await client.send("/donvi")
    await client.send("3")
    question = client.asked_now()
    assert question is not None
    shown = render([question])
    assert "\n11. " in shown, shown
    assert "\n12. " not in shown, shown
    assert "gõ “quay lại” để quay lại" in shown, shown
    await client.send("quay lại")
    assert "Thông tin đơn vị:" in client.question_text, client.text


async def test_a_newcomers_first_words_get_the_welcome_not_a_refusal(
    make_client: Callable[..., BotClient],
) -> None:
    """`dvht chat` piped or typed without /start: “xin chào” got “Tôi chưa hiểu”, a dead end
    for someone who does not know the commands yet. A quick question is still answered."""
    client = make_client("walk-3", "Hà", "console")

    await client.send("xin chào")
    assert client.step == "welcome", client.text
    assert "Tôi chưa hiểu" not in client.text
    question = client.asked_now()
    assert question is not None
    assert "1. Tạo đơn vị mới" in render([question])
    await client.send("1")
    assert client.step == "ask_name", client.text

    other = make_client("walk-4", "Minh", "console")
    await other.send("hạn nộp hồ sơ khi nào")
    assert "trước ngày 15/01/" in other.text, other.text


async def test_indicator_info_offers_the_evidence_of_this_unit_type_only(
    make_client: Callable[..., BotClient],
) -> None:
    """“chỉ tiêu 1.2 là gì” for a UBND xã listed a preschool's training records as evidence;
    a public preschool still reads them."""
    commune = make_client("walk-5", "Hà", "console")
    await onboard(commune, name="UBND xã Hòa Bình", province="Hà Nội", members=42)
    await commune.send("chỉ tiêu 1.2 là gì")
    assert "Minh chứng thường dùng: Quy chế chi tiêu nội bộ" in commune.text, commune.text
    assert "mầm non dân lập" not in commune.text, commune.text

    preschool = make_client("walk-6", "Mai", "console")
    await onboard(preschool, unit_type="ut:mn", name="Trường mầm non Hoa Sen", members=20)
    await preschool.send("chỉ tiêu 1.2 là gì")
    assert "giáo viên mầm non dân lập, tư thục." in preschool.text, preschool.text


@pytest.mark.parametrize(
    ("typed", "tier"),
    [
        ("doanh nghiệp do tỉnh quản lý", "tinh"),
        ("cong ty do tinh quan ly", "tinh"),
        ("Doanh nghiệp do UBND tỉnh quản lý", "tinh"),
        ("doanh nghiep do huyen quan ly", "huyen"),
        ("HTX do xã quản lý", "huyen"),
    ],
)
async def test_an_enterprise_named_with_who_manages_it_is_understood(
    make_client: Callable[..., BotClient], database: Database, typed: str, tier: str
) -> None:
    """“doanh nghiệp do tỉnh quản lý” (the option's own words, without “UBND”) asked
    “Ý bạn là …?” between the district and the province enterprises."""
    client = make_client("walk-7", "Hà", "console")
    await client.send("/start")
    await client.send("1")
    await client.send("Công ty CP Sao Mai")
    await client.send("Hải Phòng")
    assert client.step == "ask_type", client.text

    await client.send(typed)
    assert client.step == "ask_members", client.text
    draft = dict((await saved_state(database, client.user_id, client.channel))["draft"])
    assert (draft["unit_type"], draft["tier"]) == ("doanh_nghiep", tier)


async def test_a_name_or_province_of_digits_only_is_refused_and_asked_again(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    """A blank line skipped, the next answer one question early: “12345” became the unit's
    name (the report's heading) and the name became the province. A name is words."""
    client = make_client("walk-8", "Hà", "console")
    await client.send("/start")
    await client.send("1")

    await client.send("12345")
    assert client.step == "ask_name", client.text
    assert client.last[0].text == (
        "“12345” chưa phải tên đơn vị; hãy gõ tên bằng chữ, ví dụ UBND xã Quảng Phú."
    )
    assert "Tên đơn vị của bạn là gì?" in client.question_text
    await client.send("UBND xã Hòa Bình")
    await client.send("42")
    assert client.step == "ask_province", client.text
    assert "“42” chưa phải tên tỉnh, thành phố" in client.last[0].text
    await client.send("Hà Nội")
    await client.send("1")
    await client.send("42")

    await client.send("sửa tên đơn vị")
    await client.send("2026")
    assert "“2026” chưa phải tên đơn vị" in client.last[0].text, client.text
    assert "Tên mới của đơn vị?" in client.question_text
    await client.send("UBND xã Hòa Bình, huyện cũ Mỹ Đức")
    assert "Đã đổi tên đơn vị" in client.text, client.text
    assert "• Tên đơn vị: UBND xã Hòa Bình, huyện cũ Mỹ Đức" in client.question_text


async def test_the_learners_total_refusal_gives_an_example_of_learners(
    make_client: Callable[..., BotClient],
) -> None:
    """A THPT school at tỉnh tier: “Cơ sở giáo dục có tổng cộng bao nhiêu người học? … ví dụ
    1200” answered “một nghìn” was told “ví dụ 30”, an example of members."""
    client = make_client("walk-9", "Hà", "console")
    await onboard(client, unit_type="ut:thpt", name="Trường THPT Nguyễn Du", members=85)
    await client.send("sửa 3.1")
    await client.send("80")
    assert client.step == "ask_learners", client.text

    await client.send("một nghìn")
    assert client.last[0].text == "Hãy gõ tổng số người học bằng một số nguyên, ví dụ 1200."
    assert client.step == "ask_learners", client.text
    await client.send("1200")
    assert client.step == "learners_value", client.text


async def test_without_a_unit_the_bot_points_to_start_only(
    make_client: Callable[..., BotClient],
) -> None:
    """No unit yet: /donvi said “Bạn chưa có đơn vị …” and then “Gõ /danhgia …, /ketqua …”,
    which only say there is no unit; “sửa 2.4” at the welcome left the question unasked."""
    client = make_client("walk-10", "Hà", "console")
    await client.send("/donvi")
    assert "/ketqua" not in client.text, client.text
    assert "/danhgia" not in client.text, client.text
    assert "/start" in client.text

    await client.send("/start")
    await client.send("sửa 2.4")
    assert client.step == "welcome", client.text
    assert client.last[0].text.startswith("Bạn chưa có đơn vị."), client.text
    question = client.asked_now()
    assert question is not None
    assert "1. Tạo đơn vị mới" in render([question])


async def test_a_place_that_is_no_province_is_refused_and_a_merged_one_is_kept_as_now(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    """“Atlantis” was stored as the unit's province, so no office's scope, deadline or reviewer
    could ever find the unit. Only the 34 provinces are taken, typed any way; a province merged
    in 2025 is kept as the one it is part of now, and the official is told."""
    client = make_client("walk-province", "Hà", "console")
    await client.send("/start")
    await client.send("1")
    await client.send("UBND xã Hòa Bình")
    await client.send("Atlantis")
    assert client.step == "ask_province", client.text
    assert client.last[0].text == (
        "Không tìm thấy tỉnh, thành phố “Atlantis”; hãy gõ tên một trong 34 tỉnh, thành phố, "
        "ví dụ Hưng Yên hoặc Thành phố Huế."
    )
    await client.send("Thái Bình")
    assert "Tỉnh Thái Bình nay thuộc Hưng Yên" in client.text, client.text
    assert client.step == "ask_type", client.text
    draft = dict((await saved_state(database, client.user_id, client.channel))["draft"])
    assert draft["province"] == "Hưng Yên"


async def test_changing_the_province_later_takes_only_a_province_too(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client("walk-province-2", "Hà", "console")
    await onboard(client, name="UBND xã Hòa Bình", province="tinh hung yen")
    await client.send("sửa tỉnh")
    await client.send("Xứ Đoài")
    assert "Không tìm thấy tỉnh, thành phố “Xứ Đoài”" in client.last[0].text, client.text
    await client.send("ha noi")
    assert "• Tỉnh, thành phố: Hà Nội" in client.question_text, client.text
    await client.send("sửa tỉnh")
    await client.send("Thành phố Huế")
    assert "• Tỉnh, thành phố: Thành phố Huế" in client.question_text, client.text
