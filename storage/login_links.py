"""One-time dashboard login links: issued from the chat (/dangnhap) or the command line, used
once within `LOGIN_LINK_TTL` (issue 15).

The token is 32 random bytes (URL-safe base64); only its sha256 is stored, as for invite and
/lienket codes, so a leaked database holds no working link. Consuming is one conditional
UPDATE (unused and unexpired), so two tabs opening the same link at once log in once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.tables import LoginLink, Person
from storage.types import utcnow

LOGIN_LINK_TTL = dt.timedelta(minutes=15)
LOGIN_PATH = "/dangnhap/"
"""The dashboard's login route; a link is `base_url + LOGIN_PATH + token`."""
IssuedVia = Literal["cli", "telegram", "zalo", "console", "web"]
ConsumeOutcome = Literal["ok", "unknown", "used", "expired"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(
    session: Session, *, person_id: int, via: IssuedVia, now: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """A new link's token and its expiry (UTC). Earlier unused links of the person stay valid
    until they expire: each is single-use anyway."""
    moment = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires_at = moment + LOGIN_LINK_TTL
    session.add(
        LoginLink(
            token_hash=token_hash(token),
            person_id=person_id,
            expires_at=expires_at,
            issued_via=via,
            created_at=moment,
        )
    )
    session.flush()
    return token, expires_at


def consume(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> tuple[ConsumeOutcome, int | None]:
    """Use the link once: ("ok", person id), or why not ("unknown", "used", "expired", None)."""
    moment = now or utcnow()
    digest = token_hash(token)
    claimed = session.exec(
        update(LoginLink)
        .where(
            col(LoginLink.token_hash) == digest,
            col(LoginLink.used_at).is_(None),
            col(LoginLink.expires_at) > moment,
        )
        .values(used_at=moment)
        .returning(col(LoginLink.person_id))
    )
    person_id = claimed.scalar_one_or_none()
    if person_id is not None:
        return "ok", int(person_id)
    row = session.exec(select(LoginLink).where(LoginLink.token_hash == digest)).first()
    if row is None or session.get(Person, row.person_id) is None:
        return "unknown", None
    return ("used" if row.used_at is not None else "expired"), None
