"""The roster's two steps (issue 16), the step table's part of `conversations.roster_chat`:
AWAIT_ROSTER (“gửi tệp danh sách vào đây”) and CONFIRM_ROSTER (“Theo danh sách: …; Ghi các
số này?” with Có / Không)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

from unidecode import unidecode

from conversations import buttons
from conversations import catalogue as say
from conversations.buttons import Press
from conversations.context import Context
from conversations.effects import ConfirmRoster
from conversations.messages import Outbound
from conversations.outcome import Outcome, again
from conversations.state import EMPTY_DRAFT, State

_YES = frozenset({"co", "co a", "dong y", "ghi", "ghi di", "yes", "y", "ok", "vang", "u"})
_NO = frozenset({"khong", "khong a", "thoi", "no", "n", "huy", "chua", "khong ghi"})


def _plain(text: str) -> str:
    plain = unidecode(unicodedata.normalize("NFC", text)).lower().strip()
    return " ".join(plain.replace(".", " ").replace("!", " ").split())


# --- AWAIT_ROSTER --------------------------------------------------------------------------------


def await_prompt(ctx: Context, state: State) -> Outbound | None:
    if ctx.unit is None:
        return None
    return Outbound(say.ROSTER_AWAIT, kind="question")


def await_typed(ctx: Context, state: State, text: str) -> Outcome | None:
    return again(state, say.ROSTER_WAITING_FILE)


def left(ctx: Context, state: State) -> Outcome:
    """“bỏ qua”, “quay lại” at either step: nothing recorded, back to rest."""
    said = Outbound(say.ROSTER_CANCELLED, kind="answer")
    return Outcome(replace(state, draft=EMPTY_DRAFT), (said,), go=("roster_cancelled",))


# --- CONFIRM_ROSTER ------------------------------------------------------------------------------


def confirm_prompt(ctx: Context, state: State) -> Outbound | None:
    figures = state.draft.roster
    if figures is None or ctx.unit is None:
        return None
    summary = say.roster_summary(
        figures.members, list(figures.counts), figures.learners, figures.citizens
    )
    text = f"{summary}\n{say.ROSTER_CONFIRM_QUESTION}"
    return Outbound(text, (buttons.ROSTER_YES, buttons.ROSTER_NO), kind="question")


def confirm_typed(ctx: Context, state: State, text: str) -> Outcome | None:
    plain = _plain(text)
    if plain in _YES:
        return _confirmed(ctx, state)
    if plain in _NO:
        return left(ctx, state)
    return again(state, say.ROSTER_YES_OR_NO)


def confirm_pressed(ctx: Context, state: State, press: Press) -> Outcome | None:
    if press.kind == "roster_yes":
        return _confirmed(ctx, state)
    if press.kind == "roster_no":
        return left(ctx, state)
    return None


def _confirmed(ctx: Context, state: State) -> Outcome:
    figures = state.draft.roster
    if figures is None or not figures.roster_id:  # a state without the roster: nothing to do
        return left(ctx, state)
    return Outcome(state, effects=(ConfirmRoster(figures.roster_id),))
