"""What the pure engine asks the service to store, and what one step returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.messages import Outbound, StoredEvidence
from conversations.state import State
from dvht_core.roster import Roster


@dataclass(frozen=True, slots=True)
class RecordAnswer:
    indicator_id: str
    value: dict[str, Any]
    description: str | None = None
    strengths: str | None = None
    weaknesses: str | None = None


@dataclass(frozen=True, slots=True)
class SetTotals:
    members: int | None = None
    learners: int | None = None


@dataclass(frozen=True, slots=True)
class AddEvidence:
    indicator_id: str
    title: str
    stored: StoredEvidence | None = None
    photo: bool = False
    group: str | None = None
    """Telegram's media group id: the album's further files join this item."""


@dataclass(frozen=True, slots=True)
class AttachFile:
    """A further photo of an album the official sent at once: part of the same evidence."""

    group: str
    stored: StoredEvidence


@dataclass(frozen=True, slots=True)
class RemoveEvidence:
    """“xóa minh chứng 2”: the item is taken off the indicator (recorded, never deleted)."""

    indicator_id: str
    evidence_id: int


@dataclass(frozen=True, slots=True)
class RenameEvidence:
    """“đổi tên minh chứng 2 thành …”."""

    indicator_id: str
    evidence_id: int
    title: str


@dataclass(frozen=True, slots=True)
class CreateUnit:
    name: str
    province: str
    tier: str
    unit_type: str
    members: int


@dataclass(frozen=True, slots=True)
class JoinUnit:
    code: str


@dataclass(frozen=True, slots=True)
class UpdateUnit:
    """A unit admin's correction of the unit's details (None: unchanged); the totals are the
    current assessment's (conversations/unit_details.py)."""

    name: str | None = None
    province: str | None = None
    tier: str | None = None
    unit_type: str | None = None
    members: int | None = None
    learners: int | None = None
    receiving_office: str | None = None
    """Who receives the unit's dossier from today, as the province's plan names it (issue 13):
    stored in `receiving_offices` for this unit, not among the unit's details."""

    def changes(self) -> dict[str, object]:
        fields = ("name", "province", "tier", "unit_type", "members", "learners")
        return {f: getattr(self, f) for f in fields if getattr(self, f) is not None}


@dataclass(frozen=True, slots=True)
class SetReminders:
    """/tatnhacnho (`off`) or /batnhacnho: the person's deadline reminders (issue 13)."""

    off: bool


@dataclass(frozen=True, slots=True)
class IssueLinkCode:
    """/lienket (issue 14): a one-time code for the sender's person."""


@dataclass(frozen=True, slots=True)
class RedeemLinkCode:
    """/lienket CODE (issue 14): join the sender's account to the code's person."""

    code: str


@dataclass(frozen=True, slots=True)
class CheckSubmission:
    """/nop (issue 15): may the sender submit now? The service asks storage (who the unit's
    admins are, the dossier's status) and words the answer with `conversations.submitting`."""


@dataclass(frozen=True, slots=True)
class Submit:
    """“Có” to the submission's question: submit at `level`, the level the question showed
    (storage refuses if the answers reach another one by now)."""

    level: int


@dataclass(frozen=True, slots=True)
class IssueLoginLink:
    """/dangnhap (issue 15): a one-time dashboard login link for a unit admin or reviewer."""


@dataclass(frozen=True, slots=True)
class StageRoster:
    """A roster file read before the transaction (issue 16): keep it pending, change nothing;
    the service then asks “Ghi các số này?” (`conversations.roster_chat.staged`)."""

    roster: Roster
    stored: StoredEvidence


@dataclass(frozen=True, slots=True)
class ConfirmRoster:
    """“Có” to the roster's question: record its counts, totals and evidence."""

    roster_id: int


Effect = (
    RecordAnswer
    | SetTotals
    | AddEvidence
    | AttachFile
    | RemoveEvidence
    | RenameEvidence
    | CreateUnit
    | JoinUnit
    | UpdateUnit
    | SetReminders
    | IssueLinkCode
    | RedeemLinkCode
    | CheckSubmission
    | Submit
    | IssueLoginLink
    | StageRoster
    | ConfirmRoster
)


@dataclass(slots=True)
class Transition:
    """One message handled by the engine: the new state (the old one is left as it was).
    Built once and never changed (not frozen, as `Outcome`: cheaper to build)."""

    state: State
    replies: tuple[Outbound, ...] = ()
    effects: tuple[Effect, ...] = ()
    reload: bool = False
    """The effects change the context (a new unit, totals): ask again after reloading."""
