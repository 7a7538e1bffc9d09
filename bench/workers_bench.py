"""Issue 14 benchmark: two worker processes on PostgreSQL against one, in the same run, at two
levels: the real `dvht serve` over HTTP (`http_main`, below), and the conversation service
alone (`main`).

Each worker is a separate interpreter (multiprocessing's spawn context) that builds the real
service as `dvht serve` does (`bot.wiring.build_app`) on a scratch database and handles its
share of the users' updates through `ConversationService.handle`, with the per-user advisory
lock (`storage.serial`) on every message; the HTTP layer is left out, so the figure is the
service and the database alone. Every user first creates their unit (not timed), then, timed,
walks answer cycles as an official does: “sửa 2.1”, a member count, “bổ sung sau”, “không mô
tả”, “không”. The users run concurrently in each worker (`CONCURRENCY` at a time, one
connection each: the pool's size), and each user's updates in order, as a channel delivers
them. The rate is all timed updates over the wall time from the moment every worker is ready
to the last one's end; one worker and two alternate, three rounds, each round on new users,
and the medians are compared. Goal on the 2-core machine: two workers ≥ 1.5× one.

Needs DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL (a server where a scratch database may
be created); without it the figure is not measured and says so.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import Database, postgres_engine
from storage.migrate import upgrade

USERS = 80
"""Users per round, split evenly between the workers."""
CYCLES = 8
"""Answer cycles per user in the timed part (five updates each)."""
CONCURRENCY = 5
"""Users handled at once in one worker: the connection pool's size, so no update waits for a
connection and none is opened and closed beyond the pool. One worker is saturated with it:
given 10 users at once it handled no more (278 against 295 updates/s, same run), so the
second worker's gain is its own CPU, not more concurrency."""
ROUNDS = 3
WORKER_COUNTS = (1, 2)
START_TIMEOUT_S = 300.0
ONBOARDING = ("/start", "1", "UBND xã Đo Tải {n}", "Huế", "1", "30")


def _cycle(n: int) -> list[str]:
    return ["sửa 2.1", str(20 + n % 11), "bổ sung sau", "không mô tả", "không"]


async def _serve(url: str, users: Sequence[str], barrier: Barrier) -> dict[str, float]:
    """One worker: onboard `users`, wait for the others, then time the answer cycles."""
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["DATABASE_URL"] = url
        os.environ["DVHT_DATA_DIR"] = data_dir
        from bot.settings import Settings
        from bot.wiring import build_app
        from conversations import catalogue as say
        from conversations.messages import Inbound

        failures = {say.INTERNAL_ERROR, say.STORAGE_BUSY, say.STORAGE_DOWN, say.STORAGE_FULL}
        app = await build_app(Settings(), with_reports=False)
        gate = asyncio.Semaphore(CONCURRENCY)
        failed = 0
        handled = 0

        async def walk(user: str, texts: Sequence[str], tag: str) -> None:
            nonlocal failed, handled
            async with gate:
                for i, said in enumerate(texts):
                    inbound = Inbound(
                        "telegram", user, user, f"{user}-{tag}{i}", text=said, display_name=user
                    )
                    replies = await app.service.handle(inbound)
                    handled += 1
                    failed += any(r.text in failures for r in replies)

        try:
            await asyncio.gather(
                *(walk(u, [t.format(n=u) for t in ONBOARDING], "o") for u in users)
            )
            failed = handled = 0
            cycles = [said for n in range(CYCLES) for said in _cycle(n)]
            await asyncio.to_thread(barrier.wait, START_TIMEOUT_S)
            started, cpu = time.time(), time.process_time()
            await asyncio.gather(*(walk(u, cycles, "c") for u in users))
            ended, cpu = time.time(), time.process_time() - cpu
        finally:
            await app.close()
    return {
        "started": started,
        "ended": ended,
        "cpu": cpu,
        "handled": handled,
        "failed": failed,
    }


def _worker(url: str, users: Sequence[str], barrier: Barrier, out: Queue[Any]) -> None:
    try:
        out.put(asyncio.run(_serve(url, users, barrier)))
    except BaseException as exc:
        barrier.abort()
        out.put({"error": f"{type(exc).__name__}: {exc}"})


