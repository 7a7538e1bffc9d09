"""Rulebook models: TT24 criteria and indicators as validated, immutable data.

Pydantic validates each rulebook once, at load; the evaluation engine then only reads
attributes, so it stays fast. Ordered vocabularies (emulation titles, digital levels) live here
because both the rulebooks and the answers refer to them by code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

Tier = Literal["huyen", "tinh"]
Kind = Literal[
    "yes_no",
    "member_ratio",
    "member_learner_ratio",
    "emulation_title",
    "digital_level",
    "accreditation",
]
Level = Literal[1, 2]
ALL = "all"

TIER_NAMES: dict[str, str] = {"huyen": "cấp huyện", "tinh": "cấp tỉnh"}

# Collective emulation titles, lowest first. Luật Thi đua, khen thưởng số 06/2022/QH15 lists the
# titles for collectives (Điều 24 khoản 2) and sets their standards (Điều 25–28): a unit must first
# be “Tập thể lao động tiên tiến” to become “Tập thể lao động xuất sắc”, which in turn is a
# condition for a Cờ thi đua. “Đơn vị tiên tiến” / “Đơn vị quyết thắng” are the armed forces'
# names for the same two ranks.
EMULATION_TITLES: dict[str, str] = {
    "khong_co": "Chưa có danh hiệu thi đua tập thể",
    "tap_the_lao_dong_tien_tien": "Tập thể lao động tiên tiến",
    "tap_the_lao_dong_xuat_sac": "Tập thể lao động xuất sắc",
    "co_thi_dua_bo_nganh_tinh": "Cờ thi đua cấp bộ, ban, ngành, tỉnh",
    "co_thi_dua_chinh_phu": "Cờ thi đua của Chính phủ",
}
EMULATION_RANK: dict[str, int] = {code: rank for rank, code in enumerate(EMULATION_TITLES)}

# Digital-transformation levels of QĐ 4725/QĐ-BGDĐT (and, by assumption, QĐ 4740), lowest first.
# Shown by name: 4725 numbers them “mức độ 1–3”, which must not be confused with ĐVHT levels.
DIGITAL_LEVELS: dict[str, str] = {
    "chua_dap_ung": "mức chưa đáp ứng",
    "co_ban": "mức đáp ứng cơ bản",
    "tot": "mức đáp ứng tốt",
}
DIGITAL_RANK: dict[str, int] = {code: rank for rank, code in enumerate(DIGITAL_LEVELS)}

_INDICATOR_ID = re.compile(r"^[1-9][0-9]*\.[1-9][0-9]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitType(_Frozen):
    """A kind of unit; it decides the tier and which type-specific indicators apply."""

    id: str
    name: str
    plain: str
    tiers: tuple[Tier, ...] = Field(min_length=1)
    public: bool
    educational: bool
    source: str
    uncertain: bool = False
    note: str | None = None


class UnitTypeCatalogue(_Frozen):
    id: str
    version: str
    source: str
    unit_types: tuple[UnitType, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> UnitTypeCatalogue:
        ids = [u.id for u in self.unit_types]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate unit type ids: {', '.join(duplicates)}")
        return self

    def get(self, unit_type: str) -> UnitType | None:
        for candidate in self.unit_types:
            if candidate.id == unit_type:
                return candidate
        return None

    def for_tier(self, tier: str) -> tuple[UnitType, ...]:
        return tuple(u for u in self.unit_types if tier in u.tiers)


class LevelText(_Frozen):
    level1: str = Field(min_length=1)
    level2: str = Field(min_length=1)

    def at(self, level: Level) -> str:
        return self.level1 if level == 1 else self.level2


class Thresholds(_Frozen):
    """The bar at each level; its type depends on the indicator kind."""

    level1: bool | int | str
    level2: bool | int | str

    def at(self, level: Level) -> bool | int | str:
        return self.level1 if level == 1 else self.level2


class ExtraText(_Frozen):
    """A sentence of an indicator that binds only some unit types (1.2 for public preschools)."""

    applies_to: tuple[str, ...] = Field(min_length=1)
    text: str


def _check_codes(codes: tuple[str, ...], known: set[str] | None, where: str) -> None:
    if known is None:
        return
    unknown = [c for c in codes if c != ALL and c not in known]
    if unknown:
        raise ValueError(f"{where}: unknown unit type code(s) {', '.join(unknown)}")


def _known_codes(info: ValidationInfo) -> set[str] | None:
    context = info.context
    if isinstance(context, dict) and "unit_types" in context:
        return set(context["unit_types"])
    return None


class Indicator(_Frozen):
    """One chỉ tiêu: its text at each level, its kind, its bars and where it applies."""

    id: str
    short: str
    kind: Kind
    text: LevelText
    thresholds: Thresholds
    applies_to: tuple[str, ...] = Field(min_length=1)
    evidence: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    wording: Literal["verbatim", "reconstructed", "english_only"]
    measure: str | None = None
    learner_measure: str | None = None
    learner_thresholds: Thresholds | None = None
    learners_apply_to: tuple[str, ...] = ()
    extra_text: ExtraText | None = None
    uncertain: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Indicator:
        if not _INDICATOR_ID.match(self.id):
            raise ValueError(f"indicator id {self.id!r} is not of the form '2.4'")
        _check_thresholds(self.kind, self.thresholds, self.id)
        if self.kind in ("member_ratio", "member_learner_ratio") and not self.measure:
            raise ValueError(f"{self.id}: a ratio indicator needs `measure`")
        if self.kind == "member_learner_ratio":
            if self.learner_thresholds is None or not self.learners_apply_to:
                raise ValueError(f"{self.id}: needs learner_thresholds and learners_apply_to")
            if not self.learner_measure:
                raise ValueError(f"{self.id}: needs learner_measure")
            _check_thresholds("member_ratio", self.learner_thresholds, self.id)
        elif self.learner_thresholds is not None or self.learners_apply_to:
            raise ValueError(f"{self.id}: learner fields belong to member_learner_ratio only")
        if self.uncertain and not self.note:
            raise ValueError(f"{self.id}: an uncertain indicator must say why in `note`")
        known = _known_codes(info)
        _check_codes(self.applies_to, known, f"{self.id}.applies_to")
        _check_codes(self.learners_apply_to, known, f"{self.id}.learners_apply_to")
        if self.extra_text is not None:
            _check_codes(self.extra_text.applies_to, known, f"{self.id}.extra_text")
        return self

    def applies(self, unit_type: str) -> bool:
        return ALL in self.applies_to or unit_type in self.applies_to

    def learners_apply(self, unit_type: str) -> bool:
        return self.kind == "member_learner_ratio" and unit_type in self.learners_apply_to

    def text_for(self, level: Level, unit_type: str) -> str:
        """The indicator's wording at a level, with any sentence that binds this unit type."""
        text = self.text.at(level)
        if self.extra_text is not None and unit_type in self.extra_text.applies_to:
            text = f"{text} {self.extra_text.text}"
        return text


