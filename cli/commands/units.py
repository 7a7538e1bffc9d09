"""`dvht unit create` (a unit and its invite codes) and `dvht unit list`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli import text
from cli.common import CliError, load_settings, run_with_database

if TYPE_CHECKING:
    from cli.common import Commands
    from conversations.records import InviteRecord, UnitRecord
    from storage.db import Database


def add_commands(commands: Commands) -> None:
    unit = commands.add_parser("unit", help=text.HELP_UNIT)
    unit_commands = unit.add_subparsers(dest="unit_command", metavar="LỆNH", required=True)
    create = unit_commands.add_parser("create", help=text.HELP_UNIT_CREATE)
    create.add_argument("--name", required=True, help=text.HELP_UNIT_NAME)
    create.add_argument("--tier", required=True, choices=["huyen", "tinh"], help=text.HELP_TIER)
    create.add_argument("--type", dest="unit_type", required=True, help=text.HELP_UNIT_TYPE)
    create.add_argument("--province", required=True, help=text.HELP_PROVINCE)
    create.set_defaults(handler=_cmd_unit_create)
    listing = unit_commands.add_parser("list", help=text.HELP_UNIT_LIST)
    listing.set_defaults(handler=_cmd_unit_list)


def _cmd_unit_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from conversations.records import Actor
    from storage.invites import InviteRepository
    from storage.schemas import NewInvite, NewUnit
    from storage.units import UnitRepository
    from storage.uow import transaction

    try:
        data = NewUnit(
            name=args.name, tier=args.tier, unit_type=args.unit_type, province=args.province
        )
    except ValidationError as exc:
        raise CliError(text.invalid_unit(exc.errors()[0], args.tier)) from None
    operator = Actor.operator()

    def create(session: Any) -> tuple[UnitRecord, InviteRecord, InviteRecord]:
        unit = UnitRepository().create(session, actor=operator, data=data)
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
