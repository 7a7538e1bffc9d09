"""The dossier's transitions in storage (issue 15): submit, return, recognise.

Each is one transaction: the caller's role and unit are checked (`storage.access`), the
assessment row is read under a row lock (PostgreSQL; SQLite's write transaction already
serialises writers) so two reviewers deciding at once cannot both win, the status is moved
along `dvht_core.workflow`, one audit row per step is written (action "assessment.status",
details `from`, `to`, `year` and what the step carried: the reason, the decision, the level),
and the notice to the people concerned is queued (`storage.notices_sql`): all or nothing.

The cached dashboard standing is marked stale (`standing_at` NULL) with every status change.
`review_service(database)` builds the use case (`review.service.ReviewService`) on this store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from conversations import catalogue as say
from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor
from conversations.submission import Readiness, SubmitRefused, Submitted, readiness
from dvht_core import workflow
from review.ports import Decision, ReviewRefused
from review.service import Clock, ReviewService
from storage import access, assessment_sql, audit
from storage.db import Database
from storage.notices_sql import queue_notice
from storage.tables import AssessmentRow, Membership, Person, ReviewerScope, Unit
from storage.uow import transaction

STATUS_ACTION = "assessment.status"


def _row(session: Session, *, unit_id: int, year: int) -> AssessmentRow | None:
    return session.exec(
        select(AssessmentRow)
        .where(AssessmentRow.unit_id == unit_id, AssessmentRow.year == year)
        .with_for_update()
    ).first()


def _move(
    session: Session,
    row: AssessmentRow,
    *,
    actor: Actor,
    to: str,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """One step along the workflow with its audit row (the caller checked who may take it)."""
    if workflow.mover(row.status, to) is None:  # the callers check first; a last guard
        raise ValueError(f"{row.status} -> {to}")
    audit.record(
        session,
        actor=actor,
        action=STATUS_ACTION,
        unit_id=row.unit_id,
        details={"from": row.status, "to": to, "year": row.year, **(extra or {})},
    )
    row.status = to
    row.updated_at = now
    row.standing_at = None
    session.add(row)
    session.flush()


def return_dossier(
    session: Session, actor: Actor, *, unit_id: int, year: int, reason: str, now: dt.datetime
) -> Decision:
    """submitted → returned by a reviewer of the unit's office; every member is told why."""
    unit = access.ensure_reviewer(session, actor, unit_id)
    row = _row(session, unit_id=unit_id, year=year)
    if row is None:
        raise ReviewRefused(say.no_dossier(year))
    if row.status != "submitted":
        raise ReviewRefused(say.cannot_return(row.status))
    row.return_reason = reason
    _move(session, row, actor=actor, to="returned", now=now, extra={"reason": reason})
    notified = queue_notice(
        session,
        text=say.notice_returned(unit.name, year, reason),
        audience="members",
        unit_id=unit_id,
        office_id=unit.office_id,
        year=year,
        created_by=actor.person_id,
        now=now,
    )
    return Decision(unit_id, unit.name, year, "returned", None, notified)


def recognise(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    year: int,
    number: str,
    decided_on: dt.date,
    level: int,
    now: dt.datetime,
) -> Decision:
    """submitted → recognised at `level` (at most the level submitted); a level-1 decision
    also dates the 12-month wait before level 2 (`level1_decision_date`)."""
    unit = access.ensure_reviewer(session, actor, unit_id)
    row = _row(session, unit_id=unit_id, year=year)
    if row is None:
        raise ReviewRefused(say.no_dossier(year))
    if row.status != "submitted":
        raise ReviewRefused(say.cannot_recognise(row.status))
    if row.submitted_level is None or level > row.submitted_level:
        raise ReviewRefused(say.level_above_submitted(row.submitted_level))
    row.recognised_level = level
    row.recognition_decision_number = number
    row.recognition_decision_date = decided_on
    if level == 1:
        row.level1_decision_date = decided_on
    _move(
        session,
        row,
        actor=actor,
        to="recognised",
        now=now,
        extra={"level": level, "decision": number, "decision_date": decided_on.isoformat()},
    )
    notified = queue_notice(
        session,
        text=say.notice_recognised(unit.name, year, level, number, decided_on),
        audience="members",
        unit_id=unit_id,
        office_id=unit.office_id,
        year=year,
        created_by=actor.person_id,
        now=now,
    )
    return Decision(unit_id, unit.name, year, "recognised", level, notified)


def admin_names(session: Session, unit_id: int) -> list[str]:
    """The unit admins' names, for a member told who can submit."""
    rows = session.exec(
        select(Person.display_name)
        .join(Membership, Membership.person_id == Person.id)  # type: ignore[arg-type]
        .where(Membership.unit_id == unit_id, Membership.role == "unit_admin")
        .order_by(Person.id)  # type: ignore[arg-type]
    )
    return list(rows)


