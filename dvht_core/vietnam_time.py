"""Vietnam's time: the zone every date in the product is read in, “today”, and the assessment
year a date falls in.

Written once here because a date read in the host's zone is a different day for seven hours of
every night (a server on UTC would date a report made at 06:30 in Hà Nội the day before).
Vietnam has kept UTC+7 without daylight saving since 1975 (IANA zone Asia/Ho_Chi_Minh), so a
fixed offset is exact and needs no tz database on the host.
"""

from __future__ import annotations

import datetime as dt

ZONE = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
DOSSIER_DEADLINE = (1, 15)
"""(month, day): the dossier of year N is due before 15/01 of year N + 1 (TT24 Điều 10, 16)."""


def now() -> dt.datetime:
    """The current moment, in Vietnam's zone."""
    return dt.datetime.now(ZONE)


def local(moment: dt.datetime) -> dt.datetime:
    """An aware moment in Vietnam's zone (for display: “09:30 20/11/2025”)."""
    return moment.astimezone(ZONE)


def today(moment: dt.datetime | None = None) -> dt.date:
    """The date in Vietnam at `moment` (default: now)."""
    return local(moment).date() if moment is not None else now().date()


def assessment_year(day: dt.date) -> int:
    """The assessment year officials work on at `day`: until the dossier deadline (15/01) they
    are still finishing last year's dossier."""
    return day.year - 1 if (day.month, day.day) < DOSSIER_DEADLINE else day.year
