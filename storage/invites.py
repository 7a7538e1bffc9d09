"""Invite codes: how colleagues join a unit. Stored hashed, expiring, limited, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import update
from sqlmodel import Session, col, select

from conversations.errors import InviteInvalid, NotFound
from conversations.records import Actor, InviteRecord, MembershipRecord
from storage import access, audit
from storage.rows import membership_record
from storage.schemas import NewInvite
from storage.tables import InviteCode, Membership
from storage.types import utcnow

# No 0/O, 1/I/L: officials read codes aloud and retype them on phones. 8 symbols of 31 are
# about 40 bits; with expiry and single use where wanted that is ample for joining a unit.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    """What a user typed, in the canonical form: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


class InviteRepository:
    def create(self, session: Session, *, actor: Actor, data: NewInvite) -> InviteRecord:
        access.ensure_unit_admin(session, actor, data.unit_id)
        code = new_code()
        expires_at = utcnow() + data.valid_for
        session.add(
            InviteCode(
                unit_id=data.unit_id,
                code_hash=hash_code(code),
                role=data.role,
                max_uses=data.max_uses,
                expires_at=expires_at,
                created_by=actor.person_id,
            )
        )
        audit.record(
            session,
            actor=actor,
            action="invite.create",
            unit_id=data.unit_id,
            details={
                "role": data.role,
                "max_uses": data.max_uses,
                "expires_at": expires_at.isoformat(),
            },
        )
        return InviteRecord(code, data.unit_id, data.role, expires_at, data.max_uses)

    def redeem(
        self, session: Session, *, code: str, person_id: int, now: dt.datetime | None = None
    ) -> MembershipRecord:
        """Join the code's unit; a code used again for a unit one already belongs to is a no-op."""
        now = now or utcnow()
        result = session.exec(select(InviteCode).where(InviteCode.code_hash == hash_code(code)))
        invite = result.first()
        if invite is None:
            raise InviteInvalid("unknown", "Mã mời không đúng; hãy kiểm tra lại với người gửi mã.")
        if invite.revoked_at is not None:
            raise InviteInvalid("revoked", "Mã mời này đã bị thu hồi; hãy xin mã mới.")
        if invite.expires_at <= now:
            raise InviteInvalid("expired", "Mã mời đã hết hạn; hãy xin quản trị đơn vị mã mới.")
        existing = session.exec(
            select(Membership).where(
                Membership.person_id == person_id, Membership.unit_id == invite.unit_id
            )
        )
        member = existing.first()
        if member is not None:
            return membership_record(member.model_dump())
        # Consume one use atomically: two colleagues racing for a single-use code cannot both
        # pass this check.
        consumed = session.exec(
            update(InviteCode)
            .where(
                col(InviteCode.id) == invite.id,
                col(InviteCode.revoked_at).is_(None),
                (col(InviteCode.max_uses).is_(None))
                | (col(InviteCode.uses) < col(InviteCode.max_uses)),
            )
            .values(uses=InviteCode.uses + 1)
        )
        if consumed.rowcount != 1:
            raise InviteInvalid("used_up", "Mã mời đã được dùng hết lượt; hãy xin mã mới.")
        joined = Membership(person_id=person_id, unit_id=invite.unit_id, role=invite.role)
        session.add(joined)
        audit.record(
            session,
            actor=Actor.person(person_id),
            action="invite.redeem",
            unit_id=invite.unit_id,
            details={"invite_id": invite.id},
        )
        session.flush()
        return membership_record(joined.model_dump())

    def revoke(self, session: Session, *, actor: Actor, code: str) -> None:
        result = session.exec(select(InviteCode).where(InviteCode.code_hash == hash_code(code)))
        invite = result.first()
        if invite is None:
            raise NotFound("invite")
        access.ensure_unit_admin(session, actor, invite.unit_id)
        invite.revoked_at = utcnow()
        session.add(invite)
        audit.record(
            session,
            actor=actor,
            action="invite.revoke",
            unit_id=invite.unit_id,
            details={"invite_id": invite.id},
        )
