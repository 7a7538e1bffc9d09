"""Report links under test: a fake clock, a SignedLinks over a temporary directory, the real
report files (rendered once per session), and the router served by a real uvicorn on a random
port of 127.0.0.1, or in process through httpx's ASGI transport where the socket adds nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from fastapi import FastAPI

from dvht_core.assessment import parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from reports.data import report_data
from reports.renderer import ReportFiles
from web.links import SignedLinks
from web.report_routes import report_routes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
SECRET = b"k" * 16 + b"links-test-secret-0123456789"
TTL = dt.timedelta(days=7)
START = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
UNIT_NAME = "UBND xã Quảng Phú"


class FakeClock:
    """The links' clock, moved by the test (UTC)."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_links(
    directory: Path, clock: FakeClock, *, secret: bytes = SECRET, base_url: str = "http://t"
) -> SignedLinks:
    return SignedLinks(secret=secret, base_url=base_url, directory=directory, ttl=TTL, clock=clock)


@pytest.fixture
def links(tmp_path: Path, clock: FakeClock) -> SignedLinks:
    return make_links(tmp_path / "links", clock)


@pytest.fixture(scope="session")
def report_files() -> dict[str, bytes]:
    """The example commune's PDF, DOCX and XLSX from the real renderer."""
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assessment = parse_assessment(data, rulebooks, load_unit_types())
    report = report_data(rulebooks["huyen"], assessment, today=dt.date(2026, 12, 7))
    return asyncio.run(ReportFiles().render(report))


def asgi_client(links: SignedLinks) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(report_routes(links))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@dataclass
class Served:
    links: SignedLinks
    base_url: str
    client: httpx.AsyncClient


@pytest.fixture
async def served(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Served]:
    """The router on a real uvicorn (httptools, as in production) at a random port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    links = make_links(tmp_path / "links", clock, base_url=base_url)
    app = FastAPI()
    app.include_router(report_routes(links))
    config = uvicorn.Config(app, http="httptools", lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start within 30 s"
        async with httpx.AsyncClient(timeout=30) as client:
            yield Served(links=links, base_url=base_url, client=client)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)
        sock.close()
