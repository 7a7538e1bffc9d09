"""A 40,000-reference `dvht import` (the real command, another process) while five users
answer through the conversation service on the same SQLite file.

Before issue 11 the import held the write lock for its whole run (95 s on the slow machine),
the users' messages failed as internal errors with tracebacks, and each one's 5-second busy
wait stopped the event loop for all. Now the import commits in batches of about a quarter
second and the service waits off the loop: every answer is stored or refused with the busy
sentence, nothing is logged as an error, and nobody waits long because of anybody else.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from sqlmodel import Session

from conversations import catalogue as say
from conversations.messages import Inbound, Outbound
from conversations.records import Actor
from conversations.service import ConversationService
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.faults import Fault, classify
from storage.schemas import NewUnit
from storage.units import UnitRepository
from storage.uow import read, transaction
from tests.storage.test_busy import LoopWatch

ROOT = Path(__file__).resolve().parents[2]
DVHT = Path(sys.executable).parent / "dvht"
CLOCK = dt.datetime(2025, 11, 20, 2, 0, tzinfo=dt.UTC)
REFERENCES = 40_000
USERS = 5
THINK_S = 0.005
LONGEST_WAIT_S = 2.0
"""The issue's bound on any one message; expected about one import batch (0.25 s)."""


def _big_file(path: Path) -> None:
    """The example commune's file with 40,000 evidence references spread over its answers."""
    document = yaml.safe_load((ROOT / "examples" / "ubnd-xa-quang-phu.yaml").read_text("utf-8"))
    ids = list(document["answers"])
    for k, indicator_id in enumerate(ids):
        document["answers"][indicator_id]["evidence"] = [
            f"Văn bản số {j}/{indicator_id} ngày 10/01/2025"
            for j in range(k, REFERENCES, len(ids))
        ]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


class User:
    """One official on the console channel: creates a unit, then answers 2.1 over and over
    (“sửa 2.1”, a count, “bổ sung sau”, “không mô tả”), sending a refused message again."""

    def __init__(self, service: ConversationService, name: str) -> None:
        self.service = service
        self.name = name
        self.updates = 0
        self.waits: list[float] = []
        self.refused = 0
        self.stored: list[int] = []

    async def send(self, text_: str) -> list[Outbound]:
        while True:
            # A message arrives from the network: the loop runs others in between (on SQLite
            # `handle` itself never yields unless it waits for the lock). Five users sending
            # without pause would be 400 messages/s, eating the 2 cores the import needs.
            await asyncio.sleep(THINK_S)
            self.updates += 1
            message = Inbound(
                "console", self.name, self.name, f"{self.name}-{self.updates}", text=text_
            )
            started = time.monotonic()
            replies = await self.service.handle(message)
            self.waits.append(time.monotonic() - started)
            assert replies, text_
            texts = [r.text for r in replies]
            assert say.INTERNAL_ERROR not in texts, texts
            assert say.STORAGE_DOWN not in texts, texts
            if replies == [Outbound(say.STORAGE_BUSY, kind="error")]:
                self.refused += 1
                continue  # as a user would: send it again
            return replies

    async def onboard(self) -> None:
        for text_ in ("/start", "1", f"UBND xã {self.name}", "Huế", "1", "30"):
            await self.send(text_)

    async def cycle(self, count: int) -> None:
        await self.send("sửa 2.1")
        replies = await self.send(str(count))
        assert replies[0].text.startswith(f"Đã lưu 2.1: {count} "), replies[0].text
        self.stored.append(count)
        await self.send("bổ sung sau")
        await self.send("không mô tả")


async def test_a_40000_reference_import_while_five_users_answer(
    sqlite_template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    shutil.copy(sqlite_template, data_dir / "dvht.sqlite3")
    database = Database(f"sqlite:///{data_dir / 'dvht.sqlite3'}")
    unit_id = await transaction(
        database,
        lambda session: (
            UnitRepository()
            .create(
                session,
                actor=Actor.operator(),
                data=NewUnit(
                    name="UBND xã Lớn", tier="huyen", unit_type="ubnd_xa", province="Huế"
                ),
            )
            .id
        ),
    )
    source = tmp_path / "lon.json"
    _big_file(source)

    busy_hits = 0
    original_run = database.run

    async def counting_run(work: Any, *, write: bool) -> Any:
        """Counts the attempts that met the import's lock, to prove the two really met."""
        nonlocal busy_hits
        try:
            return await original_run(work, write=write)
        except Exception as exc:
            busy_hits += classify(exc) is Fault.BUSY
            raise

    database.run = counting_run  # type: ignore[method-assign]
    service = ConversationService(SqlDialogueStore(database), clock=lambda: CLOCK)
    users = [User(service, f"u{n}") for n in range(USERS)]
    await asyncio.gather(*(user.onboard() for user in users))

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DVHT_DATA_DIR"] = str(data_dir)
    started = time.monotonic()
    importing = await asyncio.create_subprocess_exec(
        str(DVHT),
        "import",
        str(source),
        "--unit",
        str(unit_id),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    finished = asyncio.create_task(importing.communicate())

    async def answer_until_done(user: User) -> None:
        count = 0
        while not finished.done():
            await user.cycle(20 + count % 11)
            count += 1

    async with LoopWatch() as watch:
        await asyncio.gather(*(answer_until_done(user) for user in users))
    out, err = await finished
    import_s = time.monotonic() - started

    assert importing.returncode == 0, err.decode()
    assert err == b""  # no traceback, no warning
    assert f"{REFERENCES} minh chứng mới" in out.decode()

    def stored(session: Session) -> dict[str, Any]:
        evidence = session.exec(  # type: ignore[call-overload]
            text(
                "SELECT count(*) FROM evidence e JOIN assessments a ON a.id = e.assessment_id "
                "WHERE a.unit_id = :unit"
            ).bindparams(unit=unit_id)
        ).one()[0]
        revisions = session.exec(  # type: ignore[call-overload]
            text(
                "SELECT c.external_id, r.value FROM answer_revisions r "
                "JOIN channel_identities c ON c.person_id = r.answered_by "
                "WHERE r.indicator_id = '2.1' ORDER BY r.id"
            )
        ).all()
        return {"evidence": evidence, "revisions": revisions}

    found = await read(database, stored)
    await database.close()
    assert found["evidence"] == REFERENCES
    for user in users:
        theirs = [
            (json.loads(v) if isinstance(v, str) else v)["count"]
            for who, v in found["revisions"]
            if who == user.name
        ]
        assert theirs == user.stored, user.name  # every acknowledged answer, in order
    waits = [w for user in users for w in user.waits]
    figures = (
        f"import {import_s:.1f} s; {len(waits)} messages, {sum(len(u.stored) for u in users)} "
        f"answers, {busy_hits} attempts met the lock, {sum(u.refused for u in users)} refused; "
        f"wait p50 {statistics.median(waits) * 1000:.1f} ms, max {max(waits) * 1000:.0f} ms; "
        f"loop still for at most {watch.longest * 1000:.0f} ms"
    )
    print(figures)
    assert busy_hits > 0, figures  # they did meet
    assert all(len(user.stored) >= 3 for user in users), figures  # and answered throughout
    assert max(waits) < LONGEST_WAIT_S, figures
    assert watch.longest < LONGEST_WAIT_S, figures
    logged = [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
    assert not logged, [r.getMessage() for r in logged]
