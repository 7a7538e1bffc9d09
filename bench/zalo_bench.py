"""Issue 14 benchmark: Zalo webhook text answers over loopback, against an echo handler on the
same server stack, with Telegram's webhook figures for the same load beside them.

Both sides run as real processes: `dvht serve` in Zalo webhook mode (ZALO_WEBHOOK_URL and
ZALO_WEBHOOK_SECRET; its webhook is `bot.zalo.webhook`'s route on the FastAPI app of
`web.app` on `web.server.Backend`), and the baseline, this module run as `python -m
bench.zalo_bench echo`: the very same route (secret check, body limit, the envelope parsed into
the same pydantic models) on the same app and server, whose handler sends the text back with
sendMessage through the same httpx client (`bot.zalo.client.ZaloClient`). So the ratio is the
price of the conversation itself (dialogue, database, replies), not of the HTTP stack.

A load generator in this process posts the events as the Zalo service does (the envelope and
`X-Bot-Api-Secret-Token`) and a minimal fake Zalo Bot API here receives the replies: USERS users
in flight at once, each sending its messages in order (the next one after the bot's reply).
Our bot's users first create a unit, then repeat the answer cycle of the conversation
benchmark (“sửa 2.1”, a count, “bổ sung sau”, “không mô tả”); the echo's users send plain
texts. Measured after the onboarding: updates per second, p50/p99 latency from the post to the
reply's sendMessage arriving at the fake (the webhook answers 200 after the event is handled,
so the 200 comes just after it: its p50 is printed too), the bot process's CPU time per update
and the load generator's own CPU share (it shares the 2 cores). Goal: at least 0.5 of the
echo's throughput.

Telegram's figures for the same load (same users in flight and messages each) come from one
short round of `bench.telegram_bench` (dvht's Telegram webhook against the bare aiogram echo
bot); BENCH_TELEGRAM=0 leaves them out.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

TOKEN = "3210987654:BENCH-zalo-token"
SECRET = "bench-zalo-SECRET-0123"
USERS = 16
"""Users in flight at once (each waits for the reply before its next message)."""
PER_USER = 150
ROUNDS = 3
STARTUP_S = 90.0
REPO = Path(__file__).resolve().parent.parent
DVHT = Path(sys.executable).parent / "dvht"
ONBOARDING = ["/start", "1", "UBND xã Bench", "Huế", "1", "30"]
CYCLE = ["sửa 2.1", "27", "bổ sung sau", "không mô tả"]
HEADER = "X-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FakeZaloApi:
    """Just enough of the Zalo Bot API for both processes; signals each chat's replies."""

    def __init__(self) -> None:
        self.replies: dict[str, asyncio.Queue[float]] = defaultdict(asyncio.Queue)
        self.webhook_set = asyncio.Event()
        self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            params.update(await request.json())
        now_ms = int(time.time() * 1000)
        result: Any
        if method == "sendMessage":
            text = str(params.get("text") or "")
            if not 1 <= len(text) <= 2000:
                self.refused += 1
                body = {"ok": False, "error_code": 400, "description": "text too long"}
                return web.json_response(body, status=400)
            self.replies[str(params["chat_id"])].put_nowait(time.perf_counter())
            result = {"message_id": secrets.token_hex(16), "date": now_ms}
        elif method == "getMe":
            result = {"id": "b3nch", "account_name": "bench", "account_type": "BASIC"}
        elif method in ("setWebhook", "getWebhookInfo", "deleteWebhook"):
            if method == "setWebhook":
                self.webhook_set.set()
            result = {"url": str(params.get("url") or ""), "updated_at": now_ms}
        else:  # sendChatAction, sendPhoto
            result = {"message_id": secrets.token_hex(16), "date": now_ms}
        return web.json_response({"ok": True, "result": result})


def _event(user: str, text: str) -> bytes:
    message = {
        "from": {"id": user, "display_name": f"Người dùng {user[:4]}", "is_bot": False},
        "chat": {"id": user, "chat_type": "PRIVATE"},
        "text": text,
        "message_id": secrets.token_hex(16),
        "date": int(time.time() * 1000),
    }
    body = {"ok": True, "result": {"event_name": "message.text.received", "message": message}}
    return json.dumps(body, ensure_ascii=False).encode()


