"""The question of each step, and what it needs to know about the walk.

`ask()` is the only place a question is built, so a refusal anywhere can end with the same
question again; the engine (`conversations.engine`) decides which step comes next.
"""

from __future__ import annotations

from conversations import catalogue as say
from conversations import state as st
from conversations.context import Context
from conversations.flow import edge
from conversations.messages import Button, Outbound
from conversations.state import State
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Indicator

# Unit types in plain words; the choice decides the tier (TT24 Điều 1–2, seed 002 mục II).
UNIT_CHOICES: tuple[tuple[str, str, str, str], ...] = (
    ("ut:xa", "UBND xã, phường", "huyen", "ubnd_xa"),
    ("ut:cqh", "Cơ quan, đoàn thể cấp xã/huyện", "huyen", "co_quan"),
    ("ut:cqt", "Cơ quan, đoàn thể cấp tỉnh", "tinh", "co_quan"),
    ("ut:mn", "Trường mầm non công lập", "huyen", "mam_non"),
    ("ut:th", "Trường tiểu học, THCS", "huyen", "pho_thong"),
    ("ut:thpt", "Trường THPT, trung tâm GDTX tỉnh", "tinh", "pho_thong"),
    ("ut:gdnnh", "Trung tâm GDNN-GDTX cấp huyện", "huyen", "gdnn"),
    ("ut:gdnnt", "Trường cao đẳng, cơ sở GDNN cấp tỉnh", "tinh", "gdnn"),
    ("ut:dh", "Trường đại học", "tinh", "dai_hoc"),
    ("ut:dnh", "Doanh nghiệp, HTX do UBND xã/huyện quản lý", "huyen", "doanh_nghiep"),
    ("ut:dnt", "Doanh nghiệp do UBND tỉnh quản lý", "tinh", "doanh_nghiep"),
)

NAV_SKIP = Button("nav:skip", say.BTN_SKIP)
NAV_BACK = Button("nav:back", say.BTN_BACK)
TYPED_QUESTIONS = {
    st.ASK_CODE: say.ASK_CODE,
    st.ASK_NAME: say.ASK_NAME,
    st.ASK_PROVINCE: say.ASK_PROVINCE,
    st.ASK_MEMBERS: say.ASK_MEMBERS,
    st.ASK_LEARNERS: say.ASK_LEARNERS,
}


def ask(ctx: Context, state: State) -> list[Outbound]:
    """The question of the current step (also used to repeat it after a refusal)."""
    step_name = state.step
    if step_name == st.WELCOME:
        buttons = state.offer(
            (Button("ob:new", say.BTN_NEW_UNIT), Button("ob:code", say.BTN_HAVE_CODE))
        )
        return [Outbound(say.welcome(ctx.person.display_name), buttons, kind="question")]
    if step_name in TYPED_QUESTIONS:  # answered by typing: no buttons
        state.offer(())
        return [Outbound(TYPED_QUESTIONS[step_name], kind="question")]
    if step_name == st.ASK_TYPE:
        buttons = state.offer(tuple(Button(i, label) for i, label, _, _ in UNIT_CHOICES))
        return [Outbound(say.ASK_TYPE, buttons, kind="question")]
    indicator = current_indicator(ctx, state)
    if indicator is None:
        state.offer(())
        return [Outbound(say.IDLE_HINT, kind="hint")]
    if step_name == st.VALUE:
        members = ctx.assessment.members if ctx.assessment else None
        if indicator.kind in ("member_ratio", "member_learner_ratio") and not members:
            state.step = edge(st.VALUE, "members_unknown")
            return ask(ctx, state)
        return [value_question(ctx, state, indicator)]
    if step_name == st.CONFIRM_PCT:
        pending = state.draft.get("pending", {})
        buttons = state.offer(
            (
                Button("pct:yes", say.confirm_button(pending.get("value", 0))),
                Button("pct:no", say.BTN_RETYPE),
            )
        )
        return [Outbound(say.confirm_percent(pending), buttons, kind="question")]
    if step_name == st.LEARNERS_VALUE:
        state.offer((NAV_SKIP, NAV_BACK))
        learners = known_learners(ctx, state)
        return [
            Outbound(
                say.learners_question(indicator, learners), state_buttons(state), kind="question"
            )
        ]
    if step_name == st.EVIDENCE:
        have = has_evidence(ctx, state, indicator)
        offered: tuple[Button, ...] = (Button("ev:later", say.BTN_LATER),)
        if have:
            offered = (Button("ev:done", say.BTN_DONE), *offered)
        buttons = state.offer((*offered, NAV_BACK))
        return [
            Outbound(
                say.evidence_question(indicator, evidence_titles(ctx, indicator.id, state)),
                buttons,
                kind="question",
            )
        ]
    if step_name == st.DESCRIPTION:
        buttons = state.offer((Button("ds:skip", say.BTN_NO_DESCRIPTION), NAV_BACK))
        return [Outbound(say.description_question(indicator), buttons, kind="question")]
    state.offer(())
    return [Outbound(say.IDLE_HINT, kind="hint")]


def state_buttons(state: State) -> tuple[Button, ...]:
    return tuple(Button(i, label) for i, label in state.options)


def value_question(ctx: Context, state: State, indicator: Indicator) -> Outbound:
    kind = indicator.kind
    nav = (NAV_SKIP, NAV_BACK)
    buttons: tuple[Button, ...]
    if kind in ("yes_no", "accreditation"):
        buttons = (Button("v:y", say.BTN_MET), Button("v:n", say.BTN_NOT_MET), *nav)
    elif kind == "emulation_title":
        # The titles a unit usually has first; “no title” last, so “1” is not a slip into it.
        titles = [*list(EMULATION_TITLES)[1:], next(iter(EMULATION_TITLES))]
        buttons = (*(Button(f"v:{code}", EMULATION_TITLES[code]) for code in titles), *nav)
    elif kind == "digital_level":
        buttons = (
            *(Button(f"v:{code}", say.digital(name)) for code, name in DIGITAL_LEVELS.items()),
            *nav,
        )
    else:
        buttons = nav
    state.offer(buttons)
    position = [i.id for i in ctx.walk()].index(indicator.id) + 1
    members = ctx.assessment.members if ctx.assessment else None
    last = ctx.assessment.answers.get(indicator.id) if ctx.assessment else None
    text = say.indicator_question(
        indicator, ctx.unit.unit_type if ctx.unit else "", position, len(ctx.walk()), members, last
    )
    return Outbound(text, buttons, kind="question")


def current_indicator(ctx: Context, state: State) -> Indicator | None:
    if state.indicator is None or ctx.unit is None:
        return None
    for indicator in ctx.walk():
        if indicator.id == state.indicator:
            return indicator
    return None


def known_learners(ctx: Context, state: State) -> int | None:
    if ctx.assessment is not None and ctx.assessment.learners:
        return ctx.assessment.learners
    learners = state.draft.get("learners")
    return int(learners) if learners else None


def evidence_titles(ctx: Context, indicator_id: str, state: State | None = None) -> list[str]:
    """Evidence on file for the indicator, plus what this step added (not yet reloaded)."""
    stored = (
        []
        if ctx.assessment is None
        else [e.title for e in ctx.assessment.evidence_for(indicator_id)]
    )
    added = [] if state is None else list(state.draft.get("evidence_titles", []))
    return stored + [t for t in added if t not in stored]


def has_evidence(ctx: Context, state: State, indicator: Indicator) -> bool:
    return bool(evidence_titles(ctx, indicator.id, state))
