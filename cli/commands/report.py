"""`dvht report`: the self-assessment report as PDF, DOCX and XLSX, from a file or the database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import arguments, text
from cli.common import CliError, load_settings, output_path, run_with_database
from cli.documents import load_tt24

if TYPE_CHECKING:
    from cli.common import Commands
    from dvht_core.assessment import Assessment
    from dvht_core.model import Rulebook
    from storage.db import Database

Renderer = Callable[[dict[str, Any]], bytes]


def add_commands(commands: Commands) -> None:
    report = commands.add_parser("report", help=text.HELP_REPORT)
    report.add_argument("file", metavar="TỆP", nargs="?", help=text.HELP_FILE)
    report.add_argument("--unit", type=arguments.unit_id, help=text.HELP_UNIT_ID)
    report.add_argument("--year", type=arguments.year, help=text.HELP_YEAR)
    report.add_argument("--pdf", metavar="TỆP_PDF", help=text.HELP_PDF)
    report.add_argument("--docx", metavar="TỆP_DOCX", help=text.HELP_DOCX)
    report.add_argument("--xlsx", metavar="TỆP_XLSX", help=text.HELP_XLSX)
    report.add_argument("--governing-body", dest="governing", help=text.HELP_GOVERNING)
    report.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from dvht_core.loader import TT24_BY_TIER, load_rulebook
    from reports.data import report_data

    if (args.file is None) == (args.unit is None):
        raise CliError(text.REPORT_SOURCE)
    targets = _targets(args)
    if not targets:
        raise CliError(text.REPORT_NO_OUTPUT)
    if args.file:
        assessment = load_tt24(args.file, command="report")
        rulebook = load_rulebook(TT24_BY_TIER[assessment.tier])
    else:
        rulebook, assessment = _from_database(args.unit, args.year)
    data = report_data(rulebook, assessment, governing_body=args.governing)
    for fmt, path, render in targets:
        content = render(data)
        path = str(output_path(path, data["files"][fmt]))  # a folder: the report's own name
        try:
            Path(path).write_bytes(content)
        except OSError as exc:
            raise CliError(text.file_unwritable(path, exc)) from None
        sys.stdout.write(text.report_written(path, len(content)))
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[str, str, Renderer]]:
    """The requested outputs (format, file or folder, renderer; renderers imported only when
    asked for)."""
    targets: list[tuple[str, str, Renderer]] = []
    if args.pdf:
        from reports.pdf import render_pdf

        targets.append(("pdf", args.pdf, render_pdf))
    if args.docx:
        from reports.docx import render_docx

        targets.append(("docx", args.docx, render_docx))
    if args.xlsx:
        from reports.xlsx import render_xlsx

        targets.append(("xlsx", args.xlsx, render_xlsx))
    return targets


def _from_database(unit_id: int, year: int | None) -> tuple[Rulebook, Assessment]:
    """The stored assessment, with the rulebook version it was started on."""
    from conversations.context import Context
    from conversations.records import Actor, PersonRecord
    from dvht_core import vietnam_time
    from storage.assessments import AssessmentRepository
    from storage.units import UnitRepository
    from storage.uow import read

    today = vietnam_time.today()
    year = year or vietnam_time.assessment_year(today)

    async def load(database: Database) -> Any:
        def work(session: Any) -> Any:
            unit = UnitRepository().get(session, actor=Actor.operator(), unit_id=unit_id)
            record = AssessmentRepository().load(
                session, actor=Actor.operator(), unit_id=unit_id, year=year
            )
            return unit, record

        return await read(database, work)

    unit, record = run_with_database(load_settings(), load)
    if record is None:
        raise CliError(text.no_assessment(unit_id, year))
    context = Context(PersonRecord(0, "operator"), (), unit, record, today)
    assessment, rulebook = context.as_assessment(), context.rulebook
    # Both exist: the unit and its assessment were found above.
    assert assessment is not None
    assert rulebook is not None
    return rulebook, assessment