async def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_S
    async with ClientSession(timeout=ClientTimeout(total=5)) as http:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the benchmarked process exited with {process.returncode}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the benchmarked process did not start")
            await asyncio.sleep(0.1)


async def _drive(
    api: FakeZaloApi, port: int, scripts: dict[str, list[str]], measured_from: int, pid: int
) -> dict[str, Any]:
    """Post every user's messages in order; the measured phase's wall time and latencies."""
    url = f"http://127.0.0.1:{port}/zalo/webhook"
    headers = {HEADER: SECRET, "Content-Type": "application/json"}
    latencies: list[float] = []
    acks: list[float] = []
    started: dict[str, float] = {}

    async def user_loop(session: ClientSession, user: str, texts: list[str]) -> None:
        for index, text in enumerate(texts):
            if index == measured_from and "t" not in started:
                started["t"] = time.perf_counter()
                started["bot"], started["driver"] = _cpu_seconds(pid), time.process_time()
            queue = api.replies[user]
            while not queue.empty():
                queue.get_nowait()  # later replies of the previous message
            posted = time.perf_counter()
            async with session.post(url, data=_event(user, text), headers=headers) as response:
                assert response.status == 200, await response.text()
                await response.read()
            answered = time.perf_counter()
            replied = await asyncio.wait_for(queue.get(), timeout=60)
            if index >= measured_from:
                latencies.append(replied - posted)
                acks.append(answered - posted)

    async with ClientSession(timeout=ClientTimeout(total=120)) as session:
        await asyncio.gather(*(user_loop(session, user, texts) for user, texts in scripts.items()))
    return {
        "wall": time.perf_counter() - started["t"],
        "latencies": latencies,
        "acks": acks,
        "bot_cpu": _cpu_seconds(pid) - started["bot"],
        "driver_cpu": time.process_time() - started["driver"],
    }


def _environment(api_port: int, hook_port: int, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        ZALO_BOT_TOKEN=TOKEN,
        ZALO_API_URL=f"http://127.0.0.1:{api_port}",
        ZALO_WEBHOOK_URL="https://bench.test/zalo/webhook",
        ZALO_WEBHOOK_SECRET=SECRET,
        DVHT_DATA_DIR=data_dir,
        DVHT_HTTP_HOST="127.0.0.1",
        DVHT_HTTP_PORT=str(hook_port),
        PYTHONPATH=str(REPO),  # the echo is `-m bench.zalo_bench`
    )
    return env


