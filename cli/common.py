"""What every command shares: the one error type, the settings, running with the database,
and turning the failures a user can fix into one Vietnamese line (reading an evaluate file is
`cli.documents`).

Every command module imports this one, so it imports nothing heavy at module level: YAML,
pydantic, the settings and SQLAlchemy load inside the function that needs them, which keeps
`dvht evaluate` fast.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cli import text

if TYPE_CHECKING:
    import argparse

    from bot.settings import Settings
    from storage.db import Database

    Commands = argparse._SubParsersAction[argparse.ArgumentParser]
    """The `dvht` subcommands, to which each command module adds its own."""

T = TypeVar("T")


class CliError(Exception):
    """A user-facing CLI failure: printed as one line, exit status 2."""


@contextmanager
def input_errors() -> Iterator[None]:
    """A document the core refuses: one line naming the field."""
    from dvht_core.errors import InputError

    try:
        yield
    except InputError as exc:
        raise CliError(text.input_error(exc.field, exc.message)) from None


def load_settings() -> Settings:
    """The configuration, read once per command; an invalid variable is one line naming it
    (never its value: it may be a secret)."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        field = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise CliError(text.bad_setting(field)) from None


@contextmanager
def storage_errors(settings: Settings | None = None) -> Iterator[None]:
    """Turn the storage layer's failures (and the core's refusals) into one-line CLI errors.

    `settings` names the variable that chose the database in the line (DVHT_DATA_DIR when
    not given)."""
    from conversations.errors import (
        AccessDenied,
        NotFound,
        StorageBusy,
        StorageFull,
        StorageUnavailable,
    )
    from conversations.submission import DossierLocked
    from storage.bootstrap import DatabaseUrlInvalid, DataDirUnusable, SchemaNewer, SchemaOutdated
    from storage.faults import DatabaseFault

    setting = settings.database_setting() if settings is not None else "DVHT_DATA_DIR"
    try:
        with input_errors():
            yield
    except StorageBusy:
        raise CliError(text.DATABASE_BUSY) from None
    except StorageFull:
        raise CliError(text.DATABASE_FULL) from None
    except DatabaseFault as fault:
        raise CliError(
            text.database_fault(
                fault.fault.value,
                where=fault.where,
                name=fault.name,
                sqlite=fault.sqlite,
                setting=setting,
            )
        ) from None
    except StorageUnavailable:
        raise CliError(text.DATABASE_DOWN) from None
    except DataDirUnusable as unusable:
        raise CliError(text.data_dir_unusable(unusable.reason, unusable.path, setting)) from None
    except DatabaseUrlInvalid:
        raise CliError(text.database_url_invalid()) from None
    except SchemaNewer as newer:
        raise CliError(text.schema_newer(newer.revision)) from None
    except SchemaOutdated:
        raise CliError(text.SCHEMA_OUTDATED) from None
    except NotFound as exc:
        raise CliError(text.not_found(str(exc))) from None
    except DossierLocked as locked:  # submitted: when and by whom (issue 15)
        raise CliError(text.review_refused(locked.message)) from None
    except AccessDenied as exc:
        raise CliError(text.access_denied(str(exc))) from None


def run_with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database, run `work`, and turn storage failures into one line."""
    import asyncio

    from storage.bootstrap import open_database

    async def main() -> T:
        database = await open_database(settings.database())
        try:
            return await work(database)
        finally:
            await database.close()

    with storage_errors(settings):
        return asyncio.run(main())


def output_path(argument: str, name: str) -> Path:
    """Where `-o ARGUMENT` writes a file whose own name is `name` (the report's, the dossier's,
    the roster template's): into ARGUMENT when it is a folder, an existing one or one written with
    its trailing slash (“-o ~/hoso/”), under that name and never over another file; else
    ARGUMENT itself. A folder written with its slash that does not exist is refused: `Path`
    drops the slash, and the file would silently be written as “~/hoso”."""
    import os

    from reports.file_names import unique_path

    target = Path(argument)
    if target.is_dir():
        return unique_path(target, name)
    if argument.endswith(("/", os.sep)):
        raise CliError(text.folder_missing(argument))
    return target
