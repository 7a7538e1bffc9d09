"""`dvht review list | return | recognise` (issue 15): the office's review at the command line,
for an office that runs no dashboard. As the operator by default, or `--as PERSON_ID` to act
as that reviewer (their office must hold the unit, as on the dashboard); the same use case
(`review.service.ReviewService`), so the same checks, audit rows and notices to the unit's
members. Without `--year`, the unit's most recent dossier. Every refusal is one line, status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli import arguments, text
from cli.commands.deadline import parse_day
from cli.common import CliError, load_settings, run_with_database

if TYPE_CHECKING:
    from cli.common import Commands
    from review.ports import Decision
    from storage.db import Database
    from storage.review_admin import DossierLine

STATUSES = ["draft", "self_assessed", "submitted", "returned", "recognised", "all"]
office_id = arguments.bounded_int(1, arguments.MAX_ID, "mã cơ quan")
person_id = arguments.bounded_int(1, arguments.MAX_ID, "mã người dùng")
level = arguments.bounded_int(1, 2, "mức công nhận")


def add_commands(commands: Commands) -> None:
    review = commands.add_parser("review", help=text.HELP_REVIEW)
    sub = review.add_subparsers(dest="review_command", metavar="LỆNH", required=True)
    listing = sub.add_parser("list", help=text.HELP_REVIEW_LIST)
    listing.add_argument("--office", type=office_id, help=text.HELP_OFFICE_ID)
    listing.add_argument(
        "--status", choices=STATUSES, default="submitted", help=text.HELP_REVIEW_STATUS
    )
    listing.add_argument("--year", type=arguments.year, help=text.HELP_LIST_YEAR)
    listing.set_defaults(handler=_cmd_list)
    back = sub.add_parser("return", help=text.HELP_REVIEW_RETURN)
    _unit_options(back)
    back.add_argument("--reason", required=True, help=text.HELP_REASON)
    back.set_defaults(handler=_cmd_return)
    recognise = sub.add_parser("recognise", help=text.HELP_REVIEW_RECOGNISE)
    _unit_options(recognise)
    recognise.add_argument("--decision", required=True, help=text.HELP_DECISION)
    recognise.add_argument("--date", required=True, help=text.HELP_DECISION_DATE)
    recognise.add_argument("--level", type=level, required=True, help=text.HELP_LEVEL)
    recognise.set_defaults(handler=_cmd_recognise)


def _unit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    parser.add_argument("--year", type=arguments.year, help=text.HELP_REVIEW_YEAR)
    parser.add_argument("--as", dest="as_person", type=person_id, help=text.HELP_AS)


def _cmd_list(args: argparse.Namespace) -> int:
    from storage import review_admin
    from storage.uow import read

    status = None if args.status == "all" else args.status

    async def work(database: Database) -> list[DossierLine]:
        return await read(
            database,
            lambda session: review_admin.dossiers(
                session, office_id=args.office, status=status, year=args.year
            ),
        )

    lines = run_with_database(load_settings(), work)
    if not lines:
        sys.stdout.write(text.no_dossiers(status))
    for line in lines:
        sys.stdout.write(
            text.dossier_line(
                line.unit_id,
                line.unit_name,
                line.year,
                line.status,
                line.submitted_level,
                line.submitted_at,
                line.recognised_level,
            )
        )
    return 0


def _decide(args: argparse.Namespace, *, reason: str | None = None) -> Decision:
    """Run the return (with `reason`) or the recognition as the operator or `--as`."""
    from conversations.records import Actor
    from dvht_core.text_hygiene import visible_text
    from review.ports import ReviewRefused
    from storage import review_admin
    from storage.review_store import review_service
    from storage.uow import read

    actor = (
        Actor.operator()
        if args.as_person is None
        else Actor.person(args.as_person, f"cli:as:{args.as_person}")
    )
    decision_date = parse_day("--date", args.date) if reason is None else None

    async def work(database: Database) -> Decision:
        year = args.year
        if year is None:
            year = await read(database, lambda s: review_admin.latest_year(s, args.unit))
            if year is None:
                raise CliError(text.no_dossier_of(args.unit))
        service = review_service(database)
        try:
            if reason is not None:
                return await service.return_dossier(
                    actor, unit_id=args.unit, year=year, reason=reason
                )
            assert decision_date is not None
            return await service.recognise(
                actor,
                unit_id=args.unit,
                year=year,
                decision_number=visible_text(args.decision),
                decision_date=decision_date,
                level=args.level,
            )
        except ReviewRefused as refused:
            raise CliError(text.review_refused(refused.message)) from None

    return run_with_database(load_settings(), work)


def _cmd_return(args: argparse.Namespace) -> int:
    from dvht_core.text_hygiene import visible_text

    reason = visible_text(args.reason)
    if not reason:
        raise CliError(text.REASON_EMPTY)
    done = _decide(args, reason=reason)
    sys.stdout.write(text.decided(done.unit_name, done.year, done.status, None, done.notified))
    return 0


def _cmd_recognise(args: argparse.Namespace) -> int:
    done = _decide(args)
    sys.stdout.write(
        text.decided(done.unit_name, done.year, done.status, done.level, done.notified)
    )
    return 0
