"""Run one use case in one transaction, retrying once if the database is briefly unreachable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

from conversations.errors import StorageUnavailable
from storage.db import Database

T = TypeVar("T")
log = logging.getLogger(__name__)
RETRY_DELAY_S = 0.2
UNAVAILABLE = (
    "Không kết nối được cơ sở dữ liệu; dữ liệu chưa được lưu, vui lòng thử lại sau ít phút."
)


def unreachable(exc: BaseException) -> bool:
    """Connection-level failures are worth one retry; constraint violations are not."""
    if isinstance(exc, OSError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def _with_retry(database: Database, work: Callable[[Session], T], *, write: bool) -> T:
    for attempt in (1, 2):
        try:
            return await database.run(work, write=write)
        except Exception as exc:
            if not unreachable(exc):
                raise
            if attempt == 2:
                raise StorageUnavailable(UNAVAILABLE) from exc
            log.warning("database unreachable (%s); retrying once", type(exc).__name__)
            await asyncio.sleep(RETRY_DELAY_S)
    raise AssertionError("unreachable")  # pragma: no cover


async def transaction(database: Database, work: Callable[[Session], T]) -> T:
    """Commit everything `work` does, or nothing: a crash mid-way rolls the whole use case back.

    `work` may run twice (after a connection failure); it must not have effects outside the
    session before it returns.
    """
    return await _with_retry(database, work, write=True)


async def read(database: Database, work: Callable[[Session], T]) -> T:
    """Run a read-only use case in one consistent snapshot."""
    return await _with_retry(database, work, write=False)
