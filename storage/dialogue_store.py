"""The conversation service's storage port: one message, one transaction, on the repositories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from conversations.messages import StoredEvidence
from conversations.ports import DialogueTx
from conversations.records import (
    Actor,
    AssessmentRecord,
    EvidenceRecord,
    InviteRecord,
    MembershipRecord,
    PersonRecord,
    UnitRecord,
)
from dvht_core.assessment import check_answer
from dvht_core.errors import InputError
from dvht_core.loader import load_rulebook
from storage import dialogue_sql
from storage.assessments import AssessmentRepository, answer_value
from storage.db import Database
from storage.dialogue import ConversationStateRepository, ProcessedUpdateRepository
from storage.invites import InviteRepository
from storage.people import PersonRepository
from storage.schemas import (
    AssessmentTotals,
    EvidenceInput,
    FileInput,
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
        self._state: tuple[dict[str, Any], int] | None = None
        self._rows: dict[int, dict[str, Any]] = {}
        """Assessment rows read by `context` in this transaction, by id."""

    def claim_update(self, *, channel: str, update_id: str) -> bool:
        return dialogue_sql.claim(self.session, channel=channel, update_id=update_id)

    def person(self, *, channel: str, user_id: str, display_name: str) -> PersonRecord:
        found = dialogue_sql.person_and_state(self.session, channel=channel, user_id=user_id)
        if found is None:  # first contact
            data = NewPerson(
                display_name=display_name[:200] or user_id, channel=channel, external_id=user_id
            )
            self._state = ({}, 0)
            return self.people.get_or_create(self.session, data=data)
        person_id, name, state, version = found
        self._state = (state, version)
        return PersonRecord(id=person_id, display_name=name)

    def load_state(self, *, channel: str, user_id: str) -> tuple[dict[str, Any], int]:
        if self._state is not None:  # read together with the person
            return self._state
        return self.states.load(self.session, channel=channel, user_id=user_id)

    def save_state(
        self, *, channel: str, user_id: str, state: dict[str, Any], version: int
    ) -> int:
        return dialogue_sql.save_state(
            self.session, channel=channel, user_id=user_id, state=state, version=version
        )

    def context(
        self, *, person_id: int, unit_id: int | None, year: int
    ) -> tuple[list[MembershipRecord], UnitRecord | None, AssessmentRecord | None]:
        self.session.flush()  # ORM writes earlier in this message must be visible to plain SQL
        rows = dialogue_sql.units(self.session, person_id=person_id, year=year)
        if not rows:
            return [], None, None
        chosen = next((r for r in rows if r[1].id == unit_id), rows[0])
        _, unit, row = chosen
        if row is None:  # the first message of the year: start the draft
            actor = Actor.person(person_id)
            self.assessments.get_or_create(self.session, actor=actor, unit_id=unit.id, year=year)
            rows = dialogue_sql.units(self.session, person_id=person_id, year=year)
            row = next(r[2] for r in rows if r[1].id == unit.id)
            assert row is not None
        record = dialogue_sql.assessment(self.session, unit=unit, year=year, row=row)
        self._rows[record.id] = {**row, "unit_id": unit.id}
        return [m for m, _, _ in rows], unit, record

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
    ) -> None:
        """Check the value with dvht_core against the stored totals, then store it."""
        row = self._rows.get(assessment_id) or dialogue_sql.editable(
            self.session, person_id=person_id, assessment_id=assessment_id
        )
        indicator = load_rulebook(row["ruleset_id"]).indicator(indicator_id)
        if indicator is None:
            raise InputError(indicator_id, f"không có chỉ tiêu {indicator_id}.")
        checked = check_answer(indicator, value, members=row["members"], learners=row["learners"])
        dialogue_sql.insert_answer(
            self.session,
            person_id=person_id,
            unit_id=row["unit_id"],
            assessment_id=assessment_id,
            indicator_id=indicator_id,
            value=answer_value(checked),
            description=description,
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

    def attach_file(self, *, person_id: int, evidence_id: int, stored: StoredEvidence) -> int:
        file = FileInput(
            original_name=stored.original_name[:255],
            mime_type=stored.mime_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.storage_key,
        )
        return self.assessments.attach_file(
            self.session, actor=Actor.person(person_id), evidence_id=evidence_id, file=file
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
