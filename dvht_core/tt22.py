"""The older TT22 rulebook (Thông tư 22/2020/TT-BGDĐT) as validated data, and its 100-point scorer.

TT22 graded a unit Tốt / Khá / Trung bình / Chưa đạt on 100 points; TT24 replaced it with
đạt / không đạt per indicator. The bot keeps TT22 for history, migration and FAQ, so this module
is separate from the TT24 model and engine. It does no I/O: the caller parses the YAML file
(`rulebooks/tt22-hanoi.yaml`) and passes the mapping in, which keeps the scorer pure and testable.

The annex this rulebook copies has gaps and oddities (see `quirks` in the YAML). They are
reproduced, never repaired: a user comparing with the paper annex must get the same number, and
a case the annex does not cover is flagged with a warning instead of being guessed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from dvht_core.errors import InputError, RulebookError
from dvht_core.numbers import format_pct
from dvht_core.text_hygiene import preview

TOTAL_POINTS = 100

_Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
_IndicatorId = Annotated[str, Field(pattern=r"^[1-9][0-9]*\.[1-9][0-9]*$")]
_Text = Annotated[str, Field(min_length=1)]
_Points = Annotated[StrictInt, Field(ge=0, le=TOTAL_POINTS)]
_Pct = Annotated[StrictInt, Field(ge=0, le=100)]


class Tt22RulebookError(RulebookError, ValueError):
    """The TT22 rulebook data does not validate (a developer error, caught by tests)."""


class Tt22InputError(InputError, ValueError):
    """An answer that cannot be scored; the message is one Vietnamese sentence for the user."""

    def __init__(self, indicator_id: str, message: str) -> None:
        super().__init__(f"answers.{indicator_id}" if indicator_id else "members", message)
        self.indicator_id = indicator_id


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


class ChoiceOption(_Frozen):
    """One line of a “Gợi ý cho điểm” list; `id` is permanent because answers are stored by it."""

    id: _Id
    label: _Text
    points: _Points


class RatioBand(_Frozen):
    """A share-of-members band: `min_pct` ≤ ratio < `max_pct` (≤ when `max_inclusive`)."""

    min_pct: _Pct
    max_pct: _Pct
    max_inclusive: StrictBool = False
    points: _Points
    label: _Text

    @model_validator(mode="after")
    def _check_bounds(self) -> RatioBand:
        # Only the top “Đạt …100%” band is closed above; every other band reads “dưới X%”.
        if self.max_inclusive and self.max_pct != 100:
            raise ValueError(f"band {self.label!r}: max_inclusive is only allowed at 100%")
        if self.min_pct > self.max_pct or (
            self.min_pct == self.max_pct and not self.max_inclusive
        ):
            raise ValueError(f"band {self.label!r}: empty range {self.min_pct}–{self.max_pct}%")
        return self

    def contains(self, count: int, members: int) -> bool:
        """Exact integer test of count/members against the band, so 75% is never 74.999…%."""
        scaled = count * 100
        if scaled < self.min_pct * members:
            return False
        limit = self.max_pct * members
        return scaled <= limit if self.max_inclusive else scaled < limit

    def overlaps(self, other: RatioBand) -> bool:
        low, high = sorted((self, other), key=lambda b: (b.min_pct, b.max_pct))
        if low.max_inclusive:
            return high.min_pct <= low.max_pct
        return high.min_pct < low.max_pct


class SubItem(_Frozen):
    """A lettered sub-item of 3.1, kept for display; the scorer does not add these up."""

    id: _Text
    text: _Text
    points: _Points


class _IndicatorBase(_Frozen):
    id: _IndicatorId
    text: _Text
    max_points: Annotated[StrictInt, Field(ge=1, le=TOTAL_POINTS)]
    evidence: Annotated[tuple[_Text, ...], Field(min_length=1)]
    evidence_note: _Text | None = None
    quirks: tuple[_Text, ...] = ()
    source: _Text


class ChoiceIndicator(_IndicatorBase):
    """An indicator scored by picking one described option (1.1, 1.2, 1.3, 3.2)."""

    kind: Literal["choice"]
    options: Annotated[tuple[ChoiceOption, ...], Field(min_length=2)]

    @model_validator(mode="after")
    def _check_options(self) -> ChoiceIndicator:
        if dup := _duplicates(o.id for o in self.options):
            raise ValueError(f"indicator {self.id}: duplicate option ids {dup}")
        _check_points(self.id, self.max_points, [o.points for o in self.options])
        return self

    def option(self, option_id: str) -> ChoiceOption | None:
        return next((o for o in self.options if o.id == option_id), None)


class RatioIndicator(_IndicatorBase):
    """An indicator scored by the share of members who meet it (2.1–2.4, 3.1, 3.3)."""

    kind: Literal["ratio"]
    ratio_of: _Text | None = None
    bands: Annotated[tuple[RatioBand, ...], Field(min_length=2)]
    sub_items: tuple[SubItem, ...] = ()

    @model_validator(mode="after")
    def _check_bands(self) -> RatioIndicator:
        _check_points(self.id, self.max_points, [b.points for b in self.bands])
        ordered = sorted(self.bands, key=lambda b: (b.min_pct, b.max_pct))
        for low, high in pairwise(ordered):
            if low.overlaps(high):
                raise ValueError(
                    f"indicator {self.id}: bands {low.label!r} and {high.label!r} overlap"
                )
            # A higher share must never earn fewer points, or raising a count could lower a score.
            if high.points < low.points:
                raise ValueError(
                    f"indicator {self.id}: band {high.label!r} pays less than a lower one"
                )
        if ordered[0].min_pct != 0:
            raise ValueError(f"indicator {self.id}: no band starts at 0%")
        if not (ordered[-1].max_pct == 100 and ordered[-1].max_inclusive):
            raise ValueError(f"indicator {self.id}: no band includes 100%")
        if self.sub_items:
            if dup := _duplicates(s.id for s in self.sub_items):
                raise ValueError(f"indicator {self.id}: duplicate sub-item ids {dup}")
            if sum(s.points for s in self.sub_items) != self.max_points:
                raise ValueError(f"indicator {self.id}: sub-item points do not sum to max_points")
        return self

    def band_for(self, count: int, members: int) -> RatioBand | None:
        """The band holding count/members, or None inside a gap the annex left unscored."""
        return next((b for b in self.bands if b.contains(count, members)), None)

    def gap_around(self, count: int, members: int) -> tuple[int, int]:
        """Bounds (in %) of the unscored gap holding count/members (when band_for is None)."""
        scaled = count * 100
        below = [b.max_pct for b in self.bands if b.max_pct * members <= scaled]
        above = [b.min_pct for b in self.bands if b.min_pct * members > scaled]
        return max(below, default=0), min(above, default=100)


def _check_points(indicator_id: str, max_points: int, points: list[int]) -> None:
    if any(p > max_points for p in points):
        raise ValueError(f"indicator {indicator_id}: a score exceeds max_points {max_points}")
    if max(points) != max_points:
        raise ValueError(f"indicator {indicator_id}: no option or band reaches max_points")


Indicator = Annotated[ChoiceIndicator | RatioIndicator, Field(discriminator="kind")]


class Criterion(_Frozen):
    id: Annotated[str, Field(pattern=r"^[1-9][0-9]*$")]
    title: _Text
    max_points: Annotated[StrictInt, Field(ge=1, le=TOTAL_POINTS)]
    source: _Text
    indicators: Annotated[tuple[Indicator, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _check_indicators(self) -> Criterion:
        for indicator in self.indicators:
            if not indicator.id.startswith(f"{self.id}."):
                raise ValueError(
                    f"criterion {self.id}: indicator {indicator.id} belongs elsewhere"
                )
        total = sum(i.max_points for i in self.indicators)
        if total != self.max_points:
            raise ValueError(
                f"criterion {self.id}: indicator maxima sum to {total}, not {self.max_points}"
            )
        return self


class Grade(_Frozen):
    """A classification on total points, same bound convention as `RatioBand`."""

    id: _Id
    name: _Text
    min_points: _Points
    max_points: _Points
    max_inclusive: StrictBool = False
    text: _Text
    source: _Text

    def contains(self, total: int) -> bool:
        if total < self.min_points:
            return False
        return total <= self.max_points if self.max_inclusive else total < self.max_points


class SupersededBy(_Frozen):
    rulebook: _Text
    from_assessment_year: StrictInt
    certainty: Literal["confirmed", "highly_probable"]
    note: _Text
    source: _Text


class EvidenceRequired(_Frozen):
    text: _Text
    source: _Text


class Tt22Rulebook(_Frozen):
    """The whole TT22 rubric; validation proves it adds up to 100 and every total has a grade."""

    id: _Text
    version: _Text
    title: _Text
    legal_source: _Text
    effective_date: dt.date
    scheme: Literal["points"]
    max_points: Literal[100]
    superseded_by: SupersededBy | None = None
    evidence_required: EvidenceRequired
    grades: Annotated[tuple[Grade, ...], Field(min_length=2)]
    notes: tuple[_Text, ...] = ()
    criteria: Annotated[tuple[Criterion, ...], Field(min_length=1)]

    _by_id: dict[str, ChoiceIndicator | RatioIndicator] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_rulebook(self) -> Tt22Rulebook:
        if dup := _duplicates(c.id for c in self.criteria):
            raise ValueError(f"duplicate criterion ids {dup}")
        all_indicators = [i for c in self.criteria for i in c.indicators]
        if dup := _duplicates(i.id for i in all_indicators):
            raise ValueError(f"duplicate indicator ids {dup}")
        total = sum(c.max_points for c in self.criteria)
        if total != self.max_points:
            raise ValueError(f"criterion maxima sum to {total}, not {self.max_points}")
        self._check_grades()
        self._by_id.update((i.id, i) for i in all_indicators)
        return self

    def _check_grades(self) -> None:
        # Grades are listed best first and must tile 0…max_points with no gap and no overlap,
        # so every possible total maps to exactly one grade.
        if dup := _duplicates(g.id for g in self.grades):
            raise ValueError(f"duplicate grade ids {dup}")
        top, bottom = self.grades[0], self.grades[-1]
        if not (top.max_points == self.max_points and top.max_inclusive):
            raise ValueError(f"the first grade must end at {self.max_points} inclusive")
        if bottom.min_points != 0:
            raise ValueError("the last grade must start at 0")
        for higher, lower in pairwise(self.grades):
            if lower.max_inclusive or lower.max_points != higher.min_points:
                raise ValueError(
                    f"grades {higher.id} and {lower.id} are not ordered and contiguous"
                )
        for grade in self.grades:
            if grade.min_points >= grade.max_points:
                raise ValueError(f"grade {grade.id}: empty range")

    @property
    def indicators(self) -> Mapping[str, ChoiceIndicator | RatioIndicator]:
        """Every indicator by id, in rulebook order."""
        return self._by_id

    def grade_for(self, total: int) -> Grade:
        for grade in self.grades:
            if grade.contains(total):
                return grade
        raise ValueError(f"total {total} is outside 0–{self.max_points}")


def load_tt22_rulebook(data: Mapping[str, Any]) -> Tt22Rulebook:
    """Validate a parsed `tt22-hanoi.yaml`; errors list every failing location on one line."""
    if not isinstance(data, Mapping):
        raise Tt22RulebookError(f"TT22 rulebook must be a mapping, got {type(data).__name__}")
    try:
        return Tt22Rulebook.model_validate(dict(data))
    except ValidationError as exc:
        name = data.get("id", "tt22 rulebook")
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise Tt22RulebookError(f"{name}: {problems}") from exc


@dataclass(frozen=True, slots=True)
class Tt22Answer:
    """A unit's answer to one indicator: `choice` for choice indicators, `count` for ratios."""

    indicator_id: str
    choice: str | None = None
    count: int | None = None
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tt22IndicatorScore:
    indicator_id: str
    points: int
    max_points: int
    reason: str


