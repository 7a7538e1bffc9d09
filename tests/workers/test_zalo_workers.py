"""Zalo in webhook mode on two worker processes (PostgreSQL): the real `dvht serve` with
DVHT_WORKERS=2 and the fake Zalo Bot API pushing events over real HTTP, each on a connection
of its own. Every user's onboarding is answered in order whichever process takes each event;
an event pushed twice at once (a redelivery reaching both processes) is answered once; both
processes handled events. Defined only with DVHT_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from conversations import catalogue as say
from storage.db import Database
from storage.uow import read
from tests.db_fixtures import PG_URL, wipe_sql
from tests.telegram.test_telegram_e2e import free_port
from tests.workers.serve_process import SECRET_KEY, Serve, clean_env
from tests.workers.test_two_workers import _updates_by_pid
from tests.zalo.fake_zalo_api import TOKEN, FakeZaloApi

USERS = 8
SECRET = "zalo-hook-secret-42"
FAILURES = (say.INTERNAL_ERROR, say.STORAGE_BUSY, say.STORAGE_DOWN, say.STORAGE_FULL)
STEPS = ("/start", "1", "UBND phường Hai Tiến Trình {n}", "Huế", "1", "30")


async def _check_database(url: str, users: list[str]) -> None:
    """Each user's state saved once per step (the double /start once), the unit as typed."""
    database = Database(url)
    try:
        states = await read(
            database,
            lambda session: dict(
                session.execute(text("SELECT user_id, version FROM conversation_states")).all()
            ),
        )
        assert {user: states.get(user) for user in users} == {user: len(STEPS) for user in users}
        units = await read(
            database,
            lambda session: sorted(
                tuple(row)
                for row in session.execute(
                    text(
                        "SELECT u.name, u.province, a.members FROM units u "
                        "JOIN assessments a ON a.unit_id = u.id"
                    )
                )
            ),
        )
        wanted = sorted((STEPS[2].format(n=n), "Huế", 30) for n in range(len(users)))
        assert units == wanted
    finally:
        await database.close()


if PG_URL:

    async def test_zalo_webhook_on_two_workers(pg_database: str, tmp_path: Path) -> None:
        wiped = Database(pg_database)
        try:
            await wiped.run_connection(lambda connection: connection.execute(text(wipe_sql())))
        finally:
            await wiped.close()
        port = free_port()
        with FakeZaloApi(token=TOKEN) as api:
            env = clean_env()
            env.update(
                DATABASE_URL=pg_database,
                DVHT_WORKERS="2",
                DVHT_DATA_DIR=str(tmp_path),
                DVHT_HTTP_PORT=str(port),
                DVHT_SECRET_KEY=SECRET_KEY,
                ZALO_BOT_TOKEN=TOKEN,
                ZALO_API_URL=api.url,
                ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook",
                ZALO_WEBHOOK_SECRET=SECRET,
            )
            serve = Serve(env, tmp_path)
            try:
                await asyncio.to_thread(serve.wait_healthy, f"http://127.0.0.1:{port}")
                worker = (await asyncio.to_thread(serve.wait_workers, 1))[1]
                users = [api.user_id() for _ in range(USERS)]

                async def onboard(n: int, user: str) -> None:
                    for step in STEPS:
                        event = api.text_event(user, step.format(n=n))
                        if step == "/start":  # delivered twice at once: answered once
                            pushed = await asyncio.gather(api.push(event), api.push(event))
                        else:
                            pushed = [await api.push(event)]
                        assert [status for status, _ in pushed] == [200] * len(pushed)

                await asyncio.gather(*(onboard(n, user) for n, user in enumerate(users)))
                for user in users:
                    texts = api.texts(user)
                    assert not [t for t in texts if t in FAILURES], texts
                    # One answer per step (the double /start answered once), in order.
                    assert sum(say.ASK_NAME in t for t in texts) == 1, texts
                await _check_database(pg_database, users)
                counted = _updates_by_pid(tmp_path / "prometheus")
                assert {serve.process.pid, worker} <= set(counted), counted
                assert sum(counted.values()) == USERS * (len(STEPS) + 1)
                assert api.calls_of("getUpdates") == []
            finally:
                returncode = await asyncio.to_thread(serve.stop)
        assert returncode == 0, serve.output
        assert TOKEN not in serve.output
        assert "Traceback" not in serve.output, serve.output
