"""One person, two channels (issue 14, item 5): /lienket codes and joining two accounts.

A person asks for a code in one app (`issue`) and types it in the other (`redeem`); the
account that typed it then belongs to the person who asked. Everything here runs in the
message's own transaction (`storage.dialogue_store`), so a link commits with the reply that
announces it, or not at all.

Codes. Six digits, because they are read off one phone and typed on another; valid ten
minutes, used once, one live code per account (asking again retires the previous one). Only
the code's sha256 is stored, as for invite codes (`storage.invites`): a leaked database shows
no live code outright. Six digits are a small space, so the hash alone would not stop someone
holding the database (they could try all million in a moment); what protects a code is its ten
minutes, its single use and the lock below. The rows found by the hash are compared again with
`hmac.compare_digest`, so nothing in Python depends on how much of a hash matched.

The lock. Every refused code typed from an account (unknown, expired or already used) counts
against that account; the fifth locks linking from it for 15 minutes and starts the count
again. A code typed in the very account that asked for it, or between two accounts that are
already one person, is no guess and counts nothing. A successful link clears the count.

Merging rules (what `redeem` does when the code is good):
- The issuer's person is kept. The account that typed the code (the "other" account) is moved
  to it: `channel_identities.person_id` becomes the issuer's person.
- The other account's previous person ("the other person") keeps its row, for history: answers
  and evidence keep their original `answered_by` / `uploaded_by`, so the assessment still shows
  who answered what under the name they had.
- Memberships of the other person in units the issuer's person lacks are given to the issuer's
  person; for a unit both belong to, the issuer's person keeps the higher role (a unit admin
  stays one, a member becomes one if the other person was). The same holds for reviewer scopes.
- If the other person has no account left after the move (the usual case: a person had one app
  each), their memberships and reviewer scopes are moved (so nobody is listed twice in a unit)
  and their planned reminders follow the account. If they still have accounts in other apps
  (that account had been linked before and is now linked elsewhere: a re-link), only the
  typing account moves; the other person keeps their remaining accounts, memberships and
  reminders, and the issuer's person is given copies of the memberships. The reply says so.
- The person's own settings (their name, /tatnhacnho) stay the issuer's.
- One audit-log entry, action "link_identity", names both persons, the account and what moved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import JSON, Integer, String, text
from sqlmodel import Session

from conversations.ports import LinkCodeIssued, LinkOutcome, LinkResult
from conversations.records import Actor, PersonRecord
from storage import audit
from storage.runner import runner_for

CODE_DIGITS = 6
VALID_FOR = dt.timedelta(minutes=10)
MAX_FAILURES = 5
LOCKED_FOR = dt.timedelta(minutes=15)
_ROLE_RANK = {"member": 0, "unit_admin": 1}


def normalise_code(code: str) -> str:
    """The digits of what was typed: “123 456” and “123-456” are one code."""
    return "".join(ch for ch in code if ch.isdigit())


def hash_code(code: str) -> str:
    return hashlib.sha256(f"lienket:{normalise_code(code)}".encode("ascii")).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _run(
    session: Session, sql: str, params: dict[str, Any], *, times: tuple[str, ...] = ()
) -> tuple[list[dict[str, Any]], int]:
    return runner_for(session).run(text(sql), params, time_columns=times)


def _identity(session: Session, *, channel: str, user_id: str) -> dict[str, Any]:
    rows, _ = _run(
        session,
        "SELECT id, person_id, link_failures, link_locked_until FROM channel_identities "
        "WHERE channel = :channel AND external_id = :user_id",
        {"channel": channel, "user_id": user_id},
        times=("link_locked_until",),
    )
    if not rows:  # the service identifies the sender first: this is a bug, not user input
        raise LookupError(f"no {channel} account {user_id!r}")
    return rows[0]


def issue(session: Session, *, channel: str, user_id: str, now: dt.datetime) -> LinkCodeIssued:
    """A new code for the sender's person, valid `VALID_FOR`; their previous live code
    (if any) stops working."""
    me = _identity(session, channel=channel, user_id=user_id)
    _run(
        session,
        "UPDATE link_codes SET expires_at = :now WHERE issued_by = :me AND used_at IS NULL "
        "AND expires_at > :now",
        {"me": me["id"], "now": now},
    )
    for _ in range(20):  # a million codes, a handful live at once: a clash is rare
        code = _new_code()
        clash, _ = _run(
            session,
            "SELECT id FROM link_codes WHERE code_hash = :hash AND used_at IS NULL "
            "AND expires_at > :now",
            {"hash": hash_code(code), "now": now},
        )
        if not clash:
            break
    else:  # pragma: no cover - 20 clashes in a row means far more live codes than people
        raise RuntimeError("no free link code")
    expires_at = now + VALID_FOR
    _run(
        session,
        "INSERT INTO link_codes (code_hash, person_id, issued_by, expires_at, created_at) "
        "VALUES (:hash, :person, :me, :expires, :now)",
        {
            "hash": hash_code(code),
            "person": me["person_id"],
            "me": me["id"],
            "expires": expires_at,
            "now": now,
        },
    )
    return LinkCodeIssued(code=code, expires_at=expires_at)


def redeem(
    session: Session, *, channel: str, user_id: str, code: str, now: dt.datetime
) -> LinkResult:
    """Link the sender's account to the person who was given `code` (see the module's rules)."""
    me = _identity(session, channel=channel, user_id=user_id)
    locked = me["link_locked_until"]
    if locked is not None and locked > now:
        return LinkResult("locked", locked_until=locked)
    found = _find(session, code)
    if found is None:
        return _failed(session, me, "wrong", now)
    if found["issued_by"] == me["id"]:
        return LinkResult("own_code")
    if found["used_at"] is not None:
        return _failed(session, me, "used", now)
    if found["expires_at"] <= now:
        return _failed(session, me, "expired", now)
    issuer = _issuer(session, found["issued_by"])
    keep = int(issuer["person_id"])
    if keep == me["person_id"]:
        _consume(session, found["id"], me["id"], now)
        return LinkResult("same_person", person=_person(session, keep))
    if not _consume(session, found["id"], me["id"], now):
        return _failed(session, me, "used", now)  # another message used it a moment ago
    moved = _merge(session, identity_id=me["id"], other=int(me["person_id"]), keep=keep)
    audit.record(
        session,
        actor=Actor.person(keep),
        action="link_identity",
        unit_id=None,
        details={
            "identity_id": me["id"],
            "channel": channel,
            "from_person": me["person_id"],
            "to_person": keep,
            "issued_by": found["issued_by"],
            "link_code_id": found["id"],
            **moved,
        },
    )
    return LinkResult(
        "linked",
        person=_person(session, keep),
        state=issuer["state"] or {},
        issuer_channel=str(issuer["channel"]),
        left_behind=bool(moved["left_behind"]),
    )


def _find(session: Session, code: str) -> dict[str, Any] | None:
    """The latest code row whose hash is this code's, or None."""
    wanted = hash_code(code)
    rows, _ = _run(
        session,
        "SELECT id, code_hash, person_id, issued_by, expires_at, used_at FROM link_codes "
        "WHERE code_hash = :hash ORDER BY id DESC",
        {"hash": wanted},
        times=("expires_at", "used_at"),
    )
    return next((r for r in rows if hmac.compare_digest(str(r["code_hash"]), wanted)), None)


