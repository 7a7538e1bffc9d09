"""The people, offices and units the dashboard tests sign in as and look at, seeded through the
real storage layer (repositories, one transaction each), on SQLite or PostgreSQL.

Two offices in two provinces, two reviewers of each (the second one another may remove), an
invite code and an internal deadline of each, a unit admin and a plain member of one unit of
office 1 (all with a Telegram chat), and units in every status a reviewer meets before the
deadline: not started, a draft partly answered, complete and self-assessed (two indicators not
met: “không đạt”), submitted (twice in office 1, once in office 2), returned and recognised.
The answers of a complete assessment otherwise reach level 2 on every indicator of the rulebook
(`tests.conftest.full_answers`), dated over the past weeks, with one reference document as
their evidence, and, given an evidence store, an uploaded PDF as well.

Statuses are moved by the use cases' own storage functions (the legal transitions, audited,
their notices queued): `AssessmentRepository.set_status` for self-assessment,
`storage.review_store.submit` (unit X by its admin, the others by the operator), and
`review_store.return_dossier` / `recognise` for the office's decisions.
Seeding works in the test process only: a served process reads the same database file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text
from sqlmodel import Session, col, select

from conversations.records import Actor
from dvht_core import vietnam_time
from dvht_core.calendar import dossier_deadline
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from storage import calendar_store, login_links, review_store
from storage.assessments import AssessmentRepository
from storage.calendar_store import NewDeadline
from storage.db import Database
from storage.evidence_store import LocalEvidenceStore, StoredFile
from storage.invites import InviteRepository
from storage.people import PersonRepository
from storage.schemas import (
    AnswerInput,
    AssessmentTotals,
    EvidenceInput,
    NewInvite,
    NewOffice,
    NewPerson,
    NewUnit,
)
from storage.tables import InviteCode, Membership
from storage.types import UTCDateTime, utcnow
from storage.units import OfficeRepository, UnitRepository
from storage.uow import transaction
from tests import evidence_samples
from tests.conftest import full_answers

OPERATOR = Actor.operator()
YEAR = vietnam_time.assessment_year(vietnam_time.today())
"""The assessment year the dashboard shows by default (the one officials work on today)."""
MEMBERS = 40
RETURNED = "Thiếu minh chứng chỉ tiêu 1.1."

units, people = UnitRepository(), PersonRepository()
assessments, offices = AssessmentRepository(), OfficeRepository()
invites = InviteRepository()


@dataclass(frozen=True, slots=True)
class Person:
    person_id: int
    name: str
    chat_id: int
    """Their Telegram chat (a private chat's id is the user's id)."""


@dataclass(slots=True)
class World:
    """What was seeded: ids by meaning, for the tests to aim at."""

    office1: int = 0
    office2: int = 0
    reviewer1: Person | None = None
    reviewer2: Person | None = None
    admin: Person | None = None
    """Unit admin of `unit_x` (office 1), and of no other unit."""
    member: Person | None = None
    """A plain member of `unit_x`: no dashboard for them."""
    unit_x: int = 0
    """Office 1, submitted: the admin's and member's unit."""
    units: dict[str, int] = field(default_factory=dict)
    """Every unit by name."""
    office_of: dict[int, int] = field(default_factory=dict)
    """unit id → office id."""
    status_of: dict[int, str | None] = field(default_factory=dict)
    """unit id → the status seeded for YEAR (None: not started)."""
    evidence_of: dict[int, int] = field(default_factory=dict)
    """unit id → its uploaded PDF's evidence id (when seeded with an evidence store)."""
    colleague_of: dict[int, int] = field(default_factory=dict)
    """office id → a second reviewer of the office (one the first may remove)."""
    invite_of: dict[int, int] = field(default_factory=dict)
    """office id → an invite code's id, for a unit of the office."""
    deadline_of: dict[int, int] = field(default_factory=dict)
    """office id → an internal deadline the office set."""

    def reviewer1_actor(self) -> Actor:
        assert self.reviewer1 is not None
        return Actor.person(self.reviewer1.person_id, f"web:{self.reviewer1.person_id}")

    def in_office(self, office_id: int) -> list[int]:
        return sorted(u for u, o in self.office_of.items() if o == office_id)

    def named(self, unit_id: int) -> str:
        return next(name for name, uid in self.units.items() if uid == unit_id)

    def first(self, office_id: int, status: str | None) -> int:
        """A unit of the office in that status (the lowest id)."""
        return min(u for u in self.in_office(office_id) if self.status_of[u] == status)


