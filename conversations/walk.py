"""The walk through the indicators: what typed text, buttons and files do at each of its steps.

One indicator takes up to five steps: its value (VALUE, with CONFIRM_PCT for a percentage that
is not a whole number of people, ASK_LEARNERS and LEARNERS_VALUE for the learners part of 3.1),
its evidence (EVIDENCE) and a description (DESCRIPTION). The value is stored as soon as it is
known, so nothing is lost if the official stops there. The functions here are the handlers the
step table (`conversations.steps`) names; they return an `Outcome` and never change a state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from conversations import buttons, parsing, quick
from conversations import catalogue as say
from conversations.buttons import Press
from conversations.choosing import forget_guess, typed_choice
from conversations.context import Context
from conversations.effects import AddEvidence, AttachFile, RecordAnswer, SetTotals
from conversations.messages import Inbound, Outbound
from conversations.outcome import Outcome, again
from conversations.questions import has_evidence, known_learners, value_buttons
from conversations.state import EMPTY_DRAFT, Draft, Pending, State
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Indicator

_DONE_WORDS = ("xong", "done", "ok", "het", "da xong")

# --- VALUE ------------------------------------------------------------------------------------


def value_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome:
    kind = indicator.kind
    if kind in ("yes_no", "accreditation", "emulation_title", "digital_level"):
        offered = value_buttons(indicator)
        chosen = typed_choice(ctx, state, text, offered, about_value(indicator))
        if chosen is not None:
            return chosen
        yes_no = kind in ("yes_no", "accreditation")
        hint = say.yes_no_expected if yes_no else say.pick_an_option
        return again(forget_guess(state), hint(ctx.has_buttons))
    members = ctx.assessment.members if ctx.assessment else None
    if not members:  # unreachable in practice: the question asks for the total first
        return Outcome(state, go=("members_unknown",), ask=True)
    result = parsing.count(text, total=members, what=say.MEMBERS)
    if isinstance(result, parsing.Refused):
        return again(state, result.message)
    if isinstance(result, parsing.NeedsConfirmation):
        pending = Pending(result.value, result.percent, str(result.exact), members)
        asked = replace(state, draft=replace(state.draft, pending=pending))
        return Outcome(asked, go=("percent_not_whole",), ask=True)
    return counted(ctx, state, indicator, result.value)


def value_pressed(
    ctx: Context, state: State, indicator: Indicator, press: Press
) -> Outcome | None:
    if press.kind != "value":
        return None
    kind, choice = indicator.kind, press.arg
    if kind in ("yes_no", "accreditation") and choice in (buttons.YES, buttons.NO):
        return record(ctx, state, indicator, {"met": choice == buttons.YES})
    if kind == "emulation_title" and choice in EMULATION_TITLES:
        return record(ctx, state, indicator, {"title": choice})
    if kind == "digital_level" and choice in DIGITAL_LEVELS:
        return record(ctx, state, indicator, {"dt_level": choice})
    return None  # another kind's answer: a button of an older question


def about_value(indicator: Indicator) -> Callable[[Context, State, Press], Outcome | None]:
    """`value_pressed` for this indicator, as `choosing.typed_choice` calls a step's buttons."""

    def pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
        return value_pressed(ctx, state, indicator, press)

    return pressed


def counted(ctx: Context, state: State, indicator: Indicator, value: int) -> Outcome:
    """A member count is known; schools at tỉnh tier still owe the learners part of 3.1."""
    unit_type = ctx.unit.unit_type if ctx.unit else ""
    if indicator.learners_apply(unit_type):
        waiting = replace(state, draft=replace(state.draft, count=value))
        unknown = known_learners(ctx, waiting) is None
        go = ("learners_needed", "learners_unknown") if unknown else ("learners_needed",)
        return Outcome(waiting, go=go, ask=True)
    return record(ctx, state, indicator, {"count": value})


