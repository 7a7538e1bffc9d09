"""The ports the conversation service needs; `storage` implements them.

Each inbound message is handled in one transaction (`DialogueStore.run`): the work function
receives a `DialogueTx` whose methods are synchronous because they all run inside that one
transaction, off the event loop. File transfer is async and happens before (see `FileSource`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from conversations.messages import Attachment, FileInfo, Outbound, StoredEvidence
from conversations.records import (
    AssessmentRecord,
    EvidenceRecord,
    InviteRecord,
    MembershipRecord,
    PersonRecord,
    UnitChange,
    UnitRecord,
)
from conversations.submission import Submitted
from dvht_core.assessment import Assessment
from dvht_core.model import Rulebook
from dvht_core.roster import Roster, RosterConfirmed
from dvht_core.unit_calendar import UnitCalendar

T = TypeVar("T")


class DialogueTx(Protocol):
    """Everything one message may read or write, inside one transaction."""

    def claim_update(self, *, channel: str, update_id: str) -> bool:
        """False if this update was handled before (a webhook retry or a replay)."""
        ...

    def sender(
        self, *, channel: str, user_id: str, display_name: str
    ) -> tuple[PersonRecord, dict[str, Any], int]:
        """Who sent the message (created on first contact, reachable again if they had blocked
        the bot), their saved conversation state and its version (`{}` and 0 before the first
        save), read together: one call per message, in any order with the other methods."""
        ...

    def saved_state(self, *, channel: str, user_id: str) -> dict[str, Any]:
        """A user's saved conversation state, `{}` for someone unknown (read only: nobody is
        created, unlike `sender`)."""
        ...

    def save_state(
        self, *, channel: str, user_id: str, state: dict[str, Any], version: int
    ) -> int:
        """Save over `version` and return the new one; raise StaleState if another message
        saved first (the service then handles this one again)."""
        ...

    def context(
        self, *, person_id: int, unit_id: int | None, year: int
    ) -> tuple[list[MembershipRecord], UnitRecord | None, AssessmentRecord | None]:
        """The person's memberships, the unit to work on (`unit_id` if the person belongs to
        it, else their first unit, else None) and its assessment for `year`, created as a
        draft on first use."""
        ...

    def set_receiving_office(
        self, *, person_id: int, unit: UnitRecord, year: int, office: str, on: dt.date
    ) -> tuple[UnitChange, ...]:
        """A unit admin names who receives the unit's dossiers from `on` (issue 13); the
        change (the office before and after, for assessment year `year`), or none when it was
        already that one."""
        ...

    def calendar(self, *, unit: UnitRecord, year: int) -> UnitCalendar:
        """The unit's calendar for assessment year `year`: its offices' dates and who receives
        its dossier (issue 13); read only when a message asks about them."""
        ...

    def set_totals(
        self,
        *,
        person_id: int,
        assessment_id: int,
        members: int | None = None,
        learners: int | None = None,
    ) -> None: ...

    def record_answer(
        self,
        *,
        person_id: int,
        assessment_id: int,
        indicator_id: str,
        value: dict[str, Any],
        description: str | None = None,
        strengths: str | None = None,
        weaknesses: str | None = None,
    ) -> None: ...

    def add_evidence(
        self,
        *,
        person_id: int,
        assessment_id: int,
        indicator_id: str,
        title: str,
        stored: StoredEvidence | None = None,
        photo: bool = False,
    ) -> EvidenceRecord: ...

    def attach_file(self, *, person_id: int, evidence_id: int, stored: StoredEvidence) -> int:
        """Add a file to an evidence item (an album's further photos); the item's file count."""
        ...

    def remove_evidence(self, *, person_id: int, evidence_id: int, indicator_id: str) -> str:
        """Take an evidence item off an indicator, recorded (who, when, the title), never
        deleted; return its title."""
        ...

    def rename_evidence(
        self, *, person_id: int, evidence_id: int, indicator_id: str, title: str
    ) -> str:
        """Give an indicator's evidence item a new title (the old one stays in the audit log);
        return the old title."""
        ...

    def create_unit(
        self, *, person_id: int, name: str, province: str, tier: str, unit_type: str
    ) -> UnitRecord: ...

    def create_invite(self, *, person_id: int, unit_id: int) -> InviteRecord: ...

    def update_unit(
        self, *, person_id: int, unit_id: int, year: int, changes: Mapping[str, object]
    ) -> tuple[UnitChange, ...]:
        """Correct the unit's details (the totals of its `year` assessment) as its admin; what
        changed. Raises AccessDenied for a member, InputError (Vietnamese) for a change the
        stored answers do not allow (issue 12, item 3)."""
        ...

    def redeem_invite(self, *, person_id: int, code: str) -> MembershipRecord: ...

    def keep_replies(
        self,
        *,
        channel: str,
        update_id: str,
        replies: Sequence[Outbound],
        report: dict[str, Any] | None,
    ) -> None:
        """Keep the replies to an update (and the data of the report it asked for) with the
        update in the channel's inbox, in this transaction: they commit with the message's
        effects or not at all. Nothing is kept for an update that is in no inbox."""
        ...

    def set_reminders_off(self, *, person_id: int, off: bool) -> None:
        """/tatnhacnho (`off`) and /batnhacnho: whether the person gets deadline reminders."""
        ...

    def kept_replies(self, *, channel: str, update_id: str) -> KeptReplies | None:
        """What `keep_replies` kept for an update whose inbox entry is not finished yet (its
        replies may not have been sent when the process stopped); None otherwise."""
        ...

    def issue_link_code(self, *, channel: str, user_id: str, now: dt.datetime) -> LinkCodeIssued:
        """/lienket (issue 14): a one-time code for the sender's person, valid ten minutes from
        `now`; only its hash is stored, and the sender's previous code stops working."""
        ...

    def redeem_link_code(
        self, *, channel: str, user_id: str, code: str, now: dt.datetime
    ) -> LinkResult:
        """/lienket CODE typed in another app: the sender's account joins the person the code
        was given to (the merging rules: `storage.linking`), or why not. A refusal is counted
        against the account and committed with the reply (it never raises for a bad code)."""
        ...

    # --- submission and the dashboard's login (issue 15) ---

    def submission_refusal(self, *, person_id: int, unit_id: int, year: int) -> str | None:
        """Why the person cannot submit the unit's dossier of `year` now (one Vietnamese
        sentence: who can, what is missing, since when it is submitted), or None."""
        ...

    def submit(
        self,
        *,
        person_id: int,
        unit_id: int,
        year: int,
        level: int,
        now: dt.datetime,
        dashboard: str | None,
    ) -> Submitted:
        """Submit at `level` (draft|returned → self_assessed → submitted), the office's
        reviewers told; SubmitRefused when it cannot be submitted, or not at that level."""
        ...

    def issue_login_link(self, *, person_id: int, via: str, now: dt.datetime) -> str | None:
        """A one-time dashboard login token for a unit admin or reviewer (15 minutes), or None
        for anyone else."""
        ...

    # --- the member roster (issue 16; storage.roster_store) ---

    def stage_roster(
        self, *, person_id: int, assessment_id: int, roster: Roster, stored: StoredEvidence
    ) -> int:
        """Keep a roster read from a file as pending (names included), changing no answer;
        its id. Refuses as any edit does (AccessDenied, DossierLocked)."""
        ...

    def confirm_roster(self, *, person_id: int, roster_id: int) -> RosterConfirmed:
        """Record a staged roster: each count as an answer (history kept), the totals, the file
        as one evidence item of every roster indicator. DossierLocked when submitted;
        RosterNotPending for a roster already confirmed or superseded; InputError (Vietnamese)
        when a kept answer would exceed the roster's members total."""
        ...

    def latest_roster(self, *, assessment_id: int) -> Roster | None:
        """The assessment's latest confirmed roster, names included (for unit admins only: the
        service asks only for them)."""
        ...


@dataclass(frozen=True)
class KeptReplies:
    """The answer to an update, kept with it until its replies are sent (see
    `ConversationService.handle`): the replies as the engine made them, without files, and the
    data of the report they announce, rendered again when they are sent again."""

    replies: tuple[Outbound, ...]
    report: dict[str, Any] | None = None


class DialogueStore(Protocol):
    async def run(self, work: Callable[[DialogueTx], T], *, serial_key: str | None = None) -> T:
        """Run `work` in one transaction: all its writes commit together or none do.

        Transactions given the same `serial_key` (one user's messages: "channel:user_id") run
        one after the other even in several processes on one database: the second starts its
        work only once the first has ended, and sees what it wrote. `work` may run more than
        once (the store retries a transaction the database refused as busy); it must have no
        effects outside the transaction."""
        ...


class FileSource(Protocol):
    """Fetches an uploaded file's bytes from the channel (Telegram getFile, a local path…)."""

    async def fetch(self, file: FileInfo) -> bytes: ...


class EvidenceFiles(Protocol):
    """Stores evidence bytes; raises `EvidenceRefused` with a Vietnamese reason."""

    async def put(self, data: bytes, *, original_name: str) -> StoredEvidence: ...


class EvidenceRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReportRenderer(Protocol):
    """Builds the report's data inside the message's transaction, renders it after."""

    def build(
        self, rulebook: Rulebook, assessment: Assessment, *, today: dt.date
    ) -> dict[str, Any]:
        """The report's data, dated `today` (the service's date in Vietnam)."""
        ...

    async def render(self, data: dict[str, Any]) -> dict[str, bytes]:
        """The files by format: "pdf", and "docx" and "xlsx" where the renderer makes them."""
        ...


class ChartRenderer(Protocol):
    """The result's chart as a picture (issue 16): each count indicator's share against its
    level-1 and level-2 bars. Built inside the message's transaction from its snapshot,
    rendered after it, off the event loop."""

    def build(self, rulebook: Rulebook, assessment: Assessment) -> dict[str, Any] | None:
        """The chart's data, or None when no count indicator is answered (nothing to draw)."""
        ...

    async def render(self, data: dict[str, Any]) -> bytes | None:
        """The chart as a PNG, or None when there is nothing to draw."""
        ...


DeliveryStatus = Literal["sent", "blocked", "failed", "retry_after"]


@dataclass(frozen=True)
class Delivery:
    """What became of a push. "blocked": the person blocked the bot (or it left the group),
    so pushing again is pointless until they write; "retry_after": the channel's flood limit,
    push again after `retry_after_s` seconds; "failed": the channel kept failing (server or
    network errors after the sender's usual attempts, or a request it refused)."""

    status: DeliveryStatus
    retry_after_s: float | None = None


class Notifier(Protocol):
    """Pushes messages to a person's chat without an inbound update (reminders, the offices'
    decisions), one implementation per channel.

    A push never waits out a flood limit itself: it returns "retry_after" at once, so whoever
    paces the pushes (the reminder dispatcher) reschedules it. A person who blocked the bot is
    marked unreachable by the channel before "blocked" is returned. The messages go in order and
    the push stops at the first one not delivered, so a push is best kept to one message.
    """

    async def push(self, chat_id: str, messages: Sequence[Outbound]) -> Delivery:
        """`chat_id` is the channel's chat id: for a person's private chat, their user id."""
        ...


@dataclass(frozen=True)
class ReportLink:
    url: str
    """Signed: it works without a login, for this file only."""
    expires_at: dt.datetime
    """After this moment (UTC) the link answers "expired"; the person asks for the report again."""


class ReportLinks(Protocol):
    """Turns a rendered report file into a signed link that expires, for a channel that cannot
    carry the file itself (Zalo) or a reviewer's dashboard. Only the port so far: the HTTP
    backend issue implements it (it stores the file and serves the link)."""

    async def link(self, file: Attachment) -> ReportLink: ...


# --- the member roster (issue 16) -------------------------------------------------------------


class RosterRefused(Exception):
    """The file cannot be read as a roster at all (not XLSX, a zip bomb, no sheet with the
    template's header, no member row): nothing counts. `reason` is one Vietnamese sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RosterFiles(Protocol):
    """The roster spreadsheet (`reports.roster_xlsx`): the template to fill in, and a filled
    one read back. Reading never evaluates a formula (a cell's cached value, or a problem)."""

    def template(self, rulebook: Rulebook, *, unit_type: str, unit_name: str | None) -> Attachment:
        """The XLSX template for the unit type: one column per member indicator, with notes."""
        ...

    def read(self, data: bytes, rulebook: Rulebook, *, unit_type: str) -> Roster:
        """The roster with its row-level problems; raises `RosterRefused`."""
        ...


# --- one person, two channels (issue 14) -------------------------------------------------------


@dataclass(frozen=True)
class LinkCodeIssued:
    code: str
    """Six digits, shown once: only its hash is stored."""
    expires_at: dt.datetime


LinkOutcome = Literal["linked", "same_person", "own_code", "wrong", "expired", "used", "locked"]


@dataclass(frozen=True)
class LinkResult:
    """What became of a /lienket CODE."""

    outcome: LinkOutcome
    person: PersonRecord | None = None
    """The person the account belongs to now ("linked", "same_person")."""
    state: dict[str, Any] | None = None
    """The issuing account's saved conversation state: the typing account resumes there."""
    issuer_channel: str | None = None
    left_behind: bool = False
    """The account's previous person still has accounts in other apps (a re-link): they keep
    them, with their units."""
    attempts_left: int | None = None
    """Wrong codes still allowed before linking locks ("wrong", "expired", "used")."""
    locked_until: dt.datetime | None = None
    """"locked": no code is accepted from this account until then (UTC)."""
    refused: LinkOutcome | None = None
    """"locked" by this very code: why it was refused (the fifth wrong one)."""
