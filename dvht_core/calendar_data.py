"""The calendar's data files (`dvht_core/rulebooks/calendar/*.yaml`), validated when loaded.

The yearly dates, the waits after a recognition, who receives the dossier by date, the quiet
hours, the holidays and the provinces are data, each with its legal `source` (shown to users),
its research `basis` (never shown) and an `uncertain` flag with a plain `note` where the
official text could not be read: a rule changed by a province or a new holiday notice is an
edit of a YAML file, not of code. Validation is pydantic, as for the rulebooks
(`rulebook_schema.py`); the files are small (about 300 lines together) and read once per
process (`functools.cache`), and nothing on `dvht evaluate`'s path imports this module.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dvht_core.errors import RulebookError
from dvht_core.loader import RULEBOOK_DIR, parse_yaml_source
from dvht_core.model import ALL

CALENDAR_DIR = RULEBOOK_DIR / "calendar"
CALENDAR_FILE = "calendar.yaml"
HOLIDAYS_FILE = "holidays.yaml"
PROVINCES_FILE = "provinces.yaml"

_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_HOUR = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_LEGAL = re.compile(r"^(Thông tư|Quyết định|Nghị định|Nghị quyết|Bộ luật|Luật|Kế hoạch|Thủ tục)")

TierName = Literal["huyen", "tinh"]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Sourced(_Data):
    """Every rule carries its legal citation, its research trail, and an uncertainty note
    whenever it is flagged uncertain (the note is what users read)."""

    source: str = Field(min_length=1)
    basis: str = Field(min_length=1)
    uncertain: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> _Sourced:
        if not _LEGAL.match(self.source):
            raise ValueError(f"source is not a legal citation: {self.source!r}")
        if self.uncertain and not self.note:
            raise ValueError("an uncertain entry needs a plain note")
        return self


def _month_day(value: str) -> tuple[int, int]:
    found = _MONTH_DAY.match(value)
    if found is None:
        raise ValueError(f"not a MM-DD date: {value!r}")
    month, day = int(found[1]), int(found[2])
    dt.date(2024, month, day)  # a leap year: refuses 02-30, accepts 02-29
    return month, day


class CalendarEntry(_Sourced):
    """A yearly date of the cycle of assessment year N: `date` of year N + `year_offset`."""

    key: str = Field(pattern=r"^[a-z_]+$")
    kind: Literal["before", "period"]
    date: str
    year_offset: Annotated[int, Field(ge=0, le=1)]
    tiers: tuple[TierName, ...] = ("huyen", "tinh")
    applies_to: tuple[str, ...] = (ALL,)
    text: str = Field(min_length=1)
    start: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> CalendarEntry:
        _month_day(self.date)
        if (self.kind == "period") != (self.start is not None):
            raise ValueError(f"{self.key}: a period has a start, a date has none")
        if self.start is not None:
            _month_day(self.start)
        return self

    def day(self, year: int) -> dt.date:
        """The date in the cycle of assessment year `year`."""
        month, day = _month_day(self.date)
        return dt.date(year + self.year_offset, month, day)

    def first_day(self, year: int) -> dt.date | None:
        if self.start is None:
            return None
        month, day = _month_day(self.start)
        return dt.date(year + self.year_offset, month, day)

    def applies(self, tier: str, unit_type: str | None) -> bool:
        if tier not in self.tiers:
            return False
        return unit_type is None or ALL in self.applies_to or unit_type in self.applies_to


class ProvincialEntry(CalendarEntry):
    """A date a province's own plan sets for its units."""

    province: str = Field(min_length=1)


class Upgrade(_Sourced):
    months: Annotated[int, Field(ge=1, le=60)]
    text: str = Field(min_length=1)


class Validity(_Sourced):
    years: Annotated[int, Field(ge=1, le=10)]
    reading: Literal["assessment_year", "decision_year"]
    """How “3 năm tiếp theo năm được công nhận” is counted (docs and calendar.yaml)."""
    remind_days_before: Annotated[int, Field(ge=1, le=365)]
    text: str = Field(min_length=1)


class NoteFor(_Data):
    applies_to: tuple[str, ...] = Field(min_length=1)
    text: str = Field(min_length=1)


class OfficeDefault(_Sourced):
    """Who receives a tier's dossiers, and who recognises, while an era lasts."""

    office: str = Field(min_length=1)
    authority: str = Field(min_length=1)
    likely_office: str | None = None
    likely_authority: str | None = None
    note_for: tuple[NoteFor, ...] = ()


