"""What the dossier is made of, read in one transaction and checked like the report.

The dossier holds every evidence file of the unit, so it is for those who may see all of
them: the unit's admins, the reviewers of its office and the operator (`AccessDenied`
otherwise). Members of the unit read the report in the chat but do not get the ZIP.

Evidence is read as the report reads it (`assessment_sql.load`: an item taken off an
indicator is not linked to it any more, and an item taken off all of them is left out), with
the further files each item holds (`evidence_files`, an album's photos) in the order they
were added. A file whose bytes are no longer on this server is left out, so the item reads
“không có tệp” in the index rather than breaking the ZIP.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session, col, select

from conversations.context import assessment_of
from conversations.dossier import DossierEvidence, DossierFile, DossierSource
from conversations.errors import AccessDenied
from conversations.records import Actor, EvidenceRecord
from dvht_core.evaluate import evaluate
from dvht_core.loader import rulebook_for
from storage import access, assessment_sql, calendar_store
from storage.evidence_store import is_storage_key
from storage.tables import AssessmentRow, EvidenceFile

SUBMITTED = frozenset({"submitted", "recognised"})
"""Statuses whose requested level is the one submitted (`assessments.submitted_level`)."""


def may_take_dossier(
    session: Session, actor: Actor, *, unit_id: int, office_id: int | None
) -> bool:
    """The unit's admins, the reviewers of its office and the operator."""
    if actor.system:
        return True
    if actor.person_id is None:
        return False
    role = access.role_in_unit(session, person_id=actor.person_id, unit_id=unit_id)
    return role == "unit_admin" or access.reviews_unit(
        session, person_id=actor.person_id, office_id=office_id
    )


def dossier_source(
    session: Session,
    *,
    actor: Actor,
    unit_id: int,
    year: int,
    evidence_root: Path,
    governing_body: str | None = None,
) -> DossierSource | None:
    """The unit's dossier for `year`; None when it has no assessment that year. Raises
    `NotFound` for an unknown unit and `AccessDenied` for a caller who may not take it."""
    record = assessment_sql.load_for_unit(session, actor=actor, unit_id=unit_id, year=year)
    unit = access.ensure_can_read(session, actor, unit_id)
    if not may_take_dossier(session, actor, unit_id=unit_id, office_id=unit.office_id):
        raise AccessDenied(f"{actor.label} may not take the dossier of unit {unit_id}")
    if record is None:
        return None
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    assessment = assessment_of(record)
    row = session.get(AssessmentRow, record.id)
    assert row is not None  # just loaded
    if record.status in SUBMITTED and row.submitted_level is not None:
        level = row.submitted_level
    else:
        level = evaluate(rulebook, assessment).level
    resolved = calendar_store.unit_calendar(session, unit=record.unit, year=year).office()
    # The law's default after 1/7/2025 is “theo kế hoạch của tỉnh”: no office to name, so the
    # tờ trình leaves a blank; an office set for the province or the unit is named.
    office = None if resolved.set_by == "law" and resolved.uncertain else resolved.office
    return DossierSource(
        unit_id=unit_id,
        rulebook=rulebook,
        assessment=assessment,
        level=level,
        office=office,
        evidence=_evidence(session, record.evidence, evidence_root),
        governing_body=governing_body,
    )


def _evidence(
    session: Session, items: Sequence[EvidenceRecord], root: Path
) -> tuple[DossierEvidence, ...]:
    further: dict[int, list[DossierFile]] = defaultdict(list)
    ids = [item.id for item in items]
    if ids:
        rows = session.exec(
            select(EvidenceFile)
            .where(col(EvidenceFile.evidence_id).in_(ids))
            .order_by(col(EvidenceFile.id))
        )
        for row in rows:
            found = _file(root, row.storage_key, row.mime_type, row.size, row.original_name)
            if found is not None:
                further[row.evidence_id].append(found)
    result = []
    for item in sorted(items, key=lambda e: e.id):
        own = _file(root, item.storage_key, item.mime_type, item.size, item.original_name)
        result.append(
            DossierEvidence(
                id=item.id,
                title=item.title,
                indicator_ids=item.indicator_ids,
                files=((own,) if own is not None else ()) + tuple(further[item.id]),
                doc_number=item.doc_number,
                doc_date=item.doc_date,
                issuer=item.issuer,
            )
        )
    return tuple(result)


def _file(
    root: Path, key: str | None, mime: str | None, size: int | None, name: str | None
) -> DossierFile | None:
    if key is None or mime is None or not is_storage_key(key):
        return None
    path = root / key
    if not path.is_file():
        return None
    return DossierFile(path=path, mime_type=mime, size=size or 0, original_name=name)