def one_round(url: str, workers: int, label: str) -> dict[str, float]:
    """Updates per second of `workers` processes sharing `USERS` new users."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers)
    out = context.Queue()
    users = [f"{label}-{n}" for n in range(USERS)]
    processes = [
        context.Process(target=_worker, args=(url, users[w::workers], barrier, out))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=START_TIMEOUT_S * 2) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError("; ".join(errors))
    handled = sum(r["handled"] for r in results)
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {
        "rate": handled / wall,
        "handled": handled,
        "failed": sum(r["failed"] for r in results),
        "cpu_ms": 1000 * sum(r["cpu"] for r in results) / handled,
        "wall": wall,
    }


async def _scratch(server_url: str, name: str, *, create: bool) -> None:
    admin = postgres_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            if create:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def _migrate(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.close()


def run(server_url: str) -> dict[str, Any]:
    name = f"dvht_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_scratch(server_url, name, create=True))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    rates: dict[int, list[float]] = {n: [] for n in WORKER_COUNTS}
    cpu: dict[int, list[float]] = {n: [] for n in WORKER_COUNTS}
    failed = 0
    try:
        asyncio.run(_migrate(url))
        for round_ in range(ROUNDS):
            for workers in WORKER_COUNTS:
                found = one_round(url, workers, f"r{round_}w{workers}")
                rates[workers].append(found["rate"])
                cpu[workers].append(found["cpu_ms"])
                failed += int(found["failed"])
    finally:
        asyncio.run(_scratch(server_url, name, create=False))
    one, two = (statistics.median(rates[n]) for n in WORKER_COUNTS)
    return {
        "one": one,
        "two": two,
        "ratio": two / one,
        "rates": rates,
        "cpu_ms": {n: statistics.median(cpu[n]) for n in WORKER_COUNTS},
        "failed": failed,
    }


def main() -> None:
    http_main()
    service_main()


def service_main() -> None:
    print("== conversation service on PostgreSQL: two worker processes against one ==")
    server = os.environ.get("DVHT_BENCH_DATABASE_URL") or os.environ.get("DVHT_TEST_DATABASE_URL")
    if not server:
        print("Not measured (set DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL)")
        return
    before = os.getloadavg()[0]
    try:
        found = run(server)
    except OSError as exc:
        print(f"Not measured, server unreachable ({exc})")
        return
    rounds = "; ".join(
        f"{n} worker{'s' if n > 1 else ''}: " + ", ".join(f"{r:,.0f}" for r in found["rates"][n])
        for n in WORKER_COUNTS
    )
    print(
        f"{USERS} users × {CYCLES} answer cycles ({USERS * CYCLES * 5:,} updates) per round, "
        f"{CONCURRENCY} users at once per worker: 1 worker {found['one']:,.0f} updates/s, "
        f"2 workers {found['two']:,.0f} updates/s = {found['ratio']:.2f}× (goal ≥ 1.5×; "
        f"rounds {rounds}); updates not applied: {found['failed']}"
    )
    cpu = found["cpu_ms"]
    # Two workers can only gain what the two cores have to spare: the load average says how
    # much other work the machine had (CPU per update unchanged and no gain means none).
    print(
        f"Worker CPU per update (the server's not counted): 1 worker {cpu[1]:.2f} ms, "
        f"2 workers {cpu[2]:.2f} ms; load average before {before:.2f}, after "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()


# --- the real `dvht serve` over HTTP ------------------------------------------------------------
# `dvht serve` in Telegram webhook mode with DVHT_WORKERS=1 and then 2 (alternating, three rounds,
# each on new users), the load generator and fake Bot API of `bench.telegram_bench` in this
# process: HTTP_USERS users post their updates in order (the next once the first reply came),
# each connection accepted by whichever process takes it. Every user creates a unit first (not
# timed, and on connections of its own, so the timed phase's connections are opened once both
# processes serve); then HTTP_CYCLES answer cycles are timed. Besides the rates, where the CPU
# went per update: the dvht processes (main and worker), the PostgreSQL server's processes and
# this process (load generator and fake Bot API), since on a 2-core machine their sum bounds
# what a second worker can add.

HTTP_USERS = 50
HTTP_CYCLES = 15
"""Answer cycles per user, four updates each: 3,000 timed updates per round."""
SERVING = "serving: telegram"


def _postgres_cpu_s(database: str) -> float:
    """CPU seconds of the PostgreSQL server processes serving `database` (their command line
    names it: "postgres: [cluster:] user database host(port) state"), on this machine (Linux
    /proc). The server's shared processes (WAL writer, checkpointer) are left out: other
    databases on the same server (other test runs) keep them busy too."""
    from bench.telegram_bench import _cpu_seconds

    total = 0.0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().replace(b"\0", b" ").split()
            if words[:1] == [b"postgres:"] and database.encode() in words[1:4]:
                total += _cpu_seconds(int(cmdline.parent.name))
        except (OSError, IndexError):  # gone meanwhile
            continue
    return total


def _runqueue_wait_s(pid: int) -> float:
    """Seconds `pid` (all its threads) was ready to run but waited for a CPU (Linux schedstat):
    the time other processes on the machine took from it."""
    total = 0.0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
    return total


def _pids(log: Path, main_pid: int, workers: int, deadline: float) -> list[int]:
    """The main process and its workers' pids, once every worker serves."""
    import re

    while True:
        found = re.findall(r"worker \d+ \(pid (\d+)\) serving", log.read_text(errors="replace"))
        if len(found) >= workers - 1:
            return [main_pid, *map(int, found)]
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.2)


