"""The backend on uvicorn, inside the event loop the channels already run in.

The listening socket is opened here, before uvicorn starts, so a busy port is one exception
(`PortUnavailable`, which `bot.serve` turns into the operator's line) rather than uvicorn's
log line and `sys.exit`; and so several worker processes share one socket opened once by the
main process and handed to each as they are spawned (`Backend(app, sock)` in each, see
`bot.workers`). Signals stay with the caller: uvicorn would
install its own handlers and raise the signal again once stopped, killing the process before
the channels have closed.

No access log: aiogram already logs each update with its duration, and a second line per
webhook request cost about 3% of the bot's time in the webhook benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from web.limits import RequestLimits
from web.protocol import guarded_protocol

log = logging.getLogger(__name__)
BACKLOG = 2048


class PortUnavailable(Exception):
    """The backend's address could not be opened (taken, not this machine's, no permission)."""

    def __init__(self, host: str, port: int, description: str) -> None:
        super().__init__(f"{host}:{port}: {description}")
        self.host = host
        self.port = port
        self.description = description


def open_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free one); `PortUnavailable` else."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as error:
        raise PortUnavailable(host, port, _reason(error)) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError as error:
        sock.close()
        raise PortUnavailable(host, port, _reason(error)) from None
    return sock


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


class _Server(uvicorn.Server):
    """uvicorn's server without its signal handling, telling when it accepts requests."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


class Backend:
    """One app served on one socket until `stop`."""

    def __init__(
        self, app: FastAPI, sock: socket.socket, limits: RequestLimits | None = None
    ) -> None:
        limits = limits or RequestLimits()
        config = uvicorn.Config(
            app,
            http=guarded_protocol(limits),
            ws="none",
            lifespan="off",
            log_config=None,  # uvicorn's loggers go to the root's (redacting) handlers
            access_log=False,
            server_header=False,
            timeout_keep_alive=max(1, round(limits.header_timeout_s)),
            timeout_graceful_shutdown=max(1, round(limits.graceful_shutdown_s)),
            h11_max_incomplete_event_size=limits.max_header_bytes,
        )
        self.server = _Server(config)
        self.sock = sock
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    async def start(self) -> None:
        """Serving when it returns."""
        self._task = asyncio.create_task(self.server.serve(sockets=[self.sock]), name="dvht-http")
        ready = asyncio.create_task(self.server.ready.wait())
        await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            await self._task  # raises what stopped it
            raise RuntimeError("the HTTP backend stopped while starting")
        log.info("HTTP backend on %s", _shown(self.sock))

    async def stop(self) -> None:
        """Stop accepting, let running requests finish (bounded), close the socket."""
        if self._task is None:
            self.sock.close()
            return
        self.server.should_exit = True
        try:
            await self._task
        finally:
            self._task = None
            self.sock.close()


def _shown(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
