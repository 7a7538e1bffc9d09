"""`dvht roster template` (the member roster to fill in, as .xlsx) and `dvht roster import`
(a filled roster read, its counts printed and, once confirmed, recorded as the unit's answers
with the file kept as their evidence) — issue 16, items 1 and 2.

The import never writes before the operator agrees: on a terminal it asks “Ghi các số này?”,
with `--yes` it records at once, and without either (a script, a pipe) it writes nothing and
says so, exit status 2. The file goes into the same evidence store as the chat's uploads
(`DVHT_DATA_DIR/evidence`), so the dossier finds it like any other evidence file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import arguments, text
from cli.common import CliError, load_settings, output_path, run_with_database

if TYPE_CHECKING:
    from cli.common import Commands
    from dvht_core.model import Rulebook
    from dvht_core.roster import Roster, RosterConfirmed
    from storage.db import Database

YES = frozenset({"co", "c", "yes", "y", "dong y", "ghi"})
"""Answers to “Ghi các số này?” that mean yes (folded: “Có”, “có”, “co”, “y”…)."""


def add_commands(commands: Commands) -> None:
    roster = commands.add_parser("roster", help=text.HELP_ROSTER)
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="LỆNH", required=True)
    template = roster_commands.add_parser("template", help=text.HELP_ROSTER_TEMPLATE)
    template.add_argument("--unit", type=arguments.unit_id, help=text.HELP_ROSTER_UNIT)
    template.add_argument("--tinh", action="store_true", help=text.HELP_ROSTER_TINH)
    template.add_argument("--loai", dest="unit_type", help=text.HELP_ROSTER_TYPE)
    template.add_argument(
        "-o", "--output", metavar="TỆP", required=True, help=text.HELP_ROSTER_OUTPUT
    )
    template.set_defaults(handler=_cmd_template)
    importing = roster_commands.add_parser("import", help=text.HELP_ROSTER_IMPORT)
    importing.add_argument("--unit", type=arguments.unit_id, required=True, help=text.HELP_UNIT_ID)
    importing.add_argument("--year", type=arguments.year, help=text.HELP_YEAR)
    importing.add_argument("--yes", action="store_true", help=text.HELP_ROSTER_YES)
    importing.add_argument("file", metavar="TỆP", help=text.HELP_ROSTER_FILE)
    importing.set_defaults(handler=_cmd_import)


# --- template ----------------------------------------------------------------------------------


def _cmd_template(args: argparse.Namespace) -> int:
    from reports.roster_xlsx import TEMPLATE_NAME, template_bytes

    if args.unit is not None:
        if args.tinh or args.unit_type:
            raise CliError(text.ROSTER_TYPE_NEEDS_NO_UNIT)
        rulebook, unit_type, unit_name = _unit_rulebook(args.unit, None)[:3]
    else:
        rulebook, unit_type = _generic(args.tinh, args.unit_type)
        unit_name = None
    data = template_bytes(rulebook, unit_type=unit_type, unit_name=unit_name)
    target = output_path(args.output, TEMPLATE_NAME)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise CliError(text.file_unwritable(str(target), exc)) from None
    sys.stdout.write(text.roster_written(str(target), len(data)))
    return 0


def _generic(tinh: bool, unit_type: str | None) -> tuple[Rulebook, str]:
    """The rulebook and unit type of a template for no unit in particular: a district-tier
    commune (ubnd_xa) unless `--tinh` / `--loai` say otherwise."""
    from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types

    tier = "tinh" if tinh else "huyen"
    known = [u.id for u in load_unit_types().for_tier(tier)]
    chosen = (unit_type or "").strip() or known[0]
    if chosen not in known:
        raise CliError(text.roster_type_unknown(chosen, tier, known))
    return load_rulebook(TT24_BY_TIER[tier]), chosen


def _unit_rulebook(unit_id: int, year: int | None) -> tuple[Rulebook, str, str, int]:
    """The unit's rulebook (its assessment's for `year`, when started; else its tier's
    current one), unit type, name and the assessment year."""
    from conversations.records import Actor
    from dvht_core import vietnam_time
    from dvht_core.loader import TT24_BY_TIER, load_rulebook, rulebook_for
    from storage.assessments import AssessmentRepository
    from storage.units import UnitRepository
    from storage.uow import read

    year = year or vietnam_time.assessment_year(vietnam_time.today())

    async def load(database: Database) -> Any:
        def work(session: Any) -> Any:
            unit = UnitRepository().get(session, actor=Actor.operator(), unit_id=unit_id)
            record = AssessmentRepository().load(
                session, actor=Actor.operator(), unit_id=unit_id, year=year
            )
            return unit, record

        return await read(database, work)

    unit, record = run_with_database(load_settings(), load)
    if record is not None:
        rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    else:
        rulebook = load_rulebook(TT24_BY_TIER[unit.tier])
    return rulebook, unit.unit_type, unit.name, year


# --- import ------------------------------------------------------------------------------------


def _cmd_import(args: argparse.Namespace) -> int:
    from conversations.ports import RosterRefused
    from reports.roster_xlsx import RosterXlsx

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(text.file_missing(args.file)) from None
    except OSError as exc:
        raise CliError(text.roster_file_unreadable(args.file, exc)) from None
    rulebook, unit_type, _, year = _unit_rulebook(args.unit, args.year)
    try:
        roster = RosterXlsx().read(data, rulebook, unit_type=unit_type)
    except RosterRefused as refused:
        raise CliError(text.roster_file_refused(refused.reason)) from None
    sys.stdout.write(_summary(roster, rulebook, unit_type))
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(text.ROSTER_NEEDS_YES)
        if not _agreed():
            sys.stdout.write(text.ROSTER_NOT_RECORDED)
            return 0
    confirmed = _record(args.unit, year, roster, data, path.name)
    sys.stdout.write(
        text.roster_recorded(args.unit, year, len(confirmed.counts), confirmed.evidence_id)
    )
    return 0


def _summary(roster: Roster, rulebook: Rulebook, unit_type: str) -> str:
    """The counts in the issue's words, then every problem with its row and column."""
    from dvht_core.numbers import format_pct

    members = roster.total_members
    counts = [(i, roster.count(i)) for i in roster.indicator_ids]
    lines = text.roster_counts(members, counts, [format_pct(c, members) for _, c in counts])
    total, citizens = roster.learners_total, roster.learners_citizens
    if total and citizens is not None:
        lines += text.roster_learners(total, citizens, format_pct(citizens, total))
    if roster.problems:
        lines += text.roster_problems(len(roster.problems))
        lines += "".join(text.roster_problem(p.text) for p in roster.problems)
    return lines


