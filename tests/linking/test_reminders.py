"""Reminders go to the app a person used last (issue 14): a person with Telegram and Zalo
linked gets each reminder once, on the account that wrote last (ties: the lowest id), and a
switch of app moves what is still planned without sending anything twice. On a real database
(SQLite, and PostgreSQL with DVHT_TEST_DATABASE_URL), through the real planner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import bindparam, text
from sqlmodel import Session

from reminders.planner import Planner
from storage.db import Database
from storage.reminder_store import SqlBroadcastStore, SqlReminderStore
from storage.tables import ChannelIdentity
from storage.types import UTCDateTime
from storage.uow import transaction
from tests.conversations.driver import BotClient, onboard
from tests.linking.helpers import code_in, person_of, rows
from tests.reminders.world import FakeClock, Member, World, local

KINDS = ["T-30", "T-14", "T-7", "T-3", "T-1"]


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


@pytest.fixture
def store(database: Database) -> SqlReminderStore:
    return SqlReminderStore(database)


@pytest.fixture
def planner_clock() -> FakeClock:
    """1 November 2026, 09:00 in Hà Nội: the 2026 dossier is due before 15/01/2027."""
    return FakeClock(local(2026, 11, 1))


async def _second_account(world: World, member: Member, channel: str, chat: str) -> int:
    def work(session: Session) -> int:
        identity = ChannelIdentity(person_id=member.person_id, channel=channel, external_id=chat)
        session.add(identity)
        session.flush()
        assert identity.id is not None
        return identity.id

    result: int = await transaction(world.database, work)
    return result


_SEEN = text("UPDATE channel_identities SET last_seen_at = :at WHERE id = :id").bindparams(
    bindparam("at", type_=UTCDateTime)
)


async def _seen(database: Database, identity_id: int, at: dt.datetime) -> None:
    await transaction(database, lambda s: s.execute(_SEEN, {"at": at, "id": identity_id}))


async def _planned(world: World, person_id: int) -> dict[str, list[int]]:
    """Each kind's planned rows of the person: the chats they go to."""
    found: dict[str, list[int]] = {}
    for row in await world.rows("r.person_id = :p AND r.status = 'planned'", p=person_id):
        found.setdefault(str(row["kind"]), []).append(int(row["identity_id"]))
    return found


async def test_each_reminder_once_on_the_account_seen_last(
    world: World, store: SqlReminderStore, planner_clock: FakeClock, database: Database
) -> None:
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    zalo = await _second_account(world, lan, "zalo", "z-lan")
    await _seen(database, lan.identity_id, local(2026, 10, 1))
    await _seen(database, zalo, local(2026, 10, 30))

    await Planner(store, planner_clock).plan()

    assert await _planned(world, lan.person_id) == {kind: [zalo] for kind in KINDS}
    assert len(await world.rows("r.person_id = :p", p=lan.person_id)) == len(KINDS)


async def test_a_switch_of_app_moves_what_is_planned_and_planning_again_changes_nothing(
    world: World, store: SqlReminderStore, planner_clock: FakeClock, database: Database
) -> None:
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    zalo = await _second_account(world, lan, "zalo", "z-lan")
    await _seen(database, zalo, local(2026, 10, 30))
    await _seen(database, lan.identity_id, local(2026, 10, 1))
    planner = Planner(store, planner_clock)
    await planner.plan()

    await _seen(database, lan.identity_id, local(2026, 10, 31))  # back on Telegram
    moved = await planner.plan()

    assert await _planned(world, lan.person_id) == {kind: [lan.identity_id] for kind in KINDS}
    skipped = await world.rows("r.identity_id = :i", i=zalo)
    assert {(r["status"], r["skip_reason"]) for r in skipped} == {("skipped", "other_channel")}
    assert moved.dossier == 2 * len(KINDS)
    assert (await planner.plan()).total == 0

    await _seen(database, zalo, local(2026, 11, 1))  # and to Zalo again: its rows come back
    await planner.plan()
    assert await _planned(world, lan.person_id) == {kind: [zalo] for kind in KINDS}


