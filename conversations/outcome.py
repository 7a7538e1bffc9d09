"""What a step's handler decides: the new state, what to say, what to store, where to go.

Handlers name the events they follow and whether the question comes next; the engine follows
the events along the step table's edges and asks the question of the step it arrives at
(`conversations.steps.finish`), so no handler needs to know another step's question.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.effects import Effect
from conversations.messages import Outbound
from conversations.state import State


@dataclass(slots=True)
class Outcome:
    """Built once by a handler and never changed (not frozen: a frozen dataclass costs four
    times as much to build, and one is built for every message)."""

    state: State
    replies: tuple[Outbound, ...] = ()
    """What to say before the question (if one is asked)."""
    effects: tuple[Effect, ...] = ()
    go: tuple[str, ...] = ()
    """Events followed from the state's step, in order."""
    ask: bool = False
    """End the replies with the question of the step the state arrives at."""
    reload: bool = False
    """The effects change the context (a new unit, totals): the service asks after reloading."""


@dataclass(frozen=True, slots=True)
class Redirect:
    """A question that cannot be asked yet: follow `event` and ask there instead."""

    event: str


def again(state: State, message: str) -> Outcome:
    """One specific sentence, then the same question again."""
    return Outcome(state, (Outbound(message, kind="error"),), ask=True)
