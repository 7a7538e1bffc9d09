"""Escalation: what the unit admin reads at T-7 and each reviewer of the receiving office at T-3.

The admin's roll-up is the members' countdown plus what only an admin acts on: which
indicators are still open (unanswered, answered without evidence, or with a value below the
level the unit is heading to, `reminders.progress`) and who answered what, grouped by person
(name, indicator, answer, date), so the admin knows whom to ask. The reviewers' roll-up lists
the units in the office's scope that have not submitted, with their progress in whole percent
(answered over applicable indicators, rounded down, in integers: 12 of 13 is 92%, never a
rounded-up 100% for a unit with one left), lowest first.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from fractions import Fraction

from conversations import catalogue as say
from conversations.messages import Outbound
from conversations.records import AnswerRecord
from dvht_core import vietnam_time
from reminders.progress import Standing, UnitProgress, standing
from reminders.wording import PUSH_KIND, fitted, forecast_line, way_back


def admin_rollup(
    progress: UnitProgress,
    *,
    deadline: dt.date,
    today: dt.date,
    buttons: bool = False,
) -> list[Outbound]:
    """Kind "admin-T-7": the unit's open indicators and who answered what, in one message."""
    found = standing(progress)
    record = progress.assessment
    total = len(found.applicable)
    head = [
        say.countdown((deadline - today).days, deadline, record.year),
        say.admin_rollup_heading(record.unit.name, record.year),
        say.answered_share(found.answered, total, found.percent),
    ]
    open_lines = _open_lines(found)
    head += [say.OPEN_HEADING, *open_lines] if open_lines else [say.NOTHING_OPEN]
    people = _by_person(found)
    head.append(say.WHO_ANSWERED_HEADING if people else say.NOBODY_ANSWERED)
    offer, shown = way_back(buttons)
    tail = [*forecast_line(found, deadline=deadline, today=today), offer]
    text = fitted(head, people, tail, more=say.more_people)
    return [Outbound(text, shown, kind=PUSH_KIND)]


def _open_lines(found: Standing) -> list[str]:
    lines = []
    if found.unanswered:
        lines.append(say.open_unanswered(list(found.unanswered)))
    if found.without_evidence:
        lines.append(say.open_without_evidence(list(found.without_evidence)))
    if found.heading is not None and found.shortfall:
        shorts = [(i, _short(found, i)) for i, _ in found.shortfall]
        lines.append(say.open_below(found.heading, shorts))
    return lines


def _short(found: Standing, indicator_id: str) -> str:
    indicator = found.rulebook.indicator(indicator_id)
    return indicator.short if indicator is not None else indicator_id


def _by_person(found: Standing) -> list[str]:
    """One line per person who gave a current answer, in alphabetical order (the operator's
    imports under their own name), each answer in rulebook order with the day it was given."""
    answers = found.progress.assessment.answers
    grouped: dict[str, list[tuple[str, str, dt.date]]] = {}
    for indicator in found.applicable:
        answer = answers.get(indicator.id)
        if answer is None:
            continue
        grouped.setdefault(_who(answer), []).append(
            (indicator.id, say.answer_text(answer.value), vietnam_time.today(answer.answered_at))
        )
    names = sorted(grouped, key=_sort_key)
    return [say.person_answers(name, grouped[name]) for name in names]


def _who(answer: AnswerRecord) -> str:
    if answer.answered_by is None:
        return say.ANSWERED_BY_OPERATOR
    return answer.answered_by_name or f"#{answer.answered_by}"


def _sort_key(name: str) -> tuple[str, str]:
    """Vietnamese names sorted on their letters without marks first (“Ánh” beside “Anh”)."""
    bare = unicodedata.normalize("NFD", name.casefold())
    return "".join(c for c in bare if not unicodedata.combining(c)).replace("đ", "d"), name


def reviewer_rollup(
    units: Sequence[UnitProgress], *, deadline: dt.date, today: dt.date
) -> list[Outbound]:
    """Kind "reviewer-T-3": the units in the office's scope that have not submitted (the
    caller's list, `storage.progress_store.office_units_progress`; submitted ones are left out
    here too), with their progress in %, lowest first (ties by name)."""
    pending = [standing(u) for u in units if not u.submitted]
    year = units[0].assessment.year if units else vietnam_time.assessment_year(today)
    office = units[0].assessment.unit.office_name if units else None
    countdown = say.countdown((deadline - today).days, deadline, year)
    if not pending:
        return [Outbound(f"{countdown}\n{say.all_submitted(office, year)}", kind=PUSH_KIND)]
    pending.sort(key=lambda s: (_share(s), _sort_key(s.progress.assessment.unit.name)))
    head = [countdown, say.reviewer_heading(office, len(pending), year)]
    items = [
        say.unit_progress_line(
            s.progress.assessment.unit.name,
            s.answered,
            len(s.applicable),
            s.percent,
            s.progress.started and s.answered > 0,
        )
        for s in pending
    ]
    return [Outbound(fitted(head, items, [], more=say.more_units), kind=PUSH_KIND)]


def _share(found: Standing) -> Fraction:
    """Answered over applicable, exactly: the sort never depends on a rounded figure."""
    total = len(found.applicable)
    return Fraction(found.answered, total) if total else Fraction(1)
