"""The walk through the indicators: what typed text, buttons and files do at each of its steps.

One indicator takes up to six steps: its value (VALUE, with CONFIRM_PCT for a percentage that
is not a whole number of people, ASK_LEARNERS and LEARNERS_VALUE for the learners part of 3.1),
its evidence (EVIDENCE: added, listed, removed, renamed), a description (DESCRIPTION) and its
strengths and weaknesses for the report (STRENGTHS). The value is stored as soon as it is
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
from conversations.effects import (
    AddEvidence,
    AttachFile,
    RecordAnswer,
    RemoveEvidence,
    RenameEvidence,
    SetTotals,
)
from conversations.messages import Inbound, Outbound
from conversations.outcome import Outcome, again
from conversations.questions import (
    evidence_items,
    has_evidence,
    known_learners,
    skipped_unanswered,
    value_buttons,
)
from conversations.records import AnswerRecord
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
    # A corrected answer with evidence on file goes through the evidence step even when it is
    # not met: the items are listed there to keep or remove, never kept silently.
    listed = met(value) or bool(evidence_items(ctx, indicator.id))
    return Outcome(
        recorded,
        (saved,),
        (RecordAnswer(indicator.id, value),),
        go=("answered" if listed else "answered_not_met",),
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
    if press.kind == "remove_evidence":
        items = evidence_items(ctx, indicator.id)
        found = next((n for n, e in enumerate(items, 1) if str(e.id) == press.arg), None)
        if found is None:
            return again(state, say.EVIDENCE_ITEM_GONE)
        return _remove(ctx, state, indicator, found)
    return None


def evidence_later(ctx: Context, state: State, indicator: Indicator) -> Outcome:
    """“Bổ sung sau” (also “bỏ qua” here): recorded as missing evidence."""
    later = Outbound(say.EVIDENCE_LATER, kind="answer")
    return Outcome(state, (later,), go=("later",), ask=True)


def evidence_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome | None:
    if parsing.fold(text).strip(" .!") in _DONE_WORDS:
        done = Press("evidence_done" if has_evidence(ctx, state, indicator) else "evidence_later")
        return evidence_pressed(ctx, state, indicator, done)
    command = parsing.evidence_command(text)
    if isinstance(command, parsing.Refused):
        return again(state, command.message)
    if isinstance(command, parsing.RemoveItem):
        return _remove(ctx, state, indicator, command.number)
    if isinstance(command, parsing.RenameItem):
        return _rename(ctx, state, indicator, command)
    title = parsing.evidence_title(text, example=indicator.evidence[0])
    if isinstance(title, parsing.Refused):
        return again(state, title.message)
    same = _same_title(ctx, indicator, title)
    if same is not None:  # typed twice (a resend, a double tap): one item in the dossier
        return again(state, say.title_already_there(title, same, indicator.id))
    added = replace(state, draft=_with_title(state.draft, title))
    reply = Outbound(say.evidence_added(title), kind="answer")
    # Asked again after the reload: the new item is then listed with its own removal button.
    return Outcome(added, (reply,), (AddEvidence(indicator.id, title),), reload=True)


def _same_title(ctx: Context, indicator: Indicator, title: str) -> int | None:
    """The number of the listed item with this title (compared without case, marks or
    spacing), if there is one."""
    folded = parsing.fold(title)
    items = evidence_items(ctx, indicator.id)
    return next((n for n, e in enumerate(items, 1) if parsing.fold(e.title) == folded), None)


def _remove(ctx: Context, state: State, indicator: Indicator, number: int) -> Outcome:
    """Take the listed item `number` off the indicator (recorded in storage, not deleted)."""
    items = evidence_items(ctx, indicator.id)
    if not 1 <= number <= len(items):
        return again(state, say.no_such_evidence(number, indicator.id, len(items)))
    item = items[number - 1]
    hashes = tuple(h for h in state.draft.evidence_hashes if h != item.sha256)
    # The titles gathered at this step are all on file by now; dropping them keeps a removed
    # item from being listed again from the draft.
    draft = replace(state.draft, evidence_titles=(), evidence_hashes=hashes)
    reply = Outbound(say.evidence_removed(number, item.title, indicator.id), kind="answer")
    effect = RemoveEvidence(indicator.id, item.id)
    return Outcome(replace(state, draft=draft), (reply,), (effect,), reload=True)


def _rename(
    ctx: Context, state: State, indicator: Indicator, command: parsing.RenameItem
) -> Outcome:
    items = evidence_items(ctx, indicator.id)
    if not 1 <= command.number <= len(items):
        return again(state, say.no_such_evidence(command.number, indicator.id, len(items)))
    title = parsing.evidence_title(command.title, example=indicator.evidence[0])
    if isinstance(title, parsing.Refused):
        return again(state, title.message)
    item = items[command.number - 1]
    draft = replace(state.draft, evidence_titles=())
    reply = Outbound(say.evidence_renamed(command.number, item.title, title), kind="answer")
    effect = RenameEvidence(indicator.id, item.id, title)
    return Outcome(replace(state, draft=draft), (reply,), (effect,), reload=True)


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
    title = _photo_name(ctx, indicator) if photo else stored.original_name
    caption = parsing.evidence_title(message.text or "", example=indicator.evidence[0])
    if isinstance(caption, str):
        title = caption  # “Kế hoạch số 12/KH-UBND” typed with the upload names the evidence
    added = replace(state, draft=_with_title(draft, title))
    effect = AddEvidence(indicator.id, title, stored, photo, group)
    reply = Outbound(say.file_added(title, stored.size), kind="answer")
    return Outcome(added, (reply,), (effect,), reload=True)


def _photo_name(ctx: Context, indicator: Indicator) -> str:
    """“Ảnh minh chứng 2.4 (3)”: the first number not taken by the indicator's evidence, so two
    photos never share a name in the report's evidence list."""
    taken = {e.title for e in evidence_items(ctx, indicator.id)}
    number = 1
    while say.photo_name(indicator.id, number) in taken:
        number += 1
    return say.photo_name(indicator.id, number)


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
    if press.kind == "no_description":
        return Outcome(state, go=("described",), ask=True)
    return None


