"""Reading an assessment and writing an answer: the hand-written statements the chat runs on
every message, shared with the command line so each operation has one implementation.

The chat reaches these through its adapter (`storage.dialogue_store`), the CLI through
`AssessmentRepository`; both get the same records from the same builders (`storage.rows`).
Why SQL and not the ORM: see `storage.runner`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, bindparam, text
from sqlmodel import Session

from conversations import catalogue as say
from conversations.errors import AccessDenied, NotFound
from conversations.records import Actor, AnswerRecord, AssessmentRecord, UnitRecord
from conversations.submission import DossierLocked
from dvht_core import workflow
from dvht_core.assessment import Answer, check_answer
from dvht_core.errors import InputError
from dvht_core.loader import rulebook_for
from storage import access, audit, standing
from storage.rows import answer_record, assessment_record, evidence_record, unit_record
from storage.runner import runner_for
from storage.types import UTCDateTime, utcnow

UNIT_COLUMNS = (
    "u.id AS unit_id, u.name, u.tier, u.unit_type, u.province, u.office_id, "
    "o.name AS office_name, u.active"
)
"""A unit (`units u`) and its office's name (`offices o`), as `rows.unit_record` reads them."""

ASSESSMENT_COLUMNS = (
    "a.id AS assessment_id, a.year, a.ruleset_id, a.ruleset_version, a.status, a.members, "
    "a.learners, a.level1_decision_date, a.recognition_decision_number, "
    "a.recognition_decision_date"
)
"""An assessment (`assessments a`), as `rows.assessment_record` reads it."""

_UNIT_AND_ASSESSMENT = text(
    f"SELECT {UNIT_COLUMNS}, {ASSESSMENT_COLUMNS} FROM units u "
    "LEFT JOIN offices o ON o.id = u.office_id "
    "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year WHERE u.id = :unit_id"
)

ANSWER_COLUMNS = (
    "r.id AS revision_id, r.value, r.description, r.strengths, r.weaknesses, r.answered_by, "
    "p.display_name AS answered_by_name, r.answered_at"
)
"""One answer revision (`answer_revisions r`) and who gave it (`people p`)."""

EVIDENCE_COLUMNS = (
    "e.id AS evidence_id, e.kind, e.title, e.original_name, e.mime_type, e.size, e.sha256, "
    "e.storage_key, e.doc_number, e.doc_date, e.issuer, e.uploaded_by, e.uploaded_at"
)
"""One evidence item (`evidence e`)."""


def _nulls(columns: str) -> str:
    """The same column names, each NULL: the other half's columns in a UNION row."""
    return ", ".join(f"NULL AS {c.split()[-1].split('.')[-1]}" for c in columns.split(", "))


# Current answers and evidence in one round trip. Rows are tagged `a` (an answer) or `e` (an
# evidence item and one of the indicators it is linked to and not removed from); both have
# `indicator_id`, and each half has its own named columns, NULL in the other half's rows. A bare
# NULL takes its type from the other half's column on PostgreSQL, so the two halves stay
# portable without casts.
# Each indicator's latest revision comes with the moment of its first (`first_answered_at`, the
# forecast's history) from the same grouped pass over the assessment's revisions.
_ANSWERS_AND_EVIDENCE = text(
    f"SELECT 'a' AS tag, r.indicator_id, {ANSWER_COLUMNS}, f.first_answered_at, "
    f"{_nulls(EVIDENCE_COLUMNS)} "
    "FROM (SELECT max(id) AS last_id, min(answered_at) AS first_answered_at "
    "FROM answer_revisions WHERE assessment_id = :assessment_id GROUP BY indicator_id) f "
    "JOIN answer_revisions r ON r.id = f.last_id LEFT JOIN people p ON p.id = r.answered_by "
    "UNION ALL "
    f"SELECT 'e', l.indicator_id, {_nulls(ANSWER_COLUMNS)}, NULL AS first_answered_at, "
    f"{EVIDENCE_COLUMNS} "
    "FROM evidence e JOIN evidence_indicators l ON l.evidence_id = e.id "
    "WHERE e.assessment_id = :assessment_id AND l.removed_at IS NULL "
    "ORDER BY tag, revision_id, evidence_id, indicator_id"
).columns(
    value=JSON, answered_at=UTCDateTime, first_answered_at=UTCDateTime, uploaded_at=UTCDateTime
)

_HISTORY = text(
    f"SELECT r.indicator_id, {ANSWER_COLUMNS} "
    "FROM answer_revisions r LEFT JOIN people p ON p.id = r.answered_by "
    "WHERE r.assessment_id = :assessment_id AND r.indicator_id = :indicator_id ORDER BY r.id"
).columns(value=JSON, answered_at=UTCDateTime)

_EDITABLE = text(
    "SELECT a.unit_id, a.status, a.ruleset_id, a.ruleset_version, a.members, a.learners, m.role "
    "FROM assessments a LEFT JOIN memberships m "
    "ON m.unit_id = a.unit_id AND m.person_id = :person_id WHERE a.id = :assessment_id"
)

_EDITABLE_SQL = ", ".join(f"'{status}'" for status in sorted(workflow.EDITABLE))
"""The editable statuses as an SQL list (constants of dvht_core.workflow, never user input)."""

# The access rule and the status are checked again by the INSERT itself, so the row is written
# only if the caller may still answer at the moment of writing.
_INSERT_ANSWER = text(
    "INSERT INTO answer_revisions (assessment_id, indicator_id, value, description, "
    "strengths, weaknesses, answered_by, answered_at) SELECT :assessment_id, :indicator_id, "
    ":value, :description, :strengths, :weaknesses, :person_id, :at WHERE EXISTS "
    "(SELECT 1 FROM assessments a WHERE a.id = :assessment_id "
    f"AND a.status IN ({_EDITABLE_SQL}) AND {access.MAY_ANSWER_SQL})"
).bindparams(bindparam("value", type_=JSON), bindparam("at", type_=UTCDateTime))


