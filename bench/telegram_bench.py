"""Issue 5 benchmark, on the issue 14 backend: the Telegram bot in webhook mode (its webhook a
route of the FastAPI app on uvicorn, `web.server`) against a bare aiogram echo bot (aiohttp,
aiogram's own webhook handler: `echo_bot.py`).

Both run as real processes in webhook mode with their replies going to a minimal fake Bot API
server in this process; a load generator posts Update JSON over loopback: 50 users, each
sending its messages in order (the next one after the bot's first reply), 5,000 updates in all.
For our bot the users first create a unit, then repeat the answer cycle of the conversation
benchmark (“sửa 2.1”, a count, “bổ sung sau”, “không mô tả”). The load generator reads each
webhook response as Telegram does and counts the methods returned in it (our bot returns the
removal of the answered question's buttons there). Printed: updates per second, p50/p99 latency
(post → first sendMessage for that chat), each bot process's CPU time per update, and the
ratio to the echo bot, in three rounds and their median. Goal: at least 0.6 of the echo bot's
throughput (0.58 on the former aiohttp webhook server).

BENCH_HTTP=h11 runs our bot on uvicorn's pure-Python h11 parser instead of httptools (without
the header limits of `web.protocol`, which are written for httptools): for comparison only.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse, ClientSession, MultipartReader, web

TOKEN = "123456:BENCH-token"
SECRET = "bench_SECRET"
USERS = 50
UPDATES = 5_000
ROUNDS = 3
"""Each round runs both bots, one after the other: the machine's speed drifts between minutes
(the same bot measured 1.65 and 2.14 ms CPU per update), so one pair is a noisy ratio."""
ECHO_BOT = Path(__file__).with_name("echo_bot.py")
DVHT = Path(sys.executable).parent / "dvht"
ON_H11 = (
    "import sys, web.server\n"
    "from uvicorn.protocols.http.h11_impl import H11Protocol\n"
    "web.server.guarded_protocol = lambda limits: H11Protocol\n"
    "from cli.main import main\n"
    "sys.exit(main(['serve']))\n"
)
"""`dvht serve` with uvicorn's h11 protocol in place of the guarded httptools one."""
ONBOARDING = ["/start", "1", "UBND xã Bench", "Huế", "1", "30"]
CYCLE = ["sửa 2.1", "27", "bổ sung sau", "không mô tả"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeBotApi:
    """Just enough of the Bot API for both bots; signals each chat's replies."""

    def __init__(self) -> None:
        self.replies: dict[int, asyncio.Queue[float]] = defaultdict(asyncio.Queue)
        self.webhook_set = asyncio.Event()
        self.message_id = 0
        self.webhook_methods: dict[str, int] = defaultdict(int)
        """Methods the bot returned in webhook responses (Telegram runs those itself)."""

    async def take_webhook_reply(self, response: ClientResponse) -> None:
        """Read a webhook response as Telegram does: a method, as JSON or a form, or nothing."""
        if response.content_type == "multipart/form-data":
            fields = {}
            reader = MultipartReader.from_response(response)
            while (part := await reader.next()) is not None:
                fields[part.name] = await part.text()  # type: ignore[union-attr]
            self.webhook_methods[fields["method"]] += 1
        elif response.content_type == "application/json":
            method = (await response.json()).get("method")
            if method is not None:
                self.webhook_methods[method] += 1

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            fields = await request.json()
        else:
            fields = dict(await request.post()) if request.body_exists else {}
        if method == "getMe":
            result: Any = {"id": 1, "is_bot": True, "first_name": "dvht", "username": "dvht_bot"}
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
        else:
            if method == "setWebhook":
                self.webhook_set.set()
            result = True
        return web.json_response({"ok": True, "result": result})


def _update(update_id: int, user: int, text: str) -> dict[str, Any]:
    sender = {"id": user, "is_bot": False, "first_name": f"User {user}", "language_code": "vi"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "from": sender,
        "chat": {"id": user, "type": "private", "first_name": sender["first_name"]},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        ]
    return {"update_id": update_id, "message": message}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _drive(
    api: FakeBotApi, port: int, scripts: dict[int, list[str]], measured_from: int, bot_pid: int
) -> tuple[float, list[float], float, float]:
    """Post every user's messages in order; return the measured phase's wall time and latencies."""
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    latencies: list[float] = []
    counter = iter(range(1, 10**9))
    started: dict[str, float] = {}
    cpu: dict[str, float] = {}

    async def user_loop(session: ClientSession, user: int, texts: list[str]) -> None:
        for index, text in enumerate(texts):
            if index == measured_from and "t" not in started:
                started["t"] = time.perf_counter()
                cpu["bot"], cpu["driver"] = _cpu_seconds(bot_pid), time.process_time()
            queue = api.replies[user]
            while not queue.empty():
                queue.get_nowait()  # later replies of the previous message
            posted = time.perf_counter()
            async with session.post(
                url,
                data=json.dumps(_update(next(counter), user, text)),
                headers={**headers, "Content-Type": "application/json"},
            ) as response:
                assert response.status == 200, await response.text()
                await api.take_webhook_reply(response)
            replied = await asyncio.wait_for(queue.get(), timeout=60)
            if index >= measured_from:
                latencies.append(replied - posted)

    async with ClientSession() as session:
        await asyncio.gather(*(user_loop(session, user, texts) for user, texts in scripts.items()))
    return (
        time.perf_counter() - started["t"],
        latencies,
        _cpu_seconds(bot_pid) - cpu["bot"],
        time.process_time() - cpu["driver"],
    )


async def _run(
    command: list[str], env: dict[str, str], scripts: dict[int, list[str]], measured_from: int
) -> dict[str, float]:
    api = FakeBotApi()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    api_port, hook_port = _free_port(), _free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    process = subprocess.Popen(
        command,
        env={
            **os.environ,
            **env,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{api_port}",
            "TELEGRAM_WEBHOOK_URL": "https://bench.test/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "DVHT_WEBHOOK_HOST": "127.0.0.1",  # the echo bot's names (ours reads them too)
            "DVHT_WEBHOOK_PORT": str(hook_port),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await asyncio.wait_for(api.webhook_set.wait(), timeout=60)
        await asyncio.sleep(0.3)  # the echo bot listens before setWebhook; ours, before too
        wall, latencies, bot_cpu, driver_cpu = await _drive(
            api, hook_port, scripts, measured_from, process.pid
        )
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
        "bot_cpu": bot_cpu / wall * 100,
        "driver_cpu": driver_cpu / wall * 100,
        "cpu_ms": bot_cpu / measured * 1000,
        "webhook_replies": sum(api.webhook_methods.values()),
    }


def main() -> None:
    per_user = UPDATES // USERS
    users = range(100_001, 100_001 + USERS)
    ours = {u: ONBOARDING + [CYCLE[i % 4] for i in range(per_user)] for u in users}
    echo = {u: ONBOARDING + [f"tin nhắn {i}" for i in range(per_user)] for u in users}
    parser = os.environ.get("BENCH_HTTP", "httptools")
    command = [sys.executable, "-c", ON_H11] if parser == "h11" else [str(DVHT), "serve"]
    print(
        f"== Telegram webhook: dvht (FastAPI on uvicorn, {parser}) against a bare aiogram "
        "echo bot (aiohttp) =="
    )
    ratios = []
    for round_number in range(1, ROUNDS + 1):
        with tempfile.TemporaryDirectory() as folder:
            dvht = asyncio.run(_run(command, {"DVHT_DATA_DIR": folder}, ours, len(ONBOARDING)))
        baseline = asyncio.run(_run([sys.executable, str(ECHO_BOT)], {}, echo, len(ONBOARDING)))
        for name, figures in (("dvht", dvht), ("echo bot", baseline)):
            print(
                f"round {round_number}, {name}: {figures['n']:,.0f} updates, "
                f"{figures['rate']:,.0f} updates/s, p50 {figures['p50']:.1f} ms, "
                f"p99 {figures['p99']:.1f} ms; bot process {figures['cpu_ms']:.2f} ms CPU per "
                f"update, busy {figures['bot_cpu']:.0f}% (load generator and fake Bot API: "
                f"{figures['driver_cpu']:.0f}%); {figures['webhook_replies']:,.0f} methods "
                "returned in webhook responses"
            )
        ratios.append(dvht["rate"] / baseline["rate"])
        print(f"round {round_number}, ratio dvht / echo: {ratios[-1]:.2f}")
    print(
        f"ratio dvht / echo, median of {ROUNDS} rounds: {statistics.median(ratios):.2f} "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})  (goal ≥ 0.60)"
    )


if __name__ == "__main__":
    main()
