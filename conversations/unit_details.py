"""The unit's details in the chat (issue 12, item 3): /donvi shows them, and a unit admin
changes the name, province, type, members or learners total from there or by saying so
(“sửa số thành viên”, “đổi tên đơn vị”); an unusual total (above 2,000) is confirmed before it
is stored, here and at onboarding.

The handlers the step table (`conversations.steps`) names for UNIT_DETAILS, UNIT_FIELD and
CONFIRM_TOTAL. A change is the `UpdateUnit` effect; the service stores it (the storage checks
the role again, and refuses a change the stored answers do not allow, see
`storage.unit_changes`), reloads the context and calls back `updated`, which says what changed
and what the change did to the ratios already answered, from the evaluation before and after:
the figures are the engine's own, so the chat, the result and the report agree.

Who may change: the unit's admin. A member asking to change gets one sentence and the question
they were at; /donvi still shows them the details.
"""

from __future__ import annotations

import re
from dataclasses import replace

from conversations import buttons, onboarding, parsing, questions, quick, walk
from conversations import catalogue as say
from conversations.buttons import Press
from conversations.choosing import typed_choice
from conversations.context import Context, unit_type_name
from conversations.effects import UpdateUnit
from conversations.messages import Button, Outbound
from conversations.outcome import Outcome, again
from conversations.questions import UNIT_BUTTONS, UNIT_CHOICES
from conversations.records import UnitChange
from conversations.state import EMPTY_DRAFT, Draft, State
from dvht_core import provinces
from dvht_core.evaluate import LEVEL_NAMES, Evaluation, evaluate
from dvht_core.limits import MAX_NAME_CHARS, MAX_PROVINCE_CHARS
from dvht_core.offices import names_abolished_office, reform_date

SHOW = "show"
FIELDS = ("name", "province", "unit_type", "members", "learners", "receiving_office")
_TOTALS = ("members", "learners")
_RATIOS = ("member_ratio", "member_learner_ratio")

# --- what the official typed -------------------------------------------------------------------

_VERBS = ("sua", "sua lai", "doi", "thay doi", "cap nhat", "chinh sua", "dieu chinh", "nhap lai")
_FIELD_WORDS = {
    "name": ("ten don vi", "ten", "ten co quan", "ten truong", "ten xa"),
    "province": ("tinh", "tinh thanh pho", "tinh thanh", "tinh tp", "thanh pho"),
    "unit_type": ("loai don vi", "loai"),
    "members": ("so thanh vien", "tong so thanh vien", "thanh vien", "so tv"),
    "learners": ("so nguoi hoc", "tong so nguoi hoc", "nguoi hoc"),
    "receiving_office": ("noi nhan ho so", "noi nhan", "noi nop ho so", "noi nop"),
}
_TAILS = ("", " don vi", " cua don vi")
_PHRASES: dict[str, str] = {
    f"{verb} {words}{tail}": field
    for field, said in _FIELD_WORDS.items()
    for words in said
    for verb in _VERBS
    for tail in _TAILS
}
_PHRASES.update(
    dict.fromkeys(("thong tin don vi", "xem thong tin don vi", "xem don vi", "don vi"), SHOW)
)
_COMMANDS = ("donvi", "don_vi", "thongtindonvi")
_LONGEST = 60
"""Characters: the longest request (“/donvi tổng số người học của đơn vị”) is about 40."""
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", parsing.fold(text)).split())


def asked(text: str) -> str | None:
    """What the message asks of the unit's details: SHOW, a field to change, or None. Whole
    messages only (“sửa số thành viên”, “/donvi”, “/donvi số thành viên”), so an evidence title
    that merely mentions members is never taken for one."""
    if len(text) > _LONGEST:  # an evidence title or a description: never one of these
        return None
    if text.startswith("/"):
        command, _, rest = text[1:].partition(" ")
        if command.split("@", 1)[0].lower() not in _COMMANDS:
            return None
        said = _words(rest)
        field = _PHRASES.get(said) or _PHRASES.get(f"sua {said}") if said else None
        return field if field in FIELDS else SHOW
    return _PHRASES.get(_words(text))


def unusual(total: int) -> bool:
    """A members total worth a second look: more than 2,000 is rarer than an extra zero typed
    (the largest commune offices and schools have a few hundred members)."""
    return total > onboarding.UNUSUAL_TOTAL


# --- entering ----------------------------------------------------------------------------------


