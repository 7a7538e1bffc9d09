"""`POST /zalo/webhook` on the HTTP backend: the events Zalo pushes in webhook mode.

The service sends the secret given to setWebhook in `X-Bot-Api-Secret-Token`; a request with a
wrong, missing or non-ASCII one gets 401 and nothing of it is read further. The comparison is
constant-time, on bytes. A body over 1 MiB is refused (413) while it is read, so a large one
never sits in memory. The event is handled before the answer (the replies go out through
sendMessage meanwhile), so a retry of a slow event meets the dedupe instead of a second
handling, and one user's events keep their order through the handler's per-user lock.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from bot.zalo.models import Update
from web import metrics

log = logging.getLogger(__name__)
PATH = "/zalo/webhook"
HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024
_OK = b'{"ok":true}'


def _ok() -> Response:
    return Response(_OK, media_type="application/json")


def _refuse(status: int, description: str) -> Response:
    body = json.dumps({"ok": False, "description": description})
    return Response(body, status_code=status, media_type="application/json")


def secret_matches(received: str | None, secret: bytes) -> bool:
    """Constant-time, as bytes; a header that is not ASCII never matches."""
    if received is None or not received.isascii():
        return False
    return hmac.compare_digest(received.encode("ascii"), secret)


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes | None:
    """The body, or None when it is (or says it is) over `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def event_of(body: bytes) -> Update | None:
    """The event of a push: the documented envelope `{"ok": true, "result": {...}}`, or the
    event itself (as some SDKs' examples post it); None when it is neither."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        data = data["result"]
    if not isinstance(data, dict):
        return None
    try:
        return Update.model_validate(data)
    except ValidationError:
        return None


def zalo_router(handle: Callable[[Update], Awaitable[object]], secret: str) -> APIRouter:
    """The webhook route; `handle` is the channel's event handler."""
    expected = secret.encode("utf-8")
    router = APIRouter()

    @router.post(PATH, include_in_schema=False)
    async def zalo_webhook(request: Request) -> Response:
        if not secret_matches(request.headers.get(HEADER), expected):
            log.warning("Zalo webhook: a request without the right secret token was refused")
            return _refuse(401, "Unauthorized")
        body = await read_body(request)
        if body is None:
            return _refuse(413, "Payload too large")
        update = event_of(body)
        if update is None:
            log.warning("Zalo webhook: a push that is not a Zalo event was ignored")
            metrics.count_update("zalo", "ignored")
            return _refuse(400, "Bad request")
        await handle(update)
        return _ok()

    return router
