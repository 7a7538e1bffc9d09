"""The conversation service's storage port: one message, one transaction.

The statements every message runs are hand-written (`storage.dialogue_sql` for the chat's own,
`storage.assessment_sql` for those shared with the command line); the rarer writes (a unit, an
invite, evidence, totals) go through the repositories and their access checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlmodel import Session

from conversations.messages import Outbound, StoredEvidence
from conversations.ports import DialogueTx, KeptReplies, LinkCodeIssued, LinkResult
from conversations.records import (
    Actor,
    AssessmentRecord,
    EvidenceRecord,
    InviteRecord,
    MembershipRecord,
    PersonRecord,
    UnitChange,
    UnitRecord,
)
from conversations.submission import Submitted
from dvht_core.roster import Roster, RosterConfirmed
from dvht_core.unit_calendar import UnitCalendar
from storage import (
    access,
    assessment_sql,
    calendar_store,
    dialogue_sql,
    inbox,
    linking,
    login_links,
    review_store,
    roster_store,
    serial,
)
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.invites import InviteRepository
from storage.login_links import IssuedVia
from storage.people import PersonRepository
from storage.rows import membership_record, person_record, unit_record
from storage.schemas import (
    AssessmentTotals,
    EvidenceInput,
    FileInput,
    NewInvite,
    NewPerson,
    NewUnit,
    UnitChanges,
)
from storage.units import UnitRepository
from storage.uow import transaction

T = TypeVar("T")


class SqlDialogueStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._serialise = database.dialect == "postgresql"
        """Only PostgreSQL has concurrent writers to keep apart (see `storage.serial`)."""

    async def run(self, work: Callable[[DialogueTx], T], *, serial_key: str | None = None) -> T:
        """`work` in one transaction; with `serial_key`, after every other transaction of the
        same key has ended, in every process (`storage.serial`)."""
        if serial_key is None or not self._serialise:
            return await transaction(self.database, lambda session: work(SqlDialogueTx(session)))
        key = serial_key

        def serialised(session: Session) -> T:
            serial.hold(session, key)  # the first statement: all reads see the last holder's
            return work(SqlDialogueTx(session))

        return await transaction(self.database, serialised)


class SqlDialogueTx:
    """`DialogueTx` over one session; every write goes through the one access check of its
    operation (`storage.access`)."""

    people = PersonRepository()
    units = UnitRepository()
    assessments = AssessmentRepository()
    invites = InviteRepository()

    def __init__(self, session: Session) -> None:
        self.session = session
        self._rows: dict[int, dict[str, Any]] = {}
        """Assessment rows read by `context` in this transaction (with the person's role in
        the unit), by id: `record_answer` checks them instead of reading them again."""

    def claim_update(self, *, channel: str, update_id: str) -> bool:
        return dialogue_sql.claim(self.session, channel=channel, update_id=update_id)

    def sender(
        self, *, channel: str, user_id: str, display_name: str
    ) -> tuple[PersonRecord, dict[str, Any], int]:
        found = dialogue_sql.sender(self.session, channel=channel, user_id=user_id)
        if found is None:  # first contact
            data = NewPerson(
                display_name=display_name[:200] or user_id, channel=channel, external_id=user_id
            )
            return self.people.get_or_create(self.session, data=data), {}, 0
        if not found["active"]:  # they blocked the bot once and now write again: reachable again
            self.people.set_reachable(
                self.session, channel=channel, external_id=user_id, reachable=True
            )
        return person_record(found), dict(found["state"] or {}), int(found["version"] or 0)

    def saved_state(self, *, channel: str, user_id: str) -> dict[str, Any]:
        found = dialogue_sql.person_and_state(self.session, channel=channel, user_id=user_id)
        return dict(found["state"] or {}) if found is not None else {}

    def save_state(
        self, *, channel: str, user_id: str, state: dict[str, Any], version: int
    ) -> int:
        return dialogue_sql.save_state(
            self.session, channel=channel, user_id=user_id, state=state, version=version
        )

    def context(
        self, *, person_id: int, unit_id: int | None, year: int
    ) -> tuple[list[MembershipRecord], UnitRecord | None, AssessmentRecord | None]:
        rows = dialogue_sql.units(self.session, person_id=person_id, year=year)
        if not rows:
            return [], None, None
        row = next((r for r in rows if r["unit_id"] == unit_id), rows[0])
        if row["assessment_id"] is None:  # the first message of the year: start the draft
            actor = Actor.person(person_id)
            chosen = row["unit_id"]
            self.assessments.get_or_create(self.session, actor=actor, unit_id=chosen, year=year)
            rows = dialogue_sql.units(self.session, person_id=person_id, year=year)
            row = next(r for r in rows if r["unit_id"] == chosen)
            assert row["assessment_id"] is not None
        record = assessment_sql.load(self.session, unit=unit_record(row), row=row)
        self._rows[record.id] = row
        return [membership_record(r) for r in rows], record.unit, record

    def set_receiving_office(
        self, *, person_id: int, unit: UnitRecord, year: int, office: str, on: dt.date
    ) -> tuple[UnitChange, ...]:
        actor = Actor.person(person_id)
        access.ensure_unit_admin(self.session, actor, unit.id)
        before = calendar_store.unit_calendar(self.session, unit=unit, year=year).office().office
        if before == office:
            return ()
        calendar_store.set_office(
            self.session,
            actor=actor,
            province=unit.province,
            tier=unit.tier,
            office=office,
            authority=None,
            effective_from=on,
            unit_id=unit.id,
        )
        return (UnitChange("receiving_office", before, office),)

    def calendar(self, *, unit: UnitRecord, year: int) -> UnitCalendar:
        return calendar_store.unit_calendar(self.session, unit=unit, year=year)

    def set_totals(
        self,
        *,
        person_id: int,
        assessment_id: int,
        members: int | None = None,
        learners: int | None = None,
    ) -> None:
        given = {k: v for k, v in (("members", members), ("learners", learners)) if v is not None}
        self._rows.pop(assessment_id, None)  # its totals change: read the row again to check
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
        strengths: str | None = None,
        weaknesses: str | None = None,
    ) -> None:
        assessment_sql.record_answer(
            self.session,
            actor=Actor.person(person_id),
            assessment_id=assessment_id,
            indicator_id=indicator_id,
            value=value,
            description=description,
            strengths=strengths,
            weaknesses=weaknesses,
            known=self._rows.get(assessment_id),
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

    def update_unit(
        self, *, person_id: int, unit_id: int, year: int, changes: Mapping[str, object]
    ) -> tuple[UnitChange, ...]:
        self._rows.clear()  # the totals (and perhaps the ruleset) change: read them again
        return self.units.update(
            self.session,
            actor=Actor.person(person_id),
            unit_id=unit_id,
            year=year,
            changes=UnitChanges.model_validate(dict(changes)),
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

    def remove_evidence(self, *, person_id: int, evidence_id: int, indicator_id: str) -> str:
        return self.assessments.remove_evidence(
            self.session,
            actor=Actor.person(person_id),
            evidence_id=evidence_id,
            indicator_id=indicator_id,
        )

    def rename_evidence(
        self, *, person_id: int, evidence_id: int, indicator_id: str, title: str
    ) -> str:
        return self.assessments.rename_evidence(
            self.session,
            actor=Actor.person(person_id),
            evidence_id=evidence_id,
            indicator_id=indicator_id,
            title=title,
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

    def keep_replies(
        self,
        *,
        channel: str,
        update_id: str,
        replies: Sequence[Outbound],
        report: dict[str, Any] | None,
    ) -> None:
        inbox.keep(
            self.session, channel=channel, update_id=update_id, replies=replies, report=report
        )

    def set_reminders_off(self, *, person_id: int, off: bool) -> None:
        dialogue_sql.set_reminders_off(self.session, person_id=person_id, off=off)

    def kept_replies(self, *, channel: str, update_id: str) -> KeptReplies | None:
        return inbox.kept(self.session, channel=channel, update_id=update_id)

    def issue_link_code(self, *, channel: str, user_id: str, now: dt.datetime) -> LinkCodeIssued:
        return linking.issue(self.session, channel=channel, user_id=user_id, now=now)

    def redeem_link_code(
        self, *, channel: str, user_id: str, code: str, now: dt.datetime
    ) -> LinkResult:
        return linking.redeem(self.session, channel=channel, user_id=user_id, code=code, now=now)

    # --- submission and the dashboard's login (issue 15) ---

    def submission_refusal(self, *, person_id: int, unit_id: int, year: int) -> str | None:
        return review_store.submission_refusal(
            self.session, Actor.person(person_id), unit_id=unit_id, year=year
        )

    def submit(
        self,
        *,
        person_id: int,
        unit_id: int,
        year: int,
        level: int,
        now: dt.datetime,
        dashboard: str | None,
    ) -> Submitted:
        return review_store.submit(
            self.session,
            Actor.person(person_id),
            unit_id=unit_id,
            year=year,
            now=now,
            expected_level=level,
            dashboard=dashboard,
        )

    def issue_login_link(self, *, person_id: int, via: str, now: dt.datetime) -> str | None:
        if not review_store.may_use_dashboard(self.session, person_id):
            return None
        channel = cast(IssuedVia, via) if via in ("telegram", "zalo", "console") else "web"
        token, _ = login_links.issue(self.session, person_id=person_id, via=channel, now=now)
        return token

    # --- the member roster (issue 16): storage.roster_store, with the answer's access rule ---

    def stage_roster(
        self, *, person_id: int, assessment_id: int, roster: Roster, stored: StoredEvidence
    ) -> int:
        return roster_store.stage_roster(
            self.session,
            actor=Actor.person(person_id),
            assessment_id=assessment_id,
            roster=roster,
            stored=stored,
        )

    def confirm_roster(self, *, person_id: int, roster_id: int) -> RosterConfirmed:
        self._rows.clear()  # the totals and answers change: read the rows again to check
        return roster_store.confirm_roster(
            self.session, actor=Actor.person(person_id), roster_id=roster_id
        )

    def latest_roster(self, *, assessment_id: int) -> Roster | None:
        return roster_store.latest_roster(self.session, assessment_id=assessment_id)
