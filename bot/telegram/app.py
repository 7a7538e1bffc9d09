"""The Telegram bot: aiogram dispatch, long polling or webhook, wired to the service.

Handlers are thin: map the update, call the service, send the replies. Updates of one user are
handled one at a time (aiogram's event isolation), so a double tap cannot race; duplicates are
dropped by the service's processed-update table.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import EditMessageReplyMarkup
from aiogram.types import BotCommand, CallbackQuery, Message, Update
from aiohttp import web

import bot.telegram.response_types  # noqa: F401  (keeps Response[...] models cached)
from bot.telegram.mapping import from_callback, from_message
from bot.telegram.sender import TelegramSender
from bot.telegram.session import JsonSession
from conversations.messages import Inbound
from conversations.service import ConversationService

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
COMMANDS = (
    ("start", "Bắt đầu: tạo hoặc tham gia đơn vị"),
    ("danhgia", "Đánh giá, tiếp tục đúng chỗ đang dừng"),
    ("ketqua", "Kết quả hiện tại và còn thiếu gì"),
    ("baocao", "Báo cáo tự đánh giá"),
    ("sua", "Sửa câu trả lời một chỉ tiêu, ví dụ /sua 2.4"),
    ("hoi", "Hỏi nhanh, ví dụ /hoi cần gì để đạt mức 2"),
    ("huongdan", "Hướng dẫn sử dụng"),
    ("huy", "Dừng câu hỏi hiện tại"),
)


class RedactToken(logging.Filter):
    """Bot tokens appear in Bot API URLs: never let one reach a log line."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.pattern = re.compile(re.escape(token))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.pattern.search(message):
            record.msg, record.args = self.pattern.sub("<token>", message), None
        if record.exc_info and not record.exc_text:
            # Tracebacks carry URLs too (aiohttp errors quote the file download URL).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.pattern.sub("<token>", record.exc_text)
        if record.stack_info:
            record.stack_info = self.pattern.sub("<token>", record.stack_info)
        return True


def install_redaction(token: str) -> None:
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger().addFilter(redact)


def make_bot(token: str, api_url: str) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token, session=session)


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
    async def on_message(message: Message, event_update: Update) -> EditMessageReplyMarkup | None:
        inbound = from_message(message, event_update.update_id)
        if inbound is None:
            return None
        # Stored before any reply is attempted.
        replies = await service.handle(inbound, rendering=uploading(inbound.chat_id))
        typed_over = bool(inbound.text) and not inbound.is_group
        stale = sender.take_keyboard(inbound.chat_id) if typed_over else None
        await sender.send(inbound.chat_id, inbound.user_id, replies)
        return await retire(inbound, stale)

    @router.callback_query()
    async def on_button(
        callback: CallbackQuery, event_update: Update
    ) -> EditMessageReplyMarkup | None:
        inbound = from_callback(callback, event_update.update_id)
        if inbound is None:
            async with sender.quietly():
                await sender.call(callback.answer)  # stop the spinner all the same
            return None
        replies = await service.handle(inbound, rendering=uploading(inbound.chat_id))
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


async def announce_commands(bot: Bot, sender: TelegramSender) -> None:
    commands = [BotCommand(command=name, description=text) for name, text in COMMANDS]
    await sender.call(bot.set_my_commands, commands=commands)


async def run_polling(bot: Bot, dispatcher: Dispatcher, sender: TelegramSender) -> None:
    await sender.call(bot.delete_webhook, drop_pending_updates=False)
    await announce_commands(bot, sender)
    log.info("Telegram: long polling")
    await dispatcher.start_polling(bot, polling_timeout=30, handle_signals=True)


def webhook_app(
    bot: Bot, dispatcher: Dispatcher, sender: TelegramSender, *, url: str, secret: str
) -> web.Application:
    """An aiohttp app that accepts updates only with the right secret header (401 otherwise)."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    app = web.Application()
    # Not in the background: the handler's returned method becomes the HTTP response.
    SimpleRequestHandler(
        dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False
    ).register(app, path=WEBHOOK_PATH)
    setup_application(app, dispatcher, bot=bot)

    async def on_startup(_: Any) -> None:
        await announce_commands(bot, sender)
        await sender.call(
            bot.set_webhook,
            url=url,
            secret_token=secret,
            allowed_updates=["message", "callback_query"],
        )
        log.info("Telegram: webhook at %s", url)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.on_startup.append(on_startup)
    app.router.add_get("/health", health)
    return app
