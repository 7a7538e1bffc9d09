"""Properties over random assessments: monotonic levels, schema-valid JSON, no crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

import dvht_core
from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Indicator
from dvht_core.record_type import replace
from dvht_core.report import evaluation_document

SCHEMA = json.loads(
    (Path(dvht_core.__file__).parent / "schemas" / "evaluation.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
RULEBOOKS = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
PAIRS = [(u.id, tier) for u in load_unit_types().unit_types for tier in u.tiers]


@st.composite
def _answer(draw: st.DrawFn, indicator: Indicator, members: int, learners: int) -> Answer:
    evidence = tuple(draw(st.lists(st.sampled_from(["KH 12", "QĐ 45", "Ảnh"]), max_size=2)))
    kind = indicator.kind
    if kind in ("yes_no", "accreditation"):
        return Answer(indicator.id, met=draw(st.none() | st.booleans()), evidence=evidence)
    if kind in ("member_ratio", "member_learner_ratio"):
        return Answer(
            indicator.id,
            count=draw(st.none() | st.integers(0, members)),
            learners_count=draw(st.none() | st.integers(0, learners)),
            evidence=evidence,
        )
    if kind == "emulation_title":
        return Answer(
            indicator.id, title=draw(st.sampled_from(list(EMULATION_TITLES))), evidence=evidence
        )
    return Answer(
        indicator.id, dt_level=draw(st.sampled_from(list(DIGITAL_LEVELS))), evidence=evidence
    )


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    unit_type, tier = draw(st.sampled_from(PAIRS))
    members = draw(st.integers(1, 2000))
    learners = draw(st.integers(1, 5000))
    answers: dict[str, Answer] = {}
    for indicator in RULEBOOKS[tier].indicators:
        if draw(st.integers(0, 9)) > 0:  # most indicators answered, some left out
            answers[indicator.id] = draw(_answer(indicator, members, learners))
    return Assessment(
        tier=tier,  # type: ignore[arg-type]
        unit_type=unit_type,
        year=draw(st.integers(2024, 2030)),
        members=members,
        learners=learners,
        answers=answers,
    )


@settings(max_examples=300, deadline=None)
@given(assessments(), st.data())
def test_raising_any_count_never_lowers_a_level(assessment: Assessment, data: Any) -> None:
    rulebook = RULEBOOKS[assessment.tier]
    before = evaluate(rulebook, assessment)
    counted = [a for a in assessment.answers.values() if a.count is not None]
    if not counted:
        return
    answer = data.draw(st.sampled_from(counted))
    members = assessment.members or 0
    raised = replace(answer, count=data.draw(st.integers(answer.count or 0, members)))
    learners = assessment.learners or 0
    if answer.learners_count is not None:
        raised = replace(
            raised, learners_count=data.draw(st.integers(answer.learners_count, learners))
        )
    after = evaluate(
        rulebook, replace(assessment, answers={**assessment.answers, answer.indicator_id: raised})
    )
    assert after.level >= before.level
    for criterion_id, result in after.criteria.items():
        assert result.level >= before.criteria[criterion_id].level
    for indicator_id, result in after.indicators.items():
        assert (result.level or 0) >= (before.indicators[indicator_id].level or 0)


@settings(max_examples=200, deadline=None)
@given(assessments())
def test_json_output_always_validates_against_its_schema(assessment: Assessment) -> None:
    rulebook = RULEBOOKS[assessment.tier]
    document = evaluation_document(rulebook, assessment, evaluate(rulebook, assessment))
    VALIDATOR.validate(json.loads(json.dumps(document, ensure_ascii=False)))


@settings(max_examples=200, deadline=None)
@given(assessments())
def test_levels_are_consistent_minimums(assessment: Assessment) -> None:
    result = evaluate(RULEBOOKS[assessment.tier], assessment)
    assert result.level == min(c.level for c in result.criteria.values())
    for criterion in RULEBOOKS[assessment.tier].criteria:
        applicable = [
            result.indicators[i.id].level
            for i in criterion.indicators
            if result.indicators[i.id].level is not None
        ]
        assert result.criteria[criterion.id].level == min(applicable)  # type: ignore[type-var]
