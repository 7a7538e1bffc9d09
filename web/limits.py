"""What the backend allows a client, and the ASGI middleware that enforces the body limits.

The port is open to the internet and every route behind it is reachable by anyone, so the
server assumes nothing of its clients: a body over `max_body_bytes` gets 413 without being read
(by its Content-Length) or as soon as it passes the limit (a chunked body); a body that trickles
in slower than `body_timeout_s` gets 408; a refusal closes the connection, so a client that
misbehaved once gets no second request on it. The header limits are the HTTP protocol's
(`web.protocol`), since they apply before any request reaches the app.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class RequestLimits:
    header_timeout_s: float = 10.0
    """From the connection's start, or the end of its previous response, until the next
    request's headers are complete; an idle keep-alive connection is closed after it too. A
    client that sends its headers a byte at a time (slowloris) is dropped when it fires."""
    body_timeout_s: float = 10.0
    """Reading one request's body; a slower client gets 408 and the connection is closed."""
    max_body_bytes: int = 1024 * 1024
    """A larger body gets 413. Telegram's largest updates are tens of kilobytes, Zalo's a few."""
    upload_paths: frozenset[str] = frozenset()
    """Paths whose body may be up to `max_upload_bytes` instead (the dashboard's XLSX import,
    issue 15): every other route keeps the small limit."""
    max_upload_bytes: int = 6 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    """The request line and headers together; more gets 431 and the connection is closed."""
    graceful_shutdown_s: float = 10.0
    """On stop, requests still running get this long to finish before they are cancelled."""


class _Refused(Exception):
    def __init__(self, status: int, reason: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.reason = reason


async def refuse(send: Send, status: int, reason: bytes) -> None:
    """A plain-text refusal that closes the connection (uvicorn closes it after a response
    carrying `Connection: close`, leaving any unread body unread)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(reason)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": reason})


class BodyGuard:
    """Pure ASGI middleware (no Starlette request object, no extra task): it costs one
    header scan per request and one comparison per body chunk."""

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_body_bytes
        if self.limits.upload_paths and scope.get("path") in self.limits.upload_paths:
            limit = self.limits.max_upload_bytes
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await refuse(send, 400, b"Bad Request: Content-Length")
                    return
                if declared > limit:
                    await refuse(send, 413, b"Request Entity Too Large")
                    return
        received = 0
        deadline: float | None = None
        started = False

        async def guarded_receive() -> Message:
            nonlocal received, deadline
            if deadline is None:
                deadline = time.monotonic() + self.limits.body_timeout_s
            remaining = deadline - time.monotonic()
            try:
                async with asyncio.timeout(max(remaining, 0.0)):
                    message = await receive()
            except TimeoutError:
                raise _Refused(408, b"Request Timeout") from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _Refused(413, b"Request Entity Too Large")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except _Refused as refused:
            if started:  # the app answered already and read on: nothing more to say
                raise
            await refuse(send, refused.status, refused.reason)
