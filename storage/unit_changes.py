"""Correcting a unit's details after it was created (issue 12, item 3): its name, province,
type (and with it the tier) and the members and learners totals of an assessment year.

Only the unit's admin (or the operator) may change them. Every changed field is one audit row
(`unit.update`: the field, the old and the new value, and for a total its year), written in the
same transaction as the change, so the history is the audit log and nothing is overwritten
without a trace.

Where the totals live: on the assessment of each year (a unit grows or shrinks from one year to
the next, and a dossier is judged on the total of its own year), so a changed total is the
total of the given year's assessment, and the evaluation of that assessment, which always
divides by the stored total, follows at once: there is nothing cached to recompute.

What a change must not do is leave stored answers that the rules would no longer accept, so
before anything is written every current answer of each assessment the change touches is
checked again, with `dvht_core.assessment.check_answer`, against the rulebook and totals it will
have afterwards:

* A smaller total than a count already answered (28 of 30, then a total of 20) is refused,
  naming the indicator: the official corrects that answer first. Evaluating 28 of 20 would
  report more than 100%.
* A type in the same tier changes which indicators apply. The answers to indicators that no
  longer apply are kept, not deleted (answers are append-only history, and changing the type
  back brings them back), but they are no longer evaluated: the walk, the result and the report
  all follow the new type's plan. The chat says which indicators left and which joined.
* A type of the other tier moves the unit's assessments to that tier's current rulebook, and
  every answer must be valid there (3.5 is an accreditation at district tier and a digital
  level at province tier, so such an answer is refused by name). It is refused while the unit
  has a dossier that no longer accepts changes (submitted or recognised): that dossier was
  judged on its rulebook and must stay on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from conversations.records import Actor, UnitChange
from dvht_core import workflow
from dvht_core.assessment import check_answer
from dvht_core.errors import InputError
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types, rulebook_for
from dvht_core.model import TIER_NAMES, Rulebook
from storage import access, assessment_sql, audit, standing
from storage.assessments import AssessmentRepository
from storage.schemas import UnitChanges
from storage.tables import (
    AnswerRevision,
    AssessmentRow,
    AuditEntry,
    Evidence,
    EvidenceIndicator,
    Person,
    Unit,
)
from storage.types import utcnow

ACTION = "unit.update"
UNIT_FIELDS = ("name", "province", "tier", "unit_type")
TOTAL_FIELDS = ("members", "learners")


def update(
    session: Session, *, actor: Actor, unit_id: int, year: int, changes: UnitChanges
) -> tuple[UnitChange, ...]:
    """Apply `changes` (totals to the assessment of `year`, created as a draft if the unit has
    none yet); return what actually changed, in field order (nothing for values already set)."""
    unit = access.ensure_unit_admin(session, actor, unit_id)
    tier, unit_type = _kind(unit, changes)
    done = [
        UnitChange(field, getattr(unit, field), value)
        for field, value in zip(
            UNIT_FIELDS, (changes.name, changes.province, tier, unit_type), strict=True
        )
        if value is not None and value != getattr(unit, field)
    ]
    totals = {f: getattr(changes, f) for f in TOTAL_FIELDS if getattr(changes, f) is not None}
    if totals:
        AssessmentRepository().get_or_create(session, actor=actor, unit_id=unit_id, year=year)
    moving = tier != unit.tier
    rows = session.exec(
        select(AssessmentRow)
        .where(AssessmentRow.unit_id == unit_id)
        .order_by(col(AssessmentRow.year))
    ).all()
    for row in rows:
        mine = row.year == year and bool(totals)
        if not (moving or mine):
            continue
        _check(session, row, tier=tier, moving=moving, totals=totals if mine else {})
        if mine:
            done += [
                UnitChange(f, getattr(row, f), v, year)
                for f, v in totals.items()
                if getattr(row, f) != v
            ]
    _apply(session, actor, unit, rows, done, tier=tier, year=year)
    return tuple(done)


def history(session: Session, *, actor: Actor, unit_id: int) -> list[UnitChange]:
    """Every change of the unit's details, oldest first, with who made it and when."""
    access.ensure_can_read(session, actor, unit_id)
    result = session.exec(
        select(AuditEntry, Person.display_name)
        .outerjoin(Person, col(Person.id) == AuditEntry.actor_person_id)
        .where(AuditEntry.unit_id == unit_id, AuditEntry.action == ACTION)
        .order_by(col(AuditEntry.id))
    )
    out = []
    for entry, name in result.all():
        details = entry.details
        out.append(
            UnitChange(
                details["field"],
                details.get("old"),
                details.get("new"),
                details.get("year"),
                at=entry.at,
                by=name or entry.actor_label,
            )
        )
    return out


def _kind(unit: Unit, changes: UnitChanges) -> tuple[str, str]:
    """The tier and type after the change. A type assessed at one tier only brings its tier
    (“dai_hoc” is always cấp tỉnh); a type of both tiers keeps the unit's tier unless told."""
    unit_type = changes.unit_type or unit.unit_type
    kind = load_unit_types().get(unit_type)
    if kind is None:
        known = ", ".join(u.id for u in load_unit_types().unit_types)
        raise InputError("unit_type", f"không có loại đơn vị “{unit_type}”; các loại: {known}.")
    tier = changes.tier or unit.tier
    if changes.tier is None and tier not in kind.tiers:
        tier = kind.tiers[0]
    if tier not in kind.tiers:
        raise InputError(
            "unit_type",
            f"loại “{kind.plain}” không được đánh giá ở {TIER_NAMES[tier]} "
            f"(chỉ ở {', '.join(TIER_NAMES[t] for t in kind.tiers)}).",
        )
    return tier, unit_type


