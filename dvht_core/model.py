"""Rulebook model: TT24 criteria and indicators as immutable data, as the engine reads them.

Frozen, slotted records (`record_type.py`), not pydantic models: importing pydantic and building
the rulebook's model classes cost about 77 ms of every `dvht evaluate` start (`python -X
importtime`, issue 10), four times the interpreter's own start. Validation is done once, by the
pydantic schema in `rulebook_schema.py`, when a YAML file is compiled or has changed since (see
`loader.py`); these classes only carry the validated values and their lookups. Reading a slotted
attribute is as fast as reading a pydantic field (the engine benchmark, `python -m bench core`:
about 30,500 assessments/s with pydantic models and dataclass results, 34,600 with records).

Equality compares the fields only (the lookup caches are not fields), so a rulebook loaded from
its compiled form equals the same rulebook validated from its YAML.

Ordered vocabularies (emulation titles, digital levels) live here because both the rulebooks
and the answers refer to them by code.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from dvht_core.record_type import Record

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
Wording = Literal["verbatim", "reconstructed", "english_only"]
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


class UnitType(Record):
    """A kind of unit; it decides the tier and which type-specific indicators apply."""

    id: str
    name: str
    plain: str
    tiers: tuple[Tier, ...]
    public: bool
    educational: bool
    source: str
    basis: str
    """Where the research found it (ids of docs/sources.md); never shown to users."""
    uncertain: bool = False
    note: str | None = None


class UnitTypeCatalogue(Record):
    __slots__ = ("_by_id",)  # an index, not a field

    id: str
    version: str
    source: str
    basis: str
    unit_types: tuple[UnitType, ...]

    def __post_init__(self) -> None:
        # Ids are unique (validated), so the index answers as the first match would.
        self._by_id: dict[str, UnitType] = {u.id: u for u in self.unit_types}

    def get(self, unit_type: str) -> UnitType | None:
        return self._by_id.get(unit_type)

    def for_tier(self, tier: str) -> tuple[UnitType, ...]:
        return tuple(u for u in self.unit_types if tier in u.tiers)


class LevelText(Record):
    level1: str
    level2: str

    def at(self, level: Level) -> str:
        return self.level1 if level == 1 else self.level2


class Thresholds(Record):
    """The bar at each level; its type depends on the indicator kind."""

    level1: bool | int | str
    level2: bool | int | str

    def at(self, level: Level) -> bool | int | str:
        return self.level1 if level == 1 else self.level2


class ExtraText(Record):
    """A sentence of an indicator that binds only some unit types (1.2 for public preschools)."""

    applies_to: tuple[str, ...]
    text: str


class Indicator(Record):
    """One chỉ tiêu: its text at each level, its kind, its bars and where it applies."""

    id: str
    short: str
    kind: Kind
    text: LevelText
    thresholds: Thresholds
    applies_to: tuple[str, ...]
    evidence: tuple[str, ...]
    source: str
    """The legal citation users read after “Căn cứ:” (“Thông tư 24/2023/TT-BGDĐT, Điều 6…”)."""
    basis: str
    """Where the research found the text (ids of docs/sources.md); never shown to users."""
    wording: Wording
    measure: str | None = None
    learner_measure: str | None = None
    learner_thresholds: Thresholds | None = None
    learners_apply_to: tuple[str, ...] = ()
    extra_text: ExtraText | None = None
    evidence_for: tuple[ExtraText, ...] = ()
    """Evidence examples that concern only some unit types (a public preschool's training of
    private preschool teachers for 1.2), listed after `evidence` for those types only."""
    uncertain: bool = False
    note: str | None = None
    note_for: tuple[str, ...] = (ALL,)

    def applies(self, unit_type: str) -> bool:
        return ALL in self.applies_to or unit_type in self.applies_to

    def uncertainty_for(self, unit_type: str) -> str | None:
        """The uncertainty note a unit of this type should read, or None.

        Only an uncertain indicator's note is shown, and only to the unit types it concerns
        (`note_for`): a UBND xã is not told how private schools read indicator 1.3.
        """
        if not self.uncertain or not self.note:
            return None
        if ALL in self.note_for or unit_type in self.note_for:
            return self.note
        return None

    def learners_apply(self, unit_type: str) -> bool:
        return self.kind == "member_learner_ratio" and unit_type in self.learners_apply_to

    def evidence_of(self, unit_type: str) -> tuple[str, ...]:
        """The evidence examples a unit of this type should read: a UBND xã is not offered a
        preschool's training records as evidence."""
        own = tuple(e.text for e in self.evidence_for if unit_type in e.applies_to)
        return (*self.evidence, *own)

    def text_for(self, level: Level, unit_type: str) -> str:
        """The indicator's wording at a level, with any sentence that binds this unit type."""
        text = self.text.at(level)
        if self.extra_text is not None and unit_type in self.extra_text.applies_to:
            text = f"{text} {self.extra_text.text}"
        return text


