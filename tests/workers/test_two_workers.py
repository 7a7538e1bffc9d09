"""`dvht serve` with DVHT_WORKERS=2 on PostgreSQL (issue 14, item 6 and item 7's last test).

The real process, in Telegram webhook mode against the fake Bot API over real HTTP: the main
process opens the socket, registers the webhook and starts one worker process that serves the
same socket. Each update is posted on a connection of its own, so the kernel hands them to
either process; every user's updates of one moment (a double "/start", and fifteen evidence
titles from each side at once) are posted concurrently, the next as soon as the previous one is
answered. Afterwards nothing is lost: each user's dialogue state was saved once per update,
every title is stored once, the onboarding applied in its order, no reply says an update was
not saved; both processes counted updates in the Prometheus multiprocess directory. A worker
killed is restarted; SIGTERM, while updates are being answered, lets both processes finish
them, stops both and exits 0.

Defined only with DVHT_TEST_DATABASE_URL (CI sets it), as the other PostgreSQL tests; the
refusals need no server (`test_refusals.py`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage.db import Database
from storage.uow import read
from tests.db_fixtures import PG_URL, wipe_sql
from tests.serial import script
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.telegram.test_serve_startup import leaks
from tests.telegram.test_telegram_e2e import free_port
from tests.workers.serve_process import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    Serve,
    clean_env,
    gone,
)

USERS = 12
BASE_ID = 9_300_000
POST_TIMEOUT_S = 120.0


def telegram_id(user: int) -> int:
    return BASE_ID + user


async def _rows(database: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    return await read(
        database,
        lambda session: [dict(r._mapping) for r in session.execute(text(sql), params)],
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def _post_in_order(api: FakeBotApi, port: int, user: int, texts: Sequence[str]) -> None:
    """One side of a phase: each update posted once the one before was answered."""
    for said in texts:
        update = api.text_update(telegram_id(user), said)
        status, body = await asyncio.wait_for(
            api.post_webhook(port, update, WEBHOOK_SECRET), POST_TIMEOUT_S
        )
        assert status == 200, (status, body)


async def _walk(api: FakeBotApi, port: int, user: int) -> None:
    """A user's script (`tests.serial.script`): both sides of each phase at once."""
    for side_a, side_b in script.phases(user):
        await asyncio.gather(
            _post_in_order(api, port, user, [u.text for u in side_a]),
            _post_in_order(api, port, user, [u.text for u in side_b]),
        )


def _updates_by_pid(directory: Path) -> dict[int, float]:
    """dvht_updates_total counted by each process, from its file in the multiprocess dir."""
    from prometheus_client.mmap_dict import MmapedDict

    counted: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path)):
            if json.loads(key)[1] == "dvht_updates_total":
                counted[pid] = counted.get(pid, 0.0) + value
    return counted


async def _check_database(url: str) -> None:
    database = Database(url)
    try:
        people = await _rows(
            database,
            "SELECT external_id, person_id FROM channel_identities WHERE channel = 'telegram'",
        )
        person_of = {r["external_id"]: r["person_id"] for r in people}
        assert len(people) == USERS == len(set(person_of.values()))  # first contact once each
        saved_states = "SELECT user_id, state, version FROM conversation_states"
        states = {r["user_id"]: r for r in await _rows(database, saved_states)}
        for user in range(USERS):
            uid = str(telegram_id(user))
            state = states[uid]
            assert state["version"] == script.updates_of(user), (uid, state["version"])
            saved = _json(state["state"])
            assert (saved["step"], saved["indicator"]) == ("description", "2.1"), (uid, saved)
            units = await _rows(
                database,
                "SELECT u.name, u.province, a.members FROM memberships m "
                "JOIN units u ON u.id = m.unit_id JOIN assessments a ON a.unit_id = u.id "
                "WHERE m.person_id = :person",
                person=person_of[uid],
            )
            assert [tuple(r.values()) for r in units] == [(script.unit_name(user), "Huế", 30)]
            evidence = await _rows(
                database,
                "SELECT e.title FROM evidence e "
                "JOIN evidence_indicators ei ON ei.evidence_id = e.id "
                "WHERE e.uploaded_by = :person AND ei.indicator_id = '2.1' ORDER BY e.id",
                person=person_of[uid],
            )
            titles = [r["title"] for r in evidence]
            wanted = [script.title(user, n) for n in range(1, script.TITLES + 1)]
            assert sorted(titles) == sorted(wanted), uid  # every title, each once
            # Each side's titles in the order it posted them.
            assert [t for t in titles if wanted.index(t) % 2 == 0] == wanted[0::2], uid
            assert [t for t in titles if wanted.index(t) % 2 == 1] == wanted[1::2], uid
            answers = await _rows(
                database,
                "SELECT value FROM answer_revisions WHERE answered_by = :person "
                "AND indicator_id = '2.1' ORDER BY id",
                person=person_of[uid],
            )
            assert [_json(r["value"]) for r in answers] == [{"count": script.answer(user)}]
    finally:
        await database.close()


