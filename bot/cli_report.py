"""`dvht report`: the self-assessment report as PDF, DOCX and XLSX, from a file or the database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import cli_text
from bot.cli_errors import CliError


def add_commands(commands: Any) -> None:
    report = commands.add_parser("report", help=cli_text.HELP_REPORT)
    report.add_argument("file", metavar="TỆP", nargs="?", help=cli_text.HELP_FILE)
    report.add_argument("--unit", type=int, help=cli_text.HELP_UNIT_ID)
    report.add_argument("--year", type=int, help=cli_text.HELP_YEAR)
    report.add_argument("--pdf", metavar="TỆP_PDF", help=cli_text.HELP_PDF)
    report.add_argument("--docx", metavar="TỆP_DOCX", help=cli_text.HELP_DOCX)
    report.add_argument("--xlsx", metavar="TỆP_XLSX", help=cli_text.HELP_XLSX)
    report.add_argument("--governing-body", dest="governing", help=cli_text.HELP_GOVERNING)
    report.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from dvht_core.loader import TT24_BY_TIER, load_rulebook
    from reports.data import report_data

    if (args.file is None) == (args.unit is None):
        raise CliError(cli_text.REPORT_SOURCE)
    targets = _targets(args)
    if not targets:
        raise CliError(cli_text.REPORT_NO_OUTPUT)
    assessment = _from_file(args.file) if args.file else _from_database(args.unit, args.year)
    rulebook = load_rulebook(TT24_BY_TIER[assessment.tier])
    data = report_data(rulebook, assessment, governing_body=args.governing)
    for path, render in targets:
        content = render(data)
        try:
            Path(path).write_bytes(content)
        except OSError as exc:
            raise CliError(cli_text.file_unwritable(path, exc)) from None
        sys.stdout.write(cli_text.report_written(path, len(content)))
    return 0


def _targets(args: argparse.Namespace) -> list[tuple[str, Callable[[dict[str, Any]], bytes]]]:
    """The requested output files, each with its renderer (imported only when asked for)."""
    targets: list[tuple[str, Callable[[dict[str, Any]], bytes]]] = []
    if args.pdf:
        from reports.pdf import render_pdf

        targets.append((args.pdf, render_pdf))
    if args.docx:
        from reports.docx import render_docx

        targets.append((args.docx, render_docx))
    if args.xlsx:
        from reports.xlsx import render_xlsx

        targets.append((args.xlsx, render_xlsx))
    return targets


def _from_file(path: str) -> Any:
    from bot.cli import read_document
    from dvht_core.assessment import parse_assessment
    from dvht_core.errors import InputError
    from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types

    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    try:
        return parse_assessment(read_document(path), rulebooks, load_unit_types())
    except InputError as exc:
        raise CliError(cli_text.input_error(exc.field, exc.message)) from None


def _from_database(unit_id: int, year: int | None) -> Any:
    from bot.cli_db import run_with_database
    from conversations.context import Context
    from conversations.records import Actor, PersonRecord
    from dvht_core import vietnam_time
    from storage.assessments import AssessmentRepository
    from storage.units import UnitRepository
    from storage.uow import read

    today = vietnam_time.today()
    year = year or vietnam_time.assessment_year(today)

    async def load(database: Any) -> Any:
        def work(session: Any) -> Any:
            unit = UnitRepository().get(session, actor=Actor.operator(), unit_id=unit_id)
            record = AssessmentRepository().load(
                session, actor=Actor.operator(), unit_id=unit_id, year=year
            )
            return unit, record

        return await read(database, work)

    unit, record = run_with_database(load)
    if record is None:
        raise CliError(cli_text.no_assessment(unit_id, year))
    return Context(PersonRecord(0, "operator"), (), unit, record, today).as_assessment()
