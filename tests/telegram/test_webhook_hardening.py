"""The webhook on the HTTP backend against hostile clients, over raw sockets.

The real backend (`web.app.create_app` with the Telegram channel's webhook router, served by
`web.server.Backend` on uvicorn exactly as `dvht serve` serves it) runs in this process around
the real Telegram channel (dispatcher, conversation service, SQLite database), with its replies
going to the fake Bot API; only the timeouts are shortened so that the slow clients need not
take the production 10 seconds. Clients are raw TCP
connections, so they can send what no HTTP library would: bytes that are not ASCII in the
secret header, headers one byte at a time, a body that never finishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.serve import close_all
from bot.settings import Settings
from bot.telegram.webhook import WEBHOOK_PATH, webhook_router
from bot.wiring import build_telegram
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi
from web.app import create_app
from web.limits import RequestLimits
from web.server import Backend, open_socket

SECRET = "s3cret_ABC-0123456789"
LIMITS = RequestLimits(header_timeout_s=1.0, body_timeout_s=1.0)
"""Short timeouts for the test; the body limit is the production one (1 MiB)."""
TRICKLE_S = 0.05
"""The slow clients' pace: a byte every 50 ms."""


@dataclass
class Webhook:
    api: FakeBotApi
    port: int
    database: Path

    def update(self, user: int, text: str) -> bytes:
        return json.dumps(self.api.text_update(user, text)).encode()

    def handled(self, user: int) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as db:
            return db.execute(
                "SELECT * FROM channel_identities WHERE external_id = ?", (str(user),)
            ).fetchall()


@pytest.fixture
async def webhook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Webhook]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    with FakeBotApi() as api:
        monkeypatch.setenv("TELEGRAM_API_URL", api.url)
        app, channel = await build_telegram(Settings(), TOKEN)
        router = webhook_router(channel.bot, channel.dispatcher, secret=SECRET)
        server = create_app(routers=[router], database_ok=app.database_ok, limits=LIMITS)
        backend = Backend(server, open_socket("127.0.0.1", 0), LIMITS)
        await backend.start()
        try:
            yield Webhook(api, backend.port, tmp_path / "dvht.sqlite3")
        finally:
            await backend.stop()
            await close_all(app.close, channel.close)


# --- a raw HTTP client -------------------------------------------------------------------------


