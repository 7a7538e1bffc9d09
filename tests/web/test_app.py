"""The backend's own routes and limits: /healthz against real databases, /metrics, the body
limits every POST gets, the header limits, no documentation pages."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from starlette.requests import Request
from starlette.responses import Response

from bot.settings import Settings
from bot.wiring import App, build_app
from storage.db import Database, postgres_engine
from storage.migrate import upgrade
from tests.db_fixtures import PG_URL
from tests.web.conftest import served
from web import metrics
from web.app import create_app
from web.limits import RequestLimits

LIMITS = RequestLimits(header_timeout_s=2.0, body_timeout_s=1.0)


def echo_router() -> APIRouter:
    """A POST route that reads its body whole, as the webhooks do."""
    router = APIRouter()
    seen: list[int] = []

    async def echo(request: Request) -> Response:
        body = await request.body()
        seen.append(len(body))
        return Response(str(len(body)).encode(), media_type="text/plain")

    router.add_route("/echo", echo, methods=["POST"])
    router.seen = seen  # type: ignore[attr-defined]
    return router


async def always_ok() -> bool:
    return True


@pytest.fixture
async def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> App:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    built = await build_app(Settings(), with_reports=False)
    yield built  # type: ignore[misc]
    await built.close()


# --- /healthz ----------------------------------------------------------------------------------


async def test_healthz_is_ok_on_a_working_database(app: App) -> None:
    async with (
        served(create_app(routers=[], database_ok=app.database_ok)) as url,
        httpx.AsyncClient() as client,
    ):
        answer = await client.get(f"{url}/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"ok": True}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_healthz_is_503_when_the_database_cannot_be_reached() -> None:
    """A PostgreSQL server that is not there (connection refused): 503, and the caller gets
    no traceback or reason, only `{"ok": false}`."""
    database = Database(f"postgresql+asyncpg://dvht:pw@127.0.0.1:{closed_port()}/dvht")
    gone = App(database, service=None)  # type: ignore[arg-type]
    try:
        async with (
            served(create_app(routers=[], database_ok=gone.database_ok)) as url,
            httpx.AsyncClient() as client,
        ):
            answer = await client.get(f"{url}/healthz")
    finally:
        await database.close()
    assert answer.status_code == 503
    assert answer.json() == {"ok": False}


async def test_healthz_is_503_when_the_check_hangs_or_fails() -> None:
    async def hangs() -> bool:
        await asyncio.sleep(3600)
        return True

    async def fails() -> bool:
        raise RuntimeError("secret detail that must not reach the caller")

    for check in (fails, hangs):
        async with (
            served(create_app(routers=[], database_ok=check)) as url,
            httpx.AsyncClient() as client,
        ):
            answer = await client.get(f"{url}/healthz", timeout=30)
        assert answer.status_code == 503
        assert answer.json() == {"ok": False}


async def _healthz_when_the_postgres_database_is_dropped() -> None:
    """Up, then the database dropped under the running backend (its connections terminated):
    the next check answers 503."""
    name = f"dvht_health_{uuid.uuid4().hex[:10]}"
    admin = postgres_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    up = App(database, service=None)  # type: ignore[arg-type]
    try:
        await upgrade(database)
        async with (
            served(create_app(routers=[], database_ok=up.database_ok)) as base,
            httpx.AsyncClient() as client,
        ):
            assert (await client.get(f"{base}/healthz")).status_code == 200
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            answer = await client.get(f"{base}/healthz", timeout=30)
        assert answer.status_code == 503
        assert answer.json() == {"ok": False}
    finally:
        await database.close()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


if PG_URL:  # as the storage tests: PostgreSQL where DVHT_TEST_DATABASE_URL is set (CI)
    test_healthz_turns_503_when_the_postgres_database_is_dropped = (
        _healthz_when_the_postgres_database_is_dropped
    )


# --- /metrics ----------------------------------------------------------------------------------


async def test_metrics_are_prometheus_text_with_the_dvht_families() -> None:
    metrics.count_update("zalo", "duplicate")
    metrics.observe_reply("zalo", 0.2)
    metrics.count_reminder("zalo", "sent")
    metrics.set_queue_depth(7)
    async with (
        served(create_app(routers=[], database_ok=always_ok)) as url,
        httpx.AsyncClient() as client,
    ):
        answer = await client.get(f"{url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    body = answer.text
    assert 'dvht_updates_total{channel="zalo",outcome="duplicate"}' in body
    assert 'dvht_reply_seconds_bucket{channel="zalo",le="0.25"}' in body
    assert 'dvht_reminders_total{channel="zalo",result="sent"}' in body
    assert "dvht_reminders_due 7.0" in body


# --- what the app does not serve ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/nothing-here"])
async def test_no_documentation_pages(path: str) -> None:
    async with (
        served(create_app(routers=[], database_ok=always_ok)) as url,
        httpx.AsyncClient() as client,
    ):
        answer = await client.get(f"{url}{path}")
    assert answer.status_code == 404
    assert "server" not in answer.headers  # no server banner either


# --- the body limits, on any POST route --------------------------------------------------------


async def raw_exchange(url: str, data: bytes, *, timeout: float = 15) -> tuple[int, bool]:
    """Send `data` on a fresh connection; the response status and whether the server closed
    the connection afterwards."""
    port = int(url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = int(head.split(b" ", 2)[1])
        try:
            rest = await asyncio.wait_for(reader.read(), timeout)
            closed = rest is not None
        except (ConnectionError, TimeoutError):
            closed = False
        return status, closed
    finally:
        writer.close()


def post(path: str, body: bytes, *, length: int | None = None) -> bytes:
    declared = len(body) if length is None else length
    return f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {declared}\r\n\r\n".encode() + body


async def test_a_body_within_the_limit_is_read() -> None:
    router = echo_router()
    async with (
        served(create_app(routers=[router], database_ok=always_ok), LIMITS) as url,
        httpx.AsyncClient() as client,
    ):
        answer = await client.post(f"{url}/echo", content=b"x" * (1024 * 1024))
    assert (answer.status_code, answer.text) == (200, str(1024 * 1024))


async def test_a_declared_body_over_the_limit_gets_413_unread() -> None:
    router = echo_router()
    async with served(create_app(routers=[router], database_ok=always_ok), LIMITS) as url:
        status, closed = await raw_exchange(url, post("/echo", b"", length=1024 * 1024 + 1))
    assert status == 413
    assert closed
    assert router.seen == []  # type: ignore[attr-defined]


async def test_a_streamed_body_over_the_limit_gets_413() -> None:
    router = echo_router()

    async def chunks() -> object:
        for _ in range(40):
            yield b"y" * 65536

    async with (
        served(create_app(routers=[router], database_ok=always_ok), LIMITS) as url,
        httpx.AsyncClient() as client,
    ):
        try:
            answer = await client.post(f"{url}/echo", content=chunks())  # type: ignore[arg-type]
            status = answer.status_code
        except httpx.HTTPError:  # closed while still sending: the refusal was on its way
            status = 413
    assert status == 413
    assert router.seen == []  # type: ignore[attr-defined]


async def test_a_body_sent_too_slowly_gets_408() -> None:
    router = echo_router()
    async with served(create_app(routers=[router], database_ok=always_ok), LIMITS) as url:
        status, closed = await raw_exchange(url, post("/echo", b"abc", length=100))
    assert status == 408
    assert closed
    assert router.seen == []  # type: ignore[attr-defined]


async def test_a_content_length_that_is_no_number_gets_400() -> None:
    router = echo_router()
    async with served(create_app(routers=[router], database_ok=always_ok), LIMITS) as url:
        raw = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1e3\r\n\r\n"
        status, _ = await raw_exchange(url, raw)
    assert status == 400


# --- the header limits (the protocol's) --------------------------------------------------------


async def test_headers_over_the_limit_get_431() -> None:
    async with served(create_app(routers=[], database_ok=always_ok), LIMITS) as url:
        padding = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"p" * 1000) for i in range(80))
        raw = b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + padding + b"\r\n"
        status, closed = await raw_exchange(url, raw)
    assert status == 431
    assert closed


async def test_an_idle_connection_is_closed_after_the_header_timeout() -> None:
    async with served(create_app(routers=[], database_ok=always_ok), LIMITS) as url:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            assert await asyncio.wait_for(reader.read(), 15) == b""
        finally:
            writer.close()


async def test_keep_alive_serves_several_requests_on_one_connection() -> None:
    async with (
        served(create_app(routers=[], database_ok=always_ok), LIMITS) as url,
        httpx.AsyncClient() as client,
    ):
        for _ in range(3):
            assert (await client.get(f"{url}/healthz")).status_code == 200
