"""The self-assessment report as plain data: one builder for the PDF, the DOCX and the XLSX,
so the three files always say the same thing.

Only what belongs in a document that is signed and submitted goes in: the rulebook's
uncertainty notes stay in the chat and `dvht rules` (item 5 of issue 12), empty strengths and
weaknesses are left out rather than printed as a dash, and the frame (heading, place and
date, closing) follows Nghị định 30/2020/NĐ-CP through `reports.heading`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dvht_core import vietnam_time
from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import Evaluation, evaluate
from dvht_core.gaps import gaps_to_reach, missing_evidence
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, TIER_NAMES, Indicator, Rulebook
from dvht_core.numbers import format_pct
from reports import heading
from reports.chart_data import chart_data
from reports.file_names import STEMS, report_file_name

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


def _text_or_none(value: str | None) -> str | None:
    """A free text as the report prints it, or None when there is nothing to print."""
    return value if value is not None and value.strip() else None


def gap_sections(
    rulebook: Rulebook, assessment: Assessment, evaluation: Evaluation
) -> list[dict[str, Any]]:
    """“Để đạt mức độ 1” first when the unit is not yet level 1, then “Để đạt mức độ 2”; in
    each, every indicator below the target once, with all its shortfalls; level 2 does not
    repeat what level 1's list already says word for word (`dvht_core.gaps.gaps_to_reach`)."""
    return [
        {
            "target": section.target,
            "lead": _gap_lead(section.repeated, bool(section.indicators)),
            "indicators": [
                {"id": g.indicator_id, "label": g.label, "needs": list(g.needs), "text": g.text}
                for g in section.indicators
            ],
        }
        for section in gaps_to_reach(rulebook, assessment, evaluation)
    ]


def _gap_lead(repeated: int, more: bool) -> str | None:
    """The line under “Để đạt mức độ 2:” when level 1's list holds for it too."""
    if not repeated:
        return None
    if more:
        return f"Hoàn thành {repeated} chỉ tiêu nêu ở mục trên, và:"
    return f"Hoàn thành {repeated} chỉ tiêu nêu ở mục trên."


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
    name = assessment.unit_name or "Đơn vị"
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
                    "description": _text_or_none(answer.description) if answer else None,
                    "strengths": _text_or_none(answer.strengths) if answer else None,
                    "weaknesses": _text_or_none(answer.weaknesses) if answer else None,
                    "evidence": [
                        {"code": evidence_code(criterion.id, indicator.id, n), "title": title}
                        for n, title in enumerate(answer.evidence if answer else (), start=1)
                    ],
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
    sections = gap_sections(rulebook, assessment, evaluation)
    return {
        "title": f"BÁO CÁO TỰ ĐÁNH GIÁ ĐƠN VỊ HỌC TẬP {tier.upper()} NĂM {assessment.year}",
        "doc_type": "BÁO CÁO",
        "subject": f"Tự đánh giá “Đơn vị học tập” {tier} năm {assessment.year}",
        "unit": {
            "name": name,
            # The superior body is printed only when known (Nghị định 30/2020: “nếu có”).
            "governing": governing_body or None,
            "province": assessment.province,
            "unit_type": assessment.unit_type,
        },
        "heading": {
            "governing": heading.governing_lines(governing_body),
            "issuer": heading.heading_lines(name),
            "number": heading.number_line(name, assessment.unit_type),
        },
        "place_date": heading.place_date(
            name, assessment.unit_type, assessment.province, today, governing_body
        ),
        "situation": _situation(name, tier, assessment),
        "purpose": (
            f"Xác định mức đáp ứng các tiêu chí, chỉ tiêu “Đơn vị học tập” {tier} theo "
            "Thông tư số 24/2023/TT-BGDĐT của Bộ Giáo dục và Đào tạo; làm căn cứ để lập kế "
            "hoạch duy trì, nâng cao các hoạt động học tập của đơn vị và đề nghị công nhận."
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
        "gap_sections": sections,
        # Part C's figure: each count indicator's share against its two bars (issue 16).
        "chart": chart_data(rulebook, assessment, evaluation),
        # The evaluation's warnings (answers ignored for this unit type, the upgrade wait read
        # against the deadline) are notes for whoever fills the dossier: the chat and
        # `dvht evaluate` show them; the document that is signed and sent does not.
        "signatures": {
            "team": [heading.TEAM_LEADER],
            "team_hint": heading.SIGN_HINT,
            "head": list(heading.head_signature(name, assessment.unit_type)),
            "head_hint": heading.SIGN_AND_STAMP_HINT,
        },
        "receivers": list(heading.receivers()),
        "files": {
            fmt: report_file_name(fmt, assessment.unit_name, assessment.year, today)
            for fmt in STEMS
        },
    }


def _situation(name: str, tier: str, assessment: Assessment) -> str:
    """Part A.1 from what the unit declared: who it is and how many members it counts."""
    where = f" ({assessment.province})" if assessment.province else ""
    text = f"{name}{where} tự đánh giá “Đơn vị học tập” {tier} năm {assessment.year}"
    if assessment.members:
        text += f"; tổng số thành viên trong đơn vị: {assessment.members} người"
    if assessment.learners:
        text += f"; tổng số người học: {assessment.learners} người"
    return (
        f"{text}. Thông tin, số liệu tính từ ngày 01 tháng 01 đến ngày 31 tháng 12 "
        f"năm {assessment.year}."
    )
