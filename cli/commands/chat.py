"""`dvht chat` (the console channel), `dvht serve` (the bot) and `dvht ask` (one quick
question). The settings are read here, once, and handed to the channel that runs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli import arguments, text
from cli.common import CliError, load_settings, run_with_database, storage_errors

if TYPE_CHECKING:
    from cli.common import Commands
    from conversations.records import AssessmentRecord, UnitRecord
    from dvht_core.unit_calendar import UnitCalendar
    from storage.db import Database


def add_commands(commands: Commands) -> None:
    chat = commands.add_parser("chat", help=text.HELP_CHAT)
    chat.add_argument("--user", help=text.HELP_CHAT_USER)
    chat.set_defaults(handler=_cmd_chat)

    serve = commands.add_parser("serve", help=text.HELP_SERVE)
    serve.add_argument("--user", help=text.HELP_CHAT_USER)
    serve.set_defaults(handler=_cmd_serve)

    ask = commands.add_parser("ask", help=text.HELP_ASK)
    ask.add_argument("text", metavar="CÂU_HỎI", help=text.HELP_QUESTION)
    ask.add_argument("--unit", type=arguments.unit_id, help=text.HELP_UNIT_ID)
    ask.add_argument("--year", type=arguments.year, help=text.HELP_YEAR)
    ask.set_defaults(handler=_cmd_ask)


def _cmd_chat(args: argparse.Namespace) -> int:
    from bot.serve import run_chat

    settings = load_settings()
    with storage_errors(settings):
        return run_chat(settings, args.user or _login())


def _cmd_serve(args: argparse.Namespace) -> int:
    from bot.serve import serve
    from bot.startup import StartupFailure

    settings = load_settings()
    try:
        with storage_errors(settings):
            return serve(settings, args.user or _login())
    except StartupFailure as failure:
        raise CliError(text.serve_failure(failure.reason, failure.details)) from None


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "console"


def _cmd_ask(args: argparse.Namespace) -> int:
    import unicodedata

    from conversations import quick
    from conversations.context import Context
    from conversations.intents import PUBLIC_KINDS, QUESTION_KINDS, parse_intent
    from conversations.records import PersonRecord
    from dvht_core import vietnam_time

    question = unicodedata.normalize("NFC", args.text)
    intent = parse_intent(question)
    if intent is None or intent.kind not in QUESTION_KINDS:
        sys.stdout.write(text.ASK_UNKNOWN + "\n")
        return 0
    if intent.kind == "help":
        sys.stdout.write(text.ASK_HELP + "\n")
        return 0
    if intent.kind == "report":
        sys.stdout.write(text.ask_report(args.unit) + "\n")
        return 0
    if args.unit is None and intent.kind not in PUBLIC_KINDS:
        # The chat's answer (“Gõ /start để tạo đơn vị”) would send an operator to the bot.
        raise CliError(text.ask_needs_unit(question))
    today = vietnam_time.today()
    operator = PersonRecord(id=0, display_name="operator")
    context = Context(operator, (), None, None, today)
    if args.unit is not None:
        year = args.year or vietnam_time.assessment_year(today)
        unit, assessment, calendar = run_with_database(
            load_settings(), lambda database: _load_unit(database, args.unit, year)
        )
        context = Context(operator, (), unit, assessment, today, calendar_loader=lambda: calendar)
    for reply in quick.answer(context, intent):
        sys.stdout.write(reply.text + "\n")
    return 0


async def _load_unit(
    database: Database, unit_id: int, year: int
) -> tuple[UnitRecord, AssessmentRecord | None, UnitCalendar]:
    from conversations.records import Actor
    from storage.assessments import AssessmentRepository
    from storage.calendar_store import unit_calendar
    from storage.units import UnitRepository
    from storage.uow import read

    def load(session: Any) -> tuple[UnitRecord, AssessmentRecord | None, UnitCalendar]:
        operator = Actor.operator()
        unit = UnitRepository().get(session, actor=operator, unit_id=unit_id)
        record = AssessmentRepository().load(session, actor=operator, unit_id=unit_id, year=year)
        return unit, record, unit_calendar(session, unit=unit, year=year)

    return await read(database, load)
