"""Run one use case in one transaction, retrying once if the database is briefly unreachable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.errors import StorageUnavailable
from storage.db import WRITE_OPTION

T = TypeVar("T")
log = logging.getLogger(__name__)
RETRY_DELAY_S = 0.2


def unreachable(exc: BaseException) -> bool:
    """Connection-level failures are worth one retry; constraint violations are not."""
    if isinstance(exc, OSError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def transaction(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
) -> T:
    """Commit everything `work` does, or nothing: a crash mid-way rolls the whole use case back.

    `work` may run twice (after a connection failure); it must not have effects outside the
    session before it returns.
    """
    for attempt in (1, 2):
        try:
            async with sessions() as session, session.begin():
                await session.connection(execution_options={WRITE_OPTION: True})
                return await work(session)
        except Exception as exc:
            if not unreachable(exc):
                raise
            if attempt == 2:
                raise StorageUnavailable(
                    "Không kết nối được cơ sở dữ liệu; dữ liệu chưa được lưu, "
                    "vui lòng thử lại sau ít phút."
                ) from exc
            log.warning("database unreachable (%s); retrying once", type(exc).__name__)
            await asyncio.sleep(RETRY_DELAY_S)
    raise AssertionError("unreachable")  # pragma: no cover
