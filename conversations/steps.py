"""The dialogue's steps, one entry each: its question, what typed text, buttons and files do
there, where “quay lại” and “bỏ qua” go, how messages are read there, and its edges.

The engine (`conversations.engine`) handles what applies at every step (/start, pause, cancel,
edit, quick questions, groups) and hands the rest to the current step's entry. Handlers return
an `Outcome` naming the events they follow; `finish` follows them along the edges declared here
and asks the question of the step it arrives at. `docs/flow.md` is drawn from these edges
(`python -m conversations.flow`), so the diagram is the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from conversations import catalogue as say
from conversations import onboarding, questions, roster_step, submit_step, unit_details, walk
from conversations import state as st
from conversations.buttons import Press
from conversations.context import Context
from conversations.effects import Transition
from conversations.messages import Inbound, Outbound
from conversations.outcome import Outcome, Redirect
from conversations.state import State
from dvht_core.model import Indicator

Prompt = Callable[[Context, State], Outbound | Redirect | None]
"""The step's question; None when it cannot be asked (no current indicator): the idle hint. It
reads the state's indicator and draft, not its step: the state may still be at the step the
dialogue is leaving (the new state is built once the question is known)."""
Typed = Callable[[Context, State, str], Outcome | None]
"""What typed text does; None: nothing here (“Tôi chưa hiểu”)."""
Pressed = Callable[[Context, State, Press], Outcome | None]
"""What a button does; None: not a button of this question (a stale button)."""
Upload = Callable[[Context, State, Inbound], Outcome | None]
"""What a file does; None: no file is wanted here."""
Skip = Callable[[Context, State, Indicator], Outcome]
Back = str | Callable[[State], str] | None
Check = Callable[[Context, State], bool]


class Edge(NamedTuple):
    event: str
    target: str
    label: str
    """What happens, for the diagram."""


def never(ctx: Context, state: State) -> bool:
    return False


def always(ctx: Context, state: State) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the dialogue: everything that differs from one step to another."""

    id: str
    prompt: Prompt
    typed: Typed | None = None
    pressed: Pressed | None = None
    """Buttons that apply at every step (Bỏ qua, Quay lại, Báo cáo, sửa) never get here."""
    upload: Upload | None = None
    skip: Skip | None = None
    """What “bỏ qua” does here; None: pass over the indicator (“bổ sung sau”: answer first)."""
    back: Back = None
    """What “quay lại” follows: one of this step's events, a function choosing one, or None for
    the previous indicator."""
    edges: tuple[Edge, ...] = ()
    free_text: bool = False
    """Waits for free text (a name, an evidence title): only clear commands are intents."""
    counts: Check = never
    """A typed number is a count here, not the number of a button."""
    onboarding: Check = never
    """Part of onboarding: “hủy” forgets it, “tiếp tục” without a unit returns to it."""
    rests: bool = False
    """No question is waiting (quick answers do not repeat one; nothing to pause)."""
    restarts_walk: bool = False
    """“tiếp tục” from here starts at the first unanswered indicator."""


A = TypeVar("A")
R = TypeVar("R")


def about_indicator(
    handler: Callable[[Context, State, Indicator, A], R],
) -> Callable[[Context, State, A], R | None]:
    """For the steps about the current indicator: without one (a state left by an indicator
    that no longer applies) the step has nothing to do."""

    def run(ctx: Context, state: State, arg: A) -> R | None:
        indicator = questions.current_indicator(ctx, state)
        return None if indicator is None else handler(ctx, state, indicator, arg)

    return run


def asking_about_indicator(
    prompt: Callable[[Context, State, Indicator], Outbound | Redirect],
) -> Prompt:
    """The question of a step about the current indicator (None without one: the idle hint)."""

    def run(ctx: Context, state: State) -> Outbound | Redirect | None:
        indicator = questions.current_indicator(ctx, state)
        return None if indicator is None else prompt(ctx, state, indicator)

    return run


def _ratio(ctx: Context, state: State) -> bool:
    current = questions.current_indicator(ctx, state)
    return current is not None and current.kind in ("member_ratio", "member_learner_ratio")


