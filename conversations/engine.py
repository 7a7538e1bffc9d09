"""The pure dialogue core: (context, state, message) → (new state, replies, effects).

No I/O: the service loads the context, applies the effects in one transaction and saves the
state. Every step's question comes from `questions.ask()`, so any reply that refuses an answer
can end with the same question again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from conversations import catalogue as say
from conversations import parsing, quick
from conversations import state as st
from conversations.context import Context
from conversations.effects import (
    AddEvidence,
    AttachFile,
    CreateUnit,
    Effect,
    JoinUnit,
    RecordAnswer,
    SetTotals,
    Transition,
)
from conversations.flow import edge
from conversations.intents import Intent, parse_intent
from conversations.messages import Button, Inbound, Outbound
from conversations.questions import (
    UNIT_CHOICES,
    ask,
    current_indicator,
    has_evidence,
    known_learners,
    state_buttons,
)
from conversations.state import State
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Indicator

_INDICATOR_ID = re.compile(r"\b\d{1,2}\.\d{1,2}\b")


def step(ctx: Context, state: State, message: Inbound) -> Transition:
    """Handle one message; never raises for any user input."""
    if message.is_group:
        return _in_group(ctx, state, message)
    if message.sticker:
        return _again(ctx, state, say.STICKER)
    text = (message.text or "").strip()
    if text.startswith("/start"):
        return _start(ctx, state, text.removeprefix("/start").strip())
    if message.file is not None or message.stored is not None or message.file_error:
        return _file(ctx, state, message)  # a caption (“1”, “2”…) is not an option number
    picked = _picked(ctx, state, message, text)
    if picked is not None:
        return _button(ctx, state, picked)
    if not text:
        return _again(ctx, state, say.EMPTY_MESSAGE)
    intent = parse_intent(text, strict=state.step in st.FREE_TEXT_STEPS)
    if intent is not None:
        if intent.kind in ("edit", "indicator_info") and intent.indicator is None:
            named = _INDICATOR_ID.search(text)  # “sửa 9.9”: say that 9.9 does not exist
            intent = replace(intent, indicator=named.group()) if named else intent
        return _intent(ctx, state, intent)
    return _typed(ctx, state, text)


# --- entry points --------------------------------------------------------------------------


def _start(ctx: Context, state: State, code: str) -> Transition:
    if code:
        state.step, state.draft = edge("*", "start_with_code"), {"code": code}
        return Transition(state, effects=[JoinUnit(code)], reload=True)
    if ctx.unit is None:
        state.step = edge(st.IDLE, "start_without_unit")
        state.draft = {}
        return Transition(state, ask(ctx, state))
    return _resume(ctx, state, greeting=True)


def joined(ctx: Context, state: State) -> list[Outbound]:
    """After a successful JoinUnit: greet and start (or resume) the walk."""
    state.unit_id = ctx.unit.id if ctx.unit else None
    state.draft = {}
    return [
        Outbound(say.joined(ctx.unit.name if ctx.unit else ""), kind="answer"),
        *_resume(ctx, state).replies,
    ]


def join_failed(ctx: Context, state: State, reason: str) -> list[Outbound]:
    state.step, state.draft = edge("*", "join_failed"), {}
    return [Outbound(reason, kind="error"), *ask(ctx, state)]


def created(ctx: Context, state: State, invite_code: str) -> list[Outbound]:
    """After CreateUnit: hand over the invite code, then the first question."""
    state.unit_id = ctx.unit.id if ctx.unit else None
    state.draft = {}
    state.visited = []
    first = _next_indicator(ctx, state, after=None)
    state.step = edge(st.ASK_MEMBERS, "unit_created" if first else "unit_created_empty")
    state.indicator = first.id if first else None
    intro = Outbound(
        say.unit_created(ctx.unit.name if ctx.unit else "", invite_code), kind="answer"
    )
    return [intro, *ask(ctx, state)]


ONBOARDING_STEPS = frozenset({st.WELCOME, st.ASK_CODE, st.ASK_NAME, st.ASK_PROVINCE, st.ASK_TYPE})


def _resume(ctx: Context, state: State, *, greeting: bool = False) -> Transition:
    if ctx.unit is None:
        paused = state.paused_step
        onboarding = paused in ONBOARDING_STEPS or (
            paused == st.ASK_MEMBERS and state.draft.get("onboarding")
        )
        state.step, state.paused_step = (paused if onboarding and paused else st.WELCOME), None
        return Transition(state, ask(ctx, state))
    state.unit_id = ctx.unit.id
    replies = [Outbound(say.welcome_back(ctx.unit.name), kind="answer")] if greeting else []
    if state.paused_step and state.indicator:
        state.step, state.paused_step = state.paused_step, None
    elif state.step in (st.IDLE, st.DONE, st.WELCOME, st.ASK_CODE) or state.indicator is None:
        first = _next_indicator(ctx, state, after=None)
        if first is None:
            state.step, state.indicator = edge("*", "resume_all_answered"), None
            return Transition(state, replies + quick.result(ctx))
        state.step, state.indicator = edge("*", "resume"), first.id
    return Transition(state, replies + ask(ctx, state))


# --- buttons and typed option numbers ---------------------------------------------------------


NUMBER_STEPS = frozenset({st.ASK_MEMBERS, st.ASK_LEARNERS, st.LEARNERS_VALUE})


def _picked(ctx: Context, state: State, message: Inbound, text: str) -> str | None:
    if message.button:
        return message.button
    if not text or not state.options:
        return None
    current = current_indicator(ctx, state)
    counting = state.step in NUMBER_STEPS or (
        state.step == st.VALUE
        and current is not None
        and current.kind in ("member_ratio", "member_learner_ratio")
    )
    if counting and parsing.fold(text).strip(" .").isdigit():
        return None  # “2” here is two people, not the second button
    return parsing.choose(text, state.options)


def _button(ctx: Context, state: State, button: str) -> Transition:
    if button == "nav:skip":
        return _intent(ctx, state, Intent("skip"))
    if button == "nav:back":
        return _intent(ctx, state, Intent("back"))
    if button == "q:report":
        return _intent(ctx, state, Intent("report"))
    if button.startswith("ob:") and state.step != st.WELCOME:
        return _again(ctx, state, say.STALE_BUTTON)
    if button == "ob:new":
        state.step, state.draft = edge(st.WELCOME, "new_unit"), {"onboarding": True}
        return Transition(state, ask(ctx, state))
    if button == "ob:code":
        state.step = edge(st.WELCOME, "have_code")
        return Transition(state, ask(ctx, state))
    if button.startswith("ut:") and state.step == st.ASK_TYPE:
        for choice_id, _, tier, unit_type in UNIT_CHOICES:
            if choice_id == button:
                state.draft.update(tier=tier, unit_type=unit_type)
                state.step = edge(st.ASK_TYPE, "type_chosen")
                return Transition(state, ask(ctx, state))
    if button.startswith("e:"):
        return _edit(ctx, state, button.removeprefix("e:"))
    indicator = current_indicator(ctx, state)
    if indicator is None:
        return _again(ctx, state, say.STALE_BUTTON)
    if button.startswith("v:") and state.step == st.VALUE:
        return _value_choice(ctx, state, indicator, button.removeprefix("v:"))
    if button == "pct:yes" and state.step == st.CONFIRM_PCT:
        value = int(state.draft.get("pending", {}).get("value", 0))
        return _counted(ctx, state, indicator, value)
    if button == "pct:no" and state.step == st.CONFIRM_PCT:
        state.step = edge(st.CONFIRM_PCT, "retype")
        return Transition(state, ask(ctx, state))
    if button == "ev:later" and state.step == st.EVIDENCE:
        if has_evidence(ctx, state, indicator):
            state.step = edge(st.EVIDENCE, "done")  # evidence is there: nothing is “later”
            return Transition(state, ask(ctx, state))
        state.step = edge(st.EVIDENCE, "later")
        return Transition(state, [Outbound(say.EVIDENCE_LATER, kind="answer"), *ask(ctx, state)])
    if button == "ev:done" and state.step == st.EVIDENCE:
        state.step = edge(st.EVIDENCE, "done")
        return Transition(state, ask(ctx, state))
    if button == "ds:skip" and state.step == st.DESCRIPTION:
        return _advance(ctx, state, indicator)
    return _again(ctx, state, say.STALE_BUTTON)


# --- typed text per step ----------------------------------------------------------------------


def _typed(ctx: Context, state: State, text: str) -> Transition:
    step_name = state.step
    if step_name == st.ASK_CODE:
        code = text.split()[0] if text.split() else ""
        state.draft = {"code": code}
        return Transition(state, effects=[JoinUnit(code)], reload=True)
    if step_name in (st.ASK_NAME, st.ASK_PROVINCE):
        cleaned = parsing.free_text(text)
        if isinstance(cleaned, parsing.Refused):
            return _again(ctx, state, cleaned.message)
        limit = 300 if step_name == st.ASK_NAME else 100
        if len(cleaned) > limit:
            return _again(ctx, state, say.too_long(len(cleaned), limit))
        state.draft["name" if step_name == st.ASK_NAME else "province"] = cleaned
        state.step = edge(step_name, "typed")
        return Transition(state, ask(ctx, state))
    if step_name == st.ASK_TYPE:
        return _again(ctx, state, say.PICK_A_TYPE)
    if step_name == st.ASK_MEMBERS:
        return _members(ctx, state, text)
    if step_name == st.ASK_LEARNERS:
        total = parsing.positive_total(text, what=say.LEARNERS)
        if isinstance(total, parsing.Refused):
            return _again(ctx, state, total.message)
        state.draft["learners"] = total
        state.step = edge(st.ASK_LEARNERS, "typed")
        return Transition(state, ask(ctx, state), [SetTotals(learners=total)])
    indicator = current_indicator(ctx, state)
    if indicator is None:
        return Transition(state, [Outbound(say.UNKNOWN_TEXT, kind="hint")])
    if step_name == st.VALUE:
        return _value_typed(ctx, state, indicator, text)
    if step_name == st.LEARNERS_VALUE:
        learners = known_learners(ctx, state) or 0
        result = parsing.count(text, total=learners, what=say.LEARNERS)
        if isinstance(result, parsing.Refused):
            return _again(ctx, state, result.message)
        if isinstance(result, parsing.NeedsConfirmation):
            return _again(ctx, state, say.learners_whole_number(result.exact))
        members_count = int(state.draft.get("count", 0))
        return _record(
            ctx, state, indicator, {"count": members_count, "learners_count": result.value}
        )
    if step_name == st.CONFIRM_PCT:
        agreed = parsing.yes_no(text)
        if agreed is None:
            return _again(ctx, state, say.CONFIRM_OR_RETYPE)
        return _button(ctx, state, "pct:yes" if agreed else "pct:no")
    if step_name == st.EVIDENCE:
        if parsing.fold(text).strip(" .!") in ("xong", "done", "ok", "het", "da xong"):
            return _button(
                ctx, state, "ev:done" if has_evidence(ctx, state, indicator) else "ev:later"
            )
        title = parsing.free_text(text)
        if isinstance(title, parsing.Refused):
            return _again(ctx, state, title.message)
        if len(title) > 500:
            return _again(ctx, state, say.too_long(len(title), 500))
        state.draft["evidence_added"] = int(state.draft.get("evidence_added", 0)) + 1
        state.draft["evidence_titles"] = [*state.draft.get("evidence_titles", []), title]
        effect = AddEvidence(indicator.id, title)
        return Transition(
            state, [Outbound(say.evidence_added(title), kind="answer"), *ask(ctx, state)], [effect]
        )
    if step_name == st.DESCRIPTION:
        description = parsing.free_text(text)
        if isinstance(description, parsing.Refused):
            return _again(ctx, state, description.message)
        value = dict(state.draft.get("value") or _stored_value(ctx, indicator.id))
        transition = _advance(ctx, state, indicator)
        transition.effects.insert(0, RecordAnswer(indicator.id, value, description))
        transition.replies.insert(0, Outbound(say.DESCRIPTION_SAVED, kind="answer"))
        return transition
    return Transition(state, [Outbound(say.UNKNOWN_TEXT, kind="hint")])


def _members(ctx: Context, state: State, text: str) -> Transition:
    total = parsing.positive_total(text, what=say.MEMBERS)
    if isinstance(total, parsing.Refused):
        return _again(ctx, state, total.message)
    if state.draft.get("onboarding"):
        draft = state.draft
        effect = CreateUnit(
            name=draft["name"],
            province=draft["province"],
            tier=draft["tier"],
            unit_type=draft["unit_type"],
            members=total,
        )
        return Transition(state, effects=[effect], reload=True)
    state.step = edge(st.ASK_MEMBERS, "typed")
    return Transition(state, effects=[SetTotals(members=total)], reload=True)


# --- the value of an indicator ----------------------------------------------------------------


def _value_choice(ctx: Context, state: State, indicator: Indicator, choice: str) -> Transition:
    kind = indicator.kind
    if kind in ("yes_no", "accreditation") and choice in ("y", "n"):
        return _record(ctx, state, indicator, {"met": choice == "y"})
    if kind == "emulation_title" and choice in EMULATION_TITLES:
        return _record(ctx, state, indicator, {"title": choice})
    if kind == "digital_level" and choice in DIGITAL_LEVELS:
        return _record(ctx, state, indicator, {"dt_level": choice})
    return _again(ctx, state, say.STALE_BUTTON)


def _value_typed(ctx: Context, state: State, indicator: Indicator, text: str) -> Transition:
    kind = indicator.kind
    if kind in ("yes_no", "accreditation"):
        answer = parsing.yes_no(text)
        if answer is None:
            return _again(ctx, state, say.YES_NO_EXPECTED)
        return _record(ctx, state, indicator, {"met": answer})
    if kind in ("emulation_title", "digital_level"):
        return _again(ctx, state, say.PICK_AN_OPTION)
    members = ctx.assessment.members if ctx.assessment else None
    if not members:  # unreachable in practice: ask() asks for the total first
        state.step = edge(st.VALUE, "members_unknown")
        return Transition(state, ask(ctx, state))
    result = parsing.count(text, total=members, what=say.MEMBERS)
    if isinstance(result, parsing.Refused):
        return _again(ctx, state, result.message)
    if isinstance(result, parsing.NeedsConfirmation):
        state.draft["pending"] = {
            "value": result.value,
            "percent": result.percent,
            "exact": str(result.exact),
            "total": members,
        }
        state.step = edge(st.VALUE, "percent_not_whole")
        return Transition(state, ask(ctx, state))
    return _counted(ctx, state, indicator, result.value)


def _counted(ctx: Context, state: State, indicator: Indicator, value: int) -> Transition:
    """A member count is known; schools at tỉnh tier still owe the learners part of 3.1."""
    unit_type = ctx.unit.unit_type if ctx.unit else ""
    if indicator.learners_apply(unit_type):
        state.draft["count"] = value
        state.step = edge(state.step, "learners_needed")
        if known_learners(ctx, state) is None:
            state.step = edge(st.LEARNERS_VALUE, "learners_unknown")
        return Transition(state, ask(ctx, state))
    return _record(ctx, state, indicator, {"count": value})


def _record(ctx: Context, state: State, indicator: Indicator, value: dict[str, Any]) -> Transition:
    """Store the value now (nothing lost if the user stops here), then ask for evidence."""
    state.draft = {"value": value, "indicator": indicator.id}
    effect = RecordAnswer(indicator.id, value)
    state.step = edge(state.step, "answered" if _met(value) else "answered_not_met")
    saved = Outbound(say.answer_saved(indicator, value), kind="answer")
    return Transition(state, [saved, *ask(ctx, state)], [effect])


def _advance(ctx: Context, state: State, indicator: Indicator) -> Transition:
    """This indicator is done: on to the next unanswered one, or the result."""
    if indicator.id not in state.visited:
        state.visited.append(indicator.id)
    state.draft = {}
    following = _next_indicator(ctx, state, after=indicator.id, done=indicator.id)
    if following is None:
        state.step, state.indicator = edge(st.DESCRIPTION, "all_answered"), None
        return Transition(
            state,
            [
                Outbound(say.WALK_FINISHED, kind="answer"),
                *quick.result(ctx, finished=indicator.id),
            ],
        )
    state.step, state.indicator = edge(st.DESCRIPTION, "next"), following.id
    return Transition(state, ask(ctx, state))


def _next_indicator(
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


# --- intents: navigation and quick questions ----------------------------------------------------


def _intent(ctx: Context, state: State, intent: Intent) -> Transition:
    kind = intent.kind
    if kind in quick.ANSWERABLE:
        replies = quick.answer(ctx, intent)
        if state.step not in (st.IDLE, st.DONE):
            replies.append(Outbound(say.BACK_TO_QUESTION, kind="hint"))
            replies.extend(ask(ctx, state))
        return Transition(state, replies)
    if kind == "cancel":
        return _cancel(ctx, state)
    if kind == "pause":
        if state.step in (st.IDLE, st.DONE):
            return Transition(state, [Outbound(say.NOTHING_TO_PAUSE, kind="hint")])
        state.paused_step, state.step = state.step, edge("*", "pause")
        return Transition(state, [Outbound(say.PAUSED, kind="answer")])
    if kind == "resume":
        return _resume(ctx, state)
    if kind == "edit":
        return _edit(ctx, state, intent.indicator)
    if ctx.unit is None or current_indicator(ctx, state) is None:
        if state.step in (st.IDLE, st.DONE):
            return Transition(state, [Outbound(say.NOT_IN_WALK, kind="hint")])
        return _again(ctx, state, say.NOT_HERE)
    indicator = current_indicator(ctx, state)
    assert indicator is not None
    if kind == "skip" or kind == "later_evidence":
        return _skip(ctx, state, indicator, later=kind == "later_evidence")
    if kind == "back":
        return _back(ctx, state, indicator)
    return _again(ctx, state, say.UNKNOWN_TEXT)


def _skip(ctx: Context, state: State, indicator: Indicator, *, later: bool) -> Transition:
    if state.step == st.EVIDENCE:
        state.step = edge(st.EVIDENCE, "later")
        return Transition(state, [Outbound(say.EVIDENCE_LATER, kind="answer"), *ask(ctx, state)])
    if state.step == st.DESCRIPTION:
        return _advance(ctx, state, indicator)
    if later:
        return _again(ctx, state, say.ANSWER_FIRST)
    if indicator.id not in state.skipped and not ctx.answered(indicator.id):
        state.skipped.append(indicator.id)
    state.draft = {}
    following = _next_indicator(ctx, state, after=indicator.id, done=indicator.id)
    note = Outbound(say.skipped(indicator.id), kind="answer")
    if following is None:
        state.step, state.indicator = edge(st.VALUE, "skip_last"), None
        return Transition(state, [note, *quick.result(ctx)])
    state.step, state.indicator = edge(st.VALUE, "skip"), following.id
    return Transition(state, [note, *ask(ctx, state)])


def _back(ctx: Context, state: State, indicator: Indicator) -> Transition:
    previous_step = {
        st.ASK_LEARNERS: st.VALUE,
        st.EVIDENCE: st.VALUE,
        st.DESCRIPTION: st.EVIDENCE,
        st.CONFIRM_PCT: st.VALUE,
        st.LEARNERS_VALUE: st.VALUE,
    }.get(state.step)
    if state.step == st.DESCRIPTION and not _met(state.draft.get("value") or {}):
        state.step = edge(st.DESCRIPTION, "back_not_met")  # no evidence was asked for
        return Transition(state, ask(ctx, state))
    if previous_step is not None:
        state.step = edge(state.step, "back")
        return Transition(state, ask(ctx, state))
    ids = [i.id for i in ctx.walk()]
    position = ids.index(indicator.id)
    if position == 0:
        return _again(ctx, state, say.AT_FIRST)
    state.indicator = state.visited.pop() if state.visited else ids[position - 1]
    state.step = edge(st.VALUE, "back")
    state.draft = {}
    return Transition(state, ask(ctx, state))


def _edit(ctx: Context, state: State, indicator_id: str | None) -> Transition:
    walk = {i.id: i for i in ctx.walk()}
    if ctx.unit is None:
        return Transition(state, [Outbound(say.NOT_IN_WALK, kind="hint")])
    if indicator_id is None:
        answered = [i for i in walk if ctx.answered(i)]
        if not answered:
            return Transition(
                state, [Outbound(say.NOTHING_TO_EDIT, kind="hint"), *ask(ctx, state)]
            )
        state.offer(tuple(Button(f"e:{i}", f"{i} {walk[i].short}") for i in answered))
        return Transition(
            state, [Outbound(say.PICK_TO_EDIT, state_buttons(state), kind="question")]
        )
    if indicator_id not in walk:
        return _again(ctx, state, say.no_such_indicator(indicator_id))
    state.indicator, state.step, state.paused_step = indicator_id, edge("*", "edit"), None
    state.draft = {}
    return Transition(state, ask(ctx, state))


def _cancel(ctx: Context, state: State) -> Transition:
    if state.step in (st.WELCOME, st.ASK_CODE, st.ASK_NAME, st.ASK_PROVINCE, st.ASK_TYPE) or (
        state.step == st.ASK_MEMBERS and state.draft.get("onboarding")
    ):
        state.step, state.draft = edge("*", "cancel"), {}
        return Transition(state, [Outbound(say.ONBOARDING_CANCELLED, kind="answer")])
    state.paused_step = None
    state.step, state.draft = edge("*", "cancel"), {}
    return Transition(state, [Outbound(say.CANCELLED, kind="answer")])


# --- files, groups and repeats ----------------------------------------------------------


def _file(ctx: Context, state: State, message: Inbound) -> Transition:
    indicator = current_indicator(ctx, state)
    if state.step != st.EVIDENCE or indicator is None:
        return _again(ctx, state, say.FILE_NOT_NOW)
    if message.file_error:
        return _again(ctx, state, message.file_error)
    stored = message.stored
    if stored is None:
        return _again(ctx, state, say.FILE_NOT_RECEIVED)
    known = set(state.draft.get("evidence_hashes", []))
    if ctx.assessment is not None:
        known |= {e.sha256 for e in ctx.assessment.evidence_for(indicator.id) if e.sha256}
    if stored.sha256 in known:
        return _again(ctx, state, say.file_already_there(stored.original_name, indicator.id))
    photo = message.file is not None and message.file.kind == "photo"
    group = message.file.media_group_id if message.file is not None else None
    state.draft["evidence_hashes"] = [*state.draft.get("evidence_hashes", []), stored.sha256]
    if group and group in state.draft.get("groups", {}):
        effect: Effect = AttachFile(group, stored)
        reply = Outbound(say.file_attached(stored.original_name, stored.size), kind="answer")
        return Transition(state, [reply, *ask(ctx, state)], [effect])
    title = say.photo_title(indicator.id) if photo else stored.original_name
    caption = parsing.free_text(message.text or "")
    if isinstance(caption, str) and not caption.isdigit() and len(caption) <= 500:
        title = caption  # “Kế hoạch số 12/KH-UBND” typed with the upload names the evidence
    state.draft["evidence_added"] = int(state.draft.get("evidence_added", 0)) + 1
    state.draft["evidence_titles"] = [*state.draft.get("evidence_titles", []), title]
    effect = AddEvidence(indicator.id, title, stored, photo, group)
    return Transition(
        state,
        [Outbound(say.file_added(title, stored.size), kind="answer"), *ask(ctx, state)],
        [effect],
    )


def _in_group(ctx: Context, state: State, message: Inbound) -> Transition:
    text = (message.text or "").strip()
    if not text.startswith("/"):
        return Transition(state)  # never chat, and never show anyone's answers, in a group
    intent = parse_intent(text)
    if intent is not None and intent.kind == "help":
        return Transition(state, [Outbound(say.GROUP_HELP, kind="answer")])
    if intent is not None and intent.kind in (
        "need_level",
        "criterion_info",
        "indicator_info",
        "deadline",
    ):
        public = Context(ctx.person, (), None, None, ctx.today)  # rulebook facts only
        return Transition(state, quick.answer(public, intent))
    return Transition(state, [Outbound(say.GROUP_PRIVATE, kind="answer")])


def _again(ctx: Context, state: State, message: str) -> Transition:
    """One specific sentence, then the same question again."""
    return Transition(state, [Outbound(message, kind="error"), *ask(ctx, state)])


def _met(value: dict[str, Any]) -> bool:
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