async def _run(
    command: list[str], scripts: dict[str, list[str]], measured_from: int
) -> dict[str, float]:
    api = FakeZaloApi()
    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    api_port, hook_port = _free_port(), _free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            command,
            env=_environment(api_port, hook_port, folder),
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await _wait_healthy(hook_port, process)
            figures = await _drive(api, hook_port, scripts, measured_from, process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            await runner.cleanup()
    measured = sum(len(texts) - measured_from for texts in scripts.values())
    latencies, acks, wall = figures["latencies"], figures["acks"], figures["wall"]
    return {
        "n": measured,
        "rate": measured / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000,
        "ack_p50": statistics.median(acks) * 1000,
        "cpu_ms": figures["bot_cpu"] / measured * 1000,
        "bot_cpu": figures["bot_cpu"] / wall * 100,
        "driver_cpu": figures["driver_cpu"] / wall * 100,
        "refused": api.refused,
    }


def _scripts() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    users = [secrets.token_hex(8) for _ in range(USERS)]
    ours = {u: ONBOARDING + [CYCLE[i % 4] for i in range(PER_USER)] for u in users}
    echo = {u: ONBOARDING + [f"tin nhắn {i}" for i in range(PER_USER)] for u in users}
    return ours, echo


def _line(name: str, figures: dict[str, float]) -> str:
    return (
        f"{name}: {figures['n']:,.0f} updates, {figures['rate']:,.0f} updates/s, "
        f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms (post → sendMessage at the "
        f"fake; the webhook's 200 at p50 {figures['ack_p50']:.1f} ms); process "
        f"{figures['cpu_ms']:.2f} ms CPU per update, busy {figures['bot_cpu']:.0f}% (load "
        f"generator and fake Zalo API: {figures['driver_cpu']:.0f}%)"
    )


def _telegram_beside() -> None:
    """One short round of the Telegram webhook benchmark with the same load shape."""
    from bench import telegram_bench

    users = range(100_001, 100_001 + USERS)
    ours = {u: telegram_bench.ONBOARDING + [CYCLE[i % 4] for i in range(PER_USER)] for u in users}
    echo = {
        u: telegram_bench.ONBOARDING + [f"tin nhắn {i}" for i in range(PER_USER)] for u in users
    }
    measured_from = len(telegram_bench.ONBOARDING)
    with tempfile.TemporaryDirectory() as folder:
        dvht = asyncio.run(
            telegram_bench._run(
                [str(DVHT), "serve"], {"DVHT_DATA_DIR": folder}, ours, measured_from
            )
        )
    command = [sys.executable, str(telegram_bench.ECHO_BOT)]
    baseline = asyncio.run(telegram_bench._run(command, {}, echo, measured_from))
    for name, figures in (("Telegram dvht", dvht), ("Telegram aiogram echo bot", baseline)):
        print(
            f"{name}: {figures['n']:,.0f} updates, {figures['rate']:,.0f} updates/s, "
            f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms (post → first "
            f"sendMessage); process {figures['cpu_ms']:.2f} ms CPU per update"
        )
    print(f"Telegram ratio dvht / echo (one round): {dvht['rate'] / baseline['rate']:.2f}")


def main() -> None:
    print(
        f"== Zalo webhook: dvht (FastAPI on uvicorn) against an echo handler on the same "
        f"server stack; {USERS} users in flight, {PER_USER} measured messages each =="
    )
    ours, echo = _scripts()
    ratios = []
    for round_number in range(1, ROUNDS + 1):
        dvht = asyncio.run(_run([str(DVHT), "serve"], ours, len(ONBOARDING)))
        command = [sys.executable, "-m", "bench.zalo_bench", "echo"]
        baseline = asyncio.run(_run(command, echo, len(ONBOARDING)))
        for name, figures in (("dvht", dvht), ("echo", baseline)):
            print(f"round {round_number}, {_line(name, figures)}")
            if figures["refused"]:
                print(f"  {figures['refused']:.0f} messages over 2,000 characters refused")
        ratios.append(dvht["rate"] / baseline["rate"])
        print(f"round {round_number}, ratio dvht / echo: {ratios[-1]:.2f}")
    print(
        f"Zalo ratio dvht / echo, median of {ROUNDS} rounds: {statistics.median(ratios):.2f} "
        f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})  (goal ≥ 0.50)"
    )
    if os.environ.get("BENCH_TELEGRAM", "1") != "0":
        print("-- Telegram webhook beside it, the same load (bench.telegram_bench, one round) --")
        _telegram_beside()


# --- the baseline process: the echo on the same stack -----------------------------------------


async def _echo() -> None:
    """The same webhook route, app and server as dvht's, echoing each text back."""
    from bot.zalo.client import ZaloClient
    from bot.zalo.models import Update
    from bot.zalo.webhook import zalo_router
    from web.app import create_app
    from web.server import Backend, open_socket

    client = ZaloClient(os.environ["ZALO_BOT_TOKEN"], os.environ["ZALO_API_URL"])

    async def echo(update: Update) -> None:
        message = update.message
        if message is not None and message.text:
            await client.send_message(message.chat.id, message.text)

    async def database_ok() -> bool:
        return True

    router = zalo_router(echo, os.environ["ZALO_WEBHOOK_SECRET"])
    app = create_app(routers=[router], database_ok=database_ok)
    port = int(os.environ["DVHT_HTTP_PORT"])
    backend = Backend(app, open_socket(os.environ.get("DVHT_HTTP_HOST", "127.0.0.1"), port))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await backend.start()
    try:
        await stop.wait()
    finally:
        await backend.stop()
        await client.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["echo"]:
        asyncio.run(_echo())
    else:
        main()
