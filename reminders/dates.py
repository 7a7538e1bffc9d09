"""The engine's view of the legal calendar: the dates the planner counts from and the send
window, all read from `dvht_core.calendar` and `dvht_core.send_window` so that a reminder and
the quick answers ("hạn nộp hồ sơ khi nào", "còn bao nhiêu ngày") can never disagree about a
date. Only what is the engine's own lives here: who is reminded on which of those days.
"""

from __future__ import annotations

import datetime as dt

from dvht_core import calendar
from dvht_core.calendar import (
    REMINDER_HOUR,
    REMINDER_OFFSETS,
    dossier_deadline,
    expiry_reminder_day,
    recognition_lapses,
    upgrade_opens,
)
from dvht_core.send_window import SendWindow, default_window
from dvht_core.vietnam_time import ZONE

__all__ = [
    "ADMIN_OFFSET",
    "REMINDER_HOUR",
    "REMINDER_OFFSETS",
    "REVIEWER_OFFSET",
    "SendWindow",
    "default_window",
    "dossier_deadline",
    "due_moment",
    "expiry_reminder_day",
    "recognition_lapses",
    "upgrade_opens",
]

ADMIN_OFFSET = 7
"""The unit admin's roll-up ("admin-T-7") goes with the members' T-7."""
REVIEWER_OFFSET = 3
"""The receiving office's reviewers get the list of open units at T-3 ("reviewer-T-3")."""


def due_moment(day: dt.date) -> dt.datetime:
    """A reminder on `day`: at the reminders' hour (08:00 local), as an aware UTC moment, the
    same moment `calendar.reminder_due` gives for a countdown."""
    return dt.datetime.combine(day, calendar.REMINDER_HOUR, tzinfo=ZONE).astimezone(dt.UTC)