@dataclass(frozen=True, slots=True)
class Tt22Result:
    total: int
    grade: str
    grade_name: str
    criteria: dict[str, int]
    indicators: dict[str, Tt22IndicatorScore]
    warnings: tuple[str, ...]


def score_tt22(
    rulebook: Tt22Rulebook, answers: Mapping[str, Tt22Answer], *, members: int
) -> Tt22Result:
    """Score every indicator of `rulebook` and grade the total; pure and deterministic.

    `members` is the unit's member count, the denominator of every ratio indicator (the legal
    definition of “thành viên” is unsettled, so the caller decides it). Invalid answers raise
    `Tt22InputError` (a ValueError) with a Vietnamese sentence naming the indicator.
    """
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise Tt22InputError(
            "", f"Tổng số thành viên phải là số nguyên dương (nhận được {members!r})."
        )
    for key, answer in answers.items():
        if answer.indicator_id != key:
            raise Tt22InputError(
                key,
                f"Câu trả lời lưu ở chỉ tiêu {preview(key)} lại ghi chỉ tiêu "
                f"{preview(answer.indicator_id)}.",
            )
        if key not in rulebook.indicators:
            raise Tt22InputError(key, f"Bộ tiêu chí Thông tư 22 không có chỉ tiêu {preview(key)}.")

    scores: dict[str, Tt22IndicatorScore] = {}
    criteria: dict[str, int] = {}
    warnings: list[str] = []
    for criterion in rulebook.criteria:
        for indicator in criterion.indicators:
            score, warning = _score_indicator(indicator, answers.get(indicator.id), members)
            scores[indicator.id] = score
            if warning:
                warnings.append(warning)
        criteria[criterion.id] = sum(scores[i.id].points for i in criterion.indicators)

    total = sum(criteria.values())
    grade = rulebook.grade_for(total)
    return Tt22Result(
        total=total,
        grade=grade.id,
        grade_name=grade.name,
        criteria=criteria,
        indicators=scores,
        warnings=tuple(warnings),
    )


