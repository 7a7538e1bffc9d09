"""What the reminders read about many units at once: each unit's assessment of a year with its
current answers (who, when, and when each indicator was first answered) and its evidence.

The dispatcher words a batch of pushes (up to a few hundred units) at send time, so loading
runs as three set-based statements for the whole batch (units with their assessments, the
latest answers, the evidence), not one round of queries per unit; the records are built by the
same functions as the chat's (`storage.rows`), so a reminder and the chat read a unit alike.
A unit with no assessment of the year yet gets an empty draft on the current rulebook of its
tier (`UnitProgress.started` False): its members are reminded all the same.

These are the system's reads for the dispatcher, not a user's: no access check applies (the
dispatcher sends each unit's push to that unit's own members, and the reviewers' roll-up to
the reviewers of the unit's office).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, BindParameter, bindparam, text
from sqlmodel import Session

from conversations.records import AnswerRecord, AssessmentRecord, UnitRecord
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from reminders.progress import SUBMITTED, UnitProgress
from storage.assessment_sql import (
    ANSWER_COLUMNS,
    ASSESSMENT_COLUMNS,
    EVIDENCE_COLUMNS,
    UNIT_COLUMNS,
)
from storage.db import Database
from storage.rows import answer_record, assessment_record, evidence_record, unit_record
from storage.types import UTCDateTime
from storage.uow import read

BATCH = 500
"""Unit ids per statement: well under both backends' limits on bound parameters."""

_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)

_UNITS = text(
    f"SELECT {UNIT_COLUMNS}, {ASSESSMENT_COLUMNS} FROM units u "
    "LEFT JOIN offices o ON o.id = u.office_id "
    "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year "
    "WHERE u.id IN :ids ORDER BY u.id"
).bindparams(_IDS)

# Each indicator's latest revision with the moment of its first, for every assessment of the
# batch in one grouped pass (as `assessment_sql` reads one assessment).
_ANSWERS = (
    text(
        f"SELECT r.assessment_id, r.indicator_id, {ANSWER_COLUMNS}, f.first_answered_at "
        "FROM (SELECT max(r0.id) AS last_id, min(r0.answered_at) AS first_answered_at "
        "FROM answer_revisions r0 JOIN assessments a ON a.id = r0.assessment_id "
        "WHERE a.unit_id IN :ids AND a.year = :year "
        "GROUP BY r0.assessment_id, r0.indicator_id) f "
        "JOIN answer_revisions r ON r.id = f.last_id "
        "LEFT JOIN people p ON p.id = r.answered_by ORDER BY r.id"
    )
    .bindparams(_IDS)
    .columns(value=JSON, answered_at=UTCDateTime, first_answered_at=UTCDateTime)
)

_EVIDENCE = (
    text(
        f"SELECT e.assessment_id, l.indicator_id, {EVIDENCE_COLUMNS} "
        "FROM evidence e JOIN evidence_indicators l ON l.evidence_id = e.id "
        "JOIN assessments a ON a.id = e.assessment_id "
        "WHERE a.unit_id IN :ids AND a.year = :year AND l.removed_at IS NULL "
        "ORDER BY e.id, l.indicator_id"
    )
    .bindparams(_IDS)
    .columns(uploaded_at=UTCDateTime)
)

_SUBMITTED_SQL = ", ".join(f"'{status}'" for status in sorted(SUBMITTED))
"""The submitted statuses as an SQL list (constants of the code, never user input)."""

_OFFICE_UNITS = text(
    "SELECT u.id FROM units u "
    "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year "
    "WHERE u.office_id = :office_id AND u.active = :active "
    f"AND (a.id IS NULL OR a.status NOT IN ({_SUBMITTED_SQL})) ORDER BY u.id"
)


async def load_progress(
    database: Database, unit_ids: Sequence[int], year: int
) -> dict[int, UnitProgress]:
    """The progress of each unit of `unit_ids` that exists, for assessment year `year`, keyed by
    unit id; in one read transaction of three statements per `BATCH` units."""
    wanted = sorted(set(unit_ids))
    if not wanted:
        return {}
    return await read(database, lambda session: _load(session, wanted, year))


async def office_units_progress(
    database: Database, office_id: int, year: int
) -> list[UnitProgress]:
    """The active units whose office is `office_id` and whose dossier of `year` is not
    submitted (not started, draft, self-assessed or returned), by unit id: the reviewers'
    roll-up at T-3."""

    def work(session: Session) -> list[UnitProgress]:
        rows = session.connection().execute(
            _OFFICE_UNITS, {"office_id": office_id, "year": year, "active": True}
        )
        ids = [row[0] for row in rows]
        loaded = _load(session, ids, year) if ids else {}
        return [loaded[i] for i in ids if i in loaded]

    return await read(database, work)


def _load(session: Session, unit_ids: list[int], year: int) -> dict[int, UnitProgress]:
    found: dict[int, UnitProgress] = {}
    for start in range(0, len(unit_ids), BATCH):
        found.update(_load_batch(session, unit_ids[start : start + BATCH], year))
    return found


def _load_batch(session: Session, unit_ids: list[int], year: int) -> dict[int, UnitProgress]:
    connection = session.connection()
    params = {"ids": unit_ids, "year": year}
    units = [dict(r._mapping) for r in connection.execute(_UNITS, params)]
    answers: dict[int, dict[str, AnswerRecord]] = defaultdict(dict)
    for r in connection.execute(_ANSWERS, params):
        row = dict(r._mapping)
        answers[row["assessment_id"]][row["indicator_id"]] = answer_record(row)
    evidence_rows: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    links: dict[int, list[str]] = defaultdict(list)
    for r in connection.execute(_EVIDENCE, params):
        row = dict(r._mapping)
        evidence_rows[row["assessment_id"]][row["evidence_id"]] = row
        links[row["evidence_id"]].append(row["indicator_id"])
    found = {}
    for row in units:
        unit = unit_record(row)
        assessment_id = row["assessment_id"]
        if assessment_id is None:
            found[unit.id] = UnitProgress(_not_started(unit, year), started=False)
            continue
        evidence = tuple(
            evidence_record(e, tuple(links[evidence_id]))
            for evidence_id, e in evidence_rows[assessment_id].items()
        )
        record = assessment_record(
            row, unit=unit, answers=answers[assessment_id], evidence=evidence
        )
        found[unit.id] = UnitProgress.of(record)
    return found


def _not_started(unit: UnitRecord, year: int) -> AssessmentRecord:
    """An empty draft on the current rulebook of the unit's tier, never stored (id 0)."""
    rulebook = load_rulebook(TT24_BY_TIER[unit.tier])
    return AssessmentRecord(
        id=0,
        unit=unit,
        year=year,
        ruleset_id=rulebook.id,
        ruleset_version=rulebook.version,
        status="draft",
        members=None,
        learners=None,
        level1_decision_date=None,
        recognition_decision_number=None,
        recognition_decision_date=None,
    )


def load_in(session: Session, unit_ids: Sequence[int], year: int) -> dict[int, UnitProgress]:
    """`load_progress` inside a caller's transaction (the dashboard's standing refresh reads and
    writes back in one)."""
    return _load(session, sorted(set(unit_ids)), year)
