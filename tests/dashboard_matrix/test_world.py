"""The seeded world the matrix and browser tests stand on is what they assume: each status
present, the scopes as described, every complete assessment answered in full (on SQLite and,
with DVHT_TEST_DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import text

from storage import login_links
from storage.db import Database
from storage.uow import read, transaction
from tests.dashboard_matrix.world import YEAR, seed


async def test_the_world_has_every_status_and_the_scopes_described(database: Database) -> None:
    world = await seed(database)

    def statuses(session: object) -> dict[int, str]:
        rows = session.connection().execute(  # type: ignore[attr-defined]
            text("SELECT unit_id, status FROM assessments WHERE year = :y"), {"y": YEAR}
        )
        return {int(u): str(s) for u, s in rows}

    seeded = await read(database, statuses)
    assert seeded == {u: s for u, s in world.status_of.items() if s is not None}
    office1 = [world.status_of[u] for u in world.in_office(world.office1)]
    for status in ("draft", "self_assessed", "submitted", "returned", "recognised", None):
        assert status in office1, status
    assert office1.count("submitted") == 2
    assert world.status_of[world.unit_x] == "submitted"
    assert set(world.in_office(world.office2)).isdisjoint(world.in_office(world.office1))

    def submitted(session: object) -> list[tuple[int, int | None, int | None]]:
        rows = session.connection().execute(  # type: ignore[attr-defined]
            text(
                "SELECT unit_id, submitted_level, submitted_by FROM assessments "
                "WHERE status = 'submitted' ORDER BY unit_id"
            )
        )
        return [(int(u), lvl, by) for u, lvl, by in rows]

    rows = await read(database, submitted)
    assert len(rows) == 3
    assert all(level == 2 for _, level, _ in rows)
    assert world.admin is not None
    assert (world.unit_x, 2, world.admin.person_id) in rows


async def test_a_login_token_is_consumed_once(database: Database) -> None:
    world = await seed(database)
    assert world.reviewer1 is not None
    from tests.dashboard_matrix.world import login_token

    token = await login_token(database, world.reviewer1.person_id)
    first = await transaction(database, lambda s: login_links.consume(s, token))
    second = await transaction(database, lambda s: login_links.consume(s, token))
    assert first == ("ok", world.reviewer1.person_id)
    assert second == ("used", None)
