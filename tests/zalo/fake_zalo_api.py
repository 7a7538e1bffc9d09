"""A fake Zalo Bot API server that speaks real HTTP, for the Zalo channel's tests.

It emulates what engineering notes §2.4 lists, as the real service behaves:

* `GET|POST /bot{token}/{method}` with JSON, form or query parameters; a wrong token answers
  401 in the usual envelope, an unknown method 404;
* getMe; sendMessage checks `chat_id` and 1 ≤ len(text) ≤ 2000 (else 400, as the real API
  does), answers `{message_id (hex), date (ms)}` and keeps an outbox; sendPhoto (URL, caption
  ≤ 2000), sendSticker and sendChatAction are recorded too;
* setWebhook (secret of 8-256 characters) / getWebhookInfo / deleteWebhook on one record
  `{url, updated_at (ms)}`;
* getUpdates(timeout): refused while a webhook is set; holds the request until the timeout and
  then answers HTTP 408 "Request timeout"; with events queued it answers at once with ONE event
  per call, as an object (`list_shape` switches to a list, since clients must read both), and
  there is no offset: an event is delivered again on later calls until it ages out
  (`replays` deliveries), so the client's dedupe on message_id is exercised;
* `push(event)` POSTs an event to the registered webhook with `X-Bot-Api-Secret-Token` (or a
  wrong or missing one);
* photo URLs served by this server (`/media/...`): image bytes, a non-image, an oversized body;
* fault injection: 429 "Quota exceeded", 5xx, slow answers, 401 after a "token reset".

The server runs on 127.0.0.1 at a free port in its own thread and event loop, so a test may
block without stalling it. Tests wait for calls with `await api.wait_for("sendMessage", ...)`.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

TOKEN = "3210987654321:AbCdEfGhIjKlMnOpQrStUvWxYz-zalo_fake"
BOT_ID = "7e1a2b3c4d5e6f70"
MAX_TEXT = 2000
METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "sendMessage",
        "sendPhoto",
        "sendSticker",
        "sendChatAction",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
    }
)
SENDING = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendChatAction"})
TINY_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + bytes(range(256)) * 4
    + b"\xff\xd9"
)


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass
class Call:
    """One request as the server saw it."""

    index: int
    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id") or "")

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    def __repr__(self) -> str:
        shown = {k: (v[:60] if isinstance(v, str) else v) for k, v in self.params.items()}
        return f"<{self.index} {self.method} {self.status} {shown!r}>"


@dataclass
class Fault:
    method: str
    status: int
    description: str
    times: int | None
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        return self.method == method and self.times != 0


@dataclass
class Media:
    data: bytes
    content_type: str
    status: int = 200


@dataclass
class Queued:
    event: dict[str, Any]
    deliveries: int = 0


def _hex(n: int = 16) -> str:
    return secrets.token_hex(n // 2)


def _ms() -> int:
    return int(time.time() * 1000)


class FakeZaloApi:
    """The fake server. Use as a context manager (`with FakeZaloApi() as api:`)."""

    def __init__(self, token: str = TOKEN, *, replays: int = 3) -> None:
        self.token = token
        self.replays = replays
        """How many times an event is delivered by getUpdates before it ages out."""
        self.list_shape = False
        """getUpdates answers `[event]` instead of `event` (both shapes exist in the wild)."""
        self._lock = threading.RLock()
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {"url": "", "updated_at": 0}
        self.webhook_secret: str | None = None
        self._queue: list[Queued] = []
        self._faults: list[Fault] = []
        self._media: dict[str, Media] = {}
        self.media_hits: list[str] = []
        self._reset = False
        self._closing = False
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeZaloApi:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve())
            except BaseException as error:  # reported to the starting thread
                failure.append(error)
                loop.close()
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-zalo-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Zalo API server did not start")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        self._closing = True  # pending long polls answer at once
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)

    def __enter__(self) -> FakeZaloApi:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/media/{name}", self._serve_media)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the test controls ---------------------------------------------------------------

    def enqueue(self, *events: dict[str, Any]) -> None:
        """Queue events for getUpdates (one is handed out per call, each `replays` times)."""
        with self._lock:
            self._queue.extend(Queued(copy.deepcopy(e)) for e in events)

    @property
    def pending(self) -> int:
        """Events not yet delivered even once."""
        with self._lock:
            return sum(1 for q in self._queue if q.deliveries == 0)

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int | None = 1,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` answer `status` (None: every call)."""
        if description is None:
            description = {
                429: "Quota exceeded",
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
            }.get(status, "Error")
        with self._lock:
            self._faults.append(Fault(method, status, description, times))

    def slow(self, method: str, delay: float, *, times: int | None = 1) -> None:
        with self._lock:
            self._faults.append(Fault(method, 200, "", times, delay=delay))

    def reset_token(self) -> None:
        """The owner reset the token in the Zalo Bot Creator: every call answers 401 now."""
        with self._lock:
            self._reset = True

    def serve_media(
        self,
        data: bytes = TINY_JPEG,
        *,
        content_type: str = "image/jpeg",
        status: int = 200,
        name: str | None = None,
    ) -> str:
        """A URL on this server that answers with `data` (a photo, a non-image, a huge body)."""
        name = name or f"{_hex(12)}.jpg"
        with self._lock:
            self._media[name] = Media(data, content_type, status)
        return f"{self.url}/media/{name}"

    def mark(self) -> int:
        with self._lock:
            return len(self.calls)

    def calls_of(self, method: str | None = None, *, since: int = 0) -> list[Call]:
        with self._lock:
            return [c for c in self.calls[since:] if method is None or c.method == method]

    def sent(self, chat_id: str, *, since: int = 0, method: str = "sendMessage") -> list[Call]:
        """What the bot delivered to a chat (accepted calls only)."""
        return [c for c in self.calls_of(method, since=since) if c.ok and c.chat_id == chat_id]

    def texts(self, chat_id: str, *, since: int = 0) -> list[str]:
        return [c.text for c in self.sent(chat_id, since=since)]

    def _find(
        self, method: str, predicate: Callable[[Call], Any] | None, since: int
    ) -> Call | None:
        for call in self.calls_of(method, since=since):
            if predicate is None or predicate(call):
                return call
        return None

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], Any] | None = None,
        *,
        timeout: float = 20.0,
        since: int = 0,
    ) -> Call:
        """The first call of `method` (from `since` on) matching `predicate`, once made."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(method, predicate, since)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                recent = "\n".join(repr(c) for c in self.calls_of(since=since)[-15:])
                raise AssertionError(f"no matching {method} within {timeout} s:\n{recent}")
            await asyncio.sleep(0.02)

    # --- events as Zalo sends them --------------------------------------------------------------

    def _message(
        self, user_id: str, name: str, *, group: str | None, **content: Any
    ) -> dict[str, Any]:
        return {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": group or user_id, "chat_type": "GROUP" if group else "PRIVATE"},
            "message_id": _hex(32),
            "date": _ms(),
            **content,
        }

    def text_event(
        self, user_id: str, text: str, *, name: str = "Lan", group: str | None = None
    ) -> dict[str, Any]:
        message = self._message(user_id, name, group=group, text=text)
        return {"event_name": "message.text.received", "message": message}

    def image_event(
        self,
        user_id: str,
        photo_url: str,
        *,
        caption: str | None = None,
        name: str = "Lan",
        group: str | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"photo": photo_url}
        if caption is not None:
            content["caption"] = caption
        message = self._message(user_id, name, group=group, **content)
        return {"event_name": "message.image.received", "message": message}

    def sticker_event(self, user_id: str, *, name: str = "Lan") -> dict[str, Any]:
        message = self._message(
            user_id, name, group=None, sticker=_hex(8), url=f"{self.url}/media/sticker.webp"
        )
        return {"event_name": "message.sticker.received", "message": message}

    def unsupported_event(self, user_id: str, *, name: str = "Lan") -> dict[str, Any]:
        message = self._message(user_id, name, group=None)
        return {"event_name": "message.unsupported.received", "message": message}

    @staticmethod
    def user_id() -> str:
        """A realistic Zalo user id (hex)."""
        return _hex(16)

    async def push(
        self,
        event: dict[str, Any],
        *,
        secret: str | bool | None = True,
        url: str | None = None,
    ) -> tuple[int, str]:
        """POST `event` to the registered webhook as the service does. `secret`: True sends
        the registered one, a string sends that (a wrong one), None sends no header."""
        target = url or self.webhook.get("url")
        if not target:
            raise AssertionError("no webhook registered")
        headers = {}
        if secret is True:
            assert self.webhook_secret is not None
            headers["X-Bot-Api-Secret-Token"] = self.webhook_secret
        elif isinstance(secret, str):
            headers["X-Bot-Api-Secret-Token"] = secret
        body = {"ok": True, "result": event}
        async with (
            ClientSession(timeout=ClientTimeout(total=60)) as http,
            http.post(str(target), json=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    # --- the HTTP side ------------------------------------------------------------------------

    def _record(self, method: str, params: dict[str, Any], status: int, result: Any) -> Call:
        with self._lock:
            call = Call(len(self.calls), method, params, status, result)
            self.calls.append(call)
            return call

    @staticmethod
    def _error(status: int, description: str) -> web.Response:
        body = {"ok": False, "error_code": status, "description": description}
        return web.json_response(body, status=status)

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]  # case-sensitive, as the real service
        try:
            params = await self._params(request)
        except ValueError:
            self._record(method, {}, 400, None)
            return self._error(400, "Bad request")
        if request.match_info["token"] != self.token or self._reset:
            self._record(method, params, 401, None)
            return self._error(401, "Unauthorized")
        if method not in METHODS:
            self._record(method, params, 404, None)
            return self._error(404, "Not found")
        fault = self._take_fault(method)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                self._record(method, params, fault.status, None)
                return self._error(fault.status, fault.description)
        handler = getattr(self, "_m_" + re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower())
        try:
            result = await handler(params)
        except ApiError as error:
            self._record(method, params, error.status, None)
            return self._error(error.status, error.description)
        self._record(method, params, 200, result)
        return web.json_response({"ok": True, "result": result})

    async def _serve_media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        with self._lock:
            media = self._media.get(name)
            self.media_hits.append(name)
        if media is None:
            return web.Response(status=404, text="not found")
        return web.Response(status=media.status, body=media.data, content_type=media.content_type)

    # --- methods ------------------------------------------------------------------------------

    @staticmethod
    def _chat_id(params: dict[str, Any]) -> str:
        chat_id = str(params.get("chat_id") or "").strip()
        if not chat_id:
            raise ApiError(400, "chat_id is required")
        return chat_id

    def _sent(self) -> dict[str, Any]:
        return {"message_id": _hex(32), "date": _ms()}

    async def _m_get_me(self, params: dict[str, Any]) -> Any:
        return {
            "id": BOT_ID,
            "account_name": "bot.dvht",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _m_get_updates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            raise ApiError(400, "Webhook is set; getUpdates is not available")
        try:
            timeout = min(float(params.get("timeout") or 30), 60.0)
        except ValueError:
            raise ApiError(400, "timeout must be a number") from None
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._queue:
                    queued = self._queue[0]
                    queued.deliveries += 1
                    if queued.deliveries >= self.replays:
                        self._queue.pop(0)  # aged out
                    else:  # delivered again later, after the others
                        self._queue.append(self._queue.pop(0))
                    event = copy.deepcopy(queued.event)
                    return [event] if self.list_shape else event
            if self._closing or time.monotonic() >= deadline:
                raise ApiError(408, "Request timeout")
            await asyncio.sleep(0.02)

    async def _m_send_message(self, params: dict[str, Any]) -> Any:
        self._chat_id(params)
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            raise ApiError(400, "text must be 1-2000 characters")
        return self._sent()

    async def _m_send_photo(self, params: dict[str, Any]) -> Any:
        self._chat_id(params)
        photo = str(params.get("photo") or "")
        if not photo.startswith(("http://", "https://")):
            raise ApiError(400, "photo must be a URL")
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > MAX_TEXT:
            raise ApiError(400, "caption must be at most 2000 characters")
        return self._sent()

    async def _m_send_sticker(self, params: dict[str, Any]) -> Any:
        self._chat_id(params)
        if not params.get("sticker"):
            raise ApiError(400, "sticker is required")
        return self._sent()

    async def _m_send_chat_action(self, params: dict[str, Any]) -> Any:
        self._chat_id(params)
        if params.get("action") not in ("typing", "upload_photo"):
            raise ApiError(400, "action is not supported")
        return {}

    async def _m_set_webhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        if not url.startswith(("http://", "https://")):
            raise ApiError(400, "url is invalid")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "secret_token must be 8-256 characters")
        with self._lock:
            self.webhook = {"url": url, "updated_at": _ms()}
            self.webhook_secret = secret
            return dict(self.webhook)

    async def _m_delete_webhook(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self.webhook = {"url": "", "updated_at": _ms()}
            self.webhook_secret = None
            return dict(self.webhook)

    async def _m_get_webhook_info(self, params: dict[str, Any]) -> Any:
        with self._lock:
            return dict(self.webhook)
