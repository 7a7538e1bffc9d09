"""The dispatcher on a real database, delivering through the real Telegram sender over real
HTTP to the fake Bot API: once each, only the latest after downtime, never in quiet hours or
on holidays, never to who opted out, blocked the bot or whose unit submitted, riding out
flood limits and giving up on a channel that keeps failing."""

from __future__ import annotations

import datetime as dt

from bot.telegram.sender import TelegramSender
from dvht_core.model import Rulebook
from dvht_core.send_window import SendWindow
from reminders.dispatcher import Dispatcher, DispatchPolicy
from reminders.pacing import Pacing, PacingLimits
from reminders.planner import Planner
from storage.reminder_store import SqlProgressSource, SqlReminderStore
from tests.reminders.world import FakeClock, World, local
from tests.telegram.fake_bot_api import FakeBotApi


def _dispatcher(
    store: SqlReminderStore,
    telegram: TelegramSender,
    clock: FakeClock,
    world: World,
    **options: object,
) -> Dispatcher:
    options.setdefault("window", SendWindow())
    options.setdefault("pacing", Pacing(PacingLimits(rate=200, per_chat=100)))
    return Dispatcher(
        store,
        {"telegram": telegram},
        clock,
        progress=SqlProgressSource(world.database),
        **options,  # type: ignore[arg-type]
    )


def _texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [call.text for call in api.sent(chat_id)]