def answer_value(answer: Answer) -> dict[str, Any]:
    """The kind-specific part of a checked answer, as stored in `answer_revisions.value`."""
    fields = ("met", "count", "learners_count", "title", "dt_level")
    return {name: getattr(answer, name) for name in fields if getattr(answer, name) is not None}


def load(session: Session, *, unit: UnitRecord, row: Mapping[str, Any]) -> AssessmentRecord:
    """The assessment with its current answers and evidence, from its `ASSESSMENT_COLUMNS`."""
    rows, _ = runner_for(session).run(
        _ANSWERS_AND_EVIDENCE,
        {"assessment_id": row["assessment_id"]},
        json_columns=("value",),
        time_columns=("answered_at", "first_answered_at", "uploaded_at"),
    )
    answers: dict[str, AnswerRecord] = {}
    evidence: dict[int, dict[str, Any]] = {}
    links: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if r["tag"] == "a":
            answers[r["indicator_id"]] = answer_record(r)
        else:
            evidence[r["evidence_id"]] = r
            links[r["evidence_id"]].append(r["indicator_id"])
    return assessment_record(
        row,
        unit=unit,
        answers=answers,
        evidence=tuple(evidence_record(e, tuple(links[i])) for i, e in evidence.items()),
    )


def load_for_unit(
    session: Session, *, actor: Actor, unit_id: int, year: int
) -> AssessmentRecord | None:
    """The unit's assessment for `year`, if the caller may read the unit; None if not started."""
    rows, _ = runner_for(session).run(_UNIT_AND_ASSESSMENT, {"unit_id": unit_id, "year": year})
    if not rows:
        raise NotFound(f"unit {unit_id}")
    row = rows[0]
    access.check_can_read(session, actor, unit_id=unit_id, office_id=row["office_id"])
    if row["assessment_id"] is None:
        return None
    return load(session, unit=unit_record(row), row=row)


def history(session: Session, *, assessment_id: int, indicator_id: str) -> list[AnswerRecord]:
    """Every revision of one indicator's answer, oldest first (access is the caller's check)."""
    rows, _ = runner_for(session).run(
        _HISTORY,
        {"assessment_id": assessment_id, "indicator_id": indicator_id},
        json_columns=("value",),
        time_columns=("answered_at",),
    )
    return [answer_record(r) for r in rows]


def editable(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    known: Mapping[str, Any] | None = None,
) -> Mapping[str, Any]:
    """The assessment's unit, status, ruleset and totals, if the caller may still change it.

    `known` is the assessment's row read earlier in this transaction with the caller's role in
    its unit (`unit_id, status, ruleset_id, ruleset_version, members, learners, role`): the
    chat's context has it, and checking it saves a query per answer.
    """
    row = known
    if row is None:
        rows, _ = runner_for(session).run(
            _EDITABLE, {"person_id": actor.person_id, "assessment_id": assessment_id}
        )
        if not rows:
            raise NotFound(f"assessment {assessment_id}")
        row = rows[0]
    access.check_can_answer(actor, role=row["role"], unit_id=row["unit_id"])
    if not workflow.is_editable(row["status"]):
        raise DossierLocked(locked_text(session, assessment_id))
    return row


_LOCKED = text(
    "SELECT a.status, a.submitted_at, p.display_name FROM assessments a "
    "LEFT JOIN people p ON p.id = a.submitted_by WHERE a.id = :assessment_id"
).columns(submitted_at=UTCDateTime)


def locked_text(session: Session, assessment_id: int) -> str:
    """The sentence for a change to a dossier that no longer changes (issue 15): “Hồ sơ đã
    nộp ngày dd/mm/yyyy bởi <name>; không sửa được nữa. …”."""
    found = session.execute(_LOCKED, {"assessment_id": assessment_id}).first()
    if found is None:
        raise NotFound(f"assessment {assessment_id}")
    return say.dossier_locked(found.status, found.submitted_at, found.display_name)


def record_answer(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    indicator_id: str,
    value: Mapping[str, Any],
    description: str | None = None,
    strengths: str | None = None,
    weaknesses: str | None = None,
    known: Mapping[str, Any] | None = None,
) -> None:
    """Check the value with dvht_core against the stored totals and the rulebook the assessment
    was started on, then append the revision and its audit row: one use case, one commit.

    A member in the chat and the operator at the command line come through here alike; the
    access rule is `access.check_can_answer`, checked before and again by the INSERT.
    """
    row = editable(session, actor=actor, assessment_id=assessment_id, known=known)
    indicator = rulebook_for(row["ruleset_id"], row["ruleset_version"]).indicator(indicator_id)
    if indicator is None:
        raise InputError(indicator_id, f"không có chỉ tiêu {indicator_id}.")
    checked = check_answer(indicator, value, members=row["members"], learners=row["learners"])
    stored = answer_value(checked)
    _, inserted = runner_for(session).run(
        _INSERT_ANSWER,
        {
            "assessment_id": assessment_id,
            "indicator_id": indicator.id,
            "value": stored,
            "description": description,
            "strengths": strengths,
            "weaknesses": weaknesses,
            "person_id": actor.person_id,
            "operator": actor.system,
            "at": utcnow(),
        },
    )
    if inserted != 1:
        raise AccessDenied(f"{actor.label} may not answer for assessment {assessment_id}")
    standing.mark_stale(session, assessment_id)
    audit.record(
        session,
        actor=actor,
        action="answer.record",
        unit_id=row["unit_id"],
        details={"assessment_id": assessment_id, "indicator": indicator.id, "value": stored},
    )