async def _post_all(
    api: Any, port: int, scripts: dict[int, list[str]], update_ids: Iterator[int]
) -> tuple[float, list[float]]:
    """Post every user's updates in order, each once the one before was answered (its first
    sendMessage); the wall time and each update's latency. New connections: opened while
    every process serves. Update ids never repeat (the bot would drop a repeat as a replay)."""
    import json

    from aiohttp import ClientSession

    from bench import telegram_bench as tb

    url = f"http://127.0.0.1:{port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": tb.SECRET, "Content-Type": "application/json"}
    latencies: list[float] = []

    async def user_loop(session: ClientSession, user: int, texts: list[str]) -> None:
        queue = api.replies[user]
        for said in texts:
            while not queue.empty():
                queue.get_nowait()  # later replies of the previous update
            posted = time.perf_counter()
            body = json.dumps(tb._update(next(update_ids), user, said))
            async with session.post(url, data=body, headers=headers) as response:
                if response.status != 200:
                    raise RuntimeError(f"webhook answered {response.status}")
                await api.take_webhook_reply(response)
            latencies.append(await asyncio.wait_for(queue.get(), timeout=120) - posted)

    started = time.perf_counter()
    async with ClientSession() as session:
        await asyncio.gather(*(user_loop(session, user, texts) for user, texts in scripts.items()))
    return time.perf_counter() - started, latencies