def _score_indicator(
    indicator: ChoiceIndicator | RatioIndicator, answer: Tt22Answer | None, members: int
) -> tuple[Tt22IndicatorScore, str | None]:
    """Points, reason and optional warning for one indicator; raises on invalid answers."""
    iid, top = indicator.id, indicator.max_points
    if answer is None or (answer.choice is None and answer.count is None):
        points, reason, warning = 0, f"Chỉ tiêu {iid} chưa trả lời nên được 0/{top} điểm.", None
    else:
        # Scored (and so validated) before the evidence check: bad data is reported even then.
        if isinstance(indicator, ChoiceIndicator):
            points, reason, warning = _score_choice(indicator, answer)
        else:
            points, reason, warning = _score_ratio(indicator, answer, members)
        if not any(item.strip() for item in answer.evidence):
            # Seed 001 mục IV.1: “Việc đánh giá phải căn cứ vào … có minh chứng cụ thể.”
            points, warning = 0, None
            reason = (
                f"Chỉ tiêu {iid} không có minh chứng nên được 0/{top} điểm, "
                "vì Phụ lục yêu cầu đánh giá phải có minh chứng cụ thể."
            )
    score = Tt22IndicatorScore(indicator_id=iid, points=points, max_points=top, reason=reason)
    return score, warning


