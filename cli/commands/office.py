"""`dvht office add`, `dvht reviewer add`, `dvht login-link` (issue 15): an office and its
reviewers at the command line, for offices set up before (or without) the dashboard.

A login link is printed once and never stored in the clear (only its hash, see
`storage.login_links`); it needs the dashboard's public address, DVHT_PUBLIC_URL or
`--base-url`, and is refused with one line without it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli import arguments, text
from cli.commands.deadline import clean_text, province_name
from cli.common import CliError, load_settings, run_with_database

if TYPE_CHECKING:
    import datetime as dt

    from sqlmodel import Session

    from bot.settings import Settings
    from cli.common import Commands
    from storage.db import Database

KINDS = ["so_gddt", "ubnd_xa", "ubnd_tinh", "phong_gddt", "khac"]
office_id = arguments.bounded_int(1, arguments.MAX_ID, "mã cơ quan")
person_id = arguments.bounded_int(1, arguments.MAX_ID, "mã người dùng")


def add_commands(commands: Commands) -> None:
    office = commands.add_parser("office", help=text.HELP_OFFICE)
    sub = office.add_subparsers(dest="office_command", metavar="LỆNH", required=True)
    add = sub.add_parser("add", help=text.HELP_OFFICE_ADD)
    add.add_argument("--name", required=True, help=text.HELP_OFFICE_ADD_NAME)
    add.add_argument("--province", required=True, help=text.HELP_PROVINCE)
    add.add_argument("--kind", choices=KINDS, help=text.HELP_OFFICE_KIND)
    add.set_defaults(handler=_cmd_office_add)
    reviewer = commands.add_parser("reviewer", help=text.HELP_REVIEWER)
    rsub = reviewer.add_subparsers(dest="reviewer_command", metavar="LỆNH", required=True)
    radd = rsub.add_parser("add", help=text.HELP_REVIEWER_ADD)
    radd.add_argument("--name", required=True, help=text.HELP_REVIEWER_NAME)
    radd.add_argument(
        "--office", dest="office", type=office_id, required=True, help=text.HELP_OFFICE_ID
    )
    radd.add_argument("--base-url", dest="base_url", help=text.HELP_BASE_URL)
    radd.set_defaults(handler=_cmd_reviewer_add)
    link = commands.add_parser("login-link", help=text.HELP_LOGIN_LINK)
    link.add_argument("--person", type=person_id, required=True, help=text.HELP_PERSON_ID)
    link.add_argument("--base-url", dest="base_url", help=text.HELP_BASE_URL)
    link.set_defaults(handler=_cmd_login_link)


def base_url(settings: Settings, typed: str | None) -> str:
    """Where the dashboard answers: `--base-url`, else DVHT_PUBLIC_URL; one line without."""
    found = (typed or "").strip() or (settings.public_url or "")
    if not found:
        raise CliError(text.NO_PUBLIC_URL)
    if not found.startswith(("http://", "https://")):
        raise CliError(text.BAD_BASE_URL)
    return found.rstrip("/")


def _cmd_office_add(args: argparse.Namespace) -> int:
    from conversations.records import Actor
    from storage import review_admin
    from storage.uow import transaction

    name = clean_text("--name", args.name, text.OFFICE_NAME_EMPTY)
    province = province_name(args.province)

    async def work(database: Database) -> tuple[int, int]:
        return await transaction(
            database,
            lambda session: review_admin.add_office(
                session, actor=Actor.operator(), name=name, province=province, kind=args.kind
            ),
        )

    added, units = run_with_database(load_settings(), work)
    sys.stdout.write(text.office_added(added, name, province, units))
    return 0


def _issue(session: Session, person: int) -> tuple[str, dt.datetime]:
    from storage import login_links

    return login_links.issue(session, person_id=person, via="cli")


def _cmd_reviewer_add(args: argparse.Namespace) -> int:
    from conversations.records import Actor
    from storage import login_links, review_admin
    from storage.uow import transaction

    settings = load_settings()
    url = base_url(settings, args.base_url)
    name = clean_text("--name", args.name, text.REVIEWER_NAME_EMPTY)

    async def work(database: Database) -> tuple[int, str, dt.datetime]:
        def add(session: Session) -> tuple[int, str, dt.datetime]:
            person = review_admin.add_reviewer(
                session, actor=Actor.operator(), name=name, office_id=args.office
            )
            token, expires_at = _issue(session, person)
            return person, token, expires_at

        return await transaction(database, add)

    person, token, expires_at = run_with_database(settings, work)
    sys.stdout.write(text.reviewer_added(person, name, args.office))
    sys.stdout.write(text.login_link_line(f"{url}{login_links.LOGIN_PATH}{token}", expires_at))
    return 0


def _cmd_login_link(args: argparse.Namespace) -> int:
    from storage import login_links, review_admin, review_store
    from storage.uow import transaction

    settings = load_settings()
    url = base_url(settings, args.base_url)

    async def work(database: Database) -> tuple[str, dt.datetime]:
        def issue(session: Session) -> tuple[str, dt.datetime]:
            if not review_admin.person_exists(session, args.person):
                raise CliError(text.no_such_person(args.person))
            if not review_store.may_use_dashboard(session, args.person):
                raise CliError(text.not_dashboard_user(args.person))
            return _issue(session, args.person)

        return await transaction(database, issue)

    token, expires_at = run_with_database(settings, work)
    sys.stdout.write(text.login_link_line(f"{url}{login_links.LOGIN_PATH}{token}", expires_at))
    return 0
