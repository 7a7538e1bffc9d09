"""Dispatchers as separate processes on one database, delivering over real HTTP to the fake
Bot API, counted per chat at the server: three dispatchers and one killed right after its
claim deliver every reminder exactly once; a broadcast killed in the middle and run again
loses and duplicates nothing; `dvht chat` shows the console user's due reminders once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from reminders import broadcast
from reminders.ports import SystemClock
from storage.reminder_store import SqlBroadcastStore
from tests.reminders.world import World
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
DVHT = Path(sys.executable).parent / "dvht"
LEASE_S = 8
"""Short enough for the test, long enough for any batch here (a batch is ~1 s)."""


def _env(database_url: str, tmp_path: Path, api: FakeBotApi, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DVHT_", "DATABASE"))
    }
    env.update(
        {
            "DVHT_DATA_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "DVHT_DISPATCH_LEASE_S": str(LEASE_S),
            "DVHT_PUSH_RATE": "100",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def _worker(env: dict[str, str], *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reminders.worker", *flags],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _delivered(api: FakeBotApi) -> Counter[int]:
    return Counter(c.chat_id for c in api.calls_of("sendMessage") if c.ok and c.chat_id)


async def _members(world: World, count: int) -> list[int]:
    await world.unit("a", province="Hưng Yên")
    return [(await world.person(f"p{n}", "a")).chat_id for n in range(count)]


async def _plan_broadcast(world: World, body: str) -> int:
    store = SqlBroadcastStore(world.database)
    announced = await broadcast.announcement(store, "province", "Hưng Yên", body)
    prepared = await broadcast.prepare(
        store, announced, channels=("telegram",), clock=SystemClock(), window=None
    )
    return prepared.broadcast_id


async def test_three_dispatchers_and_one_killed_after_its_claim_deliver_each_reminder_once(
    world: World, database_url: str, tmp_path: Path, api: FakeBotApi
) -> None:
    chats = await _members(world, 240)
    await _plan_broadcast(world, "Nhắc: nộp hồ sơ trước ngày 15/01/2027.")
    env = _env(database_url, tmp_path, api)

    doomed = _worker(env, "--die-after-claim")
    out, err = doomed.communicate(timeout=120)
    assert doomed.returncode == 1, err
    assert json.loads(out.splitlines()[0])["claimed"] > 0
    assert _delivered(api) == Counter()  # it died before sending anything

    workers = [_worker(env) for _ in range(3)]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1]))

    delivered = _delivered(api)
    assert set(delivered) == set(chats)
    assert set(delivered.values()) == {1}  # every chat exactly once
    assert sum(r["sent"] for r in results) == len(chats)
    rows = await world.rows("r.kind = 'broadcast'")
    assert {r["status"] for r in rows} == {"sent"}
    assert sum(1 for r in rows if int(r["attempts"]) > 1) > 0  # the orphaned claims, re-taken


def _stop_faults(api: FakeBotApi) -> None:
    with api._lock:
        for fault in api._faults:
            fault.times = 0


async def test_a_broadcast_killed_in_the_middle_and_run_again_loses_and_duplicates_nothing(
    world: World, database_url: str, tmp_path: Path, api: FakeBotApi
) -> None:
    chats = await _members(world, 120)
    body = "Thông báo: kiểm tra hồ sơ trước ngày 20/12/2026."
    env = _env(database_url, tmp_path, api, DVHT_PUSH_RATE="40")
    argv = [str(DVHT), "broadcast", "--province", "Hưng Yên", "--text", body, "--now"]
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_delivered(api)) < 30:  # a quarter sent …
        assert first.poll() is None, "the broadcast ended before it was killed"
        assert time.monotonic() < deadline, "the broadcast did not start"
        time.sleep(0.05)
    # … then Telegram's flood control stops everything, and the process is killed while it
    # waits (no push in flight: a push being answered at the kill is the one duplicate a
    # crash may cost, see reminders.dispatcher).
    api.fail("sendMessage", 429, times=None, retry_after=30)
    while not any(c.status == 429 for c in api.calls_of("sendMessage")):
        assert time.monotonic() < deadline, "no flood limit met"
        time.sleep(0.05)
    time.sleep(0.5)  # the pushes answered meanwhile are marked; the rest wait out the pause
    first.kill()
    first.communicate(timeout=30)
    sent_before = _delivered(api)
    assert 30 <= len(sent_before) < len(chats)

    _stop_faults(api)
    second = subprocess.run(
        argv, env=env, capture_output=True, text=True, check=False, timeout=300
    )

    assert second.returncode == 0, second.stderr
    done = f"Đã gửi: {len(chats)}; bỏ qua: 0 (đã chặn bot), 0 (đã tắt nhắc nhở); lỗi: 0."
    assert done in second.stdout
    delivered = _delivered(api)
    assert set(delivered) == set(chats)
    assert set(delivered.values()) == {1}


async def test_dvht_chat_shows_the_console_users_due_reminders_once(
    world: World, database_url: str, tmp_path: Path, api: FakeBotApi
) -> None:
    await world.unit("a", province="Hưng Yên")
    await world.person("lan", "a", channel="console", chat_id="lan")
    store = SqlBroadcastStore(world.database)
    announced = await broadcast.announcement(store, "province", "Hưng Yên", "Họp lúc 14:00 nay.")
    await broadcast.prepare(
        store, announced, channels=("console",), clock=SystemClock(), window=None
    )
    env = {k: v for k, v in _env(database_url, tmp_path, api).items() if "TELEGRAM" not in k}

    def chat() -> str:
        done = subprocess.run(
            [str(DVHT), "chat", "--user", "lan"],
            input="",
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Họp lúc 14:00 nay." in chat()
    assert "Họp lúc 14:00 nay." not in chat()
    rows = await world.rows("r.kind = 'broadcast'")
    assert [r["status"] for r in rows] == ["sent"]