def _failed(
    session: Session, me: dict[str, Any], reason: LinkOutcome, now: dt.datetime
) -> LinkResult:
    """Count a refused code against the account; the fifth locks it (and restarts the count)."""
    failures = int(me["link_failures"] or 0) + 1
    if failures >= MAX_FAILURES:
        until = now + LOCKED_FOR
        _run(
            session,
            "UPDATE channel_identities SET link_failures = 0, link_locked_until = :until "
            "WHERE id = :id",
            {"id": me["id"], "until": until},
        )
        return LinkResult("locked", locked_until=until, refused=reason)
    _run(
        session,
        "UPDATE channel_identities SET link_failures = :n WHERE id = :id",
        {"id": me["id"], "n": failures},
    )
    return LinkResult(reason, attempts_left=MAX_FAILURES - failures)


def _consume(session: Session, code_id: int, identity_id: int, now: dt.datetime) -> bool:
    """Use the code once: of two messages typing it at once, one gets it."""
    _, changed = _run(
        session,
        "UPDATE link_codes SET used_at = :now, used_by = :me WHERE id = :id AND used_at IS NULL",
        {"id": code_id, "me": identity_id, "now": now},
    )
    return changed != 0


_ISSUER = (
    "SELECT ci.person_id, ci.channel, cs.state FROM channel_identities ci "
    "LEFT JOIN conversation_states cs ON cs.channel = ci.channel AND cs.user_id = ci.external_id "
    "WHERE ci.id = :id"
)


