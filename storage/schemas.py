"""Validated input for every write. SQLModel table classes skip validation (engineering notes
§5.3), so repositories accept only these models and copy them into rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from dvht_core.limits import (
    EARLIEST_DECISION_YEAR,
    MAX_FREE_TEXT_CHARS,
    MAX_MEMBERS,
    MAX_NAME_CHARS,
    MAX_PROVINCE_CHARS,
    MAX_TITLE_CHARS,
    MAX_YEAR,
)
from dvht_core.loader import load_unit_types
from dvht_core.text_hygiene import visible_text


def _clean(text: str) -> str:
    """What is visible of the text (`dvht_core.text_hygiene.visible_text`: NFC, single spaces,
    no bidirectional controls or zero-width characters), so the same name typed on any phone
    compares and prints the same and no write path stores what the chat would have removed. A
    name of invisible characters only becomes empty, which the fields' min_length refuses
    (pydantic itself refuses a lone surrogate: string_unicode)."""
    return visible_text(text)


CleanText = Annotated[str, AfterValidator(_clean)]
Name = Annotated[CleanText, Field(min_length=1, max_length=MAX_NAME_CHARS)]
Province = Annotated[CleanText, Field(min_length=1, max_length=MAX_PROVINCE_CHARS)]
FreeText = Annotated[CleanText, Field(max_length=MAX_FREE_TEXT_CHARS)]
Total = Annotated[int, Field(ge=0, le=MAX_MEMBERS)]
"""Members or learners: the bounds of the file reader and the chat, and the database's CHECK."""


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class NewUnit(_Input):
    name: Name
    tier: Literal["huyen", "tinh"]
    unit_type: str
    province: Province
    office_id: int | None = None

    @model_validator(mode="after")
    def _type_exists_at_tier(self) -> NewUnit:
        unit_type = load_unit_types().get(self.unit_type)
        if unit_type is None:
            raise ValueError(f"unknown unit type {self.unit_type!r}")
        if self.tier not in unit_type.tiers:
            raise ValueError(f"unit type {self.unit_type} is not assessed at tier {self.tier}")
        return self


PositiveTotal = Annotated[int, Field(ge=1, le=MAX_MEMBERS)]
"""A total a unit's admin sets: a ratio divides by it, so it is at least 1."""


class UnitChanges(_Input):
    """A unit admin's corrections to the unit's details; None leaves a field as it is. Whether
    the type exists at the tier, and what a change of type does to the answers, is the
    repository's check (`storage.units.UnitRepository.update`): it needs the stored unit."""

    name: Name | None = None
    province: Province | None = None
    tier: Literal["huyen", "tinh"] | None = None
    unit_type: str | None = None
    members: PositiveTotal | None = None
    learners: PositiveTotal | None = None


class NewOffice(_Input):
    name: Name
    province: Province


class NewPerson(_Input):
    display_name: Annotated[CleanText, Field(min_length=1, max_length=200)]
    channel: Literal["telegram", "zalo", "console"]
    external_id: Annotated[str, Field(min_length=1, max_length=64)]


class NewInvite(_Input):
    unit_id: int
    role: Literal["member", "unit_admin"] = "member"
    max_uses: Annotated[int, Field(ge=1)] | None = None
    valid_for: dt.timedelta = dt.timedelta(days=30)

    @model_validator(mode="after")
    def _positive_validity(self) -> NewInvite:
        if self.valid_for <= dt.timedelta(0):
            raise ValueError("an invite must be valid for some time")
        return self


class AnswerInput(_Input):
    """A value already checked by `dvht_core.assessment.check_answer`, plus free text."""

    indicator_id: Annotated[str, Field(pattern=r"^[1-9][0-9]*\.[1-9][0-9]*$")]
    value: dict[str, Any]
    description: FreeText | None = None
    strengths: FreeText | None = None
    weaknesses: FreeText | None = None


class EvidenceInput(_Input):
    kind: Literal["file", "photo", "reference"]
    title: Annotated[CleanText, Field(min_length=1, max_length=MAX_TITLE_CHARS)]
    indicator_ids: Annotated[tuple[str, ...], Field(min_length=1)]
    original_name: Annotated[CleanText, Field(max_length=255)] | None = None
    mime_type: Annotated[str, Field(max_length=100)] | None = None
    size: Annotated[int, Field(ge=0)] | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    storage_key: Annotated[str, Field(max_length=200)] | None = None
    doc_number: Annotated[CleanText, Field(max_length=100)] | None = None
    doc_date: dt.date | None = None
    issuer: Annotated[CleanText, Field(max_length=300)] | None = None

    @model_validator(mode="after")
    def _files_have_content(self) -> EvidenceInput:
        if self.kind != "reference" and (self.sha256 is None or self.storage_key is None):
            raise ValueError("a file or photo needs its sha256 and storage key")
        return self


class FileInput(_Input):
    """A further file of an evidence item (already accepted by the evidence store)."""

    original_name: Annotated[CleanText, Field(max_length=255)] | None = None
    mime_type: Annotated[str, Field(min_length=1, max_length=100)]
    size: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    storage_key: Annotated[str, Field(min_length=1, max_length=200)]


class AssessmentTotals(_Input):
    """The unit's totals, bounded as the file reader bounds them and as the table's CHECK
    constraints do (`storage.tables.AssessmentRow`). Whether a decision date is in the future
    is the reader's check (`dvht_core.assessment`): storage has no "today" to compare with, and
    bounds the date to the calendar the upgrade rule can count in."""

    members: Total | None = None
    learners: Total | None = None
    level1_decision_date: (
        Annotated[
            dt.date,
            Field(ge=dt.date(EARLIEST_DECISION_YEAR, 1, 1), le=dt.date(MAX_YEAR, 12, 31)),
        ]
        | None
    ) = None