_TABLE: tuple[Step, ...] = (
    Step(st.IDLE, questions.idle, rests=True, restarts_walk=True),
    Step(
        st.WELCOME,
        questions.welcome,
        typed=onboarding.welcome_typed,
        pressed=onboarding.welcome_pressed,
        onboarding=always,
        restarts_walk=True,
        edges=(
            Edge("new_unit", st.ASK_NAME, "Tạo đơn vị mới"),
            Edge("have_code", st.ASK_CODE, "Tôi có mã mời"),
        ),
    ),
    Step(
        st.ASK_CODE,
        questions.typed(say.ASK_CODE),
        typed=onboarding.code_typed,
        free_text=True,
        onboarding=always,
        restarts_walk=True,
    ),
    Step(
        st.ASK_NAME,
        questions.typed(say.ASK_NAME),
        typed=onboarding.name_typed,
        free_text=True,
        onboarding=always,
        edges=(Edge("typed", st.ASK_PROVINCE, "unit name"),),
    ),
    Step(
        st.ASK_PROVINCE,
        questions.typed(say.ASK_PROVINCE),
        typed=onboarding.province_typed,
        free_text=True,
        onboarding=always,
        edges=(Edge("typed", st.ASK_TYPE, "province"),),
    ),
    Step(
        st.ASK_TYPE,
        questions.unit_type,
        typed=onboarding.type_typed,
        pressed=onboarding.type_pressed,
        onboarding=always,
        edges=(Edge("type_chosen", st.ASK_MEMBERS, "unit type decides the tier"),),
    ),
    Step(
        st.ASK_MEMBERS,
        questions.typed(say.ASK_MEMBERS),
        typed=onboarding.members_typed,
        counts=always,
        onboarding=onboarding.creating,
        edges=(
            Edge("unit_created", st.VALUE, "members → unit created, invite code"),
            Edge("unit_created_empty", st.DONE, "no indicator applies"),
            Edge("typed", st.VALUE, "total members stored"),
            Edge("unusual", st.CONFIRM_TOTAL, "above 2,000: confirm it"),
        ),
    ),
    Step(
        st.VALUE,
        asking_about_indicator(questions.value),
        typed=about_indicator(walk.value_typed),
        pressed=about_indicator(walk.value_pressed),
        counts=_ratio,
        edges=(
            Edge("members_unknown", st.ASK_MEMBERS, "ratio needs the total once"),
            Edge("percent_not_whole", st.CONFIRM_PCT, "90% of 31 is 27.9"),
            Edge("learners_needed", st.LEARNERS_VALUE, "tỉnh schools: learners of 3.1"),
            Edge("answered", st.EVIDENCE, "value stored"),
            Edge("answered_not_met", st.DESCRIPTION, "not met: no evidence needed"),
        ),
    ),
    Step(
        st.CONFIRM_PCT,
        asking_about_indicator(questions.confirm_percent),
        typed=about_indicator(walk.confirm_typed),
        pressed=about_indicator(walk.confirm_pressed),
        back="back",
        edges=(
            Edge("learners_needed", st.LEARNERS_VALUE, "count confirmed"),
            Edge("answered", st.EVIDENCE, "count confirmed and stored"),
            Edge("answered_not_met", st.DESCRIPTION, "not met"),
            Edge("retype", st.VALUE, "Nhập lại"),
            Edge("back", st.VALUE, "quay lại"),
        ),
    ),
    Step(
        st.ASK_LEARNERS,
        questions.typed(say.ASK_LEARNERS),
        typed=walk.learners_total_typed,
        counts=always,
        back="back",
        edges=(
            Edge("typed", st.LEARNERS_VALUE, "learners total stored"),
            Edge("back", st.VALUE, "quay lại"),
        ),
    ),
    Step(
        st.LEARNERS_VALUE,
        asking_about_indicator(questions.learners_value),
        typed=about_indicator(walk.learners_typed),
        counts=always,
        back="back",
        edges=(
            Edge("learners_unknown", st.ASK_LEARNERS, "learners total once"),
            Edge("answered", st.EVIDENCE, "both counts stored"),
            Edge("answered_not_met", st.DESCRIPTION, "not met"),
            Edge("back", st.VALUE, "quay lại"),
        ),
    ),
    Step(
        st.EVIDENCE,
        asking_about_indicator(questions.evidence),
        typed=about_indicator(walk.evidence_typed),
        pressed=about_indicator(walk.evidence_pressed),
        upload=about_indicator(walk.evidence_upload),
        skip=walk.evidence_later,
        back="back",
        free_text=True,
        edges=(
            Edge("later", st.DESCRIPTION, "bổ sung sau (recorded as missing)"),
            Edge("done", st.DESCRIPTION, "Xong (file, photo or reference added)"),
            Edge("back", st.VALUE, "quay lại"),
        ),
    ),
    Step(
        st.DESCRIPTION,
        asking_about_indicator(questions.description),
        typed=about_indicator(walk.description_typed),
        pressed=about_indicator(walk.description_pressed),
        skip=walk.description_skipped,
        back=walk.description_back,
        free_text=True,
        edges=(
            Edge("described", st.STRENGTHS, "description or Không mô tả"),
            Edge("back", st.EVIDENCE, "quay lại"),
            Edge("back_not_met", st.VALUE, "quay lại after “chưa đạt”"),
        ),
    ),
    Step(
        st.STRENGTHS,
        asking_about_indicator(questions.strengths),
        typed=about_indicator(walk.strengths_typed),
        pressed=about_indicator(walk.strengths_pressed),
        skip=walk.strengths_skipped,
        back="back",
        free_text=True,
        edges=(
            Edge("next", st.VALUE, "Điểm mạnh/Tồn tại or Không có → next indicator"),
            Edge("all_answered", st.DONE, "last indicator → result"),
            Edge("back", st.DESCRIPTION, "quay lại"),
        ),
    ),
    Step(
        st.DONE,
        questions.done,
        pressed=walk.done_pressed,
        rests=True,
        restarts_walk=True,
    ),
    # Unit details (issue 12, item 3): /donvi, “sửa số thành viên”; unit admins only.
    Step(
        st.UNIT_DETAILS,
        unit_details.details_prompt,
        typed=unit_details.details_typed,
        pressed=unit_details.details_pressed,
        skip=lambda ctx, state, indicator: unit_details.leave(ctx, state),
        back="unit_left",
        edges=(
            Edge("unit_left", st.VALUE, "Xong: back to the indicator"),
            Edge("unit_left_done", st.DONE, "Xong, all answered: result"),
        ),
    ),
    Step(
        st.UNIT_FIELD,
        unit_details.field_prompt,
        typed=unit_details.field_typed,
        pressed=unit_details.field_pressed,
        back="back_to_details",
        free_text=True,
        counts=unit_details.counting,
        edges=(
            Edge("unit_updated", st.UNIT_DETAILS, "changed (ratios re-evaluated)"),
            Edge("unusual", st.CONFIRM_TOTAL, "above 2,000: confirm it"),
            Edge("back_to_details", st.UNIT_DETAILS, "Quay lại"),
        ),
    ),
    Step(
        st.UNIT_KIND,
        unit_details.kind_prompt,
        typed=unit_details.field_typed,
        pressed=unit_details.field_pressed,
        back="back_to_details",
        edges=(
            Edge("unit_updated", st.UNIT_DETAILS, "type changed (plan and tier explained)"),
            Edge("back_to_details", st.UNIT_DETAILS, "Quay lại"),
        ),
    ),
    Step(
        st.CONFIRM_TOTAL,
        unit_details.confirm_prompt,
        typed=unit_details.confirm_typed,
        pressed=unit_details.confirm_pressed,
        onboarding=onboarding.creating,
        edges=(
            Edge("unit_created", st.VALUE, "confirmed at onboarding → unit created"),
            Edge("unit_created_empty", st.DONE, "no indicator applies"),
            Edge("typed", st.VALUE, "confirmed in the walk: total stored"),
            Edge("unit_updated", st.UNIT_DETAILS, "confirmed change stored"),
            Edge("unusual", st.CONFIRM_TOTAL, "another unusual total typed"),
            Edge("retype_members", st.ASK_MEMBERS, "Nhập lại"),
            Edge("retype_field", st.UNIT_FIELD, "Nhập lại (a change)"),
        ),
    ),
    # Submission (issue 15): “Nộp hồ sơ …?” Có / Không.
    Step(
        st.CONFIRM_SUBMIT,
        submit_step.prompt,
        typed=submit_step.typed,
        pressed=submit_step.pressed,
        skip=lambda ctx, state, indicator: submit_step.cancelled(state),
        back="submit_cancelled",
        edges=(
            Edge("submitted", st.IDLE, "Có: submitted, the office's reviewers told"),
            Edge("submit_cancelled", st.IDLE, "Không"),
        ),
    ),
    # The member roster (issue 16): /danhsach, the file, “Ghi các số này?” Có / Không.
    Step(
        st.AWAIT_ROSTER,
        roster_step.await_prompt,
        typed=roster_step.await_typed,
        skip=lambda ctx, state, indicator: roster_step.left(ctx, state),
        back="roster_cancelled",
        edges=(Edge("roster_cancelled", st.IDLE, "bỏ qua, quay lại"),),
    ),
    Step(
        st.CONFIRM_ROSTER,
        roster_step.confirm_prompt,
        typed=roster_step.confirm_typed,
        pressed=roster_step.confirm_pressed,
        skip=lambda ctx, state, indicator: roster_step.left(ctx, state),
        back="roster_cancelled",
        edges=(
            Edge("roster_recorded", st.IDLE, "Có: counts, totals and evidence recorded"),
            Edge("roster_cancelled", st.IDLE, "Không: nothing recorded"),
        ),
    ),
)
STEPS: dict[str, Step] = {entry.id: entry for entry in _TABLE}

