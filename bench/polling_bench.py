"""Issue 11 benchmark: crash-safe long polling (`dvht serve`, through the inbox) against the
polling it replaced (aiogram's `start_polling`, `bench/aiogram_polling_bot.py`), in one run.

Both bots run as real processes against a minimal fake Bot API server in this process, whose
`getUpdates` answers as soon as updates are waiting (or after the long poll's timeout). 50 users
each send their messages in order, the next one after the bot's first reply to the last: they
create a unit, then repeat the answer cycle of the webhook benchmark (“sửa 2.1”, a count,
“bổ sung sau”, “không mô tả”). Printed for each bot: updates per second, p50/p99 latency
(enqueued → first sendMessage for that chat), the bot process's CPU time per update; then the
ratio crash-safe / aiogram, in three rounds (the two bots back to back in each) and their
median. The crash-safe path adds per update one row inserted with its batch, the replies kept
in the message's transaction and the entry marked finished.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.telegram_bench import CYCLE, ONBOARDING, _cpu_seconds, _free_port, _update

TOKEN = "123456:BENCH-token"
USERS = 50
UPDATES = 3_000
ROUNDS = 3
DVHT = Path(sys.executable).parent / "dvht"
BASELINE = Path(__file__).with_name("aiogram_polling_bot.py")


class FakeBotApi:
    """Just enough of the Bot API for a polling bot; signals each chat's replies."""

    def __init__(self) -> None:
        self.replies: dict[int, asyncio.Queue[float]] = defaultdict(asyncio.Queue)
        self.polling = asyncio.Event()
        self.updates: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.message_id = 0

    def enqueue(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self.arrived.set()

    async def get_updates(self, fields: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(fields.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self.polling.set()
        if not self.updates:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), float(fields.get("timeout") or 0))
            except TimeoutError:
                return []
        return self.updates[:100]

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            fields = await request.json()
        else:
            fields = dict(await request.post()) if request.body_exists else {}
        result: Any = True
        if method == "getMe":
            result = {"id": 123456, "is_bot": True, "first_name": "dvht", "username": "dvht_bot"}
        elif method == "getUpdates":
            result = await self.get_updates(fields)
        elif method == "sendMessage":
            chat_id = int(str(fields["chat_id"]))
            self.replies[chat_id].put_nowait(time.perf_counter())
            self.message_id += 1
            result = {
                "message_id": self.message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": str(fields["text"]),
            }
        return web.json_response({"ok": True, "result": result})


async def _drive(
    api: FakeBotApi, scripts: dict[int, list[str]], measured_from: int, bot_pid: int
) -> tuple[float, list[float], float]:
    """Every user's messages in order; the measured phase's wall time, latencies, bot CPU."""
    latencies: list[float] = []
    counter = iter(range(1, 10**9))
    started: dict[str, float] = {}

    async def user_loop(user: int, texts: list[str]) -> None:
        for index, text in enumerate(texts):
            if index == measured_from and "t" not in started:
                started["t"], started["cpu"] = time.perf_counter(), _cpu_seconds(bot_pid)
            queue = api.replies[user]
            while not queue.empty():
                queue.get_nowait()  # later replies of the previous message
            sent = time.perf_counter()
            api.enqueue(_update(next(counter), user, text))
            replied = await asyncio.wait_for(queue.get(), timeout=60)
            if index >= measured_from:
                latencies.append(replied - sent)

    await asyncio.gather(*(user_loop(user, texts) for user, texts in scripts.items()))
    wall = time.perf_counter() - started["t"]
    return wall, latencies, _cpu_seconds(bot_pid) - started["cpu"]


async def _run(
    command: list[str], folder: str, scripts: dict[int, list[str]], measured_from: int
) -> dict[str, float]:
    api = FakeBotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DVHT_")) and key != "DATABASE_URL"
    }
    process = subprocess.Popen(
        command,
        env={
            **env,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
            "DVHT_DATA_DIR": folder,
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        },
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await asyncio.wait_for(api.polling.wait(), timeout=90)
        wall, latencies, bot_cpu = await _drive(api, scripts, measured_from, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        await runner.cleanup()
    measured = sum(len(texts) - measured_from for texts in scripts.values())
    return {
        "rate": measured / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000,
        "n": measured,
        "cpu_ms": bot_cpu / measured * 1000,
    }


def main() -> None:
    per_user = UPDATES // USERS
    users = range(200_001, 200_001 + USERS)
    scripts = {u: ONBOARDING + [CYCLE[i % 4] for i in range(per_user)] for u in users}
    print(f"== Telegram long polling, {USERS} users: crash-safe (inbox) against aiogram's ==")
    ratios = []
    cpu: dict[str, list[float]] = defaultdict(list)
    for round_number in range(1, ROUNDS + 1):
        figures: dict[str, dict[str, float]] = {}
        for name, command in (
            ("crash-safe", [str(DVHT), "serve"]),
            ("aiogram start_polling", [sys.executable, str(BASELINE)]),
        ):
            with tempfile.TemporaryDirectory() as folder:
                figures[name] = asyncio.run(_run(command, folder, scripts, len(ONBOARDING)))
            result = figures[name]
            cpu[name].append(result["cpu_ms"])
            print(
                f"round {round_number}, {name}: {result['n']:,.0f} updates, "
                f"{result['rate']:,.0f} updates/s, p50 {result['p50']:.1f} ms, "
                f"p99 {result['p99']:.1f} ms; bot process {result['cpu_ms']:.2f} ms CPU per update"
            )
        ratios.append(figures["crash-safe"]["rate"] / figures["aiogram start_polling"]["rate"])
        print(f"round {round_number}, ratio crash-safe / aiogram: {ratios[-1]:.2f}")
    print(
        f"ratio crash-safe / aiogram, median of {ROUNDS} rounds: {statistics.median(ratios):.2f} "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    safe, baseline = (statistics.median(cpu[n]) for n in ("crash-safe", "aiogram start_polling"))
    print(
        f"bot CPU per update, median of {ROUNDS} rounds: crash-safe {safe:.2f} ms, aiogram "
        f"{baseline:.2f} ms (the inbox costs {safe - baseline:+.2f} ms)"
    )


if __name__ == "__main__":
    main()
