"""Webhook mode (TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET set): an aiohttp server that
Telegram posts updates to. The next issue moves it into the HTTP backend.

The port is open to the internet, so the server assumes nothing of its clients: a request
without the exact secret header (missing, another length, bytes that are not even ASCII) gets
401 before its body is read; a body over `max_body_bytes` gets 413 (Telegram's updates are a
few kilobytes); and slow clients are dropped (see `WebhookLimits`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.startup import StartupFailure
from bot.telegram.polling import announce_commands
from bot.telegram.sender import TelegramSender

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookLimits:
    header_timeout_s: float = 10.0
    """From the connection's start, or the end of its previous response, until the next
    request's headers are complete; an idle keep-alive connection is closed after it too.
    aiohttp 3.14 runs its keep-alive timer exactly so (from `connection_made`, reset after each
    response, closing the connection if no complete request arrived), so it is that timer: a
    client that sends its headers a byte at a time is dropped when it fires."""
    body_timeout_s: float = 10.0
    """Reading one request's body; a slower client gets 408 and the connection is closed."""
    max_body_bytes: int = 1024 * 1024
    """A larger body gets 413 without being read (by its Content-Length) or as soon as it
    passes the limit (a chunked body). Telegram's largest updates are tens of kilobytes."""


class GuardedRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler with the checks above; the handler's returned method still
    becomes the HTTP response (not in the background)."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, *, secret: str, limits: WebhookLimits
    ) -> None:
        super().__init__(
            dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False
        )
        self.expected = secret.encode("utf-8")
        self.limits = limits

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        """Compared as bytes in constant time: `hmac.compare_digest` on str refuses non-ASCII
        text with TypeError (a 500 before), and its time depends only on the lengths."""
        try:
            # aiohttp decodes header bytes as UTF-8 with surrogateescape: this gives them back.
            offered = telegram_secret_token.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(offered, self.expected)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            return _refuse(401, "Unauthorized")
        declared = request.content_length
        if declared is not None and declared > self.limits.max_body_bytes:
            return _refuse(413, "Request Entity Too Large")
        try:
            if request.content.is_eof():  # the whole body came with the headers, as a rule
                body = await request.read()
            else:  # a timer costs 8 µs: only for a body still on its way
                async with asyncio.timeout(self.limits.body_timeout_s):
                    body = await request.read()
        except TimeoutError:
            return _refuse(408, "Request Timeout")
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "Request Entity Too Large")
        try:
            # One step from bytes (no json.loads, then validation): 55 µs instead of 61 µs for
            # a text message, and JSON nested too deep is a ValidationError, not a crash.
            update = Update.model_validate_json(body, context={"bot": self.bot})
        except ValidationError:
            return web.Response(status=400, text="Bad Request: not a Telegram update")
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            self.bot, update, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=self.bot, result=result))


def _refuse(status: int, reason: str) -> web.Response:
    """A refusal closes the connection: its unread body is not drained, and a client that
    misbehaved once gets no second request on it."""
    response = web.Response(status=status, text=reason)
    response.force_close()
    return response


def webhook_app(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    secret: str,
    limits: WebhookLimits | None = None,
) -> web.Application:
    """The aiohttp app: updates at WEBHOOK_PATH, and /health."""
    limits = limits or WebhookLimits()
    app = web.Application(client_max_size=limits.max_body_bytes)
    GuardedRequestHandler(dispatcher, bot, secret=secret, limits=limits).register(
        app, path=WEBHOOK_PATH
    )
    setup_application(app, dispatcher, bot=bot)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/health", health)
    return app


async def start_server(
    app: web.Application, host: str, port: int, limits: WebhookLimits | None = None
) -> web.AppRunner:
    """Serving on host:port when it returns; a port that cannot be opened is a
    `StartupFailure` naming the two settings."""
    limits = limits or WebhookLimits()
    # No access log: aiogram already logs each update with its duration, and a second line
    # per webhook request cost about 3% of the bot's time in the webhook benchmark.
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=limits.header_timeout_s)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        reason = error.strerror or type(error).__name__
        raise StartupFailure(
            "webhook_port", host=host, port=str(port), description=reason
        ) from None
    return runner


async def register_webhook(bot: Bot, sender: TelegramSender, *, url: str, secret: str) -> None:
    """The command menu and setWebhook, once the port is open (Telegram may post at once)."""
    await announce_commands(bot, sender)
    registered = await sender.call(
        bot.set_webhook,
        url=url,
        secret_token=secret,
        allowed_updates=["message", "callback_query"],
    )
    if registered is None:  # dropped after the sender's retries (5xx, network)
        raise StartupFailure("webhook_unset")
    log.info("Telegram: webhook at %s", url)


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
    app = webhook_app(bot, dispatcher, secret=secret)
    runner = await start_server(app, host, port)
    try:
        log.info("webhook server on %s:%d", host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        await register_webhook(bot, sender, url=url, secret=secret)
        await stop.wait()
    finally:
        await runner.cleanup()
