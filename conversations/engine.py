"""The pure dialogue core: (context, state, message) → (new state, replies, effects).

No I/O: the service loads the context, applies the effects in one transaction and saves the
state. The state given is never changed; the transition carries a new one. What a message does
at each step is in the step table (`conversations.steps`); this module routes each message to
it, or to what applies at every step (/start, buttons, intents: `conversations.navigation`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from conversations import (
    buttons,
    linking,
    onboarding,
    parsing,
    quick,
    roster_chat,
    steps,
    submitting,
    unit_details,
    walk,
)
from conversations import catalogue as say
from conversations.choosing import forget_guess
from conversations.context import Context
from conversations.effects import Transition
from conversations.intents import PUBLIC_KINDS, Intent, parse_intent
from conversations.messages import Inbound, Outbound
from conversations.navigation import edit, intent, resume
from conversations.outcome import Outcome, again
from conversations.records import UnitChange
from conversations.state import EMPTY_DRAFT, IDLE, State

_INDICATOR_ID = re.compile(r"\b\d{1,2}\.\d{1,2}\b")


def step(ctx: Context, state: State, message: Inbound) -> Transition:
    """Handle one message; never raises for any user input."""
    return steps.finish(ctx, _route(ctx, state, message))


def ask(ctx: Context, state: State) -> Transition:
    """The question of the state's step (the service asks it again after reloading)."""
    asked, question = steps.ask(ctx, state)
    return Transition(asked, (question,))


def _route(ctx: Context, state: State, message: Inbound) -> Outcome:
    if message.is_group:
        return _in_group(ctx, state, message)
    # A “Ý bạn là …?” is answered by the next message or forgotten: only the step's own typed
    # handler reads it (`conversations.choosing`).
    guessing, state = state, forget_guess(state)
    if message.sticker:
        return again(state, say.sticker(ctx.has_buttons))
    text = (message.text or "").strip()
    if text.startswith("/start"):
        return _start(ctx, state, text.removeprefix("/start").strip())
    if message.file is not None or message.stored is not None or message.file_error:
        return _upload(ctx, state, message)  # a caption (“1”, “2”…) is not an option number
    linking_asked = linking.asked(text)  # /lienket (issue 14): the same at every step
    if linking_asked is not None:
        return linking.start(state, linking_asked)
    if submitting.asked(text):  # /nop, “nộp hồ sơ” (issue 15): the same at every step
        return submitting.start(ctx, state)
    if submitting.login_asked(text):  # /dangnhap
        return submitting.login(state)
    if roster_chat.asked(text, strict=steps.of(state.step).free_text):  # /danhsach (issue 16)
        return roster_chat.start(ctx, state, takes_files=message.channel != "zalo")
    picked = _picked(ctx, state, message, text)
    if isinstance(picked, Outcome):
        return picked
    if picked is not None:
        return _pressed(ctx, state, picked)
    if not text:
        return again(state, say.EMPTY_MESSAGE)
    here = steps.of(state.step)
    if parsing.asks_for_skipped(text):  # “trả lời các chỉ tiêu đã bỏ qua”, never a “bỏ qua”
        if state.skipped:
            return walk.answer_skipped(ctx, state)
        return Outcome(state, (Outbound(say.NO_SKIPPED, kind="hint"),), ask=not here.rests)
    about_unit = unit_details.asked(text)  # /donvi, “sửa số thành viên” (issue 12, item 3)
    if about_unit is not None:
        return unit_details.start(ctx, state, about_unit, rests=here.rests)
    said = parse_intent(text, strict=here.free_text)
    if said is None and text.startswith("/"):  # never a title, a name or an answer
        return again(state, say.unknown_command(text.split()[0]))
    if said is not None:
        if said.kind in ("edit", "indicator_info") and said.indicator is None:
            named = _INDICATOR_ID.search(text)  # “sửa 9.9”: say that 9.9 does not exist
            said = replace(said, indicator=named.group()) if named else said
        return intent(ctx, state, said)
    if _paused(state):
        return _while_paused(state)
    typed = here.typed(ctx, guessing, text) if here.typed is not None else None
    if typed is None and ctx.unit is None and state.step == IDLE:
        # A newcomer's first words (“xin chào”) are not a question to refuse: the console and
        # Zalo have no Start button, so the welcome is what they were looking for.
        return _start(ctx, state, "")
    return typed or Outcome(state, (Outbound(say.UNKNOWN_TEXT, kind="hint"),))


# --- the service's calls after an effect that changes the context -----------------------------


def joining(state: State, unit_id: int) -> State:
    """The state once an invite was redeemed, before the new unit's context is loaded."""
    return replace(state, unit_id=unit_id, year=None, indicator=None, visited=(), paused_step=None)


