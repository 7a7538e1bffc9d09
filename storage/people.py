"""People, their channel identities and their memberships."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, col, select

from conversations.errors import AccessDenied
from conversations.records import Actor, MembershipRecord, PersonRecord
from storage.rows import columns, membership_record, person_record
from storage.runner import runner_for
from storage.schemas import NewPerson
from storage.tables import ChannelIdentity, Membership, Person

_SET_REACHABLE = text(
    "UPDATE channel_identities SET active = :active WHERE channel = :channel "
    "AND external_id = :external_id"
)


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
        """Mark an identity inactive when the user blocked the bot, active when they return
        (the chat does that on their next message: one statement, see `storage.runner`)."""
        runner_for(session).run(
            _SET_REACHABLE, {"active": reachable, "channel": channel, "external_id": external_id}
        )

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
        return [membership_record(m.model_dump()) for m in result.all()]


def _record(person: Person) -> PersonRecord:
    return person_record(columns(person, id_as="person_id"))