def start(ctx: Context, state: State, what: str, *, rests: bool) -> Outcome:
    """/donvi or “sửa …”: the details (with a button per field for an admin), or straight to
    the field named. `rests`: no question is waiting at the current step (nothing to repeat
    after showing a member the details)."""
    if ctx.unit is None:
        return again(state, say.UNIT_NO_UNIT)
    if not _admin(ctx):
        if what != SHOW:
            return again(state, say.UNIT_ADMIN_ONLY)
        details = Outbound(_details_text(ctx, admin=False), kind="answer")
        if rests:
            return Outcome(state, (details,))
        returning = Outbound(say.BACK_TO_QUESTION, kind="hint")
        return Outcome(state, (details, returning), ask=True)
    if what == SHOW:
        return Outcome(replace(state, draft=EMPTY_DRAFT), go=("unit_details",), ask=True)
    if what not in _fields(ctx):
        return again(state, say.UNIT_PICK_FIELD)
    return _editing(state, what)


def _editing(state: State, field: str) -> Outcome:
    """To the question of one field: the type is picked from a list (its own step, so that
    an option number means one thing in each step), the others typed."""
    event = "unit_kind" if field == "unit_type" else "unit_field"
    return Outcome(replace(state, draft=Draft(unit_field=field)), go=(event,), ask=True)


def _admin(ctx: Context) -> bool:
    unit = ctx.unit
    return unit is not None and any(
        m.unit_id == unit.id and m.role == "unit_admin" for m in ctx.memberships
    )


def _fields(ctx: Context) -> tuple[str, ...]:
    """The details this unit has: learners only where an indicator counts them (tỉnh-tier
    educational institutions, 3.1)."""
    counts = _counts_learners(ctx)
    return tuple(f for f in FIELDS if f != "learners" or counts)


def _counts_learners(ctx: Context) -> bool:
    unit_type = ctx.unit.unit_type if ctx.unit else ""
    return any(i.learners_apply(unit_type) for i in ctx.walk())


# --- UNIT_DETAILS ------------------------------------------------------------------------------


def details_prompt(ctx: Context, state: State) -> Outbound:
    offered = tuple(buttons.unit_field(f, say.UNIT_FIELD_LABELS[f]) for f in _fields(ctx))
    return Outbound(_details_text(ctx, admin=True), (*offered, buttons.UNIT_DONE), kind="question")


def _details_text(ctx: Context, *, admin: bool) -> str:
    unit, record = ctx.unit, ctx.assessment
    assert unit is not None  # asked only with a unit
    year = record.year if record else ctx.today.year
    return say.unit_details(
        unit.name,
        unit.province,
        unit_type_name(unit.unit_type),
        unit.tier,
        year,
        record.members if record else None,
        record.learners if record else None,
        show_learners=_counts_learners(ctx),
        admin=admin,
        office=ctx.calendar.office().office,
    )


def details_typed(ctx: Context, state: State, text: str) -> Outcome:
    return again(state, say.UNIT_PICK_FIELD)


def details_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind == "unit_done":
        return leave(ctx, state)
    if press.kind == "unit_field" and press.arg in _fields(ctx):
        return _editing(state, press.arg)
    return None


def leave(ctx: Context, state: State) -> Outcome:
    """“Xong”: back to the indicator the official was at, else the first unanswered one, else
    the result (after a change of type, the indicator may no longer apply)."""
    cleared = replace(state, draft=EMPTY_DRAFT)
    if questions.current_indicator(ctx, cleared) is not None:
        return Outcome(cleared, go=("unit_left",), ask=True)
    first = walk.next_indicator(ctx, cleared, after=None)
    if first is not None:
        return Outcome(replace(cleared, indicator=first.id), go=("unit_left",), ask=True)
    result = tuple(quick.result(ctx))
    return Outcome(replace(cleared, indicator=None), result, go=("unit_left_done",))


# --- UNIT_FIELD --------------------------------------------------------------------------------

_TYPE_BUTTONS = tuple(buttons.unit_type(choice, label) for choice, label, _, _ in UNIT_CHOICES)


def field_prompt(ctx: Context, state: State) -> Outbound:
    field = state.draft.unit_field or "name"
    unit, record = ctx.unit, ctx.assessment
    year = record.year if record else ctx.today.year
    if unit is None:
        current = ""
    elif field == "name":
        current = unit.name
    elif field == "province":
        current = unit.province
    elif field == "unit_type":
        current = unit_type_name(unit.unit_type)
    elif field == "receiving_office":
        current = ctx.calendar.office().office
    else:
        total = getattr(record, field, None) if record else None
        current = say.grouped_number(total) if total else "chưa khai báo"
    offered: tuple[Button, ...] = (buttons.UNIT_BACK,)
    if field == "unit_type":
        offered = (*_TYPE_BUTTONS, buttons.UNIT_BACK)
    return Outbound(say.ask_unit_field(field, current, year), offered, kind="question")


