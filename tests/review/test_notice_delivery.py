"""A decision's notice reaches the people's chats through the reminder dispatcher on a real
database: at once, also in quiet hours and to who turned reminders off, retried like any
reminder; and a recognition drives the upgrade and expiry reminders of the planner."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from conversations.messages import Outbound
from conversations.ports import Delivery
from conversations.records import Actor
from dvht_core.send_window import SendWindow
from reminders.dispatcher import Dispatcher, DispatchPolicy
from reminders.planner import Planner
from review.service import ReviewService
from storage.reminder_store import SqlProgressSource, SqlReminderStore
from storage.review_store import review_service
from tests.reminders.world import FakeClock, World, local
from tests.review.helpers import notices


class RecordingNotifier:
    """The channel's port at its edge: records each push; fails the first `failures`."""

    def __init__(self, failures: int = 0) -> None:
        self.pushed: list[tuple[str, list[Outbound]]] = []
        self.failures = failures

    async def push(self, chat_id: str, messages: Sequence[Outbound]) -> Delivery:
        if self.failures:
            self.failures -= 1
            return Delivery("failed")
        self.pushed.append((chat_id, list(messages)))
        return Delivery("sent")


def _dispatcher(
    world: World, clock: FakeClock, notifier: RecordingNotifier, **policy: object
) -> Dispatcher:
    return Dispatcher(
        SqlReminderStore(world.database),
        {"telegram": notifier},
        clock,
        window=SendWindow(),
        progress=SqlProgressSource(world.database),
        policy=DispatchPolicy(**policy),  # type: ignore[arg-type]
    )


async def _returned_unit(world: World, service: ReviewService) -> tuple[int, int]:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    reviewer = await world.person("rev", reviewer_of=(office,))
    await service.return_dossier(
        Actor.person(reviewer.person_id), unit_id=unit, year=2026, reason="Thiếu minh chứng"
    )
    return office, unit


async def test_a_notice_goes_at_once_in_quiet_hours_to_an_opted_out_member_only_once(
    world: World, service: ReviewService, clock: FakeClock
) -> None:
    clock.set(local(2027, 2, 2, 22, 30))  # quiet hours
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    lan = await world.person("lan", "a", opted_out=True)
    reviewer = await world.person("rev", reviewer_of=(office,))
    await world.unit("b", status="draft", year=2027)
    await world.person("hoa", "b")
    store = SqlReminderStore(world.database)
    await Planner(store, clock).plan()  # countdown reminders exist, none due yet
    await service.return_dossier(
        Actor.person(reviewer.person_id), unit_id=unit, year=2026, reason="Thiếu minh chứng"
    )
    notifier = RecordingNotifier()
    dispatcher = _dispatcher(world, clock, notifier)

    counts = await dispatcher.run_until_idle()
    again = await dispatcher.run_until_idle()

    assert counts.sent == 1
    assert again.claimed == 0
    [(chat, [message])] = notifier.pushed
    assert chat == str(lan.chat_id)
    assert message.kind == "notice"
    assert "Thiếu minh chứng" in message.text
    [row] = await notices(world.database)
    assert row["status"] == "sent"


async def test_in_quiet_hours_the_notice_goes_and_the_deadline_push_waits(
    world: World, service: ReviewService, clock: FakeClock
) -> None:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    lan = await world.person("lan", "a")
    reviewer = await world.person("rev", reviewer_of=(office,))
    await world.unit("b", status="draft")
    hoa = await world.person("hoa", "b")
    store = SqlReminderStore(world.database)
    clock.set(local(2026, 11, 1))
    await Planner(store, clock).plan()
    clock.set(local(2027, 1, 8, 22, 0))  # hoa's T-7 was due at 08:00; now quiet hours
    await service.return_dossier(
        Actor.person(reviewer.person_id), unit_id=unit, year=2026, reason="Thiếu minh chứng"
    )
    notifier = RecordingNotifier()
    dispatcher = _dispatcher(world, clock, notifier)

    await dispatcher.run_until_idle()
    assert [chat for chat, _ in notifier.pushed] == [str(lan.chat_id)]

    clock.set(local(2027, 1, 9, 7, 1))  # the quiet hours end: the countdown goes now
    await dispatcher.run_until_idle()
    assert [chat for chat, _ in notifier.pushed] == [str(lan.chat_id), str(hoa.chat_id)]