def record(ctx: Context, state: State, indicator: Indicator, value: dict[str, Any]) -> Outcome:
    """Store the value now (nothing lost if the user stops here), then ask for evidence."""
    recorded = replace(state, draft=Draft(value=value, indicator=indicator.id))
    saved = Outbound(say.answer_saved(indicator, value), kind="answer")
    return Outcome(
        recorded,
        (saved,),
        (RecordAnswer(indicator.id, value),),
        go=("answered" if met(value) else "answered_not_met",),
        ask=True,
    )


# --- CONFIRM_PCT ------------------------------------------------------------------------------


def confirm_pressed(
    ctx: Context, state: State, indicator: Indicator, press: Press
) -> Outcome | None:
    if press.kind == "confirm":
        return counted(ctx, state, indicator, (state.draft.pending or Pending()).value)
    if press.kind == "retype":
        return Outcome(state, go=("retype",), ask=True)
    return None


def confirm_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome | None:
    agreed = parsing.yes_no(text)
    if agreed is None:
        return again(state, say.confirm_or_retype(ctx.has_buttons))
    return confirm_pressed(ctx, state, indicator, Press("confirm" if agreed else "retype"))


# --- ASK_LEARNERS and LEARNERS_VALUE ---------------------------------------------------------


def learners_total_typed(ctx: Context, state: State, text: str) -> Outcome:
    total = parsing.positive_total(text, what=say.LEARNERS)
    if isinstance(total, parsing.Refused):
        return again(state, total.message)
    known = replace(state, draft=replace(state.draft, learners=total))
    return Outcome(known, effects=(SetTotals(learners=total),), go=("typed",), ask=True)


def learners_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome:
    learners = known_learners(ctx, state) or 0
    result = parsing.count(text, total=learners, what=say.LEARNERS)
    if isinstance(result, parsing.Refused):
        return again(state, result.message)
    if isinstance(result, parsing.NeedsConfirmation):
        return again(state, say.learners_whole_number(result.exact))
    members_count = state.draft.count or 0
    return record(ctx, state, indicator, {"count": members_count, "learners_count": result.value})


# --- EVIDENCE ---------------------------------------------------------------------------------


def evidence_pressed(
    ctx: Context, state: State, indicator: Indicator, press: Press
) -> Outcome | None:
    if press.kind == "evidence_later":
        if has_evidence(ctx, state, indicator):
            return Outcome(state, go=("done",), ask=True)  # evidence is there: nothing is “later”
        return evidence_later(ctx, state, indicator)
    if press.kind == "evidence_done":
        return Outcome(state, go=("done",), ask=True)
    return None


def evidence_later(ctx: Context, state: State, indicator: Indicator) -> Outcome:
    """“Bổ sung sau” (also “bỏ qua” here): recorded as missing evidence."""
    later = Outbound(say.EVIDENCE_LATER, kind="answer")
    return Outcome(state, (later,), go=("later",), ask=True)


def evidence_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome | None:
    if parsing.fold(text).strip(" .!") in _DONE_WORDS:
        done = Press("evidence_done" if has_evidence(ctx, state, indicator) else "evidence_later")
        return evidence_pressed(ctx, state, indicator, done)
    title = parsing.free_text(text)
    if isinstance(title, parsing.Refused):
        return again(state, title.message)
    if len(title) > 500:
        return again(state, say.too_long(len(title), 500))
    added = replace(state, draft=_with_title(state.draft, title))
    reply = Outbound(say.evidence_added(title), kind="answer")
    return Outcome(added, (reply,), (AddEvidence(indicator.id, title),), ask=True)


