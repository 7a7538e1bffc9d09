"""`dvht web [--host H] [--port P]`: the backend with the web dashboard alone, for an office
that runs no bot: the HTTP settings and the database, no chat channel, no reminder dispatcher
(deadline changes and broadcasts made on the dashboard wait for `dvht dispatch` or `dvht
serve` to deliver them).

Without DVHT_PUBLIC_URL the dashboard's address is http://HOST:PORT and its cookies are not
Secure (a local or intranet install); behind an https proxy set DVHT_PUBLIC_URL. A busy port,
a database that cannot be opened: one Vietnamese line and exit status 2. SIGINT and SIGTERM
stop it cleanly (status 0).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli import arguments, text
from cli.common import CliError, load_settings, storage_errors

if TYPE_CHECKING:
    from bot.settings import Settings
    from cli.common import Commands

port_number = arguments.bounded_int(0, 65535, "cổng")


def add_commands(commands: Commands) -> None:
    web = commands.add_parser("web", help=text.HELP_WEB)
    web.add_argument("--host", metavar="ĐỊA_CHỈ", help=text.HELP_WEB_HOST)
    web.add_argument("--port", type=port_number, metavar="CỔNG", help=text.HELP_WEB_PORT)
    web.set_defaults(handler=_cmd_web)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    changes: dict[str, object] = {}
    if args.host:
        changes["http_host"] = args.host
    if args.port is not None:
        changes["http_port"] = args.port
    return settings.model_copy(update=changes) if changes else settings


def _cmd_web(args: argparse.Namespace) -> int:
    import asyncio

    from web.server import PortUnavailable, open_socket

    settings = _settings(args)
    from bot.serving import configure_output

    configure_output(settings)
    try:
        sock = open_socket(settings.http_host, settings.http_port)
    except PortUnavailable as busy:
        details = {"host": busy.host, "port": str(busy.port), "description": busy.description}
        raise CliError(text.serve_failure("http_port", details)) from None
    try:
        with storage_errors(settings):
            asyncio.run(_serve(settings, sock))
    finally:
        sock.close()
    return 0


async def _serve(settings: Settings, sock: object) -> None:
    import asyncio
    import logging

    from bot.dashboard import dashboard_deps
    from bot.serving import on_signals
    from storage.bootstrap import open_database
    from web.dashboard import dashboard_app
    from web.server import Backend

    database = await open_database(settings.database())

    async def database_ok() -> bool:
        from sqlalchemy import text as sql

        def ping(session: object) -> bool:
            query = sql("SELECT count(*) FROM alembic_version")
            return bool(session.connection().execute(query).scalar() == 1)  # type: ignore[attr-defined]

        return await database.run(ping, write=False)

    stop = asyncio.Event()
    restore = on_signals(stop.set)
    backend = None
    try:
        app = dashboard_app(dashboard_deps(settings, database), database_ok=database_ok)
        backend = Backend(app, sock)  # type: ignore[arg-type]
        await backend.start()
        logging.getLogger("dvht.web").info("dashboard at %s", settings.base_url())
        sys.stdout.write(text.web_serving(settings.base_url()) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        if backend is not None:
            await backend.stop()
        restore()
        await database.close()
