"""The reminders' way back in and the forecast, through the real conversation service: the
“Làm tiếp” button under a push takes each user to their own saved step, the word “tiếp tục”
works at every step, and “tiến độ” says the forecast (or that there is too little history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session

from conversations import buttons
from conversations import catalogue as say
from dvht_core import vietnam_time
from reminders.compose import reminder_messages
from storage.db import Database
from storage.progress_store import load_progress
from storage.types import UTCDateTime
from storage.uow import transaction
from tests.conversations.driver import (
    BotClient,
    FakeFiles,
    Reply,
    build_service,
    fixed_clock,
    onboard,
    stored,
    unit_ids,
    values,
    walk,
)

VN = vietnam_time.ZONE
DECEMBER = dt.datetime(2025, 12, 20, 9, 0, tzinfo=VN)
"""Assessment year 2025: the dossier is due before 15/01/2026."""
RESUME = "go:resume"

MakeClient = Callable[..., BotClient]


@pytest.fixture
def make_client(database: Database, tmp_path: Path) -> Callable[..., BotClient]:
    """`make_client(user, name, channel, now=...)`: a user of one service on the test database,
    whose clock says `now` (the users of one test share the service)."""
    files = FakeFiles()
    services = {}

    def factory(
        user_id: str = "lan",
        name: str = "Lan",
        channel: str = "telegram",
        now: dt.datetime = DECEMBER,
    ) -> BotClient:
        if now not in services:
            services[now] = build_service(
                database, files=files, evidence_root=tmp_path / "ev", clock=fixed_clock(now)
            )
        return BotClient(services[now], user_id, files=files, display_name=name, channel=channel)

    return factory


async def first_answered(database: Database, dates: dict[str, dt.datetime]) -> None:
    """Date every revision of these indicators (the history the forecast reads): answers are
    stamped with the real time, the service's clock being only the conversation's."""

    def work(session: Session) -> None:
        for indicator_id, moment in dates.items():
            session.connection().execute(
                text(
                    "UPDATE answer_revisions SET answered_at = :at WHERE indicator_id = :i"
                ).bindparams(bindparam("at", type_=UTCDateTime)),
                {"at": moment, "i": indicator_id},
            )

    await transaction(database, work)


def days_before(moment: dt.datetime, *days: int) -> list[dt.datetime]:
    return [moment - dt.timedelta(days=n) for n in days]


# --- “tiến độ” -----------------------------------------------------------------------------------


async def test_progress_with_a_late_forecast(make_client: MakeClient, database: Database) -> None:
    """3 indicators first answered 10, 5 and 1 days before 20/12/2025; 10 left take
    ceil(10 × 14 / 3) = 47 days: 05/02/2026, 22 days after the last allowed day (14/01/2026)."""
    client = make_client()
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.4")
    await first_answered(
        database, dict(zip(("1.1", "1.2", "1.3"), days_before(DECEMBER, 10, 5, 1), strict=True))
    )
    await client.send("tiến độ")
    assert (
        "Tiến độ: đã trả lời 3/13 chỉ tiêu. "
        "Còn: 1.4, 1.5, 2.1, 2.2, 2.3, 2.4, 2.5, 3.1, 3.2, 3.3.\n"
        "Với tốc độ hiện tại, đơn vị sẽ xong khoảng ngày 05/02/2026 — sau hạn 22 ngày."
    ) in client.text
    assert client.where[1] == "1.4"  # the question is asked again: the step is kept


async def test_progress_with_an_on_time_forecast(
    make_client: MakeClient, database: Database
) -> None:
    """6 first answers on the 6 days before 20/11/2025; 7 left take ceil(7 × 14 / 6) = 17 days:
    07/12/2025, 39 days before the deadline date."""
    november = dt.datetime(2025, 11, 20, 9, 0, tzinfo=VN)
    client = make_client(now=november)
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.2")
    ids = ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1")
    await first_answered(
        database, dict(zip(ids, days_before(november, 1, 2, 3, 4, 5, 6), strict=True))
    )
    await client.send("tiến độ")
    assert (
        "Với tốc độ hiện tại, đơn vị sẽ xong khoảng ngày 07/12/2025, trước hạn 39 ngày."
        in client.text
    )


async def test_progress_without_enough_history(
    make_client: MakeClient, database: Database
) -> None:
    """Everything answered on one day: one active day is too little history."""
    client = make_client()
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.1")
    await first_answered(database, dict.fromkeys(("1.1", "1.2", "1.3", "1.4", "1.5"), DECEMBER))
    await client.send("tiến độ")
    assert "Tiến độ: đã trả lời 5/13 chỉ tiêu." in client.text
    assert say.FORECAST_UNKNOWN in client.text
    assert "Với tốc độ hiện tại" not in client.text


async def test_progress_when_everything_is_answered_has_no_forecast(
    make_client: MakeClient,
) -> None:
    client = make_client()
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30)
    await client.send("tiến độ")
    assert "Tiến độ: đã trả lời 13/13 chỉ tiêu." in client.text
    assert "dự báo" not in client.text
    assert "Với tốc độ hiện tại" not in client.text


# --- the resume button under a push -------------------------------------------------------------


def test_the_resume_button_id_is_fixed() -> None:
    """A wire format: pushes already sent carry it, so it keeps its id and meaning."""
    assert buttons.RESUME.id == RESUME
    assert buttons.parse(RESUME) == buttons.Press("resume")
    assert not buttons.RESUME.navigation


async def test_the_resume_button_takes_each_user_to_their_own_step(
    make_client: MakeClient, database: Database
) -> None:
    lan = make_client("lan", "Lan")
    code = await onboard(lan, members=30)
    await walk(lan, "huyen", "ubnd_xa", 30, stop_before="2.4")
    await lan.send("15")  # 2.4's value: the evidence question follows
    assert lan.where[:2] == ("evidence", "2.4")
    lan_question = lan.where

    minh = make_client("minh", "Minh")
    await minh.send(f"/start {code}")
    assert minh.where[:2] == ("value", "2.5")  # the first indicator nobody answered
    await minh.send("tạm dừng")
    minh_question = ("value", "2.5")

    # The push both receive on Telegram carries the button.
    (unit_id,) = await unit_ids(database)
    progress = (await load_progress(database, [unit_id], 2025))[unit_id]
    today = vietnam_time.today(DECEMBER)
    push = reminder_messages(
        "T-30", progress, deadline=dt.date(2026, 1, 15), today=today, buttons=True
    )
    assert [b.id for b in push[0].buttons] == [RESUME]

    before = values(await stored(database))
    await lan.click(RESUME, stale=True)  # pressed under the push, days later
    assert lan.where == lan_question
    await minh.click(RESUME, stale=True)
    assert minh.where[:2] == minh_question
    assert "Đang tạm dừng" not in minh.text
    assert values(await stored(database)) == before  # a press stores nothing

    await minh.send("20")  # the walk goes on from there
    assert minh.where[:2] == ("evidence", "2.5")


async def test_the_resume_button_when_everything_is_answered_shows_the_result(
    make_client: MakeClient,
) -> None:
    client = make_client()
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30)
    await client.click(RESUME, stale=True)
    assert "KẾT QUẢ: ĐẠT MỨC ĐỘ 2" in client.result_text


async def test_the_resume_button_before_any_unit_goes_back_to_onboarding(
    make_client: MakeClient,
) -> None:
    client = make_client()
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Quảng Phú")
    assert client.where[0] == "ask_province"
    await client.click(RESUME, stale=True)
    assert client.where[0] == "ask_province"


# --- the word “tiếp tục” at every step --------------------------------------------------------


async def _keeps(client: BotClient, database: Database | None = None) -> None:
    """“tiếp tục” asks the question on screen again and stores nothing."""
    where = client.where
    before = values(await stored(database)) if database is not None else None
    await client.send("tiếp tục")
    assert client.where == where, client.text
    assert not client.errors, client.errors
    if database is not None:
        assert values(await stored(database)) == before


@pytest.mark.parametrize("channel", ["telegram", "console", "zalo"])
async def test_the_word_resume_works_at_every_step(
    make_client: MakeClient, database: Database, channel: str
) -> None:
    client = make_client(channel=channel)
    await client.send("/start")
    assert client.step == "welcome"
    await _keeps(client)
    await client.send("2")  # “Tôi có mã mời”
    assert client.step == "ask_code"
    await _keeps(client)
    await client.send("/huy")
    await client.send("/start")
    await client.send("1")  # “Tạo đơn vị mới”
    for step, typed in (
        ("ask_name", "UBND xã Quảng Phú"),
        ("ask_province", "Thành phố Huế"),
        ("ask_type", "1"),
        ("ask_members", "31"),
    ):
        assert client.step == step, client.text
        await _keeps(client)
        await client.send(typed)
    assert client.where[:2] == ("value", "1.1")
    await _keeps(client, database)
    await client.send("đạt")
    assert client.where[:2] == ("evidence", "1.1")
    await _keeps(client, database)
    await client.send("Kế hoạch số 12/KH-UBND")
    await client.send("xong")
    assert client.where[:2] == ("description", "1.1")
    await _keeps(client, database)
    await client.send("không")
    assert client.where[:2] == ("strengths", "1.1")
    await _keeps(client, database)
    await client.send("không")
    # 1.2 … 1.5, then the first ratio: a percentage of 31 that is no whole number of people.
    for _ in range(4):
        await client.send("chưa đạt")
        await client.send("không")
        await client.send("không")
    assert client.where[:2] == ("value", "2.1")
    await client.send("90%")
    assert client.step == "confirm_pct", client.text
    await _keeps(client, database)
    await client.send("/donvi")
    await _keeps(client, database)  # the unit's details
    await client.send("sửa số thành viên")
    await _keeps(client, database)
    await client.send("2500")
    assert "2.500 thành viên — đúng không?" in client.text
    await _keeps(client, database)


async def test_the_word_resume_at_the_learners_questions(
    make_client: MakeClient, database: Database
) -> None:
    """A provincial school's 3.1 asks for the learners: “tiếp tục” keeps those questions too."""
    client = make_client()
    await onboard(client, unit_type="ut:thpt", members=30)
    await walk(client, "tinh", "pho_thong", 30, stop_before="3.1")
    await client.send("30")
    assert client.step in ("ask_learners", "learners_value"), client.text
    await _keeps(client, database)
    if client.step == "ask_learners":
        await client.send("1000")
        assert client.step == "learners_value", client.text
        await _keeps(client, database)


async def test_the_word_resume_while_paused_goes_back_to_the_step(
    make_client: MakeClient, database: Database
) -> None:
    client = make_client(channel="console")
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, {"1.2": Reply("v:y")}, stop_before="1.3")
    await client.send("tạm dừng")
    await client.send("tiếp tục")
    assert client.where[:2] == ("value", "1.3")
