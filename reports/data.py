"""The self-assessment report as plain data (one builder for the PDF, and later DOCX/XLSX)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dvht_core import vietnam_time
from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import Evaluation, evaluate
from dvht_core.gaps import gaps, missing_evidence
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, TIER_NAMES, Indicator, Rulebook
from dvht_core.numbers import format_pct
from dvht_core.report import targets_above

LEVEL_SENTENCES = {
    0: "Đơn vị tự đánh giá: chưa đạt “Đơn vị học tập” {tier} năm {year}.",
    1: "Đơn vị tự đánh giá đạt “Đơn vị học tập” {tier} mức độ 1 năm {year}.",
    2: "Đơn vị tự đánh giá đạt “Đơn vị học tập” {tier} mức độ 2 năm {year}.",
}


def evidence_code(criterion_id: str, indicator_id: str, number: int) -> str:
    """Accreditation-style code: box (criterion), criterion.indicator, item number."""
    return f"[H{criterion_id}-{indicator_id}-{number:02d}]"


def state_text(indicator: Indicator, answer: Answer | None, assessment: Assessment) -> str:
    """The current state in figures, e.g. “28/30 thành viên (93,3%)”."""
    if answer is None:
        return "Chưa trả lời"
    if answer.count is not None and assessment.members:
        text = (
            f"{answer.count}/{assessment.members} thành viên "
            f"({format_pct(answer.count, assessment.members)}) {indicator.measure}"
        )
        if answer.learners_count is not None and assessment.learners:
            text += (
                f"; {answer.learners_count}/{assessment.learners} người học "
                f"({format_pct(answer.learners_count, assessment.learners)})"
            )
        return text
    if answer.title is not None:
        return f"Danh hiệu: {EMULATION_TITLES[answer.title]}"
    if answer.dt_level is not None:
        return f"Mức độ chuyển đổi số: {DIGITAL_LEVELS[answer.dt_level]}"
    if answer.met is not None:
        return "Đơn vị đáp ứng yêu cầu của chỉ tiêu" if answer.met else "Đơn vị chưa đáp ứng"
    return "Chưa trả lời"


def report_data(
    rulebook: Rulebook,
    assessment: Assessment,
    *,
    governing_body: str | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or vietnam_time.today()
    evaluation: Evaluation = evaluate(rulebook, assessment)
    tier = TIER_NAMES[rulebook.tier]
    criteria: list[dict[str, Any]] = []
    unanswered = 0
    for criterion, applicable in rulebook.plan(assessment.unit_type).criteria:
        items: list[dict[str, Any]] = []
        counts = {"0": 0, "1": 0, "2": 0}
        for indicator in applicable:
            answer = assessment.answers.get(indicator.id)
            result = evaluation.indicators[indicator.id]
            level = result.level or 0
            counts[str(level)] += 1
            unanswered += result.status == "chua_tra_loi"
            items.append(
                {
                    "id": indicator.id,
                    "short": indicator.short,
                    "text": indicator.text_for(2 if level == 2 else 1, assessment.unit_type),
                    "level": level,
                    "state": state_text(indicator, answer, assessment),
                    "description": answer.description if answer else None,
                    "strengths": answer.strengths if answer else None,
                    "weaknesses": answer.weaknesses if answer else None,
                    "evidence": [
                        {"code": evidence_code(criterion.id, indicator.id, n), "title": title}
                        for n, title in enumerate(answer.evidence if answer else (), start=1)
                    ],
                    "note": indicator.note if indicator.uncertain else None,
                }
            )
        criteria.append(
            {
                "id": criterion.id,
                "title": criterion.title,
                "level": evaluation.criteria[criterion.id].level,
                "counts": counts,
                "indicators": items,
            }
        )
    indicator_levels = [int(i["level"]) for c in criteria for i in c["indicators"]]
    criterion_levels = [c["level"] for c in criteria]
    targets = targets_above(evaluation.level)
    target = targets[-1] if targets else None
    return {
        "title": f"BÁO CÁO TỰ ĐÁNH GIÁ ĐƠN VỊ HỌC TẬP {tier.upper()} NĂM {assessment.year}",
        "unit": {
            "name": assessment.unit_name or "Đơn vị",
            # The superior body is printed only when known (Nghị định 30/2020: “nếu có”).
            "governing": governing_body or None,
            "province": assessment.province,
        },
        "place_date": (
            f"{assessment.province or '…'}, ngày {today.day:02d} tháng {today.month:02d} "
            f"năm {today.year}"
        ),
        "draft": unanswered > 0,
        "unanswered": unanswered,
        "criteria": criteria,
        "conclusion": {
            "indicators": {k: indicator_levels.count(int(k)) for k in "012"}
            | {"total": len(indicator_levels)},
            "indicators_pct": {
                k: format_pct(indicator_levels.count(int(k)), len(indicator_levels)) for k in "012"
            },
            "criteria": {k: criterion_levels.count(int(k)) for k in "012"},
            "criteria_pct": {
                k: format_pct(criterion_levels.count(int(k)), len(criterion_levels)) for k in "012"
            },
        },
        "level": evaluation.level,
        "level_sentence": LEVEL_SENTENCES[evaluation.level].format(
            tier=tier, year=assessment.year
        ),
        "missing": [
            {
                "indicator": m.indicator_id,
                "example": m.suggestions[0],
                "text": f"Chỉ tiêu {m.indicator_id}: ví dụ {m.suggestions[0]}",
            }
            for m in missing_evidence(rulebook, assessment)
        ],
        "gap_target": target,
        "gaps": [g.message for g in gaps(rulebook, assessment, evaluation, target)]
        if target
        else [],
        "warnings": list(evaluation.warnings),
    }
