"""What applies at every step: quick questions, pause and resume, cancel, edit, skip, back.

Generic code; what differs from step to step (where “quay lại” goes, what “bỏ qua” means, whether
a question is waiting) is read from the current step's entry in `conversations.steps`.
"""

from __future__ import annotations

from dataclasses import replace

from conversations import catalogue as say
from conversations import quick, steps
from conversations import state as st
from conversations.context import Context, unit_type_name
from conversations.effects import SetReminders
from conversations.intents import QUESTION_KINDS, Intent
from conversations.messages import Outbound
from conversations.outcome import Outcome, again
from conversations.questions import current_indicator, pick_to_edit, skipped_unanswered
from conversations.state import EMPTY_DRAFT, State
from conversations.walk import next_indicator
from dvht_core.model import Indicator


def intent(ctx: Context, state: State, asked: Intent) -> Outcome:
    """What the official asked for, in words or with a navigation button."""
    kind = asked.kind
    here = steps.of(state.step)
    if kind in QUESTION_KINDS:
        replies = quick.answer(ctx, asked)
        if here.rests:
            return Outcome(state, tuple(replies))
        returning = Outbound(say.BACK_TO_QUESTION, kind="hint")
        return Outcome(state, (*replies, returning), ask=True)
    if kind in ("reminders_off", "reminders_on"):
        return reminders(state, off=kind == "reminders_off", rests=here.rests)
    if kind == "cancel":
        return cancel(ctx, state)
    if kind == "pause":
        if here.rests:
            return Outcome(state, (Outbound(say.NOTHING_TO_PAUSE, kind="hint"),))
        paused = replace(state, paused_step=state.step)
        return Outcome(paused, (Outbound(say.PAUSED, kind="answer"),), go=("pause",))
    if kind == "resume":
        return resume(ctx, state)
    if kind == "edit":
        return edit(ctx, state, asked.indicator)
    indicator = current_indicator(ctx, state) if ctx.unit is not None else None
    if indicator is None:
        if here.rests:
            return Outcome(state, (Outbound(say.NOT_IN_WALK, kind="hint"),))
        return again(state, say.NOT_HERE)
    if kind == "skip" or kind == "later_evidence":
        return skip(ctx, state, indicator, later=kind == "later_evidence")
    if kind == "back":
        return back(ctx, state, indicator)
    return again(state, say.UNKNOWN_TEXT)


def reminders(state: State, *, off: bool, rests: bool) -> Outcome:
    """“tắt nhắc nhở” / “bật nhắc nhở”: stored, confirmed in one sentence, and the question
    the person was on asked again (the step stays)."""
    said = Outbound(say.REMINDERS_OFF if off else say.REMINDERS_ON, kind="answer")
    return Outcome(state, (said,), effects=(SetReminders(off=off),), ask=not rests)


def resume(ctx: Context, state: State, *, greeting: bool = False) -> Outcome:
    """“tiếp tục”: where it was paused, else the first unanswered indicator."""
    if ctx.unit is None:
        # Paused or not, an onboarding question is where this user stopped: “tiếp tục” (or
        # “Làm tiếp” under a reminder) asks it again rather than starting over at the welcome.
        here = state.paused_step or state.step
        back_to = here if steps.of(here).onboarding(ctx, state) else st.WELCOME
        return Outcome(replace(state, step=back_to, paused_step=None), ask=True)
    state = replace(state, unit_id=ctx.unit.id)
    replies = (Outbound(say.welcome_back(ctx.unit.name), kind="answer"),) if greeting else ()
    if state.paused_step and state.indicator:
        return Outcome(replace(state, step=state.paused_step, paused_step=None), replies, ask=True)
    if steps.of(state.step).restarts_walk or state.indicator is None:
        first = next_indicator(ctx, state, after=None)
        if first is None:
            done = replace(state, indicator=None)
            result = tuple(quick.result(ctx))
            offer = bool(skipped_unanswered(ctx, done))
            return Outcome(done, (*replies, *result), go=("resume_all_answered",), ask=offer)
        return Outcome(replace(state, indicator=first.id), replies, go=("resume",), ask=True)
    return Outcome(state, replies, ask=True)