def _issuer(session: Session, identity_id: int) -> dict[str, Any]:
    """The issuing account's person now (it may have been linked elsewhere since) and its
    conversation state, where the other account resumes."""
    statement = text(_ISSUER).columns(person_id=Integer, channel=String, state=JSON)
    rows, _ = runner_for(session).run(statement, {"id": identity_id}, json_columns=("state",))
    return rows[0]


def _person(session: Session, person_id: int) -> PersonRecord:
    rows, _ = _run(session, "SELECT display_name FROM people WHERE id = :id", {"id": person_id})
    return PersonRecord(id=person_id, display_name=str(rows[0]["display_name"]))


def _merge(session: Session, *, identity_id: int, other: int, keep: int) -> dict[str, Any]:
    """Move the account to `keep` and give `keep` what `other` had (the module's rules)."""
    rest, _ = _run(
        session,
        "SELECT COUNT(*) AS n FROM channel_identities WHERE person_id = :other AND id <> :id",
        {"other": other, "id": identity_id},
    )
    left_behind = int(rest[0]["n"]) > 0
    _run(
        session,
        "UPDATE channel_identities SET person_id = :keep, link_failures = 0, "
        "link_locked_until = NULL WHERE id = :id",
        {"keep": keep, "id": identity_id},
    )
    theirs, _ = _run(
        session,
        "SELECT m.id, m.unit_id, m.role, k.id AS kept_id, k.role AS kept_role "
        "FROM memberships m LEFT JOIN memberships k ON k.unit_id = m.unit_id "
        "AND k.person_id = :keep WHERE m.person_id = :other ORDER BY m.id",
        {"keep": keep, "other": other},
    )
    joined, raised = [], []
    for row in theirs:
        if row["kept_id"] is None:
            joined.append(int(row["unit_id"]))
            if left_behind:
                _run(
                    session,
                    "INSERT INTO memberships (person_id, unit_id, role, created_at) "
                    "SELECT :keep, unit_id, role, created_at FROM memberships WHERE id = :id",
                    {"keep": keep, "id": row["id"]},
                )
            else:
                _run(
                    session,
                    "UPDATE memberships SET person_id = :keep WHERE id = :id",
                    {"keep": keep, "id": row["id"]},
                )
            continue
        if _ROLE_RANK.get(str(row["role"]), 0) > _ROLE_RANK.get(str(row["kept_role"]), 0):
            raised.append(int(row["unit_id"]))
            _run(
                session,
                "UPDATE memberships SET role = :role WHERE id = :id",
                {"role": row["role"], "id": row["kept_id"]},
            )
        if not left_behind:  # the same unit twice: the other person's row would list them twice
            _run(session, "DELETE FROM memberships WHERE id = :id", {"id": row["id"]})
    scopes = _reviewer_scopes(session, other=other, keep=keep, move=not left_behind)
    if not left_behind:
        _run(
            session,
            "UPDATE reminders SET person_id = :keep WHERE identity_id = :id "
            "AND status = 'planned'",
            {"keep": keep, "id": identity_id},
        )
    return {
        "units_joined": joined,
        "roles_raised": raised,
        "reviewer_scopes": scopes,
        "left_behind": left_behind,
    }


def _reviewer_scopes(session: Session, *, other: int, keep: int, move: bool) -> list[int]:
    """The offices `other` reviews and `keep` does not: moved (or copied) to `keep`."""
    rows, _ = _run(
        session,
        "SELECT r.id, r.office_id FROM reviewer_scopes r WHERE r.person_id = :other "
        "AND NOT EXISTS (SELECT 1 FROM reviewer_scopes k WHERE k.person_id = :keep "
        "AND k.office_id = r.office_id) ORDER BY r.id",
        {"other": other, "keep": keep},
    )
    for row in rows:
        sql = (
            "UPDATE reviewer_scopes SET person_id = :keep WHERE id = :id"
            if move
            else "INSERT INTO reviewer_scopes (person_id, office_id, created_at) "
            "SELECT :keep, office_id, created_at FROM reviewer_scopes WHERE id = :id"
        )
        _run(session, sql, {"keep": keep, "id": row["id"]})
    return [int(r["office_id"]) for r in rows]
