"""A fake Telegram Bot API server that speaks real HTTP, for the Telegram adapter's tests.

It serves `POST /bot{token}/{method}` (multipart, urlencoded, JSON or a query string, as the
real server does) and `GET /file/bot{token}/{path}`, answers with objects shaped as Telegram's
(aiogram validates them), records every call, and can fail on purpose: 429 with retry_after,
5xx, 403 "bot was blocked by the user", or a slow answer.

The server runs on 127.0.0.1 at a free port in its own thread and event loop, so one instance
can serve a bot subprocess for a whole test module while each test runs on its own loop, and a
test may block (waiting for a subprocess) without stalling the server. Tests wait for calls with
`await api.wait_for("sendMessage", predicate)`.

Updates are built by the `*_update` helpers exactly as Telegram sends them and queued with
`enqueue`; `getUpdates` hands them out honouring `offset`, `limit` and `timeout`.
"""

from __future__ import annotations

import asyncio
import copy
import email.parser
import email.policy
import itertools
import json
import math
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import ClientSession, web

TOKEN = "123456:TEST-token"
BOT_ID = 123456
BOT_USERNAME = "dvht_bot"
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Đơn vị học tập",
    "username": BOT_USERNAME,
}
MAX_TEXT = 4096
"""Telegram's limit on a message text, in UTF-16 code units."""
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
DOWNLOAD_LIMIT = 20 * 1024 * 1024
"""The public Bot API lets bots download files up to 20 MB."""
PHOTO_LIMIT = 10 * 1024 * 1024
"""sendPhoto takes an uploaded photo of at most 10 MB."""

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
SENDING = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)
"""Methods that reach a chat: a user who blocked the bot makes them fail with 403."""
DELIVERING = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
"""Methods that count against the flood limits (`FakeBotApi.limit_rate`)."""
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ApiError(Exception):
    def __init__(self, status: int, description: str | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description or DESCRIPTIONS.get(status, "Error")


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One Bot API request as the server saw it."""

    index: int
    method: str
    params: dict[str, Any]
    status: int = 200
    result: Any = None
    at: float = field(default_factory=time.monotonic)
    via_webhook: bool = False
    """Returned by the bot as its webhook response, rather than requested over HTTP."""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        return _as_int(self.params.get("chat_id"))

    @property
    def text(self) -> str:
        value = self.params.get("text") or self.params.get("caption") or ""
        return str(value)

    @property
    def markup(self) -> dict[str, Any] | None:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[str]:
        """The callback_data of every inline button the call carried, row by row."""
        return callback_data(self.markup)

    @property
    def message_id(self) -> int | None:
        if isinstance(self.result, dict):
            return _as_int(self.result.get("message_id"))
        return _as_int(self.params.get("message_id"))

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        return f"<{self.index} {self.method} {self.status} {shown!r} buttons={self.buttons}>"


@dataclass
class Fault:
    method: str
    status: int
    description: str
    times: int | None
    """How many calls it still affects; None: every call."""
    chat_id: int | None = None
    retry_after: int | None = None
    delay: float = 0.0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method != method or self.times == 0:
            return False
        return self.chat_id is None or _as_int(params.get("chat_id")) == self.chat_id


@dataclass
class RateLimit:
    """Telegram's flood control for one bot: a sliding one-second window over all chats and a
    minimum interval per chat. Called under the server's lock."""

    overall: float
    per_chat: float
    refused: int = 0
    _recent: deque[float] = field(default_factory=deque)
    _last: dict[int, float] = field(default_factory=dict)

    def admit(self, chat_id: int, now: float) -> int | None:
        """None when the message may go (it is counted); else the whole seconds to wait."""
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        waits = []
        if len(self._recent) >= self.overall:
            waits.append(1.0 - (now - self._recent[0]))
        last = self._last.get(chat_id)
        if last is not None and now - last < 1.0 / self.per_chat:
            waits.append(1.0 / self.per_chat - (now - last))
        if waits:
            self.refused += 1
            return max(1, math.ceil(max(waits)))
        self._recent.append(now)
        self._last[chat_id] = now
        return None


@dataclass
class RemoteFile:
    file_id: str
    data: bytes
    file_path: str
    size: int
    download_status: int = 200
    download_delay: float = 0.0
    """Seconds each download takes before the bytes come (a slow file server)."""
    download_failures: int = 0
    """How many downloads still answer 502 before one succeeds (a passing server fault)."""


def callback_data(markup: dict[str, Any] | None) -> list[str]:
    if not markup:
        return []
    return [
        str(button["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def utf16_length(text: str) -> int:
    """Telegram measures texts and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def webhook_reply_params(content_type: str, body: bytes) -> dict[str, Any]:
    """The method and parameters a bot returned in its webhook response: JSON, or a form as
    aiogram writes it (multipart); `{}` when it returned nothing."""
    if content_type.startswith("application/json"):
        found = json.loads(body or b"{}")
        return dict(found) if isinstance(found, dict) else {}
    if not content_type.startswith("multipart/form-data"):
        return {}
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            params[name] = _decode(payload.decode())
    return params


def _image_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's or JPEG's width and height (from its header), None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 < len(data) and data[at] == 0xFF:
            marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
            if 0xC0 <= marker <= 0xC3:
                height, width = struct.unpack(">HH", data[at + 5 : at + 9])
                return int(width), int(height)
            at += 2 + length
    return None


def _decode(value: str) -> Any:
    """Complex fields (reply_markup, commands, allowed_updates) arrive as JSON strings."""
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _snake(method: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower()


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


class FakeBotApi:
    """The fake server. Use as a context manager (`with FakeBotApi() as api:`)."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self._lock = threading.RLock()
        self.calls: list[Call] = []
        self.downloads: list[str] = []
        """File paths the bot downloaded."""
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.blocked: dict[int, str] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(700_000_001)
        self._message_ids = itertools.count(101)
        self._callback_ids = itertools.count(4_242_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._issued_callbacks: set[str] = set()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._files: dict[str, RemoteFile] = {}
        self._faults: list[Fault] = []
        self._rate: RateLimit | None = None
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeBotApi:
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
                loop.run_until_complete(loop.shutdown_default_executor())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Bot API server did not start")
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

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the test controls -------------------------------------------------------------

    def enqueue(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates, atomically: they come in one batch if the bot polls."""
        with self._lock:
            self._updates.extend(copy.deepcopy(list(updates)))

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._updates)

    def register_file(
        self,
        file_id: str,
        data: bytes,
        *,
        file_path: str | None = None,
        size: int | None = None,
        download_status: int = 200,
        download_delay: float = 0.0,
        download_failures: int = 0,
    ) -> RemoteFile:
        """Bytes getFile and the download path serve for `file_id`."""
        number = next(self._file_ids)
        remote = RemoteFile(
            file_id=file_id,
            data=data,
            file_path=file_path or f"documents/file_{number}",
            size=len(data) if size is None else size,
            download_status=download_status,
            download_delay=download_delay,
            download_failures=download_failures,
        )
        with self._lock:
            self._files[file_id] = remote
        return remote

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int | None = 1,
        chat_id: int | None = None,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) answer `status`."""
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else DESCRIPTIONS.get(status, "Error")
            )
        fault = Fault(
            method,
            status,
            description,
            times,
            chat_id,
            retry_after=retry_after if status == 429 else None,
        )
        with self._lock:
            self._faults.append(fault)

    def slow(
        self, method: str, delay: float, *, times: int | None = 1, chat_id: int | None = None
    ) -> None:
        """The next `times` calls of `method` answer normally, after `delay` seconds."""
        with self._lock:
            self._faults.append(Fault(method, 200, "", times, chat_id, delay=delay))

    def limit_rate(self, overall: float = 30.0, per_chat: float = 1.0) -> RateLimit:
        """Enforce Telegram's flood limits from now on, as the real server does for a bot
        sending to many chats: at most `overall` messages in any one second and one message
        every 1/`per_chat` seconds to the same chat. A message beyond them answers 429 "Too
        Many Requests: retry after N" with `parameters.retry_after` (whole seconds, at least 1)
        and is not delivered. The returned object counts the refusals."""
        limit = RateLimit(overall=overall, per_chat=per_chat)
        with self._lock:
            self._rate = limit
        return limit

    def block(self, chat_id: int, description: str = DESCRIPTIONS[403]) -> None:
        """The user blocked the bot (or a group removed it): every send to this chat answers
        403 with `description`."""
        with self._lock:
            self.blocked[chat_id] = description

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self.blocked.pop(chat_id, None)

    def expire_callbacks(self) -> None:
        """Every callback query issued so far is too old to answer now, as after a bot's long
        restart (Telegram then answers answerCallbackQuery with 400)."""
        with self._lock:
            self._issued_callbacks.clear()

    # --- what the bot did -----------------------------------------------------------------------

    def mark(self) -> int:
        """A position in the call log: pass it as `since` to look only at later calls."""
        with self._lock:
            return len(self.calls)

    def calls_of(
        self, method: str | None = None, *, since: int = 0, chat_id: int | None = None
    ) -> list[Call]:
        with self._lock:
            found = self.calls[since:]
        return [
            call
            for call in found
            if (method is None or call.method == method)
            and (chat_id is None or call.chat_id == chat_id)
        ]

    def sent(self, chat_id: int, *, since: int = 0) -> list[Call]:
        """Messages the bot delivered to a chat (sendMessage calls answered 200)."""
        return [c for c in self.calls_of("sendMessage", since=since, chat_id=chat_id) if c.ok]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A message the bot sent, as it stands now (after edits)."""
        with self._lock:
            found = self._messages.get((chat_id, message_id))
            return copy.deepcopy(found)

    def live_keyboards(self, chat_id: int) -> dict[int, list[str]]:
        """Bot messages in a chat that still show inline buttons: message_id → callback data."""
        with self._lock:
            return {
                message_id: callback_data(message.get("reply_markup"))
                for (chat, message_id), message in sorted(self._messages.items())
                if chat == chat_id and message.get("reply_markup")
            }

    def _find(
        self, method: str, predicate: Callable[[Call], Any] | None, since: int
    ) -> Call | None:
        for call in self.calls_of(method, since=since):
            if predicate is None or predicate(call):
                return call
        return None

    def _timeout_message(self, method: str, since: int, timeout: float) -> str:
        recent = "\n".join(repr(c) for c in self.calls_of(since=since)[-15:])
        return f"no matching {method} call within {timeout} s; calls since {since}:\n{recent}"

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], Any] | None = None,
        *,
        timeout: float = 15.0,
        since: int = 0,
    ) -> Call:
        """The first call of `method` (from `since` on) matching `predicate`, once it is made."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(method, predicate, since)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(self._timeout_message(method, since, timeout))
            await asyncio.sleep(0.02)

    def wait_for_sync(
        self,
        method: str,
        predicate: Callable[[Call], Any] | None = None,
        *,
        timeout: float = 15.0,
        since: int = 0,
        alive: Callable[[], None] | None = None,
    ) -> Call:
        """`wait_for` for code outside an event loop; `alive()` may raise to give up early."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(method, predicate, since)
            if found is not None:
                return found
            if alive is not None:
                alive()
            if time.monotonic() > deadline:
                raise AssertionError(self._timeout_message(method, since, timeout))
            time.sleep(0.05)

    # --- updates as Telegram sends them -----------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    @staticmethod
    def user(
        user_id: int,
        first_name: str = "Lan",
        *,
        last_name: str | None = None,
        username: str | None = None,
        is_bot: bool = False,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": is_bot,
            "first_name": first_name,
            "language_code": "vi",
        }
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        return user

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if "last_name" in user:
            chat["last_name"] = user["last_name"]
        if "username" in user:
            chat["username"] = user["username"]
        with self._lock:
            self._chats[user["id"]] = chat
        return dict(chat)

    def group_chat(
        self, chat_id: int, title: str = "Tổ công tác Đơn vị học tập"
    ) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "group", "title": title}
        with self._lock:
            self._chats[chat_id] = chat
        return dict(chat)

    def _message_update(
        self,
        user: dict[str, Any],
        chat: dict[str, Any],
        content: dict[str, Any],
    ) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        return {"update_id": self.next_update_id(), "message": message}

    @staticmethod
    def _text_content(text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
            ]
        return content

    def text_update(
        self, user_id: int, text: str, *, first_name: str = "Lan", last_name: str | None = None
    ) -> dict[str, Any]:
        """A private text message (commands carry their bot_command entity)."""
        user = self.user(user_id, first_name, last_name=last_name)
        return self._message_update(user, self.private_chat(user), self._text_content(text))

    def group_update(
        self,
        user_id: int,
        text: str,
        *,
        group_id: int = -4_012_345_678,
        first_name: str = "Lan",
    ) -> dict[str, Any]:
        """A message in a basic group (negative chat id, type "group")."""
        user = self.user(user_id, first_name)
        return self._message_update(user, self.group_chat(group_id), self._text_content(text))

    def document_update(
        self,
        user_id: int,
        *,
        file_id: str,
        file_name: str,
        mime_type: str,
        file_size: int,
        caption: str | None = None,
        first_name: str = "Lan",
    ) -> dict[str, Any]:
        user = self.user(user_id, first_name)
        content: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": f"AgAD{file_id[-10:]}",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": file_size,
            }
        }
        if caption:
            content["caption"] = caption
        return self._message_update(user, self.private_chat(user), content)

    def photo_update(
        self,
        user_id: int,
        sizes: list[tuple[str, int, int, int]],
        *,
        caption: str | None = None,
        first_name: str = "Lan",
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        """A photo: `sizes` are (file_id, width, height, file_size), smallest first."""
        user = self.user(user_id, first_name)
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": file_id,
                    "file_unique_id": f"AQAD{file_id[-10:]}",
                    "width": width,
                    "height": height,
                    "file_size": size,
                }
                for file_id, width, height, size in sizes
            ]
        }
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return self._message_update(user, self.private_chat(user), content)

    def sticker_update(self, user_id: int, *, first_name: str = "Lan") -> dict[str, Any]:
        user = self.user(user_id, first_name)
        content = {
            "sticker": {
                "file_id": "CAACAgIAAxkBAAEBsticker",
                "file_unique_id": "AgADsticker",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        }
        return self._message_update(user, self.private_chat(user), content)

    def find_button(self, chat_id: int, data: str) -> dict[str, Any]:
        """The newest bot message in the chat that still shows a button with this data."""
        with self._lock:
            for (chat, _), message in sorted(self._messages.items(), reverse=True):
                if chat == chat_id and data in callback_data(message.get("reply_markup")):
                    return copy.deepcopy(message)
        raise AssertionError(
            f"no button {data!r} on screen in chat {chat_id}; live: {self.live_keyboards(chat_id)}"
        )

    def callback_update(
        self,
        user_id: int,
        data: str,
        *,
        message: dict[str, Any] | None = None,
        first_name: str = "Lan",
    ) -> dict[str, Any]:
        """A tap on an inline button: `message` is the bot's message that carried it (by
        default the newest one in the user's private chat still showing that button)."""
        user = self.user(user_id, first_name)
        self.private_chat(user)
        carrier = message if message is not None else self.find_button(user_id, data)
        query_id = str(next(self._callback_ids))
        with self._lock:
            self._issued_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(carrier),
            "chat_instance": f"-{7_000_000_000_000_000_000 + abs(int(carrier['chat']['id']))}",
            "data": data,
        }
        return {"update_id": self.next_update_id(), "callback_query": query}

    # --- the HTTP side --------------------------------------------------------------------------

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        result: Any,
        *,
        via_webhook: bool = False,
    ) -> Call:
        with self._lock:
            call = Call(len(self.calls), method, params, status, result, via_webhook=via_webhook)
            self.calls.append(call)
            return call

    async def post_webhook(
        self, port: int, update: dict[str, Any], secret: str | None
    ) -> tuple[int, str]:
        """Deliver an update to a bot's webhook as Telegram does, and carry out the method the
        bot may return in its response (Telegram runs it and reports no result back)."""
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with (
            ClientSession() as http,
            http.post(
                f"http://127.0.0.1:{port}/telegram/webhook", json=update, headers=headers
            ) as response,
        ):
            body = await response.read()
            content_type = response.headers.get("Content-Type", "")
        if response.status == 200:
            params = webhook_reply_params(content_type, body)
            method = params.pop("method", None)
            if method is not None:
                method = _CANONICAL.get(str(method).lower(), str(method))
                await self._invoke(method, params, via_webhook=True)
        return response.status, body.decode(errors="replace")

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {key: _decode(value) for key, value in request.query.items()}
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            params.update(body)
            return params
        if request.content_type not in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
        ):
            return params
        form = await request.post()
        uploads: dict[str, Upload] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.content_type, value.file.read())
                value.file.close()
            elif isinstance(value, bytes | bytearray):
                params[key] = _decode(bytes(value).decode())
            else:
                params[key] = _decode(value)
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = uploads.pop(value.removeprefix("attach://"), value)
        params.update(uploads)
        return params

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, params):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        params = await self._params(request)
        if request.match_info["token"] != self.token:
            self._record(method, params, 401, None)
            return self._error(401, "Unauthorized")
        return await self._invoke(method, params)

    async def _invoke(
        self, method: str, params: dict[str, Any], *, via_webhook: bool = False
    ) -> web.Response:
        def record(status: int, result: Any) -> Call:
            return self._record(method, params, status, result, via_webhook=via_webhook)

        handler = getattr(self, f"_m_{_snake(method)}", None)
        if handler is None:
            record(404, None)
            return self._error(404, "Not Found: method not found")
        fault = self._take_fault(method, params)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                record(fault.status, None)
                return self._error(fault.status, fault.description, fault.retry_after)
        chat_id = _as_int(params.get("chat_id")) or 0
        with self._lock:
            refusal = self.blocked.get(chat_id)
            limited = self._rate is not None and method in DELIVERING and refusal is None
            wait = self._rate.admit(chat_id, time.monotonic()) if limited and self._rate else None
        if wait is not None:
            record(429, None)
            return self._error(429, f"Too Many Requests: retry after {wait}", wait)
        if method in SENDING and refusal is not None:
            record(403, None)
            return self._error(403, refusal)
        # getUpdates is recorded when it starts: tests wait for the first long poll.
        call = record(200, None) if method == "getUpdates" else None
        try:
            result = await handler(params)
        except ApiError as error:
            if call is None:
                record(error.status, None)
            else:
                call.status = error.status
            return self._error(error.status, error.description)
        if call is None:
            record(200, result)
        else:
            call.result = result
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        with self._lock:
            self.downloads.append(path)
            remote = next((f for f in self._files.values() if f.file_path == path), None)
        if remote is None:
            return self._error(404, "Not Found")
        if remote.download_delay:
            await asyncio.sleep(remote.download_delay)
        with self._lock:
            failing = remote.download_failures > 0
            remote.download_failures -= failing
        if failing:
            return self._error(502, DESCRIPTIONS[502])
        if remote.download_status != 200:
            return self._error(
                remote.download_status, DESCRIPTIONS.get(remote.download_status, "")
            )
        return web.Response(body=remote.data, content_type="application/octet-stream")

    # --- Bot API methods ------------------------------------------------------------------------

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _as_int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        with self._lock:
            known = self._chats.get(chat_id)
        if known is not None:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Người dùng"}
        return {"id": chat_id, "type": "group", "title": "Nhóm"}

    @staticmethod
    def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for data in callback_data(markup):
            if not 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup if "inline_keyboard" in markup else None

    def _new_message(self, chat: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "from": BOT_USER,
            "chat": chat,
            "date": int(time.time()),
            **{k: v for k, v in content.items() if v is not None},
        }
        with self._lock:
            self._messages[(chat["id"], message["message_id"])] = message
            return copy.deepcopy(message)

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        key = (_as_int(params.get("chat_id")), _as_int(params.get("message_id")))
        with self._lock:
            message = self._messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def _m_get_me(self, params: dict[str, Any]) -> Any:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_get_updates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset")) or 0
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100)
        timeout = float(_as_int(params.get("timeout")) or 0)
        deadline = time.monotonic() + min(timeout, 50.0)
        while True:
            with self._lock:
                if offset > 0:  # confirms every update before it, as Telegram does
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = copy.deepcopy(self._updates[:limit])
            if ready or self._closing or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    async def _m_send_message(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._new_message(chat, {"text": text, "reply_markup": self._markup(params)})

    async def _m_edit_message_text(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = self._markup(params)
        with self._lock:
            if message.get("text") == text and message.get("reply_markup") == markup:
                raise ApiError(400, NOT_MODIFIED)
            message["text"] = text
            message.pop("reply_markup", None)
            if markup is not None:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    async def _m_edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        message = self._stored(params)
        markup = self._markup(params)
        with self._lock:
            if message.get("reply_markup") == markup:
                raise ApiError(400, NOT_MODIFIED)
            message.pop("reply_markup", None)
            if markup is not None:
                message["reply_markup"] = markup
            message["edit_date"] = int(time.time())
            return copy.deepcopy(message)

    async def _m_answer_callback_query(self, params: dict[str, Any]) -> Any:
        with self._lock:
            known = str(params.get("callback_query_id")) in self._issued_callbacks
        if not known:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        return True

    async def _m_send_chat_action(self, params: dict[str, Any]) -> Any:
        self._chat(params)
        return True

    async def _m_send_document(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        document = params.get("document")
        caption = params.get("caption")
        if caption is not None and utf16_length(str(caption)) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if isinstance(document, Upload):
            file_id = f"BQACAgIAAxkBAAI{next(self._file_ids):06d}"
            meta = {
                "file_id": file_id,
                "file_unique_id": f"AgAD{file_id[-6:]}",
                "file_name": document.filename,
                "mime_type": document.content_type,
                "file_size": len(document.data),
            }
        elif isinstance(document, str) and document in self._files:
            remote = self._files[document]
            meta = {
                "file_id": document,
                "file_unique_id": f"AgAD{document[-6:]}",
                "file_size": remote.size,
            }
        else:
            raise ApiError(400, "Bad Request: there is no document in the request")
        content = {"document": meta, "caption": caption, "reply_markup": self._markup(params)}
        return self._new_message(chat, content)

    async def _m_send_photo(self, params: dict[str, Any]) -> Any:
        """As Telegram checks an uploaded photo: an image it can read (PNG or JPEG), at most
        10 MB, width + height at most 10,000 and a side ratio of at most 20 (the Bot API's
        sendPhoto limits), else 400 as Telegram words it."""
        chat = self._chat(params)
        photo = params.get("photo")
        caption = params.get("caption")
        if caption is not None and utf16_length(str(caption)) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if not isinstance(photo, Upload):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        size = _image_size(photo.data)
        if size is None:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        width, height = size
        if len(photo.data) > PHOTO_LIMIT:
            raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        file_id = f"AgACAgIAAxkBAAI{next(self._file_ids):06d}"
        meta = {
            "file_id": file_id,
            "file_unique_id": f"AQAD{file_id[-6:]}",
            "width": width,
            "height": height,
            "file_size": len(photo.data),
        }
        content = {"photo": [meta], "caption": caption, "reply_markup": self._markup(params)}
        return self._new_message(chat, content)

    async def _m_get_file(self, params: dict[str, Any]) -> Any:
        with self._lock:
            remote = self._files.get(str(params.get("file_id")))
        if remote is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if remote.size > DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": remote.file_id,
            "file_unique_id": f"AgAD{remote.file_id[-10:]}",
            "file_size": remote.size,
            "file_path": remote.file_path,
        }

    async def _m_set_my_commands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be an array")
        for command in commands:
            if not _COMMAND.match(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        with self._lock:
            self.commands = commands
        return True

    async def _m_delete_webhook(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self.webhook = {"url": ""}
            if _truthy(params.get("drop_pending_updates")):
                self._updates.clear()
        return True

    async def _m_set_webhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            self.webhook = {k: v for k, v in params.items() if k != "certificate"}
            if _truthy(params.get("drop_pending_updates")):
                self._updates.clear()
        return True

    async def _m_get_webhook_info(self, params: dict[str, Any]) -> Any:
        with self._lock:
            info: dict[str, Any] = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            allowed = self.webhook.get("allowed_updates")
        if isinstance(allowed, list):
            info["allowed_updates"] = allowed
        return info

    async def _m_get_my_commands(self, params: dict[str, Any]) -> Any:
        with self._lock:
            return list(self.commands)


_CANONICAL = {
    name.lower(): name
    for name in (
        "getMe",
        "getUpdates",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "sendChatAction",
        "sendDocument",
        "sendPhoto",
        "getFile",
        "setMyCommands",
        "getMyCommands",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
    )
}
"""Bot API method names are case-insensitive."""
