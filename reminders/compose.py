"""The words of a reminder: how many days are left, what is left, and one way back in.

Pure: it reads a `UnitProgress` and dates, and returns channel-neutral messages, so the
dispatcher, the console's start-up and the tests all get the same text. Every function returns
ONE message of at most `MAX_TEXT` (2,000) characters, Zalo's limit: a push stops at the first
message a channel did not take, so a push is never split, and a list that does not fit ends
with “và N chỉ tiêu khác” (`fitted`).

`buttons` is whether the recipient's channel shows buttons (Telegram): then the way back is a
“Làm tiếp” button (`conversations.buttons.RESUME`, which the conversation engine answers like
“tiếp tục”: the user's own saved step); elsewhere (the console, Zalo) it is the word
“tiếp tục”, which the engine understands at every step.

The escalation roll-ups (the unit admin's at T-7, the reviewers' at T-3) are in
`reminders.rollup`; `admin_rollup` and `reviewer_rollup` are re-exported here, so the engine
finds every text of interface 3 in one module.
"""

from __future__ import annotations

import datetime as dt
import re

from conversations import buttons as ids
from conversations import catalogue as say
from conversations.messages import Outbound
from dvht_core import calendar
from dvht_core.evaluate import LEVEL_NAMES
from reminders.progress import Standing, UnitProgress, standing
from reminders.rollup import admin_rollup, reviewer_rollup
from reminders.wording import PUSH_KIND, fitted, forecast_line, way_back

__all__ = [
    "MEMBER_KINDS",
    "admin_rollup",
    "expiry_soon",
    "finished",
    "reminder_messages",
    "reviewer_rollup",
    "upgrade_open",
]

MEMBER_KINDS = ("T-30", "T-14", "T-7", "T-3", "T-1")
"""The members' countdown pushes by default; any "T-<days>" is worded alike (the offsets are
configurable). The text counts the days from the actual date it is sent, so a push held back
by the quiet hours or a holiday still says the right number."""
_COUNTDOWN = re.compile(r"T-\d{1,3}")


def reminder_messages(
    kind: str,
    progress: UnitProgress,
    *,
    deadline: dt.date,
    today: dt.date,
    buttons: bool = False,
) -> list[Outbound]:
    """The push for one member of the unit (`kind` is the reminder's kind, "T-7" …): the days
    left and the date, the unit, the indicators unanswered and the evidence missing, the exact
    shortfall for the level the unit is heading to, the forecast when it falls after the
    deadline or cannot be made, and the way back in. A unit that has answered everything gets
    “đã trả lời đủ — hãy nộp hồ sơ” with its result and the report offer instead.

    "admin-T-7" is the admin's roll-up (`admin_rollup`); other kinds have their own functions.
    """
    if kind == "admin-T-7":
        return admin_rollup(progress, deadline=deadline, today=today, buttons=buttons)
    if not _COUNTDOWN.fullmatch(kind):
        raise ValueError(f"reminder_messages words the members' countdown, not {kind!r}")
    found = standing(progress)
    if not found.unanswered:
        return [_finished(found, deadline=deadline, today=today, buttons=buttons)]
    record = progress.assessment
    head = [say.countdown((deadline - today).days, deadline, record.year)]
    head.append(say.reminder_unit(record.unit.name))
    if not progress.started or len(found.unanswered) == len(found.applicable):
        head.append(say.not_started(len(found.applicable)))
    else:
        head.append(say.unanswered_left(list(found.unanswered)))
    if found.without_evidence:
        head.append(say.evidence_left(list(found.without_evidence)))
    items: list[str] = []
    if found.heading is not None and found.answered:
        if found.shortfall:
            head.append(say.heading_gaps(found.heading, besides_unanswered=True))
            items = [_need_line(found, i, needs) for i, needs in found.shortfall]
        else:
            head.append(say.answered_meet(found.heading))
    offer, shown = way_back(buttons)
    tail = [*forecast_line(found, deadline=deadline, today=today), offer]
    text = fitted(head, items, tail, more=say.more_indicators)
    return [Outbound(text, shown, kind=PUSH_KIND)]


def finished(progress: UnitProgress) -> bool:
    """Every indicator that applies to the unit has an answer: the push is “hãy nộp hồ sơ” with
    the report (the engine attaches it), not a countdown of what is left."""
    return progress.started and not standing(progress).unanswered


def _finished(found: Standing, *, deadline: dt.date, today: dt.date, buttons: bool) -> Outbound:
    record = found.progress.assessment
    lines = [
        say.countdown((deadline - today).days, deadline, record.year),
        say.reminder_unit(record.unit.name),
        say.finished_submit(deadline),
        say.current_result(LEVEL_NAMES[found.evaluation.level]),
    ]
    if found.without_evidence:
        lines.append(say.evidence_before_submitting(list(found.without_evidence)))
    lines.append(say.REPORT_OFFER_TAP if buttons else say.REPORT_OFFER_WORD)
    text = fitted(lines, [], [], more=say.more_indicators)
    return Outbound(text, (ids.REPORT,) if buttons else (), kind=PUSH_KIND)


def upgrade_open(
    progress: UnitProgress,
    *,
    today: dt.date,
    decision_date: dt.date | None = None,
    buttons: bool = False,
) -> list[Outbound]:
    """Kind "upgrade": the wait after the level-1 decision ends (`today` is the day it opens):
    the unit may request level 2; what it still lacks for level 2, from `progress` (the
    engine passes the unit's assessment of the current year, or the recognised one when the
    year's is not started). `decision_date` defaults to the assessment's level-1 decision
    date (or its recognition decision date)."""
    record = progress.assessment
    found = standing(progress)
    decided = decision_date or record.level1_decision_date or record.recognition_decision_date
    if decided is None:
        raise ValueError("upgrade_open needs the date of the level-1 decision")
    months = found.rulebook.upgrade_wait_months
    head = [say.upgrade_open(record.unit.name, decided, calendar.upgrade_opens(decided), months)]
    items: list[str] = []
    if not progress.started or not record.answers:
        head.append(say.UPGRADE_NOT_STARTED)
    elif found.evaluation.level == 2:
        head.append(say.UPGRADE_READY)
    else:
        if found.unanswered:
            head.append(say.unanswered_left(list(found.unanswered)))
        if found.without_evidence:
            head.append(say.evidence_left(list(found.without_evidence)))
        if found.shortfall_2:
            head.append(say.heading_gaps(2, besides_unanswered=bool(found.unanswered)))
            items = [_need_line(found, i, needs) for i, needs in found.shortfall_2]
        else:
            head.append(say.answered_meet(2))
    offer, shown = way_back(buttons)
    text = fitted(head, items, [say.UPGRADE_NOTE, offer], more=say.more_indicators)
    return [Outbound(text, shown, kind=PUSH_KIND)]


def expiry_soon(
    progress: UnitProgress,
    *,
    lapses_on: dt.date,
    today: dt.date,
    buttons: bool = False,
) -> list[Outbound]:
    """Kind "expiry": the recognition lapses on `lapses_on` (the push is due 60 days before):
    assess again. Which year the 3 years run from is not settled, which the text says."""
    record = progress.assessment
    offer, shown = way_back(buttons)
    lines = [
        say.expiry_soon(record.unit.name, lapses_on, (lapses_on - today).days),
        say.EXPIRY_NOTE,
        offer,
    ]
    return [Outbound(fitted(lines, [], [], more=say.more_indicators), shown, kind=PUSH_KIND)]


def _need_line(found: Standing, indicator_id: str, needs: tuple[str, ...]) -> str:
    return f"• {found.label(indicator_id)}: {'; '.join(needs)}."