async def test_a_due_reminder_is_sent_once_with_the_days_left_and_the_date(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    await Planner(store, clock).plan()
    dispatcher = _dispatcher(store, telegram, clock, world)
    assert (await dispatcher.run_once()).sent == 0  # nothing due on 01/11

    clock.set(local(2027, 1, 8, 8, 1))  # T-7, 08:01
    first = await dispatcher.run_until_idle()
    again = await dispatcher.run_until_idle()

    texts = _texts(api, lan.chat_id)
    assert len(texts) == 1
    assert "còn 7 ngày" in texts[0].lower()
    assert "15/01/2027" in texts[0]
    assert first.sent == 1
    assert first.skipped == {"superseded": 2}  # T-30 and T-14 were due too
    assert again.sent == again.claimed == 0
    statuses = {r["kind"]: (r["status"], r["skip_reason"]) for r in await world.rows()}
    assert statuses == {
        "T-30": ("skipped", "superseded"),
        "T-14": ("skipped", "superseded"),
        "T-7": ("sent", None),
        "T-3": ("planned", None),
        "T-1": ("planned", None),
    }


async def test_downtime_over_several_reminder_dates_sends_one_not_five(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("a")
    lan = await world.person("lan", "a")
    await Planner(store, clock).plan()
    clock.set(local(2027, 1, 14, 9))  # down since November: T-30 … T-1 all due

    await _dispatcher(store, telegram, clock, world).run_until_idle()

    texts = _texts(api, lan.chat_id)
    assert len(texts) == 1
    assert "còn 1 ngày" in texts[0].lower()


async def test_nothing_is_sent_for_a_deadline_already_past(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("a")
    lan = await world.person("lan", "a")
    await Planner(store, clock).plan()
    clock.set(local(2027, 1, 15, 9))

    counts = await _dispatcher(store, telegram, clock, world).run_until_idle()

    assert _texts(api, lan.chat_id) == []
    assert counts.skipped == {"superseded": 4, "past": 1}


async def test_quiet_hours_and_holidays_hold_the_reminder_until_the_window_opens(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("a")
    lan = await world.person("lan", "a")
    await Planner(store, clock).plan()
    holiday = SendWindow(holidays=frozenset({dt.date(2027, 1, 8)}))
    dispatcher = _dispatcher(store, telegram, clock, world, window=holiday)

    clock.set(local(2027, 1, 7, 22, 30))  # nothing is due yet, and it is night
    assert (await dispatcher.run_until_idle()).claimed == 0
    clock.set(local(2027, 1, 8, 8, 0))  # T-7 is due, on a holiday
    assert (await dispatcher.run_until_idle()).claimed == 0
    clock.set(local(2027, 1, 9, 6, 59))  # the next day, still quiet hours
    assert (await dispatcher.run_until_idle()).claimed == 0
    assert _texts(api, lan.chat_id) == []

    clock.set(local(2027, 1, 9, 7, 0))
    await dispatcher.run_until_idle()

    texts = _texts(api, lan.chat_id)
    assert len(texts) == 1
    assert "còn 6 ngày" in texts[0].lower()  # the T-7 reminder, a day late, says what is true now


async def test_opted_out_submitted_and_blocked_recipients_are_skipped_with_their_reason(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("open", status="draft")
    await world.unit("done", status="draft")
    quiet = await world.person("quiet", "open")
    done = await world.person("done", "done")
    gone = await world.person("gone", "open")
    keen = await world.person("keen", "open")
    await Planner(store, clock).plan()
    # After planning: one says /tatnhacnho, one unit submits, one blocks the bot.
    await world._do(
        lambda s: s.execute(
            __import__("sqlalchemy").text("UPDATE people SET reminders_off = :on WHERE id = :p"),
            {"on": True, "p": quiet.person_id},
        )
    )
    await world.set_status("done", "submitted")
    api.block(gone.chat_id)
    clock.set(local(2026, 12, 16, 8, 5))

    counts = await _dispatcher(store, telegram, clock, world).run_until_idle()

    assert counts.sent == 1
    assert counts.skipped == {"opted_out": 1, "submitted": 1, "unreachable": 1}
    assert len(_texts(api, keen.chat_id)) == 1
    assert _texts(api, quiet.chat_id) == _texts(api, done.chat_id) == []
    blocked = await world.rows("r.identity_id = :i", i=gone.identity_id)
    assert blocked[0]["skip_reason"] == "unreachable"
    later = await world.rows("r.identity_id = :i AND r.status = 'planned'", i=gone.identity_id)
    assert len(later) == 4  # still planned, but the chat is now unreachable:
    clock.set(local(2027, 1, 1, 8, 5))
    await _dispatcher(store, telegram, clock, world).run_until_idle()
    assert len(list(api.calls_of("sendMessage", chat_id=gone.chat_id))) == 1


async def test_a_flood_limit_storm_is_ridden_out_and_each_message_arrives_once(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("a")
    people = [await world.person(f"p{n}", "a") for n in range(12)]
    await Planner(store, clock).plan()
    clock.set(local(2026, 12, 16, 8, 1))
    api.fail("sendMessage", 429, times=8, retry_after=1)

    counts = await _dispatcher(store, telegram, clock, world).run_until_idle()

    assert counts.sent == 12
    assert counts.retried >= 8
    assert all(len(_texts(api, p.chat_id)) == 1 for p in people)
    rows = await world.rows("r.kind = 'T-30'")
    assert {r["status"] for r in rows} == {"sent"}
    assert max(int(r["attempts"]) for r in rows) == 1  # a flood limit is not a failed attempt


async def test_a_channel_that_keeps_failing_is_retried_with_backoff_then_given_up(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    await world.unit("a")
    lan = await world.person("lan", "a")
    await Planner(store, clock).plan()
    clock.set(local(2026, 12, 16, 8, 1))
    api.fail("sendMessage", 502, times=None, chat_id=lan.chat_id)
    policy = DispatchPolicy(max_attempts=3, backoff=dt.timedelta(seconds=10))
    dispatcher = _dispatcher(store, telegram, clock, world, policy=policy)

    counts = await dispatcher.run_until_idle(horizon=dt.timedelta(minutes=5))

    assert counts.failed == 1
    assert counts.retried == 2
    assert clock.slept == [10.0, 20.0]  # exponential backoff, on the injected clock
    row = (await world.rows("r.kind = 'T-30'"))[0]
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert row["last_error"]


async def test_a_deadline_moved_by_an_office_is_counted_down_without_duplicates(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
) -> None:
    office = await world.office()
    await world.unit("a", office_id=office)
    lan = await world.person("lan", "a")
    planner = Planner(store, clock)
    await planner.plan()
    dispatcher = _dispatcher(store, telegram, clock, world, planner=planner)
    clock.set(local(2026, 12, 16, 8, 1))
    await dispatcher.run_until_idle()  # T-30 of 15/01 goes

    await world.deadline(dt.date(2027, 1, 5), office_id=office)  # the office brings it forward
    await planner.plan()
    await planner.plan()
    clock.set(local(2027, 1, 4, 8, 1))  # the new T-1
    await dispatcher.run_until_idle()
    clock.set(local(2027, 1, 14, 8, 1))  # the old T-1: nothing
    await dispatcher.run_until_idle()

    texts = _texts(api, lan.chat_id)
    assert len(texts) == 2
    assert "15/01/2027" in texts[0]
    assert "05/01/2027" in texts[1]
    assert "còn 1 ngày" in texts[1].lower()
    kinds = [(r["kind"], r["status"]) for r in await world.rows()]
    assert len(kinds) == len({k for k, _ in kinds}) == 5  # one row per kind, ever


async def test_a_unit_that_answered_everything_gets_its_report_with_the_reminder(
    world: World,
    store: SqlReminderStore,
    clock: FakeClock,
    api: FakeBotApi,
    telegram: TelegramSender,
    rulebooks: dict[str, Rulebook],
) -> None:
    from conversations.records import Actor
    from reports.renderer import ReportFiles
    from storage.exchange import import_assessment
    from tests.conftest import build

    unit = await world.unit("done")
    await world.unit("open", status="draft")
    lan = await world.person("lan", "done")
    hoa = await world.person("hoa", "open")
    finished = build(rulebooks, members=30, year=2026)
    await import_assessment(
        world.database, actor=Actor.operator(), unit_id=unit, assessment=finished
    )
    await Planner(store, clock).plan()
    clock.set(local(2026, 12, 16, 8, 1))

    await _dispatcher(store, telegram, clock, world, reports=ReportFiles()).run_until_idle()

    documents = api.calls_of("sendDocument", chat_id=lan.chat_id)
    assert len(documents) == 1
    assert documents[0].ok
    assert documents[0].params["document"].data.startswith(b"%PDF")
    assert "còn 30 ngày" in documents[0].text.lower()
    assert api.sent(lan.chat_id) == []
    assert api.calls_of("sendDocument", chat_id=hoa.chat_id) == []
    assert len(api.sent(hoa.chat_id)) == 1
