"""Pacing: the reservations it makes on a fake monotonic clock (exact), and a paced run
against the fake Bot API enforcing Telegram's flood limits (each chat once, no more than the
limits allow, flood limits ridden out whatever the machine's speed)."""

from __future__ import annotations

import asyncio

from bot.telegram.sender import TelegramSender
from reminders.pacing import CHAT_MARGIN_S, Pacing, PacingLimits
from reminders.planner import Planner
from storage.reminder_store import SqlProgressSource, SqlReminderStore
from tests.reminders.world import FakeClock, World, local
from tests.telegram.fake_bot_api import FakeBotApi


class FakeTime:
    """A monotonic clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.starts: list[tuple[float, str]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def _starts(pacing: Pacing, time: FakeTime, chats: list[str]) -> list[tuple[float, str]]:
    async def one(chat: str) -> None:
        await pacing.acquire("telegram", chat)
        time.starts.append((time.now, chat))

    for chat in chats:  # sequential, so the fake clock's moves are unambiguous
        await one(chat)
    return time.starts


async def test_sends_are_spaced_by_the_overall_rate_and_a_chat_by_its_own() -> None:
    time = FakeTime()
    pacing = Pacing(PacingLimits(rate=25, per_chat=1), monotonic=time.monotonic, sleep=time.sleep)

    starts = await _starts(pacing, time, ["a", "b", "c", "a", "d"])

    moments = [round(t - 100.0, 3) for t, _ in starts]
    assert moments[:3] == [0.0, 0.04, 0.08]
    assert moments[3] == round(1.0 + CHAT_MARGIN_S, 3)  # "a" again: a second after its first
    assert moments[4] == round(moments[3] + 0.04, 3)


async def test_a_flood_limit_pauses_the_whole_channel() -> None:
    time = FakeTime()
    pacing = Pacing(PacingLimits(rate=25, per_chat=1), monotonic=time.monotonic, sleep=time.sleep)
    await pacing.acquire("telegram", "a")

    pacing.pause("telegram", 3.0)
    await pacing.acquire("telegram", "b")
    await pacing.acquire("zalo", "c")

    assert time.now == 103.0  # "b" waited for the pause; the other channel was not paused
    assert pacing.pauses == 1


async def test_against_telegrams_limits_each_chat_gets_its_reminder_once(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    from dvht_core.send_window import SendWindow
    from reminders.dispatcher import Dispatcher

    limit = api.limit_rate(overall=30, per_chat=1)
    await world.unit("a", status="draft")
    admin = await world.person("admin", "a", role="unit_admin")  # T-7 and admin-T-7: one chat
    people = [await world.person(f"p{n}", "a") for n in range(45)]
    await Planner(store, clock).plan()
    clock.set(local(2027, 1, 8, 8, 1))
    dispatcher = Dispatcher(
        store,
        {"telegram": telegram},
        clock,
        pacing=Pacing(PacingLimits(rate=25, per_chat=1)),
        progress=SqlProgressSource(world.database),
        window=SendWindow(),
    )

    counts = await dispatcher.run_until_idle()

    assert counts.sent == 47
    assert all(len(api.sent(p.chat_id)) == 1 for p in people)
    assert len(api.sent(admin.chat_id)) == 2
    # Refused sends were retried, never lost; on an unloaded machine there are none at all.
    assert limit.refused == counts.retried
