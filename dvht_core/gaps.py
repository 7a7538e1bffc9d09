"""What a unit still needs: the gap to a target level, missing evidence, and requirements.

This answers the users' most common question, “cần gì để đạt mức 2?”, from the rulebook
and, when the unit has answers, from its own figures.
"""

from __future__ import annotations

from typing import Literal

from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import Evaluation
from dvht_core.model import (
    DIGITAL_LEVELS,
    DIGITAL_RANK,
    EMULATION_RANK,
    EMULATION_TITLES,
    Criterion,
    Indicator,
    Level,
    Rulebook,
)
from dvht_core.numbers import format_pct, meets_pct, needed_for_pct
from dvht_core.record_type import Record

GapKind = Literal["chua_tra_loi", "thieu_minh_chung", "thieu_so_luong", "chua_dat"]


class Gap(Record):
    indicator_id: str
    kind: GapKind
    message: str
    shortfall: int | None = None
    """How many more members (or learners) must meet the indicator, for ratio shortfalls."""


class IndicatorGaps(Record):
    """One indicator below a target level with all its shortfalls, for lists that name each
    indicator once (the report's “Để đạt mức độ …” and the chat's result)."""

    indicator_id: str
    label: str
    needs: tuple[str, ...]
    text: str


class MissingEvidence(Record):
    indicator_id: str
    answered: bool
    suggestions: tuple[str, ...]


class Requirement(Record):
    indicator_id: str
    short: str
    text: str
    bar: str
    evidence: tuple[str, ...]
    note: str | None


def missing_evidence(rulebook: Rulebook, assessment: Assessment) -> tuple[MissingEvidence, ...]:
    """Applicable indicators that have no evidence yet, answered or not."""
    items = []
    for _, applicable in rulebook.plan(assessment.unit_type).criteria:
        for indicator in applicable:
            answer = assessment.answers.get(indicator.id)
            if answer is None or not answer.evidence:
                suggested = indicator.evidence_of(assessment.unit_type)
                items.append(MissingEvidence(indicator.id, answer is not None, suggested))
    return tuple(items)


def gaps(
    rulebook: Rulebook, assessment: Assessment, evaluation: Evaluation, target: Level
) -> tuple[Gap, ...]:
    """Every applicable indicator below `target`, with what exactly is missing."""
    found: list[Gap] = []
    for _, applicable in rulebook.plan(assessment.unit_type).criteria:
        for indicator in applicable:
            result = evaluation.indicators[indicator.id]
            if result.level is not None and result.level >= target:
                continue
            found.extend(
                _indicator_gaps(
                    indicator, assessment.answers.get(indicator.id), assessment, target
                )
            )
    return tuple(found)


def gaps_by_indicator(
    rulebook: Rulebook, assessment: Assessment, evaluation: Evaluation, target: Level
) -> tuple[IndicatorGaps, ...]:
    """`gaps` grouped per indicator, in rulebook order: “Chỉ tiêu 1.2 (…): đơn vị chưa đáp
    ứng; cần bổ sung minh chứng …” rather than one line per shortfall."""
    grouped: dict[str, list[Gap]] = {}
    for gap in gaps(rulebook, assessment, evaluation, target):
        grouped.setdefault(gap.indicator_id, []).append(gap)
    found = []
    for indicator_id, shortfalls in grouped.items():
        indicator = rulebook.indicator(indicator_id)
        assert indicator is not None  # gaps() walks the rulebook's own indicators
        label = f"Chỉ tiêu {indicator.id} ({indicator.short})"
        needs = tuple(g.message.removeprefix(f"{label}: ") for g in shortfalls)
        text = f"{label}: {'; '.join(n.removesuffix('.') for n in needs)}."
        found.append(IndicatorGaps(indicator_id, label, needs, text))
    return tuple(found)


class GapSection(Record):
    """The way to one level: its indicators, and how many of the section above (the way to
    level 1) it leaves out because their needs are the very same."""

    target: Level
    indicators: tuple[IndicatorGaps, ...]
    repeated: int = 0


def gaps_to_reach(
    rulebook: Rulebook, assessment: Assessment, evaluation: Evaluation, up_to: Level = 2
) -> tuple[GapSection, ...]:
    """“Để đạt mức độ 1” first for a unit below level 1, then “Để đạt mức độ 2” (up to
    `up_to`), each indicator once with all its shortfalls. An indicator whose level-2 needs
    are word for word its level-1 needs (“chưa trả lời; cần đáp ứng yêu cầu và có minh
    chứng”) is not listed again under level 2; the section counts it in `repeated`, so the
    reader is told that level 1's list holds for level 2 too."""
    sections = []
    listed: dict[str, tuple[str, ...]] = {}
    for target in targets_above(evaluation.level):
        if target > up_to:
            break
        found = gaps_by_indicator(rulebook, assessment, evaluation, target)
        fresh = tuple(g for g in found if listed.get(g.indicator_id) != g.needs)
        if found:
            sections.append(GapSection(target, fresh, len(found) - len(fresh)))
        listed.update((g.indicator_id, g.needs) for g in found)
    return tuple(sections)


def targets_above(level: int) -> tuple[Level, ...]:
    """The levels still to reach, nearest first: a unit at level 0 is shown the way to 1 and
    then to 2 (the report and the chat both list level 1's shortfalls first)."""
    if level == 0:
        return (1, 2)
    if level == 1:
        return (2,)
    return ()


