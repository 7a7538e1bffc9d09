"""What every process of `dvht serve` does the same way: the main one (`bot.serve`) and each
worker process (`bot.workers`). The output (log format and redaction), the backend on a given
socket, the report links, the signals, the closing, the garbage collector's tuning.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter

    from bot.channels import RunningChannel
    from bot.settings import Settings
    from bot.wiring import App
    from web.links import SignedLinks
    from web.server import Backend

log = logging.getLogger("bot.serve")
"""The name these lines always had: operators' filters and the tests look for it."""
GC_THRESHOLDS = (10_000, 20, 10)
"""Allocations before a young collection, and young (middle) collections before an older one."""


def configure_output(settings: Settings) -> None:
    """The log format, and every token and secret redacted from whatever the process prints:
    the main process and each worker (`bot.workers`) alike, before their first request."""
    from bot.redaction import install_redaction

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # httpx logs every request at INFO: one line per Zalo poll and per reply, which buried the
    # bot's own lines (aiogram logs each update once). Failures are logged by the Zalo client.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at INFO when it is first imported: seven lines per
    # worker process (the main process imports it before logging is set up, so says nothing).
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Before the first request: from here on, nothing this process prints can show a token.
    install_redaction(settings.telegram_token(), settings.zalo_token(), secrets=_secrets(settings))


def _secrets(settings: Settings) -> list[str | None]:
    configured = (settings.telegram_webhook_secret, settings.zalo_webhook_secret)
    secrets = [secret.get_secret_value() if secret else None for secret in configured]
    if settings.secret_key is not None:
        secrets.append(settings.secret_key.get_secret_value())
    return secrets


async def start_backend(
    app: App,
    sock: Any,
    channels: Sequence[RunningChannel],
    extra: Sequence[APIRouter],
    settings: Settings | None = None,
) -> Backend:
    """The backend on `sock`: the channels' routes and `extra`, and the dashboard (issue 15)
    beside them when `settings` name a public address (DVHT_PUBLIC_URL)."""
    from web.app import create_app
    from web.server import Backend

    routers = [*(router for channel in channels for router in channel.routers), *extra]
    if settings is not None and settings.public_url:
        from bot.dashboard import dashboard_deps
        from web.dashboard import dashboard_app

        deps = dashboard_deps(settings, app.database, on_notice=app.notice_queued)
        served = dashboard_app(deps, database_ok=app.database_ok, routers=routers)
    else:
        served = create_app(routers=routers, database_ok=app.database_ok)
    backend = Backend(served, sock)
    await backend.start()
    return backend


def on_signals(handler: Callable[[], None]) -> Callable[[], None]:
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


def report_links(
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


async def close_all(*closers: Callable[[], Awaitable[None]]) -> None:
    """Run every closer even if one fails; a failure is logged (redacted, like every log
    line) rather than raised, so it neither hides the error that ended the service nor skips
    closing the rest."""
    for close in closers:
        try:
            await close()
        except Exception:
            log.exception("shutdown: %s failed", getattr(close, "__qualname__", "closing"))


def tune_garbage_collector() -> None:
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
