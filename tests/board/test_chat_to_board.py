"""An answer typed in the chat shows on the office's board at once: the chat's real service
(`ConversationService` on the SQL dialogue store) writes, the board reads, nothing in between
but the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from review.board import UnitFilter
from storage.board_store import BoardStore
from storage.db import Database
from storage.uow import transaction
from tests.board.world import BoardWorld
from tests.conversations.driver import (
    FIXED_NOW,
    YEAR,
    BotClient,
    FakeFiles,
    build_service,
    onboard,
    unit_ids,
    walk,
)


async def test_an_answer_typed_in_the_chat_is_on_the_board_at_once(
    database: Database, tmp_path: Path
) -> None:
    files = FakeFiles()
    service = build_service(database, files=files, evidence_root=tmp_path / "ev")
    lan = BotClient(service, "lan", files=files, display_name="Lan")
    await onboard(lan, name="UBND xã Quảng Phú", members=30)
    (unit_id,) = await unit_ids(database)
    world = BoardWorld(database)
    office = await world.office("Phòng Văn hóa - Xã hội", province="Thành phố Huế")

    def attach(session: Session) -> None:
        session.connection().execute(
            text("UPDATE units SET office_id = :o WHERE id = :u"), {"o": office, "u": unit_id}
        )

    await transaction(database, attach)
    reviewer = await world.person("Cán bộ phòng", reviewer_of=(office,))
    board = BoardStore(database)
    today = FIXED_NOW.date()

    async def row() -> tuple[str, int, int, int | None]:
        page = await board.units(reviewer, UnitFilter(year=YEAR), today=today)
        (found,) = page.rows
        return found.status, found.answered, found.total, found.level

    assert await row() == ("not_started", 0, 13, None)  # the draft exists, nothing answered
    assert lan.step == "value"
    await lan.click("v:y")  # 1.1: đạt — stored at once, before its evidence is asked
    assert await row() == ("in_progress", 1, 13, None)
    await lan.send("Kế hoạch số 12/KH-UBND")
    await lan.click("ev:done")
    await lan.click("ds:skip")
    await lan.click("sw:skip")
    asked = await walk(lan, "huyen", "ubnd_xa", 30)
    assert len(asked) == 12
    assert await row() == ("self_assessed", 13, 13, 2)