def joined(ctx: Context, state: State) -> Transition:
    """After a successful JoinUnit: greet and start (or resume) the walk."""
    fresh = replace(state, unit_id=ctx.unit.id if ctx.unit else None, draft=EMPTY_DRAFT)
    resumed = resume(ctx, fresh)
    greeting = Outbound(say.joined(ctx.unit.name if ctx.unit else ""), kind="answer")
    return steps.finish(ctx, replace(resumed, replies=(greeting, *resumed.replies)))


def join_failed(ctx: Context, state: State, reason: str) -> Transition:
    failed = replace(state, draft=EMPTY_DRAFT)
    refused = (Outbound(reason, kind="error"),)
    return steps.finish(ctx, Outcome(failed, refused, go=("join_failed",), ask=True))


def created(ctx: Context, state: State, invite_code: str) -> Transition:
    """After CreateUnit: hand over the invite code, then the first question."""
    return steps.finish(ctx, onboarding.created(ctx, state, invite_code))


def unit_updated(
    before: Context, after: Context, state: State, done: tuple[UnitChange, ...]
) -> Transition:
    """After UpdateUnit: what changed and what it did to the ratios, then the details again."""
    return steps.finish(after, unit_details.updated(before, after, state, done))


def album_started(state: State, group: str, evidence_id: int) -> State:
    """An album's first photo is stored: its further photos join that evidence item."""
    return replace(state, draft=state.draft.with_album(group, evidence_id))


# --- what applies at every step ----------------------------------------------------------------


def _start(ctx: Context, state: State, code: str) -> Outcome:
    if code:
        return replace(onboarding.redeem(state, code), go=("start_with_code",))
    if ctx.unit is None:
        return Outcome(replace(state, draft=EMPTY_DRAFT), go=("start_without_unit",), ask=True)
    return resume(ctx, state, greeting=True)


def _picked(ctx: Context, state: State, message: Inbound, text: str) -> str | Outcome | None:
    """The button pressed, or the one a typed number or label picks; a number that names no
    option of the question on screen is refused with one sentence (Outcome)."""
    if message.button:
        return message.button
    if not text or not state.options:
        return None
    number = parsing.option_number(text)
    if number is not None and steps.of(state.step).counts(ctx, state):
        return None  # “2” here is two people, not the second button
    picked = parsing.choose(text, state.options)
    if picked is None and number is not None and not _paused(state):
        count = len(buttons.option_numbers(state.options))
        if count:
            return again(state, say.out_of_range(number, count, ctx.has_buttons))
    return picked


def _pressed(ctx: Context, state: State, button_id: str) -> Outcome:
    press = buttons.parse(button_id)
    if press is None:
        return again(state, say.STALE_BUTTON)
    if press.kind == "skip":
        return intent(ctx, state, Intent("skip"))
    if press.kind == "back":
        return intent(ctx, state, Intent("back"))
    if press.kind == "report":
        return intent(ctx, state, Intent("report"))
    if press.kind == "resume":  # “Làm tiếp” under a reminder: the user's own step
        return intent(ctx, state, Intent("resume"))
    if press.kind == "edit":
        return edit(ctx, state, press.arg)
    if press.kind == "submit":  # “Nộp hồ sơ” under the result
        return submitting.start(ctx, state)
    here = steps.of(state.step)
    done = here.pressed(ctx, state, press) if here.pressed is not None else None
    if done is None and _paused(state):
        return _while_paused(state)  # a button of the question the pause left on screen
    return done or again(state, say.STALE_BUTTON)


def _paused(state: State) -> bool:
    """Paused with “tạm dừng”: nothing is asked until “tiếp tục”."""
    return state.paused_step is not None and steps.of(state.step).rests


def _while_paused(state: State) -> Outcome:
    """An answer while paused: nothing is stored; where “tiếp tục” goes on."""
    return Outcome(state, (Outbound(say.paused_answer(state.indicator), kind="hint"),))


def _upload(ctx: Context, state: State, message: Inbound) -> Outcome:
    roster = roster_chat.upload(ctx, state, message)  # issue 16: the rule is there
    if roster is not None:
        return roster
    here = steps.of(state.step)
    done = here.upload(ctx, state, message) if here.upload is not None else None
    if done is None and _paused(state):
        return _while_paused(state)
    return done or again(state, say.FILE_NOT_NOW)


def _in_group(ctx: Context, state: State, message: Inbound) -> Outcome:
    text = (message.text or "").strip()
    if not text.startswith("/"):
        return Outcome(state)  # never chat, and never show anyone's answers, in a group
    said = parse_intent(text)
    if said is not None and said.kind == "help":
        return Outcome(state, (Outbound(say.GROUP_HELP, kind="answer"),))
    if said is not None and said.kind in PUBLIC_KINDS:
        public = Context(ctx.person, (), None, None, ctx.today)  # rulebook facts only
        return Outcome(state, tuple(quick.answer(public, said)))
    return Outcome(state, (Outbound(say.GROUP_PRIVATE, kind="answer"),))
