"""Every field of an assessment bounded by what it means (`dvht_core.limits`), and a core that
stays whole for any value storage may still hold: an accepted value never breaks a later
evaluation, gap list or report document."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvht_core.assessment import Assessment, parse_assessment
from dvht_core.errors import InputError
from dvht_core.evaluate import evaluate
from dvht_core.gaps import gaps, missing_evidence
from dvht_core.limits import MAX_INTEGER, MAX_MEMBERS
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.model import Rulebook
from dvht_core.numbers import add_months
from dvht_core.report import evaluation_document, targets_above
from dvht_core.text_hygiene import has_lone_surrogate, preview
from tests.conftest import full_answers

RULEBOOKS = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
TODAY = dt.date(2026, 12, 2)


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "unit_name": "UBND xã Quảng Phú",
        "province": "Thành phố Huế",
        "tier": "huyen",
        "unit_type": "ubnd_xa",
        "year": 2025,
        "members": 30,
        "answers": full_answers(RULEBOOKS["huyen"], "ubnd_xa", 30),
    }
    document.update(changes)
    return document


def _parse(document: dict[str, Any]) -> Assessment:
    return parse_assessment(document, RULEBOOKS, load_unit_types(), today=TODAY)


def _with_answer(indicator_id: str, **fields: Any) -> dict[str, Any]:
    document = _document()
    document["answers"][indicator_id] = {**document["answers"][indicator_id], **fields}
    return document


@pytest.mark.parametrize(
    ("document", "field", "fragment"),
    [
        (_document(year=2101), "year", "không được lớn hơn 2100 (đang là 2101)"),
        (_document(year=2023), "year", "không được nhỏ hơn 2024"),
        (_document(year=2**63), "year", "(đang là một số quá lớn)"),
        (_document(year=10**5000), "year", "(đang là một số quá lớn)"),
        (_document(members=MAX_MEMBERS + 1), "members", "không được lớn hơn 1.000.000"),
        (_document(learners=MAX_MEMBERS + 1), "learners", "không được lớn hơn 1.000.000"),
        (_document(members=-1), "members", "không được nhỏ hơn 0"),
        (
            _document(level1_decision_date="9999-12-31"),
            "level1_decision_date",
            "ngày 31/12/9999 ở tương lai (hôm nay là 02/12/2026)",
        ),
        (
            _document(level1_decision_date=dt.date(2026, 12, 3)),
            "level1_decision_date",
            "ở tương lai",
        ),
        (
            _document(level1_decision_date=dt.datetime(2019, 12, 31, 23, 59)),
            "level1_decision_date",
            "ngày 31/12/2019 sớm hơn năm 2020",
        ),
        (
            _document(level1_decision_date=True),
            "level1_decision_date",
            "true không phải ngày dạng 2025-02-10.",
        ),
        (
            _document(level1_decision_date=10**5000),
            "level1_decision_date",
            "một số quá lớn không phải ngày",
        ),
        (_document(unit_name="x" * 301), "unit_name", "dài 301 ký tự; tối đa 300 ký tự."),
        (_document(unit_name="x" * 3_000_000), "unit_name", "dài 3.000.000 ký tự"),
        (_document(province="H" * 101), "province", "tối đa 100 ký tự."),
        (_document(unit_name="UBND \udc80"), "unit_name", "ký tự Unicode hỏng"),
        (_document(unit_name=["UBND"]), "unit_name", "phải là một đoạn văn bản."),
        (_with_answer("1.1", evidence=["x" * 501]), "answers.1.1.evidence[0]", "tối đa 500"),
        (_with_answer("1.1", evidence=[10**5000]), "answers.1.1.evidence[0]", "số quá lớn"),
        (_with_answer("1.1", evidence=["\ud800"]), "answers.1.1.evidence[0]", "Unicode hỏng"),
        (_with_answer("1.1", description="m" * 5001), "answers.1.1.description", "5.000"),
        (_with_answer("2.1", count=MAX_MEMBERS + 1), "answers.2.1.count", "1.000.000"),
        (
            _with_answer("2.1", **{"cou\nnt\u202e": 1}),
            "answers.2.1.cou nt",
            "chỉ tiêu 2.1 không có trường này",
        ),
        (
            _document(answers={"1.1": {"met": True}, 1.1: {"met": False}}),
            "answers.1.1",
            "được trả lời hai lần",
        ),
        (_document(answers={"x" * 10_000: {}}), "answers." + "x" * 40 + "…", "không có chỉ tiêu"),
    ],
)
def test_each_field_is_bounded(document: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(InputError) as refused:
        _parse(document)
    assert refused.value.field == field
    assert fragment in refused.value.message
    assert "\n" not in str(refused.value)
    assert len(str(refused.value)) < 300


def test_the_bounds_themselves_are_accepted() -> None:
    answers = full_answers(RULEBOOKS["huyen"], "ubnd_xa", MAX_MEMBERS)
    answers["1.1"]["evidence"] = ["ế" * 500]
    answers["1.1"]["description"] = "m" * 5000
    assessment = _parse(
        _document(
            year=2100,
            members=MAX_MEMBERS,
            learners=MAX_MEMBERS,
            level1_decision_date=TODAY,
            unit_name="n" * 300,
            province="p" * 100,
            answers=answers,
        )
    )
    assert assessment.members == MAX_MEMBERS
    assert assessment.level1_decision_date == TODAY
    assert _parse(_document(level1_decision_date="2020-01-01")).level1_decision_date == dt.date(
        2020, 1, 1
    )
    assert _parse(_document(level1_decision_date=20250210)).level1_decision_date == dt.date(
        2025, 2, 10
    )


def test_text_is_cleaned_as_the_chat_cleans_it() -> None:
    assessment = _parse(
        _document(unit_name="  UBND\u200b xã\u202e\nQuảng   Phú\x00 ", province="\u200b")
    )
    assert assessment.unit_name == "UBND xã Quảng Phú"
    assert assessment.province is None  # nothing readable: as if not given


def test_the_decision_date_is_bounded_by_today_in_vietnam() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(InputError, match="ở tương lai"):
        parse_assessment(_document(level1_decision_date=tomorrow), RULEBOOKS, load_unit_types())


# --- a stored value that no check let through must not break the core ---------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(9999, 12, 31), 12, dt.date.max),
        (dt.date(9999, 1, 31), 11, dt.date(9999, 12, 31)),
        (dt.date(9998, 12, 31), 12, dt.date(9999, 12, 31)),
        (dt.date(1, 1, 1), -1, dt.date.min),
    ],
)
def test_add_months_stops_at_the_calendar_edges(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def _whole_core(rulebook: Rulebook, assessment: Assessment) -> None:
    """Everything a later command computes from an assessment."""
    result = evaluate(rulebook, assessment)
    document = evaluation_document(rulebook, assessment, result)
    assert document["level"] in (0, 1, 2)
    missing_evidence(rulebook, assessment)
    for target in targets_above(result.level):
        gaps(rulebook, assessment, result, target)


@pytest.mark.parametrize(
    "decision", [dt.date.max, dt.date(9998, 12, 31), dt.date.min, dt.date(2100, 12, 31)]
)
@pytest.mark.parametrize("year", [2025, 2100, 9999, 1])
def test_a_stored_decision_date_or_year_out_of_bounds_breaks_nothing(
    decision: dt.date, year: int
) -> None:
    rulebook = RULEBOOKS["huyen"]
    answers = full_answers(rulebook, "ubnd_xa", 30)
    assessment = _parse(_document(answers=answers))
    stored = Assessment(
        tier="huyen",
        unit_type="ubnd_xa",
        year=year,
        members=30,
        answers=assessment.answers,
        level1_decision_date=decision,
    )
    _whole_core(rulebook, stored)
    gate = evaluate(rulebook, stored).upgrade_gate
    assert gate is not None
    if decision >= dt.date(9998, 12, 31):
        assert gate.blocked


def test_the_report_of_a_far_future_decision_warns_and_keeps_level_2() -> None:
    rulebook = RULEBOOKS["huyen"]
    assessment = _parse(_document())
    stored = Assessment(
        tier="huyen",
        unit_type="ubnd_xa",
        year=2025,
        members=30,
        answers=assessment.answers,
        level1_decision_date=dt.date.max,
    )
    result = evaluate(rulebook, stored)
    assert result.level == 2
    assert any("31/12/9999" in warning for warning in result.warnings)


# --- properties -------------------------------------------------------------------------------

raw_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["\udc80", "x" * 501, "2025-02-10", "9999-12-31", "huyen", "ubnd_xa"])
    | st.dates().map(str)
    | st.dates(),
    lambda items: st.lists(items, max_size=3) | st.dictionaries(st.text(max_size=5), items),
    max_leaves=8,
)


@st.composite
def raw_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = _document()
    for field in draw(
        st.lists(
            st.sampled_from(
                [
                    "unit_name",
                    "province",
                    "year",
                    "members",
                    "learners",
                    "level1_decision_date",
                    "answers",
                ]
            ),
            max_size=3,
        )
    ):
        document[field] = draw(raw_values)
    answers = document["answers"]
    if not isinstance(answers, dict) or not answers:
        return document
    for indicator_id in draw(st.lists(st.sampled_from(sorted(answers, key=str)), max_size=3)):
        answer = answers[indicator_id]
        if isinstance(answer, dict):
            key = draw(st.sampled_from(["met", "count", "evidence", "description", "title"]))
            answer[key] = draw(raw_values | st.integers(0, 40))
    return document


@settings(max_examples=300, deadline=None)
@given(document=raw_documents())
def test_any_mapping_is_an_input_error_or_a_whole_assessment(document: dict[str, Any]) -> None:
    try:
        assessment = _parse(document)
    except InputError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert "\n" not in refusal
        assert not has_lone_surrogate(refusal)
        return
    _whole_core(RULEBOOKS[assessment.tier], assessment)
    for text in (assessment.unit_name or "", assessment.province or ""):
        assert not has_lone_surrogate(text)
    if assessment.members is not None:
        assert 0 <= assessment.members <= MAX_MEMBERS
    assert 2024 <= assessment.year <= 2100


@settings(max_examples=300, deadline=None)
@given(text=st.text() | st.sampled_from(["\udc80" * 100, "a\n\u202eb", "x" * 10**6]))
def test_a_preview_is_short_printable_and_on_one_line(text: str) -> None:
    shown = preview(text)
    assert len(shown) <= 41
    assert "\n" not in shown
    shown.encode("utf-8")


def test_an_int_beyond_64_bits_is_shown_without_converting_it() -> None:
    with pytest.raises(InputError) as refused:
        _parse(_document(members=MAX_INTEGER + 1))
    assert "một số quá lớn" in refused.value.message


def test_counts_whose_total_the_migration_cleared_break_nothing() -> None:
    """Migration c5d1e8a24b63 sets an out-of-range total to NULL; the answers stay."""
    rulebook = RULEBOOKS["tinh"]
    answers = _parse(
        _document(
            tier="tinh",
            unit_type="pho_thong",
            learners=1000,
            answers=full_answers(rulebook, "pho_thong", 30),
        )
    ).answers
    stored = Assessment(
        tier="tinh", unit_type="pho_thong", year=2025, members=None, answers=answers
    )
    _whole_core(rulebook, stored)
    assert evaluate(rulebook, stored).indicators["2.1"].status == "chua_tra_loi"