async def _http_round(url: str, workers: int, first_user: int) -> dict[str, float]:
    from aiohttp import web

    from bench import telegram_bench as tb

    database = str(make_url(url).database)
    api = tb.FakeBotApi()
    site = web.Application()
    site.router.add_post("/bot{token}/{method}", api.handle)
    runner = web.AppRunner(site, access_log=None)
    await runner.setup()
    api_port, hook_port = tb._free_port(), tb._free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    users = range(first_user, first_user + HTTP_USERS)
    onboarding = {u: [t.replace("Bench", f"Bench {u}") for t in tb.ONBOARDING] for u in users}
    cycles = {u: [tb.CYCLE[i % 4] for i in range(HTTP_CYCLES * 4)] for u in users}
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(tb.DVHT), "serve"],
                env={
                    **{k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
                    "DATABASE_URL": url,
                    "DVHT_WORKERS": str(workers),
                    "DVHT_DATA_DIR": folder,
                    "DVHT_HTTP_HOST": "127.0.0.1",
                    "DVHT_HTTP_PORT": str(hook_port),
                    "TELEGRAM_BOT_TOKEN": tb.TOKEN,
                    "TELEGRAM_API_URL": f"http://127.0.0.1:{api_port}",
                    "TELEGRAM_WEBHOOK_URL": "https://bench.test/telegram/webhook",
                    "TELEGRAM_WEBHOOK_SECRET": tb.SECRET,
                },
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            await asyncio.wait_for(api.webhook_set.wait(), timeout=START_TIMEOUT_S)
            deadline = time.monotonic() + START_TIMEOUT_S
            pids = await asyncio.to_thread(_pids, log, process.pid, workers, deadline)
            update_ids = iter(range(first_user * 1_000, 10**12))
            await _post_all(api, hook_port, onboarding, update_ids)
            cpus = [tb._cpu_seconds(pid) for pid in pids]
            waited = sum(_runqueue_wait_s(pid) for pid in pids)
            server, driver = _postgres_cpu_s(database), time.process_time()
            wall, latencies = await _post_all(api, hook_port, cycles, update_ids)
            cpus = [tb._cpu_seconds(pid) - cpu for pid, cpu in zip(pids, cpus, strict=True)]
            waited = sum(_runqueue_wait_s(pid) for pid in pids) - waited
            cpu = sum(cpus)
            server, driver = _postgres_cpu_s(database) - server, time.process_time() - driver
        finally:
            process.terminate()
            process.wait(timeout=60)
            await runner.cleanup()
    timed = HTTP_USERS * HTTP_CYCLES * 4
    return {
        "rate": timed / wall,
        "p50": statistics.median(latencies) * 1000,
        "p99": sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000,
        "dvht_ms": cpu / timed * 1000,
        "postgres_ms": max(0.0, server) / timed * 1000,  # a backend that exited took its CPU
        "driver_ms": driver / timed * 1000,
        "wall": wall,
        "busiest": max(cpus) / cpu if cpu else 1.0,
        "waited_ms": waited / timed * 1000,
    }


def http_run(server_url: str) -> dict[int, list[dict[str, float]]]:
    name = f"dvht_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_scratch(server_url, name, create=True))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    found: dict[int, list[dict[str, float]]] = {n: [] for n in WORKER_COUNTS}
    try:
        asyncio.run(_migrate(url))
        for round_ in range(ROUNDS):
            for workers in WORKER_COUNTS:
                first = 200_000 + (round_ * len(WORKER_COUNTS) + workers) * 1_000
                found[workers].append(asyncio.run(_http_round(url, workers, first)))
    finally:
        asyncio.run(_scratch(server_url, name, create=False))
    return found


def http_main() -> None:
    print("== dvht serve over HTTP on PostgreSQL (Telegram webhook): DVHT_WORKERS=2 against 1 ==")
    server = os.environ.get("DVHT_BENCH_DATABASE_URL") or os.environ.get("DVHT_TEST_DATABASE_URL")
    if not server:
        print("Not measured (set DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL)")
        return
    before = os.getloadavg()[0]
    try:
        found = http_run(server)
    except OSError as exc:
        print(f"Not measured, server unreachable ({exc})")
        return
    for round_ in range(ROUNDS):
        for workers in WORKER_COUNTS:
            f = found[workers][round_]
            print(
                f"round {round_ + 1}, {workers} worker{'s' if workers > 1 else ''}: "
                f"{f['rate']:,.0f} updates/s, p50 {f['p50']:.1f} ms, p99 {f['p99']:.1f} ms; "
                f"CPU per update: dvht {f['dvht_ms']:.2f} ms, PostgreSQL "
                f"{f['postgres_ms']:.2f} ms, load generator and fake Bot API "
                f"{f['driver_ms']:.2f} ms; dvht waited {f['waited_ms']:.2f} ms per update "
                "for a CPU other processes held"
                + (f"; busiest process {f['busiest']:.0%} of dvht's CPU" if workers > 1 else "")
            )
    one, two = (statistics.median(f["rate"] for f in found[n]) for n in WORKER_COUNTS)
    ratios = [b["rate"] / a["rate"] for a, b in zip(found[1], found[2], strict=True)]
    print(
        f"{HTTP_USERS} users × {HTTP_CYCLES * 4} timed updates per round: 1 worker {one:,.0f} "
        f"updates/s, 2 workers {two:,.0f} updates/s = {two / one:.2f}× (goal ≥ 1.5×; rounds "
        f"{', '.join(f'{r:.2f}' for r in ratios)})"
    )
    # What a second worker can add is what the machine has left: with one worker, the CPU
    # of one update (ours, the server's, the load generator's) times the rate is the cores
    # already busy.
    per_update = statistics.median(
        f["dvht_ms"] + f["postgres_ms"] + f["driver_ms"] for f in found[1]
    )
    cores = os.cpu_count() or 1
    print(
        f"1 worker: {per_update:.2f} ms CPU per update in all = {one * per_update / 1000:.2f} "
        f"of {cores} cores busy, so at most {cores * 1000 / per_update:,.0f} updates/s "
        f"({cores * 1000 / per_update / one:.2f}× one worker) if nothing else ran on this "
        f"machine beside the load generator; load average before {before:.2f}, after "
        f"{os.getloadavg()[0]:.2f}"
    )
