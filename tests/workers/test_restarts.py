"""A worker that keeps dying is restarted a bounded number of times, then the service stops
with one line (`bot.workers.Workers.watch`, real spawned processes on a real socket)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.workers import Workers
from cli import text
from tests.workers.dying import die
from web.server import open_socket


async def test_a_worker_dying_again_and_again_stops_the_service(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.workers")
    sock = open_socket("127.0.0.1", 0)
    settings = Settings(DVHT_DATA_DIR=tmp_path)  # type: ignore[call-arg]
    workers = Workers(settings, sock, 1, max_restarts=2, window_s=600, target=die)
    stop = asyncio.Event()
    try:
        workers.start()
        await asyncio.wait_for(workers.watch(stop), 300)
    finally:
        await workers.stop()
        sock.close()
    assert stop.is_set()
    failure = workers.failure
    assert failure is not None
    assert failure.reason == "workers_failing"
    exits = [r for r in caplog.records if "exited with status 3" in r.getMessage()]
    assert len(exits) == 3  # the first death and two restarts, then no more
    started = [r for r in caplog.records if r.getMessage().startswith("worker 1 started")]
    assert len(started) == 3
    assert workers.processes == {}
    line = text.serve_failure(failure.reason, failure.details)
    assert line == (
        "các tiến trình phụ (DVHT_WORKERS) dừng liên tục (2 lần khởi động lại trong 600 giây) "
        "nên dvht serve dừng; xem nhật ký phía trên để biết lý do."
    )