async def test_a_failed_notice_is_retried_and_then_sent(
    world: World, service: ReviewService, clock: FakeClock
) -> None:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    lan = await world.person("lan", "a")
    reviewer = await world.person("rev", reviewer_of=(office,))
    await service.return_dossier(
        Actor.person(reviewer.person_id), unit_id=unit, year=2026, reason="Thiếu minh chứng"
    )
    notifier = RecordingNotifier(failures=1)
    dispatcher = _dispatcher(world, clock, notifier, backoff=dt.timedelta(seconds=30))

    first = await dispatcher.run_once()
    assert first.retried == 1
    assert notifier.pushed == []
    clock.advance(seconds=31)
    second = await dispatcher.run_once()

    assert second.sent == 1
    assert [chat for chat, _ in notifier.pushed] == [str(lan.chat_id)]


async def test_a_decision_nudges_a_running_dispatcher_at_once(
    world: World, clock: FakeClock
) -> None:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    lan = await world.person("lan", "a")
    reviewer = await world.person("rev", reviewer_of=(office,))
    notifier = RecordingNotifier()
    dispatcher = _dispatcher(world, clock, notifier, interval=dt.timedelta(hours=1))
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    try:
        await asyncio.sleep(0.3)  # its first pass found nothing; it waits up to an hour
        told = review_service(world.database, clock=clock, on_notice=dispatcher.nudge)
        await told.return_dossier(
            Actor.person(reviewer.person_id), unit_id=unit, year=2026, reason="Thiếu minh chứng"
        )  # the service nudges the dispatcher once the notice is committed
        for _ in range(100):
            if notifier.pushed:
                break
            await asyncio.sleep(0.05)
        assert [chat for chat, _ in notifier.pushed] == [str(lan.chat_id)]
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)


async def test_planning_after_a_level_one_recognition_plans_upgrade_and_expiry(
    world: World, service: ReviewService, clock: FakeClock
) -> None:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    lan = await world.person("lan", "a")
    reviewer = await world.person("rev", reviewer_of=(office,))
    await service.recognise(
        Actor.person(reviewer.person_id),
        unit_id=unit,
        year=2026,
        decision_number="125/QĐ-UBND",
        decision_date=dt.date(2027, 1, 30),
        level=1,
    )

    result = await Planner(SqlReminderStore(world.database), clock).plan()

    assert result.upgrade == 1
    assert result.expiry == 1
    planned = {
        r["kind"]: r
        for r in await world.rows("r.kind IN ('upgrade', 'expiry')")
        if r["chat"] == str(lan.chat_id)
    }
    assert set(planned) == {"upgrade", "expiry"}
    assert str(planned["upgrade"]["deadline_on"]) == "2028-01-30"  # 12 months after
    assert planned["upgrade"]["deadline_key"].startswith("upgrade:")


async def test_a_notice_from_another_process_goes_within_the_dispatch_interval(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No nudge reaches a dispatcher in another process: DVHT_DISPATCH_INTERVAL_S bounds the
    wait (60 s by default; 1 s here)."""
    from bot.settings import Settings
    from bot.wiring import build_dispatcher

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DVHT_DISPATCH_INTERVAL_S", "1")
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=1)
    lan = await world.person("lan", "a")
    reviewer = await world.person("rev", reviewer_of=(office,))
    notifier = RecordingNotifier()
    dispatcher = build_dispatcher(
        Settings(), world.database, {"telegram": notifier}, quiet_hours=False, plan=False
    )
    stop = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stop))
    try:
        await asyncio.sleep(0.3)  # its first look found nothing
        await review_service(world.database).return_dossier(  # as `dvht review` would
            Actor.person(reviewer.person_id), unit_id=unit, year=2026, reason="Thiếu minh chứng"
        )
        for _ in range(60):
            if notifier.pushed:
                break
            await asyncio.sleep(0.1)
        assert [chat for chat, _ in notifier.pushed] == [str(lan.chat_id)]
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=10)