class Criterion(Record):
    id: str
    title: str
    source: str
    basis: str
    indicators: tuple[Indicator, ...]


class CalendarEntry(Record):
    """A yearly date that only some unit types meet (schools' QĐ 4725 self-assessment)."""

    date: str
    """“MM-DD”."""
    text: str
    applies_to: tuple[str, ...]
    source: str
    basis: str

    def applies(self, unit_type: str) -> bool:
        return ALL in self.applies_to or unit_type in self.applies_to


class Submission(Record):
    """Where and by when the dossier goes (TT24 Điều 10 / Điều 16).

    TT24 names the receiving office (Phòng GDĐT for the district tier), but district
    government ended on 1/7/2025 and no text found amends TT24 (docs/sources.md): a dossier due
    from `reform_date` goes to the office the province's plan names, so `office` is that plain
    description and `office_before_reform` TT24's own wording, used only for earlier dossiers.
    """

    deadline: str
    """“MM-DD”, validated by the schema."""
    office: str
    source: str
    basis: str
    completion: str | None = None
    """“MM-DD” of the next year by which the recognition is completed, when TT24 sets it."""
    office_before_reform: str = ""
    reform_date: dt.date = dt.date(2025, 7, 1)
    office_hints: tuple[ExtraText, ...] = ()

    def office_for(self, year: int) -> str:
        """Who receives the dossier of assessment year `year`."""
        if self.office_before_reform and self.deadline_for(year) < self.reform_date:
            return self.office_before_reform
        return self.office

    def office_hint(self, year: int, unit_type: str) -> str | None:
        """A plain sentence on who that is likely to be now, for this unit type."""
        if self.deadline_for(year) < self.reform_date:
            return None
        for hint in self.office_hints:
            if ALL in hint.applies_to or unit_type in hint.applies_to:
                return hint.text
        return None

    def deadline_for(self, year: int) -> dt.date:
        """The dossier deadline for assessment year `year`: the next year, “trước ngày …”."""
        month, day = (int(part) for part in self.deadline.split("-"))
        # Clamped to the calendar, so that a year no check let through cannot break a command.
        return dt.date(min(max(year + 1, dt.MINYEAR), dt.MAXYEAR), month, day)


class Plan:
    """The criteria and indicators that apply to one unit type, computed once per rulebook."""

    __slots__ = ("criteria", "indicator_ids", "not_applicable", "uncertain_notes")

    def __init__(
        self, criteria: tuple[tuple[Criterion, tuple[Indicator, ...]], ...], unit_type: str
    ) -> None:
        self.criteria = criteria
        self.indicator_ids = frozenset(i.id for _, inds in criteria for i in inds)
        self.not_applicable = tuple(
            i.id for c, _ in criteria for i in c.indicators if i.id not in self.indicator_ids
        )
        self.uncertain_notes = tuple(
            f"Chỉ tiêu {i.id}: {note}"
            for _, inds in criteria
            for i in inds
            if (note := i.uncertainty_for(unit_type)) is not None
        )


class Rulebook(Record):
    """A versioned set of criteria for one tier, e.g. TT24 cấp huyện."""

    __slots__ = ("_by_id", "_indicators", "_plans")  # lookups, not fields

    id: str
    version: str
    title: str
    legal_source: str
    effective_date: dt.date
    tier: Tier
    scheme: Literal["levels"]
    submission: Submission
    upgrade_wait_months: int
    criteria: tuple[Criterion, ...]
    calendar: tuple[CalendarEntry, ...] = ()

    def __post_init__(self) -> None:
        self._by_id: dict[str, Indicator] = {i.id: i for c in self.criteria for i in c.indicators}
        self._indicators = tuple(self._by_id.values())
        self._plans: dict[str, Plan] = {}

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return self._indicators

    def plan(self, unit_type: str) -> Plan:
        """Applicable criteria/indicators for a unit type, cached (evaluation is hot)."""
        plan = self._plans.get(unit_type)
        if plan is None:
            plan = Plan(
                tuple(
                    (c, tuple(i for i in c.indicators if i.applies(unit_type)))
                    for c in self.criteria
                ),
                unit_type,
            )
            self._plans[unit_type] = plan
        return plan
