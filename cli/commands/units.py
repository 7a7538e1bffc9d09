"""`dvht unit create` (a unit and its invite codes), `dvht unit list`, `dvht unit update` (the
unit's details corrected, each change kept in the history) and `dvht unit show` (the details
and that history)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli import arguments, text
from cli.common import CliError, load_settings, run_with_database

if TYPE_CHECKING:
    from cli.common import Commands
    from conversations.records import InviteRecord, UnitChange, UnitRecord
    from storage.db import Database

TIERS = ["huyen", "tinh"]
UNUSUAL_MEMBERS = 2000
"""Above this, a members total is more likely a slip (an extra zero) than a unit: the command
goes on (nothing is interactive here) and says so, as the chat asks to confirm it."""


def add_commands(commands: Commands) -> None:
    unit = commands.add_parser("unit", help=text.HELP_UNIT)
    unit_commands = unit.add_subparsers(dest="unit_command", metavar="LỆNH", required=True)
    create = unit_commands.add_parser("create", help=text.HELP_UNIT_CREATE)
    create.add_argument("--name", required=True, help=text.HELP_UNIT_NAME)
    create.add_argument("--tier", choices=TIERS, help=text.HELP_TIER_CREATE)
    create.add_argument("--type", dest="unit_type", required=True, help=text.HELP_UNIT_TYPE)
    create.add_argument("--province", required=True, help=text.HELP_PROVINCE)
    _totals(create)
    create.set_defaults(handler=_cmd_unit_create)
    listing = unit_commands.add_parser("list", help=text.HELP_UNIT_LIST)
    listing.set_defaults(handler=_cmd_unit_list)
    update = unit_commands.add_parser("update", help=text.HELP_UNIT_UPDATE)
    update.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    update.add_argument("--name", help=text.HELP_UNIT_NAME)
    update.add_argument("--province", help=text.HELP_PROVINCE)
    update.add_argument("--type", dest="unit_type", help=text.HELP_UNIT_TYPE)
    update.add_argument("--tier", choices=TIERS, help=text.HELP_TIER_UPDATE)
    _totals(update)
    update.add_argument("--year", type=arguments.year, help=text.HELP_TOTALS_YEAR)
    update.set_defaults(handler=_cmd_unit_update)
    show = unit_commands.add_parser("show", help=text.HELP_UNIT_SHOW)
    show.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    show.add_argument("--year", type=arguments.year, help=text.HELP_TOTALS_YEAR)
    show.set_defaults(handler=_cmd_unit_show)


def _totals(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--members", type=arguments.total, help=text.HELP_MEMBERS)
    parser.add_argument("--learners", type=arguments.total, help=text.HELP_LEARNERS)


def _assessment_year(year: int | None) -> int:
    from dvht_core import vietnam_time

    return year or vietnam_time.assessment_year(vietnam_time.today())


def _unit_type(unit_type: str, tier: str | None) -> str:
    """The tier the unit is assessed at: as given, or the only one its type has. An unknown
    type, or one not assessed at the tier given, is one line naming the types that are."""
    from dvht_core.loader import load_unit_types

    catalogue = load_unit_types()
    kind = catalogue.get(unit_type.strip())
    if kind is None:
        raise CliError(text.unknown_unit_type(unit_type, catalogue))
    if tier is None:
        if len(kind.tiers) > 1:
            raise CliError(text.tier_needed(kind))
        return kind.tiers[0]
    if tier not in kind.tiers:
        raise CliError(text.unit_type_not_in_tier(kind, tier))
    return tier


def _words(option: str, value: str | None) -> None:
    """A name or a province is words: “12345” is a total typed in the wrong place, and would be
    printed at the head of the signed report (the chat refuses it too)."""
    from dvht_core.text_hygiene import visible_text

    shown = visible_text(value or "").strip()  # nothing visible: the model's own refusal
    if shown and not any(ch.isalpha() for ch in shown):
        raise CliError(text.without_letters(option, shown))


def _cmd_unit_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from conversations.records import Actor
    from storage.invites import InviteRepository
    from storage.schemas import NewInvite, NewUnit, UnitChanges
    from storage.units import UnitRepository
    from storage.uow import transaction

    _words("--name", args.name)
    _words("--province", args.province)
    tier = _unit_type(args.unit_type, args.tier)
    try:
        data = NewUnit(
            name=args.name, tier=tier, unit_type=args.unit_type.strip(), province=args.province
        )
    except ValidationError as exc:
        raise CliError(text.invalid_unit(exc.errors()[0], tier)) from None
    operator = Actor.operator()
    totals = UnitChanges(members=args.members, learners=args.learners)
    year = _assessment_year(None)

    def create(session: Any) -> tuple[UnitRecord, InviteRecord, InviteRecord]:
        units = UnitRepository()
        unit = units.create(session, actor=operator, data=data)
        if args.members is not None or args.learners is not None:
            units.update(session, actor=operator, unit_id=unit.id, year=year, changes=totals)
        invites = InviteRepository()
        admin = invites.create(
            session, actor=operator, data=NewInvite(unit_id=unit.id, role="unit_admin", max_uses=1)
        )
        members = invites.create(session, actor=operator, data=NewInvite(unit_id=unit.id))
        return unit, admin, members

    async def work(database: Database) -> tuple[UnitRecord, InviteRecord, InviteRecord]:
        return await transaction(database, create)

    unit, admin, members = run_with_database(load_settings(), work)
    sys.stdout.write(text.unit_created(unit, admin, members))
    if args.members is not None or args.learners is not None:
        sys.stdout.write(text.unit_totals(year, args.members, args.learners))
    _warn_unusual(unit.id, args.members)
    return 0


def _cmd_unit_list(args: argparse.Namespace) -> int:
    from conversations.records import Actor
    from storage.units import UnitRepository
    from storage.uow import read

    async def work(database: Database) -> list[UnitRecord]:
        return await read(
            database, lambda session: UnitRepository().list(session, actor=Actor.operator())
        )

    for unit in run_with_database(load_settings(), work):
        sys.stdout.write(text.unit_line(unit))
    return 0


def _cmd_unit_update(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from conversations.records import Actor
    from storage.schemas import UnitChanges
    from storage.units import UnitRepository
    from storage.uow import transaction

    given = {
        field: getattr(args, field)
        for field in ("name", "province", "unit_type", "tier", "members", "learners")
        if getattr(args, field) is not None
    }
    if not given:
        raise CliError(text.UPDATE_NOTHING)
    _words("--name", args.name)
    _words("--province", args.province)
    if "unit_type" in given:
        given["unit_type"] = given["unit_type"].strip()
    try:
        changes = UnitChanges(**given)
    except ValidationError as exc:
        raise CliError(text.invalid_unit(exc.errors()[0], args.tier or "huyen")) from None
    year = _assessment_year(args.year)

    def update(session: Any) -> tuple[UnitChange, ...]:
        return UnitRepository().update(
            session, actor=Actor.operator(), unit_id=args.unit, year=year, changes=changes
        )

    async def work(database: Database) -> tuple[UnitChange, ...]:
        return await transaction(database, update)

    done = run_with_database(load_settings(), work)
    sys.stdout.write(text.unit_updated(args.unit, done))
    _warn_unusual(args.unit, args.members)
    return 0


def _cmd_unit_show(args: argparse.Namespace) -> int:
    from conversations.records import Actor
    from storage.assessments import AssessmentRepository
    from storage.units import UnitRepository
    from storage.uow import read

    year = _assessment_year(args.year)
    operator = Actor.operator()

    def show(session: Any) -> tuple[UnitRecord, Any, list[UnitChange]]:
        units = UnitRepository()
        unit = units.get(session, actor=operator, unit_id=args.unit)
        record = AssessmentRepository().load(session, actor=operator, unit_id=args.unit, year=year)
        return unit, record, units.changes(session, actor=operator, unit_id=args.unit)

    async def work(database: Database) -> tuple[UnitRecord, Any, list[UnitChange]]:
        return await read(database, show)

    unit, record, history = run_with_database(load_settings(), work)
    sys.stdout.write(text.unit_details(unit, year, record, history))
    return 0


def _warn_unusual(unit_id: int, members: int | None) -> None:
    if members is not None and members > UNUSUAL_MEMBERS:
        sys.stderr.write(text.warning_line(text.unusual_members(unit_id, members)))
