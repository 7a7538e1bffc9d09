"""/tatnhacnho and /batnhacnho, and the same in words (with or without diacritics), at any
step: stored on the person, confirmed in one sentence, the question the user was on asked
again; and the planner and dispatcher honour it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from conversations import catalogue as say
from conversations.commands import MENU
from conversations.intents import Intent, parse_intent
from reminders.planner import Planner
from storage.db import Database
from storage.reminder_store import SqlReminderStore
from storage.uow import read
from tests.conversations.driver import BotClient, FakeFiles, build_service, onboard
from tests.reminders.world import FakeClock, local


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("/tatnhacnho", "reminders_off"),
        ("/batnhacnho", "reminders_on"),
        ("tắt nhắc nhở", "reminders_off"),
        ("tat nhac nho", "reminders_off"),
        ("Tắt nhắc nhở đi", "reminders_off"),
        ("bật nhắc nhở", "reminders_on"),
        ("bat nhac nho", "reminders_on"),
        ("bật lại nhắc nhở giúp tôi", "reminders_on"),
    ],
)
def test_the_words_and_the_commands_are_understood(typed: str, kind: str) -> None:
    assert parse_intent(typed) == Intent(kind)  # type: ignore[arg-type]
    assert parse_intent(typed, strict=True) == Intent(kind)  # type: ignore[arg-type]


def test_answers_and_names_are_not_taken_for_the_opt_out() -> None:
    for typed in ("Bát Tràng", "bat trang", "tắt", "nhắc", "Kế hoạch nhắc việc số 12", "27"):
        said = parse_intent(typed, strict=True)
        assert said is None or not said.kind.startswith("reminders"), typed


def test_the_menu_and_the_help_list_them() -> None:
    names = [name for name, _ in MENU]
    assert "tatnhacnho" in names
    assert "batnhacnho" in names
    assert "/tatnhacnho" in say.HELP
    assert "/batnhacnho" in say.HELP


async def _reminders_off(database: Database, user_id: str) -> bool:
    def work(session: object) -> bool:
        row = session.execute(  # type: ignore[attr-defined]
            text(
                "SELECT p.reminders_off FROM people p JOIN channel_identities ci "
                "ON ci.person_id = p.id WHERE ci.external_id = :u"
            ),
            {"u": user_id},
        ).one()
        return bool(row[0])

    return await read(database, work)


async def test_at_any_step_the_setting_is_stored_confirmed_and_the_question_asked_again(
    database: Database, tmp_path: Path
) -> None:
    service = build_service(database, files=FakeFiles(), evidence_root=tmp_path / "ev")
    lan = BotClient(service, "7001", files=FakeFiles(), display_name="Lan")
    await onboard(lan)
    question = lan.question_text
    assert question

    await lan.send("tắt nhắc nhở")

    assert lan.last[0].text == say.REMINDERS_OFF
    assert lan.last[-1].text == question  # the same question again, nothing else moved
    assert lan.errors == []
    assert await _reminders_off(database, "7001")
    await Planner(SqlReminderStore(database), FakeClock(_now())).plan()
    assert await _planned(database) == 0

    await lan.send("/batnhacnho")

    assert lan.last[0].text == say.REMINDERS_ON
    assert lan.last[-1].text == question
    assert not await _reminders_off(database, "7001")
    await Planner(SqlReminderStore(database), FakeClock(_now())).plan()
    assert await _planned(database) == 6  # T-30 … T-1, and the admin's roll-up at T-7


async def test_someone_without_a_unit_may_opt_out_too(database: Database, tmp_path: Path) -> None:
    service = build_service(database, files=FakeFiles(), evidence_root=tmp_path / "ev")
    hoa = BotClient(service, "7002", files=FakeFiles(), display_name="Hoa")
    await hoa.send("/start")

    await hoa.send("/tatnhacnho")

    assert hoa.last[0].text == say.REMINDERS_OFF
    assert hoa.errors == []
    assert await _reminders_off(database, "7002")


def _now() -> dt.datetime:
    return local(2026, 11, 1)


async def _planned(database: Database) -> int:
    def work(session: object) -> int:
        found = session.execute(  # type: ignore[attr-defined]
            text("SELECT COUNT(*) FROM reminders WHERE status = 'planned'")
        ).scalar_one()
        return int(found)

    return await read(database, work)
