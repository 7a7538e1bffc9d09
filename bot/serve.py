"""`dvht serve` (and `make run`): every configured chat channel in one process, with the HTTP
backend beside them when anything needs it; the console (`dvht chat`) when no channel is
configured.

Telegram (TELEGRAM_BOT_TOKEN) runs by long polling, or as a webhook on the backend when
TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET are set; Zalo (ZALO_BOT_TOKEN) is built by
`bot.zalo.channel`. The backend (`web.app` on `web.server`) runs whenever a webhook, Zalo or
DVHT_PUBLIC_URL is configured (`Settings.needs_backend`). One reminder dispatcher runs beside
them with a notifier per channel. This module only runs channels: `bot.wiring` builds them,
and the settings come from the entry point.

Before the first API request every token and secret is redacted from everything the process
may print (`bot.redaction`), and each channel's token and server are checked before the
database is opened; what fails at start-up leaves as a `bot.startup.StartupFailure`, which the
command line prints as one line. SIGINT and SIGTERM stop everything cleanly (exit status 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.startup import StartupFailure

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.channels import RunningChannel
    from bot.settings import Settings
    from bot.wiring import App
    from conversations.ports import ReportLinks
    from web.links import SignedLinks
    from web.server import Backend

log = logging.getLogger(__name__)
GC_THRESHOLDS = (10_000, 20, 10)
"""Allocations before a young collection, and young (middle) collections before an older one."""
QUEUE_DEPTH_EVERY_S = 30.0
"""How often the reminders due are counted for /metrics (one indexed COUNT)."""


def serve(settings: Settings, user: str) -> int:
    """Raises `StartupFailure` for a failure the operator can fix; no token or secret reaches
    any output, whatever fails and wherever (see `bot.redaction`)."""
    telegram = settings.telegram_token()
    zalo = settings.zalo_token()
    if telegram is None and zalo is None:
        return run_chat(settings, user)
    from bot.redaction import install_redaction

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # httpx logs every request at INFO: one line per Zalo poll and per reply, which buried the
    # bot's own lines (aiogram logs each update once). Failures are logged by the Zalo client.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Before the first request: from here on, nothing this process prints can show a token.
    install_redaction(telegram, zalo, secrets=_secrets(settings))
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


def _secrets(settings: Settings) -> list[str | None]:
    configured = (settings.telegram_webhook_secret, settings.zalo_webhook_secret)
    secrets = [secret.get_secret_value() if secret else None for secret in configured]
    if settings.secret_key is not None:
        secrets.append(settings.secret_key.get_secret_value())
    return secrets


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
    restore = _on_signals(stop.set)
    backend: Backend | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        links, link_routers, preview = _report_links(settings) if sock is not None else _NO_LINKS
        channels: list[RunningChannel] = []
        if telegram is not None:
            from bot.wiring import running_telegram

            channels.append(running_telegram(settings, telegram, app))
            closers.insert(0, channels[-1].close)
        if zalo is not None:
            channels.append(await _build_zalo(settings, app, links, preview))
            closers.insert(0, channels[-1].close)
        _tune_garbage_collector()
        if sock is not None:
            backend = await _start_backend(app, sock, channels, link_routers)
        for channel in channels:
            await channel.start()
        tasks.append(asyncio.create_task(_dispatch(settings, app, channels), name="reminders"))
        tasks.append(asyncio.create_task(_count_due(app), name="queue-depth"))
        if links is not None:  # expired links' files removed at start, then hourly
            cleanup = links.run_cleanup(stop)
            tasks.append(asyncio.create_task(cleanup, name="report-links-cleanup"))
        await _run_channels(channels, stop)
    finally:
        stop.set()
        if backend is not None:
            await backend.stop()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await close_all(*closers)
        restore()


async def _start_backend(
    app: App,
    sock: Any,
    channels: Sequence[RunningChannel],
    extra: Sequence[APIRouter],
) -> Backend:
    from web.app import create_app
    from web.server import Backend

    routers = [router for channel in channels for router in channel.routers]
    backend = Backend(create_app(routers=[*routers, *extra], database_ok=app.database_ok), sock)
    await backend.start()
    return backend


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


def _on_signals(handler: Callable[[], None]) -> Callable[[], None]:
    """SIGINT and SIGTERM call `handler`; the returned function puts the defaults back."""
    loop = asyncio.get_running_loop()
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, handler)
            installed.append(signum)

    def restore() -> None:
        for signum in installed:
            loop.remove_signal_handler(signum)

    return restore


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


def _report_links(
    settings: Settings,
) -> tuple[SignedLinks | None, list[APIRouter], Callable[[bytes], bytes] | None]:
    """Signed report links (`web.links`), their `GET /r/{token}` routes and the page-1 preview,
    under DVHT_DATA_DIR/report-links, signed with DVHT_SECRET_KEY (generated on first start
    when unset, and then redacted like a configured one)."""
    from bot.redaction import redact_also
    from reports.preview import first_page_png
    from web.links import SignedLinks
    from web.report_routes import report_routes

    secret = settings.secret_key_bytes()
    redact_also(secret.decode("utf-8", "replace"))
    links = SignedLinks(
        secret=secret,
        base_url=settings.base_url(),
        directory=settings.data_dir / "report-links",
        ttl=dt.timedelta(days=settings.report_link_days),
    )
    return links, [report_routes(links)], first_page_png


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