ANYWHERE: tuple[Edge, ...] = (
    Edge("start_without_unit", st.WELCOME, "/start, no unit yet"),
    Edge("start_with_code", st.ASK_CODE, "/start CODE (joining)"),
    Edge("join_failed", st.ASK_CODE, "invalid code"),
    Edge("resume", st.VALUE, "tiếp tục, /danhgia, joined a unit"),
    Edge("resume_all_answered", st.DONE, "all answered: result"),
    Edge("edit", st.VALUE, "sửa 2.4"),
    Edge("skip", st.VALUE, "bỏ qua (unanswered)"),
    Edge("skip_last", st.DONE, "bỏ qua the last one → result (and the skipped offered)"),
    Edge("answer_skipped", st.VALUE, "trả lời các chỉ tiêu đã bỏ qua"),
    Edge("previous", st.VALUE, "quay lại: the previous indicator"),
    Edge("pause", st.IDLE, "tạm dừng (resumes where it stopped)"),
    Edge("cancel", st.IDLE, "hủy"),
    Edge("unit_details", st.UNIT_DETAILS, "/donvi (unit admin)"),
    Edge("unit_field", st.UNIT_FIELD, "sửa số thành viên, đổi tên đơn vị…"),
    Edge("unit_kind", st.UNIT_KIND, "sửa loại đơn vị"),
    Edge("submit_asked", st.CONFIRM_SUBMIT, "/nop, “nộp hồ sơ” (unit admin, level ≥ 1)"),
    Edge("roster_asked", st.AWAIT_ROSTER, "/danhsach: the template sent"),
    Edge("roster_read", st.CONFIRM_ROSTER, "an XLSX read as the roster, staged: the counts"),
)
"""Edges from every step (`any` in the diagram)."""