def _score_choice(indicator: ChoiceIndicator, answer: Tt22Answer) -> tuple[int, str, None]:
    iid, top = indicator.id, indicator.max_points
    if answer.count is not None or answer.choice is None:
        raise Tt22InputError(iid, f"Chỉ tiêu {iid} chấm theo phương án, không theo số thành viên.")
    option = indicator.option(answer.choice)
    if option is None:
        raise Tt22InputError(iid, f"Chỉ tiêu {iid} không có phương án “{preview(answer.choice)}”.")
    reason = f"Chỉ tiêu {iid}: đơn vị chọn “{option.label}”, được {option.points}/{top} điểm."
    return option.points, reason, None


def _score_ratio(
    indicator: RatioIndicator, answer: Tt22Answer, members: int
) -> tuple[int, str, str | None]:
    iid, top, count = indicator.id, indicator.max_points, answer.count
    if answer.choice is not None or count is None:
        raise Tt22InputError(iid, f"Chỉ tiêu {iid} chấm theo số thành viên, không theo phương án.")
    if isinstance(count, bool) or not isinstance(count, int):
        raise Tt22InputError(iid, f"Chỉ tiêu {iid}: số thành viên phải là số nguyên.")
    if count < 0:
        raise Tt22InputError(iid, f"Chỉ tiêu {iid}: số thành viên không được âm ({count}).")
    if count > members:
        raise Tt22InputError(
            iid,
            f"Chỉ tiêu {iid}: số thành viên đạt ({count}) lớn hơn tổng số thành viên ({members}).",
        )
    pct = format_pct(count, members)
    band = indicator.band_for(count, members)
    if band is None:
        low, high = indicator.gap_around(count, members)
        reason = (
            f"Chỉ tiêu {iid}: {count}/{members} thành viên, tỷ lệ {pct} nằm trong khoảng "
            f"{low}–{high}% mà Phụ lục không quy định điểm, nên tạm được 0/{top} điểm."
        )
        warning = (
            f"Chỉ tiêu {iid}: tỷ lệ {pct} nằm trong khoảng {low}–{high}% mà Phụ lục không quy "
            "định điểm; tạm tính 0 điểm, cần hỏi cơ quan tiếp nhận hồ sơ cách chấm."
        )
        return 0, reason, warning
    reason = (
        f"Chỉ tiêu {iid}: {count}/{members} thành viên, tỷ lệ {pct}, thuộc mức “{band.label}”, "
        f"được {band.points}/{top} điểm."
    )
    return band.points, reason, None


