"""The pure TT24 evaluation: answers in, levels and Vietnamese reasons out.

The rules (TT24 Điều 8–9 / 14–15 as reproduced by HN-248, and QP-PLAN mục IV.3; the ids are
those of docs/sources.md):
- each applicable indicator is đạt or không đạt at each level; an indicator that reaches the
  level-2 bar reaches the level-1 bar, so it gets level 2, 1 or 0;
- “Các tiêu chí, chỉ tiêu không có minh chứng phù hợp được đánh giá là không đạt”: no evidence
  gives level 0, and so does an applicable indicator left unanswered;
- “Tiêu chí được đánh giá là đạt khi đơn vị đạt tất cả các chỉ tiêu của tiêu chí đó”: a
  criterion's level is the minimum over its applicable indicators; the unit's is the minimum
  over criteria;
- indicators that bind other unit types only are not applicable (level None).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from dvht_core.assessment import Answer, Assessment
from dvht_core.model import (
    DIGITAL_LEVELS,
    DIGITAL_RANK,
    EMULATION_RANK,
    EMULATION_TITLES,
    TIER_NAMES,
    Indicator,
    Rulebook,
)
from dvht_core.numbers import add_months, format_date, format_pct, meets_pct
from dvht_core.record_type import Record

Status = Literal["dat", "khong_dat", "chua_tra_loi", "thieu_minh_chung", "khong_ap_dung"]

LEVEL_NAMES: dict[int, str] = {0: "Không đạt", 1: "Đạt mức độ 1", 2: "Đạt mức độ 2"}

NO_EVIDENCE = (
    "chưa có minh chứng (chỉ tiêu không có minh chứng phù hợp được đánh giá là không đạt)"
)


class IndicatorResult(Record):
    indicator_id: str
    level: int | None
    """0, 1 or 2; None when the indicator does not apply to the unit type."""
    status: Status
    reason: str


class CriterionResult(Record):
    criterion_id: str
    level: int
    reason: str


class UpgradeGate(Record):
    """TT24: a level-1 unit may ask for level 2 only 12 months after the level-1 decision."""

    decision_date: dt.date
    earliest_date: dt.date
    deadline: dt.date
    blocked: bool


class Evaluation(Record):
    rulebook_id: str
    rulebook_version: str
    tier: str
    unit_type: str
    year: int
    level: int
    reason: str
    criteria: dict[str, CriterionResult]
    indicators: dict[str, IndicatorResult]
    warnings: tuple[str, ...]
    notices: tuple[str, ...]
    upgrade_gate: UpgradeGate | None


def evaluate(rulebook: Rulebook, assessment: Assessment) -> Evaluation:
    """Evaluate one assessment; pure and deterministic."""
    plan = rulebook.plan(assessment.unit_type)
    answers = assessment.answers
    indicators: dict[str, IndicatorResult] = {}
    criteria: dict[str, CriterionResult] = {}
    for criterion, applicable in plan.criteria:
        levels: list[tuple[int, str]] = []
        for indicator in applicable:
            result = _rate(indicator, answers.get(indicator.id), assessment)
            indicators[indicator.id] = result
            levels.append((result.level or 0, indicator.id))
        criteria[criterion.id] = _criterion_result(criterion.id, levels)
    for indicator_id in plan.not_applicable:
        indicators[indicator_id] = _NOT_APPLICABLE[indicator_id]
    level = min(c.level for c in criteria.values())
    warnings = [
        f"Chỉ tiêu {answer_id} không áp dụng cho loại đơn vị này nên câu trả lời bị bỏ qua."
        for answer_id in answers
        if answer_id not in plan.indicator_ids
    ]
    gate = _upgrade_gate(rulebook, assessment)
    if gate is not None and gate.blocked and level == 2:
        warnings.append(
            "Đơn vị được công nhận mức độ 1 theo quyết định ngày "
            f"{format_date(gate.decision_date)}: chỉ được đề nghị nâng lên mức độ 2 sau ít nhất "
            f"{rulebook.upgrade_wait_months} tháng, tức từ ngày "
            f"{format_date(gate.earliest_date)}, muộn hơn hạn nộp hồ sơ (trước ngày "
            f"{format_date(gate.deadline)}) của năm đánh giá {assessment.year}. "
            "Kết quả tự đánh giá vẫn là mức độ 2; cách tính theo hạn nộp hồ sơ là cách hiểu "
            "của dvht, hãy hỏi cơ quan tiếp nhận hồ sơ."
        )
    return Evaluation(
        rulebook_id=rulebook.id,
        rulebook_version=rulebook.version,
        tier=rulebook.tier,
        unit_type=assessment.unit_type,
        year=assessment.year,
        level=level,
        reason=_unit_reason(rulebook.tier, level, criteria),
        criteria=criteria,
        indicators=indicators,
        warnings=tuple(warnings),
        notices=plan.uncertain_notes,
        upgrade_gate=gate,
    )


class _NotApplicable(dict[str, IndicatorResult]):
    """One shared, immutable result per indicator id that does not apply to the unit type."""

    def __missing__(self, indicator_id: str) -> IndicatorResult:
        result = IndicatorResult(
            indicator_id, None, "khong_ap_dung", "Không áp dụng cho loại đơn vị này."
        )
        self[indicator_id] = result
        return result


_NOT_APPLICABLE = _NotApplicable()


def _rate(indicator: Indicator, answer: Answer | None, assessment: Assessment) -> IndicatorResult:
    if answer is None:
        return IndicatorResult(indicator.id, 0, "chua_tra_loi", "Không đạt: chưa trả lời.")
    rated = _value_level(indicator, answer, assessment)
    if rated is None:
        return IndicatorResult(indicator.id, 0, "chua_tra_loi", "Không đạt: chưa trả lời.")
    level, detail = rated
    if not answer.evidence:
        if level > 0:
            return IndicatorResult(
                indicator.id,
                0,
                "thieu_minh_chung",
                f"Không đạt: {detail}, nhưng {NO_EVIDENCE}.",
            )
        return IndicatorResult(
            indicator.id, 0, "khong_dat", f"Không đạt: {detail}; {NO_EVIDENCE}."
        )
    status: Status = "dat" if level > 0 else "khong_dat"
    return IndicatorResult(indicator.id, level, status, f"{LEVEL_NAMES[level]}: {detail}.")


def _value_level(
    indicator: Indicator, answer: Answer, assessment: Assessment
) -> tuple[int, str] | None:
    """The level the answered value reaches and a sentence with the figures (None: no answer)."""
    kind = indicator.kind
    if kind == "yes_no" or kind == "accreditation":
        if answer.met is None:
            return None
        if answer.met:
            return 2, "đơn vị đáp ứng yêu cầu (giống nhau ở hai mức độ)"
        return 0, "đơn vị chưa đáp ứng yêu cầu của chỉ tiêu"
    if kind == "member_ratio" or kind == "member_learner_ratio":
        if answer.count is None or not assessment.members:
            return None
        level, detail = _ratio_level(
            answer.count,
            assessment.members,
            int(indicator.thresholds.level1),
            int(indicator.thresholds.level2),
            f"thành viên ({format_pct(answer.count, assessment.members)}) {indicator.measure}",
        )
        if not indicator.learners_apply(assessment.unit_type):
            return level, detail
        bars = indicator.learner_thresholds
        assert bars is not None  # guaranteed by the model validator
        if answer.learners_count is None or not assessment.learners:
            return 0, f"{detail}; chưa khai báo số người học đạt danh hiệu “Công dân học tập”"
        learner_level, learner_detail = _ratio_level(
            answer.learners_count,
            assessment.learners,
            int(bars.level1),
            int(bars.level2),
            f"({format_pct(answer.learners_count, assessment.learners)}) "
            f"{indicator.learner_measure}",
        )
        return min(level, learner_level), f"{detail}; {learner_detail}"
    if kind == "emulation_title":
        return _ranked_level(answer.title, indicator, EMULATION_RANK, EMULATION_TITLES)
    return _ranked_level(answer.dt_level, indicator, DIGITAL_RANK, DIGITAL_LEVELS)


def _ratio_level(count: int, total: int, bar1: int, bar2: int, what: str) -> tuple[int, str]:
    figures = f"{count}/{total} {what}"
    if meets_pct(count, total, bar2):
        return 2, f"{figures}, đạt mức độ 2 (cần ≥ {bar2}%)"
    if meets_pct(count, total, bar1):
        return 1, f"{figures}, đạt mức độ 1 (cần ≥ {bar1}%), chưa đạt mức độ 2 (cần ≥ {bar2}%)"
    return 0, f"{figures}, chưa đạt mức độ 1 (cần ≥ {bar1}%)"


def _ranked_level(
    code: str | None, indicator: Indicator, rank: dict[str, int], names: dict[str, str]
) -> tuple[int, str] | None:
    if code is None:
        return None
    bar1, bar2 = str(indicator.thresholds.level1), str(indicator.thresholds.level2)
    have = f"hiện có “{names[code]}”"
    if rank[code] >= rank[bar2]:
        return 2, f"{have}, đạt yêu cầu mức độ 2 (từ “{names[bar2]}” trở lên)"
    if rank[code] >= rank[bar1]:
        return 1, f"{have}, đạt mức độ 1, mức độ 2 cần từ “{names[bar2]}” trở lên"
    return 0, f"{have}, cần từ “{names[bar1]}” trở lên"


def _criterion_result(criterion_id: str, levels: list[tuple[int, str]]) -> CriterionResult:
    level = min(lv for lv, _ in levels)
    if level == 2:
        return CriterionResult(criterion_id, 2, "Đạt mức độ 2: mọi chỉ tiêu đạt mức độ 2.")
    lowest = ", ".join(i for lv, i in levels if lv == level)
    if level == 1:
        reason = f"Đạt mức độ 1; chưa đạt mức độ 2 vì chỉ tiêu {lowest} chỉ đạt mức độ 1."
        return CriterionResult(criterion_id, 1, reason)
    return CriterionResult(criterion_id, 0, f"Không đạt vì chỉ tiêu {lowest} không đạt.")


def _unit_reason(tier: str, level: int, criteria: dict[str, CriterionResult]) -> str:
    title = f"“Đơn vị học tập” {TIER_NAMES[tier]}"
    if level == 2:
        return f"Đạt {title} mức độ 2."
    lowest = ", ".join(c.criterion_id for c in criteria.values() if c.level == level)
    if level == 1:
        return f"Đạt {title} mức độ 1 (tiêu chí {lowest} chưa đạt mức độ 2)."
    return f"Chưa đạt {title}: tiêu chí {lowest} không đạt."


def _upgrade_gate(rulebook: Rulebook, assessment: Assessment) -> UpgradeGate | None:
    decided = assessment.level1_decision_date
    if decided is None:
        return None
    earliest = add_months(decided, rulebook.upgrade_wait_months)
    deadline = rulebook.submission.deadline_for(assessment.year)
    return UpgradeGate(
        decision_date=decided,
        earliest_date=earliest,
        deadline=deadline,
        blocked=earliest >= deadline,
    )