def _indicator_gaps(
    indicator: Indicator, answer: Answer | None, assessment: Assessment, target: Level
) -> list[Gap]:
    label = f"Chỉ tiêu {indicator.id} ({indicator.short})"
    if answer is None or not _answered(indicator, answer):
        return [
            Gap(
                indicator.id,
                "chua_tra_loi",
                f"{label}: chưa trả lời; cần {_bar(indicator, target, assessment.unit_type)}.",
            )
        ]
    found: list[Gap] = []
    kind = indicator.kind
    if kind in ("yes_no", "accreditation") and not answer.met:
        found.append(
            Gap(
                indicator.id,
                "chua_dat",
                f"{label}: đơn vị chưa đáp ứng; "
                f"cần {_bar(indicator, target, assessment.unit_type)}.",
            )
        )
    elif kind in ("member_ratio", "member_learner_ratio"):
        found.extend(_ratio_gaps(indicator, answer, assessment, target, label))
    elif kind == "emulation_title":
        bar = str(indicator.thresholds.at(target))
        if answer.title is not None and EMULATION_RANK[answer.title] < EMULATION_RANK[bar]:
            found.append(
                Gap(
                    indicator.id,
                    "chua_dat",
                    f"{label}: cần danh hiệu từ “{EMULATION_TITLES[bar]}” trở lên; "
                    f"hiện “{EMULATION_TITLES[answer.title]}”.",
                )
            )
    elif kind == "digital_level":
        bar = str(indicator.thresholds.at(target))
        if answer.dt_level is not None and DIGITAL_RANK[answer.dt_level] < DIGITAL_RANK[bar]:
            found.append(
                Gap(
                    indicator.id,
                    "chua_dat",
                    f"{label}: cần “{DIGITAL_LEVELS[bar]}”; "
                    f"hiện “{DIGITAL_LEVELS[answer.dt_level]}”.",
                )
            )
    if not answer.evidence:
        found.append(
            Gap(
                indicator.id,
                "thieu_minh_chung",
                f"{label}: cần bổ sung minh chứng, ví dụ: {indicator.evidence[0]}.",
            )
        )
    return found


def _answered(indicator: Indicator, answer: Answer) -> bool:
    kind = indicator.kind
    if kind in ("yes_no", "accreditation"):
        return answer.met is not None
    if kind in ("member_ratio", "member_learner_ratio"):
        return answer.count is not None
    if kind == "emulation_title":
        return answer.title is not None
    return answer.dt_level is not None


def _ratio_gaps(
    indicator: Indicator, answer: Answer, assessment: Assessment, target: Level, label: str
) -> list[Gap]:
    found: list[Gap] = []
    members = assessment.members or 0
    pct = int(indicator.thresholds.at(target))
    if answer.count is not None and not meets_pct(answer.count, members, pct):
        found.append(
            _shortfall(
                indicator.id, label, f"thành viên {indicator.measure}", answer.count, members, pct
            )
        )
    if indicator.learners_apply(assessment.unit_type):
        bars = indicator.learner_thresholds
        assert bars is not None  # guaranteed by the model validator
        learner_pct = int(bars.at(target))
        learners = assessment.learners or 0
        if answer.learners_count is None or learners == 0:
            found.append(
                Gap(
                    indicator.id,
                    "chua_tra_loi",
                    f"{label}: chưa khai báo số người học; cần ≥ {learner_pct}% "
                    f"{indicator.learner_measure}.",
                )
            )
        elif not meets_pct(answer.learners_count, learners, learner_pct):
            found.append(
                _shortfall(
                    indicator.id,
                    label,
                    str(indicator.learner_measure),
                    answer.learners_count,
                    learners,
                    learner_pct,
                )
            )
    return found


def _shortfall(indicator_id: str, label: str, what: str, count: int, total: int, pct: int) -> Gap:
    needed = needed_for_pct(total, pct)
    more = needed - count
    return Gap(
        indicator_id,
        "thieu_so_luong",
        f"{label}: cần thêm {more} {what}: hiện {count}/{total} ({format_pct(count, total)}), "
        f"cần ≥ {needed}/{total} ({pct}%).",
        shortfall=more,
    )


def _bar(indicator: Indicator, level: Level, unit_type: str) -> str:
    """The level's bar in a few words, e.g. “≥ 95% thành viên …”."""
    kind = indicator.kind
    bar = indicator.thresholds.at(level)
    if kind in ("member_ratio", "member_learner_ratio"):
        text = f"≥ {bar}% thành viên {indicator.measure}"
        if indicator.learners_apply(unit_type) and indicator.learner_thresholds is not None:
            text += f" và ≥ {indicator.learner_thresholds.at(level)}% {indicator.learner_measure}"
        return text
    if kind == "emulation_title":
        return f"danh hiệu từ “{EMULATION_TITLES[str(bar)]}” trở lên"
    if kind == "digital_level":
        return f"mức độ chuyển đổi số “{DIGITAL_LEVELS[str(bar)]}” trở lên"
    if kind == "accreditation":
        return "đạt kiểm định chất lượng, có giấy chứng nhận"
    return "đáp ứng yêu cầu và có minh chứng"


def requirements(
    rulebook: Rulebook, unit_type: str, level: Level
) -> tuple[tuple[Criterion, tuple[Requirement, ...]], ...]:
    """What a unit of this type needs for `level`, grouped by criterion (no answers needed)."""
    grouped = []
    for criterion, applicable in rulebook.plan(unit_type).criteria:
        grouped.append(
            (
                criterion,
                tuple(
                    Requirement(
                        indicator_id=i.id,
                        short=i.short,
                        text=i.text_for(level, unit_type),
                        bar=_bar(i, level, unit_type),
                        evidence=i.evidence_of(unit_type),
                        note=i.uncertainty_for(unit_type),
                    )
                    for i in applicable
                ),
            )
        )
    return tuple(grouped)
