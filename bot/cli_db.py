"""`dvht` commands that use the database: db upgrade, unit create/list, export, import.

They import SQLAlchemy and friends only when run, so `dvht evaluate` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot import cli_text
from bot.cli_errors import CliError

if TYPE_CHECKING:
    from storage.db import Database

T = TypeVar("T")


def add_commands(commands: Any) -> None:
    db = commands.add_parser("db", help=cli_text.HELP_DB)
    db_commands = db.add_subparsers(dest="db_command", metavar="LỆNH", required=True)
    upgrade = db_commands.add_parser("upgrade", help=cli_text.HELP_DB_UPGRADE)
    upgrade.set_defaults(handler=_cmd_db_upgrade)

    unit = commands.add_parser("unit", help=cli_text.HELP_UNIT)
    unit_commands = unit.add_subparsers(dest="unit_command", metavar="LỆNH", required=True)
    create = unit_commands.add_parser("create", help=cli_text.HELP_UNIT_CREATE)
    create.add_argument("--name", required=True, help=cli_text.HELP_UNIT_NAME)
    create.add_argument(
        "--tier", required=True, choices=["huyen", "tinh"], help=cli_text.HELP_TIER
    )
    create.add_argument("--type", dest="unit_type", required=True, help=cli_text.HELP_UNIT_TYPE)
    create.add_argument("--province", required=True, help=cli_text.HELP_PROVINCE)
    create.set_defaults(handler=_cmd_unit_create)
    listing = unit_commands.add_parser("list", help=cli_text.HELP_UNIT_LIST)
    listing.set_defaults(handler=_cmd_unit_list)

    export = commands.add_parser("export", help=cli_text.HELP_EXPORT)
    export.add_argument("--unit", type=int, required=True, help=cli_text.HELP_UNIT_ID)
    export.add_argument("--year", type=int, required=True, help=cli_text.HELP_YEAR)
    export.add_argument("--output", "-o", help=cli_text.HELP_OUTPUT)
    export.set_defaults(handler=_cmd_export)

    imported = commands.add_parser("import", help=cli_text.HELP_IMPORT)
    imported.add_argument("file", metavar="TỆP", help=cli_text.HELP_FILE)
    imported.add_argument("--unit", type=int, required=True, help=cli_text.HELP_UNIT_ID)
    imported.set_defaults(handler=_cmd_import)


def settings() -> Any:
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        field = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise CliError(cli_text.bad_setting(field)) from None


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn the storage layer's failures into one-line CLI errors."""
    from conversations.errors import AccessDenied, NotFound, StorageUnavailable
    from dvht_core.errors import InputError
    from storage.bootstrap import SchemaOutdated

    try:
        yield
    except StorageUnavailable:
        raise CliError(cli_text.DATABASE_DOWN) from None
    except SchemaOutdated:
        raise CliError(cli_text.SCHEMA_OUTDATED) from None
    except NotFound as exc:
        raise CliError(cli_text.not_found(str(exc))) from None
    except AccessDenied as exc:
        raise CliError(cli_text.access_denied(str(exc))) from None
    except InputError as exc:
        raise CliError(cli_text.input_error(exc.field, exc.message)) from None


def run_with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database, run `work`, and turn storage failures into one line."""
    from storage.bootstrap import open_database

    async def main() -> T:
        database = await open_database(settings().database())
        try:
            return await work(database)
        finally:
            await database.close()

    with storage_errors():
        return asyncio.run(main())


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.bootstrap import upgrade_database

    with storage_errors():
        before, after = asyncio.run(upgrade_database(settings().database()))
    sys.stdout.write(cli_text.upgraded(before, after))
    return 0


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
        raise CliError(cli_text.invalid_unit(exc.errors()[0])) from None
    operator = Actor.operator()

    def create(session: Any) -> tuple[Any, Any, Any]:
        unit = UnitRepository().create(session, actor=operator, data=data)
        invites = InviteRepository()
        admin = invites.create(
            session, actor=operator, data=NewInvite(unit_id=unit.id, role="unit_admin", max_uses=1)
        )
        members = invites.create(session, actor=operator, data=NewInvite(unit_id=unit.id))
        return unit, admin, members

    async def work(database: Database) -> tuple[Any, Any, Any]:
        return await transaction(database, create)

    unit, admin, members = run_with_database(work)
    sys.stdout.write(cli_text.unit_created(unit, admin, members))
    return 0


def _cmd_unit_list(args: argparse.Namespace) -> int:
    from conversations.records import Actor
    from storage.units import UnitRepository
    from storage.uow import read

    async def work(database: Database) -> list[Any]:
        return await read(
            database, lambda session: UnitRepository().list(session, actor=Actor.operator())
        )

    for unit in run_with_database(work):
        sys.stdout.write(cli_text.unit_line(unit))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    import yaml

    from conversations.records import Actor
    from storage.assessments import AssessmentRepository
    from storage.exchange import export_document
    from storage.uow import read

    async def work(database: Database) -> Any:
        return await read(
            database,
            lambda session: AssessmentRepository().load(
                session, actor=Actor.operator(), unit_id=args.unit, year=args.year
            ),
        )

    record = run_with_database(work)
    if record is None:
        raise CliError(cli_text.no_assessment(args.unit, args.year))
    text = yaml.safe_dump(export_document(record), allow_unicode=True, sort_keys=False)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from bot.cli import read_document
    from conversations.records import Actor
    from dvht_core.assessment import parse_assessment
    from dvht_core.errors import InputError
    from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
    from storage.assessments import AssessmentRepository
    from storage.exchange import import_assessment
    from storage.units import UnitRepository
    from storage.uow import transaction

    data = read_document(args.file)
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    try:
        assessment = parse_assessment(data, rulebooks, load_unit_types())
    except InputError as exc:
        raise CliError(cli_text.input_error(exc.field, exc.message)) from None
    operator = Actor.operator()

    def run(session: Any) -> tuple[int, int, int]:
        unit = UnitRepository().get(session, actor=operator, unit_id=args.unit)
        return import_assessment(
            session,
            actor=operator,
            unit=unit,
            assessment=assessment,
            repository=AssessmentRepository(),
        )

    async def work(database: Database) -> tuple[int, int, int]:
        return await transaction(database, run)

    _, answers, evidence = run_with_database(work)
    sys.stdout.write(cli_text.imported(args.unit, assessment.year, answers, evidence))
    return 0