def evidence_upload(ctx: Context, state: State, indicator: Indicator, message: Inbound) -> Outcome:
    if message.file_error:
        return again(state, message.file_error)
    stored = message.stored
    if stored is None:
        return again(state, say.FILE_NOT_RECEIVED)
    known = set(state.draft.evidence_hashes)
    if ctx.assessment is not None:
        known |= {e.sha256 for e in ctx.assessment.evidence_for(indicator.id) if e.sha256}
    if stored.sha256 in known:
        return again(state, say.file_already_there(stored.original_name, indicator.id))
    photo = message.file is not None and message.file.kind == "photo"
    group = message.file.media_group_id if message.file is not None else None
    draft = replace(state.draft, evidence_hashes=(*state.draft.evidence_hashes, stored.sha256))
    if group and draft.album(group) is not None:
        reply = Outbound(say.file_attached(stored.original_name, stored.size), kind="answer")
        attached = replace(state, draft=draft)
        return Outcome(attached, (reply,), (AttachFile(group, stored),), ask=True)
    title = say.photo_title(indicator.id) if photo else stored.original_name
    caption = parsing.free_text(message.text or "")
    if isinstance(caption, str) and not caption.isdigit() and len(caption) <= 500:
        title = caption  # “Kế hoạch số 12/KH-UBND” typed with the upload names the evidence
    added = replace(state, draft=_with_title(draft, title))
    effect = AddEvidence(indicator.id, title, stored, photo, group)
    reply = Outbound(say.file_added(title, stored.size), kind="answer")
    return Outcome(added, (reply,), (effect,), ask=True)


def _with_title(draft: Draft, title: str) -> Draft:
    return replace(
        draft,
        evidence_added=draft.evidence_added + 1,
        evidence_titles=(*draft.evidence_titles, title),
    )


# --- DESCRIPTION ------------------------------------------------------------------------------


def description_pressed(
    ctx: Context, state: State, indicator: Indicator, press: Press
) -> Outcome | None:
    return advance(ctx, state, indicator) if press.kind == "no_description" else None


def description_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome:
    description = parsing.free_text(text)
    if isinstance(description, parsing.Refused):
        return again(state, description.message)
    value = dict(state.draft.value or _stored_value(ctx, indicator.id))
    saved = Outbound(say.DESCRIPTION_SAVED, kind="answer")
    effect = RecordAnswer(indicator.id, value, description)
    return advance(ctx, state, indicator, before=(saved,), effects=(effect,))


def description_skipped(ctx: Context, state: State, indicator: Indicator) -> Outcome:
    """“bỏ qua” here: no description, on to the next indicator."""
    return advance(ctx, state, indicator)


def description_back(state: State) -> str:
    """“quay lại” goes to the evidence, or to the value when no evidence was asked for."""
    return "back" if met(state.draft.value or {}) else "back_not_met"


def advance(
    ctx: Context,
    state: State,
    indicator: Indicator,
    *,
    before: tuple[Outbound, ...] = (),
    effects: tuple[RecordAnswer, ...] = (),
) -> Outcome:
    """This indicator is done: on to the next unanswered one, or the result."""
    visited = state.visited if indicator.id in state.visited else (*state.visited, indicator.id)
    following = next_indicator(ctx, state, after=indicator.id, done=indicator.id)
    done = replace(
        state, visited=visited, draft=EMPTY_DRAFT, indicator=following.id if following else None
    )
    if following is None:
        finished = (
            Outbound(say.WALK_FINISHED, kind="answer"),
            *quick.result(ctx, finished=indicator.id),
        )
        return Outcome(done, (*before, *finished), effects, go=("all_answered",))
    return Outcome(done, before, effects, go=("next",), ask=True)


# --- the walk's order --------------------------------------------------------------------------


def next_indicator(
    ctx: Context, state: State, *, after: str | None, done: str | None = None
) -> Indicator | None:
    """The first unanswered, unskipped indicator after `after` (wrapping to the start)."""
    walk = list(ctx.walk())
    skipped = set(state.skipped)
    ids = [i.id for i in walk]
    start = ids.index(after) + 1 if after in ids else 0
    for indicator in walk[start:] + walk[:start]:
        if indicator.id in (done, after) or indicator.id in skipped:
            continue
        if not ctx.answered(indicator.id):
            return indicator
    return None


def met(value: Mapping[str, Any]) -> bool:
    """Whether an answer claims the indicator is met (then its evidence is asked for)."""
    return not (
        value.get("met") is False
        or value.get("title") == "khong_co"
        or value.get("dt_level") == "chua_dap_ung"
    )


def _stored_value(ctx: Context, indicator_id: str) -> dict[str, Any]:
    if ctx.assessment is None or indicator_id not in ctx.assessment.answers:
        return {}
    return dict(ctx.assessment.answers[indicator_id].value)
