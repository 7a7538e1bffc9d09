"""People, their channel identities and their memberships."""

from __future__ import annotations

from sqlmodel import Session, col, select

from conversations.errors import AccessDenied
from conversations.records import Actor, MembershipRecord, PersonRecord, Role
from storage.schemas import NewPerson
from storage.tables import ChannelIdentity, Membership, Person


class PersonRepository:
    def find(self, session: Session, *, channel: str, external_id: str) -> PersonRecord | None:
        result = session.exec(
            select(Person)
            .join(ChannelIdentity, col(ChannelIdentity.person_id) == Person.id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
        )
        person = result.first()
        return None if person is None else _record(person)

    def get_or_create(self, session: Session, *, data: NewPerson) -> PersonRecord:
        """The person behind a channel account, created on first contact."""
        found = self.find(session, channel=data.channel, external_id=data.external_id)
        if found is not None:
            return found
        person = Person(display_name=data.display_name)
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(
            ChannelIdentity(
                person_id=person.id, channel=data.channel, external_id=data.external_id
            )
        )
        session.flush()
        return _record(person)

    def set_reachable(
        self, session: Session, *, channel: str, external_id: str, reachable: bool
    ) -> None:
        """Mark an identity inactive when the user blocked the bot, active when they return."""
        result = session.exec(
            select(ChannelIdentity).where(
                ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
            )
        )
        identity = result.first()
        if identity is not None:
            identity.active = reachable
            session.add(identity)

    def memberships(
        self, session: Session, *, actor: Actor, person_id: int
    ) -> list[MembershipRecord]:
        if not actor.system and actor.person_id != person_id:
            raise AccessDenied(f"{actor.label} may not list another person's units")
        result = session.exec(
            select(Membership)
            .where(Membership.person_id == person_id)
            .order_by(col(Membership.id))
        )
        return [
            MembershipRecord(person_id=m.person_id, unit_id=m.unit_id, role=_role(m.role))
            for m in result.all()
        ]


def _role(role: str) -> Role:
    return "unit_admin" if role == "unit_admin" else "member"


def _record(person: Person) -> PersonRecord:
    assert person.id is not None
    return PersonRecord(id=person.id, display_name=person.display_name)
