"""`dvht serve` (and `make run`): the Telegram bot when a token is configured, else the console
(`dvht chat`).

Telegram runs by long polling, or as a webhook when TELEGRAM_WEBHOOK_URL and
TELEGRAM_WEBHOOK_SECRET are set. This module only runs channels: `bot.wiring` builds them, and
the settings come from the entry point.

Before the first Bot API request the token is redacted from everything the process may print
(`bot.redaction`), and the token and the server are checked with getMe before the database is
opened; what fails at start-up leaves as a `bot.startup.StartupFailure`, which the command
line prints as one line.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)
GC_THRESHOLDS = (10_000, 20, 10)
"""Allocations before a young collection, and young (middle) collections before an older one."""


def serve(settings: Settings, user: str) -> int:
    """Raises `StartupFailure` for a failure the operator can fix; the token never reaches
    any output, whatever fails and wherever (see `bot.redaction`)."""
    token = settings.telegram_token()
    if token is None:
        return run_chat(settings, user)
    from bot.redaction import install_redaction

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    webhook_secret = settings.telegram_webhook_secret
    # Before the first request: from here on, nothing this process prints can show the token.
    install_redaction(
        token, secrets=[webhook_secret.get_secret_value() if webhook_secret else None]
    )
    try:
        asyncio.run(_telegram(settings, token))
    except Exception as error:
        from bot.telegram.client import startup_failure

        # A Bot API failure that escaped (a start-up call refused after getMe passed, say):
        # named for the operator. Anything else goes to the command line's last resort.
        failure = startup_failure(error, api_url=settings.telegram_api_url, token=token)
        if failure is None:
            raise
        raise failure from None
    return 0


def run_chat(settings: Settings, user: str) -> int:
    """The console channel on this terminal until end of input."""
    from bot.console import LocalFiles, chat
    from bot.wiring import build_app

    async def main() -> None:
        limit = settings.max_upload_mb * 1024 * 1024  # the evidence store's limit too
        app = await build_app(settings, files=LocalFiles(max_bytes=limit))
        try:
            await chat(
                app.service,
                user=user,
                source=sys.stdin,
                sink=sys.stdout,
                save_dir=settings.data_dir / "reports",
            )
        finally:
            await app.close()

    asyncio.run(main())
    return 0


async def _telegram(settings: Settings, token: str) -> None:
    # aiogram takes seconds to import: only `serve` with a token loads it.
    from bot.telegram.client import check_bot_api
    from bot.wiring import build_telegram

    await check_bot_api(settings.telegram_api_url, token)
    app, channel = await build_telegram(settings, token)
    _tune_garbage_collector()
    try:
        if channel.webhook:
            from bot.telegram.webhook import run_webhook

            assert settings.telegram_webhook_url is not None
            assert settings.telegram_webhook_secret is not None
            await run_webhook(
                channel.bot,
                channel.dispatcher,
                channel.sender,
                url=settings.telegram_webhook_url,
                secret=settings.telegram_webhook_secret.get_secret_value(),
                host=settings.webhook_host,
                port=settings.webhook_port,
            )
        else:
            from bot.telegram.polling import run_polling

            await run_polling(
                channel.bot, channel.dispatcher, channel.sender, app.inbox("telegram")
            )
    finally:
        await close_all(app.close, channel.close)


async def close_all(*closers: Callable[[], Awaitable[None]]) -> None:
    """Run every closer even if one fails; a failure is logged (redacted, like every log
    line) rather than raised, so it neither hides the error that ended the service nor skips
    closing the rest."""
    for close in closers:
        try:
            await close()
        except Exception:
            log.exception("shutdown: %s failed", getattr(close, "__qualname__", "closing"))


def _tune_garbage_collector() -> None:
    """Collect less often, and never again walk what start-up built.

    Each update allocates thousands of short-lived objects (aiogram's pydantic models,
    SQLAlchemy's), so with CPython's default threshold of 700 the collector ran several times
    per update and its full passes walked every model class aiogram defines. Measured in the
    webhook benchmark: CPU per update 1.6-2.1 ms instead of 2.1-2.5 ms, p99 latency 80-93 ms
    instead of 250-340 ms. Cyclic garbage is still collected; a full pass now comes every few
    hundred updates and only walks objects made since start-up.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
