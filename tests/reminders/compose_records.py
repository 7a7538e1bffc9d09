"""Crafted unit progress for the reminder texts' tests: records as storage builds them, with
answers given by named people on chosen days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from conversations.records import AnswerRecord, AssessmentRecord, EvidenceRecord, UnitRecord
from dvht_core import vietnam_time
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from dvht_core.workflow import Status
from reminders.progress import UnitProgress

YEAR = 2026
DEADLINE = dt.date(2027, 1, 15)
OFFICE = "Phòng Văn hóa – Xã hội xã Quảng Phú"


def unit(
    name: str = "UBND xã Quảng Phú",
    *,
    unit_id: int = 1,
    tier: str = "huyen",
    unit_type: str = "ubnd_xa",
    office: str | None = OFFICE,
) -> UnitRecord:
    return UnitRecord(unit_id, name, tier, unit_type, "Thành phố Huế", 7, office, True)


def moment(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=vietnam_time.ZONE)


def answer(
    indicator_id: str,
    value: Mapping[str, Any],
    *,
    by: tuple[int | None, str | None] = (1, "Lan"),
    on: dt.date = dt.date(2026, 12, 1),
    first: dt.date | None = None,
) -> AnswerRecord:
    """An answer given by `by` (person id and name; (None, None): the operator) on `on`, first
    answered on `first` (default: the same day)."""
    return AnswerRecord(
        indicator_id=indicator_id,
        value=dict(value),
        description=None,
        strengths=None,
        weaknesses=None,
        answered_by=by[0],
        answered_by_name=by[1],
        answered_at=moment(on),
        revision_id=1,
        first_answered_at=moment(first or on),
    )


def progress(
    answers: Iterable[AnswerRecord] = (),
    *,
    evidence: Iterable[str] = (),
    members: int | None = 30,
    learners: int | None = None,
    of: UnitRecord | None = None,
    status: Status = "draft",
    started: bool = True,
    level1_decision_date: dt.date | None = None,
) -> UnitProgress:
    """The unit's progress with these answers; `evidence` lists the indicators that have one
    reference each."""
    the_unit = of or unit()
    rulebook = load_rulebook(TT24_BY_TIER[the_unit.tier])
    items = tuple(
        EvidenceRecord(n, "reference", f"Kế hoạch số {n}/KH-UBND", (indicator_id,))
        for n, indicator_id in enumerate(evidence, start=1)
    )
    record = AssessmentRecord(
        id=5 if started else 0,
        unit=the_unit,
        year=YEAR,
        ruleset_id=rulebook.id,
        ruleset_version=rulebook.version,
        status=status,
        members=members,
        learners=learners,
        level1_decision_date=level1_decision_date,
        recognition_decision_number=None,
        recognition_decision_date=None,
        answers={a.indicator_id: a for a in answers},
        evidence=items,
    )
    return UnitProgress.of(record, started=started)


def level2_value(indicator_id: str, kind: str, members: int = 30) -> dict[str, Any]:
    """A value that reaches level 2 for an indicator of this kind."""
    if kind in ("yes_no", "accreditation"):
        return {"met": True}
    if kind == "emulation_title":
        return {"title": "tap_the_lao_dong_xuat_sac"}
    if kind == "digital_level":
        return {"dt_level": "tot"}
    if kind == "member_learner_ratio":
        return {"count": members, "learners_count": 1000}
    return {"count": members}


def all_answered(
    *, tier: str = "huyen", unit_type: str = "ubnd_xa", members: int = 30
) -> list[AnswerRecord]:
    """Every applicable indicator answered at level 2."""
    rulebook = load_rulebook(TT24_BY_TIER[tier])
    return [
        answer(i.id, level2_value(i.id, i.kind, members))
        for _, inds in rulebook.plan(unit_type).criteria
        for i in inds
    ]


def applicable_ids(tier: str = "huyen", unit_type: str = "ubnd_xa") -> list[str]:
    rulebook = load_rulebook(TT24_BY_TIER[tier])
    return [i.id for _, inds in rulebook.plan(unit_type).criteria for i in inds]
