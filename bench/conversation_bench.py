"""Issue 4 benchmark: the conversation service on SQLite, messages handled in sequence.

Goal: at least 1,000 answer messages per second on one core, p99 at most 10 ms per message,
channel I/O excluded. An official's cycle is four messages — “sửa 2.1” (jump to an indicator),
a count (the answer, stored), “bổ sung sau”, “không mô tả” — and every message is timed; the
answer messages are also reported on their own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from conversations import catalogue as say
from conversations.messages import Inbound
from conversations.service import ConversationService
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.migrate import upgrade

CYCLES = 750
CLOCK = dt.datetime(2025, 11, 20, 2, 0, tzinfo=dt.UTC)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        await upgrade(database)
        service = ConversationService(SqlDialogueStore(database), clock=lambda: CLOCK)
        update = 0

        async def send(text: str | None = None, button: str | None = None) -> float:
            nonlocal update
            update += 1
            message = Inbound(
                "console",
                "bench",
                "bench",
                str(update),
                text=text,
                button=button,
                display_name="Bench",
            )
            started = time.perf_counter()
            replies = await service.handle(message)
            elapsed = time.perf_counter() - started
            assert replies, (text, button)
            failed = [
                r.text
                for r in replies
                if r.text
                in (say.INTERNAL_ERROR, say.STORAGE_DOWN, say.STORAGE_BUSY, say.STORAGE_FULL)
            ]
            assert not failed, (text, button, failed)  # a fast failure is not a handled message
            return elapsed

        for text in ("/start", "1", "UBND xã Bench", "Huế", "1", "30"):
            await send(text)
        all_times: list[float] = []
        answer_times: list[float] = []
        started = time.perf_counter()
        for cycle in range(CYCLES):
            all_times.append(await send("sửa 2.1"))
            answer = await send(str(20 + cycle % 11))
            answer_times.append(answer)
            all_times.append(answer)
            all_times.append(await send("bổ sung sau"))
            all_times.append(await send("không mô tả"))
        wall = time.perf_counter() - started
        await database.close()
    return {
        "messages": len(all_times),
        "rate": len(all_times) / wall,
        "p50": statistics.median(all_times) * 1000,
        "p99": _percentile(all_times, 0.99) * 1000,
        "answer_rate": 1 / statistics.mean(answer_times),
        "answer_p50": statistics.median(answer_times) * 1000,
        "answer_p99": _percentile(answer_times, 0.99) * 1000,
    }


def main() -> None:
    figures = asyncio.run(run())
    print("== conversation service on SQLite, in sequence ==")
    print(
        f"all messages ({figures['messages']:,.0f}): {figures['rate']:,.0f} msg/s, "
        f"p50 {figures['p50']:.2f} ms, p99 {figures['p99']:.2f} ms"
    )
    print(
        f"answer messages: {figures['answer_rate']:,.0f} msg/s, p50 {figures['answer_p50']:.2f} "
        f"ms, p99 {figures['answer_p99']:.2f} ms  (goal ≥ 1,000/s, p99 ≤ 10 ms)"
    )


if __name__ == "__main__":
    main()
