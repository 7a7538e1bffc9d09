"""What the serialisation tests make each user say, and what the database must hold after.

One user's script is a list of phases; in each phase every process is given that user's
updates for it (perhaps none) and sends them in order, while the other process sends its own
at the same moment. Phases are separated by a barrier across the processes, so a phase's
updates are all handled before the next phase starts: that is the order the channel gives
(an update that arrives after another was answered), and the one the database must show.

The phases of one user (process A's updates, then process B's):

1. "/start" in both at once: the first contact arrives twice (a double tap);
2. onboarding and the answer to 2.1, one update per phase, alternating between A and B: the
   order every channel keeps, now across processes;
3. thirty evidence titles for 2.1, the odd ones to A and the even ones to B, both sending as
   fast as they are answered: every title of A overlaps titles of B in time;
4. "xong" to B: the state after it (the description of 2.1) is the state after the last
   update.

The evidence step keeps whatever is added in any order (“đã có n mục”), so the overlapping
titles have one right outcome whichever process wins each race: all thirty stored once, each
process's titles in its own order, the state's version bumped once per update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from conversations import catalogue as say

TITLES = 30
FAILURES = (say.INTERNAL_ERROR, say.STORAGE_BUSY, say.STORAGE_DOWN, say.STORAGE_FULL)
"""Replies that mean the update was not applied: none may appear."""


@dataclass(frozen=True)
class Update:
    user_id: str
    update_id: str
    text: str


Phase = tuple[list[Update], list[Update]]
"""One phase: process A's updates, process B's (each in order)."""


def user_id(user: int) -> str:
    return str(700_000 + user)


def title(user: int, n: int) -> str:
    return f"Biên bản họp chi bộ số {n}/BB-{user}"


def unit_name(user: int) -> str:
    return f"UBND xã Thử Nghiệm {user}"


def answer(user: int) -> int:
    """The member count answered for 2.1 (of 30 members)."""
    return 20 + user % 10


def phases(user: int) -> list[Phase]:
    uid = user_id(user)
    count = 0

    def up(text: str) -> Update:
        nonlocal count
        count += 1
        return Update(uid, f"{uid}-{count}", text)

    first: Phase = ([up("/start")], [up("/start")])
    steps = ["1", unit_name(user), "Huế", "1", "30", "sửa 2.1", str(answer(user))]
    walk: list[Phase] = [
        ([up(text)], []) if i % 2 == 0 else ([], [up(text)]) for i, text in enumerate(steps)
    ]
    a_titles: list[Update] = []
    b_titles: list[Update] = []
    for n in range(1, TITLES + 1):
        (a_titles if n % 2 else b_titles).append(up(title(user, n)))
    return [first, *walk, (a_titles, b_titles), ([], [up("xong")])]


def merged(users: Sequence[int]) -> list[Phase]:
    """The phases of all `users`, phase by phase: each process sends every user's updates of
    a phase at once (one task per user), as a server does for different chats."""
    plans = [phases(u) for u in users]
    return [
        ([x for plan in plans for x in plan[i][0]], [x for plan in plans for x in plan[i][1]])
        for i in range(len(plans[0]))
    ]


def updates_of(user: int) -> int:
    return sum(len(a) + len(b) for a, b in phases(user))