async def test_a_reminder_sent_on_one_app_is_not_sent_again_on_the_other(
    world: World, store: SqlReminderStore, planner_clock: FakeClock, database: Database
) -> None:
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    zalo = await _second_account(world, lan, "zalo", "z-lan")
    await _seen(database, zalo, local(2026, 10, 30))
    await _seen(database, lan.identity_id, local(2026, 10, 1))
    planner = Planner(store, planner_clock)
    await planner.plan()
    await transaction(
        database,
        lambda s: s.execute(
            text("UPDATE reminders SET status = 'sent' WHERE identity_id = :i AND kind = 'T-30'"),
            {"i": zalo},
        ),
    )

    await _seen(database, lan.identity_id, local(2026, 10, 31))
    await planner.plan()

    planned = await _planned(world, lan.person_id)
    assert planned == {kind: [lan.identity_id] for kind in KINDS if kind != "T-30"}
    sent = await world.rows("r.status = 'sent'")
    assert [(r["identity_id"], r["kind"]) for r in sent] == [(zalo, "T-30")]


async def test_a_tie_goes_to_the_lowest_id_and_a_blocked_account_is_passed_over(
    world: World, store: SqlReminderStore, planner_clock: FakeClock, database: Database
) -> None:
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    zalo = await _second_account(world, lan, "zalo", "z-lan")
    same = local(2026, 10, 30)
    await _seen(database, lan.identity_id, same)
    await _seen(database, zalo, same)
    await Planner(store, planner_clock).plan()
    assert await _planned(world, lan.person_id) == {kind: [lan.identity_id] for kind in KINDS}

    await transaction(
        database,
        lambda s: s.execute(
            text("UPDATE channel_identities SET active = :off WHERE id = :i"),
            {"off": False, "i": lan.identity_id},
        ),
    )
    await Planner(store, planner_clock).plan()
    assert await _planned(world, lan.person_id) == {kind: [zalo] for kind in KINDS}


async def test_a_broadcast_reaches_a_linked_person_once(
    world: World, planner_clock: FakeClock, database: Database
) -> None:
    broadcasts = SqlBroadcastStore(database)
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    zalo = await _second_account(world, lan, "zalo", "z-lan")
    await _seen(database, zalo, local(2026, 10, 30))
    await _seen(database, lan.identity_id, local(2026, 10, 1))
    minh = await world.person("minh", "a")
    now = planner_clock.now()

    _, planned = await broadcasts.plan(
        kind="unit",
        value=str(world.units["a"]),
        body="Họp lúc 8:00",
        sha256="x" * 64,
        channels=("telegram", "zalo"),
        due=now,
        now=now,
    )

    found = await world.rows("r.kind = 'broadcast'")
    assert sorted(int(r["identity_id"]) for r in found) == sorted([zalo, minh.identity_id])
    assert planned == 2
    # A broadcast to Telegram only reaches Lan there, though she wrote last on Zalo.
    _, planned = await broadcasts.plan(
        kind="unit",
        value=str(world.units["a"]),
        body="Chỉ Telegram",
        sha256="y" * 64,
        channels=("telegram",),
        due=now,
        now=now,
    )
    assert planned == 2


async def test_after_linking_in_the_chat_reminders_go_to_the_app_that_wrote_last(
    make_client: Callable[..., BotClient], store: SqlReminderStore, database: Database
) -> None:
    """The whole path: Lan links Zalo to her Telegram in the chat, writes on Zalo last, and
    the planner sends her each reminder once, on Zalo."""
    lan = make_client("501", "Lan", "telegram")
    await onboard(lan)
    await lan.send("/lienket")
    zalo = make_client("z-lan", "Lan", "zalo")
    await zalo.send(f"/lienket {code_in(lan.text)}")
    await zalo.send("tiến độ")  # the last message: on Zalo
    person = await person_of(database, "zalo", "z-lan")
    zalo_identity = (
        await rows(database, "SELECT id FROM channel_identities WHERE channel = 'zalo'")
    )[0]["id"]
    # The chat's clock is 20/11/2025: the 2025 dossier is due before 15/01/2026.
    await Planner(store, FakeClock(local(2025, 11, 20))).plan()

    planned = await rows(
        database,
        "SELECT identity_id, kind FROM reminders WHERE person_id = :p AND status = 'planned'",
        p=person,
    )
    assert sorted(str(r["kind"]) for r in planned) == sorted([*KINDS, "admin-T-7"])
    assert {int(r["identity_id"]) for r in planned} == {int(zalo_identity)}
