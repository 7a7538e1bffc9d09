"""`dvht dossier`: the whole dossier of a unit's assessment in one ZIP (issue 16, item 3)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import arguments, text
from cli.common import CliError, load_settings, output_path, run_with_database

if TYPE_CHECKING:
    from cli.common import Commands
    from conversations.dossier import DossierSource
    from storage.db import Database


def add_commands(commands: Commands) -> None:
    dossier = commands.add_parser("dossier", help=text.HELP_DOSSIER)
    dossier.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    dossier.add_argument("--year", type=arguments.year, help=text.HELP_YEAR)
    dossier.add_argument(
        "-o", "--output", metavar="TỆP_ZIP", required=True, help=text.HELP_DOSSIER_OUTPUT
    )
    dossier.add_argument("--governing-body", dest="governing", help=text.HELP_GOVERNING)
    dossier.set_defaults(handler=_cmd_dossier)


def _cmd_dossier(args: argparse.Namespace) -> int:
    from dvht_core import vietnam_time
    from reports.dossier.builder import DossierZip, folder_name
    from storage.evidence_store import format_size

    today = vietnam_time.today()
    year = args.year or vietnam_time.assessment_year(today)
    settings = load_settings()
    source = _load(settings, args.unit, year, settings.data_dir / "evidence", args.governing)
    if source.level == 0:
        raise CliError(text.DOSSIER_NOTHING_TO_REQUEST)
    name = folder_name(source.assessment.unit_name or "", year)
    output = output_path(args.output, f"{name}.zip")  # a folder: the dossier's own name
    if not os.access(output.parent, os.W_OK | os.X_OK):
        raise CliError(text.dossier_unwritable(str(output)))
    try:
        written = DossierZip().write(source, output, today=today)
    except OSError as exc:
        raise CliError(text.file_unwritable(str(output), exc)) from None
    sys.stdout.write(
        text.dossier_written(
            str(written.path),
            format_size(written.size),
            written.level,
            written.evidence_files,
            written.items_without_file,
            source.office,
        )
    )
    return 0


def _load(
    settings: Any, unit_id: int, year: int, evidence_root: Path, governing: str | None
) -> DossierSource:
    from conversations.records import Actor
    from storage.dossier_store import dossier_source
    from storage.uow import read

    async def load(database: Database) -> DossierSource | None:
        return await read(
            database,
            lambda session: dossier_source(
                session,
                actor=Actor.operator(),
                unit_id=unit_id,
                year=year,
                evidence_root=evidence_root,
                governing_body=governing,
            ),
        )

    source = run_with_database(settings, load)
    if source is None:
        raise CliError(text.no_assessment(unit_id, year))
    return source
