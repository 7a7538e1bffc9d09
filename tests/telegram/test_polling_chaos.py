"""Chaos: `dvht serve` in long-polling mode killed with SIGKILL at random moments, again and
again, while four users fill in their assessment (slow file uploads, button taps and /baocao
reports among their updates), restarted after each kill.

Every update must be answered (a user sends the next one only once the bot answered the last,
so a lost update stalls that user and fails the test) and applied exactly once (the database
holds one answer revision per answer sent, one evidence item per file, and every update is
claimed and its inbox entry finished). The kills are aimed: some at a random moment after the
start (during the replay of what the last process left), some at a random moment of polling,
some during a slow `getFile` download, during a report's rendering, or right after a reply went
out (its transaction committed, the next replies or the inbox's "finished" mark not yet done).
The seed is fixed, so the same kinds of kills come in the same order; their exact timing is the
machine's.

The first and the last process are the `dvht` script itself (`dvht serve`, as the operator
runs it; the last one is stopped with SIGTERM and must exit cleanly). The ones between are forked
from a server that has imported aiogram once (`tests.telegram.forked_serve`) and run the same
`main(["serve"])`: aiogram's import alone takes 4–6 s here, which would make the 23 restarts
last two minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conversations import catalogue as say
from tests import evidence_samples as samples
from tests.telegram.fake_bot_api import TOKEN, Call, FakeBotApi
from tests.telegram.forked_serve import ForkedServe

SEED = 20261202
KILLS = 22
USERS = 4
DOWNLOAD_S = 0.6
"""Each upload's download from the fake's file server takes this long."""
STEP_TIMEOUT_S = 60.0
"""How long a user waits for an answer: through any number of kills and restarts."""
KINDS = ("startup", "polling", "polling", "download", "render", "reply")
ONBOARDING = [
    ("/start", r"^Chào "),
    ("1", re.escape(say.ASK_NAME)),
    ("UBND xã Thử Lửa", re.escape(say.ASK_PROVINCE)),
    ("Thành phố Huế", re.escape(say.ASK_TYPE)),
    ("1", re.escape(say.ASK_MEMBERS)),
    ("30", r"^1\.1 · Tiêu chí 1 · 1/13 "),
]
"""Typed numbers pick the buttons (the first: a new unit, then a UBND xã)."""
VALUE_2_1 = r"^2\.1 · Tiêu chí 2 · "
VALUE_2_2 = r"^2\.2 · Tiêu chí 2 · "


def pdf(title: str) -> bytes:
    """A real one-page PDF, a different file for each title."""
    return samples.pdf(title.encode())


DVHT = Path(sys.executable).parent / "dvht"


class Life:
    """One bot process: the `dvht` script or a forked `main(["serve"])`."""

    def __init__(self, process: subprocess.Popen[bytes] | Any) -> None:
        self.process = process

    def kill(self) -> None:
        self.process.kill()

    def terminate(self) -> None:
        self.process.terminate()

    def wait(self, timeout: float) -> int | None:
        """The exit status (negative: the signal that ended it), None if still running."""
        if isinstance(self.process, subprocess.Popen):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
            return self.process.returncode
        self.process.join(timeout)
        code: int | None = self.process.exitcode
        return code

    def alive(self) -> bool:
        if isinstance(self.process, subprocess.Popen):
            return self.process.poll() is None
        return bool(self.process.is_alive())


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return db.execute(sql, params).fetchall()


@dataclass
class Sent:
    """One update a user sent, and when it was answered."""

    user: int
    kind: str
    update_id: int
    sent_at: float
    answered_at: float = 0.0


@dataclass
class Chaos:
    api: FakeBotApi
    data_dir: Path
    serve: ForkedServe
    lives: list[Life] = field(default_factory=list)
    kills: list[tuple[str, float, int]] = field(default_factory=list)
    """(kind, moment, updates in flight then)."""
    sent: list[Sent] = field(default_factory=list)
    stopping: bool = False

    @property
    def database(self) -> Path:
        return self.data_dir / "dvht.sqlite3"

    def log(self, life: int) -> Path:
        return self.data_dir / f"life-{life:02d}.log"

    def start(self, *, script: bool = False) -> Life:
        """A bot process: forked, or the `dvht serve` script itself."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "DVHT_")) and key != "DATABASE_URL"
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.api.url,
            DVHT_DATA_DIR=str(self.data_dir),
        )
        log = self.log(len(self.lives))
        if script:
            with log.open("ab") as output:
                life = Life(
                    subprocess.Popen(
                        [str(DVHT), "serve"],
                        env=env,
                        cwd=self.data_dir,
                        stdin=subprocess.DEVNULL,
                        stdout=output,
                        stderr=output,
                    )
                )
        else:
            life = Life(self.serve.start(env, self.data_dir, log))
        self.lives.append(life)
        return life

    def in_flight(self) -> int:
        return sum(1 for s in self.sent if not s.answered_at)

    async def wait_call(
        self, method: str, since: int, predicate: Callable[[Call], Any], timeout: float
    ) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(predicate(c) for c in self.api.calls_of(method, since=since)):
                return True
            await asyncio.sleep(0.01)
        return False

    # --- the users ---------------------------------------------------------------------------

    async def step(
        self, user: int, kind: str, update: dict[str, Any], answered: Callable[[int], bool]
    ) -> None:
        """Send one update; return once the bot answered it (`answered(since)`)."""
        since = self.api.mark()
        record = Sent(user, kind, int(update["update_id"]), time.monotonic())
        self.sent.append(record)
        self.api.enqueue(update)
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not answered(since):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"user {user} got no answer to their {kind} update {record.update_id} in "
                    f"{STEP_TIMEOUT_S:.0f} s (kills so far: {len(self.kills)}); recent calls:\n"
                    + "\n".join(repr(c) for c in self.api.calls_of(since=since)[-12:])
                )
            await asyncio.sleep(0.02)
        record.answered_at = time.monotonic()

    def text(self, user: int, pattern: str) -> Callable[[int], bool]:
        compiled = re.compile(pattern, re.M)
        return lambda since: any(compiled.search(c.text) for c in self.api.sent(user, since=since))

    async def say(self, user: int, text: str, pattern: str, kind: str = "text") -> None:
        await self.step(user, kind, self.api.text_update(user, text), self.text(user, pattern))

    async def user(self, user: int) -> dict[str, int]:
        """Onboard, then repeat a cycle until the chaos is over; what was stored, counted."""
        for text, pattern in ONBOARDING:
            await self.say(user, text, pattern)
        counts = {"answers": 0, "files": 0, "reports": 0}
        cycle = 0
        while not self.stopping or cycle < 2:
            cycle += 1
            await self.say(user, "sửa 2.1", VALUE_2_1)
            await self.say(user, str(20 + cycle % 10), r"^Minh chứng cho 2\.1:")
            counts["answers"] += 1
            name = f"mc-{user}-{cycle}.pdf"
            remote = self.api.register_file(
                f"BQAC-{user}-{cycle}", pdf(name), download_delay=DOWNLOAD_S
            )
            upload = self.api.document_update(
                user,
                file_id=remote.file_id,
                file_name=name,
                mime_type="application/pdf",
                file_size=remote.size,
            )
            await self.step(user, "upload", upload, self.text(user, rf"^Đã nhận tệp {name}"))
            counts["files"] += 1
            tap = self.api.callback_update(user, "ev:done")
            await self.step(user, "tap", tap, self.text(user, r"^Mô tả ngắn hiện trạng của 2\.1"))
            await self.say(user, "không mô tả", r"^Điểm mạnh và tồn tại của 2\.1 ")
            await self.say(user, "không", VALUE_2_2)
            if cycle % 2:
                report = self.api.text_update(user, "/baocao")
                await self.step(user, "report", report, self.report_sent(user))
                counts["reports"] += 1
        return counts

    def report_sent(self, user: int) -> Callable[[int], bool]:
        def sent(since: int) -> bool:
            files = [
                c.params["document"].filename
                for c in self.api.calls_of("sendDocument", since=since, chat_id=user)
                if c.ok
            ]
            summary = any(f.startswith("bang-tong-hop_") and f.endswith(".xlsx") for f in files)
            return summary and self.text(user, VALUE_2_2)(since)

        return sent

    # --- the killer --------------------------------------------------------------------------

    async def killer(self, rng: random.Random) -> None:
        for number in range(KILLS):
            mark = self.api.mark()
            process = self.start(script=number == 0)
            if number == 0:  # the fork server imports aiogram meanwhile
                warming = asyncio.create_task(asyncio.to_thread(self.serve.warm_up))
            kind = rng.choice(KINDS)
            if kind == "startup":  # the replay of what the last process left, or start-up
                await asyncio.sleep(rng.uniform(0.3, 1.2))
            else:
                polling = await self.wait_call("getUpdates", mark, lambda c: True, 60)
                assert polling, f"the bot did not start:\n{self.tail()}"
                now = self.api.mark()
                if kind == "polling":
                    await asyncio.sleep(rng.uniform(0.05, 1.0))
                elif kind == "download":  # during a slow getFile download
                    if await self.wait_call("getFile", now, lambda c: c.ok, 8):
                        await asyncio.sleep(rng.uniform(0.05, DOWNLOAD_S * 0.9))
                elif kind == "render":  # while a report is rendered
                    await self.wait_call("sendChatAction", now, lambda c: c.ok, 12)
                    await asyncio.sleep(rng.uniform(0.0, 0.3))
                else:  # right after a reply: committed, the rest not sent or not finished
                    await self.wait_call("sendMessage", now, lambda c: c.ok, 8)
            self.kills.append((kind, time.monotonic(), self.in_flight()))
            process.kill()
            code = await asyncio.to_thread(process.wait, 15)
            assert code == -signal.SIGKILL, code
            if number == 0:
                await warming

    def tail(self) -> str:
        return self.log(len(self.lives) - 1).read_text(errors="replace")[-3000:]


