"""`dvht chat` (the console channel) and `dvht ask` (one quick question)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot import cli_text
from bot.cli_db import run_with_database, storage_errors
from bot.cli_errors import CliError


def add_commands(commands: Any) -> None:
    chat = commands.add_parser("chat", help=cli_text.HELP_CHAT)
    chat.add_argument("--user", help=cli_text.HELP_CHAT_USER)
    chat.set_defaults(handler=_cmd_chat)

    serve = commands.add_parser("serve", help=cli_text.HELP_SERVE)
    serve.add_argument("--user", help=cli_text.HELP_CHAT_USER)
    serve.set_defaults(handler=_cmd_serve)

    ask = commands.add_parser("ask", help=cli_text.HELP_ASK)
    ask.add_argument("text", metavar="CÂU_HỎI", help=cli_text.HELP_QUESTION)
    ask.add_argument("--unit", type=int, help=cli_text.HELP_UNIT_ID)
    ask.add_argument("--year", type=int, help=cli_text.HELP_YEAR)
    ask.set_defaults(handler=_cmd_ask)


def _cmd_chat(args: argparse.Namespace) -> int:
    from bot.console import run_chat

    with storage_errors():
        return run_chat(args.user or _login())


def _cmd_serve(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.serve import serve

    try:
        with storage_errors():
            return serve(args.user or _login())
    except ValidationError as exc:
        field = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise CliError(cli_text.bad_setting(field)) from None


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console"


def _cmd_ask(args: argparse.Namespace) -> int:
    import unicodedata

    from conversations import catalogue, quick
    from conversations.context import Context
    from conversations.intents import parse_intent
    from conversations.records import PersonRecord
    from dvht_core import vietnam_time

    text = unicodedata.normalize("NFC", args.text)
    intent = parse_intent(text)
    if intent is None or intent.kind not in quick.ANSWERABLE:
        sys.stdout.write(catalogue.UNKNOWN_TEXT + "\n")
        return 0
    today = vietnam_time.today()
    operator = PersonRecord(id=0, display_name="operator")
    context = Context(operator, (), None, None, today)
    if args.unit is not None:
        year = args.year or vietnam_time.assessment_year(today)
        unit, assessment = run_with_database(
            lambda database: _load_unit(database, args.unit, year)
        )
        context = Context(operator, (), unit, assessment, today)
    for reply in quick.answer(context, intent):
        sys.stdout.write(reply.text + "\n")
    return 0


async def _load_unit(database: Any, unit_id: int, year: int) -> tuple[Any, Any]:
    from conversations.records import Actor
    from storage.assessments import AssessmentRepository
    from storage.units import UnitRepository
    from storage.uow import read

    def load(session: Any) -> tuple[Any, Any]:
        operator = Actor.operator()
        unit = UnitRepository().get(session, actor=operator, unit_id=unit_id)
        record = AssessmentRepository().load(session, actor=operator, unit_id=unit_id, year=year)
        return unit, record

    return await read(database, load)
