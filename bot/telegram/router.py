"""The Telegram bot's update handlers, wired to the conversation service.

Handlers are thin: map the update, call the service, send the replies. Updates of one user are
handled one at a time (aiogram's event isolation), so a double tap cannot race; duplicates are
dropped by the service's processed-update table.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from aiogram import Dispatcher, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import EditMessageReplyMarkup
from aiogram.types import CallbackQuery, Message, Update

import bot.telegram.response_types  # noqa: F401  (keeps Response[...] models cached)
from bot.telegram.mapping import from_callback, from_message
from bot.telegram.metrics import Tally
from bot.telegram.sender import TelegramSender
from conversations.messages import Inbound
from conversations.service import ConversationService


def make_dispatcher(
    service: ConversationService, sender: TelegramSender, *, webhook: bool = False
) -> Dispatcher:
    """The handlers. In webhook mode the removal of the answered question's buttons is returned
    as the webhook's HTTP response, which Telegram carries out itself: one Bot API request fewer
    per answer. Its result is not reported back, which suits a removal that may fail harmlessly
    (the message was already edited, or is too old)."""
    router = Router(name="dvht")

    def uploading(chat_id: str) -> Callable[[], Awaitable[None]]:
        return lambda: sender.show_uploading(chat_id)

    async def retire(inbound: Inbound, message_id: int | None) -> EditMessageReplyMarkup | None:
        """Called after the replies are sent, so the next question shows up first."""
        if message_id is None:
            return None
        if webhook:
            return EditMessageReplyMarkup(chat_id=inbound.chat_id, message_id=message_id)
        async with sender.conversation(inbound):
            await sender.remove_buttons(inbound.chat_id, message_id)
        return None

    @router.message()
    async def on_message(
        message: Message, event_update: Update, tally: Tally | None = None
    ) -> EditMessageReplyMarkup | None:
        tally = tally or Tally()
        inbound = from_message(message, event_update.update_id)
        if inbound is None:
            tally.outcome = "ignored"
            return None
        # Stored before any reply is attempted.
        replies = await service.handle(inbound, rendering=uploading(inbound.chat_id))
        if not replies:  # handled before (a retried webhook): nothing to send
            tally.outcome = "duplicate"
        typed_over = bool(inbound.text) and not inbound.is_group
        stale = sender.take_keyboard(inbound.chat_id) if typed_over else None
        await sender.send(inbound.chat_id, inbound.user_id, replies)
        return await retire(inbound, stale)

    @router.callback_query()
    async def on_button(
        callback: CallbackQuery, event_update: Update, tally: Tally | None = None
    ) -> EditMessageReplyMarkup | None:
        tally = tally or Tally()
        inbound = from_callback(callback, event_update.update_id)
        if inbound is None:
            tally.outcome = "ignored"
            async with sender.quietly():
                await sender.call(callback.answer)  # stop the spinner all the same
            return None
        replies = await service.handle(inbound, rendering=uploading(inbound.chat_id))
        if not replies:
            tally.outcome = "duplicate"
        # A tap taken up again after a restart may be too old to answer (400): reply anyway.
        with contextlib.suppress(TelegramBadRequest):
            async with sender.conversation(inbound):
                await sender.call(callback.answer)
        stale = None
        if isinstance(callback.message, Message):
            stale = sender.take_keyboard(inbound.chat_id, callback.message.message_id)
        await sender.send(inbound.chat_id, inbound.user_id, replies)
        return await retire(inbound, stale)

    dispatcher = Dispatcher(events_isolation=SimpleEventIsolation())
    dispatcher.include_router(router)
    return dispatcher
