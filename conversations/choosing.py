"""A choice question answered in words: the option named, “Ý bạn là …?” when unsure, or nothing.

The steps with options (welcome, unit type, đạt / chưa đạt, emulation title, digital level)
hand typed text here with the buttons their question offers and their own button handler, so
a word picks exactly what pressing the button would. When the words are close to one or a few
options but not surely one (`conversations.matching`), the bot asks “Ý bạn là …?” with those
options under the numbers the question's list gave them (a number keeps its meaning within a
step), and remembers them in the draft for one message: “có” picks the one proposed, “không”
asks the question again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from conversations import buttons, matching, parsing, vocabulary
from conversations import catalogue as say
from conversations.buttons import Press
from conversations.context import Context
from conversations.messages import Button, Outbound, numbering
from conversations.outcome import Outcome
from conversations.state import State

Pressed = Callable[[Context, State, Press], Outcome | None]


def forget_guess(state: State) -> State:
    """The state without a pending “Ý bạn là …?” (it is answered by the next message only)."""
    if not state.draft.guess:
        return state
    return replace(state, draft=replace(state.draft, guess=()))


def typed_choice(
    ctx: Context, state: State, text: str, offered: tuple[Button, ...], pressed: Pressed
) -> Outcome | None:
    """What typed words do at a question offering `offered`; None when they name no option
    (the step then says its own sentence and asks again)."""
    plain = forget_guess(state)
    proposed = state.draft.guess
    if proposed:
        agreed = parsing.yes_no(text)
        if agreed is False:
            return Outcome(plain, ask=True)
        press = buttons.parse(proposed[0]) if agreed and len(proposed) == 1 else None
        if press is not None:
            return pressed(ctx, plain, press)
    said = matching.match(text, options_of(offered))
    if isinstance(said, str):
        press = buttons.parse(said)
        return None if press is None else pressed(ctx, plain, press)
    if isinstance(said, matching.Unsure):
        return _ask_which(ctx, plain, offered, said.candidates)
    return None


def options_of(offered: tuple[Button, ...]) -> tuple[matching.Option, ...]:
    """The options a question offers, with the words that name each: its label and its
    phrases (`conversations.vocabulary`); navigation is not a choice."""
    listed: list[tuple[str, tuple[str, ...]]] = []
    for button in offered:
        press = buttons.parse(button.id)
        if button.navigation or press is None:
            continue
        listed.append((button.id, (button.label, *vocabulary.phrases((press.kind, press.arg)))))
    return matching.options(listed)


def _ask_which(
    ctx: Context, state: State, offered: tuple[Button, ...], candidates: tuple[str, ...]
) -> Outcome:
    """“Ý bạn là …?” with the candidates as buttons, numbered as in the question's list."""
    numbers = {button.id: number for number, button in numbering(offered)}
    by_id = {button.id: button for button in offered}
    proposed = tuple(replace(by_id[c], number=numbers[c]) for c in candidates if c in by_id)
    text = say.guess([button.label for button in proposed], ctx.has_buttons)
    asking = replace(state, draft=replace(state.draft, guess=tuple(b.id for b in proposed)))
    return Outcome(asking, (Outbound(text, proposed, kind="question"),))