def kind_prompt(ctx: Context, state: State) -> Outbound:
    """UNIT_KIND: the field prompt of the unit type (its buttons are the types)."""
    return field_prompt(ctx, replace(state, draft=Draft(unit_field="unit_type")))


def counting(ctx: Context, state: State) -> bool:
    """At a total, a typed number is the total, not the number of a button."""
    return state.draft.unit_field in _TOTALS


def field_typed(ctx: Context, state: State, text: str) -> Outcome:
    field = state.draft.unit_field
    if field in ("name", "province"):
        limit = MAX_NAME_CHARS if field == "name" else MAX_PROVINCE_CHARS
        nothing = say.NAME_EMPTY if field == "name" else say.PROVINCE_EMPTY
        cleaned = parsing.free_text(text, nothing=nothing)
        if isinstance(cleaned, parsing.Refused):
            return again(state, cleaned.message)
        if len(cleaned) > limit:
            return again(state, say.too_long(len(cleaned), limit))
        if not parsing.has_letters(cleaned):
            return again(state, say.no_letters_in(field, cleaned))
        if field == "name":
            return _update(state, UpdateUnit(name=cleaned))
        found = provinces.find_province(cleaned)
        if found is None:  # as at onboarding: only one of the 34 provinces (or a merged one)
            return again(state, say.province_unknown(cleaned))
        return _update(state, UpdateUnit(province=provinces.kept_name(cleaned, found)))
    if field == "receiving_office":
        return _office_typed(ctx, state, text)
    if field in _TOTALS:
        what = say.MEMBERS if field == "members" else say.LEARNERS
        total = parsing.positive_total(text, what=what)
        if isinstance(total, parsing.Refused):
            return again(state, total.message)
        if field == "members" and unusual(total):
            return confirm(state, total)
        return _update(state, _total_change(field, total))
    # The type in plain words, as at onboarding (“trường THCS”, “ubnd xa”; asked when unsure).
    chosen = typed_choice(ctx, state, text, UNIT_BUTTONS, field_pressed)
    if chosen is not None:
        return chosen
    return again(state, say.pick_a_type(ctx.has_buttons))


def _office_typed(ctx: Context, state: State, text: str) -> Outcome:
    """Who receives the dossier, as the province's plan names it (issue 13): words, at most
    300 characters, and from 1/7/2025 never an office that ended that day."""
    cleaned = parsing.free_text(text, nothing=say.OFFICE_EMPTY)
    if isinstance(cleaned, parsing.Refused):
        return again(state, cleaned.message)
    if len(cleaned) > MAX_NAME_CHARS:
        return again(state, say.too_long(len(cleaned), MAX_NAME_CHARS))
    if not parsing.has_letters(cleaned):
        return again(state, say.office_without_letters(cleaned))
    if ctx.today >= reform_date() and names_abolished_office(cleaned):
        return again(state, say.OFFICE_ABOLISHED)
    return _update(state, UpdateUnit(receiving_office=cleaned))


def field_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind == "unit_back":
        return Outcome(replace(state, draft=EMPTY_DRAFT), go=("back_to_details",), ask=True)
    if press.kind == "unit_type" and state.draft.unit_field == "unit_type":
        for choice, _, tier, unit_type in UNIT_CHOICES:
            if choice == press.arg:
                return _update(state, UpdateUnit(tier=tier, unit_type=unit_type))
    return None


def _total_change(field: str, total: int) -> UpdateUnit:
    return UpdateUnit(members=total) if field == "members" else UpdateUnit(learners=total)


def _update(state: State, change: UpdateUnit) -> Outcome:
    """Store the change; the service reloads and calls `updated` (or, refused, asks again)."""
    return Outcome(state, effects=(change,), reload=True)


# --- CONFIRM_TOTAL -----------------------------------------------------------------------------


def confirm(state: State, total: int) -> Outcome:
    """An unusual members total: ask before storing it (as `onboarding.members_typed` does)."""
    waiting = replace(state, draft=replace(state.draft, total=total))
    return Outcome(waiting, go=("unusual",), ask=True)