def description_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome:
    corrected = _evidence_corrected(ctx, state, indicator, text)
    if corrected is not None:
        return corrected
    if parsing.declines(text):  # “không”: no description, as the “Không mô tả” button
        return Outcome(state, go=("described",), ask=True)
    description = parsing.free_text(text)
    if isinstance(description, parsing.Refused):
        return again(state, description.message)
    if text.lstrip().startswith("/"):  # an unknown command is not a description
        return again(state, say.unknown_command(text.split()[0]))
    value = dict(state.draft.value or _stored_value(ctx, indicator.id))
    saved = Outbound(say.DESCRIPTION_SAVED, kind="answer")
    effect = RecordAnswer(indicator.id, value, description)
    return Outcome(state, (saved,), (effect,), go=("described",), ask=True)


def _evidence_corrected(
    ctx: Context, state: State, indicator: Indicator, text: str
) -> Outcome | None:
    """“xóa minh chứng 2” typed just after the evidence step (the official noticed a slip
    there): done as at that step, then the same question again; never stored as the
    description."""
    command = parsing.evidence_command(text)
    if command is None:
        return None
    if isinstance(command, parsing.Refused):
        return again(state, command.message)
    if isinstance(command, parsing.RemoveItem):
        return _remove(ctx, state, indicator, command.number)
    return _rename(ctx, state, indicator, command)


def description_skipped(ctx: Context, state: State, indicator: Indicator) -> Outcome:
    """“bỏ qua” here: no description, on to the strengths and weaknesses."""
    return Outcome(state, go=("described",), ask=True)


def description_back(state: State) -> str:
    """“quay lại” goes to the evidence, or to the value when no evidence was asked for."""
    return "back" if met(state.draft.value or {}) else "back_not_met"


# --- STRENGTHS --------------------------------------------------------------------------------
# One question for both (“Điểm mạnh: …; Tồn tại: …”, either part alone), not two: an official
# walking 13 indicators on a phone then pays one tap per indicator to pass it (“Không có”), not
# two, and the labels they type are the report's own headings, so nothing is guessed.


def strengths_pressed(
    ctx: Context, state: State, indicator: Indicator, press: Press
) -> Outcome | None:
    return advance(ctx, state, indicator) if press.kind == "no_strengths" else None


def strengths_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Outcome:
    corrected = _evidence_corrected(ctx, state, indicator, text)
    if corrected is not None:
        return corrected
    parsed = parsing.strengths_and_weaknesses(text)
    if isinstance(parsed, parsing.Refused):
        return again(state, parsed.message)
    if parsed is None:  # “không”: nothing to add
        return advance(ctx, state, indicator)
    stored = _stored_answer(ctx, indicator.id)
    value = dict(state.draft.value or (stored.value if stored else {}))
    description = stored.description if stored else None
    effect = RecordAnswer(indicator.id, value, description, parsed.strengths, parsed.weaknesses)
    saved = Outbound(say.strengths_saved(parsed.strengths, parsed.weaknesses), kind="answer")
    return advance(ctx, state, indicator, before=(saved,), effects=(effect,))


def strengths_skipped(ctx: Context, state: State, indicator: Indicator) -> Outcome:
    """“bỏ qua” here: nothing to add, on to the next indicator."""
    return advance(ctx, state, indicator)


def advance(
    ctx: Context,
    state: State,
    indicator: Indicator,
    *,
    before: tuple[Outbound, ...] = (),
    effects: tuple[RecordAnswer, ...] = (),
) -> Outcome:
    """This indicator is done: on to the next unanswered one, or the result (and the offer to
    answer the indicators passed over, if any)."""
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
        offer = bool(skipped_unanswered(ctx, done))
        return Outcome(done, (*before, *finished), effects, go=("all_answered",), ask=offer)
    return Outcome(done, before, effects, go=("next",), ask=True)


# --- DONE: the indicators passed over -----------------------------------------------------------


def done_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    return answer_skipped(ctx, state) if press.kind == "answer_skipped" else None


def answer_skipped(ctx: Context, state: State) -> Outcome:
    """“Trả lời các chỉ tiêu đã bỏ qua”: forget the skips and go to the first unanswered."""
    waiting = skipped_unanswered(ctx, state)
    if not waiting:  # all answered meanwhile (by a colleague): nothing to go back to
        forgotten = replace(state, skipped=())
        return Outcome(forgotten, (Outbound(say.NO_SKIPPED, kind="hint"),), ask=True)
    first = waiting[0]
    return Outcome(
        replace(state, skipped=(), indicator=first, draft=EMPTY_DRAFT, paused_step=None),
        go=("answer_skipped",),
        ask=True,
    )


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
    stored = _stored_answer(ctx, indicator_id)
    return {} if stored is None else dict(stored.value)


def _stored_answer(ctx: Context, indicator_id: str) -> AnswerRecord | None:
    return None if ctx.assessment is None else ctx.assessment.answers.get(indicator_id)
