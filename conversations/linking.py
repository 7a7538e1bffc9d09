"""/lienket: one person, two channels (issue 14, item 5).

An official who uses both Telegram and Zalo types /lienket in one app and gets a one-time
6-digit code; typing “/lienket 123456” in the other app makes that account the same person, who
then goes on with the same unit and assessment, at the indicator the first app is on. The
codes, the lock after five wrong ones and the merging rules are storage's
(`storage.linking`); this module reads the request and words the outcome. It works the same on
every channel, the console included, since it only reads typed text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from unidecode import unidecode

from conversations import catalogue as say
from conversations import state as st
from conversations import steps
from conversations.context import Context
from conversations.effects import IssueLinkCode, RedeemLinkCode, Transition
from conversations.messages import Outbound
from conversations.navigation import resume
from conversations.outcome import Outcome, again
from conversations.ports import LinkCodeIssued, LinkResult
from conversations.state import State

CODE_DIGITS = 6
CODE_KIND = "link_code"
"""The reply that shows a code: never kept with an update in the inbox (`without_codes`)."""

_REQUEST = re.compile(r"^(/)?\s*(lien\s*_?\s*ket|link)(?:@\w+)?(?:\s+(.*))?$", re.S)
"""“/lienket”, “liên kết”, “lien ket”, “/link”, “/lienket@bot”, each with what follows (the
code)."""
_CODE_LIKE = re.compile(r"^[\d\s.\-]+$")
"""What a typed code may hold: digits, with spaces, dashes or dots between groups."""
_WALK_STEPS = frozenset(
    {
        st.VALUE,
        st.CONFIRM_PCT,
        st.ASK_LEARNERS,
        st.LEARNERS_VALUE,
        st.EVIDENCE,
        st.DESCRIPTION,
        st.STRENGTHS,
    }
)
"""The steps about one indicator: an account that links resumes at that indicator."""


@dataclass(frozen=True, slots=True)
class LinkRequest:
    code: str | None
    """The six digits typed; None: the person asks for a code."""
    malformed: bool = False
    """“/lienket abc”: a code was typed but is not six digits."""


def asked(text: str) -> LinkRequest | None:
    """The /lienket request in a whole message, or None. Typed without the slash it must be
    just the words, with or without a code, so an evidence title such as “Liên kết với trường
    tiểu học” is never taken for one."""
    if len(text) > 60:
        return None
    plain = unidecode(unicodedata.normalize("NFC", text)).lower().strip()
    found = _REQUEST.match(plain)
    if found is None:
        return None
    slash, rest = found.group(1), (found.group(3) or "").strip()
    if found.group(2) == "link" and not slash:  # the English word alone is no request
        return None
    if not rest:
        return LinkRequest(None)
    digits = "".join(ch for ch in rest if ch.isdigit())
    if _CODE_LIKE.match(rest) and len(digits) == CODE_DIGITS:
        return LinkRequest(digits)
    if slash or _CODE_LIKE.match(rest):
        return LinkRequest(None, malformed=True)
    return None


def start(state: State, request: LinkRequest) -> Outcome:
    """What the engine decides: a code to issue or to redeem (the service stores it, then
    words the outcome with `issued`, `linked` or `refused`), or a code typed wrong."""
    if request.malformed:
        return again(state, say.LINK_MALFORMED)
    if request.code is None:
        return Outcome(state, effects=(IssueLinkCode(),))
    return Outcome(state, effects=(RedeemLinkCode(request.code),))


def issued(ctx: Context, state: State, code: LinkCodeIssued) -> Transition:
    """The code and how to use it, then the question that was waiting (if one was)."""
    shown = Outbound(say.link_code(code.code, code.expires_at), kind=CODE_KIND)
    waiting = not steps.of(state.step).rests
    return steps.finish(ctx, Outcome(state, (shown,), ask=waiting))


def refused(ctx: Context, state: State, result: LinkResult) -> Transition:
    """One sentence on why the code did nothing, then the same question again."""
    if result.outcome == "same_person":
        said = Outbound(say.LINK_SAME_PERSON, kind="answer")
        return steps.finish(ctx, Outcome(state, (said,), ask=not steps.of(state.step).rests))
    return steps.finish(ctx, again(state, _refusal(result)))


def _refusal(result: LinkResult) -> str:
    if result.outcome == "locked" and result.locked_until is not None:
        return say.link_locked(result.locked_until, just_now=result.refused is not None)
    if result.outcome == "own_code":
        return say.LINK_OWN_CODE
    if result.outcome == "expired":
        return say.LINK_EXPIRED
    if result.outcome == "used":
        return say.LINK_USED
    return say.link_wrong(result.attempts_left)


def resumed_state(issuer: dict[str, Any]) -> State:
    """The linked account's state: the issuing account's unit and the indicator it is on (at
    that indicator's question), its walk history and skipped indicators; nothing half-typed."""
    theirs = State.from_dict(issuer)
    at = theirs.paused_step or theirs.step
    indicator = theirs.indicator if at in _WALK_STEPS else None
    return State(
        unit_id=theirs.unit_id,
        indicator=indicator,
        visited=theirs.visited,
        skipped=theirs.skipped,
        paused_step=st.VALUE if indicator is not None else None,
    )


def linked(ctx: Context, state: State, result: LinkResult) -> Transition:
    """After a link: whose person this account now is, then the walk where the issuing
    account is (`state` from `resumed_state`, `ctx` loaded for the person)."""
    name = ctx.person.display_name
    unit = ctx.unit.name if ctx.unit is not None else None
    note = say.linked(name, result.issuer_channel, unit, left_behind=result.left_behind)
    going_on = resume(ctx, state)
    replies = (Outbound(note, kind="answer"), *going_on.replies)
    return steps.finish(ctx, Outcome(going_on.state, replies, go=going_on.go, ask=going_on.ask))


def without_codes(replies: Sequence[Outbound]) -> list[Outbound]:
    """The replies as kept with an update for a replay after a crash (`ConversationService`'s
    `keep_replies`): the code itself is never written there, since only its hash may be
    stored; a replay asks for a new code instead."""
    return [
        Outbound(say.LINK_CODE_NOT_KEPT, kind="answer") if reply.kind == CODE_KIND else reply
        for reply in replies
    ]
