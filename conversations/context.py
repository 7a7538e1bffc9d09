"""What the engine may know about the user when it decides the next step (read-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from conversations.records import AssessmentRecord, MembershipRecord, PersonRecord, UnitRecord
from dvht_core import vietnam_time
from dvht_core.assessment import Answer, Assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types, rulebook_for
from dvht_core.model import Indicator, Rulebook, Tier
from dvht_core.roster import Roster
from dvht_core.unit_calendar import UnitCalendar


@dataclass(frozen=True)
class Context:
    person: PersonRecord
    memberships: tuple[MembershipRecord, ...]
    unit: UnitRecord | None
    assessment: AssessmentRecord | None
    today: dt.date
    has_buttons: bool = False
    """The message's channel shows buttons (`Inbound.has_buttons`): hints say “bấm nút” only
    then."""
    calendar_loader: Callable[[], UnitCalendar] | None = None
    """Reads the unit's calendar (its offices' dates, who receives its dossier) in the
    message's own transaction, on first use (`calendar`): only the calendar's quick questions
    need it, and reading it for every message would cost two more statements each."""
    roster_loader: Callable[[], Roster | None] | None = None
    """Reads the unit's latest confirmed roster (issue 16), on first use (`roster`): given only
    to the unit's admins, the only ones shown the names of the members still missing."""

    @cached_property
    def roster(self) -> Roster | None:
        """The latest confirmed roster with its names, for an admin of the unit; else None."""
        return self.roster_loader() if self.roster_loader is not None else None

    @property
    def is_admin(self) -> bool:
        """The sender administers the unit the message is about."""
        unit = self.unit
        return unit is not None and any(
            m.unit_id == unit.id and m.role == "unit_admin" for m in self.memberships
        )

    @cached_property
    def calendar(self) -> UnitCalendar:
        """The unit's calendar for the assessment year (issue 13): its effective deadline and
        office; without a unit, the law's for the district tier most units have."""
        if self.calendar_loader is not None and self.unit is not None:
            return self.calendar_loader()
        year = (
            self.assessment.year
            if self.assessment is not None
            else vietnam_time.assessment_year(self.today)
        )
        if self.unit is None:
            return UnitCalendar(year=year, tier="huyen", unit_type=None, province="")
        return UnitCalendar(
            year=year,
            tier=self.unit.tier,
            unit_type=self.unit.unit_type,
            province=self.unit.province,
            unit_id=self.unit.id,
        )

    @property
    def rulebook(self) -> Rulebook | None:
        """The rules the assessment was started on (its stored ruleset id and version); before
        the unit has an assessment, the rulebook of the unit's tier. Not cached here: the loader
        caches each rulebook, and a cached_property costs more than that lookup."""
        if self.assessment is not None:
            return rulebook_for(self.assessment.ruleset_id, self.assessment.ruleset_version)
        return None if self.unit is None else load_rulebook(TT24_BY_TIER[self.unit.tier])

    def walk(self) -> tuple[Indicator, ...]:
        """The indicators that apply to the unit, in rulebook order."""
        return self._walk

    @cached_property
    def _walk(self) -> tuple[Indicator, ...]:
        rulebook = self.rulebook
        if rulebook is None or self.unit is None:
            return ()
        plan = rulebook.plan(self.unit.unit_type)
        return tuple(i for _, applicable in plan.criteria for i in applicable)

    def answered(self, indicator_id: str) -> bool:
        return self.assessment is not None and indicator_id in self.assessment.answers

    def as_assessment(self) -> Assessment | None:
        """The stored answers in the evaluation engine's terms (evidence titles attached)."""
        record, unit = self.assessment, self.unit
        if record is None or unit is None:
            return None
        return assessment_of(record, unit)


def assessment_of(record: AssessmentRecord, unit: UnitRecord | None = None) -> Assessment:
    """A stored assessment in the evaluation engine's terms (evidence titles attached), for the
    unit it belongs to (default: the record's own): the chat's context and the reminders read
    a unit's answers the same way."""
    unit = unit or record.unit
    answers = {}
    for indicator_id, answer in record.answers.items():
        value = answer.value
        answers[indicator_id] = Answer(
            indicator_id=indicator_id,
            met=_bool(value.get("met")),
            count=_int(value.get("count")),
            learners_count=_int(value.get("learners_count")),
            title=_str(value.get("title")),
            dt_level=_str(value.get("dt_level")),
            evidence=tuple(e.title for e in record.evidence_for(indicator_id)),
            description=answer.description,
            strengths=answer.strengths,
            weaknesses=answer.weaknesses,
        )
    tier: Tier = "tinh" if unit.tier == "tinh" else "huyen"
    return Assessment(
        tier=tier,
        unit_type=unit.unit_type,
        year=record.year,
        members=record.members,
        learners=record.learners,
        answers=answers,
        level1_decision_date=record.level1_decision_date,
        unit_name=unit.name,
        province=unit.province,
    )


def default_rulebook() -> Rulebook:
    """For questions asked before a unit exists: the district rulebook most units use."""
    return load_rulebook("tt24-huyen")


def unit_type_name(unit_type: str) -> str:
    found = load_unit_types().get(unit_type)
    return found.plain if found else unit_type


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
