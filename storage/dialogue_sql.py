"""Hand-written SQL for the statements only the chat runs, on every message: claiming the
update, identifying the sender with their conversation state, saving it, listing their units.

A message runs six to ten statements and the conversation benchmark needs it in about 1 ms,
which the ORM's 0.3 ms a statement cannot give (the figures, and how the statements run on
each backend: `storage.runner`). Reading the assessment and writing an answer are shared with
the command line and live in `storage.assessment_sql`. Access is checked in the statements
themselves: a unit is reached only through the caller's own membership. Imported only by its
adapter, `storage.dialogue_store`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, bindparam, text
from sqlmodel import Session

from conversations.errors import StaleState
from storage.assessment_sql import ASSESSMENT_COLUMNS, UNIT_COLUMNS
from storage.runner import runner_for
from storage.types import UTCDateTime, utcnow

_CLAIM = text(
    "INSERT INTO processed_updates (channel, update_id, processed_at) "
    "VALUES (:channel, :update_id, :at) ON CONFLICT DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime))

_PERSON_AND_STATE = text(
    "SELECT ci.person_id, p.display_name, cs.state, cs.version, ci.active "
    "FROM channel_identities ci JOIN people p ON p.id = ci.person_id "
    "LEFT JOIN conversation_states cs ON cs.channel = ci.channel AND cs.user_id = ci.external_id "
    "WHERE ci.channel = :channel AND ci.external_id = :user_id"
).columns(person_id=Integer, display_name=String, state=JSON, version=Integer, active=Boolean)

_SENDER = (
    text(
        "UPDATE channel_identities SET last_seen_at = :at "
        "WHERE channel = :channel AND external_id = :user_id "
        "RETURNING person_id, active, "
        "(SELECT p.display_name FROM people p WHERE p.id = channel_identities.person_id) "
        "AS display_name, "
        "(SELECT cs.state FROM conversation_states cs "
        "WHERE cs.channel = :channel AND cs.user_id = :user_id) AS state, "
        "(SELECT cs.version FROM conversation_states cs "
        "WHERE cs.channel = :channel AND cs.user_id = :user_id) AS version"
    )
    .bindparams(bindparam("at", type_=UTCDateTime))
    .columns(person_id=Integer, active=Boolean, display_name=String, state=JSON, version=Integer)
)
"""`_PERSON_AND_STATE` for the message being handled: the same row, read by the statement that
marks the account as seen now (issue 14: reminders go to the app a person used last), so
keeping `last_seen_at` costs no statement of its own."""

_INSERT_STATE = text(
    "INSERT INTO conversation_states (channel, user_id, state, version, updated_at) "
    "VALUES (:channel, :user_id, :state, 1, :at) ON CONFLICT DO NOTHING"
).bindparams(bindparam("state", type_=JSON), bindparam("at", type_=UTCDateTime))

_UPDATE_STATE = text(
    "UPDATE conversation_states SET state = :state, version = version + 1, updated_at = :at "
    "WHERE channel = :channel AND user_id = :user_id AND version = :version"
).bindparams(bindparam("state", type_=JSON), bindparam("at", type_=UTCDateTime))

_UNITS = text(
    f"SELECT m.person_id, m.role, {UNIT_COLUMNS}, {ASSESSMENT_COLUMNS} "
    "FROM memberships m JOIN units u ON u.id = m.unit_id "
    "LEFT JOIN offices o ON o.id = u.office_id "
    "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year "
    "WHERE m.person_id = :person_id ORDER BY m.id"
)


def claim(session: Session, *, channel: str, update_id: str) -> bool:
    """Record an update as processed; False if it was already (a retry or a replay)."""
    _, changed = runner_for(session).run(
        _CLAIM, {"channel": channel, "update_id": update_id, "at": utcnow()}
    )
    return changed == 1


def person_and_state(session: Session, *, channel: str, user_id: str) -> dict[str, Any] | None:
    """The sender's row (`person_id, display_name, state, version, active`), None if unknown;
    `state` and `version` are None while their conversation was never saved."""
    rows, _ = runner_for(session).run(
        _PERSON_AND_STATE, {"channel": channel, "user_id": user_id}, json_columns=("state",)
    )
    return rows[0] if rows else None


def sender(session: Session, *, channel: str, user_id: str) -> dict[str, Any] | None:
    """`person_and_state` for the sender of the message being handled, marking their account
    as seen now (`last_seen_at`); None if unknown (their first message)."""
    rows, _ = runner_for(session).run(
        _SENDER, {"channel": channel, "user_id": user_id, "at": utcnow()}, json_columns=("state",)
    )
    return rows[0] if rows else None


def save_state(
    session: Session, *, channel: str, user_id: str, state: dict[str, Any], version: int
) -> int:
    """Save over `version` and return the new one; raise StaleState if someone saved first."""
    params = {"channel": channel, "user_id": user_id, "state": state, "at": utcnow()}
    runner = runner_for(session)
    if version == 0:
        _, changed = runner.run(_INSERT_STATE, params)
    else:
        _, changed = runner.run(_UPDATE_STATE, {**params, "version": version})
    if changed != 1:
        raise StaleState(f"{channel}:{user_id}")
    return version + 1


def units(session: Session, *, person_id: int, year: int) -> list[dict[str, Any]]:
    """The person's memberships, each with its unit and the unit's assessment for `year`
    (`assessment_id` None if not started), in the order they joined."""
    rows, _ = runner_for(session).run(_UNITS, {"person_id": person_id, "year": year})
    return rows


_REMINDERS_OFF = text("UPDATE people SET reminders_off = :off WHERE id = :person_id")


def set_reminders_off(session: Session, *, person_id: int, off: bool) -> None:
    """/tatnhacnho and /batnhacnho (issue 13): the person's own setting, so no access check
    beyond being the sender."""
    runner_for(session).run(_REMINDERS_OFF, {"off": off, "person_id": person_id})
