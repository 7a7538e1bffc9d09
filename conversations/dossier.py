"""The whole dossier (hồ sơ) of one assessment as plain data, and the port that packs it.

TT24 Điều 10 khoản 1 điểm c (cấp huyện) and Điều 16 (cấp tỉnh) name what a unit sends: the
tờ trình asking for recognition at the level it reached, the self-assessment report and the
summary table; the evidence is kept by the unit for checking. Officials send all of it at
once, so the dossier adds the evidence files, named by the report's codes, and their index.

Storage fills `DossierSource` inside a read (`storage/dossier_store.py`, access-checked); the
packer (`reports/dossier`) writes the ZIP after the transaction, off the event loop, reading
the evidence files from their stored paths so nothing large is ever held in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from conversations.messages import Outbound
from dvht_core.assessment import Assessment
from dvht_core.model import Rulebook

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/heic"})
"""The photo types an album may hold (what the evidence store accepts as photos)."""


@dataclass(frozen=True, slots=True)
class DossierFile:
    """One stored file of an evidence item: where its bytes are on this server."""

    path: Path
    mime_type: str
    size: int
    original_name: str | None = None


@dataclass(frozen=True, slots=True)
class DossierEvidence:
    """One evidence item with every indicator it is (still) linked to and all its files: the
    item's own file first, then the further files sent with it (an album's photos)."""

    id: int
    title: str
    indicator_ids: tuple[str, ...]
    files: tuple[DossierFile, ...] = ()
    doc_number: str | None = None
    doc_date: dt.date | None = None
    issuer: str | None = None


@dataclass(frozen=True, slots=True)
class DossierSource:
    """Everything the dossier is made of, read in one transaction."""

    unit_id: int
    rulebook: Rulebook
    assessment: Assessment
    level: int
    """The level requested: the submitted level once submitted, else the self-assessed one."""
    office: str | None
    """The receiving office from the calendar data; None when no text or setting confirms it
    (the tờ trình then leaves a blank to fill rather than guess)."""
    evidence: tuple[DossierEvidence, ...]
    governing_body: str | None = None


@dataclass(frozen=True, slots=True)
class DossierWritten:
    """What was written: the ZIP's path, its size and what it holds."""

    path: Path
    size: int
    documents: tuple[str, ...]
    """The documents' file names inside the ZIP (tờ trình, report, summary, index)."""
    evidence_files: int
    """Evidence files in `minh-chung/` (an album counts once: it is one PDF)."""
    items_without_file: int
    level: int


class DossierRefused(Exception):
    """The dossier cannot be built; `reason` is one Vietnamese sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class DossierRequest:
    """/hoso, as the transaction that read it saw it: who asked, on which channel, for which
    unit and year; the dossier is built and sent after that transaction."""

    channel: str
    person_id: int
    unit_id: int
    year: int
    today: dt.date


class DossierDesk(Protocol):
    async def deliver(self, request: DossierRequest) -> list[Outbound]:
        """The replies that carry the dossier (a ZIP document, a link, or why not): built off
        the event loop, never raising (a failure is one sentence)."""
        ...


class DossierBuilder(Protocol):
    def write(self, source: DossierSource, target: Path, *, today: dt.date) -> DossierWritten:
        """Write the dossier's ZIP to `target` (through a temporary file in its folder, then
        renamed into place); blocking: callers on the event loop run it in a thread."""
        ...
