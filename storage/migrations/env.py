"""Alembic environment: runs on a connection handed in by `storage.migrate`, or on its own."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from sqlmodel import SQLModel

import storage.tables  # noqa: F401 - registers every table on the metadata
from storage.db import Database
from storage.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our UTC type as the plain column type, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone(url: str) -> None:
    database = Database(url)
    try:
        await database.run_connection(_run)
    finally:
        await database.close()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic -c alembic.ini ...` from a developer's shell
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("alembic: set DATABASE_URL or sqlalchemy.url")
    asyncio.run(_run_standalone(url))
