"""Sending replies to Telegram: retries on flood limits and server errors, stale keyboards
removed, blocked users marked unreachable. The answer was stored before any of this runs, so
a reply that fails never loses it. The same sender pushes messages no update asked for (the
`Notifier` port); a push reports a flood limit instead of waiting it out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, FSInputFile, InputFile

from bot.telegram.mapping import keyboard
from conversations.messages import Inbound, Outbound
from conversations.ports import Delivery

T = TypeVar("T")
log = logging.getLogger(__name__)
ATTEMPTS = 4
TELEGRAM_TEXT_LIMIT = 4096
BACKOFF_S = 0.5
SENT = Delivery("sent")
BLOCKED = Delivery("blocked")
FAILED = Delivery("failed")
PHOTO_MIME = "image/png"
"""A PNG goes out as a photo (the result's chart, issue 16), shown in the chat rather than as a
file to open; every other attachment as a document."""


def merge(replies: list[Outbound], limit: int = TELEGRAM_TEXT_LIMIT) -> list[Outbound]:
    """Consecutive plain texts go out as one message: fewer bubbles on the official's phone,
    and half the Bot API calls (each costs the bot more than the rest of the update)."""
    merged: list[Outbound] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.buttons
            and previous.document is None
            and reply.document is None
            and len(previous.text) + 2 + len(reply.text) <= limit
        ):
            merged[-1] = replace(reply, text=f"{previous.text}\n\n{reply.text}")
        else:
            merged.append(reply)
    return merged


class Blocked(Exception):
    """The user blocked the bot (403): stop sending to them."""


class Flooded(Exception):
    """A flood limit (429) met by a push, which reports it rather than waiting."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(retry_after_s)
        self.retry_after_s = retry_after_s


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        *,
        on_blocked: Callable[[str], Awaitable[None]] | None = None,
        backoff_s: float = BACKOFF_S,
    ) -> None:
        self.bot = bot
        self.on_blocked = on_blocked
        self.backoff_s = backoff_s
        self._keyboards: dict[str, int] = {}
        """The last message with buttons in each chat, so a new question can retire it."""

    async def send(self, chat_id: str, user_id: str, replies: list[Outbound]) -> None:
        try:
            for reply in merge(replies):
                await self._send_one(chat_id, reply)
        except Blocked:
            await self._blocked(chat_id, user_id)

    async def push(self, chat_id: str, messages: Sequence[Outbound]) -> Delivery:
        """`Notifier.push`: the messages as replies go (merged, buttons retired), except that a
        flood limit returns "retry_after" at once and a refused request returns "failed"."""
        try:
            for message in merge(list(messages)):
                if not await self._send_one(chat_id, message, wait_flood=False):
                    return FAILED  # dropped after the last attempt (logged by `call`)
        except Blocked:
            if not chat_id.startswith("-"):  # a private chat: its id is the user's
                await self._blocked(chat_id, chat_id)
            return BLOCKED
        except Flooded as flood:
            return Delivery("retry_after", flood.retry_after_s)
        except TelegramAPIError as refused:  # 400: chat not found, text too long…
            log.warning("Bot API refused a push to a chat: %s", refused.message)
            return FAILED
        return SENT

    async def _blocked(self, chat_id: str, user_id: str) -> None:
        """A 403 in a private chat means the user blocked the bot (marked unreachable); in a
        group it only means the bot was removed from the group."""
        if chat_id == user_id and self.on_blocked is not None:
            await self.on_blocked(user_id)

    @contextlib.asynccontextmanager
    async def conversation(self, inbound: Inbound) -> AsyncIterator[None]:
        """Bot API calls about one update other than its replies (keyboards, callbacks)."""
        try:
            yield
        except Blocked:
            await self._blocked(inbound.chat_id, inbound.user_id)

    async def show_uploading(self, chat_id: str) -> None:
        """“Sending a file…” under the chat's title while a report is rendered; only a hint,
        so no failure of it stops the report."""
        with contextlib.suppress(Blocked, TelegramBadRequest):
            await self.call(
                self.bot.send_chat_action, chat_id=chat_id, action=ChatAction.UPLOAD_DOCUMENT
            )

    @contextlib.asynccontextmanager
    async def quietly(self) -> AsyncIterator[None]:
        with contextlib.suppress(Blocked):
            yield

    async def _send_one(self, chat_id: str, reply: Outbound, *, wait_flood: bool = True) -> bool:
        """False if the message was dropped after the last attempt."""
        if reply.document is not None and reply.document.mime_type == PHOTO_MIME:
            photo = BufferedInputFile(reply.document.data, filename=reply.document.file_name)
            shown = await self._call(
                self.bot.send_photo,
                {"chat_id": chat_id, "photo": photo, "caption": reply.text[:1024] or None},
                wait_flood=wait_flood,
            )
            return shown is not None
        if reply.document is not None:
            attached = reply.document
            document: InputFile = (
                FSInputFile(attached.path, filename=attached.file_name)  # streamed from disk
                if attached.path is not None
                else BufferedInputFile(attached.data, filename=attached.file_name)
            )
            uploaded = await self._call(
                self.bot.send_document,
                {"chat_id": chat_id, "document": document, "caption": reply.text[:1024] or None},
                wait_flood=wait_flood,
            )
            return uploaded is not None
        markup = keyboard(reply.buttons)
        if markup is not None:
            await self.retire_keyboard(chat_id, wait_flood=wait_flood)
        sent = await self._call(
            self.bot.send_message,
            {"chat_id": chat_id, "text": reply.text, "reply_markup": markup},
            wait_flood=wait_flood,
        )
        if markup is not None and sent is not None:
            self._keyboards[chat_id] = sent.message_id
        return sent is not None

    def take_keyboard(self, chat_id: str, message_id: int | None = None) -> int | None:
        """The message whose buttons must go with this update: the one pressed, or the last
        question when the user typed instead; forgotten, so nothing retires it twice."""
        if message_id is None:
            return self._keyboards.pop(chat_id, None)
        if self._keyboards.get(chat_id) == message_id:
            del self._keyboards[chat_id]
        return message_id

    async def retire_keyboard(
        self, chat_id: str, message_id: int | None = None, *, wait_flood: bool = True
    ) -> None:
        """Remove the buttons of an answered question so old taps cannot be made."""
        target = self.take_keyboard(chat_id, message_id)
        if target is not None:
            await self.remove_buttons(chat_id, target, wait_flood=wait_flood)

    async def remove_buttons(
        self, chat_id: str, message_id: int, *, wait_flood: bool = True
    ) -> None:
        # Already edited, or too old to edit: the buttons are harmless then.
        with contextlib.suppress(TelegramBadRequest):
            await self._call(
                self.bot.edit_message_reply_markup,
                {"chat_id": chat_id, "message_id": message_id, "reply_markup": None},
                wait_flood=wait_flood,
            )

    async def call(self, method: Callable[..., Awaitable[T]], **kwargs: Any) -> T | None:
        """One Bot API call with retries: 429 waits retry_after, 5xx and network errors back
        off exponentially; 403 raises Blocked; after the last attempt the reply is dropped."""
        return await self._call(method, kwargs, wait_flood=True)

    async def _call(
        self, method: Callable[..., Awaitable[T]], kwargs: dict[str, Any], *, wait_flood: bool
    ) -> T | None:
        """`call`; without `wait_flood` a 429 raises Flooded instead of being waited out."""
        for attempt in range(ATTEMPTS):
            try:
                return await method(**kwargs)
            except TelegramRetryAfter as flood:
                if not wait_flood:
                    raise Flooded(float(flood.retry_after)) from None
                await asyncio.sleep(flood.retry_after)
            except (TelegramServerError, TelegramNetworkError) as error:
                log.warning(
                    "Bot API %s failed (%s), attempt %d",
                    method.__name__,
                    type(error).__name__,
                    attempt + 1,
                )
                await asyncio.sleep(self.backoff_s * 2**attempt)
            except TelegramForbiddenError:
                raise Blocked from None
        log.error("Bot API %s failed %d times; reply dropped", method.__name__, ATTEMPTS)
        return None