def _check(
    session: Session, row: AssessmentRow, *, tier: str, moving: bool, totals: dict[str, int]
) -> None:
    """Refuse, before anything is written, a change that would leave an answer of this
    assessment invalid (see the module docstring)."""
    field = "members" if "members" in totals else ("learners" if totals else "unit_type")
    if not workflow.is_editable(row.status):
        if moving:
            raise InputError(
                "unit_type",
                f"hồ sơ năm {row.year} đã nộp theo bộ tiêu chí {TIER_NAMES[_tier_of(row)]} nên "
                "không đổi sang loại đơn vị của cấp khác được.",
            )
        assert row.id is not None  # read from the table
        raise InputError(field, assessment_sql.locked_text(session, row.id))
    assert row.id is not None  # read from the table
    rulebook = _rulebook(row, tier, moving)
    members = totals.get("members", row.members)
    learners = totals.get("learners", row.learners)
    for indicator_id, value in _answers(session, row.id):
        indicator = rulebook.indicator(indicator_id)
        if indicator is None:
            raise InputError(
                field,
                f"hồ sơ năm {row.year} đã trả lời chỉ tiêu {indicator_id}, không có ở "
                f"{TIER_NAMES[tier]}; không đổi được.",
            )
        try:
            check_answer(indicator, value, members=members, learners=learners)
        except InputError as refused:
            raise InputError(
                field,
                f"chưa đổi được: năm {row.year}, chỉ tiêu {indicator_id} đã trả lời "
                f"{_said(refused.message)} Hãy sửa câu trả lời chỉ tiêu {indicator_id} trước.",
            ) from None
    if moving:
        linked = _evidence_indicators(session, row.id)
        missing = sorted(i for i in set(linked) if rulebook.indicator(i) is None)
        if missing:
            raise InputError(
                field,
                f"hồ sơ năm {row.year} có minh chứng cho chỉ tiêu {', '.join(missing)}, không "
                f"có ở {TIER_NAMES[tier]}; không đổi được.",
            )


def _said(message: str) -> str:
    """The core's refusal as the end of a sentence (“… lớn hơn tổng số thành viên (20).”)."""
    return message if message.endswith(".") else message + "."


def _tier_of(row: AssessmentRow) -> str:
    return "tinh" if row.ruleset_id == TT24_BY_TIER["tinh"] else "huyen"


def _rulebook(row: AssessmentRow, tier: str, moving: bool) -> Rulebook:
    if moving:
        return load_rulebook(TT24_BY_TIER[tier])
    return rulebook_for(row.ruleset_id, row.ruleset_version)


def _answers(session: Session, assessment_id: int) -> Iterable[tuple[str, dict[str, Any]]]:
    """The current answer of each indicator (the latest revision)."""
    latest = (
        select(func.max(AnswerRevision.id))
        .where(AnswerRevision.assessment_id == assessment_id)
        .group_by(col(AnswerRevision.indicator_id))
    )
    result = session.exec(
        select(AnswerRevision.indicator_id, AnswerRevision.value).where(
            col(AnswerRevision.id).in_(latest)
        )
    )
    return [(indicator_id, dict(value)) for indicator_id, value in result.all()]


def _evidence_indicators(session: Session, assessment_id: int) -> list[str]:
    result = session.exec(
        select(EvidenceIndicator.indicator_id)
        .join(Evidence, col(Evidence.id) == EvidenceIndicator.evidence_id)
        .where(Evidence.assessment_id == assessment_id)
        .distinct()
    )
    return list(result.all())


def _apply(
    session: Session,
    actor: Actor,
    unit: Unit,
    rows: Iterable[AssessmentRow],
    done: list[UnitChange],
    *,
    tier: str,
    year: int,
) -> None:
    """Write the checked changes and one audit row per changed field."""
    now = utcnow()
    for change in done:
        if change.field in UNIT_FIELDS:
            setattr(unit, change.field, change.new)
    session.add(unit)
    moved = load_rulebook(TT24_BY_TIER[tier])
    for row in rows:
        changed = False
        if _tier_of(row) != tier:
            row.ruleset_id, row.ruleset_version, changed = moved.id, moved.version, True
        if row.year == year:
            for change in done:
                if change.field in TOTAL_FIELDS:
                    setattr(row, change.field, change.new)
                    changed = True
        if changed:
            row.updated_at = now
            row.standing_at = None  # the dashboard's cached level and share: recompute
            session.add(row)
    session.flush()
    if any(change.field in ("tier", "unit_type") for change in done) and unit.id is not None:
        standing.mark_unit_stale(session, unit.id)  # which indicators apply changed
    for change in done:
        details: dict[str, Any] = {"field": change.field, "old": change.old, "new": change.new}
        if change.year is not None:
            details["year"] = change.year
        audit.record(session, actor=actor, action=ACTION, unit_id=unit.id, details=details)