if PG_URL:

    async def test_two_workers_lose_nothing_of_users_updates_at_once(
        pg_database: str, tmp_path: Path
    ) -> None:
        wiped = Database(pg_database)
        try:
            await wiped.run_connection(lambda connection: connection.execute(text(wipe_sql())))
        finally:
            await wiped.close()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with FakeBotApi(token=TOKEN) as api:
            env = clean_env()
            env.update(
                DATABASE_URL=pg_database,
                DVHT_WORKERS="2",
                DVHT_DATA_DIR=str(tmp_path),
                DVHT_HTTP_HOST="127.0.0.1",
                DVHT_HTTP_PORT=str(port),
                DVHT_SECRET_KEY=SECRET_KEY,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_URL=api.url,
                TELEGRAM_WEBHOOK_URL="https://bot.example.test/telegram/webhook",
                TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            )
            serve = Serve(env, tmp_path)
            try:
                await asyncio.to_thread(serve.wait_healthy, url)
                workers = await asyncio.to_thread(serve.wait_workers, 1)
                first = workers[1]
                assert len(api.calls_of("setWebhook")) == 1  # registered once, by the main

                await asyncio.gather(*(_walk(api, port, user) for user in range(USERS)))

                for user in range(USERS):
                    said = [c.text for c in api.sent(telegram_id(user))]
                    failed = [t for t in said if t in script.FAILURES]
                    assert not failed, (user, failed)
                    for n in range(1, script.TITLES + 1):
                        recorded = f"Đã ghi minh chứng: {script.title(user, n)}."
                        assert any(recorded in t for t in said), (user, n)
                await _check_database(pg_database)
                counted = _updates_by_pid(tmp_path / "prometheus")
                both = {serve.process.pid, first}
                assert both <= set(counted), (counted, both, serve.output)
                assert all(counted[pid] > 0 for pid in both), counted
                updates = sum(script.updates_of(user) for user in range(USERS))
                assert sum(counted.values()) == updates, counted

                # A worker that dies is logged and started again on the same socket.
                mark = len(serve.output)
                signal_worker(first, signal.SIGKILL)
                again = await asyncio.to_thread(serve.wait_workers, 1, after=mark)
                assert again[1] != first
                assert f"worker 1 (pid {first}) exited with status -9" in serve.output
                since = api.mark()
                await _post_in_order(api, port, USERS + 1, ["/start"] * 4)
                assert len(api.sent(telegram_id(USERS + 1), since=since)) >= 4

                # SIGTERM while updates are being answered (their replies held by a slow Bot
                # API): each process finishes what it took on before it exits.
                late = [telegram_id(USERS + 2 + n) for n in range(6)]
                since = api.mark()
                api.slow("sendMessage", 3.0, times=len(late))
                posts = [
                    asyncio.create_task(
                        api.post_webhook(port, api.text_update(user, "/start"), WEBHOOK_SECRET)
                    )
                    for user in late
                ]
                await asyncio.sleep(1.5)
                serve.process.terminate()
                answered = await asyncio.gather(*posts)
                assert [status for status, _ in answered] == [200] * len(late), answered
                assert all(api.sent(user, since=since) for user in late)
            finally:
                returncode = await asyncio.to_thread(serve.stop)
        output = serve.output
        assert returncode == 0, output
        deadline = time.monotonic() + 30
        while not gone(again[1]):  # reaped by the main process before it exited
            assert time.monotonic() < deadline, output
            await asyncio.sleep(0.1)
        assert gone(first)
        assert f"worker 1 (pid {again[1]}) stopped" in output
        assert not leaks(output), output
        assert SECRET_KEY not in output
        assert WEBHOOK_SECRET not in output
        assert "Traceback" not in output, output

    async def test_ctrl_c_stops_the_main_process_and_its_workers(
        pg_database: str, tmp_path: Path
    ) -> None:
        """SIGINT to the whole process group (Ctrl-C in a terminal): every process stops
        cleanly, none is reported dead by a signal, exit status 0."""
        port = free_port()
        with FakeBotApi(token=TOKEN) as api:
            env = clean_env()
            env.update(
                DATABASE_URL=pg_database,
                DVHT_WORKERS="3",
                DVHT_DATA_DIR=str(tmp_path),
                DVHT_HTTP_PORT=str(port),
                DVHT_SECRET_KEY=SECRET_KEY,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_URL=api.url,
                TELEGRAM_WEBHOOK_URL="https://bot.example.test/telegram/webhook",
                TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
            )
            serve = Serve(env, tmp_path, own_group=True)
            try:
                workers = await asyncio.to_thread(serve.wait_workers, 2)
                os.killpg(serve.process.pid, signal.SIGINT)
                returncode = await asyncio.to_thread(serve.process.wait, 90)
            finally:
                await asyncio.to_thread(serve.stop)
        output = serve.output
        assert returncode == 0, output
        assert all(gone(pid) for pid in workers.values()), output
        for number, pid in workers.items():
            assert f"worker {number} (pid {pid}) stopped" in output
        assert " WARNING " not in output, output
        assert " ERROR " not in output, output


def signal_worker(pid: int, signum: signal.Signals) -> None:
    os.kill(pid, signum)
