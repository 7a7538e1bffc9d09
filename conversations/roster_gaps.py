"""Gaps that name people (issue 16): “Để đạt mức 2 ở 2.4 cần thêm 8 người; chưa có: …”.

Shown to the unit's admins only, and only where the unit has a confirmed roster
(`Context.roster`, loaded for admins alone). The number still needed is computed in integers
from the level's bar and the recorded members total (`needed_for_pct`), as the gap text above
it is. The names are the roster's members not marked for the indicator; they are given only
while the recorded figures are still the roster's (the same members total and count): once an
official has typed another count by hand, the file no longer says who is missing, and naming
people from it would be wrong.
"""

from __future__ import annotations

from conversations import catalogue as say
from conversations.context import Context
from dvht_core.assessment import Assessment
from dvht_core.model import Level, Rulebook
from dvht_core.numbers import meets_pct, needed_for_pct
from dvht_core.roster import Roster, roster_indicators


def shortfalls(rulebook: Rulebook, assessment: Assessment, target: Level) -> list[tuple[str, int]]:
    """Each answered roster indicator below `target` on its members' share, with how many more
    members it needs, in rulebook order (no names: for everyone)."""
    members = assessment.members or 0
    found = []
    for indicator in roster_indicators(rulebook, assessment.unit_type):
        answer = assessment.answers.get(indicator.id)
        if answer is None or answer.count is None or members <= 0:
            continue
        pct = int(indicator.thresholds.at(target))
        if not meets_pct(answer.count, members, pct):
            found.append((indicator.id, needed_for_pct(members, pct) - answer.count))
    return found


def named(ctx: Context, rulebook: Rulebook, assessment: Assessment, target: Level) -> list[str]:
    """The lines naming who is still missing for `target`, to an admin of a unit with a
    confirmed roster; nothing for anyone else."""
    if not ctx.is_admin:
        return []
    roster = ctx.roster
    if roster is None or (assessment.members or 0) != roster.total_members:
        return []
    return [
        _line(roster, target, indicator_id, more)
        for indicator_id, more in shortfalls(rulebook, assessment, target)
        if _still_roster(roster, assessment, indicator_id)
    ]


def _still_roster(roster: Roster, assessment: Assessment, indicator_id: str) -> bool:
    answer = assessment.answers.get(indicator_id)
    return (
        indicator_id in roster.indicator_ids
        and answer is not None
        and answer.count == roster.count(indicator_id)
    )


def _line(roster: Roster, target: Level, indicator_id: str, more: int) -> str:
    missing = roster.missing(indicator_id)
    shown = list(missing[: say.ROSTER_NAMES_SHOWN])
    return say.roster_names_gap(target, indicator_id, more, shown, len(missing) - len(shown))
