"""Onboarding: joining a unit with an invite code, or creating one (name, province, type,
members). The handlers the step table (`conversations.steps`) names for those steps; the unit
is created, or the code redeemed, by the service applying the effect, which then calls back
into the engine (`engine.created`, `engine.joined`, `engine.join_failed`).
"""

from __future__ import annotations

from dataclasses import replace

from conversations import catalogue as say
from conversations import parsing
from conversations.buttons import Press
from conversations.choosing import forget_guess, typed_choice
from conversations.context import Context
from conversations.effects import CreateUnit, JoinUnit, SetTotals
from conversations.messages import Outbound
from conversations.outcome import Outcome, again
from conversations.questions import UNIT_BUTTONS, UNIT_CHOICES, WELCOME_BUTTONS
from conversations.state import EMPTY_DRAFT, Draft, State
from conversations.walk import next_indicator
from dvht_core import provinces

NAME_LIMIT = 300
PROVINCE_LIMIT = 100


def welcome_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind == "new_unit":
        creating = replace(state, draft=Draft(onboarding=True))
        return Outcome(creating, go=("new_unit",), ask=True)
    if press.kind == "have_code":
        return Outcome(state, go=("have_code",), ask=True)
    return None


def code_typed(ctx: Context, state: State, text: str) -> Outcome:
    return redeem(state, text.split()[0] if text.split() else "")


def redeem(state: State, code: str) -> Outcome:
    """Join with an invite code: the service redeems it, then greets or asks again."""
    joining = replace(state, draft=Draft(code=code))
    return Outcome(joining, effects=(JoinUnit(code),), reload=True)


def name_typed(ctx: Context, state: State, text: str) -> Outcome:
    cleaned = _cleaned(state, text, NAME_LIMIT, nothing=say.NAME_EMPTY)
    if isinstance(cleaned, str) and not parsing.has_letters(cleaned):
        return again(state, say.no_letters_in("name", cleaned))
    if isinstance(cleaned, Outcome):
        return cleaned
    named = replace(state, draft=replace(state.draft, name=cleaned))
    return Outcome(named, go=("typed",), ask=True)


def province_typed(ctx: Context, state: State, text: str) -> Outcome:
    cleaned = _cleaned(state, text, PROVINCE_LIMIT, nothing=say.PROVINCE_EMPTY)
    if isinstance(cleaned, str) and not parsing.has_letters(cleaned):
        return again(state, say.no_letters_in("province", cleaned))
    if isinstance(cleaned, Outcome):
        return cleaned
    found = provinces.find_province(cleaned)
    if found is None:
        return again(state, say.province_unknown(cleaned))
    # The offices' scopes, deadlines and reviewers match it by `provinces.same_province`.
    kept = provinces.kept_name(cleaned, found)
    placed = replace(state, draft=replace(state.draft, province=kept))
    merged = (Outbound(say.province_merged(found.former, found.name)),) if found.former else ()
    return Outcome(placed, merged, go=("typed",), ask=True)


def _cleaned(state: State, text: str, limit: int, *, nothing: str) -> str | Outcome:
    """The visible text to keep, or the refusal (`nothing`: when no visible character is left,
    e.g. a name typed as zero-width spaces only)."""
    cleaned = parsing.free_text(text, nothing=nothing)
    if isinstance(cleaned, parsing.Refused):
        return again(state, cleaned.message)
    if len(cleaned) > limit:
        return again(state, say.too_long(len(cleaned), limit))
    return cleaned


def welcome_typed(ctx: Context, state: State, text: str) -> Outcome:
    """“tạo mới”, “có mã mời”… in words."""
    chosen = typed_choice(ctx, state, text, WELCOME_BUTTONS, welcome_pressed)
    return chosen or again(forget_guess(state), say.pick_a_start(ctx.has_buttons))


def type_typed(ctx: Context, state: State, text: str) -> Outcome:
    """The unit type in plain words: “UBND xã”, “phường”, “trường THCS”, “mầm non”."""
    chosen = typed_choice(ctx, state, text, UNIT_BUTTONS, type_pressed)
    return chosen or again(forget_guess(state), say.pick_a_type(ctx.has_buttons))


def type_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind != "unit_type":
        return None
    for choice, _, tier, unit_type in UNIT_CHOICES:
        if choice == press.arg:
            draft = replace(state.draft, tier=tier, unit_type=unit_type)
            return Outcome(replace(state, draft=draft), go=("type_chosen",), ask=True)
    return None


UNUSUAL_TOTAL = 2000
"""A members total above this is confirmed before it is stored (issue 12, item 3; the
confirmation step is `conversations.unit_details`)."""


def members_typed(ctx: Context, state: State, text: str) -> Outcome:
    """The members total: the last onboarding question (the unit is created with it), or asked
    once in the walk before the first ratio. An unusual one is confirmed first."""
    total = parsing.positive_total(text, what=say.MEMBERS)
    if isinstance(total, parsing.Refused):
        return again(state, total.message)
    if total > UNUSUAL_TOTAL:
        waiting = replace(state, draft=replace(state.draft, total=total))
        return Outcome(waiting, go=("unusual",), ask=True)
    return total_given(ctx, state, total)


def total_given(ctx: Context, state: State, total: int) -> Outcome:
    """The members total, typed (or confirmed): create the unit with it, or store it."""
    draft = state.draft
    if not draft.onboarding:
        return Outcome(state, effects=(SetTotals(members=total),), go=("typed",), reload=True)
    name, province, tier, unit_type = draft.name, draft.province, draft.tier, draft.unit_type
    if name is None or province is None or tier is None or unit_type is None:
        # Unreachable: ASK_MEMBERS is asked in onboarding only after the three questions.
        raise KeyError("onboarding draft without the unit's fields")
    effect = CreateUnit(
        name=name, province=province, tier=tier, unit_type=unit_type, members=total
    )
    return Outcome(state, effects=(effect,), reload=True)


def creating(ctx: Context, state: State) -> bool:
    """ASK_MEMBERS belongs to onboarding when a new unit is being created."""
    return state.draft.onboarding


def created(ctx: Context, state: State, invite_code: str) -> Outcome:
    """After CreateUnit: hand over the invite code, then the first question."""
    fresh = replace(
        state, unit_id=ctx.unit.id if ctx.unit else None, draft=EMPTY_DRAFT, visited=()
    )
    first = next_indicator(ctx, fresh, after=None)
    intro = Outbound(
        say.unit_created(ctx.unit.name if ctx.unit else "", invite_code), kind="answer"
    )
    return Outcome(
        replace(fresh, indicator=first.id if first else None),
        (intro,),
        go=("unit_created" if first else "unit_created_empty",),
        ask=True,
    )