def person_name(session: Session, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    return person.display_name if person is not None else None


def locked_message(session: Session, *, unit_id: int, year: int) -> str | None:
    """The sentence for an edit to a dossier no longer editable; None when it is editable."""
    row = session.exec(
        select(AssessmentRow).where(AssessmentRow.unit_id == unit_id, AssessmentRow.year == year)
    ).first()
    if row is None or workflow.is_editable(row.status):
        return None
    return say.dossier_locked(row.status, row.submitted_at, person_name(session, row.submitted_by))


def _submittable(
    session: Session, actor: Actor, *, unit_id: int, year: int
) -> tuple[Unit, AssessmentRow, Readiness]:
    """The unit, its assessment row (locked) and its readiness, when `actor` may submit it
    now; else SubmitRefused with the sentence for them (a member is told who can submit)."""
    unit = access.ensure_can_read(session, actor, unit_id)
    if not actor.system:
        role = access.role_in_unit(session, person_id=actor.person_id or 0, unit_id=unit_id)
        if role is None:
            raise AccessDenied(f"{actor.label} is not a member of unit {unit_id}")
        if role != "unit_admin":
            raise SubmitRefused(say.submit_admins_only(admin_names(session, unit_id)))
    row = _row(session, unit_id=unit_id, year=year)
    if row is None:
        raise SubmitRefused(say.SUBMIT_NOT_STARTED)
    if row.status not in ("draft", "returned", "self_assessed"):
        raise SubmitRefused(
            say.submit_wrong_status(
                row.status, row.submitted_at, person_name(session, row.submitted_by)
            )
        )
    record = assessment_sql.load_for_unit(session, actor=actor, unit_id=unit_id, year=year)
    if record is None:  # pragma: no cover - the row was just read
        raise NotFound(f"assessment of unit {unit_id} in {year}")
    ready = readiness(record)
    if ready.unanswered:
        raise SubmitRefused(say.submit_unanswered(len(ready.unanswered)))
    if ready.level < 1:
        raise SubmitRefused(say.SUBMIT_BELOW_LEVEL_1)
    return unit, row, ready


def submission_refusal(session: Session, actor: Actor, *, unit_id: int, year: int) -> str | None:
    """Why `actor` cannot submit the unit's dossier of `year` now (one sentence), or None."""
    try:
        _submittable(session, actor, unit_id=unit_id, year=year)
    except SubmitRefused as refused:
        return refused.message
    return None


def submit(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    year: int,
    now: dt.datetime,
    expected_level: int | None = None,
    dashboard: str | None = None,
) -> Submitted:
    """draft|returned (→ self_assessed) → submitted by the unit's admin, at the level the
    answers reach now (checked here, in the transaction that submits); `expected_level` is the
    level the admin confirmed: a different one now refuses (SUBMIT_CHANGED). The office's
    reviewers are told. Two audit rows when it was not yet self-assessed."""
    unit, row, ready = _submittable(session, actor, unit_id=unit_id, year=year)
    if expected_level is not None and expected_level != ready.level:
        raise SubmitRefused(say.SUBMIT_CHANGED)
    if row.status != "self_assessed":
        _move(session, row, actor=actor, to="self_assessed", now=now)
    row.submitted_level = ready.level
    row.submitted_at = now
    row.submitted_by = actor.person_id
    row.return_reason = None  # the last return's reason stays in the audit log
    _move(session, row, actor=actor, to="submitted", now=now, extra={"level": ready.level})
    by_name = person_name(session, actor.person_id) or actor.label
    notified = queue_notice(
        session,
        text=say.notice_submitted(unit.name, year, ready.level, by_name, dashboard),
        audience="reviewers",
        unit_id=unit_id,
        office_id=unit.office_id,
        year=year,
        created_by=actor.person_id,
        now=now,
    )
    reviewers = (
        0
        if unit.office_id is None
        else session.exec(
            select(func.count())
            .select_from(ReviewerScope)
            .where(ReviewerScope.office_id == unit.office_id)
        ).one()
    )
    return Submitted(unit_id, unit.name, year, ready.level, now, notified, int(reviewers))


def may_use_dashboard(session: Session, person_id: int) -> bool:
    """A unit admin (of any unit) or a reviewer (of any office): the dashboard's users."""
    admin = session.exec(
        select(Membership.id).where(
            Membership.person_id == person_id, Membership.role == "unit_admin"
        )
    ).first()
    if admin is not None:
        return True
    return (
        session.exec(select(ReviewerScope.id).where(ReviewerScope.person_id == person_id)).first()
        is not None
    )


class SqlReviewStore:
    """`review.service.ReviewStore` on the database: each call one transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def return_dossier(
        self, actor: Actor, *, unit_id: int, year: int, reason: str, now: dt.datetime
    ) -> Decision:
        return await transaction(
            self.database,
            lambda s: return_dossier(s, actor, unit_id=unit_id, year=year, reason=reason, now=now),
        )

    async def recognise(
        self,
        actor: Actor,
        *,
        unit_id: int,
        year: int,
        number: str,
        decided_on: dt.date,
        level: int,
        now: dt.datetime,
    ) -> Decision:
        return await transaction(
            self.database,
            lambda s: recognise(
                s,
                actor,
                unit_id=unit_id,
                year=year,
                number=number,
                decided_on=decided_on,
                level=level,
                now=now,
            ),
        )

    async def submit(
        self,
        actor: Actor,
        *,
        unit_id: int,
        year: int,
        now: dt.datetime,
        expected_level: int | None = None,
        dashboard: str | None = None,
    ) -> Submitted:
        return await transaction(
            self.database,
            lambda s: submit(
                s,
                actor,
                unit_id=unit_id,
                year=year,
                now=now,
                expected_level=expected_level,
                dashboard=dashboard,
            ),
        )


def review_service(
    database: Database,
    *,
    clock: Clock | None = None,
    on_notice: Callable[[], None] | None = None,
) -> ReviewService:
    """The review use case on `database` (the dashboard, the JSON API and `dvht review`);
    `on_notice` as `ReviewService`'s (the app's `notice_queued` when served beside the bot)."""
    return ReviewService(SqlReviewStore(database), clock=clock, on_notice=on_notice)
