"""Submitting the dossier from the chat (/nop, “nộp hồ sơ”, the “Nộp hồ sơ” button) and the
dashboard's login link (/dangnhap), issue 15.

The engine decides only that a submission was asked for; whether the sender may submit needs
what the context does not hold (the unit's admins' names, who submitted and when), so the
service asks storage (`CheckSubmission`) and words the answer here: a refusal (one sentence,
then the question that was waiting), or the question “Nộp hồ sơ …, đề nghị công nhận mức N?”
at CONFIRM_SUBMIT, with what is still missing and the receiving office. “Có” submits at the
level that question showed (`Submit`); storage checks everything again in the transaction that
submits, so a colleague's change in between refuses rather than submits another level.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from unidecode import unidecode

from conversations import catalogue as say
from conversations import state as st
from conversations import steps
from conversations.context import Context
from conversations.effects import CheckSubmission, IssueLoginLink, Transition
from conversations.messages import Outbound
from conversations.outcome import Outcome
from conversations.state import EMPTY_DRAFT, State
from conversations.submission import Submitted, readiness

_SUBMIT_WORDS = frozenset(
    {"/nop", "/nophoso", "/nop_ho_so", "/submit", "nop ho so", "nop ho so di", "nop ho so a"}
)
_LOGIN_WORDS = frozenset(
    {"/dangnhap", "/dang_nhap", "/login", "/dashboard", "dang nhap", "dang nhap trang quan ly"}
)


def _plain(text: str) -> str:
    plain = unidecode(unicodedata.normalize("NFC", text)).lower().strip()
    plain = plain.split("@", 1)[0] if plain.startswith("/") else plain  # /nop@dvht_bot
    return " ".join(plain.replace(".", " ").replace("!", " ").split())


def asked(text: str) -> bool:
    """The whole message asks to submit: “/nop”, “nộp hồ sơ” (not “nộp hồ sơ ở đâu”, a
    question about the deadline)."""
    return len(text) <= 40 and _plain(text) in _SUBMIT_WORDS


def login_asked(text: str) -> bool:
    """The whole message asks for a dashboard login link: “/dangnhap”, “đăng nhập”."""
    return len(text) <= 40 and _plain(text) in _LOGIN_WORDS


def start(ctx: Context, state: State) -> Outcome:
    if ctx.unit is None:
        return Outcome(state, (Outbound(say.NO_UNIT_YET, kind="hint"),))
    return Outcome(state, effects=(CheckSubmission(),))


def login(state: State) -> Outcome:
    return Outcome(state, effects=(IssueLoginLink(),))


def _waiting(state: State) -> bool:
    return not steps.of(state.step).rests


def refused(ctx: Context, state: State, message: str) -> Transition:
    """Why not (one sentence), then the question that was waiting, if one was."""
    said = Outbound(message, kind="error")
    return steps.finish(ctx, Outcome(state, (said,), ask=_waiting(state)))


def question(ctx: Context, state: State) -> Transition:
    """The submission may go ahead: the question, at CONFIRM_SUBMIT."""
    assert ctx.assessment is not None  # CheckSubmission found it submittable
    level = readiness(ctx.assessment).level
    asking = replace(state, draft=replace(EMPTY_DRAFT, submit_level=level), paused_step=None)
    return steps.finish(ctx, Outcome(asking, go=("submit_asked",), ask=True))


def submitted(ctx: Context, state: State, done: Submitted) -> Transition:
    said = Outbound(
        say.submitted_ok(done.year, done.level, done.notified, done.reviewers), kind="answer"
    )
    left = replace(state, draft=EMPTY_DRAFT)
    return steps.finish(ctx, Outcome(left, (said,), go=("submitted",)))


def submit_refused(ctx: Context, state: State, message: str) -> Transition:
    """“Có”, but storage refused (a change since the question, a colleague submitted first)."""
    said = Outbound(message, kind="error")
    left = replace(state, draft=EMPTY_DRAFT)
    if state.step != st.CONFIRM_SUBMIT:
        return steps.finish(ctx, Outcome(left, (said,), ask=_waiting(state)))
    return steps.finish(ctx, Outcome(left, (said,), go=("submit_cancelled",)))


def login_link(ctx: Context, state: State, message: str) -> Transition:
    """The link (or why there is none), then the question that was waiting."""
    said = Outbound(message, kind="answer")
    return steps.finish(ctx, Outcome(state, (said,), ask=_waiting(state)))
