"""Unit tests of the TT24 evaluation: exact ratios, evidence, applicability, the upgrade gate."""

from __future__ import annotations

import datetime as dt

import pytest

from dvht_core.evaluate import evaluate
from dvht_core.model import Rulebook
from dvht_core.numbers import add_months, format_pct, meets_pct, needed_for_pct
from tests.conftest import build


@pytest.mark.parametrize(
    ("count", "total", "pct", "expected"),
    [
        (27, 30, 90, True),  # exactly 90%
        (90, 100, 90, True),
        (89, 100, 90, False),
        (50, 101, 50, False),  # 49.5%: below, never rounded up
        (99, 200, 50, False),  # 49.5%
        (100, 200, 50, True),
        (379, 400, 95, False),  # 94.75%
        (380, 400, 95, True),
        (0, 1, 1, False),
        (1, 1, 100, True),
    ],
)
def test_meets_pct_is_exact(count: int, total: int, pct: int, expected: bool) -> None:
    assert meets_pct(count, total, pct) is expected


def test_needed_for_pct_is_the_least_count_that_meets_the_bar() -> None:
    for total in range(1, 300):
        for pct in (50, 70, 90, 95, 97):
            needed = needed_for_pct(total, pct)
            assert meets_pct(needed, total, pct)
            assert needed == 0 or not meets_pct(needed - 1, total, pct)


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [
        (28, 30, "93,3%"),
        (27, 30, "90%"),
        (29, 30, "96,7%"),
        (18999, 20000, "94,99%"),
        (92, 100, "92%"),
        (0, 7, "0%"),
        (7, 7, "100%"),
        (99, 200, "49,5%"),
    ],
)
def test_format_pct_uses_a_comma_and_never_shows_a_bar_not_met(
    count: int, total: int, shown: str
) -> None:
    assert format_pct(count, total) == shown


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 2, 10), 12, dt.date(2026, 2, 10)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
    ],
)
def test_add_months_clips_to_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_complete_answers_reach_level_two(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(rulebooks["huyen"], build(rulebooks))
    assert result.level == 2
    assert {c.level for c in result.criteria.values()} == {2}
    assert result.reason == "Đạt “Đơn vị học tập” cấp huyện mức độ 2."


def test_criterion_level_is_the_minimum_of_its_indicators(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(
        rulebooks["huyen"],
        build(rulebooks, overrides={"2.4": {"count": 60, "evidence": ["Danh sách"]}}),
    )
    assert result.indicators["2.4"].level == 1
    assert result.criteria["2"].level == 1
    assert result.criteria["1"].level == 2
    assert result.level == 1
    assert "2.4" in result.criteria["2"].reason


def test_no_evidence_means_not_achieved(rulebooks: dict[str, Rulebook]) -> None:
    """TT24: “không có minh chứng phù hợp được đánh giá là không đạt” (reference case T5)."""
    result = evaluate(rulebooks["huyen"], build(rulebooks, overrides={"1.3": {"met": True}}))
    indicator = result.indicators["1.3"]
    assert (indicator.level, indicator.status) == (0, "thieu_minh_chung")
    assert "minh chứng" in indicator.reason
    assert result.criteria["1"].level == 0
    assert result.level == 0


def test_unanswered_applicable_indicator_is_not_achieved(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(rulebooks["huyen"], build(rulebooks, drop=("3.2",)))
    assert result.indicators["3.2"].level == 0
    assert result.indicators["3.2"].reason == "Không đạt: chưa trả lời."
    assert result.level == 0


def test_answer_without_a_value_counts_as_unanswered(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(
        rulebooks["huyen"], build(rulebooks, overrides={"2.1": {"evidence": ["Bảng chấm công"]}})
    )
    assert result.indicators["2.1"].status == "chua_tra_loi"


def test_type_specific_indicators_do_not_apply_to_others(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(rulebooks["huyen"], build(rulebooks, unit_type="doanh_nghiep"))
    assert result.indicators["1.3"].level is None  # budget: public bodies only
    assert result.indicators["3.4"].level is None
    assert result.indicators["3.5"].level is None
    assert result.level == 2


def test_answer_for_a_non_applicable_indicator_is_ignored_with_a_warning(
    rulebooks: dict[str, Rulebook],
) -> None:
    result = evaluate(
        rulebooks["huyen"],
        build(rulebooks, overrides={"3.4": {"dt_level": "chua_dap_ung", "evidence": ["x"]}}),
    )
    assert result.indicators["3.4"].level is None
    assert result.level == 2
    assert len(result.warnings) == 1
    assert "3.4" in result.warnings[0]


def test_school_needs_good_digital_level_for_level_two(rulebooks: dict[str, Rulebook]) -> None:
    """Reference case T3: QĐ 4725 “mức đáp ứng cơ bản” is level 1 only."""
    basic = {"3.4": {"dt_level": "co_ban", "evidence": ["Kết quả QĐ 4725"]}}
    result = evaluate(rulebooks["huyen"], build(rulebooks, unit_type="pho_thong", overrides=basic))
    assert result.indicators["3.4"].level == 1
    assert result.level == 1
    unmet = {"3.4": {"dt_level": "chua_dap_ung", "evidence": ["Kết quả QĐ 4725"]}}
    result = evaluate(rulebooks["huyen"], build(rulebooks, unit_type="pho_thong", overrides=unmet))
    assert result.level == 0


@pytest.mark.parametrize(
    ("title", "level"),
    [("khong_co", 0), ("tap_the_lao_dong_tien_tien", 2), ("co_thi_dua_chinh_phu", 2)],
)
def test_collective_title_from_tien_tien_upwards(
    rulebooks: dict[str, Rulebook], title: str, level: int
) -> None:
    answer = {"3.3": {"title": title, "evidence": ["QĐ khen thưởng"]}}
    result = evaluate(rulebooks["huyen"], build(rulebooks, overrides=answer))
    assert result.indicators["3.3"].level == level


@pytest.mark.parametrize(
    ("unit_type", "learners_count", "level"),
    [
        ("pho_thong", 960, 1),  # 96% of learners: level 1 only (T4)
        ("pho_thong", 970, 2),
        ("pho_thong", 949, 0),
        ("gdnn", 950, 1),
        ("dai_hoc", 969, 1),
    ],
)
def test_tinh_schools_need_the_learner_quota(
    rulebooks: dict[str, Rulebook], unit_type: str, learners_count: int, level: int
) -> None:
    answer = {"3.1": {"count": 100, "learners_count": learners_count, "evidence": ["DS CDHT"]}}
    assessment = build(
        rulebooks, tier="tinh", unit_type=unit_type, learners=1000, overrides=answer
    )
    assert evaluate(rulebooks["tinh"], assessment).indicators["3.1"].level == level


def test_tinh_school_without_learner_figures_is_not_achieved(
    rulebooks: dict[str, Rulebook],
) -> None:
    answer = {"3.1": {"count": 100, "evidence": ["DS CDHT"]}}
    assessment = build(rulebooks, tier="tinh", unit_type="pho_thong", overrides=answer)
    result = evaluate(rulebooks["tinh"], assessment).indicators["3.1"]
    assert result.level == 0
    assert "người học" in result.reason


def test_tinh_agency_is_judged_on_members_only(rulebooks: dict[str, Rulebook]) -> None:
    answer = {"3.1": {"count": 95, "evidence": ["DS CDHT"]}}
    assessment = build(rulebooks, tier="tinh", unit_type="co_quan", overrides=answer)
    assert evaluate(rulebooks["tinh"], assessment).indicators["3.1"].level == 2


def test_upgrade_gate_warns_but_keeps_the_level(rulebooks: dict[str, Rulebook]) -> None:
    """Reference case T6: L1 decided 10/02/2025, so level 2 only from 10/02/2026."""
    assessment = build(rulebooks, level1_decision_date="2025-02-10")
    result = evaluate(rulebooks["huyen"], assessment)
    assert result.level == 2
    assert result.upgrade_gate is not None
    assert result.upgrade_gate.blocked
    assert result.upgrade_gate.earliest_date == dt.date(2026, 2, 10)
    assert any("10/02/2026" in w for w in result.warnings)


def test_upgrade_gate_open_after_twelve_months(rulebooks: dict[str, Rulebook]) -> None:
    assessment = build(rulebooks, level1_decision_date="2024-12-20")
    result = evaluate(rulebooks["huyen"], assessment)
    assert result.upgrade_gate is not None
    assert not result.upgrade_gate.blocked
    assert result.warnings == ()


def test_every_result_carries_a_vietnamese_reason(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(rulebooks["tinh"], build(rulebooks, tier="tinh", unit_type="pho_thong"))
    assert all(r.reason for r in result.indicators.values())
    assert all(c.reason for c in result.criteria.values())
    assert result.reason.startswith("Đạt")


def test_uncertain_rules_are_told_to_the_user(rulebooks: dict[str, Rulebook]) -> None:
    result = evaluate(rulebooks["huyen"], build(rulebooks))
    assert any(n.startswith("Chỉ tiêu 3.3:") for n in result.notices)
