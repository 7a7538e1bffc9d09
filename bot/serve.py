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
import contextlib
import datetime as dt
import gc
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.telegram.client import TelegramChannel
    from bot.wiring import App

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
            try:
                await _console_reminders(settings, app, user, settings.data_dir / "reports")
            except Exception:  # a courtesy before the chat: never what stops it
                log.exception("the due reminders could not be shown")
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
    reminders = asyncio.create_task(_dispatch(settings, app, channel), name="dvht-reminders")
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
                host=settings.http_host,
                port=settings.http_port,
            )
        else:
            from bot.telegram.polling import run_polling

            await run_polling(
                channel.bot, channel.dispatcher, channel.sender, app.inbox("telegram")
            )
    finally:
        reminders.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reminders
        await close_all(app.close, channel.close)


async def _dispatch(settings: Settings, app: App, channel: TelegramChannel) -> None:
    """The reminder dispatcher beside the bot, on the same sender (so pushes and replies share
    the retries, and a 403 marks the chat unreachable); it runs until the bot stops. On
    SQLite a `dvht dispatch` already running keeps this one waiting (one dispatcher there).
    Cancelled when the bot stops: a reminder being pushed then stays claimed and is sent by
    the next dispatcher once its lease runs out."""
    from bot.wiring import build_dispatcher

    try:
        from reports.renderer import ReportFiles

        dispatcher = build_dispatcher(
            settings, app.database, {"telegram": channel.sender}, reports=ReportFiles()
        )
        await dispatcher.run(asyncio.Event())
    except Exception:  # the bot goes on answering; the reminders wait for the next start
        log.exception("the reminder dispatcher stopped")


async def _console_reminders(settings: Settings, app: App, user: str, save_dir: Path) -> None:
    """The reminders due for this console user, shown before the chat starts (and marked
    sent). Planned first: the console has no dispatcher running between two chats."""
    from bot.console import ConsoleNotifier
    from bot.wiring import build_dispatcher
    from reminders.ports import Scope
    from storage.reminder_store import SqlReminderStore

    store = SqlReminderStore(app.database)
    identity = await store.identity(channel="console", external_id=user)
    if identity is None:
        return
    notifier = ConsoleNotifier(sys.stdout, save_dir)
    dispatcher = build_dispatcher(
        settings,
        app.database,
        {"console": notifier},
        quiet_hours=False,
        scope=Scope(channels=("console",), identity_id=identity),
    )
    if dispatcher.planner is not None:
        await dispatcher.planner.plan()
    await dispatcher.run_until_idle(horizon=dt.timedelta(0))


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
