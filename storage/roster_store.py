"""The member roster in the database (issue 16): staged when read, confirmed by the official.

Staging keeps the roster exactly as read (names included) and changes no answer, so the counts
the official is shown are the ones confirmed, and nothing recorded changes until they say yes.
Confirming is one use case in the caller's transaction: the members (and learners) totals set
first — every count is checked against them —, then each count recorded through
`assessment_sql.record_answer` (one revision and one audit row per indicator: history kept as
for a typed answer), then the file added as ONE evidence item linked to every recorded
indicator. A later confirmed roster takes the earlier roster's item off its indicators (the
item, its file and history stay), so the dossier carries the current list only.

Access is the answer's rule (`assessment_sql.editable`): a member of the unit or the operator;
a submitted dossier refuses with `DossierLocked`. Sync functions on a SQLModel `Session`, like
`storage.assessment_sql`; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from conversations.errors import NotFound
from conversations.messages import StoredEvidence
from conversations.records import Actor
from dvht_core.assessment import check_answer
from dvht_core.errors import InputError
from dvht_core.loader import rulebook_for
from dvht_core.model import Rulebook
from dvht_core.roster import (
    LearnerClass,
    Roster,
    RosterConfirmed,
    RosterMember,
    RosterNotPending,
    RosterProblem,
)
from storage import assessment_sql, audit
from storage.assessments import AssessmentRepository
from storage.schemas import AssessmentTotals, EvidenceInput
from storage.tables import AnswerRevision, AssessmentRow, EvidenceIndicator, RosterRow
from storage.types import utcnow

EVIDENCE_TITLE = "Danh sách thành viên (tệp Excel)"
"""The roster's evidence item, as the dossier's index lists it."""
NOTHING_TO_RECORD = "Danh sách không có cột chỉ tiêu nào của đơn vị nên không có số nào để ghi."


def stage_roster(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    roster: Roster,
    stored: StoredEvidence,
) -> int:
    """Keep the read roster as pending and return its id; no answer changes. Any roster of the
    assessment still pending is superseded: only the latest preview can be confirmed."""
    row = assessment_sql.editable(session, actor=actor, assessment_id=assessment_id)
    _lock(session, assessment_id)
    now = utcnow()
    session.exec(
        update(RosterRow)
        .where(
            col(RosterRow.assessment_id) == assessment_id,
            col(RosterRow.confirmed_at).is_(None),
            col(RosterRow.superseded_at).is_(None),
        )
        .values(superseded_at=now)
    )
    staged = RosterRow(
        assessment_id=assessment_id,
        staged_by=actor.person_id,
        staged_at=now,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        original_name=stored.original_name[:255],
        size=stored.size,
        mime_type=stored.mime_type[:100],
        indicator_ids=list(roster.indicator_ids),
        members=[[m.row, m.name, m.position, sorted(m.marks)] for m in roster.members],
        classes=[[c.row, c.name, c.total, c.citizens] for c in roster.classes],
        problems=[[p.sheet, p.row, p.column, p.text] for p in roster.problems],
        problem_count=len(roster.problems),
    )
    session.add(staged)
    session.flush()
    assert staged.id is not None
    audit.record(
        session,
        actor=actor,
        action="roster.stage",
        unit_id=row["unit_id"],
        details={
            "assessment_id": assessment_id,
            "roster_id": staged.id,
            "members": roster.total_members,
            "problems": len(roster.problems),
            "sha256": stored.sha256,
        },
    )
    return staged.id


def confirm_roster(session: Session, *, actor: Actor, roster_id: int) -> RosterConfirmed:
    """Record the staged roster's counts as answers, set the totals, link the file as evidence
    of every recorded indicator and mark the roster confirmed (see the module docstring).

    Refuses: `NotFound`; `DossierLocked` / `AccessDenied` as any edit; `RosterNotPending` when
    the roster was confirmed already or a newer one was read since; `InputError` when an answer
    the roster does not replace would exceed the roster's members total (nothing is written).
    """
    staged = session.get(RosterRow, roster_id)
    if staged is None:
        raise NotFound(f"roster {roster_id}")
    assessment_id = staged.assessment_id
    row = assessment_sql.editable(session, actor=actor, assessment_id=assessment_id)
    _lock(session, assessment_id)
    session.refresh(staged)  # as it is now that no colleague's roster is being written
    if staged.confirmed_at is not None:
        raise RosterNotPending(roster_id, "confirmed")
    if staged.superseded_at is not None:
        raise RosterNotPending(roster_id, "superseded")
    roster = _roster(staged)
    rulebook = rulebook_for(row["ruleset_id"], row["ruleset_version"])
    current = _current_answers(session, assessment_id)
    learners = roster.learners_total if roster.learners_total else None
    values: dict[str, dict[str, Any]] = {}
    for indicator_id in roster.indicator_ids:
        indicator = rulebook.indicator(indicator_id)
        if indicator is None:  # the rulebook of a tier the unit no longer has: not recorded
            continue
        value: dict[str, Any] = {"count": roster.count(indicator_id)}
        if indicator.learners_apply_to and indicator.kind == "member_learner_ratio":
            before = current.get(indicator_id, {}).get("value", {})
            if learners is not None:
                value["learners_count"] = roster.learners_citizens
            elif before.get("learners_count") is not None:
                value["learners_count"] = before["learners_count"]
        values[indicator_id] = value
    if not values:
        raise InputError("roster", NOTHING_TO_RECORD)
    members = roster.total_members
    total_learners = learners if learners is not None else row["learners"]
    _check_kept_answers(rulebook, current, values, members=members, learners=total_learners)
    totals: dict[str, int] = {"members": members}
    if learners is not None:
        totals["learners"] = learners
    repository = AssessmentRepository()
    repository.set_totals(
        session,
        actor=actor,
        assessment_id=assessment_id,
        totals=AssessmentTotals.model_validate(totals),
    )
    for indicator_id, value in values.items():
        before = current.get(indicator_id, {})
        assessment_sql.record_answer(
            session,
            actor=actor,
            assessment_id=assessment_id,
            indicator_id=indicator_id,
            value=value,
            # The official's own words on the indicator stay: the roster changes the count only.
            description=before.get("description"),
            strengths=before.get("strengths"),
            weaknesses=before.get("weaknesses"),
        )
    evidence = repository.add_evidence(
        session,
        actor=actor,
        assessment_id=assessment_id,
        evidence=EvidenceInput(
            kind="file",
            title=EVIDENCE_TITLE,
            indicator_ids=tuple(values),
            original_name=staged.original_name,
            mime_type=staged.mime_type,
            size=staged.size,
            sha256=staged.sha256,
            storage_key=staged.storage_key,
        ),
    )
    now = utcnow()
    _retire_earlier(
        session, repository, actor=actor, assessment_id=assessment_id, roster_id=roster_id, at=now
    )
    staged.confirmed_at = now
    staged.confirmed_by = actor.person_id
    staged.evidence_id = evidence.id
    session.add(staged)
    session.flush()
    counts = {indicator_id: value["count"] for indicator_id, value in values.items()}
    audit.record(
        session,
        actor=actor,
        action="roster.confirm",
        unit_id=row["unit_id"],
        details={
            "assessment_id": assessment_id,
            "roster_id": roster_id,
            "members": members,
            "counts": counts,
            "evidence_id": evidence.id,
        },
    )
    return RosterConfirmed(
        roster_id=roster_id,
        counts=counts,
        members=members,
        learners=learners,
        learners_citizens=roster.learners_citizens if learners is not None else None,
        evidence_id=evidence.id,
    )


def latest_roster(session: Session, *, assessment_id: int) -> Roster | None:
    """The latest confirmed roster of the assessment (names included), or None. The caller
    checks who may see names (the unit's admins: the issue's privacy rule)."""
    found = session.exec(
        select(RosterRow)
        .where(
            RosterRow.assessment_id == assessment_id,
            col(RosterRow.confirmed_at).is_not(None),
            col(RosterRow.superseded_at).is_(None),
        )
        .order_by(col(RosterRow.id).desc())
        .limit(1)
    ).first()
    return None if found is None else _roster(found)


def pending_roster(session: Session, *, roster_id: int) -> Roster | None:
    """A staged roster as read, confirmed or not (None if unknown): what was shown."""
    found = session.get(RosterRow, roster_id)
    return None if found is None else _roster(found)


# --- helpers -----------------------------------------------------------------------------------


def _lock(session: Session, assessment_id: int) -> None:
    """Serialise roster writes of one assessment: two colleagues confirming (or one staging
    while another confirms) at the same moment on PostgreSQL would otherwise both pass the
    “still pending” check. SQLite has one writer at a time already (FOR UPDATE is ignored)."""
    session.exec(
        select(AssessmentRow.id).where(AssessmentRow.id == assessment_id).with_for_update()
    ).first()


def _roster(row: RosterRow) -> Roster:
    return Roster(
        indicator_ids=tuple(row.indicator_ids),
        members=tuple(
            RosterMember(int(r), str(name), str(position), frozenset(marks))
            for r, name, position, marks in row.members
        ),
        classes=tuple(
            LearnerClass(int(r), str(name), int(total), int(citizens))
            for r, name, total, citizens in row.classes
        ),
        problems=tuple(
            RosterProblem(str(sheet), r, column, str(text))
            for sheet, r, column, text in row.problems
        ),
    )


def _current_answers(session: Session, assessment_id: int) -> dict[str, dict[str, Any]]:
    """Indicator id → its latest revision's value and the official's words."""
    latest = (
        select(func.max(AnswerRevision.id))
        .where(AnswerRevision.assessment_id == assessment_id)
        .group_by(col(AnswerRevision.indicator_id))
    )
    rows = session.exec(select(AnswerRevision).where(col(AnswerRevision.id).in_(latest))).all()
    return {
        r.indicator_id: {
            "value": dict(r.value),
            "description": r.description,
            "strengths": r.strengths,
            "weaknesses": r.weaknesses,
        }
        for r in rows
    }


def _check_kept_answers(
    rulebook: Rulebook,
    current: Mapping[str, Mapping[str, Any]],
    replaced: Mapping[str, Any],
    *,
    members: int,
    learners: int | None,
) -> None:
    """An answer the roster does not replace must still hold against the new totals (a count of
    50 for 2.5 when the list has 42 members): refused before anything is written."""
    for indicator_id, answer in current.items():
        if indicator_id in replaced:
            continue
        indicator = rulebook.indicator(indicator_id)
        if indicator is None:
            continue
        value = answer["value"]
        try:
            check_answer(indicator, value, members=members, learners=learners)
        except InputError as refused:
            message = _kept_too_large(indicator_id, value, members, refused)
            raise InputError("members", message) from None


def _kept_too_large(
    indicator_id: str, value: Mapping[str, Any], members: int, refused: InputError
) -> str:
    """One sentence: which answer no longer fits the roster's totals, and the two ways out."""
    count = value.get("count")
    if isinstance(count, int) and count > members:
        said = f"{count} người, nhiều hơn {members} thành viên theo danh sách"
    else:
        said = refused.message.rstrip(".")
    return (
        f"Chưa ghi được: chỉ tiêu {indicator_id} đã trả lời {said}; hãy sửa câu trả lời chỉ "
        f"tiêu {indicator_id} trước, hoặc thêm cột chỉ tiêu đó vào danh sách."
    )


