"""When a unit will have answered every indicator, at the pace it has kept lately.

Officials fill the self-assessment in bursts (a morning's work, then a week of other duties),
so the pace is read over a window rather than from the last day:

* an indicator is *completed* on the Vietnam date it was first answered (later corrections do
  not count again);
* the window is the `WINDOW_DAYS` (14) calendar days ending today, today included; dates after
  today (a clock that ran ahead) are ignored;
* an *active day* is a day of the window with at least one completion.

There is too little history to say anything (`Forecast.kind == "unknown"`) when the window
holds fewer than `MIN_ACTIVE_DAYS` (2) active days: one day of work, or none, is a burst, not a
pace. With enough history the pace is

    completions per active day × active days / window days = completions / 14 per calendar day,

that is, the active days are projected onto the calendar in the share the window showed (a
unit that worked 4 days of the last 14 keeps working 4 days in 14, at its usual amount per
active day). The remaining indicators then take ``ceil(remaining × 14 / completions)`` calendar
days from today, in exact integer arithmetic, so the forecast finish date is today plus that.
The forecast says nothing about the days of the week or holidays: the window already holds the
unit's own weekends.

A dossier is due *before* its deadline date (“trước ngày 15/01”): finishing on the deadline
date itself is already one day late, so a finish date `f` against deadline `d` is late by
``(f - d).days + 1`` days when ``f >= d``, and on time otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from dvht_core.record_type import Record

WINDOW_DAYS = 14
"""The pace is read over the last 14 calendar days, today included."""
MIN_ACTIVE_DAYS = 2
"""Fewer active days than this in the window: too little history to forecast."""

ForecastKind = Literal["done", "unknown", "on_time", "late"]


class Forecast(Record):
    """The forecast for one unit; `finish` and the day counts only when there is a pace."""

    kind: ForecastKind
    """done: nothing left; unknown: too little history; on_time / late: against the deadline."""
    remaining: int
    completions: int
    """Indicators completed in the window."""
    active_days: int
    """Days of the window with at least one completion."""
    finish: dt.date | None = None
    """The day the last indicator would be answered at the current pace."""
    days_late: int = 0
    """For `late`: how many days after the last allowed day (the day before the deadline)."""
    days_early: int = 0
    """For `on_time`: how many days before the deadline date the work would be done."""


def forecast(
    completions: Iterable[dt.date], *, remaining: int, today: dt.date, deadline: dt.date
) -> Forecast:
    """The finish-date forecast from the dates indicators were first answered (one per answered
    indicator), the number still unanswered and the dossier deadline (“trước ngày …”)."""
    start = today - dt.timedelta(days=WINDOW_DAYS - 1)
    in_window = [day for day in completions if start <= day <= today]
    count, active = len(in_window), len(set(in_window))
    if remaining <= 0:
        return Forecast("done", 0, count, active)
    if active < MIN_ACTIVE_DAYS or count == 0:
        return Forecast("unknown", remaining, count, active)
    days_needed = -(-remaining * WINDOW_DAYS // count)  # ceiling, in integers
    finish = today + dt.timedelta(days=days_needed)
    if finish >= deadline:
        return Forecast(
            "late", remaining, count, active, finish, days_late=(finish - deadline).days + 1
        )
    return Forecast(
        "on_time", remaining, count, active, finish, days_early=(deadline - finish).days
    )