def confirm_prompt(ctx: Context, state: State) -> Outbound:
    total = state.draft.total or 0
    what = say.MEMBERS if state.draft.unit_field != "learners" else say.LEARNERS
    offered = (buttons.total_yes(total, what), buttons.TOTAL_RETYPE)
    return Outbound(say.confirm_total(total, what), offered, kind="question")


_RETYPE_WORDS = frozenset({"nhap lai", "go lai", "sai", "sai roi", "khong dung", "lai"})


def confirm_typed(ctx: Context, state: State, text: str) -> Outcome:
    folded = _words(text)
    if folded in _RETYPE_WORDS:
        return _retype(state)
    said = parsing.yes_no(text)
    if said is True:
        return _confirmed(ctx, state)
    if said is False:
        return _retype(state)
    if any(ch.isdigit() for ch in folded):  # the right total typed at once
        retyped = replace(state, draft=replace(state.draft, total=None))
        if state.draft.unit_field is not None:
            return field_typed(ctx, retyped, text)
        return onboarding.members_typed(ctx, retyped, text)
    return again(state, say.CONFIRM_TOTAL_HINT)


def confirm_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind == "total_yes":
        return _confirmed(ctx, state)
    if press.kind == "total_no":
        return _retype(state)
    return None


def _confirmed(ctx: Context, state: State) -> Outcome:
    total = state.draft.total
    if total is None:  # a state without the total (cannot be built by this release)
        return _retype(state)
    field = state.draft.unit_field
    if field in _TOTALS:
        return _update(state, _total_change(field, total))
    kept = replace(state, draft=replace(state.draft, total=None))
    return onboarding.total_given(ctx, kept, total)


def _retype(state: State) -> Outcome:
    event = "retype_field" if state.draft.unit_field is not None else "retype_members"
    return Outcome(replace(state, draft=replace(state.draft, total=None)), go=(event,), ask=True)


# --- after the change --------------------------------------------------------------------------


def updated(
    before: Context, after: Context, state: State, done: tuple[UnitChange, ...]
) -> Outcome:
    """What changed, the ratios answered so far re-evaluated on the new totals (each with its
    new figures and, if its level moved, the level it had), and the indicators a new type
    brings or leaves; then the details again, to change another or finish."""
    lines = [
        say.unit_change_line(c.field, _shown(c.field, c.old), _shown(c.field, c.new), c.year)
        for c in done
        if c.field != "tier" or not any(o.field == "unit_type" for o in done)
    ] or [say.UNIT_NOTHING_CHANGED]
    if any(c.field in _TOTALS for c in done):
        ratios = _ratios(before, after)
        if ratios:
            lines.append(say.ratios_recomputed(ratios))
    if any(c.field in ("unit_type", "tier") for c in done):
        was = [i.id for i in before.walk()]
        now = [i.id for i in after.walk()]
        left = [i for i in was if i not in now and before.answered(i)]
        joined = [i for i in now if i not in was]
        if left:
            lines.append(say.indicators_left(left))
        if joined:
            lines.append(say.indicators_joined(joined))
        record = after.assessment
        if _counts_learners(after) and record is not None and not record.learners:
            lines.append(say.LEARNERS_NOW_NEEDED)
    told = Outbound("\n".join(lines), kind="answer")
    return Outcome(replace(state, draft=EMPTY_DRAFT), (told,), go=("unit_updated",), ask=True)


def _shown(field: str, value: str | int | None) -> str:
    if value is None:
        return "chưa khai báo"
    if field == "unit_type":
        return unit_type_name(str(value))
    if field == "tier":
        from dvht_core.model import TIER_NAMES

        return TIER_NAMES.get(str(value), str(value))
    if isinstance(value, int):
        return say.grouped_number(value)
    return f"“{value}”"


def _ratios(before: Context, after: Context) -> list[str]:
    old, new = _evaluation(before), _evaluation(after)
    if new is None:
        return []
    lines = []
    for indicator in after.walk():
        if indicator.kind not in _RATIOS or not after.answered(indicator.id):
            continue
        result = new.indicators[indicator.id]
        previous = old.indicators.get(indicator.id) if old is not None else None
        moved = previous is not None and previous.level != result.level
        before_level = LEVEL_NAMES.get(previous.level or 0) if moved and previous else None
        lines.append(say.ratio_line(indicator.id, result.reason, before_level))
    return lines


def _evaluation(ctx: Context) -> Evaluation | None:
    assessment, rulebook = ctx.as_assessment(), ctx.rulebook
    if assessment is None or rulebook is None:
        return None
    return evaluate(rulebook, assessment)