class OfficeEra(_Data):
    """The defaults for dossiers due from `from_` to `until` (inclusive; open-ended when None)."""

    from_: dt.date = Field(alias="from")
    until: dt.date | None = None
    huyen: OfficeDefault
    tinh: OfficeDefault

    def of(self, tier: str) -> OfficeDefault:
        return self.tinh if tier == "tinh" else self.huyen


class QuietHours(_Data):
    start: str
    end: str

    @model_validator(mode="after")
    def _times(self) -> QuietHours:
        for value in (self.start, self.end):
            if not _HOUR.match(value):
                raise ValueError(f"not an HH:MM time: {value!r}")
        return self

    def times(self) -> tuple[dt.time, dt.time]:
        return dt.time.fromisoformat(self.start), dt.time.fromisoformat(self.end)


class CalendarData(_Data):
    id: str
    version: str
    entries: tuple[CalendarEntry, ...]
    provincial: tuple[ProvincialEntry, ...] = ()
    upgrade: Upgrade
    validity: Validity
    offices: tuple[OfficeEra, ...] = Field(min_length=1)
    quiet_hours: QuietHours

    @model_validator(mode="after")
    def _consistent(self) -> CalendarData:
        keys = [e.key for e in self.entries]
        if len(keys) != len(set(keys)):
            raise ValueError("entry keys must be unique")
        if "dossier" not in keys:
            raise ValueError("the dossier deadline is missing")
        eras = self.offices
        for earlier, later in itertools.pairwise(eras):
            if earlier.until is None or later.from_ != earlier.until + dt.timedelta(days=1):
                raise ValueError("office eras must follow each other without gap or overlap")
        if eras[-1].until is not None:
            raise ValueError("the last office era must be open-ended")
        return self

    def entry(self, key: str) -> CalendarEntry:
        return next(e for e in self.entries if e.key == key)

    def era(self, day: dt.date) -> OfficeEra:
        """The office defaults in force for a dossier due on `day` (the first era before it
        began: TT24's own offices)."""
        for era in reversed(self.offices):
            if day >= era.from_:
                return era
        return self.offices[0]


class HolidayDays(_Data):
    name: str = Field(min_length=1)
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    uncertain: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _range(self) -> HolidayDays:
        if self.to is not None and not self.from_ <= self.to <= self.from_ + dt.timedelta(14):
            raise ValueError(f"{self.name}: a holiday runs forward, at most two weeks")
        if self.uncertain and not self.note:
            raise ValueError(f"{self.name}: an uncertain holiday needs a plain note")
        return self

    def dates(self) -> tuple[dt.date, ...]:
        last = self.to or self.from_
        return tuple(
            self.from_ + dt.timedelta(days=n) for n in range((last - self.from_).days + 1)
        )


class HolidayYear(_Sourced):
    year: int
    days: tuple[HolidayDays, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _in_year(self) -> HolidayYear:
        for holiday in self.days:
            if holiday.from_.year != self.year:
                raise ValueError(f"{holiday.name} does not start in {self.year}")
        return self


class HolidayData(_Data):
    law: _Sourced
    years: tuple[HolidayYear, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_years(self) -> HolidayData:
        years = [y.year for y in self.years]
        if years != sorted(set(years)):
            raise ValueError("holiday years must be unique and in order")
        return self

    def dates(self) -> frozenset[dt.date]:
        return frozenset(d for year in self.years for h in year.days for d in h.dates())


class Province(_Data):
    name: str = Field(min_length=1)
    city: bool = False
    aliases: tuple[str, ...] = ()
    merged: tuple[str, ...] = ()


class ProvinceData(_Sourced):
    provinces: tuple[Province, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ProvinceData:
        names = [p.name for p in self.provinces]
        if len(names) != len(set(names)):
            raise ValueError("province names must be unique")
        return self


def _read(name: str, model: type[BaseModel], directory: Path) -> BaseModel:
    path = directory / name
    try:
        return model.model_validate(parse_yaml_source(path.read_bytes()))
    except (OSError, ValidationError, ValueError) as exc:
        raise RulebookError(f"{name}: {exc}") from None


@cache
def load_calendar(directory: Path = CALENDAR_DIR) -> CalendarData:
    found = _read(CALENDAR_FILE, CalendarData, directory)
    assert isinstance(found, CalendarData)
    return found


@cache
def load_holidays(directory: Path = CALENDAR_DIR) -> HolidayData:
    found = _read(HOLIDAYS_FILE, HolidayData, directory)
    assert isinstance(found, HolidayData)
    return found


@cache
def load_provinces(directory: Path = CALENDAR_DIR) -> ProvinceData:
    found = _read(PROVINCES_FILE, ProvinceData, directory)
    assert isinstance(found, ProvinceData)
    return found