OFFICE1 = ("Phòng Văn hóa – Xã hội thành phố Huế", "Thành phố Huế")
OFFICE2 = ("Sở Giáo dục và Đào tạo Đà Nẵng", "Thành phố Đà Nẵng")

UNITS_OFFICE1: tuple[tuple[str, str, str | None], ...] = (
    # (name, unit type, status for YEAR)
    ("UBND xã Quảng Điền", "ubnd_xa", "submitted"),  # unit_x
    ("UBND phường Thuận Hóa", "ubnd_xa", "submitted"),
    ("UBND xã Phú Vang", "ubnd_xa", "self_assessed"),
    ("UBND xã Hương Trà", "ubnd_xa", "draft"),
    ("UBND phường Vỹ Dạ", "ubnd_xa", "recognised"),
    ("UBND xã Phong Điền", "ubnd_xa", "returned"),
    ("UBND xã A Lưới", "ubnd_xa", None),
)
UNITS_OFFICE2: tuple[tuple[str, str, str | None], ...] = (
    ("UBND phường Hải Châu", "ubnd_xa", "submitted"),
    ("UBND xã Hòa Vang", "ubnd_xa", "draft"),
    ("UBND phường Sơn Trà", "ubnd_xa", "recognised"),
)

REVIEWER1 = ("Nguyễn Thị Thu Hà", 7_100_001)
REVIEWER2 = ("Trần Văn Đức", 7_100_002)
ADMIN = ("Lê Thị Hồng Nhung", 7_100_003)
MEMBER = ("Phạm Quốc Bảo", 7_100_004)
COLLEAGUE1 = ("Võ Thị Mai", 7_100_005)
COLLEAGUE2 = ("Đặng Minh Tuấn", 7_100_006)


async def seed(database: Database, store: LocalEvidenceStore | None = None) -> World:
    """Seed the world above into a migrated, empty database; with `store` (the evidence
    directory the app reads), every assessment also gets an uploaded PDF as evidence."""
    world = World()
    world.office1 = await _office(database, *OFFICE1)
    world.office2 = await _office(database, *OFFICE2)
    world.reviewer1 = await _person(database, *REVIEWER1)
    world.reviewer2 = await _person(database, *REVIEWER2)
    world.admin = await _person(database, *ADMIN)
    world.member = await _person(database, *MEMBER)
    await _reviewer(database, world.office1, world.reviewer1.person_id)
    await _reviewer(database, world.office2, world.reviewer2.person_id)
    for office_id, province, table in (
        (world.office1, OFFICE1[1], UNITS_OFFICE1),
        (world.office2, OFFICE2[1], UNITS_OFFICE2),
    ):
        for name, unit_type, status in table:
            unit_id = await _unit(database, name, unit_type, province, office_id)
            world.units[name] = unit_id
            world.office_of[unit_id] = office_id
            world.status_of[unit_id] = status
    world.unit_x = world.units[UNITS_OFFICE1[0][0]]
    for office_id, (name, chat_id) in ((world.office1, COLLEAGUE1), (world.office2, COLLEAGUE2)):
        colleague = await _person(database, name, chat_id)
        await _reviewer(database, office_id, colleague.person_id)
        world.colleague_of[office_id] = colleague.person_id
        world.invite_of[office_id] = await _invite(database, world.in_office(office_id)[-1])
        world.deadline_of[office_id] = await _deadline(database, office_id)
    await _join(database, world.admin.person_id, world.unit_x, "unit_admin")
    await _join(database, world.member.person_id, world.unit_x, "member")
    for unit_id, status in world.status_of.items():
        if status is not None:
            submitter = world.admin.person_id if unit_id == world.unit_x else None
            stored = None if store is None else await _upload(store, unit_id)
            evidence_id = await _assessment(
                database, unit_id, status, submitted_by=submitter, stored=stored
            )
            if evidence_id is not None:
                world.evidence_of[unit_id] = evidence_id
    return world