def _agreed() -> bool:
    from reports.roster_xlsx import fold

    sys.stdout.write(text.ROSTER_ASK)
    sys.stdout.flush()
    answer = sys.stdin.readline()
    return fold(answer) in YES


def _record(unit_id: int, year: int, roster: Roster, data: bytes, name: str) -> RosterConfirmed:
    """Keep the file in the evidence store, then stage and confirm the roster in one
    transaction: the counts, the totals and the evidence item commit together or not at all."""
    from conversations.messages import StoredEvidence
    from conversations.records import Actor
    from dvht_core.errors import InputError
    from dvht_core.roster import RosterNotPending
    from storage import roster_store
    from storage.assessments import AssessmentRepository
    from storage.evidence_store import EvidenceRejected, LocalEvidenceStore
    from storage.uow import transaction

    settings = load_settings()
    operator = Actor.operator()
    store = LocalEvidenceStore(
        settings.data_dir / "evidence", max_bytes=settings.max_upload_mb * 1024 * 1024
    )

    async def work(database: Database) -> RosterConfirmed:
        try:
            kept = await store.put(data, original_name=name)
        except EvidenceRejected as rejected:
            raise CliError(text.roster_file_refused(rejected.reason)) from None
        stored = StoredEvidence(
            sha256=kept.sha256,
            storage_key=kept.storage_key,
            size=kept.size,
            mime_type=kept.mime_type,
            original_name=kept.original_name,
        )

        def write(session: Any) -> RosterConfirmed:
            assessment_id = AssessmentRepository().get_or_create(
                session, actor=operator, unit_id=unit_id, year=year
            )
            roster_id = roster_store.stage_roster(
                session, actor=operator, assessment_id=assessment_id, roster=roster, stored=stored
            )
            return roster_store.confirm_roster(session, actor=operator, roster_id=roster_id)

        try:
            return await transaction(database, write)
        except RosterNotPending as stale:  # a colleague's roster confirmed in between
            raise CliError(text.roster_stale(stale.state)) from None
        except InputError as refused:  # a kept answer exceeds the roster's total
            raise CliError(text.roster_file_refused(refused.message)) from None

    return run_with_database(settings, work)
