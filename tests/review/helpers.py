"""Reading back what a review did: the assessment row, the audit log, the notices queued."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from storage.db import Database
from storage.uow import read


async def rows(database: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in session.execute(text(sql), params)]

    found: list[dict[str, Any]] = await read(database, work)
    return found


async def assessment(database: Database, unit_id: int, year: int = 2026) -> dict[str, Any]:
    found = await rows(
        database, "SELECT * FROM assessments WHERE unit_id = :u AND year = :y", u=unit_id, y=year
    )
    assert len(found) == 1
    return found[0]


async def status_audit(database: Database, unit_id: int) -> list[dict[str, Any]]:
    found = await rows(
        database,
        "SELECT * FROM audit_log WHERE unit_id = :u AND action = 'assessment.status' ORDER BY id",
        u=unit_id,
    )
    for row in found:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return found


async def notices(database: Database) -> list[dict[str, Any]]:
    """Each queued notice delivery with its chat and text, in the order queued."""
    return await rows(
        database,
        "SELECT r.*, ci.external_id AS chat, n.text AS text FROM reminders r "
        "JOIN channel_identities ci ON ci.id = r.identity_id "
        "JOIN notices n ON n.id = r.notice_id WHERE r.kind = 'notice' ORDER BY r.id",
    )
