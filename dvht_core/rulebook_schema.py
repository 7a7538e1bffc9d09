"""The rules a rulebook file must follow, checked with pydantic; the result is plain data.

Used when a rulebook is compiled (`python -m dvht_core.compile`) and whenever a YAML file is
newer than its compiled form, never on the start of a run whose compiled forms are current:
importing pydantic and building these classes costs about 77 ms (issue 10). The classes keep
the runtime model's names (`Rulebook`, `Indicator`…) so that a rejected file is reported in the
same words as before the split (“1 validation error for Rulebook …”).

`validated_rulebook` and `validated_unit_types` return what the model validated, as JSON data
(`model_dump(mode="json")`): the compiled form is exactly that, and `compiled.py` builds the
runtime dataclasses from it, so a compiled and a freshly validated rulebook cannot differ.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from dvht_core.model import ALL, DIGITAL_RANK, EMULATION_RANK, Kind, Tier

_INDICATOR_ID = re.compile(r"^[1-9][0-9]*\.[1-9][0-9]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitType(_Frozen):
    id: str
    name: str
    plain: str
    tiers: tuple[Tier, ...] = Field(min_length=1)
    public: bool
    educational: bool
    source: str
    basis: str = Field(min_length=1)
    uncertain: bool = False
    note: str | None = None


class UnitTypeCatalogue(_Frozen):
    id: str
    version: str
    source: str
    basis: str = Field(min_length=1)
    unit_types: tuple[UnitType, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> UnitTypeCatalogue:
        ids = [u.id for u in self.unit_types]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate unit type ids: {', '.join(duplicates)}")
        return self


class LevelText(_Frozen):
    level1: str = Field(min_length=1)
    level2: str = Field(min_length=1)


class Thresholds(_Frozen):
    level1: bool | int | str
    level2: bool | int | str


class ExtraText(_Frozen):
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
    id: str
    short: str
    kind: Kind
    text: LevelText
    thresholds: Thresholds
    applies_to: tuple[str, ...] = Field(min_length=1)
    evidence: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    wording: Literal["verbatim", "reconstructed", "english_only"]
    measure: str | None = None
    learner_measure: str | None = None
    learner_thresholds: Thresholds | None = None
    learners_apply_to: tuple[str, ...] = ()
    extra_text: ExtraText | None = None
    evidence_for: tuple[ExtraText, ...] = ()
    uncertain: bool = False
    note: str | None = None
    note_for: tuple[str, ...] = Field(default=(ALL,), min_length=1)

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
        _check_codes(self.note_for, known, f"{self.id}.note_for")
        _check_legal_form(self.source, self.id)
        if self.extra_text is not None:
            _check_codes(self.extra_text.applies_to, known, f"{self.id}.extra_text")
        for item in self.evidence_for:
            _check_codes(item.applies_to, known, f"{self.id}.evidence_for")
        return self


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
    basis: str = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        _check_legal_form(self.source, f"criterion {self.id}")
        return self


_MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class CalendarEntry(_Frozen):
    date: str = Field(pattern=_MONTH_DAY)
    text: str = Field(min_length=1)
    applies_to: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    basis: str = Field(min_length=1)


class Submission(_Frozen):
    deadline: str = Field(pattern=_MONTH_DAY)
    office: str = Field(min_length=1)
    source: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    completion: str | None = Field(default=None, pattern=_MONTH_DAY)
    office_before_reform: str = Field(min_length=1)
    reform_date: dt.date
    office_hints: tuple[ExtraText, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Submission:
        _check_legal_form(self.source, "submission")
        return self


class Rulebook(_Frozen):
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
    calendar: tuple[CalendarEntry, ...] = ()

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Rulebook:
        known = _known_codes(info)
        for hint in self.submission.office_hints:
            _check_codes(hint.applies_to, known, "submission.office_hints")
        for entry in self.calendar:
            _check_codes(entry.applies_to, known, f"calendar {entry.date}")
            _check_legal_form(entry.source, f"calendar {entry.date}")
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


# A `source` is what users read after “Căn cứ:”: a legal citation, never our research notes.
# Those go to `basis` and cite docs/sources.md by id (HN-248, QP-PLAN…).
_LEGAL_FORM = re.compile(r"^(Thông tư|Nghị định|Quyết định|Luật) ")


def _check_legal_form(source: str, where: str) -> None:
    if not _LEGAL_FORM.match(source) or "seed" in source or ".md" in source:
        raise ValueError(
            f"{where}: `source` must be a legal citation (“Thông tư 24/2023/TT-BGDĐT, Điều 6 "
            f"khoản 1”); research notes belong in `basis`, got {source!r}"
        )


def validated_unit_types(data: Any) -> dict[str, Any]:
    """The unit-type catalogue as validated JSON data; raises pydantic's ValidationError."""
    return UnitTypeCatalogue.model_validate(data).model_dump(mode="json")


def validated_rulebook(data: Any, unit_type_codes: Iterable[str]) -> dict[str, Any]:
    """A TT24-style rulebook as validated JSON data; raises pydantic's ValidationError."""
    context = {"unit_types": list(unit_type_codes)}
    return Rulebook.model_validate(data, context=context).model_dump(mode="json")
