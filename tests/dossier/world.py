"""A unit with a self-assessed level, evidence files, an album and an item without a file,
stored through the real repositories and the real evidence store, for the dossier tests."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session

from conversations.records import Actor
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.evidence_store import LocalEvidenceStore, StoredFile
from storage.people import PersonRepository
from storage.schemas import (
    AnswerInput,
    AssessmentTotals,
    EvidenceInput,
    FileInput,
    NewPerson,
    NewUnit,
)
from storage.tables import Membership
from storage.units import UnitRepository
from storage.uow import transaction
from tests import evidence_samples
from tests.conftest import full_answers

OPERATOR = Actor.operator()
YEAR = 2025
UNIT = "UBND xã Quảng Phú"


def photo(width: int, height: int, *, orientation: int | None = None, seed: int = 0) -> bytes:
    """A real JPEG of `width`×`height` (as stored: before any EXIF rotation)."""
    image = Image.new("RGB", (width, height), (seed * 37 % 256, 120, 200))
    # A dark top-left corner, so a test can see which way is up.
    image.paste((0, 0, 0), (0, 0, max(1, width // 4), max(1, height // 4)))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


@dataclass
class World:
    database: Database
    root: Path
    unit_id: int = 0
    assessment_id: int = 0
    stored: dict[str, StoredFile] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)


async def build_world(
    database: Database,
    root: Path,
    *,
    name: str = UNIT,
    answers: bool = True,
    album_photos: int = 3,
    titles: dict[str, str] | None = None,
) -> World:
    """The unit, its answers (level 2 on every indicator unless `answers` is False) and:
    “kh” a PDF on 1.1 and 1.4 (stored once), “qd” a PDF on 1.1, “album” photos on 1.2,
    “two” two PDFs on 1.3 (not an album), “paper” no file on 1.5, “rest” no file on every
    other indicator (with answers), “gone” a PDF removed from 1.1."""
    world = World(database, root)
    store = LocalEvidenceStore(root, max_bytes=200 * 1024 * 1024)
    repo = AssessmentRepository()
    rulebook = load_rulebook(TT24_BY_TIER["huyen"])
    titles = titles or {}

    async def put(key: str, data: bytes, original: str) -> StoredFile:
        world.stored[key] = await store.put(data, original_name=original)
        return world.stored[key]

    kh = await put("kh", evidence_samples.pdf(b"ke hoach"), "ke hoach.pdf")
    qd = await put("qd", evidence_samples.pdf(b"quyet dinh"), "qd.pdf")
    two = [await put(f"two{n}", evidence_samples.pdf(b"two %d" % n), f"p{n}.pdf") for n in (1, 2)]
    gone = await put("gone", evidence_samples.pdf(b"gone"), "gone.pdf")
    photos = [
        await put(f"photo{n}", photo(40 + n, 30, seed=n, orientation=6 if n == 0 else None), "a")
        for n in range(album_photos)
    ]

    def work(session: Session) -> None:
        unit = UnitRepository().create(
            session,
            actor=OPERATOR,
            data=NewUnit(name=name, tier="huyen", unit_type="ubnd_xa", province="Thành phố Huế"),
        )
        world.unit_id = unit.id
        world.assessment_id = repo.get_or_create(
            session, actor=OPERATOR, unit_id=unit.id, year=YEAR
        )
        repo.set_totals(
            session,
            actor=OPERATOR,
            assessment_id=world.assessment_id,
            totals=AssessmentTotals(members=40),
        )
        if answers:
            for indicator_id, value in full_answers(rulebook, "ubnd_xa", 40).items():
                plain: dict[str, Any] = {k: v for k, v in value.items() if k != "evidence"}
                repo.record_answer(
                    session,
                    actor=OPERATOR,
                    assessment_id=world.assessment_id,
                    answer=AnswerInput(indicator_id=indicator_id, value=plain),
                )

        def add(
            key: str, kind: str, indicators: tuple[str, ...], file: StoredFile | None, **doc: Any
        ) -> int:
            fields: dict[str, Any] = {}
            if file is not None:
                fields = {
                    "original_name": file.original_name,
                    "mime_type": file.mime_type,
                    "size": file.size,
                    "sha256": file.sha256,
                    "storage_key": file.storage_key,
                }
            item = repo.add_evidence(
                session,
                actor=OPERATOR,
                assessment_id=world.assessment_id,
                evidence=EvidenceInput(
                    kind=kind,  # type: ignore[arg-type]
                    title=titles.get(key, f"Minh chứng {key}"),
                    indicator_ids=indicators,
                    **fields,
                    **doc,
                ),
            )
            world.items[key] = item.id
            return item.id

        def attach(item_id: int, file: StoredFile) -> None:
            repo.attach_file(
                session,
                actor=OPERATOR,
                evidence_id=item_id,
                file=FileInput(
                    original_name=file.original_name,
                    mime_type=file.mime_type,
                    size=file.size,
                    sha256=file.sha256,
                    storage_key=file.storage_key,
                ),
            )

        add(
            "kh", "file", ("1.1", "1.4"), kh,
            doc_number="12/KH-UBND", doc_date=dt.date(2025, 1, 10), issuer="UBND xã Quảng Phú",
        )  # fmt: skip
        add("qd", "file", ("1.1",), qd)
        album = add("album", "photo", ("1.2",), photos[0] if photos else None)
        for extra in photos[1:]:
            attach(album, extra)
        first = add("two", "file", ("1.3",), two[0])
        attach(first, two[1])
        add("paper", "reference", ("1.5",), None)
        if answers:  # TT24: an indicator without evidence is not met
            covered = {"1.1", "1.2", "1.3", "1.4", "1.5"}
            rest = tuple(i for i in full_answers(rulebook, "ubnd_xa", 40) if i not in covered)
            add("rest", "reference", rest, None)
        removed = add("gone", "file", ("1.1",), gone)
        repo.remove_evidence(session, actor=OPERATOR, evidence_id=removed, indicator_id="1.1")

    await transaction(database, work)
    return world


async def member(
    database: Database,
    unit_id: int,
    channel: str,
    external_id: str,
    *,
    role: str = "member",
    name: str = "Nguyễn Văn An",
) -> int:
    """A person known on `channel` as `external_id`, with `role` in the unit."""

    def work(session: Session) -> int:
        person = PersonRepository().get_or_create(
            session,
            data=NewPerson(display_name=name, channel=channel, external_id=external_id),  # type: ignore[arg-type]
        )
        session.add(Membership(person_id=person.id, unit_id=unit_id, role=role))
        return person.id

    return await transaction(database, work)
