"""Offices, units, people and answers for the board and API tests, written through the real
repositories (so every write marks the standing stale exactly as the chat's do)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from conversations.records import Actor
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput
from storage.tables import Membership, Office, Person, ReviewerScope, Unit
from storage.uow import transaction
from tests.conftest import full_answers

YEAR = 2026
TODAY = dt.date(2026, 12, 7)
"""A Vietnam date in assessment year 2026 (legal deadline 15/01/2027: 39 days left)."""


def level2_values(unit_type: str = "ubnd_xa", tier: str = "huyen") -> dict[str, dict[str, Any]]:
    """Each applicable indicator's stored value reaching level 2 (evidence given apart)."""
    answers = full_answers(load_rulebook(TT24_BY_TIER[tier]), unit_type, 100)
    return {k: {f: v for f, v in a.items() if f != "evidence"} for k, a in answers.items()}


@dataclass
class BoardWorld:
    database: Database
    repo: AssessmentRepository = field(default_factory=AssessmentRepository)

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

        return int(await self._do(work))

    async def unit(
        self,
        name: str,
        *,
        office_id: int | None,
        unit_type: str = "ubnd_xa",
        tier: str = "huyen",
        province: str = "Hưng Yên",
        active: bool = True,
    ) -> int:
        def work(session: Session) -> int:
            unit = Unit(
                name=name,
                tier=tier,
                unit_type=unit_type,
                province=province,
                office_id=office_id,
                active=active,
            )
            session.add(unit)
            session.flush()
            assert unit.id is not None
            return unit.id

        return int(await self._do(work))

    async def person(
        self,
        name: str,
        *,
        admin_of: tuple[int, ...] = (),
        member_of: tuple[int, ...] = (),
        reviewer_of: tuple[int, ...] = (),
    ) -> int:
        def work(session: Session) -> int:
            person = Person(display_name=name)
            session.add(person)
            session.flush()
            assert person.id is not None
            for unit_id in admin_of:
                session.add(Membership(person_id=person.id, unit_id=unit_id, role="unit_admin"))
            for unit_id in member_of:
                session.add(Membership(person_id=person.id, unit_id=unit_id, role="member"))
            for office_id in reviewer_of:
                session.add(ReviewerScope(person_id=person.id, office_id=office_id))
            return person.id

        return int(await self._do(work))

    async def answer(
        self,
        unit_id: int,
        values: dict[str, dict[str, Any]],
        *,
        by: int | None = None,
        evidence: bool = True,
        members: int = 100,
        year: int = YEAR,
    ) -> int:
        """Start the year's assessment (if needed) and record these answers, each with one
        evidence reference when `evidence`; return the assessment id."""
        actor = Actor.person(by) if by is not None else Actor.operator()

        def work(session: Session) -> int:
            aid = self.repo.get_or_create(session, actor=actor, unit_id=unit_id, year=year)
            self.repo.set_totals(
                session,
                actor=actor,
                assessment_id=aid,
                totals=AssessmentTotals(members=members),
            )
            for indicator_id, value in values.items():
                self.repo.record_answer(
                    session,
                    actor=actor,
                    assessment_id=aid,
                    answer=AnswerInput(indicator_id=indicator_id, value=value),
                )
                if evidence:
                    self.repo.add_evidence(
                        session,
                        actor=actor,
                        assessment_id=aid,
                        evidence=EvidenceInput(
                            kind="reference",
                            title=f"Minh chứng {indicator_id}",
                            indicator_ids=(indicator_id,),
                        ),
                    )
            return aid

        return int(await self._do(work))

    async def set_status(self, assessment_id: int, status: str, **columns: Any) -> None:
        """Move an assessment's stored status by hand (the review service is part A's)."""
        from sqlalchemy import text

        sets = ", ".join(f"{k} = :{k}" for k in ("status", *columns))

        def work(session: Session) -> None:
            session.connection().execute(
                text(f"UPDATE assessments SET {sets}, standing_at = NULL WHERE id = :id"),
                {"status": status, "id": assessment_id, **columns},
            )

        await self._do(work)
