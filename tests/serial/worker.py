"""One backend process for the serialisation tests, started with multiprocessing's spawn
context: it builds the real service (`bot.wiring.build_app`) on the database at `url` and
sends its side of each phase (`tests.serial.script`), every user's updates of a phase as one
task per user in order, waiting at the barrier between phases for the other process.

It puts one result on `out`: the replies' texts by update id, or the traceback of what broke.
"""

from __future__ import annotations

import asyncio
import os
import traceback
from collections.abc import Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from tests.serial.script import Phase, Update

BARRIER_TIMEOUT_S = 120.0


async def _run(
    url: str, data_dir: str, side: int, phases: Sequence[Phase], barrier: Barrier
) -> dict[str, list[str]]:
    os.environ["DATABASE_URL"] = url
    os.environ["DVHT_DATA_DIR"] = data_dir
    from bot.settings import Settings
    from bot.wiring import build_app
    from conversations.messages import Inbound

    app = await build_app(Settings(), with_reports=False)
    replies: dict[str, list[str]] = {}

    async def one_user(updates: list[Update]) -> None:
        for update in updates:
            inbound = Inbound(
                "telegram",
                update.user_id,
                update.user_id,
                update.update_id,
                text=update.text,
                display_name=f"Cán bộ {update.user_id}",
            )
            out = await app.service.handle(inbound)
            replies[update.update_id] = [r.text for r in out]

    try:
        for phase in phases:
            await asyncio.to_thread(barrier.wait, BARRIER_TIMEOUT_S)
            by_user: dict[str, list[Update]] = {}
            for update in phase[side]:
                by_user.setdefault(update.user_id, []).append(update)
            await asyncio.gather(*(one_user(u) for u in by_user.values()))
    finally:
        await app.close()
    return replies


def serve(
    url: str,
    data_dir: str,
    side: int,
    phases: Sequence[Phase],
    barrier: Barrier,
    out: Queue[Any],
) -> None:
    try:
        out.put({"side": side, "replies": asyncio.run(_run(url, data_dir, side, phases, barrier))})
    except BaseException:
        barrier.abort()  # the other process must not wait for this one
        out.put({"side": side, "error": traceback.format_exc()})
