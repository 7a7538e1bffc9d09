"""`dvht chat` (the console channel) and `dvht ask` (one quick question)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import sys
from typing import Any

from bot import cli_text
from bot.cli_errors import CliError


def add_commands(commands: Any) -> None:
    chat = commands.add_parser("chat", help=cli_text.HELP_CHAT)
    chat.add_argument("--user", help=cli_text.HELP_CHAT_USER)
    chat.set_defaults(handler=_cmd_chat)

    ask = commands.add_parser("ask", help=cli_text.HELP_ASK)
    ask.add_argument("text", metavar="CÂU_HỎI", help=cli_text.HELP_QUESTION)
    ask.add_argument("--unit", type=int, help=cli_text.HELP_UNIT_ID)
    ask.add_argument("--year", type=int, help=cli_text.HELP_YEAR)
    ask.set_defaults(handler=_cmd_ask)


def _storage_errors() -> tuple[type[Exception], ...]:
    from conversations.errors import AccessDenied, NotFound, StorageUnavailable
    from storage.bootstrap import SchemaOutdated

    return StorageUnavailable, SchemaOutdated, NotFound, AccessDenied


def _cmd_chat(args: argparse.Namespace) -> int:
    from bot.console import run_chat

    user = args.user or _login()
    try:
        return run_chat(user)
    except _storage_errors() as exc:
        raise CliError(_storage_message(exc)) from None


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console"


def _storage_message(exc: Exception) -> str:
    from conversations.errors import NotFound, StorageUnavailable
    from storage.bootstrap import SchemaOutdated

    if isinstance(exc, StorageUnavailable):
        return cli_text.DATABASE_DOWN
    if isinstance(exc, SchemaOutdated):
        return cli_text.SCHEMA_OUTDATED
    if isinstance(exc, NotFound):
        return cli_text.not_found(str(exc))
    return cli_text.access_denied(str(exc))


def _cmd_ask(args: argparse.Namespace) -> int:
    import unicodedata

    from conversations import catalogue, quick
    from conversations.context import Context, assessment_year
    from conversations.intents import parse_intent
    from conversations.records import PersonRecord

    text = unicodedata.normalize("NFC", args.text)
    intent = parse_intent(text)
    if intent is None or intent.kind not in quick.ANSWERABLE:
        sys.stdout.write(catalogue.UNKNOWN_TEXT + "\n")
        return 0
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    operator = PersonRecord(id=0, display_name="operator")
    context = Context(operator, (), None, None, today)
    if args.unit is not None:
        try:
            unit, assessment = asyncio.run(
                _load_unit(args.unit, args.year or assessment_year(today))
            )
        except _storage_errors() as exc:
            raise CliError(_storage_message(exc)) from None
        context = Context(operator, (), unit, assessment, today)
    for reply in quick.answer(context, intent):
        sys.stdout.write(reply.text + "\n")
    return 0


async def _load_unit(unit_id: int, year: int) -> tuple[Any, Any]:
    from bot.settings import Settings
    from conversations.records import Actor
    from storage.assessments import AssessmentRepository
    from storage.bootstrap import open_database
    from storage.units import UnitRepository
    from storage.uow import read

    database = await open_database(Settings().database())
    try:

        def load(session: Any) -> tuple[Any, Any]:
            operator = Actor.operator()
            unit = UnitRepository().get(session, actor=operator, unit_id=unit_id)
            record = AssessmentRepository().load(
                session, actor=operator, unit_id=unit_id, year=year
            )
            return unit, record

        return await read(database, load)
    finally:
        await database.close()