async def login_token(database: Database, person_id: int) -> str:
    """A fresh one-time login link's token for the person (as `dvht login-link` issues)."""

    def work(session: Session) -> str:
        token, _ = login_links.issue(session, person_id=person_id, via="cli")
        return token

    return await transaction(database, work)


# --- the steps --------------------------------------------------------------------------------


async def _office(database: Database, name: str, province: str) -> int:
    def work(session: Session) -> int:
        data = NewOffice(name=name, province=province)
        return offices.create(session, actor=OPERATOR, data=data)

    return await transaction(database, work)


async def _person(database: Database, name: str, chat_id: int) -> Person:
    def work(session: Session) -> int:
        data = NewPerson(display_name=name, channel="telegram", external_id=str(chat_id))
        return people.get_or_create(session, data=data).id

    return Person(await transaction(database, work), name, chat_id)


async def _reviewer(database: Database, office_id: int, person_id: int) -> None:
    def work(session: Session) -> None:
        offices.add_reviewer(session, actor=OPERATOR, office_id=office_id, person_id=person_id)

    await transaction(database, work)


async def _unit(
    database: Database, name: str, unit_type: str, province: str, office_id: int
) -> int:
    def work(session: Session) -> int:
        data = NewUnit(
            name=name, tier="huyen", unit_type=unit_type, province=province, office_id=office_id
        )
        return units.create(session, actor=OPERATOR, data=data).id

    return await transaction(database, work)


async def _invite(database: Database, unit_id: int) -> int:
    """An invite code for the unit, as its admin issues one; the code's row id."""

    def work(session: Session) -> int:
        invites.create(session, actor=OPERATOR, data=NewInvite(unit_id=unit_id))
        found = session.exec(
            select(InviteCode.id)
            .where(InviteCode.unit_id == unit_id)
            .order_by(col(InviteCode.id).desc())
        ).first()
        assert found is not None
        return found

    return await transaction(database, work)


async def _deadline(database: Database, office_id: int) -> int:
    """An internal date of the office, ten days before the legal deadline."""
    data = NewDeadline(
        year=YEAR,
        due_on=dossier_deadline(YEAR) - dt.timedelta(days=10),
        title="Hạn nộp hồ sơ nội bộ của phòng",
        office_id=office_id,
    )

    def work(session: Session) -> int:
        return calendar_store.add_deadline(session, actor=OPERATOR, data=data).id

    return await transaction(database, work)


async def _join(database: Database, person_id: int, unit_id: int, role: str) -> None:
    def work(session: Session) -> None:
        session.add(Membership(person_id=person_id, unit_id=unit_id, role=role))

    await transaction(database, work)


PATHS: dict[str, tuple[str, ...]] = {
    "draft": (),
    "self_assessed": ("self_assessed",),
    "submitted": ("submitted",),
    "returned": ("submitted", "returned"),
    "recognised": ("submitted", "recognised"),
}
"""The moves from draft to each seeded status (submission goes through self_assessed)."""


def _spread_answers(session: Session, assessment_id: int, unit_id: int) -> None:
    """Date the answers over the past weeks, a few days apart (differently per unit), as a
    unit answers over the season: the charts' progress over time has a course to show."""
    rows = session.connection().execute(
        text("SELECT id FROM answer_revisions WHERE assessment_id = :a ORDER BY id"),
        {"a": assessment_id},
    )
    ids = [int(row_id) for (row_id,) in rows]
    now = utcnow()
    for index, revision_id in enumerate(ids):
        days = (len(ids) - index) * 4 + unit_id % 3
        session.connection().execute(
            text("UPDATE answer_revisions SET answered_at = :at WHERE id = :id").bindparams(
                bindparam("at", type_=UTCDateTime)
            ),
            {"at": now - dt.timedelta(days=days), "id": revision_id},
        )


