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
def storage_errors() -> Iterator[None]:
    """Turn the storage layer's failures (and the core's refusals) into one-line CLI errors."""
    from conversations.errors import AccessDenied, NotFound, StorageUnavailable
    from storage.bootstrap import SchemaOutdated

    try:
        with input_errors():
            yield
    except StorageUnavailable:
        raise CliError(text.DATABASE_DOWN) from None
    except SchemaOutdated:
        raise CliError(text.SCHEMA_OUTDATED) from None
    except NotFound as exc:
        raise CliError(text.not_found(str(exc))) from None
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

    with storage_errors():
        return asyncio.run(main())
