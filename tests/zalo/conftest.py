"""Fixtures of the Zalo tests: the fake Zalo Bot API over real HTTP, report links served by a
real local HTTP server, and the channel built on the real conversation service and a real
SQLite database (the embedded default under a temporary DVHT_DATA_DIR)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiohttp import web
from fastapi import FastAPI

from bot.settings import Settings
from bot.wiring import App, build_app
from bot.zalo.channel import ZaloChannel, build_zalo
from bot.zalo.client import ZaloClient
from conversations.messages import Attachment
from conversations.ports import ReportLink
from tests import evidence_samples
from tests.zalo.fake_zalo_api import TOKEN, FakeZaloApi

SECRET = "webhook-secret-0123456789"


@pytest.fixture
def api() -> Iterator[FakeZaloApi]:
    with FakeZaloApi() as fake:
        yield fake


class ServedLinks:
    """`ReportLinks` for the tests: each file is served at a random path of a real local HTTP
    server (the signed links of the backend are Part C's, and tested there)."""

    def __init__(self) -> None:
        self.files: dict[str, Attachment] = {}
        self.runner: web.AppRunner | None = None
        self.port = 0
        self.fail = False

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/r/{key}", self._serve)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _serve(self, request: web.Request) -> web.Response:
        found = self.files.get(request.match_info["key"])
        if found is None:
            return web.Response(status=403)
        return web.Response(body=found.data, content_type=found.mime_type)

    async def link(self, file: Attachment) -> ReportLink:
        if self.fail:
            raise OSError("disk full")
        key = hashlib.sha256(file.data).hexdigest()[:32]
        self.files[key] = file
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
        return ReportLink(f"http://127.0.0.1:{self.port}/r/{key}", expires)


@pytest.fixture
async def links() -> AsyncIterator[ServedLinks]:
    served = ServedLinks()
    await served.start()
    yield served
    await served.stop()


@dataclass
class Previews:
    """The injected page-1 renderer (Part C's reports.preview in the real process)."""

    made: list[int] = field(default_factory=list)
    broken: bool = False

    def __call__(self, pdf: bytes) -> bytes:
        if self.broken:
            raise RuntimeError("pdfium could not open the file")
        assert pdf.startswith(b"%PDF")
        self.made.append(len(pdf))
        return evidence_samples.png()


@pytest.fixture
def previews() -> Previews:
    return Previews()


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Running:
    app: App
    channel: ZaloChannel
    settings: Settings
    stop: asyncio.Event
    data_dir: Path
    webhook_port: int | None = None


Builder = Callable[..., contextlib.AbstractAsyncContextManager[Running]]


@pytest.fixture
def zalo(
    api: FakeZaloApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    links: ServedLinks,
    previews: Previews,
) -> Builder:
    """`async with zalo(webhook=False) as running:` the channel started and running (polling,
    or webhook mode behind a real uvicorn server on a random port)."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZALO_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ZALO_API_URL", api.url)

    @contextlib.asynccontextmanager
    async def running(*, webhook: bool = False) -> AsyncIterator[Running]:
        sock = free_socket() if webhook else None
        port = sock.getsockname()[1] if sock is not None else None
        if webhook:
            monkeypatch.setenv("ZALO_WEBHOOK_URL", f"http://127.0.0.1:{port}/zalo/webhook")
            monkeypatch.setenv("ZALO_WEBHOOK_SECRET", SECRET)
        settings = Settings()
        app = await build_app(settings)
        client = ZaloClient(TOKEN, api.url, backoff_s=0.01, max_backoff_s=0.05)
        channel = await build_zalo(settings, app, links, previews, client=client, poll_timeout=1)
        stop = asyncio.Event()
        server: uvicorn.Server | None = None
        serving: asyncio.Task[None] | None = None
        if sock is not None:
            backend = FastAPI()
            for router in channel.routers:
                backend.include_router(router)
            config = uvicorn.Config(backend, log_level="warning", lifespan="off")
            server = uvicorn.Server(config)
            serving = asyncio.create_task(server.serve(sockets=[sock]))
            while not server.started:
                await asyncio.sleep(0.02)
        await channel.start()
        task = asyncio.create_task(channel.run(stop))
        try:
            yield Running(app, channel, settings, stop, tmp_path, port)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)
            if server is not None and serving is not None:
                server.should_exit = True
                await asyncio.wait_for(serving, timeout=30)
            await channel.close()
            await app.close()
            if sock is not None:
                sock.close()

    return running


async def download(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url)