def _retire_earlier(
    session: Session,
    repository: AssessmentRepository,
    *,
    actor: Actor,
    assessment_id: int,
    roster_id: int,
    at: Any,
) -> None:
    """Supersede the assessment's other rosters and take the earlier confirmed roster's
    evidence item off its indicators through `remove_evidence`, as “xóa minh chứng” does: the
    item, its file and history are kept, and each removal has its audit row with the title."""
    earlier = session.exec(
        select(RosterRow).where(
            RosterRow.assessment_id == assessment_id,
            RosterRow.id != roster_id,
            col(RosterRow.superseded_at).is_(None),
        )
    ).all()
    evidence_ids = [r.evidence_id for r in earlier if r.evidence_id is not None]
    for old in earlier:
        old.superseded_at = at
        session.add(old)
    if not evidence_ids:
        return
    links = session.exec(
        select(EvidenceIndicator).where(
            col(EvidenceIndicator.evidence_id).in_(evidence_ids),
            col(EvidenceIndicator.removed_at).is_(None),
        )
    ).all()
    for link in links:  # at most six: one per roster indicator
        repository.remove_evidence(
            session, actor=actor, evidence_id=link.evidence_id, indicator_id=link.indicator_id
        )


__all__ = [
    "EVIDENCE_TITLE",
    "confirm_roster",
    "latest_roster",
    "pending_roster",
    "stage_roster",
]
