"""Webhook mode (TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET set): an aiohttp server that
Telegram posts updates to. The next issue moves it into the HTTP backend."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.telegram.polling import announce_commands
from bot.telegram.sender import TelegramSender

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


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


async def run_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    sender: TelegramSender,
    *,
    url: str,
    secret: str,
    host: str,
    port: int,
) -> None:
    """Serve the webhook on host:port until SIGINT or SIGTERM."""
    app = webhook_app(bot, dispatcher, sender, url=url, secret=secret)
    # No access log: aiogram already logs each update with its duration, and a second line
    # per webhook request cost about 3% of the bot's time in the webhook benchmark.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("webhook server on %s:%d", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