async def test_sigkill_at_random_moments_loses_no_update(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    with FakeBotApi() as api:
        chaos = Chaos(api, tmp_path, ForkedServe())
        users = [asyncio.create_task(chaos.user(6_000_001 + n)) for n in range(USERS)]
        killer = asyncio.create_task(chaos.killer(rng))
        try:
            # Until the kills are over; a user who got no answer fails the test at once.
            await asyncio.wait([killer, *users], return_when=asyncio.FIRST_COMPLETED)
            for task in (killer, *users):
                if task.done():
                    task.result()
            assert killer.done(), "a user stopped before the kills were over"
            chaos.stopping = True
            last = chaos.start(script=True)  # the last start: everyone finishes their cycle
            counts = await asyncio.wait_for(asyncio.gather(*users), timeout=120)
            last.terminate()  # SIGTERM: a clean stop
            assert await asyncio.to_thread(last.wait, 20) == 0, chaos.tail()
        finally:
            for task in (killer, *users):
                task.cancel()
            for life in chaos.lives:
                if life.alive():
                    life.kill()

    # Every kill hit the bot while users were waiting on it, and each dangerous moment came.
    kinds = [kind for kind, _, _ in chaos.kills]
    assert len(chaos.kills) == KILLS
    assert sum(1 for *_, flying in chaos.kills if flying) >= 20, chaos.kills
    for kind in ("startup", "download", "render", "reply"):
        assert kind in kinds, kinds
    interrupted = {
        s.kind
        for s in chaos.sent
        if any(s.sent_at < moment < s.answered_at for _, moment, _ in chaos.kills)
    }
    assert {"upload", "report"} <= interrupted, interrupted  # answered after a restart

    # Exactly once: one answer revision per answer, one evidence item per file, every update
    # claimed, and the inbox left with nothing unfinished.
    database = chaos.database
    for user, count in zip(range(6_000_001, 6_000_001 + USERS), counts, strict=True):
        unit = rows(
            database,
            "SELECT m.unit_id FROM memberships m JOIN channel_identities c "
            "ON c.person_id = m.person_id WHERE c.external_id = ?",
            str(user),
        )
        assert len(unit) == 1, f"user {user} created {len(unit)} units"
        answers = rows(
            database,
            "SELECT count(*) FROM answer_revisions r JOIN assessments a ON a.id = r.assessment_id "
            "WHERE a.unit_id = ? AND r.indicator_id = '2.1'",
            unit[0][0],
        )
        assert answers == [(count["answers"],)], (user, answers, count)
        files = rows(
            database,
            "SELECT count(*) FROM evidence e JOIN assessments a ON a.id = e.assessment_id "
            "WHERE a.unit_id = ? AND e.kind = 'file'",
            unit[0][0],
        )
        assert files == [(count["files"],)], (user, files, count)
    claimed = {int(u) for (u,) in rows(database, "SELECT update_id FROM processed_updates")}
    assert {s.update_id for s in chaos.sent} <= claimed
    assert rows(database, "SELECT count(*) FROM inbox WHERE finished_at IS NULL") == [(0,)]

    secret = TOKEN.split(":", 1)[1]
    for life in range(len(chaos.lives)):
        output = chaos.log(life).read_text(errors="replace")
        assert "Traceback" not in output, f"life {life}:\n{output[-3000:]}"
        assert secret not in output