def parse_tt22_answers(data: Mapping[str, Any]) -> tuple[dict[str, Tt22Answer], int]:
    """Read `members` and `answers` of a TT22 evaluate file; raise Tt22InputError on bad shape."""
    members = data.get("members")
    if isinstance(members, bool) or not isinstance(members, int) or members < 1:
        raise Tt22InputError("", "tổng số thành viên phải là số nguyên dương.")
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise Tt22InputError(
            "", 'answers phải là bảng theo mã chỉ tiêu, ví dụ "2.1": {count: 28}.'
        )
    answers: dict[str, Tt22Answer] = {}
    for key, raw in raw_answers.items():
        indicator_id = str(key)
        if not isinstance(raw, Mapping):
            raise Tt22InputError(
                indicator_id, "câu trả lời phải có dạng {choice: …} hoặc {count: …}."
            )
        evidence = raw.get("evidence") or []
        if isinstance(evidence, str):
            evidence = [evidence]
        if not isinstance(evidence, list):
            raise Tt22InputError(indicator_id, "evidence phải là danh sách minh chứng.")
        choice = raw.get("choice")
        if choice is not None and not isinstance(choice, str):
            raise Tt22InputError(indicator_id, "choice phải là mã phương án.")
        answers[indicator_id] = Tt22Answer(
            indicator_id=indicator_id,
            choice=choice,
            count=raw.get("count"),
            evidence=tuple(str(item) for item in evidence if str(item).strip()),
        )
    return answers, members


def tt22_document(rulebook: Tt22Rulebook, result: Tt22Result) -> dict[str, Any]:
    """The TT22 score as plain data (`dvht evaluate --json` on a `ruleset: tt22-hanoi` file)."""
    return {
        "ruleset": {
            "id": rulebook.id,
            "version": rulebook.version,
            "legal_source": rulebook.legal_source,
        },
        "total": result.total,
        "grade": result.grade,
        "grade_name": result.grade_name,
        "criteria": dict(result.criteria),
        "indicators": {
            iid: {"points": s.points, "max_points": s.max_points, "reason": s.reason}
            for iid, s in result.indicators.items()
        },
        "warnings": list(result.warnings),
    }
