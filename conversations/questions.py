"""The question of each step, and what it needs to know about the walk.

Each function here is the `prompt` of one step in `conversations.steps`: the only place that
step's question is built, so a refusal anywhere can end with the same question again. A prompt
only builds the message; the engine records its buttons in the state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from conversations import buttons
from conversations import catalogue as say
from conversations.context import Context
from conversations.messages import Button, Outbound
from conversations.outcome import Redirect
from conversations.records import EvidenceRecord
from conversations.state import Pending, State
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Indicator

# Unit types in plain words; the choice decides the tier (TT24 Điều 1–2, seed 002 mục II).
# (choice, label, tier, unit type); the choice is the value its button carries.
UNIT_CHOICES: tuple[tuple[str, str, str, str], ...] = (
    ("xa", "UBND xã, phường", "huyen", "ubnd_xa"),
    ("cqh", "Cơ quan, đoàn thể cấp xã/huyện", "huyen", "co_quan"),
    ("cqt", "Cơ quan, đoàn thể cấp tỉnh", "tinh", "co_quan"),
    ("mn", "Trường mầm non công lập", "huyen", "mam_non"),
    ("th", "Trường tiểu học, THCS", "huyen", "pho_thong"),
    ("thpt", "Trường THPT, trung tâm GDTX tỉnh", "tinh", "pho_thong"),
    ("gdnnh", "Trung tâm GDNN-GDTX cấp huyện", "huyen", "gdnn"),
    ("gdnnt", "Trường cao đẳng, cơ sở GDNN cấp tỉnh", "tinh", "gdnn"),
    ("dh", "Trường đại học", "tinh", "dai_hoc"),
    ("dnh", "Doanh nghiệp, HTX do UBND xã/huyện quản lý", "huyen", "doanh_nghiep"),
    ("dnt", "Doanh nghiệp do UBND tỉnh quản lý", "tinh", "doanh_nghiep"),
)
UNIT_BUTTONS = tuple(buttons.unit_type(choice, label) for choice, label, _, _ in UNIT_CHOICES)
_NAV = (buttons.SKIP, buttons.BACK)
_RATIOS = ("member_ratio", "member_learner_ratio")

# --- onboarding and the resting steps ------------------------------------------------------------


WELCOME_BUTTONS = (buttons.NEW_UNIT, buttons.HAVE_CODE)


def welcome(ctx: Context, state: State) -> Outbound:
    return Outbound(say.welcome(ctx.person.display_name), WELCOME_BUTTONS, kind="question")


def typed(text: str) -> Callable[[Context, State], Outbound]:
    """A question answered by typing: no buttons."""

    def prompt(ctx: Context, state: State) -> Outbound:
        return Outbound(text, kind="question")

    return prompt


def unit_type(ctx: Context, state: State) -> Outbound:
    return Outbound(say.ASK_TYPE, UNIT_BUTTONS, kind="question")


def idle(ctx: Context, state: State) -> Outbound:
    """Nothing is asked: what one can do from here (without a unit, only /start helps: the
    results and the walk are a unit's)."""
    if ctx.unit is None:
        return Outbound(say.IDLE_NO_UNIT_HINT, kind="hint")
    return Outbound(say.IDLE_HINT, kind="hint")


# --- the walk: every prompt below is about the current indicator -------------------------------


def value(ctx: Context, state: State, indicator: Indicator) -> Outbound | Redirect:
    members = ctx.assessment.members if ctx.assessment else None
    if indicator.kind in _RATIOS and not members:
        return Redirect("members_unknown")  # a ratio needs the total once
    offered = value_buttons(indicator)
    walk = ctx.walk()
    position = [i.id for i in walk].index(indicator.id) + 1
    last = ctx.assessment.answers.get(indicator.id) if ctx.assessment else None
    unit_type = ctx.unit.unit_type if ctx.unit else ""
    on_file = len(evidence_items(ctx, indicator.id)) if last is not None else 0
    text = say.indicator_question(
        indicator, unit_type, position, len(walk), members, last, on_file
    )
    return Outbound(text, offered, kind="question")


def value_buttons(indicator: Indicator) -> tuple[Button, ...]:
    """The options of an indicator's value question: the same at every asking, so a number
    keeps its meaning (navigation last, and unnumbered where options are numbered)."""
    return _value_buttons(indicator.kind)


@functools.cache
def _value_buttons(kind: str) -> tuple[Button, ...]:
    if kind in ("yes_no", "accreditation"):
        return (buttons.MET, buttons.NOT_MET, *_NAV)
    if kind == "emulation_title":
        # The titles a unit usually has first; “no title” last, so “1” is not a slip into it.
        titles = [*list(EMULATION_TITLES)[1:], next(iter(EMULATION_TITLES))]
        return (*(buttons.value(code, EMULATION_TITLES[code]) for code in titles), *_NAV)
    if kind == "digital_level":
        levels = DIGITAL_LEVELS.items()
        return (*(buttons.value(code, say.digital(name)) for code, name in levels), *_NAV)
    return _NAV


def confirm_percent(ctx: Context, state: State, indicator: Indicator) -> Outbound:
    pending = state.draft.pending or Pending()
    text = say.confirm_percent(pending.value, pending.percent, pending.exact, pending.total)
    return Outbound(text, (buttons.confirm(pending.value), buttons.RETYPE), kind="question")


def learners_value(ctx: Context, state: State, indicator: Indicator) -> Outbound:
    text = say.learners_question(indicator, known_learners(ctx, state))
    return Outbound(text, _NAV, kind="question")


def evidence(ctx: Context, state: State, indicator: Indicator) -> Outbound:
    """Without evidence: send or type it, or “Bổ sung sau”. With evidence (a corrected answer,
    or items just added): the items numbered, “Xong” keeps them all, and each has its own
    removal button, so an answer corrected with “sửa 2.4” never keeps the old list silently."""
    # What is on file, as stored: every addition is asked about after the reload, so the list
    # numbers exactly the items that “xóa minh chứng 2” and the buttons act on.
    items = evidence_items(ctx, indicator.id)
    if not items:
        text = say.evidence_question(indicator)
        return Outbound(text, (buttons.EVIDENCE_LATER, buttons.BACK), kind="question")
    removals = tuple(buttons.remove_evidence(e.id, n) for n, e in enumerate(items[:10], 1))
    # “Xong” joins after “Bổ sung sau”, so option 1 keeps its meaning from one asking of the
    # step to the next (with evidence on file, “Bổ sung sau” keeps it as “Xong” does).
    offered = (buttons.EVIDENCE_LATER, buttons.EVIDENCE_DONE, *removals, buttons.BACK)
    titles = [e.title for e in items]
    return Outbound(say.evidence_listing(indicator, titles), offered, kind="question")


def strengths(ctx: Context, state: State, indicator: Indicator) -> Outbound:
    choices = (buttons.NO_STRENGTHS, buttons.BACK)
    return Outbound(say.strengths_question(indicator.id), choices, kind="question")


def done(ctx: Context, state: State) -> Outbound:
    """The walk is over: the indicators passed over with “bỏ qua” are offered again, else
    what one can do from here."""
    waiting = skipped_unanswered(ctx, state)
    if not waiting:
        return idle(ctx, state)
    # “Báo cáo” first, as on the result just above: option 1 means the same in both lists.
    offered = (buttons.REPORT, buttons.ANSWER_SKIPPED)
    return Outbound(say.skipped_offer(waiting), offered, kind="question")


def description(ctx: Context, state: State, indicator: Indicator) -> Outbound:
    choices = (buttons.NO_DESCRIPTION, buttons.BACK)
    return Outbound(say.description_question(indicator), choices, kind="question")


def pick_to_edit(ctx: Context) -> Outbound | None:
    """“sửa” without an indicator: the answered ones as buttons (None: nothing answered yet)."""
    walk = ctx.walk()
    answered = tuple(buttons.edit(i.id, f"{i.id} {i.short}") for i in walk if ctx.answered(i.id))
    return Outbound(say.PICK_TO_EDIT, answered, kind="question") if answered else None


# --- what the steps know about the walk ---------------------------------------------------------


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
    return state.draft.learners or None


def evidence_titles(ctx: Context, indicator_id: str, state: State | None = None) -> list[str]:
    """Evidence on file for the indicator, plus what this step added (not yet reloaded)."""
    stored = (
        []
        if ctx.assessment is None
        else [e.title for e in ctx.assessment.evidence_for(indicator_id)]
    )
    added = [] if state is None else list(state.draft.evidence_titles)
    return stored + [t for t in added if t not in stored]


def has_evidence(ctx: Context, state: State, indicator: Indicator) -> bool:
    return bool(evidence_titles(ctx, indicator.id, state))


def evidence_items(ctx: Context, indicator_id: str) -> tuple[EvidenceRecord, ...]:
    """The indicator's evidence on file, in the order the question numbers it."""
    return () if ctx.assessment is None else ctx.assessment.evidence_for(indicator_id)


def skipped_unanswered(ctx: Context, state: State) -> list[str]:
    """Indicators passed over with “bỏ qua” and still unanswered, in walk order."""
    skipped = set(state.skipped)
    return [i.id for i in ctx.walk() if i.id in skipped and not ctx.answered(i.id)]
