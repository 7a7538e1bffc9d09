"""Several backend processes on one socket (DVHT_WORKERS, issue 14 item 6).

`dvht serve` opens the listening socket once; with DVHT_WORKERS = N > 1 it then starts N-1
worker processes (multiprocessing's spawn context: a fresh interpreter, no state inherited from
the main process's event loop) and hands each a duplicate of that socket, as uvicorn's own
multiprocess mode does. The kernel gives each new connection to whichever process accepts it
first, so every process answers webhooks, report links, /healthz and /metrics.

A worker builds the app and the webhook channels only: no long polling, no setWebhook (the
main process registered it once), no reminder dispatcher, no links cleanup. Those run once per
deployment, in the main process, which also serves the socket. Two processes may then get
updates of one user at the same moment; `storage.serial` (a transaction-scoped advisory lock
per user on PostgreSQL) applies them one after the other. SQLite has one writer, hence the
refusal there (`check_workers`).

The main process watches its workers: one that dies is logged and started again, at most
`MAX_RESTARTS` times in `RESTART_WINDOW_S`; beyond that the service stops with one line
(`StartupFailure("workers_failing")`), since a worker that dies at once would otherwise be
restarted forever. SIGINT or SIGTERM to the main process sends SIGTERM to every worker, which
stops accepting, finishes its requests in flight (the backend's graceful shutdown) and exits 0.

With several processes the Prometheus metrics live in files, one set per process, under
DVHT_DATA_DIR/prometheus (`use_metrics_directory`, emptied at each start): /metrics sums them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from bot.startup import StartupFailure

if TYPE_CHECKING:
    from bot.channels import RunningChannel
    from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0
"""At most `MAX_RESTARTS` restarts in this long: a sixth stops the service."""
WATCH_EVERY_S = 0.5
"""How often the main process looks for a worker that exited (and a worker for its parent)."""
STOP_GRACE_S = 30.0
"""How long a worker may take to stop after SIGTERM (the backend's graceful shutdown of 10 s,
closing the database and the channels' HTTP sessions) before it is killed."""
METRICS_DIRECTORY = "prometheus"


def check_workers(settings: Settings) -> None:
    """DVHT_WORKERS > 1 only where it can work: on PostgreSQL, with a backend to serve."""
    if settings.workers <= 1:
        return
    from storage.db import is_sqlite

    if is_sqlite(settings.database()):
        raise StartupFailure("workers_sqlite")
    if not settings.needs_backend():
        raise StartupFailure("workers_no_backend")


def use_metrics_directory(data_dir: Path) -> Path:
    """Prometheus multiprocess mode for this process and every worker it starts (they inherit
    the environment): a fresh directory, since files left by an earlier run would be summed
    into this run's counts. It must be set before prometheus_client is first imported, which
    chooses then where the values live: `bot.serve` calls this before anything imports it."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its multiprocess directory")
    directory = data_dir / METRICS_DIRECTORY
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


class Workers:
    """The worker processes of one `dvht serve`, each serving `sock`."""

    def __init__(
        self,
        settings: Settings,
        sock: socket.socket,
        count: int,
        *,
        max_restarts: int = MAX_RESTARTS,
        window_s: float = RESTART_WINDOW_S,
        target: Callable[[Settings, socket.socket, int], None] | None = None,
    ) -> None:
        """`target`: what each worker process runs (tests give one that fails)."""
        self.settings = settings
        self.sock = sock
        self.count = count
        self.max_restarts = max_restarts
        self.window_s = window_s
        self.target = target or worker_process
        self.context = multiprocessing.get_context("spawn")
        self.processes: dict[int, BaseProcess] = {}
        """By worker number (1..count; the main process is worker 0)."""
        self.failure: StartupFailure | None = None
        """Set when the workers kept dying; the service then stops and raises it."""
        self._restarts: deque[float] = deque()
        self._stopping = False

    def start(self) -> None:
        for number in range(1, self.count + 1):
            self._spawn(number)

    def _spawn(self, number: int) -> None:
        process = self.context.Process(
            target=self.target,
            args=(self.settings, self.sock, number),
            name=f"dvht-worker-{number}",
        )
        process.start()
        self.processes[number] = process
        log.info("worker %d started (pid %s)", number, process.pid)

    async def watch(self, stop: asyncio.Event) -> None:
        """Restart a worker that exited, until `stop`; when they die too often, record the
        failure and set `stop` (the caller raises `failure` once everything has closed)."""
        while not stop.is_set() and not self._stopping:
            for number, process in list(self.processes.items()):
                if process.exitcode is None or self._stopping:
                    continue
                status = process.exitcode
                log.error("worker %d (pid %s) exited with status %s", number, process.pid, status)
                _forget(process)
                del self.processes[number]
                if not self._may_restart():
                    self.failure = StartupFailure(
                        "workers_failing",
                        restarts=str(self.max_restarts),
                        seconds=str(round(self.window_s)),
                    )
                    log.error("workers keep exiting: the service stops")
                    stop.set()
                    return
                self._spawn(number)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), WATCH_EVERY_S)

    def _may_restart(self) -> bool:
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > self.window_s:
            self._restarts.popleft()
        if len(self._restarts) >= self.max_restarts:
            return False
        self._restarts.append(now)
        return True

    def terminate(self) -> None:
        """SIGTERM to every worker: each stops accepting and finishes what it is answering."""
        self._stopping = True
        for process in self.processes.values():
            if process.exitcode is None:
                process.terminate()

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Terminate, wait for the workers to exit, kill the ones still there after `grace_s`."""
        self.terminate()
        deadline = time.monotonic() + grace_s
        for number, process in self.processes.items():
            await asyncio.to_thread(process.join, max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                log.error("worker %d (pid %s) did not stop in time: killed", number, process.pid)
                process.kill()
                await asyncio.to_thread(process.join, 10)
            elif process.exitcode != 0:
                log.warning("worker %d exited with status %s", number, process.exitcode)
            _forget(process)
        self.processes.clear()


def _forget(process: BaseProcess) -> None:
    """A dead worker's live gauges leave the sums (its counters stay: they were counted)."""
    if process.pid is None or not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(process.pid)  # type: ignore[no-untyped-call]


# --- in the worker process ---------------------------------------------------------------------


def worker_process(settings: Settings, sock: socket.socket, number: int) -> None:
    """A worker's whole life (the spawned process's target): the same output as the main
    process (redacted before anything else runs), then the backend until SIGTERM or SIGINT."""
    from bot.serving import configure_output

    configure_output(settings)
    # Until the event loop takes them over (and while starting there is nothing in flight),
    # SIGTERM stops the worker as SIGINT does; a Ctrl-C reaches the whole process group.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        asyncio.run(_serve(settings, sock, number))
    except KeyboardInterrupt:  # stopped while starting, or a second Ctrl-C while stopping
        pass
    except BaseException:
        log.exception("worker %d stopped on an error", number)
        sys.exit(1)


async def _serve(settings: Settings, sock: socket.socket, number: int) -> None:
    from bot.serving import (
        close_all,
        on_signals,
        report_links,
        start_backend,
        tune_garbage_collector,
    )
    from bot.wiring import build_app

    app = await build_app(settings, keep_replies=False)
    closers = [app.close]
    stop = asyncio.Event()
    restore = on_signals(stop.set)
    backend = None
    try:
        links, link_routers, preview = report_links(settings)
        if app.dossiers is not None:  # /hoso answered by this worker: links as in the main one
            app.dossiers.links = links
        channels: list[RunningChannel] = []
        telegram = settings.telegram_token()
        if telegram is not None and settings.webhook_mode():
            from bot.wiring import running_telegram

            channels.append(running_telegram(settings, telegram, app))
            closers.insert(0, channels[-1].close)
        if settings.zalo_token() is not None and settings.zalo_webhook_mode():
            from bot.zalo.channel import build_zalo

            assert links is not None  # always built when a socket is served
            channels.append(await build_zalo(settings, app, links, preview))
            closers.insert(0, channels[-1].close)
        tune_garbage_collector()
        backend = await start_backend(app, sock, channels, link_routers, settings)
        log.info(
            "worker %d (pid %d) serving: %s",
            number,
            os.getpid(),
            ", ".join(c.name for c in channels) or "report links",
        )
        parent = asyncio.create_task(_orphaned(stop), name="parent-watch")
        await stop.wait()
        parent.cancel()
    finally:
        if backend is not None:
            await backend.stop()
        await close_all(*closers)
        restore()
        # Stopped: the main process's SIGTERM may come after the group's SIGINT, and must not
        # turn this clean exit into a death by signal.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    log.info("worker %d (pid %d) stopped", number, os.getpid())


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


async def _orphaned(stop: asyncio.Event) -> None:
    """Stop when the main process is gone (killed, so it could not stop us): a worker left
    alone would go on answering on the socket with no dispatcher and nobody to restart it."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(WATCH_EVERY_S * 2)
    log.error("the main dvht serve process is gone: this worker stops")
    stop.set()
