"""Reading what linking did: the code a reply shows, and the rows behind the accounts."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from storage.db import Database
from storage.uow import read

_CODE = re.compile(r"Gõ /lienket (\d{6}) ")


def code_in(reply: str) -> str:
    found = _CODE.search(reply)
    assert found, reply
    return found.group(1)


def other_code(code: str) -> str:
    """A well-formed code that is not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def rows(database: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in session.execute(text(sql), params)]

    found: list[dict[str, Any]] = await read(database, work)
    return found


async def person_of(database: Database, channel: str, user_id: str) -> int:
    found = await rows(
        database,
        "SELECT person_id FROM channel_identities WHERE channel = :c AND external_id = :u",
        c=channel,
        u=user_id,
    )
    assert len(found) == 1, found
    return int(found[0]["person_id"])


async def memberships(database: Database, person_id: int) -> list[tuple[int, str]]:
    found = await rows(
        database,
        "SELECT unit_id, role FROM memberships WHERE person_id = :p ORDER BY unit_id",
        p=person_id,
    )
    return [(int(r["unit_id"]), str(r["role"])) for r in found]
