"""The dialogue judges an assessment by the rulebook it was started on (its stored ruleset id
and version), as storage does; only before there is an assessment does the unit's tier choose."""

from __future__ import annotations

import datetime as dt

import pytest

from conversations.context import Context
from conversations.records import AssessmentRecord, PersonRecord, UnitRecord
from dvht_core.errors import RulebookError
from dvht_core.loader import load_rulebook

PERSON = PersonRecord(id=1, display_name="Lan")
UNIT = UnitRecord(
    id=1,
    name="Trường THPT Hai Bà Trưng",
    tier="huyen",  # the unit's tier says huyện…
    unit_type="pho_thong",
    province="Thành phố Huế",
    office_id=None,
    office_name=None,
    active=True,
)
TODAY = dt.date(2025, 11, 20)


def assessment(ruleset_id: str, version: str) -> AssessmentRecord:
    return AssessmentRecord(
        id=1,
        unit=UNIT,
        year=2025,
        ruleset_id=ruleset_id,
        ruleset_version=version,
        status="draft",
        members=40,
        learners=None,
        level1_decision_date=None,
        recognition_decision_number=None,
        recognition_decision_date=None,
    )


def test_the_stored_ruleset_chooses_the_rulebook_and_the_walk() -> None:
    tinh = load_rulebook("tt24-tinh")
    stored = assessment("tt24-tinh", tinh.version)  # …the assessment was started on tỉnh rules
    ctx = Context(PERSON, (), UNIT, stored, TODAY)
    assert ctx.rulebook is tinh
    citizens = next(i for i in ctx.walk() if i.id == "3.1")
    assert citizens.learners_apply("pho_thong")  # tỉnh rules also count a school's learners


def test_without_an_assessment_the_units_tier_chooses() -> None:
    assert Context(PERSON, (), UNIT, None, TODAY).rulebook is load_rulebook("tt24-huyen")
    assert Context(PERSON, (), None, None, TODAY).rulebook is None


def test_a_version_this_release_does_not_ship_is_an_error_not_another_rulebook() -> None:
    ctx = Context(PERSON, (), UNIT, assessment("tt24-huyen", "1999.1"), TODAY)
    with pytest.raises(RulebookError, match=r"1999\.1"):
        _ = ctx.rulebook
