"""The calendar's quick questions in the chat (issue 13): “hạn nộp hồ sơ khi nào”, “còn bao
nhiêu ngày”, “nộp cho ai”, “ai công nhận” answer with the unit's own dates and offices, read
from storage in the message's transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from conversations.records import Actor
from storage import calendar_store as store
from storage.db import Database
from storage.uow import transaction
from tests.conversations.driver import BotClient, FakeFiles, build_service, onboard

OPERATOR = Actor.operator()
D = dt.date


def _client(database: Database, tmp_path: Path, user: str = "lan") -> BotClient:
    files = FakeFiles()
    service = build_service(database, files=files, evidence_root=tmp_path / "ev")
    return BotClient(service, user, files=files, display_name="Lan")


async def test_the_units_own_deadline_and_office(database: Database, tmp_path: Path) -> None:
    client = _client(database, tmp_path)
    await onboard(client, province="Thành phố Huế")  # the driver's clock: 20/11/2025
    await client.send("còn bao nhiêu ngày")
    assert client.text.startswith(
        "Còn 56 ngày đến hạn nộp hồ sơ năm 2025 (trước ngày 15/01/2026)."
    ), client.text
    await client.send("còn bao nhiêu")  # still the progress question
    assert "Tiến độ" in client.text, client.text

    def office_dates(session: Session) -> None:
        store.add_deadline(
            session,
            actor=OPERATOR,
            data=store.NewDeadline(2025, D(2026, 1, 5), "Nộp hồ sơ về UBND xã", province="Huế"),
        )
        store.set_office(
            session,
            actor=OPERATOR,
            province="Huế",
            tier="huyen",
            office="Phòng Văn hóa – Xã hội, UBND xã Quảng Phú",
            authority="Chủ tịch UBND xã Quảng Phú",
            effective_from=D(2025, 7, 1),
        )

    await transaction(database, office_dates)
    await client.send("còn bao nhiêu ngày")
    assert "Còn 46 ngày đến hạn nộp hồ sơ năm 2025 (trước ngày 05/01/2026)." in client.text
    assert "do cơ quan của tỉnh Huế đặt: “Nộp hồ sơ về UBND xã”" in client.text
    assert "hạn theo Thông tư 24 là trước ngày 15/01/2026" in client.text
    await client.send("hạn nộp hồ sơ khi nào")
    assert "gửi trước ngày 05/01/2026 (còn 46 ngày)" in client.text
    assert "Nơi nhận: Phòng Văn hóa – Xã hội, UBND xã Quảng Phú." in client.text
    for question in ("nộp cho ai", "ai công nhận đơn vị học tập", "ai cong nhan"):
        await client.send(question)
        assert "Nơi nhận: Phòng Văn hóa – Xã hội, UBND xã Quảng Phú." in client.text, question
        assert "Người quyết định công nhận: Chủ tịch UBND xã Quảng Phú." in client.text
        assert "Tôi chưa hiểu" not in client.text


async def test_without_settings_the_province_plan_and_the_candidates(
    database: Database, tmp_path: Path
) -> None:
    client = _client(database, tmp_path)
    await onboard(client, province="Hà Nội")
    await client.send("ai công nhận đơn vị học tập")
    text = client.text
    assert "Nơi nhận: cơ quan được tỉnh giao tiếp nhận hồ sơ, theo kế hoạch của tỉnh." in text
    assert "Nhiều khả năng là Phòng Văn hóa – Xã hội" in text
    assert "xã sẽ tự công nhận mình" in text  # a UBND xã: ask
    assert "Căn cứ: Thông tư 24/2023/TT-BGDĐT" in text


async def test_before_a_unit_exists_both_tiers(database: Database, tmp_path: Path) -> None:
    client = _client(database, tmp_path)
    await client.send("/start")
    await client.send("nộp cho ai")
    assert "Đơn vị cấp huyện:" in client.text
    assert "Đơn vị cấp tỉnh:" in client.text
    assert "Nhiều khả năng là Sở Giáo dục và Đào tạo" in client.text
    await client.send("còn bao nhiêu ngày")
    assert "Còn 56 ngày đến hạn nộp hồ sơ năm 2025" in client.text


async def test_a_unit_admin_sets_the_receiving_office_in_donvi(
    database: Database, tmp_path: Path
) -> None:
    client = _client(database, tmp_path)
    code = await onboard(client, province="Hưng Yên")
    await client.send("/donvi")
    assert "• Nơi nhận hồ sơ năm 2025: cơ quan được tỉnh giao tiếp nhận hồ sơ" in client.text
    assert "uf:receiving_office" in client.buttons
    await client.click("uf:receiving_office")
    assert "Nơi nhận hồ sơ của đơn vị theo kế hoạch của tỉnh? Hiện tại:" in client.text
    await client.send("Phòng Giáo dục và Đào tạo huyện Văn Giang")
    assert client.errors == [
        "Từ 1/7/2025 không còn Phòng Giáo dục và Đào tạo và UBND cấp huyện; hãy gõ nơi nhận hồ "
        "sơ theo kế hoạch hiện hành của tỉnh."
    ]
    await client.send("12345")
    assert "chưa phải tên cơ quan" in client.errors[0]
    await client.send("x" * 301)
    assert client.errors
    await client.send("Phòng Văn hóa – Xã hội, UBND xã Văn Giang")
    assert "Đã đổi nơi nhận hồ sơ: “cơ quan được tỉnh giao" in client.text
    assert "→ “Phòng Văn hóa – Xã hội, UBND xã Văn Giang”." in client.text
    await client.click("ud:done")
    await client.send("nộp cho ai")
    assert "Nơi nhận: Phòng Văn hóa – Xã hội, UBND xã Văn Giang." in client.text
    # A member sees it, and may not change it.
    member = _client(database, tmp_path, user="minh")
    await member.send(f"/start {code}")
    await member.send("nộp cho ai")
    assert "Nơi nhận: Phòng Văn hóa – Xã hội, UBND xã Văn Giang." in member.text
    await member.send("sửa nơi nhận hồ sơ")
    assert member.errors
    assert "Chỉ quản trị đơn vị" in member.errors[0]
