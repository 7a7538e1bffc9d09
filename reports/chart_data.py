"""The chart's numbers: one bar per count indicator (2.1–2.5, 3.1) against its two bars.

The figures are those the engine rates (`dvht_core.evaluate`): the answered count over the
declared members total (and, for 3.1 at a tỉnh-tier school, the learners' count over the
learners total), each percentage printed by `format_pct` and each bar reached by `meets_pct`,
both on integers. Only the bar's drawn length is a float, in the typst template; no verdict is
read from it. Each row also carries the indicator's verdict as the report prints it
(`Evaluation.indicators[id].level`), which is lower than the figures when evidence is missing,
and says so.
"""

from __future__ import annotations

from typing import Any

from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import Evaluation, evaluate
from dvht_core.model import Indicator, Rulebook, Thresholds
from dvht_core.numbers import format_pct, meets_pct

COUNT_KINDS = frozenset({"member_ratio", "member_learner_ratio"})
CAPTION = "Biểu đồ: tỉ lệ thành viên đạt từng chỉ tiêu so với mức 1, mức 2"
MEMBERS = "Thành viên"
LEARNERS = "Người học"
REACHED = {0: "Chưa đạt mức 1", 1: "Đạt mức 1", 2: "Đạt mức 2"}
NO_EVIDENCE = "Chưa đạt: thiếu minh chứng"
NO_LEARNERS = "Chưa khai báo số người học đạt danh hiệu “Công dân học tập”"


def chart_data(
    rulebook: Rulebook, assessment: Assessment, evaluation: Evaluation | None = None
) -> dict[str, Any]:
    """Rows for every count indicator that applies to the unit and is answered with a count
    (none when the members total is not declared: the engine rates such an answer unanswered
    too). `rows` is empty when there is nothing to draw."""
    evaluation = evaluation or evaluate(rulebook, assessment)
    members = assessment.members or 0
    rows: list[dict[str, Any]] = []
    sources: list[str] = []
    for criterion, applicable in rulebook.plan(assessment.unit_type).criteria:
        drawn = len(rows)
        for indicator in applicable:
            answer = assessment.answers.get(indicator.id)
            if indicator.kind not in COUNT_KINDS or answer is None or answer.count is None:
                continue
            if members <= 0:
                continue
            rows.append(_row(indicator, answer, answer.count, assessment, evaluation))
        if len(rows) > drawn and criterion.source not in sources:
            sources.append(criterion.source)
    # The bars' legal source under the chart, as every rule the report states cites one.
    return {"caption": CAPTION, "rows": rows, "sources": sources}


def _row(
    indicator: Indicator,
    answer: Answer,
    count: int,
    assessment: Assessment,
    evaluation: Evaluation,
) -> dict[str, Any]:
    bars = [_bar(MEMBERS, count, assessment.members or 0, indicator.thresholds)]
    note: str | None = None
    if indicator.learners_apply(assessment.unit_type):
        assert indicator.learner_thresholds is not None  # the model validator guarantees it
        if answer.learners_count is not None and assessment.learners:
            bars.append(
                _bar(
                    LEARNERS,
                    answer.learners_count,
                    assessment.learners,
                    indicator.learner_thresholds,
                )
            )
        else:
            note = NO_LEARNERS
    result = evaluation.indicators[indicator.id]
    level = result.level or 0
    verdict = NO_EVIDENCE if result.status == "thieu_minh_chung" else REACHED[level]
    return {
        "id": indicator.id,
        "short": indicator.short,
        "level": level,
        "verdict": verdict,
        "note": note,
        "bars": bars,
    }


def _bar(who: str, count: int, total: int, thresholds: Thresholds) -> dict[str, Any]:
    level1, level2 = int(thresholds.level1), int(thresholds.level2)
    reached = 2 if meets_pct(count, total, level2) else 1 if meets_pct(count, total, level1) else 0
    pct = format_pct(count, total)
    return {
        "who": who,
        "count": count,
        "total": total,
        "pct": pct,
        # As the report and the chat write a count everywhere (“28/30 … (93,3%)”); no dash,
        # which the report keeps for nothing (an empty field is left out, never dashed).
        "figure": f"{count}/{total} ({pct})",
        "level1": level1,
        "level2": level2,
        "reached": reached,
        # The mark labels as the chart prints them (“Mức 1 90%”), kept here so the tests and
        # the template read the same words.
        "label1": f"Mức 1 {level1}%",
        "label2": f"Mức 2 {level2}%",
    }
