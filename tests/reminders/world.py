"""Units, people and chats for the reminder tests, written straight into a real database, and
a clock the tests move by hand."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from dvht_core.loader import load_rulebook
from dvht_core.vietnam_time import ZONE
from storage.db import Database
from storage.tables import (
    AssessmentRow,
    ChannelIdentity,
    Deadline,
    Membership,
    Office,
    Person,
    ReviewerScope,
    Unit,
)
from storage.uow import read, transaction

_CHATS = itertools.count(910_000_001)


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment in Vietnam, as an aware UTC datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(dt.UTC)


class FakeClock:
    """The process clock, moved by the test; `sleep` jumps instead of waiting."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.moment += dt.timedelta(seconds=max(seconds, 0.0))
        await asyncio.sleep(0)


@dataclass
class Member:
    person_id: int
    identity_id: int
    chat_id: Any
    """The chat's id: a number on Telegram, the user's name in the console."""
    channel: str = "telegram"


@dataclass
class World:
    database: Database
    units: dict[str, int] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)

    async def _do(self, work: Any) -> Any:
        return await transaction(self.database, work)

    async def office(
        self, name: str = "Phòng Văn hóa - Xã hội", province: str = "Hưng Yên"
    ) -> int:
        def work(session: Session) -> int:
            office = Office(name=name, province=province)
            session.add(office)
            session.flush()
            assert office.id is not None
            return office.id

        result: int = await self._do(work)
        return result

    async def unit(
        self,
        key: str,
        *,
        province: str = "Hưng Yên",
        office_id: int | None = None,
        status: str | None = None,
        year: int = 2026,
        **assessment: Any,
    ) -> int:
        def work(session: Session) -> int:
            unit = Unit(
                name=f"UBND xã {key}",
                tier="huyen",
                unit_type="ubnd_xa",
                province=province,
                office_id=office_id,
            )
            session.add(unit)
            session.flush()
            assert unit.id is not None
            if status is not None or assessment:
                session.add(
                    AssessmentRow(
                        unit_id=unit.id,
                        year=year,
                        ruleset_id="tt24-huyen",
                        ruleset_version=load_rulebook("tt24-huyen").version,
                        status=status or "draft",
                        members=30,
                        **assessment,
                    )
                )
            return unit.id

        self.units[key] = await self._do(work)
        return self.units[key]

    async def person(
        self,
        key: str,
        *units: str,
        role: str = "member",
        channel: str = "telegram",
        reviewer_of: tuple[int, ...] = (),
        opted_out: bool = False,
        reachable: bool = True,
        chat_id: int | str | None = None,
    ) -> Member:
        chat = chat_id if chat_id is not None else next(_CHATS)

        def work(session: Session) -> Member:
            person = Person(display_name=key, reminders_off=opted_out)
            session.add(person)
            session.flush()
            assert person.id is not None
            identity = ChannelIdentity(
                person_id=person.id, channel=channel, external_id=str(chat), active=reachable
            )
            session.add(identity)
            for unit in units:
                session.add(Membership(person_id=person.id, unit_id=self.units[unit], role=role))
            for office_id in reviewer_of:
                session.add(ReviewerScope(person_id=person.id, office_id=office_id))
            session.flush()
            assert identity.id is not None
            return Member(person.id, identity.id, chat, channel)

        self.members[key] = await self._do(work)
        return self.members[key]

    async def deadline(
        self,
        due_on: dt.date,
        *,
        year: int = 2026,
        province: str | None = None,
        office_id: int | None = None,
    ) -> int:
        def work(session: Session) -> int:
            row = Deadline(
                year=year,
                due_on=due_on,
                title="Hạn nội bộ",
                province=province,
                office_id=office_id,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id

        result: int = await self._do(work)
        return result

    async def remove_deadline(self, deadline_id: int, at: dt.datetime) -> None:
        await self._do(
            lambda s: s.execute(
                text("UPDATE deadlines SET removed_at = :at WHERE id = :id"),
                {"at": at, "id": deadline_id},
            )
        )

    async def set_status(self, unit: str, status: str, year: int = 2026) -> None:
        await self._do(
            lambda s: s.execute(
                text("UPDATE assessments SET status = :status WHERE unit_id = :u AND year = :y"),
                {"status": status, "u": self.units[unit], "y": year},
            )
        )

    async def rows(self, where: str = "1 = 1", **params: Any) -> list[dict[str, Any]]:
        """The reminders table (with each row's chat), oldest due first."""

        def work(session: Session) -> list[dict[str, Any]]:
            result = session.execute(
                text(
                    "SELECT r.*, ci.external_id AS chat FROM reminders r "
                    "JOIN channel_identities ci ON ci.id = r.identity_id "
                    f"WHERE {where} ORDER BY r.due_at, r.id"
                ),
                params,
            )
            return [dict(row._mapping) for row in result]

        found: list[dict[str, Any]] = await read(self.database, work)
        return found
