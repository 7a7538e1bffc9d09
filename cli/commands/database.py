"""`dvht db upgrade`: apply the pending schema migrations (PostgreSQL after each release)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli import text
from cli.common import load_settings, storage_errors

if TYPE_CHECKING:
    from cli.common import Commands


def add_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help=text.HELP_DB)
    db_commands = db.add_subparsers(dest="db_command", metavar="LỆNH", required=True)
    upgrade = db_commands.add_parser("upgrade", help=text.HELP_DB_UPGRADE)
    upgrade.set_defaults(handler=_cmd_db_upgrade)


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    import asyncio

    from storage.bootstrap import upgrade_database

    settings = load_settings()
    with storage_errors(settings):
        before, after = asyncio.run(upgrade_database(settings.database()))
    sys.stdout.write(text.upgraded(before, after))
    return 0
