"""Queueing a notice (issue 15): one `notices` row and one reminder of kind "notice" per
person concerned, to the chat they used last, due at once. Written in the caller's transaction,
so a dossier's return (or recognition, or submission) and the word of it commit together or
not at all.

The recipients are chosen in SQL with the reminders' own `reach` (`storage.reminders_sql`): a
person with Telegram and Zalo linked is told once, in the app they wrote from last; a chat
that blocked the bot is not reachable. `reminders_off` (/tatnhacnho) is NOT consulted: it
turns off deadline pushes, not the office's decisions about one's own dossier. The dispatcher
then delivers these rows like any reminder (paced, retried), but at once: not held by quiet
hours or holidays (`reminders.dispatcher`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlmodel import Session

from storage.reminders_sql import _reach, _run
from storage.tables import Notice

Audience = Literal["members", "reviewers"]
NOTICE_KIND = "notice"

_PEOPLE = {
    "members": "SELECT DISTINCT person_id FROM memberships WHERE unit_id = CAST(:unit AS INTEGER)",
    "reviewers": (
        "SELECT DISTINCT person_id FROM reviewer_scopes WHERE office_id = CAST(:office AS INTEGER)"
    ),
}


def queue_notice(
    session: Session,
    *,
    text: str,
    audience: Audience,
    unit_id: int,
    office_id: int | None,
    year: int | None,
    created_by: int | None,
    now: dt.datetime,
) -> int:
    """Write the notice and its deliveries; the number of chats it will go to. `audience`
    "members": every member (admins included) of `unit_id`; "reviewers": every reviewer of
    `office_id` (none when the unit has no office)."""
    notice = Notice(text=text, unit_id=unit_id, created_by=created_by, created_at=now)
    session.add(notice)
    session.flush()
    assert notice.id is not None
    if audience == "reviewers" and office_id is None:
        return 0
    rows, _ = _run(
        session,
        f"WITH {_reach()}, people AS ({_PEOPLE[audience]}) "
        "INSERT INTO reminders (identity_id, person_id, unit_id, office_id, notice_id, year, "
        "deadline_key, kind, due_at, status, attempts, created_at) "
        "SELECT ci.id, people.person_id, CAST(:unit AS INTEGER), CAST(:office AS INTEGER), "
        "CAST(:notice AS INTEGER), :year, :key, :kind, :now, 'planned', 0, :now "
        "FROM people JOIN reach ci ON ci.person_id = people.person_id WHERE ci.id IS NOT NULL "
        "ON CONFLICT (identity_id, deadline_key, kind) DO NOTHING RETURNING id",
        {
            "unit": unit_id,
            "office": office_id,
            "notice": notice.id,
            "year": year,
            "key": f"notice:{notice.id}",
            "kind": NOTICE_KIND,
            "now": now,
        },
    )
    return len(rows)