async def _upload(store: LocalEvidenceStore, unit_id: int) -> StoredFile:
    """A PDF kept as the chat keeps an upload."""
    return await store.put(
        evidence_samples.pdf(f"Ke hoach don vi {unit_id}".encode()),
        original_name=f"Kế hoạch học tập {unit_id}.pdf",
    )


def _file_evidence(session: Session, assessment_id: int, stored: StoredFile) -> int:
    evidence = EvidenceInput(
        kind="file",
        title="Kế hoạch học tập của đơn vị (bản ký)",
        indicator_ids=("1.1",),
        original_name=stored.original_name,
        mime_type=stored.mime_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
    )
    record = assessments.add_evidence(
        session, actor=OPERATOR, assessment_id=assessment_id, evidence=evidence
    )
    return record.id


async def _assessment(
    database: Database,
    unit_id: int,
    status: str,
    *,
    submitted_by: int | None,
    stored: StoredFile | None,
) -> int | None:
    """The unit's YEAR assessment in `status`, through the use cases' storage: answers and
    evidence as the chat records them, the submission as the unit admin's (`submitted_by`;
    None: the operator's), the office's decisions as `storage.review_store` makes them."""
    submitter = OPERATOR if submitted_by is None else Actor.person(submitted_by)
    rulebook = load_rulebook(TT24_BY_TIER["huyen"])
    answers = full_answers(rulebook, "ubnd_xa", MEMBERS)
    if status == "draft":  # partly answered: the first third of the indicators
        answers = dict(list(answers.items())[: max(1, len(answers) // 3)])
    if status == "self_assessed":  # complete, two yes/no indicators not met: “không đạt”
        unmet = [i for i, a in answers.items() if set(a) == {"met", "evidence"}][:2]
        answers.update({i: {"met": False, "evidence": []} for i in unmet})
    decided = vietnam_time.today() - dt.timedelta(days=30)

    def work(session: Session) -> int | None:
        assessment_id = assessments.get_or_create(
            session, actor=OPERATOR, unit_id=unit_id, year=YEAR
        )
        totals = AssessmentTotals(members=MEMBERS)
        assessments.set_totals(session, actor=OPERATOR, assessment_id=assessment_id, totals=totals)
        for indicator_id, given in answers.items():
            value = {k: v for k, v in given.items() if k != "evidence"}
            answer = AnswerInput(
                indicator_id=indicator_id,
                value=value,
                description=f"Đơn vị đã thực hiện chỉ tiêu {indicator_id}.",
            )
            assessments.record_answer(
                session, actor=OPERATOR, assessment_id=assessment_id, answer=answer
            )
        _spread_answers(session, assessment_id, unit_id)
        evidence = EvidenceInput(
            kind="reference",
            title="Kế hoạch số 12/KH-UBND ngày 10/01 về xây dựng đơn vị học tập",
            indicator_ids=tuple(answers),
            doc_number="12/KH-UBND",
        )
        assessments.add_evidence(
            session, actor=OPERATOR, assessment_id=assessment_id, evidence=evidence
        )
        evidence_id = None if stored is None else _file_evidence(session, assessment_id, stored)
        for step in PATHS[status]:
            now = utcnow()
            if step == "self_assessed":
                assessments.set_status(
                    session, actor=OPERATOR, assessment_id=assessment_id, status="self_assessed"
                )
            elif step == "submitted":
                review_store.submit(session, submitter, unit_id=unit_id, year=YEAR, now=now)
            elif step == "returned":
                review_store.return_dossier(
                    session, OPERATOR, unit_id=unit_id, year=YEAR, reason=RETURNED, now=now
                )
            else:
                review_store.recognise(
                    session,
                    OPERATOR,
                    unit_id=unit_id,
                    year=YEAR,
                    number="25/QĐ-UBND",
                    decided_on=decided,
                    level=2,
                    now=now,
                )
            session.flush()
        return evidence_id

    return await transaction(database, work)