def edit(ctx: Context, state: State, indicator_id: str | None) -> Outcome:
    """“sửa 2.4” goes to that indicator; “sửa” alone lists the answered ones as buttons."""
    if ctx.unit is None:  # no walk yet: say why, and the question on screen again
        return again(state, say.UNIT_NO_UNIT)
    if indicator_id is None:
        listing = pick_to_edit(ctx)
        if listing is None:
            return Outcome(state, (Outbound(say.NOTHING_TO_EDIT, kind="hint"),), ask=True)
        return Outcome(state.at(state.step, listing.buttons), (listing,))  # the step stays
    if indicator_id not in {i.id for i in ctx.walk()}:
        return again(state, not_in_walk(ctx, indicator_id))
    editing = replace(state, indicator=indicator_id, paused_step=None, draft=EMPTY_DRAFT)
    return Outcome(editing, go=("edit",), ask=True)


def cancel(ctx: Context, state: State) -> Outcome:
    if steps.of(state.step).onboarding(ctx, state):
        forgotten = replace(state, draft=EMPTY_DRAFT)
        return Outcome(
            forgotten, (Outbound(say.ONBOARDING_CANCELLED, kind="answer"),), go=("cancel",)
        )
    stopped = replace(state, paused_step=None, draft=EMPTY_DRAFT)
    return Outcome(stopped, (Outbound(say.CANCELLED, kind="answer"),), go=("cancel",))


def skip(ctx: Context, state: State, indicator: Indicator, *, later: bool) -> Outcome:
    """“bỏ qua” (and “bổ sung sau”): the step's own meaning, else pass over the indicator."""
    own = steps.of(state.step).skip
    if own is not None:
        return own(ctx, state, indicator)
    if later:
        return again(state, say.ANSWER_FIRST)
    skipped = state.skipped
    if indicator.id not in skipped and not ctx.answered(indicator.id):
        skipped = (*skipped, indicator.id)
    passed = replace(state, skipped=skipped, draft=EMPTY_DRAFT)
    following = next_indicator(ctx, passed, after=indicator.id, done=indicator.id)
    note = Outbound(say.skipped(indicator.id), kind="answer")
    if following is None:
        result = tuple(quick.result(ctx))
        ended = replace(passed, indicator=None)
        offer = bool(skipped_unanswered(ctx, ended))  # the result, then “answer the skipped”
        return Outcome(ended, (note, *result), go=("skip_last",), ask=offer)
    return Outcome(replace(passed, indicator=following.id), (note,), go=("skip",), ask=True)


def back(ctx: Context, state: State, indicator: Indicator) -> Outcome:
    """“quay lại”: the step's way back inside the indicator, else the previous indicator."""
    way = steps.of(state.step).back
    event = way(state) if callable(way) else way
    if event is not None:
        return Outcome(state, go=(event,), ask=True)
    ids = [i.id for i in ctx.walk()]
    position = ids.index(indicator.id)
    if position == 0:
        return again(state, say.AT_FIRST)
    visited = state.visited
    previous, visited = (visited[-1], visited[:-1]) if visited else (ids[position - 1], visited)
    returned = replace(state, indicator=previous, visited=visited, draft=EMPTY_DRAFT)
    return Outcome(returned, go=("previous",), ask=True)


def not_in_walk(ctx: Context, indicator_id: str) -> str:
    """Why “sửa 3.5” cannot be done, pointing at the right criterion: the indicator does not
    apply to this unit type, or does not exist; either way the criterion's own indicators."""
    by_criterion: dict[str, list[str]] = {}
    for indicator in ctx.walk():
        by_criterion.setdefault(indicator.id.split(".")[0], []).append(indicator.id)
    criterion = indicator_id.split(".")[0]
    if criterion not in by_criterion:
        listed = [(c, say.id_range(ids)) for c, ids in by_criterion.items()]
        return say.edit_no_such_criterion(indicator_id, listed)
    ids = say.id_range(by_criterion[criterion])
    rulebook = ctx.rulebook
    if rulebook is not None and rulebook.indicator(indicator_id) is not None and ctx.unit:
        plain = unit_type_name(ctx.unit.unit_type)
        return say.edit_not_applicable(indicator_id, plain, criterion, ids)
    return say.edit_no_such_indicator(indicator_id, criterion, ids)
