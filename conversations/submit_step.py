"""The submission's question (CONFIRM_SUBMIT, issue 15): “Nộp hồ sơ …, đề nghị công nhận mức
N?” with the receiving office and what is still missing, and what “Có” / “Không” do there.
The step table's part of the submission; the rest is `conversations.submitting`."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from unidecode import unidecode

from conversations import buttons
from conversations import catalogue as say
from conversations.buttons import Press
from conversations.context import Context
from conversations.effects import CheckSubmission, Submit
from conversations.messages import Outbound
from conversations.outcome import Outcome, again
from conversations.state import EMPTY_DRAFT, State
from conversations.submission import readiness

_YES = frozenset({"co", "co a", "dong y", "nop", "yes", "y", "ok", "vang", "u"})
_NO = frozenset({"khong", "khong a", "thoi", "no", "n", "huy", "chua"})


def _plain(text: str) -> str:
    plain = unidecode(unicodedata.normalize("NFC", text)).lower().strip()
    return " ".join(plain.replace(".", " ").replace("!", " ").split())


def prompt(ctx: Context, state: State) -> Outbound | None:
    """CONFIRM_SUBMIT's question: the level requested, the receiving office, what is still
    missing (answered indicators without evidence), and Có / Không."""
    record, level = ctx.assessment, state.draft.submit_level
    if record is None or ctx.unit is None or level is None:
        return None
    ready = readiness(record)
    resolved = ctx.calendar.office()
    likely = resolved.likely_office if resolved.uncertain else None
    office = ctx.unit.office_name or likely or resolved.office
    text = say.submit_confirm(
        ctx.unit.name,
        record.year,
        level,
        office,
        list(ready.without_evidence),
        buttons=ctx.has_buttons,
    )
    return Outbound(text, (buttons.SUBMIT_YES, buttons.SUBMIT_NO), kind="question")


def typed(ctx: Context, state: State, text: str) -> Outcome | None:
    plain = _plain(text)
    if plain in _YES:
        return _confirmed(state)
    if plain in _NO:
        return cancelled(state)
    return again(state, say.SUBMIT_YES_OR_NO)


def pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind == "submit_yes":
        return _confirmed(state)
    if press.kind == "submit_no":
        return cancelled(state)
    return None


def _confirmed(state: State) -> Outcome:
    level = state.draft.submit_level
    if level is None:  # a state without the level: ask again from the start
        return Outcome(state, effects=(CheckSubmission(),))
    return Outcome(state, effects=(Submit(level),))


def cancelled(state: State) -> Outcome:
    said = Outbound(say.SUBMIT_CANCELLED, kind="answer")
    return Outcome(replace(state, draft=EMPTY_DRAFT), (said,), go=("submit_cancelled",))
