"""Issue 14 benchmark: the conversation service in two worker processes on PostgreSQL against
one, in the same run.

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
import tempfile
import time
import uuid
from collections.abc import Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
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
