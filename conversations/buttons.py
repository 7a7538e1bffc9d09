"""Button ids: built here and read back here, nowhere else.

An id is a short prefix, a colon and, for the buttons that carry a value, that value
("nav:back", "v:y", "e:2.4", "ut:xa"). The ids are a wire format: a stored conversation state
keeps the ids of its last question in `options` (so a typed "2" picks the second button), and a
Telegram message sent before an upgrade still carries its buttons. An id once sent must keep
its meaning, so never rename a prefix or a fixed id; add new ones instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from conversations import catalogue as say
from conversations.messages import Button

PressKind = Literal[
    "skip",
    "back",
    "report",
    "new_unit",
    "have_code",
    "unit_type",
    "edit",
    "value",
    "confirm",
    "retype",
    "evidence_later",
    "evidence_done",
    "no_description",
    "remove_evidence",
    "no_strengths",
    "answer_skipped",
    "unit_field",
    "unit_done",
    "unit_back",
    "total_yes",
    "total_no",
    "resume",
    "submit",
    "submit_yes",
    "submit_no",
    "roster_yes",
    "roster_no",
]


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed (or its number typed), read from its id."""

    kind: PressKind
    arg: str = ""
    """The value an id carries: the unit type choice, the indicator to edit, the answer."""


# The fixed ids, and the prefixes of the ids that carry a value: the whole wire format.
_FIXED: dict[str, Press] = {
    "nav:skip": Press("skip"),
    "nav:back": Press("back"),
    "q:report": Press("report"),
    "ob:new": Press("new_unit"),
    "ob:code": Press("have_code"),
    "pct:yes": Press("confirm"),
    "pct:no": Press("retype"),
    "ev:later": Press("evidence_later"),
    "ev:done": Press("evidence_done"),
    "ds:skip": Press("no_description"),
    "sw:skip": Press("no_strengths"),
    "nav:skipped": Press("answer_skipped"),
    "ud:done": Press("unit_done"),
    "ud:back": Press("unit_back"),
    "tot:yes": Press("total_yes"),
    "tot:no": Press("total_no"),
    "go:resume": Press("resume"),
    "sb:go": Press("submit"),
    "sb:yes": Press("submit_yes"),
    "sb:no": Press("submit_no"),
    "rs:yes": Press("roster_yes"),
    "rs:no": Press("roster_no"),
}
_ID_OF: dict[PressKind, str] = {press.kind: button_id for button_id, press in _FIXED.items()}
_PREFIXES: dict[str, PressKind] = {
    "ut": "unit_type",
    "e": "edit",
    "v": "value",
    "evx": "remove_evidence",
    "uf": "unit_field",
}
_PREFIX_OF: dict[PressKind, str] = {kind: prefix for prefix, kind in _PREFIXES.items()}


def parse(button_id: str) -> Press | None:
    """What an incoming id means; None for an id this release never sent (answered as stale)."""
    fixed = _FIXED.get(button_id)
    if fixed is not None:
        return fixed
    prefix, colon, arg = button_id.partition(":")
    kind = _PREFIXES.get(prefix) if colon else None
    return None if kind is None else Press(kind, arg)


def _fixed(kind: PressKind, label: str, *, navigation: bool = False) -> Button:
    return Button(_ID_OF[kind], label, navigation)


def _carrying(kind: PressKind, arg: str, label: str) -> Button:
    return Button(f"{_PREFIX_OF[kind]}:{arg}", label)


SKIP = _fixed("skip", say.BTN_SKIP, navigation=True)
BACK = _fixed("back", say.BTN_BACK, navigation=True)
REPORT = _fixed("report", say.BTN_REPORT)
NEW_UNIT = _fixed("new_unit", say.BTN_NEW_UNIT)
HAVE_CODE = _fixed("have_code", say.BTN_HAVE_CODE)
RETYPE = _fixed("retype", say.BTN_RETYPE)
EVIDENCE_LATER = _fixed("evidence_later", say.BTN_LATER)
EVIDENCE_DONE = _fixed("evidence_done", say.BTN_DONE)
NO_DESCRIPTION = _fixed("no_description", say.BTN_NO_DESCRIPTION)
NO_STRENGTHS = _fixed("no_strengths", say.BTN_NO_STRENGTHS)
ANSWER_SKIPPED = _fixed("answer_skipped", say.BTN_ANSWER_SKIPPED)


NAVIGATION_IDS = frozenset({SKIP.id, BACK.id, _ID_OF["unit_back"]})
"""The buttons a channel without buttons names as words, never as numbers."""


def option_numbers(options: tuple[tuple[str, str], ...]) -> dict[int, str]:
    """The button id each number picks in a stored question's options (`State.options`), by
    the rule `conversations.messages.numbering` shows them: options from 1, navigation none."""
    picks = [button_id for button_id, _ in options if button_id not in NAVIGATION_IDS]
    return dict(enumerate(picks, start=1))


def confirm(count: int) -> Button:
    """“Đúng, 28 người”: record the nearest whole count proposed for a percentage."""
    return _fixed("confirm", say.confirm_button(count))


def unit_type(choice: str, label: str) -> Button:
    return _carrying("unit_type", choice, label)


def edit(indicator_id: str, label: str) -> Button:
    return _carrying("edit", indicator_id, label)


def remove_evidence(evidence_id: int, number: int) -> Button:
    """“Xóa minh chứng 2”: carries the item's id, so a press on an older list still removes
    the item it showed (or says it is gone), whatever the numbering has become."""
    return Button(f"evx:{evidence_id}", say.remove_button(number), per_item=True)


def value(code: str, label: str) -> Button:
    """An answer to the value question: "y"/"n", an emulation title or a digital level."""
    return _carrying("value", code, label)


YES, NO = "y", "n"
"""The values of “Đạt” and “Chưa đạt”."""
MET = value(YES, say.BTN_MET)
NOT_MET = value(NO, say.BTN_NOT_MET)


# Unit details (issue 12, item 3): a detail to change, back to the details, done; and the
# confirmation of an unusual total.
UNIT_DONE = _fixed("unit_done", say.BTN_UNIT_DONE)
UNIT_BACK = _fixed("unit_back", say.BTN_BACK, navigation=True)
"""Navigation like BACK: at a new member or learner total a typed number is the total, so
“Quay lại” has no number there (the console and Zalo name it as a word to type)."""
TOTAL_RETYPE = _fixed("total_no", say.BTN_RETYPE)


def unit_field(field: str, label: str) -> Button:
    return _carrying("unit_field", field, label)


def total_yes(total: int, what: str) -> Button:
    """“Đúng, 2.500 thành viên”."""
    return _fixed("total_yes", say.total_confirm_button(total, what))


# Deadline pushes (issue 13): “Làm tiếp” under a reminder takes the user back to their own saved
# step, as “tiếp tục” or /danhgia would; the press may come days after the push, at any step.
RESUME = _fixed("resume", say.BTN_RESUME)


# Submission (issue 15): “Nộp hồ sơ” under the result (unit admins), then “Có” / “Không”.
SUBMIT = _fixed("submit", say.BTN_SUBMIT)
SUBMIT_YES = _fixed("submit_yes", say.BTN_YES)
SUBMIT_NO = _fixed("submit_no", say.BTN_NO)


# The member roster (issue 16): “Ghi các số này?” Có / Không.
ROSTER_YES = _fixed("roster_yes", say.BTN_YES)
ROSTER_NO = _fixed("roster_no", say.BTN_NO)
