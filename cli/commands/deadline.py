"""`dvht deadline list | add | remove | office`: the calendar at the command line (issue 13).

`list` prints the coming dates of an assessment year (the law's, a province's plan, and the
dates offices added), each with the days left from Vietnam's today and its source; with
`--unit`, first the unit's effective deadline and who receives its dossier. `add` stores an
office's internal date, `remove` marks one removed (never deleted), `office` records who
receives a tier's dossiers (and who recognises) for a province or one unit. After each change
the reminders are planned again (`cli.replan`).

The rules for a new date, decided here and documented in the README: the date must be a real
date (31/02/2027 is refused), after today (Vietnam), and no later than the legal deadline of the
next assessment year; its assessment year is the one whose legal deadline is the first on or
after it (10/01/2027 → the 2026 dossier, 16/01/2027 → the 2027 dossier). With `--year N` it
must fall after year N - 1's legal deadline and no later than year N's: an office may only
bring the deadline forward, never past the law's (a date after it is refused, not moved).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from cli import arguments, text
from cli.common import CliError, load_settings, run_with_database

if TYPE_CHECKING:
    import datetime as dt

    from cli.common import Commands
    from conversations.records import UnitRecord
    from dvht_core.unit_calendar import OfficeDeadline, UnitCalendar
    from storage.db import Database

TIERS = ["huyen", "tinh"]
MAX_TEXT = 300
"""A title, office or authority: the columns' length (`storage.tables`)."""

deadline_id = arguments.bounded_int(1, arguments.MAX_ID, "mã hạn")
office_id = arguments.bounded_int(1, arguments.MAX_ID, "mã cơ quan")


def add_commands(commands: Commands) -> None:
    deadline = commands.add_parser("deadline", help=text.HELP_DEADLINE)
    sub = deadline.add_subparsers(dest="deadline_command", metavar="LỆNH", required=True)
    listing = sub.add_parser("list", help=text.HELP_DEADLINE_LIST)
    listing.add_argument("--unit", type=arguments.unit_id, help=text.HELP_UNIT_ID)
    listing.add_argument("--province", help=text.HELP_PROVINCE)
    listing.add_argument("--year", type=arguments.year, help=text.HELP_LIST_YEAR)
    listing.set_defaults(handler=_cmd_list)
    add = sub.add_parser("add", help=text.HELP_DEADLINE_ADD)
    add.add_argument("--province", help=text.HELP_PROVINCE)
    add.add_argument(
        "--office", dest="office_id", type=office_id, help=text.HELP_DEADLINE_OFFICE_ID
    )
    add.add_argument("--date", required=True, help=text.HELP_DEADLINE_DATE)
    add.add_argument("--title", required=True, help=text.HELP_DEADLINE_TITLE)
    add.add_argument("--year", type=arguments.year, help=text.HELP_DEADLINE_YEAR)
    add.set_defaults(handler=_cmd_add)
    remove = sub.add_parser("remove", help=text.HELP_DEADLINE_REMOVE)
    remove.add_argument(
        "deadline_id", metavar="MÃ_HẠN", type=deadline_id, help=text.HELP_DEADLINE_ID
    )
    remove.set_defaults(handler=_cmd_remove)
    office = sub.add_parser("office", help=text.HELP_DEADLINE_OFFICE)
    office.add_argument("--province", help=text.HELP_PROVINCE)
    office.add_argument("--tier", choices=TIERS, help=text.HELP_OFFICE_TIER)
    office.add_argument("--office", dest="office_name", required=True, help=text.HELP_OFFICE_NAME)
    office.add_argument("--authority", help=text.HELP_AUTHORITY)
    office.add_argument("--from", dest="from_day", help=text.HELP_OFFICE_FROM)
    office.add_argument("--unit", type=arguments.unit_id, help=text.HELP_OFFICE_UNIT)
    office.set_defaults(handler=_cmd_office)


# --------------------------------------------------------------------------- checks