def _check_thresholds(kind: str, thresholds: Thresholds, where: str) -> None:
    low, high = thresholds.level1, thresholds.level2
    if kind in ("yes_no", "accreditation"):
        if low is not True or high is not True:
            raise ValueError(f"{where}: yes/no bars must be `true` at both levels")
    elif kind in ("member_ratio", "member_learner_ratio"):
        if isinstance(low, bool) or isinstance(high, bool):
            raise ValueError(f"{where}: ratio bars must be whole percentages")
        if not (isinstance(low, int) and isinstance(high, int) and 0 < low <= high <= 100):
            raise ValueError(f"{where}: ratio bars must satisfy 0 < level1 <= level2 <= 100")
    elif kind == "emulation_title":
        _check_ordered(low, high, EMULATION_RANK, where)
    elif kind == "digital_level":
        _check_ordered(low, high, DIGITAL_RANK, where)


def _check_ordered(low: object, high: object, rank: dict[str, int], where: str) -> None:
    if not (isinstance(low, str) and isinstance(high, str) and low in rank and high in rank):
        raise ValueError(f"{where}: bars must be among {', '.join(rank)}")
    if rank[low] > rank[high]:
        raise ValueError(f"{where}: the level-2 bar is below the level-1 bar")


class Criterion(_Frozen):
    id: str
    title: str
    source: str
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Submission(_Frozen):
    """Where and by when the dossier goes (TT24 Điều 10 / Điều 16)."""

    deadline: str = Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    office: str
    source: str

    def deadline_for(self, year: int) -> dt.date:
        """The dossier deadline for assessment year `year`: the next year, “trước ngày …”."""
        month, day = (int(part) for part in self.deadline.split("-"))
        return dt.date(year + 1, month, day)


class Plan:
    """The criteria and indicators that apply to one unit type, computed once per rulebook."""

    __slots__ = ("criteria", "indicator_ids", "not_applicable", "uncertain_notes")

    def __init__(self, criteria: tuple[tuple[Criterion, tuple[Indicator, ...]], ...]) -> None:
        self.criteria = criteria
        self.indicator_ids = frozenset(i.id for _, inds in criteria for i in inds)
        self.not_applicable = tuple(
            i.id for c, _ in criteria for i in c.indicators if i.id not in self.indicator_ids
        )
        self.uncertain_notes = tuple(
            f"Chỉ tiêu {i.id}: {i.note}" for _, inds in criteria for i in inds if i.uncertain
        )


class Rulebook(_Frozen):
    """A versioned set of criteria for one tier, e.g. TT24 cấp huyện."""

    id: str
    version: str
    title: str
    legal_source: str
    effective_date: dt.date
    tier: Tier
    scheme: Literal["levels"]
    submission: Submission
    upgrade_wait_months: int = Field(ge=0)
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    _plans: dict[str, Plan] = PrivateAttr(default_factory=dict)
    _by_id: dict[str, Indicator] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Rulebook:
        seen: set[str] = set()
        for criterion in self.criteria:
            if criterion.id in seen:
                raise ValueError(f"duplicate criterion id {criterion.id}")
            seen.add(criterion.id)
            for indicator in criterion.indicators:
                if indicator.id in seen:
                    raise ValueError(f"duplicate indicator id {indicator.id}")
                if indicator.id.split(".")[0] != criterion.id:
                    raise ValueError(f"indicator {indicator.id} is filed under {criterion.id}")
                seen.add(indicator.id)
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._by_id.update({i.id: i for c in self.criteria for i in c.indicators})

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(self._by_id.values())

    def plan(self, unit_type: str) -> Plan:
        """Applicable criteria/indicators for a unit type, cached (evaluation is hot)."""
        plan = self._plans.get(unit_type)
        if plan is None:
            plan = Plan(
                tuple(
                    (c, tuple(i for i in c.indicators if i.applies(unit_type)))
                    for c in self.criteria
                )
            )
            self._plans[unit_type] = plan
        return plan
