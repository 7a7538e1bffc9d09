"""`dvht serve` (and `make run`): every configured chat channel in one process, with the HTTP
backend beside them when anything needs it; the console (`dvht chat`) when no channel is
configured.

Telegram (TELEGRAM_BOT_TOKEN) runs by long polling, or as a webhook on the backend when
TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET are set; Zalo (ZALO_BOT_TOKEN) is built by
`bot.zalo.channel`. The backend (`web.app` on `web.server`) runs whenever a webhook, Zalo or
DVHT_PUBLIC_URL is configured (`Settings.needs_backend`). One reminder dispatcher runs beside
them with a notifier per channel. With DVHT_PUBLIC_URL the backend also serves the web
dashboard (issue 15, `bot.dashboard`); `dvht web` serves the dashboard alone. This module only
runs channels: `bot.wiring` builds them, and the settings come from the entry point.

Before the first API request every token and secret is redacted from everything the process
may print (`bot.redaction`), and each channel's token and server are checked before the
database is opened; what fails at start-up leaves as a `bot.startup.StartupFailure`, which the
command line prints as one line. SIGINT and SIGTERM stop everything cleanly (exit status 0).

With DVHT_WORKERS = N > 1 (PostgreSQL, a backend configured) the backend's socket is also
served by N-1 worker processes (`bot.workers`) that answer the webhooks and report links only;
polling, the webhook registration, the dispatcher and the links cleanup stay here, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.serving import (
    close_all,
    configure_output,
    on_signals,
    report_links,
    start_backend,
    tune_garbage_collector,
)
from bot.startup import StartupFailure

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.channels import RunningChannel
    from bot.settings import Settings
    from bot.wiring import App
    from bot.workers import Workers
    from conversations.ports import ReportLinks
    from web.server import Backend

log = logging.getLogger(__name__)
QUEUE_DEPTH_EVERY_S = 30.0
"""How often the reminders due are counted for /metrics (one indexed COUNT)."""


def serve(settings: Settings, user: str) -> int:
    """Raises `StartupFailure` for a failure the operator can fix; no token or secret reaches
    any output, whatever fails and wherever (see `bot.redaction`)."""
    if settings.workers > 1:  # refused at once where workers cannot work (SQLite, no backend)
        from bot.workers import check_workers, use_metrics_directory

        check_workers(settings)
        # Before anything imports prometheus_client (the channels' metrics, the backend).
        use_metrics_directory(settings.data_dir)
    telegram = settings.telegram_token()
    zalo = settings.zalo_token()
    if telegram is None and zalo is None:
        return run_chat(settings, user)
    configure_output(settings)
    try:
        asyncio.run(_serve(settings, telegram, zalo))
    except Exception as error:
        if telegram is None:
            raise
        from bot.telegram.client import startup_failure

        # A Bot API failure that escaped (a start-up call refused after getMe passed, say):
        # named for the operator. Anything else goes to the command line's last resort.
        failure = startup_failure(error, api_url=settings.telegram_api_url, token=telegram)
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


# --- the channels and the backend --------------------------------------------------------------


async def _serve(settings: Settings, telegram: str | None, zalo: str | None) -> None:
    # Each channel's token and server first: nothing is opened for a bot that cannot run.
    if telegram is not None:
        from bot.telegram.client import check_bot_api  # aiogram takes seconds to import

        await check_bot_api(settings.telegram_api_url, telegram)
    if zalo is not None:
        await _check_zalo(settings.zalo_api_url, zalo)
    sock = _open_port(settings) if settings.needs_backend() else None
    try:
        await _run(settings, telegram, zalo, sock)
    finally:
        if sock is not None:
            sock.close()


def _open_port(settings: Settings) -> Any:
    """The backend's listening socket, before the database: a busy port is the operator's one
    line, and no webhook is registered for a server that did not start."""
    from web.server import PortUnavailable, open_socket

    try:
        return open_socket(settings.http_host, settings.http_port)
    except PortUnavailable as busy:
        raise StartupFailure(
            "http_port", host=busy.host, port=str(busy.port), description=busy.description
        ) from None


async def _run(settings: Settings, telegram: str | None, zalo: str | None, sock: Any) -> None:
    from bot.wiring import build_app

    polling_telegram = telegram is not None and not settings.webhook_mode()
    app = await build_app(settings, keep_replies=polling_telegram)
    closers: list[Callable[[], Awaitable[None]]] = [app.close]
    stop = asyncio.Event()
    restore = on_signals(stop.set)
    backend: Backend | None = None
    workers: Workers | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        links, link_routers, preview = report_links(settings) if sock is not None else _NO_LINKS
        if app.dossiers is not None:  # /hoso's ZIP above Telegram's limit, or on Zalo: a link
            app.dossiers.links = links
        channels: list[RunningChannel] = []
        if telegram is not None:
            from bot.wiring import running_telegram

            channels.append(running_telegram(settings, telegram, app))
            closers.insert(0, channels[-1].close)
        if zalo is not None:
            channels.append(await _build_zalo(settings, app, links, preview))
            closers.insert(0, channels[-1].close)
        tune_garbage_collector()
        if sock is not None:
            backend = await start_backend(app, sock, channels, link_routers, settings)
        for channel in channels:
            await channel.start()
        if sock is not None and settings.workers > 1:  # once the webhooks are registered
            from bot.workers import Workers

            workers = Workers(settings, sock, settings.workers - 1)
            workers.start()
            tasks.append(asyncio.create_task(workers.watch(stop), name="workers"))
        tasks.append(asyncio.create_task(_dispatch(settings, app, channels), name="reminders"))
        tasks.append(asyncio.create_task(_count_due(app), name="queue-depth"))
        if links is not None:  # expired links' files removed at start, then hourly
            cleanup = links.run_cleanup(stop)
            tasks.append(asyncio.create_task(cleanup, name="report-links-cleanup"))
        await _run_channels(channels, stop)
    finally:
        stop.set()
        if workers is not None:  # every process stops accepting at once
            workers.terminate()
        if backend is not None:
            await backend.stop()
        if workers is not None:
            await workers.stop()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await close_all(*closers)
        restore()
    if workers is not None and workers.failure is not None:
        raise workers.failure


async def _run_channels(channels: Sequence[RunningChannel], stop: asyncio.Event) -> None:
    """Until `stop`. A channel whose loop fails is logged and the others go on serving; the
    process stops when none is left."""
    running = {
        asyncio.create_task(channel.run(stop), name=f"channel-{channel.name}"): channel
        for channel in channels
    }
    try:
        while running:
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                channel = running.pop(task)
                error = task.exception()
                if isinstance(error, StartupFailure):
                    raise error
                if error is not None:
                    log.error("%s stopped", channel.name, exc_info=error)
                elif not stop.is_set():
                    log.warning("%s stopped on its own", channel.name)
    finally:
        stop.set()
        for task in running:
            with contextlib.suppress(Exception):
                await task


# --- Zalo and the report links ------------------------------------------------------------------


async def _check_zalo(api_url: str, token: str) -> None:
    from bot.zalo.channel import check_zalo_api

    await check_zalo_api(api_url, token)


async def _build_zalo(
    settings: Settings,
    app: App,
    links: ReportLinks | None,
    preview: Callable[[bytes], bytes] | None,
) -> RunningChannel:
    from bot.zalo.channel import build_zalo

    # Zalo always runs with the backend (`Settings.needs_backend`): its reports are links.
    assert links is not None
    return await build_zalo(settings, app, links, preview)


_NO_LINKS: tuple[None, list[APIRouter], None] = (None, [], None)


# --- beside the channels -------------------------------------------------------------------------


async def _dispatch(settings: Settings, app: App, channels: Sequence[RunningChannel]) -> None:
    """The reminder dispatcher beside the channels, on their senders (so pushes and replies
    share the retries, and a block marks the chat unreachable); it runs until they stop. On
    SQLite a `dvht dispatch` already running keeps this one waiting (one dispatcher there).
    Cancelled when the bot stops: a reminder being pushed then stays claimed and is sent by
    the next dispatcher once its lease runs out."""
    from bot.wiring import build_dispatcher
    from web.metrics import count_reminder

    def counted(reminder: Any, result: str) -> None:
        count_reminder(reminder.channel, result)

    try:
        from reports.renderer import ReportFiles

        dispatcher = build_dispatcher(
            settings,
            app.database,
            {channel.name: channel.notifier for channel in channels},
            reports=ReportFiles(),
            on_result=counted,
        )
        app.notice_listeners.append(dispatcher.nudge)  # a submission's notice goes at once
        await dispatcher.run(asyncio.Event())
    except Exception:  # the bot goes on answering; the reminders wait for the next start
        log.exception("the reminder dispatcher stopped")


async def _count_due(app: App, every_s: float = QUEUE_DEPTH_EVERY_S) -> None:
    """The reminders due now and not yet sent, for /metrics (`dvht_reminders_due`)."""
    from sqlalchemy import func, select

    from storage.tables import Reminder
    from web.metrics import set_queue_depth

    def count(session: Any) -> int:
        now = dt.datetime.now(dt.UTC)
        query = (
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.status == "planned", Reminder.due_at <= now)  # type: ignore[arg-type]
        )
        return int(session.connection().execute(query).scalar() or 0)

    while True:
        try:
            set_queue_depth(await app.database.run(count, write=False))
        except Exception as error:  # only a gauge: the next count may work
            log.warning("reminders due: not counted (%s)", type(error).__name__)
        await asyncio.sleep(every_s)


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


__all__ = ["close_all", "run_chat", "serve"]
