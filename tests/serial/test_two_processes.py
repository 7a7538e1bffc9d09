"""Two backend processes on one database, given the same users' updates at the same moment,
lose nothing and apply nothing out of order (issue 14, item 6).

Each process builds the real service as `dvht serve` does (`bot.wiring.build_app`) in its own
interpreter (multiprocessing's spawn context), on PostgreSQL when DVHT_TEST_DATABASE_URL is
set, and on SQLite always (one writer at a time across processes there). What they send is
`tests.serial.script`: 20 users, each with a first contact delivered twice at once, an
onboarding alternating between the processes, and thirty evidence titles split between them
and sent concurrently.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage.db import Database
from storage.uow import read
from tests.serial import script
from tests.serial.worker import serve

USERS = 20
TIMEOUT_S = 600


def _rows(database: Database, sql: str, **params: Any) -> Any:
    async def run() -> list[dict[str, Any]]:
        return await read(
            database,
            lambda session: [dict(r._mapping) for r in session.execute(text(sql), params)],
        )

    return run()


def _json(value: Any) -> Any:
    """A JSON column as read by plain SQL: text on SQLite, decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _two_processes(database: Database, tmp_path: Path) -> list[dict[str, list[str]]]:
    """Run both sides to the end; the replies of each (A's, then B's) by update id."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    out = context.Queue()
    phases = script.merged(range(USERS))
    processes = [
        context.Process(
            target=serve,
            args=(database.url, str(tmp_path / f"var-{side}"), side, phases, barrier, out),
        )
        for side in (0, 1)
    ]
    for process in processes:
        process.start()
    try:
        results = [out.get(timeout=TIMEOUT_S) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, "\n".join(errors)
    return [r["replies"] for r in sorted(results, key=lambda r: r["side"])]


async def test_two_processes_given_one_users_updates_at_once_lose_and_reorder_nothing(
    database: Database, tmp_path: Path
) -> None:
    sides = _two_processes(database, tmp_path)

    # Every update answered, none with "not saved, send it again".
    for phase in script.merged(range(USERS)):
        for side in (0, 1):
            for update in phase[side]:
                replies = sides[side].get(update.update_id)
                assert replies, f"update {update.update_id} got no reply"
                failed = [r for r in replies if r in script.FAILURES]
                assert not failed, f"update {update.update_id}: {failed}"
                if update.text.startswith("Biên bản"):
                    assert f"Đã ghi minh chứng: {update.text}." in replies[0], replies

    people = await _rows(
        database,
        "SELECT ci.external_id, ci.person_id FROM channel_identities ci "
        "WHERE ci.channel = 'telegram'",
    )
    person_of = {r["external_id"]: r["person_id"] for r in people}
    assert len(people) == USERS == len(set(person_of.values()))  # first contact once each
    states = {
        r["user_id"]: r
        for r in await _rows(database, "SELECT user_id, state, version FROM conversation_states")
    }
    for user in range(USERS):
        uid = script.user_id(user)
        state = states[uid]
        # One save per update: none lost, none applied twice.
        assert state["version"] == script.updates_of(user), uid
        saved = _json(state["state"])
        assert (saved["step"], saved["indicator"]) == ("description", "2.1"), (uid, saved)
        # The onboarding, alternating between the processes, applied in its order.
        units = await _rows(
            database,
            "SELECT u.name, u.province, a.members FROM memberships m "
            "JOIN units u ON u.id = m.unit_id JOIN assessments a ON a.unit_id = u.id "
            "WHERE m.person_id = :person",
            person=person_of[uid],
        )
        assert [tuple(r.values()) for r in units] == [(script.unit_name(user), "Huế", 30)], uid
        evidence = await _rows(
            database,
            "SELECT e.id, e.title FROM evidence e "
            "JOIN evidence_indicators ei ON ei.evidence_id = e.id "
            "WHERE e.uploaded_by = :person AND ei.indicator_id = '2.1' ORDER BY e.id",
            person=person_of[uid],
        )
        titles = [r["title"] for r in evidence]
        wanted = [script.title(user, n) for n in range(1, script.TITLES + 1)]
        assert sorted(titles) == sorted(wanted), uid  # each title once
        # Each process's titles in the order it sent them.
        assert [t for t in titles if wanted.index(t) % 2 == 0] == wanted[0::2], uid
        assert [t for t in titles if wanted.index(t) % 2 == 1] == wanted[1::2], uid
        answers = await _rows(
            database,
            "SELECT value FROM answer_revisions WHERE answered_by = :person "
            "AND indicator_id = '2.1' ORDER BY id",
            person=person_of[uid],
        )
        assert [_json(r["value"]) for r in answers] == [{"count": script.answer(user)}], uid