def parse_day(option: str, typed: str) -> dt.date:
    """A dd/mm/yyyy date (d/m/yyyy accepted); one line naming the option otherwise."""
    import datetime as dt
    import re

    found = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", typed)
    if found is None:
        raise CliError(text.bad_date(option, typed))
    day, month, year = (int(part) for part in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CliError(text.no_such_date(option, typed)) from None


def province_name(typed: str) -> str:
    """The province's name as the calendar writes it; a former province or an unknown name is
    one line (the former saying where it went)."""
    from dvht_core.provinces import find_province, province_names

    found = find_province(typed)
    if found is None:
        raise CliError(text.unknown_province(typed, province_names()))
    if found.former is not None:
        raise CliError(text.merged_province(typed, found.name))
    return found.name


def clean_text(option: str, typed: str | None, empty: str) -> str:
    """Text typed by an operator: visible characters only (NFC), not empty, at most 300."""
    from dvht_core.text_hygiene import visible_text

    shown = visible_text(typed or "")
    if not shown:
        raise CliError(empty)
    if len(shown) > MAX_TEXT:
        raise CliError(text.text_too_long(option, len(shown), MAX_TEXT))
    return shown


def deadline_year(day: dt.date, today: dt.date, year: int | None) -> int:
    """The assessment year a new office date belongs to, after the checks of this module's
    docstring (a past date, a date after the law's deadline, one too far ahead)."""
    from dvht_core import calendar, vietnam_time

    if day <= today:
        raise CliError(text.date_not_future(day, today))
    last = calendar.dossier_deadline(vietnam_time.assessment_year(today) + 1)
    if day > last:
        raise CliError(text.date_too_far(day, last))
    if year is None:
        return calendar.dossier_year(day)
    legal = calendar.dossier_deadline(year)
    if day > legal:
        raise CliError(text.date_after_legal(day, year, legal))
    previous = calendar.dossier_deadline(year - 1)
    if day <= previous:
        raise CliError(text.date_before_year(day, year, previous))
    return year


# --------------------------------------------------------------------------- add, remove


def _cmd_add(args: argparse.Namespace) -> int:
    from cli.replan import CalendarChange, replan
    from conversations.records import Actor
    from dvht_core import vietnam_time
    from storage import calendar_store
    from storage.uow import transaction

    if (args.province is None) == (args.office_id is None):
        raise CliError(text.DEADLINE_SCOPE)
    province = province_name(args.province) if args.province is not None else None
    title = clean_text("--title", args.title, text.TITLE_EMPTY)
    day = parse_day("--date", args.date)
    today = vietnam_time.today()
    year = deadline_year(day, today, args.year)
    data = calendar_store.NewDeadline(
        year=year, due_on=day, title=title, province=province, office_id=args.office_id
    )

    async def work(database: Database) -> OfficeDeadline:
        added = await transaction(
            database,
            lambda session: calendar_store.add_deadline(
                session, actor=Actor.operator(), data=data
            ),
        )
        change = CalendarChange(
            "deadline.add", year=year, province=province, office_id=args.office_id
        )
        await replan(database, change)
        return added

    sys.stdout.write(text.deadline_added(run_with_database(load_settings(), work)))
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from cli.replan import CalendarChange, replan
    from conversations.records import Actor
    from storage import calendar_store
    from storage.uow import transaction

    async def work(database: Database) -> OfficeDeadline:
        try:
            removed = await transaction(
                database,
                lambda session: calendar_store.remove_deadline(
                    session, actor=Actor.operator(), deadline_id=args.deadline_id
                ),
            )
        except calendar_store.DeadlineGone as gone:
            raise CliError(text.deadline_gone(gone.deadline_id, gone.removed_at)) from None
        change = CalendarChange(
            "deadline.remove",
            year=removed.year,
            province=removed.province,
            office_id=removed.office_id,
        )
        await replan(database, change)
        return removed

    sys.stdout.write(text.deadline_removed(run_with_database(load_settings(), work)))
    return 0


# --------------------------------------------------------------------------- office


def _cmd_office(args: argparse.Namespace) -> int:
    from cli.replan import CalendarChange, replan
    from conversations.records import Actor
    from dvht_core import vietnam_time
    from dvht_core.offices import names_abolished_office, reform_date
    from dvht_core.provinces import same_province
    from storage import calendar_store
    from storage.units import UnitRepository
    from storage.uow import transaction

    if args.province is None and args.unit is None:
        raise CliError(text.OFFICE_SCOPE)
    province = province_name(args.province) if args.province is not None else None
    office = clean_text("--office", args.office_name, text.OFFICE_EMPTY)
    authority = (
        clean_text("--authority", args.authority, text.OFFICE_EMPTY)
        if args.authority is not None
        else None
    )
    from_day = (
        parse_day("--from", args.from_day) if args.from_day is not None else vietnam_time.today()
    )
    if from_day >= reform_date():
        for option, typed in (("--office", office), ("--authority", authority)):
            if typed is not None and names_abolished_office(typed):
                raise CliError(text.abolished_office(option, typed))
    if args.unit is None and args.tier is None:
        raise CliError(text.OFFICE_TIER_NEEDED)

    def store(session: Any) -> tuple[int, str, str, str]:
        where, tier = province, args.tier
        scope = f"tỉnh, thành phố {province}"
        if args.unit is not None:
            unit = UnitRepository().get(session, actor=Actor.operator(), unit_id=args.unit)
            if province is not None and not same_province(unit.province, province):
                raise CliError(text.unit_other_province(unit.id, unit.province, province))
            where, tier = province or unit.province, tier or unit.tier
            scope = f"đơn vị {unit.id} ({unit.name})"
        assert where is not None
        setting = calendar_store.set_office(
            session,
            actor=Actor.operator(),
            province=where,
            tier=tier,
            office=office,
            authority=authority,
            effective_from=from_day,
            unit_id=args.unit,
        )
        return setting, scope, tier, where

    async def work(database: Database) -> tuple[int, str, str, str]:
        done = await transaction(database, store)
        change = CalendarChange("office.set", province=done[3], unit_id=args.unit)
        await replan(database, change)
        return done

    setting, scope, tier, _ = run_with_database(load_settings(), work)
    sys.stdout.write(text.office_set(setting, scope, tier, office, authority, from_day))
    return 0


# --------------------------------------------------------------------------- list


def _cmd_list(args: argparse.Namespace) -> int:
    from dvht_core import calendar, vietnam_time

    today = vietnam_time.today()
    year = args.year or vietnam_time.assessment_year(today)
    province = province_name(args.province) if args.province is not None else None
    explicit = args.year is not None

    async def work(database: Database) -> tuple[UnitRecord | None, Any, list[OfficeDeadline]]:
        return await _load(database, args.unit, province, year)

    unit, unit_cal, office_dates = run_with_database(load_settings(), work)
    lines: list[str] = []
    if unit is not None:
        assert unit_cal is not None
        lines += text.unit_calendar_heading(unit, unit_cal, today)
        entries = calendar.year_entries(
            year, tier=unit.tier, unit_type=unit.unit_type, province=unit.province
        )
    else:
        entries = calendar.year_entries(year, tier=None, province=province)
    rows: list[tuple[Any, list[str]]] = []
    for entry in entries:
        end = entry.day if entry.first_day is None else entry.day + _one_day()
        if explicit or end > today:
            rows.append((entry.day, text.calendar_line(entry, today, unit is None)))
    for deadline in office_dates:
        if explicit or deadline.day > today:
            rows.append((deadline.day, text.office_deadline_line(deadline, today)))
    rows.sort(key=lambda row: row[0])
    if unit is not None:
        lines.append("")
    lines += [line for _, block in rows for line in block] or [text.NO_COMING_DEADLINES]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _one_day() -> dt.timedelta:
    import datetime as dt

    return dt.timedelta(days=1)


async def _load(
    database: Database, unit_id: int | None, province: str | None, year: int
) -> tuple[UnitRecord | None, UnitCalendar | None, list[OfficeDeadline]]:
    from conversations.records import Actor
    from storage import calendar_store
    from storage.units import UnitRepository
    from storage.uow import read

    def load(session: Any) -> tuple[UnitRecord | None, UnitCalendar | None, list[OfficeDeadline]]:
        if unit_id is None:
            return None, None, calendar_store.deadlines(session, year=year, province=province)
        unit = UnitRepository().get(session, actor=Actor.operator(), unit_id=unit_id)
        if province is not None and not _same(unit.province, province):
            raise CliError(text.unit_other_province(unit.id, unit.province, province))
        found = calendar_store.unit_calendar(session, unit=unit, year=year)
        return unit, found, list(found.office_deadlines)

    return await read(database, load)


def _same(a: str, b: str) -> bool:
    from dvht_core.provinces import same_province

    return same_province(a, b)
