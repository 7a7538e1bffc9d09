"""SQLModel tables. Rows are written only from validated input (see `storage.schemas`).

Answers are append-only revisions: every change is a new row and the latest one counts, so
two members editing at once never overwrite each other and reviewers see the whole history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Text, UniqueConstraint, event, false, text
from sqlmodel import Field, SQLModel

from dvht_core import workflow
from dvht_core.limits import EARLIEST_DECISION_YEAR, MAX_MEMBERS, MAX_YEAR, MIN_YEAR
from storage import search_name
from storage.types import UTCDateTime, utcnow

# A naming convention from the first migration on, so constraints have stable names on both
# backends and later renames need no guesswork (engineering notes §5.5).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

TIERS = ("huyen", "tinh")
ROLES = ("member", "unit_admin")
STATUSES = workflow.STATUSES
CHANNELS = ("telegram", "zalo", "console")
EVIDENCE_KINDS = ("file", "photo", "reference")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _between(column: str, low: object, high: object) -> str:
    """A range CHECK; NULL passes (SQL's CHECK fails only on false). Dates are ISO literals,
    which PostgreSQL reads as dates and SQLite compares as the ISO text it stores."""
    return f"{column} BETWEEN {low!r} AND {high!r}"


ASSESSMENT_BOUNDS = (
    CheckConstraint(_between("year", MIN_YEAR, MAX_YEAR), name="year"),
    CheckConstraint(_between("members", 0, MAX_MEMBERS), name="members"),
    CheckConstraint(_between("learners", 0, MAX_MEMBERS), name="learners"),
    CheckConstraint(
        _between("level1_decision_date", f"{EARLIEST_DECISION_YEAR}-01-01", f"{MAX_YEAR}-12-31"),
        name="level1_decision_date",
    ),
)
"""The database's own guard on what breaks a whole unit when wrong (issue 11): the reader and
`storage.schemas` refuse these values first; migration c5d1e8a24b63 adds them."""


class Office(SQLModel, table=True):
    """A reviewing office (Phòng/Sở GD&ĐT, or the office a province designates since 1/7/2025)."""

    __tablename__ = "offices"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    province: str = Field(max_length=100, index=True)
    kind: str | None = Field(default=None, max_length=30)
    """What sort of office (issue 15, `dvht office add --kind`): e.g. "so_gddt" for a Sở GD&ĐT,
    "ubnd_xa" for a commune People's Committee; None when not said."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Unit(SQLModel, table=True):
    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(_one_of("tier", TIERS), name="tier"),
        Index(
            "ix_units_unfolded",
            "id",
            sqlite_where=text("search_name IS NULL"),
            postgresql_where=text("search_name IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    tier: str = Field(max_length=10)
    unit_type: str = Field(max_length=30)
    province: str = Field(max_length=100, index=True)
    office_id: int | None = Field(default=None, foreign_key="offices.id", index=True)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    search_name: str | None = Field(default=None, max_length=300)
    """`name` folded for the dashboard's search (`storage.search_name`): set on every ORM
    insert and update (listener below); NULL on rows written by hand until the board fills it."""


@event.listens_for(Unit, "before_insert")
@event.listens_for(Unit, "before_update")
def _fold_name(_mapper: Any, _connection: Any, unit: Unit) -> None:
    unit.search_name = search_name.fold(unit.name)


class Person(SQLModel, table=True):
    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=200)
    reminders_off: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """The person said /tatnhacnho: no deadline pushes (broadcasts and decisions still come)."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChannelIdentity(SQLModel, table=True):
    """A person's account on one channel; one person may have both Telegram and Zalo."""

    __tablename__ = "channel_identities"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        CheckConstraint(_one_of("channel", CHANNELS), name="channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    channel: str = Field(max_length=10)
    external_id: str = Field(max_length=64)
    active: bool = Field(default=True)
    """False once the user blocked the bot (Telegram 403): no more pushes."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: dt.datetime | None = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=True
    )
    """When this account last wrote to the bot (issue 14): a person's reminders go to the
    account seen last. Set with every message (`storage.dialogue_sql`); rows written before the
    column existed were backfilled from their conversation's last save."""
    link_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """Wrong /lienket codes typed from this account since its last lock or link (issue 14)."""
    link_locked_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    """After five wrong codes, /lienket CODE is refused from this account until then."""


class Membership(SQLModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "unit_id"),
        CheckConstraint(_one_of("role", ROLES), name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    role: str = Field(max_length=20)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewerScope(SQLModel, table=True):
    """A reviewer may read, return and recognise the units whose receiving office this is."""

    __tablename__ = "reviewer_scopes"
    __table_args__ = (UniqueConstraint("person_id", "office_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InviteCode(SQLModel, table=True):
    """Only the code's sha256 is stored: a leaked database does not leak working codes."""

    __tablename__ = "invite_codes"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    role: str = Field(default="member", max_length=20)
    max_uses: int | None = Field(default=None)
    """None: any number of colleagues may join with it until it expires."""
    uses: int = Field(default=0)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="people.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssessmentRow(SQLModel, table=True):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("unit_id", "year"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        *ASSESSMENT_BOUNDS,
        Index("ix_assessments_status_unit", "status", "unit_id"),
        Index(
            "ix_assessments_stale",
            "year",
            "unit_id",
            sqlite_where=text("standing_at IS NULL"),
            postgresql_where=text("standing_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    year: int
    ruleset_id: str = Field(max_length=40)
    ruleset_version: str = Field(max_length=20)
    status: str = Field(default="draft", max_length=20)
    members: int | None = Field(default=None)
    learners: int | None = Field(default=None)
    level1_decision_date: dt.date | None = Field(default=None)
    recognition_decision_number: str | None = Field(default=None, max_length=100)
    recognition_decision_date: dt.date | None = Field(default=None)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # --- submission and review (issue 15) ---
    submitted_level: int | None = Field(default=None)
    """The level the unit asked to be recognised at when it submitted (1 or 2)."""
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: int | None = Field(default=None)
    """The person who submitted (people.id; no foreign key: SQLite adds one only by rebuilding
    the table, which its references refuse — migration 8312d9082816)."""
    recognised_level: int | None = Field(default=None)
    """The level the office recognised (at most `submitted_level`)."""
    return_reason: str | None = Field(default=None, sa_type=Text)
    """Why the office last returned the dossier; every return is also in the audit log."""
    # --- the dashboard's cached standing (issue 15) ---
    standing_level: int | None = Field(default=None)
    """The self-assessed level (0, 1, 2) once every indicator is answered, else None."""
    standing_answered: int | None = Field(default=None)
    standing_total: int | None = Field(default=None)
    standing_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the three columns above were computed; None: stale (an answer, a total or the
    status changed since), recomputed by the dashboard's next read of the unit."""
    standing_failed: str | None = Field(default=None, max_length=300)
    """The indicators answered yet below level 1 at `standing_at`, comma-separated ("2.1,3.3";
    "" for none): the dashboard's chart of the indicators most often failed (issue 15, part C)
    reads them instead of evaluating every unit of a province on each view."""


class AnswerRevision(SQLModel, table=True):
    """One version of one indicator's answer; the row with the highest id is the current one."""

    __tablename__ = "answer_revisions"
    __table_args__ = (Index("ix_answer_revisions_lookup", "assessment_id", "indicator_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessments.id")
    indicator_id: str = Field(max_length=8)
    value: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    """The kind-specific value: met, count, learners_count, title or dt_level."""
    description: str | None = Field(default=None)
    strengths: str | None = Field(default=None)
    weaknesses: str | None = Field(default=None)
    answered_by: int | None = Field(default=None, foreign_key="people.id")
    answered_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Evidence(SQLModel, table=True):
    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint(_one_of("kind", EVIDENCE_KINDS), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessments.id", index=True)
    kind: str = Field(max_length=10)
    title: str = Field(max_length=500)
    """What the official calls it, e.g. “Kế hoạch số 12/KH-UBND ngày 10/01/2025”."""
    original_name: str | None = Field(default=None, max_length=255)
    mime_type: str | None = Field(default=None, max_length=100)
    size: int | None = Field(default=None)
    sha256: str | None = Field(default=None, max_length=64, index=True)
    storage_key: str | None = Field(default=None, max_length=200)
    doc_number: str | None = Field(default=None, max_length=100)
    doc_date: dt.date | None = Field(default=None)
    issuer: str | None = Field(default=None, max_length=300)
    uploaded_by: int | None = Field(default=None, foreign_key="people.id")
    uploaded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceFile(SQLModel, table=True):
    """Further files of one evidence item: the photos of a Telegram album are one item."""

    __tablename__ = "evidence_files"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    original_name: str | None = Field(default=None, max_length=255)
    mime_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64, index=True)
    storage_key: str = Field(max_length=200)
    added_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EvidenceIndicator(SQLModel, table=True):
    """One evidence item may support several indicators."""

    __tablename__ = "evidence_indicators"

    evidence_id: int = Field(foreign_key="evidence.id", primary_key=True)
    indicator_id: str = Field(max_length=8, primary_key=True)
    removed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the item was taken off this indicator (“xóa minh chứng 2”); the row, the item and its
    file stay, and the audit log names who removed it: nothing entered is lost."""
    removed_by: int | None = Field(default=None, foreign_key="people.id")


class ConversationState(SQLModel, table=True):
    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=10)
    user_id: str = Field(max_length=64)
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = Field(default=0)
    """Bumped on every save; a save from a stale version is refused (no lost update)."""
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessedUpdate(SQLModel, table=True):
    """Update ids already handled per channel, so a retried webhook changes nothing."""

    __tablename__ = "processed_updates"

    channel: str = Field(max_length=10, primary_key=True)
    update_id: str = Field(max_length=64, primary_key=True)
    processed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboxEntry(SQLModel, table=True):
    """An update a channel took on before handling it (Telegram long polling, `storage.inbox`).

    Recorded before Telegram is told the update arrived, so a crash at any later moment leaves
    a row that the next start finishes: `outcome` is written in the message's own transaction,
    so a row with an outcome was handled and only its replies may be missing; `finished_at` is
    set once the replies were sent. Finished rows are pruned after Telegram's 24 hours of
    redelivery (`storage.inbox.KEEP_FINISHED`).
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_id"),
        CheckConstraint(_one_of("channel", CHANNELS), name="channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    """Arrival order: the order a restart replays the unfinished rows in."""
    channel: str = Field(max_length=10)
    update_id: str = Field(max_length=64)
    payload: str = Field(sa_type=Text)
    """The update's JSON as the channel sent it."""
    outcome: str | None = Field(default=None, sa_type=Text)
    """JSON of the replies and the requested report's data, once the message's effects commit."""
    attempts: int = Field(default=1)
    """Times the update was taken up (1 on arrival, +1 for each replay after a restart)."""
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_person_id: int | None = Field(default=None, foreign_key="people.id")
    actor_label: str = Field(max_length=100)
    action: str = Field(max_length=50)
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


# --- deadline pushes (issue 13) ----------------------------------------------------------------
REMINDER_STATUSES = ("planned", "claimed", "sent", "skipped", "failed")
BROADCAST_SCOPES = ("province", "office", "unit")


class ReceivingOffice(SQLModel, table=True):
    """Who receives a tier's dossiers, and who recognises, from a date: TT24's district offices
    ended on 1/7/2025 and no text names their successor, so an office sets it for a province
    (`unit_id` None) or a unit admin for their own unit; the latest setting in effect wins."""

    __tablename__ = "receiving_offices"
    __table_args__ = (CheckConstraint(_one_of("tier", TIERS), name="tier"),)

    id: int | None = Field(default=None, primary_key=True)
    province: str = Field(max_length=100, index=True)
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    tier: str = Field(max_length=10)
    effective_from: dt.date
    office: str = Field(max_length=300)
    """The office that receives the dossier, as the province's plan names it."""
    authority: str | None = Field(default=None, max_length=300)
    """Who signs the recognition decision, when the plan says."""
    set_by: int | None = Field(default=None, foreign_key="people.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Deadline(SQLModel, table=True):
    """A date an office adds for the units of a province or of its scope (an internal date
    before the legal 15/01): the units' reminders count down to the earliest one in force."""

    __tablename__ = "deadlines"
    __table_args__ = (
        CheckConstraint("(province IS NULL) <> (office_id IS NULL)", name="one_scope"),
        CheckConstraint(_between("year", MIN_YEAR, MAX_YEAR), name="year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    year: int
    """The assessment year whose dossier the date is for."""
    due_on: dt.date
    title: str = Field(max_length=300)
    province: str | None = Field(default=None, max_length=100, index=True)
    office_id: int | None = Field(default=None, foreign_key="offices.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="people.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_by: int | None = Field(default=None, foreign_key="people.id")


class Broadcast(SQLModel, table=True):
    """An announcement to every reachable member in a scope; its deliveries are reminders of
    kind "broadcast", so a second run of the same text to the same scope sends only to whoever
    has not received it."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        UniqueConstraint("scope_kind", "scope_value", "text_sha256"),
        CheckConstraint(_one_of("scope_kind", BROADCAST_SCOPES), name="scope_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope_kind: str = Field(max_length=10)
    scope_value: str = Field(max_length=100)
    text: str = Field(sa_type=Text)
    text_sha256: str = Field(max_length=64)
    created_by: int | None = Field(default=None, foreign_key="people.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Reminder(SQLModel, table=True):
    """One push to one chat: the source of truth of the dispatcher.

    planned → claimed (with a lease) → sent, or skipped with a reason, or failed after the
    last attempt with its error. The unique key makes re-planning idempotent: planning again
    updates the due moment of a row still planned and never adds a second one.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("identity_id", "deadline_key", "kind"),
        CheckConstraint(_one_of("status", REMINDER_STATUSES), name="status"),
        Index("ix_reminders_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    identity_id: int = Field(foreign_key="channel_identities.id")
    """The chat it goes to (a person's Telegram, Zalo or console identity)."""
    person_id: int = Field(foreign_key="people.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    office_id: int | None = Field(default=None, foreign_key="offices.id")
    broadcast_id: int | None = Field(default=None, foreign_key="broadcasts.id")
    notice_id: int | None = Field(default=None, foreign_key="notices.id")
    """For kind "notice" (issue 15): the text to deliver."""
    year: int | None = Field(default=None)
    deadline_key: str = Field(max_length=60)
    """What it counts down to: "dossier:2026", "upgrade:17", "broadcast:3" …"""
    kind: str = Field(max_length=20)
    """"T-30" … "T-1", "admin-T-7", "reviewer-T-3", "upgrade", "expiry", "broadcast"."""
    deadline_on: dt.date | None = Field(default=None)
    due_at: dt.datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="planned", max_length=10)
    attempts: int = Field(default=0)
    lease_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    skip_reason: str | None = Field(default=None, max_length=100)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- one person, two channels (issue 14) -------------------------------------------------------


class LinkCode(SQLModel, table=True):
    """A one-time /lienket code: typed in another app within ten minutes, it joins that app's
    account to the person who asked for it (`storage.linking`). Only the code's sha256 is kept,
    as for invite codes; a code is used once (`used_at`)."""

    __tablename__ = "link_codes"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, index=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    issued_by: int = Field(foreign_key="channel_identities.id")
    """The account that asked for the code: typing it there again links nothing."""
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="channel_identities.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- submission, review and the dashboard (issue 15) ---------------------------------------------


class LoginLink(SQLModel, table=True):
    """A one-time dashboard login link (/dangnhap in the chat, `dvht reviewer add`, `dvht
    login-link`): only the token's sha256 is kept; used once, within 15 minutes."""

    __tablename__ = "login_links"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_via: str = Field(max_length=10)
    """"cli", "telegram", "zalo" or "web": where the link was asked for."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A dashboard session, stored server-side: the cookie carries a random token whose sha256
    is kept here. It ends after 8 hours without a request, or at logout (`ended_at`)."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class Notice(SQLModel, table=True):
    """A one-off message to people's chats that is not a deadline push: a dossier submitted (to
    the office's reviewers), returned or recognised (to the unit's members). Its deliveries are
    reminders of kind "notice" due at once, so the dispatcher delivers them with its retries
    and pacing, and a person who turned reminders off still gets them."""

    __tablename__ = "notices"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    unit_id: int | None = Field(default=None, foreign_key="units.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="people.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RosterRow(SQLModel, table=True):
    """A member roster read from a spreadsheet (issue 16): staged when read, so the official
    sees the counts before anything changes, then confirmed (its counts recorded as answers and
    the file linked as evidence) or left pending. A newer roster of the same assessment, staged
    or confirmed, supersedes the older ones: a preview shown before cannot be confirmed over it.

    The names are kept because the gaps name the people still missing, to the unit's admins
    only; reports read the counts from the answers, never this table."""

    __tablename__ = "rosters"
    __table_args__ = (Index("ix_rosters_assessment", "assessment_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessments.id")
    staged_by: int | None = Field(default=None, foreign_key="people.id")
    """Who sent the file; None for the operator at the command line (the audit log says so)."""
    staged_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by: int | None = Field(default=None, foreign_key="people.id")
    confirmed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    superseded_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200)
    original_name: str = Field(max_length=255)
    size: int
    mime_type: str = Field(max_length=100)
    indicator_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    """The member indicators the file had a column for: only these are recorded."""
    members: list[Any] = Field(default_factory=list, sa_type=JSON)
    """[[row, name, position, [indicator ids]], …] in sheet order."""
    classes: list[Any] = Field(default_factory=list, sa_type=JSON)
    """[[row, class, total, citizens], …]: the learners of a tỉnh-tier school."""
    problems: list[Any] = Field(default_factory=list, sa_type=JSON)
    """[[sheet, row, column, sentence], …]: what the reader did not count, as shown."""
    problem_count: int = 0
    evidence_id: int | None = Field(default=None, foreign_key="evidence.id")
    """The evidence item the file became when confirmed; a later confirmed roster takes it off
    its indicators, so the dossier carries the current list only."""
