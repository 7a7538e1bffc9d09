"""What a reminder knows about one unit when it is sent: read at send time, not at planning
time, so a reminder says what is left *now* (an indicator answered an hour ago is not listed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversations.records import AssessmentRecord


@dataclass(frozen=True)
class UnitProgress:
    """One unit's assessment of one year, as its reminders and roll-ups describe it."""

    assessment: AssessmentRecord
    """The current answers (with who answered and when) and the evidence on file."""
    completions: tuple[dt.date, ...] = ()
    """The Vietnam date on which each answered indicator was first answered, one entry per
    answered indicator (the forecast's history); empty when nothing is answered."""
