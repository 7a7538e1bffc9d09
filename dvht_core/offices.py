"""Who receives a unit's dossier and who recognises it, on a date: the pure resolver.

TT24 names the Phòng GDĐT and the Chủ tịch UBND cấp huyện for district-tier units; district
government ended on 1/7/2025 and no text found names their successor (calendar.yaml `offices`,
docs/sources.md). So the answer is data by date: the era's defaults from the calendar data,
overridden by what an office set for a province (`dvht deadline office --province`) or a unit
admin for their own unit (table `receiving_offices`). The most specific setting in force wins
(the unit's over the province's), then the latest `effective_from`, then the latest written.

From the reform on, no answer may present the Phòng GDĐT or the UBND cấp huyện as the current
office: the defaults never do, and `names_abolished_office` lets the writers refuse a setting
that would.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from dvht_core.calendar_data import OfficeDefault, load_calendar
from dvht_core.model import ALL
from dvht_core.provinces import same_province


@dataclass(frozen=True, slots=True)
class OfficeSetting:
    """One stored row of `receiving_offices`: for a province's tier, or for one unit."""

    province: str
    tier: str
    effective_from: dt.date
    office: str
    authority: str | None = None
    unit_id: int | None = None
    id: int = 0
    """The row's id: a later row wins over an earlier one with the same date."""


@dataclass(frozen=True, slots=True)
class ResolvedOffice:
    """Who receives and who recognises. `uncertain` with a plain `note` when no text or
    setting confirms it; `likely_office` / `likely_authority` name the candidates then;
    `set_by` says where a setting came from ("unit", "province") or "law" for the defaults."""

    office: str
    authority: str
    uncertain: bool
    note: str | None
    source: str
    set_by: str
    likely_office: str | None = None
    likely_authority: str | None = None


def reform_date() -> dt.date:
    """The first day of two-tier local government (the last office era's start)."""
    return load_calendar().offices[-1].from_


def resolve_office(
    settings: Iterable[OfficeSetting],
    *,
    province: str,
    tier: str,
    on: dt.date,
    unit_id: int | None = None,
    unit_type: str | None = None,
) -> ResolvedOffice:
    """The receiving office and the recognising authority for a dossier due on `on`."""
    era = load_calendar().era(on).of(tier)
    in_force = [s for s in settings if s.tier == tier and s.effective_from <= on]
    own = [s for s in in_force if unit_id is not None and s.unit_id == unit_id]
    wide = [s for s in in_force if s.unit_id is None and same_province(s.province, province)]
    for chosen, scope in ((own, "unit"), (wide, "province")):
        if chosen:
            setting = max(chosen, key=lambda s: (s.effective_from, s.id))
            authority = setting.authority or era.likely_authority or era.authority
            return ResolvedOffice(
                office=setting.office,
                authority=authority,
                uncertain=setting.authority is None and era.uncertain,
                note=None if setting.authority else era.note,
                source=era.source,
                set_by=scope,
            )
    return _default(era, unit_type)


def _default(era: OfficeDefault, unit_type: str | None) -> ResolvedOffice:
    note = era.note
    for extra in era.note_for:
        if unit_type is not None and (ALL in extra.applies_to or unit_type in extra.applies_to):
            note = f"{note} {extra.text}" if note else extra.text
    return ResolvedOffice(
        office=era.office,
        authority=era.authority,
        uncertain=era.uncertain,
        note=note,
        source=era.source,
        set_by="law",
        likely_office=era.likely_office,
        likely_authority=era.likely_authority,
    )


_ABOLISHED = re.compile(
    r"phong (?:giao duc|gd ?(?:va )?d?t|gd&dt|gddt)"
    r"|(?:ubnd|uy ban nhan dan) (?:cap )?(?:huyen|quan)"
)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(text.replace("&", " & ").replace(" & ", "&").split())


def names_abolished_office(text: str) -> bool:
    """Whether a name points to an office that ended on 1/7/2025: a Phòng Giáo dục và Đào tạo
    (Phòng GDĐT) or a UBND cấp huyện / quận. Such a name may not be set, or shown, as the office
    of a dossier due from the reform on."""
    return _ABOLISHED.search(_plain(text)) is not None
