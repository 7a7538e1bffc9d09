"""The reminders table behind the engine's port (`reminders.ports.ReminderStore`): each call is
one short transaction through the unit of work (a busy database is waited for, off the loop).

**One dispatcher on SQLite.** Claims are safe there anyway (`BEGIN IMMEDIATE` serialises them),
but two dispatchers would each pace at the bot's full rate, doubling it, and contend for the
one write lock. So a dispatcher on SQLite holds an exclusive lock on a file next to the
database (`FileGuard`, `flock`), and a second one waits until the first stops. The kernel
drops the lock when its process dies, however it dies: a killed dispatcher never leaves a
stale lease that blocks the next one. On PostgreSQL any number run (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlmodel import Session

from reminders.ports import Claimed, DatedEntry, ScheduleEntry, Scope
from reminders.progress import UnitProgress
from storage import reminders_sql
from storage.db import Database
from storage.uow import read, transaction

T = TypeVar("T")
GUARD_POLL_S = 1.0
"""How often a waiting dispatcher tries the SQLite guard again."""


class SqlReminderStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def _write(self, work: Callable[[Session], T]) -> T:
        return await transaction(self.database, work)

    async def _read(self, work: Callable[[Session], T]) -> T:
        return await read(self.database, work)

    async def deadline_dates(self, year: int) -> list[dt.date]:
        return await self._read(lambda s: reminders_sql.deadline_dates(s, year))

    async def plan_dossier(
        self,
        *,
        year: int,
        legal: dt.date,
        schedule: Sequence[ScheduleEntry],
        now: dt.datetime,
    ) -> int:
        return await self._write(
            lambda s: reminders_sql.plan_dossier(
                s, year=year, legal=legal, schedule=schedule, now=now
            )
        )

    async def level1_dates(self, since: dt.date) -> list[dt.date]:
        return await self._read(lambda s: reminders_sql.level1_dates(s, since))

    async def recognitions(self) -> list[tuple[int, dt.date | None]]:
        return await self._read(reminders_sql.recognitions)

    async def plan_dated(
        self, *, kind: str, entries: Sequence[DatedEntry], now: dt.datetime
    ) -> int:
        return await self._write(
            lambda s: reminders_sql.plan_dated(s, kind=kind, entries=entries, now=now)
        )

    async def supersede(self, *, now: dt.datetime) -> int:
        return await self._write(lambda s: reminders_sql.supersede(s, now=now))

    async def claim(
        self, *, now: dt.datetime, lease_until: dt.datetime, limit: int, scope: Scope
    ) -> list[Claimed]:
        return await self._write(
            lambda s: reminders_sql.claim(
                s, now=now, lease_until=lease_until, limit=limit, scope=scope
            )
        )

    async def mark_sent(self, reminder_id: int, *, at: dt.datetime) -> None:
        await self._write(lambda s: reminders_sql.mark_sent(s, reminder_id, at=at))

    async def mark_skipped(self, reminder_ids: Sequence[int], *, reason: str) -> None:
        await self._write(lambda s: reminders_sql.mark_skipped(s, reminder_ids, reason=reason))

    async def postpone(
        self,
        reminder_id: int,
        *,
        until: dt.datetime,
        attempt: bool,
        error: str | None = None,
    ) -> None:
        await self._write(
            lambda s: reminders_sql.postpone(
                s, reminder_id, until=until, attempt=attempt, error=error
            )
        )

    async def mark_failed(self, reminder_id: int, *, error: str) -> None:
        await self._write(lambda s: reminders_sql.mark_failed(s, reminder_id, error=error))

    async def set_unreachable(self, identity_id: int) -> None:
        await self._write(lambda s: reminders_sql.set_unreachable(s, identity_id))

    async def next_due(self, *, scope: Scope) -> dt.datetime | None:
        return await self._read(lambda s: reminders_sql.next_due(s, scope=scope))

    async def reviewer_units(self, person_id: int, year: int) -> list[int]:
        return await self._read(lambda s: reminders_sql.reviewer_units(s, person_id, year))

    async def identity(self, *, channel: str, external_id: str) -> int | None:
        """The id of a chat's identity (the console user's), None if they never wrote."""
        return await self._read(
            lambda s: reminders_sql.identity_of(s, channel=channel, external_id=external_id)
        )

    async def exclusive(self) -> FileGuard | NoGuard:
        if self.database.dialect != "sqlite":
            return NoGuard()
        database = make_url(self.database.url).database
        if not database or database == ":memory:":
            return NoGuard()  # a database only this process sees
        return FileGuard(Path(f"{database}.dispatch.lock"))


class NoGuard:
    """PostgreSQL: dispatchers share the table through leases and `SKIP LOCKED`."""

    async def acquire(self, *, wait: bool = True) -> bool:
        return True

    def release(self) -> None:
        return None


class FileGuard:
    """An exclusive `flock` on a file next to the SQLite database (see the module docstring);
    waited for asynchronously, so the waiting process goes on serving its chats."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    async def acquire(self, *, wait: bool = True) -> bool:
        while True:
            if self._try():
                return True
            if not wait:
                return False
            await asyncio.sleep(GUARD_POLL_S)

    def _try(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class SqlProgressSource:
    """The units' progress for a batch of reminders (`reminders.ports.ProgressSource`), read
    set-based by `storage.progress_store.load_progress` (with each indicator's first answer
    date, for the forecast)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def load(self, unit_ids: Sequence[int], year: int) -> Mapping[int, UnitProgress]:
        from storage.progress_store import load_progress

        return await load_progress(self.database, unit_ids, year)


class SqlBroadcastStore:
    """The broadcasts behind `reminders.broadcast.BroadcastStore`."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def scope_units(self, kind: str, value: str) -> int:
        return await read(
            self.database, lambda s: reminders_sql.scope_units(s, kind=kind, value=value)
        )

    async def exists(self, table: str, row_id: int) -> bool:
        return await read(
            self.database, lambda s: reminders_sql.exists(s, table=table, row_id=row_id)
        )

    async def provinces(self) -> list[str]:
        return await read(self.database, reminders_sql.provinces)

    async def find(self, kind: str, value: str, sha256: str) -> int | None:
        return await read(
            self.database,
            lambda s: reminders_sql.find_broadcast(s, kind=kind, value=value, sha256=sha256),
        )

    async def plan(
        self,
        *,
        kind: str,
        value: str,
        body: str,
        sha256: str,
        channels: Sequence[str],
        due: dt.datetime,
        now: dt.datetime,
    ) -> tuple[int, int]:
        """The broadcast's id and the reminders planned (again), in one transaction."""

        def work(session: Session) -> tuple[int, int]:
            broadcast_id = reminders_sql.broadcast(
                session, kind=kind, value=value, body=body, sha256=sha256, now=now
            )
            planned = reminders_sql.plan_broadcast(
                session,
                broadcast_id=broadcast_id,
                kind=kind,
                value=value,
                channels=channels,
                due=due,
                now=now,
            )
            return broadcast_id, planned

        return await transaction(self.database, work)

    async def audience(
        self, kind: str, value: str, channels: Sequence[str], broadcast_id: int | None
    ) -> dict[str, int]:
        return await read(
            self.database,
            lambda s: reminders_sql.audience(
                s, kind=kind, value=value, channels=channels, broadcast_id=broadcast_id
            ),
        )

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        return await read(self.database, lambda s: reminders_sql.broadcast_counts(s, broadcast_id))
