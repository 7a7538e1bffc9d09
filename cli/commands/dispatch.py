"""`dvht dispatch`: the reminder dispatcher as a worker of its own (production runs it beside
`dvht serve`, or several of them on PostgreSQL); `--once` plans, sends what is due and exits.

It pushes through Telegram, so it needs TELEGRAM_BOT_TOKEN, and it checks the token with
getMe before it opens the database, as `dvht serve` does; the token never reaches any output
(`bot.redaction`)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli import text
from cli.common import CliError, load_settings, storage_errors

if TYPE_CHECKING:
    from bot.settings import Settings
    from cli.common import Commands
    from reminders.dispatcher import Dispatcher
    from reminders.ports import Counts


def add_commands(commands: Commands) -> None:
    dispatch = commands.add_parser("dispatch", help=text.HELP_DISPATCH)
    dispatch.add_argument("--once", action="store_true", help=text.HELP_DISPATCH_ONCE)
    dispatch.set_defaults(handler=_cmd_dispatch)


def push_token(settings: Settings) -> str:
    """The bot's token, with the redaction of every output installed; a line when there is
    no channel to push through."""
    import logging

    from bot.redaction import install_redaction

    token = settings.telegram_token()
    if token is None:
        raise CliError(text.NO_PUSH_CHANNEL)
    install_redaction(token)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return token


async def check_channel(settings: Settings, token: str) -> None:
    """getMe before the database opens: a refused token or an unreachable server is one
    line, as for `dvht serve`."""
    from bot.startup import StartupFailure
    from bot.telegram.client import check_bot_api

    try:
        await check_bot_api(settings.telegram_api_url, token)
    except StartupFailure as failure:
        raise CliError(text.serve_failure(failure.reason, failure.details)) from None


def _cmd_dispatch(args: argparse.Namespace) -> int:
    import asyncio

    settings = load_settings()
    token = push_token(settings)

    async def main() -> Counts | None:
        from bot.wiring import build_dispatcher, telegram_pushes
        from storage.bootstrap import open_database

        await check_channel(settings, token)
        database = await open_database(settings.database())
        try:
            async with telegram_pushes(settings, token, database) as sender:
                from reports.renderer import ReportFiles

                dispatcher = build_dispatcher(
                    settings, database, {"telegram": sender}, reports=ReportFiles()
                )
                if args.once:
                    return await _once(dispatcher)
                await _forever(dispatcher)
                return None
        finally:
            await database.close()

    with storage_errors(settings):
        counts = asyncio.run(main())
    if counts is not None:
        sys.stdout.write(text.dispatched(counts.sent, counts.skipped, counts.failed) + "\n")
    return 0


async def _once(dispatcher: Dispatcher) -> Counts:
    guard = await dispatcher.store.exclusive()
    if not await guard.acquire(wait=False):
        raise CliError(text.DISPATCHER_RUNNING)
    try:
        if dispatcher.planner is not None:
            await dispatcher.planner.plan()
        return await dispatcher.run_until_idle()
    finally:
        guard.release()


async def _forever(dispatcher: Dispatcher) -> None:
    """Until SIGINT or SIGTERM: the reminder being pushed then is kept claimed, and sent by
    the next dispatcher once its lease runs out (never lost)."""
    import asyncio
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await dispatcher.run(stop)
