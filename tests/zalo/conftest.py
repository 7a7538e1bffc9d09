"""Fixtures of the Zalo tests: the fake Zalo Bot API over real HTTP, report links served by a
real local HTTP server, and the channel built on the real conversation service and a real
SQLite database (the embedded default under a temporary DVHT_DATA_DIR)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from bot.settings import Settings
from bot.wiring import App, build_app
from bot.zalo.channel import ZaloChannel, build_zalo
from bot.zalo.client import ZaloClient
from conversations.messages import Attachment
from conversations.ports import ReportLink
from reports.preview import PreviewError, first_page_png
from tests.zalo.fake_zalo_api import TOKEN, FakeZaloApi
from web.links import SignedLinks
from web.report_routes import report_routes

SECRET = "webhook-secret-0123456789"


@pytest.fixture
def api() -> Iterator[FakeZaloApi]:
    with FakeZaloApi() as fake:
        yield fake


class Links:
    """The backend's real signed links (`web.links.SignedLinks`, served by
    `web.report_routes` on the test's backend), with a switch to make linking fail."""

    def __init__(self, real: SignedLinks) -> None:
        self.real = real
        self.fail = False

    async def link(self, file: Attachment) -> ReportLink:
        if self.fail:
            raise OSError("No space left on device")
        return await self.real.link(file)


@pytest.fixture
def backend_socket() -> Iterator[socket.socket]:
    """The backend's port, bound before anything needs its address (links, the webhook)."""
    sock = free_socket()
    yield sock
    sock.close()


@pytest.fixture
def links(backend_socket: socket.socket, tmp_path: Path) -> Links:
    port = backend_socket.getsockname()[1]
    real = SignedLinks(
        secret=b"zalo-test-secret-key-0123456789abcdef",
        base_url=f"http://127.0.0.1:{port}",
        directory=tmp_path / "links",
        ttl=dt.timedelta(days=7),
    )
    return Links(real)


@dataclass
class Previews:
    """The page-1 renderer the process injects (`reports.preview.first_page_png`), counted,
    with a switch to make it fail."""

    made: list[int] = field(default_factory=list)
    broken: bool = False

    def __call__(self, pdf: bytes) -> bytes:
        if self.broken:
            raise PreviewError("PDFium could not open the file")
        png = first_page_png(pdf, width_px=400)
        self.made.append(len(png))
        return png


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
    links: Links,
    previews: Previews,
    backend_socket: socket.socket,
) -> Builder:
    """`async with zalo(webhook=False) as running:` the channel started and running, polling
    or in webhook mode, beside a real uvicorn backend on a random port serving the report links
    (and the webhook)."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZALO_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ZALO_API_URL", api.url)

    @contextlib.asynccontextmanager
    async def running(*, webhook: bool = False) -> AsyncIterator[Running]:
        port = backend_socket.getsockname()[1]
        if webhook:
            monkeypatch.setenv("ZALO_WEBHOOK_URL", f"http://127.0.0.1:{port}/zalo/webhook")
            monkeypatch.setenv("ZALO_WEBHOOK_SECRET", SECRET)
        settings = Settings()
        app = await build_app(settings)
        client = ZaloClient(TOKEN, api.url, backoff_s=0.01, max_backoff_s=0.05)
        channel = await build_zalo(settings, app, links, previews, client=client, poll_timeout=1)
        stop = asyncio.Event()
        backend = FastAPI()
        for router in (report_routes(links.real), *channel.routers):
            backend.include_router(router)
        config = uvicorn.Config(backend, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(sockets=[backend_socket]))
        while not server.started:
            await asyncio.sleep(0.02)
        await channel.start()
        task = asyncio.create_task(channel.run(stop))
        try:
            yield Running(app, channel, settings, stop, tmp_path, port if webhook else None)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)
            server.should_exit = True
            await asyncio.wait_for(serving, timeout=30)
            await channel.close()
            await app.close()

    return running
