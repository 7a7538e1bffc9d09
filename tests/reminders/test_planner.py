"""Planning on a real database: who gets which reminder and when, re-planning without
duplicates, moved deadlines, submitted units, opt-outs, reviewers, upgrades and expiries."""

from __future__ import annotations

import datetime as dt

from reminders.planner import Planner
from storage.reminder_store import SqlReminderStore
from tests.reminders.world import FakeClock, World, local


def _kinds(rows: list[dict[str, object]]) -> list[str]:
    return [str(r["kind"]) for r in rows]


def _utc(value: object) -> dt.datetime:
    """A stored moment: SQLite returns the UTC text it keeps, PostgreSQL an aware datetime."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, dt.datetime)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def test_each_member_gets_the_five_reminders_at_eight_in_the_morning(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("a", status="draft")
    lan = await world.person("lan", "a")
    await world.person("binh", "a", role="unit_admin")

    result = await Planner(store, clock).plan()

    rows = await world.rows("r.identity_id = :i", i=lan.identity_id)
    assert _kinds(rows) == ["T-30", "T-14", "T-7", "T-3", "T-1"]
    assert [_utc(r["due_at"]) for r in rows] == [
        local(2026, 12, 16, 8),
        local(2027, 1, 1, 8),
        local(2027, 1, 8, 8),
        local(2027, 1, 12, 8),
        local(2027, 1, 14, 8),
    ]
    assert {str(r["deadline_key"]) for r in rows} == {"dossier:2026"}
    admin = await world.rows("r.person_id = :p", p=world.members["binh"].person_id)
    assert sorted(_kinds(admin)) == sorted(["T-30", "T-14", "T-7", "admin-T-7", "T-3", "T-1"])
    assert result.dossier == 11


async def test_planning_again_adds_nothing_and_changes_nothing(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("a")
    await world.person("lan", "a")
    planner = Planner(store, clock)
    await planner.plan()
    before = await world.rows()

    again = await planner.plan()

    assert again.total == 0
    assert await world.rows() == before


async def test_submitted_units_opted_out_and_unreachable_people_get_no_rows(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("done", status="submitted")
    await world.unit("open", status="returned")
    await world.person("submitted", "done")
    await world.person("quiet", "open", opted_out=True)
    await world.person("blocked", "open", reachable=False)
    keen = await world.person("keen", "open")

    await Planner(store, clock).plan()

    rows = await world.rows()
    assert {r["identity_id"] for r in rows} == {keen.identity_id}


async def test_moments_already_past_are_not_created(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("a")
    await world.person("lan", "a")
    clock.set(local(2027, 1, 8, 9))  # after T-7 (08/01 08:00), before T-3

    await Planner(store, clock).plan()

    assert _kinds(await world.rows()) == ["T-3", "T-1"]


async def test_an_office_date_moves_the_planned_rows_without_duplicates(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    office = await world.office()
    await world.unit("a", office_id=office)
    await world.unit("b", province="Hà Nội")
    lan = await world.person("lan", "a")
    hoa = await world.person("hoa", "b")
    planner = Planner(store, clock)
    await planner.plan()
    clock.set(local(2026, 11, 25, 10))  # T-30 of 20/12 (20/11) is past now

    added = await world.deadline(dt.date(2026, 12, 20), office_id=office)
    await planner.plan()

    rows = await world.rows("r.identity_id = :i", i=lan.identity_id)
    planned = [r for r in rows if r["status"] == "planned"]
    assert _kinds(planned) == ["T-14", "T-7", "T-3", "T-1"]
    assert {str(r["deadline_on"])[:10] for r in planned} == {"2026-12-20"}
    assert _utc(planned[0]["due_at"]) == local(2026, 12, 6, 8)
    moved = [r for r in rows if r["status"] == "skipped"]
    assert [(r["kind"], r["skip_reason"]) for r in moved] == [("T-30", "moved")]
    other = await world.rows("r.identity_id = :i", i=hoa.identity_id)
    assert {str(r["deadline_on"])[:10] for r in other} == {"2027-01-15"}

    # The office takes its date back: every reminder counts down to 15/01 again, once each.
    await world.remove_deadline(added, clock.now())
    await planner.plan()
    rows = await world.rows("r.identity_id = :i", i=lan.identity_id)
    assert _kinds(rows) == ["T-30", "T-14", "T-7", "T-3", "T-1"]
    assert {r["status"] for r in rows} == {"planned"}
    assert {str(r["deadline_on"])[:10] for r in rows} == {"2027-01-15"}


async def test_a_province_date_later_than_the_legal_one_changes_nothing(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("a")
    await world.person("lan", "a")
    await world.deadline(dt.date(2027, 1, 30), province="Hưng Yên")

    await Planner(store, clock).plan()

    assert {str(r["deadline_on"])[:10] for r in await world.rows()} == {"2027-01-15"}


async def test_reviewers_of_the_office_get_one_list_at_t_minus_3(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    office = await world.office()
    await world.unit("a", office_id=office)
    await world.unit("b", office_id=office, status="submitted")
    reviewer = await world.person("reviewer", reviewer_of=(office,))
    await world.person("idle_reviewer", reviewer_of=(await world.office("Sở GDĐT"),))

    await Planner(store, clock).plan()

    rows = await world.rows("r.kind = 'reviewer-T-3'")
    assert [(r["identity_id"], r["office_id"]) for r in rows] == [(reviewer.identity_id, office)]
    assert _utc(rows[0]["due_at"]) == local(2027, 1, 12, 8)


async def test_a_member_of_two_units_gets_each_reminder_once(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("a")
    await world.unit("b")
    await world.person("lan", "a", "b")

    await Planner(store, clock).plan()

    assert _kinds(await world.rows()) == ["T-30", "T-14", "T-7", "T-3", "T-1"]


async def test_upgrade_on_the_day_the_wait_ends_and_expiry_sixty_days_before_the_lapse(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    await world.unit("up", status="draft", level1_decision_date=dt.date(2026, 2, 10))
    await world.unit(
        "old",
        status="recognised",
        year=2023,
        recognition_decision_date=dt.date(2024, 2, 1),
    )
    await world.person("lan", "up")
    await world.person("hoa", "old")

    await Planner(store, clock).plan()

    upgrade = await world.rows("r.kind = 'upgrade'")
    assert len(upgrade) == 1
    assert _utc(upgrade[0]["due_at"]) == local(2027, 2, 10, 8)
    assert str(upgrade[0]["deadline_key"]).startswith("upgrade:")
    expiry = await world.rows("r.kind = 'expiry'")
    assert len(expiry) == 1
    assert str(expiry[0]["deadline_on"])[:10] == "2027-01-01"
    assert _utc(expiry[0]["due_at"]) == local(2026, 11, 2, 8)


async def test_a_province_date_reaches_units_whose_province_was_typed_differently(
    world: World, store: SqlReminderStore, clock: FakeClock
) -> None:
    # People type their province as they say it; `dvht deadline add` stores the official name.
    await world.unit("typed", province="tinh hung yen")
    await world.unit("official", province="Hưng Yên")
    await world.unit("merged", province="Thái Bình")  # merged into Hưng Yên on 1/7/2025
    await world.unit("other", province="Hà Nội")
    people = {name: await world.person(name, name) for name in ("typed", "official", "merged")}
    hanoi = await world.person("hanoi", "other")
    await world.deadline(dt.date(2027, 1, 5), province="Hưng Yên")

    await Planner(store, clock).plan()

    for member in people.values():
        rows = await world.rows("r.identity_id = :i", i=member.identity_id)
        assert {str(r["deadline_on"])[:10] for r in rows} == {"2027-01-05"}
    other = await world.rows("r.identity_id = :i", i=hanoi.identity_id)
    assert {str(r["deadline_on"])[:10] for r in other} == {"2027-01-15"}
