"""`dvht export` and `dvht import`: a unit's assessment to and from the evaluate file format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli import arguments, text
from cli.common import CliError, load_settings, run_with_database
from cli.documents import load_tt24

if TYPE_CHECKING:
    from cli.common import Commands
    from conversations.records import AssessmentRecord
    from storage.db import Database


def add_commands(commands: Commands) -> None:
    export = commands.add_parser("export", help=text.HELP_EXPORT)
    export.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    export.add_argument("--year", type=arguments.year, required=True, help=text.HELP_YEAR)
    export.add_argument("--output", "-o", help=text.HELP_OUTPUT)
    export.set_defaults(handler=_cmd_export)

    imported = commands.add_parser("import", help=text.HELP_IMPORT)
    imported.add_argument("file", metavar="TỆP", help=text.HELP_FILE)
    imported.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    imported.set_defaults(handler=_cmd_import)


def _cmd_export(args: argparse.Namespace) -> int:
    import yaml

    from conversations.records import Actor
    from storage.assessments import AssessmentRepository
    from storage.exchange import export_document
    from storage.uow import read

    async def work(database: Database) -> AssessmentRecord | None:
        return await read(
            database,
            lambda session: AssessmentRepository().load(
                session, actor=Actor.operator(), unit_id=args.unit, year=args.year
            ),
        )

    record = run_with_database(load_settings(), work)
    if record is None:
        raise CliError(text.no_assessment(args.unit, args.year))
    document = yaml.safe_dump(export_document(record), allow_unicode=True, sort_keys=False)
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from conversations.records import Actor
    from storage.exchange import import_assessment

    assessment = load_tt24(args.file, command="import")

    async def work(database: Database) -> tuple[int, int, int]:
        # In batches (see `import_assessment`): the chat keeps answering during a long import.
        return await import_assessment(
            database, actor=Actor.operator(), unit_id=args.unit, assessment=assessment
        )

    _, answers, evidence = run_with_database(load_settings(), work)
    sys.stdout.write(text.imported(args.unit, assessment.year, answers, evidence))
    return 0