UNKNOWN = Step("unknown", questions.idle)
"""A step this release does not have (a state stored by an older one, such as its former
“pick_edit”): nothing is asked there, navigation and quick questions still work."""

_TARGETS: dict[tuple[str, str], str] = {
    (entry.id, e.event): e.target for entry in _TABLE for e in entry.edges
}
_ANYWHERE: dict[str, str] = {e.event: e.target for e in ANYWHERE}


def of(step_id: str) -> Step:
    return STEPS.get(step_id, UNKNOWN)


def edge(source: str, event: str) -> str:
    """The step `event` leads to from `source`; a missing edge is a bug, caught by the tests."""
    target = _TARGETS.get((source, event)) or _ANYWHERE.get(event)
    if target is None:
        raise KeyError(f"no transition {source!r} --{event}-->")
    return target


def ask(ctx: Context, state: State) -> tuple[State, Outbound]:
    """The question of the state's step, and the state with its buttons on screen."""
    return _ask(ctx, state, state.step)


def _ask(ctx: Context, state: State, step: str) -> tuple[State, Outbound]:
    """The question of `step` (or of the step its prompt redirects to), and the state at that
    step with the question's buttons on screen, built once."""
    asked = of(step).prompt(ctx, state)
    while isinstance(asked, Redirect):
        step = edge(step, asked.event)
        asked = of(step).prompt(ctx, state)
    if asked is None:
        asked = questions.idle(ctx, state)
    return state.at(step, asked.buttons), asked


def _resting(state: State, target: str, replies: tuple[Outbound, ...]) -> State:
    """The state at `target` when no question follows. At a resting step (a pause, the
    result) the options are those the replies show (the result's “Báo cáo”); arriving there
    without any, none: a typed number must not pick a button of the question left behind."""
    if not of(target).rests:
        return state.at(target)
    shown = next((r.buttons for r in reversed(replies) if r.buttons), None)
    if shown is None and target == state.step:
        return state.at(target)  # a quick answer at rest: what was on screen stays
    return state.at(target, shown or ())


def finish(ctx: Context, outcome: Outcome) -> Transition:
    """Follow the outcome's events, then ask the question where they lead if it wants one."""
    state = outcome.state
    target = state.step
    for event in outcome.go:
        target = edge(target, event)
    if not outcome.ask:
        return Transition(
            _resting(state, target, outcome.replies),
            outcome.replies,
            outcome.effects,
            outcome.reload,
        )
    state, question = _ask(ctx, state, target)
    return Transition(state, (*outcome.replies, question), outcome.effects, outcome.reload)
