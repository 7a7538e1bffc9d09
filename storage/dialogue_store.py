"""The conversation service's storage port: one message, one transaction, on the repositories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from conversations.messages import StoredEvidence
from conversations.ports import DialogueTx
from conversations.records import (
    Actor,
    AnswerRecord,
    AssessmentRecord,
    EvidenceRecord,
    InviteRecord,
    MembershipRecord,
    PersonRecord,
    UnitRecord,
)
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.dialogue import ConversationStateRepository, ProcessedUpdateRepository
from storage.invites import InviteRepository
from storage.people import PersonRepository
from storage.schemas import (
    AnswerInput,
    AssessmentTotals,
    EvidenceInput,
    NewInvite,
    NewPerson,
    NewUnit,
)
from storage.units import UnitRepository
from storage.uow import transaction

T = TypeVar("T")


class SqlDialogueStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def run(self, work: Callable[[DialogueTx], T]) -> T:
        return await transaction(self.database, lambda session: work(SqlDialogueTx(session)))


class SqlDialogueTx:
    """`DialogueTx` over one session; every call goes through the repositories' access checks."""

    people = PersonRepository()
    units = UnitRepository()
    assessments = AssessmentRepository()
    invites = InviteRepository()
    states = ConversationStateRepository()
    updates = ProcessedUpdateRepository()

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_update(self, *, channel: str, update_id: str) -> bool:
        return self.updates.claim(self.session, channel=channel, update_id=update_id)

    def person(self, *, channel: str, user_id: str, display_name: str) -> PersonRecord:
        data = NewPerson(
            display_name=display_name[:200] or user_id, channel=channel, external_id=user_id
        )
        return self.people.get_or_create(self.session, data=data)

    def load_state(self, *, channel: str, user_id: str) -> tuple[dict[str, Any], int]:
        return self.states.load(self.session, channel=channel, user_id=user_id)

    def save_state(
        self, *, channel: str, user_id: str, state: dict[str, Any], version: int
    ) -> int:
        return self.states.save(
            self.session, channel=channel, user_id=user_id, state=state, version=version
        )

    def memberships(self, *, person_id: int) -> list[MembershipRecord]:
        return self.people.memberships(
            self.session, actor=Actor.person(person_id), person_id=person_id
        )

    def unit(self, *, person_id: int, unit_id: int) -> UnitRecord:
        return self.units.get(self.session, actor=Actor.person(person_id), unit_id=unit_id)

    def assessment(self, *, person_id: int, unit_id: int, year: int) -> AssessmentRecord:
        actor = Actor.person(person_id)
        record = self.assessments.load(self.session, actor=actor, unit_id=unit_id, year=year)
        if record is None:
            self.assessments.get_or_create(self.session, actor=actor, unit_id=unit_id, year=year)
            record = self.assessments.load(self.session, actor=actor, unit_id=unit_id, year=year)
        assert record is not None
        return record

    def set_totals(
        self,
        *,
        person_id: int,
        assessment_id: int,
        members: int | None = None,
        learners: int | None = None,
    ) -> None:
        given = {k: v for k, v in (("members", members), ("learners", learners)) if v is not None}
        self.assessments.set_totals(
            self.session,
            actor=Actor.person(person_id),
            assessment_id=assessment_id,
            totals=AssessmentTotals(**given),
        )

    def record_answer(
        self,
        *,
        person_id: int,
        assessment_id: int,
        indicator_id: str,
        value: dict[str, Any],
        description: str | None = None,
    ) -> AnswerRecord:
        answer = AnswerInput(indicator_id=indicator_id, value=value, description=description)
        return self.assessments.record_answer(
            self.session, actor=Actor.person(person_id), assessment_id=assessment_id, answer=answer
        )

    def add_evidence(
        self,
        *,
        person_id: int,
        assessment_id: int,
        indicator_id: str,
        title: str,
        stored: StoredEvidence | None = None,
        photo: bool = False,
    ) -> EvidenceRecord:
        files: dict[str, Any] = {}
        if stored is not None:
            files = {
                "original_name": stored.original_name[:255],
                "mime_type": stored.mime_type,
                "size": stored.size,
                "sha256": stored.sha256,
                "storage_key": stored.storage_key,
            }
        kind = "reference" if stored is None else ("photo" if photo else "file")
        evidence = EvidenceInput(
            kind=kind, title=title[:500], indicator_ids=(indicator_id,), **files
        )
        return self.assessments.add_evidence(
            self.session,
            actor=Actor.person(person_id),
            assessment_id=assessment_id,
            evidence=evidence,
        )

    def create_unit(
        self, *, person_id: int, name: str, province: str, tier: str, unit_type: str
    ) -> UnitRecord:
        data = NewUnit.model_validate(
            {"name": name, "province": province, "tier": tier, "unit_type": unit_type}
        )
        return self.units.create(self.session, actor=Actor.person(person_id), data=data)

    def create_invite(self, *, person_id: int, unit_id: int) -> InviteRecord:
        return self.invites.create(
            self.session, actor=Actor.person(person_id), data=NewInvite(unit_id=unit_id)
        )

    def redeem_invite(self, *, person_id: int, code: str) -> MembershipRecord:
        return self.invites.redeem(self.session, code=code, person_id=person_id)