class Raw:
    """One TCP connection to the webhook server."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port: int) -> Raw:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def response(self, timeout: float = 15) -> tuple[int, bytes]:
        """The status and body of the next response (its Content-Length's worth)."""
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(
            (
                int(line.split(":", 1)[1])
                for line in lines
                if line.lower().startswith("content-length:")
            ),
            0,
        )
        body = await asyncio.wait_for(self.reader.readexactly(length), timeout)
        return status, body

    async def closed_by_server(self, timeout: float = 15) -> bool:
        """True when the server closed the connection (EOF or reset) within `timeout`."""
        try:
            rest = await asyncio.wait_for(self.reader.read(65536), timeout)
        except ConnectionError:
            return True
        except TimeoutError:
            return False
        return rest == b""

    async def trickle(self, data: bytes) -> bool:
        """Send `data` a byte at a time; False if the server closed the connection first."""
        for index in range(len(data)):
            try:
                await self.send(data[index : index + 1])
            except ConnectionError:
                return False
            if self.reader.at_eof():
                return False
            await asyncio.sleep(TRICKLE_S)
        return True

    def close(self) -> None:
        self.writer.close()


def request(body: bytes, *, secret: bytes | None = SECRET.encode(), extra: bytes = b"") -> bytes:
    head = b"POST " + WEBHOOK_PATH.encode() + b" HTTP/1.1\r\nHost: bot.example.test\r\n"
    head += b"Content-Type: application/json\r\n"
    if secret is not None:
        head += b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n"
    return head + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


# --- the secret header -------------------------------------------------------------------------

MALFORMED_SECRETS = {
    "missing": None,
    "empty": b"",
    "one character off": SECRET[:-1].encode() + b"8",
    "shorter": SECRET[:-1].encode(),
    "longer": SECRET.encode() + b"0",
    "another case": SECRET.upper().encode(),
    "UTF-8, same length": "bí_mật-0123456789ABC".encode()[: len(SECRET)],
    "the secret with a non-ASCII byte": SECRET[:-1].encode() + b"\xe9",
    "bytes that are no text": b"\xff\xfe\xfd\xfc",
    "the secret in Latin-1 with an accent": (SECRET[:-1] + "é").encode("latin-1"),
    "the secret twice": SECRET.encode() + b", " + SECRET.encode(),
}


@pytest.mark.parametrize("case", list(MALFORMED_SECRETS))
async def test_a_malformed_secret_header_gets_401(webhook: Webhook, case: str) -> None:
    user = 6_100_001 + list(MALFORMED_SECRETS).index(case)
    since = webhook.api.mark()
    client = await Raw.connect(webhook.port)
    try:
        await client.send(request(webhook.update(user, "/start"), secret=MALFORMED_SECRETS[case]))
        status, _ = await client.response()
        assert status == 401
        assert await client.closed_by_server()  # a refused client gets no second request
    finally:
        client.close()
    await asyncio.sleep(0.2)
    assert webhook.api.calls_of(since=since) == []
    assert webhook.handled(user) == []


async def test_the_right_secret_is_served_and_the_connection_kept(webhook: Webhook) -> None:
    user = 6_200_001
    client = await Raw.connect(webhook.port)
    try:
        since = webhook.api.mark()
        await client.send(request(webhook.update(user, "/start")))
        assert (await client.response())[0] == 200
        await webhook.api.wait_for("sendMessage", lambda c: c.chat_id == user, since=since)
        await client.send(request(webhook.update(user, "/huongdan")))  # same connection
        assert (await client.response())[0] == 200
    finally:
        client.close()
    assert len(webhook.handled(user)) == 1


# --- slow clients ------------------------------------------------------------------------------


async def test_headers_sent_a_byte_at_a_time_are_dropped(webhook: Webhook) -> None:
    """A slowloris client: 400 bytes of headers at 20 bytes a second would take 20 s."""
    slow = request(b"{}", extra=b"X-Padding: " + b"a" * 400 + b"\r\n")
    client = await Raw.connect(webhook.port)
    try:
        started = time.monotonic()
        finished = await client.trickle(slow)
        assert not finished, "the server waited for the whole slow request"
        assert time.monotonic() - started < len(slow) * TRICKLE_S
    finally:
        client.close()


async def test_an_idle_connection_is_closed(webhook: Webhook) -> None:
    client = await Raw.connect(webhook.port)
    try:
        assert await client.closed_by_server(timeout=15)
    finally:
        client.close()


async def test_a_slow_request_after_a_good_one_is_dropped(webhook: Webhook) -> None:
    client = await Raw.connect(webhook.port)
    try:
        await client.send(request(webhook.update(6_300_001, "/start")))
        assert (await client.response())[0] == 200
        assert not await client.trickle(request(b"{}", extra=b"X-Padding: " + b"a" * 400))
    finally:
        client.close()


async def test_a_body_sent_slowly_gets_408(webhook: Webhook) -> None:
    user = 6_400_001
    body = webhook.update(user, "/start")
    whole = request(body)
    headers = whole[: len(whole) - len(body)]
    client = await Raw.connect(webhook.port)
    try:
        await client.send(headers)
        trickling = asyncio.create_task(client.trickle(body))
        status, _ = await client.response()
        assert status == 408
        assert await client.closed_by_server()
        assert not await trickling
    finally:
        client.close()
    assert webhook.handled(user) == []


# --- the body ----------------------------------------------------------------------------------


async def test_a_declared_body_over_the_limit_gets_413_unread(webhook: Webhook) -> None:
    limit = RequestLimits().max_body_bytes
    assert limit == LIMITS.max_body_bytes == 1024 * 1024
    head = request(b"")[: -len(b"Content-Length: 0\r\n\r\n")]
    client = await Raw.connect(webhook.port)
    try:
        await client.send(head + f"Content-Length: {limit + 1}\r\n\r\n".encode())
        status, _ = await client.response()  # answered before a byte of the body was sent
        assert status == 413
        assert await client.closed_by_server()
    finally:
        client.close()


async def test_a_chunked_body_over_the_limit_gets_413(webhook: Webhook) -> None:
    head = request(b"")[: -len(b"Content-Length: 0\r\n\r\n")]
    chunk = b"a" * 65536
    client = await Raw.connect(webhook.port)
    try:
        await client.send(head + b"Transfer-Encoding: chunked\r\n\r\n")
        sent = 0
        with contextlib.suppress(ConnectionError):
            while sent <= LIMITS.max_body_bytes + len(chunk):
                await client.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        status, _ = await client.response()
        assert status == 413
    finally:
        client.close()


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"update_id": "one"}', b"[" * 100_000 + b"]" * 100_000],
    ids=["not JSON", "an array", "not an update", "nested 100,000 deep"],
)
async def test_a_body_that_is_no_update_gets_400(webhook: Webhook, body: bytes) -> None:
    client = await Raw.connect(webhook.port)
    try:
        await client.send(request(body))
        assert (await client.response())[0] == 400
    finally:
        client.close()
