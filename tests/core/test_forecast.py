"""The finish-date forecast on crafted histories: the pace of the last 14 days, projected onto
the calendar, against a deadline that is due *before* its date."""

from __future__ import annotations

import datetime as dt

import pytest

from dvht_core.forecast import MIN_ACTIVE_DAYS, WINDOW_DAYS, forecast

TODAY = dt.date(2026, 12, 1)
DEADLINE = dt.date(2027, 1, 15)


def days_ago(*offsets: int, today: dt.date = TODAY) -> list[dt.date]:
    return [today - dt.timedelta(days=n) for n in offsets]


def test_the_window_and_the_threshold_are_the_documented_ones() -> None:
    assert (WINDOW_DAYS, MIN_ACTIVE_DAYS) == (14, 2)


def test_steady_pace_finishing_before_the_deadline() -> None:
    """One indicator every other day for two weeks: 7 completions in 14 days, half an indicator
    a day; 6 left take 12 days."""
    history = days_ago(0, 2, 4, 6, 8, 10, 12)
    result = forecast(history, remaining=6, today=TODAY, deadline=DEADLINE)
    assert result.kind == "on_time"
    assert (result.completions, result.active_days) == (7, 7)
    assert result.finish == dt.date(2026, 12, 13)
    assert result.days_early == (DEADLINE - dt.date(2026, 12, 13)).days == 33
    assert result.days_late == 0


def test_steady_pace_finishing_after_the_deadline() -> None:
    """2 completions in 14 days (1 per 7 days); 10 left take 70 days: 09/02/2027, which is 26
    days after the last allowed day (14/01/2027)."""
    history = days_ago(3, 10)
    result = forecast(history, remaining=10, today=TODAY, deadline=DEADLINE)
    assert result.kind == "late"
    assert result.finish == TODAY + dt.timedelta(days=70) == dt.date(2027, 2, 9)
    assert result.days_late == 26


def test_the_number_of_days_is_a_ceiling_in_integers() -> None:
    """3 completions in 14 days; 1 left takes 14/3 = 4.67 days, so 5."""
    result = forecast(days_ago(0, 1, 5), remaining=1, today=TODAY, deadline=DEADLINE)
    assert result.finish == TODAY + dt.timedelta(days=5)


def test_finishing_on_the_deadline_date_is_one_day_late() -> None:
    """“Trước ngày 15/01”: the last allowed day is 14/01, so 15/01 is a day late, 14/01 not."""
    today = dt.date(2027, 1, 1)
    history = days_ago(0, 1, today=today)  # 2 in 14 days: 7 days per indicator
    on_deadline = forecast(history, remaining=2, today=today, deadline=dt.date(2027, 1, 15))
    assert on_deadline.finish == dt.date(2027, 1, 15)
    assert (on_deadline.kind, on_deadline.days_late) == ("late", 1)
    day_before = forecast(history, remaining=2, today=today, deadline=dt.date(2027, 1, 16))
    assert (day_before.kind, day_before.days_early) == ("on_time", 1)


def test_a_burst_then_nothing_is_too_little_history() -> None:
    """Ten indicators in one afternoon twelve days ago, nothing since: one active day."""
    history = days_ago(*([12] * 10))
    result = forecast(history, remaining=3, today=TODAY, deadline=DEADLINE)
    assert (result.kind, result.completions, result.active_days) == ("unknown", 10, 1)
    assert result.finish is None


def test_a_burst_before_the_window_counts_for_nothing() -> None:
    """The work of three weeks ago is outside the 14 days: no pace now."""
    history = days_ago(*([20] * 5), 21, 25)
    result = forecast(history, remaining=8, today=TODAY, deadline=DEADLINE)
    assert (result.kind, result.completions, result.active_days) == ("unknown", 0, 0)


def test_the_window_ends_today_and_starts_13_days_ago() -> None:
    inside = forecast(days_ago(0, 13), remaining=1, today=TODAY, deadline=DEADLINE)
    assert (inside.kind, inside.completions) == ("on_time", 2)
    outside = forecast(days_ago(0, 14), remaining=1, today=TODAY, deadline=DEADLINE)
    assert (outside.kind, outside.completions) == ("unknown", 1)


def test_a_single_day_is_too_little_history() -> None:
    result = forecast(days_ago(0, 0, 0), remaining=4, today=TODAY, deadline=DEADLINE)
    assert (result.kind, result.active_days) == ("unknown", 1)


def test_nothing_answered_is_too_little_history() -> None:
    result = forecast([], remaining=13, today=TODAY, deadline=DEADLINE)
    assert (result.kind, result.completions, result.active_days) == ("unknown", 0, 0)


def test_everything_done_needs_no_forecast() -> None:
    history = days_ago(*range(13))
    result = forecast(history, remaining=0, today=TODAY, deadline=DEADLINE)
    assert (result.kind, result.remaining, result.finish) == ("done", 0, None)


@pytest.mark.parametrize("history", [[], days_ago(40)], ids=["no history", "old history"])
def test_remaining_zero_is_done_whatever_the_history(history: list[dt.date]) -> None:
    assert forecast(history, remaining=0, today=TODAY, deadline=DEADLINE).kind == "done"


def test_dates_across_the_year_end() -> None:
    """Worked on 25/12, 28/12, 30/12 and 02/01; today 04/01/2027: 4 in 14 days, 5 left take
    ceil(70/4) = 18 days: 22/01/2027, 8 days after the last allowed day."""
    today = dt.date(2027, 1, 4)
    history = [dt.date(2026, 12, 25), dt.date(2026, 12, 28), dt.date(2026, 12, 30)]
    history.append(dt.date(2027, 1, 2))
    result = forecast(history, remaining=5, today=today, deadline=DEADLINE)
    assert (result.completions, result.active_days) == (4, 4)
    assert result.finish == dt.date(2027, 1, 22)
    assert (result.kind, result.days_late) == ("late", 8)


def test_dates_after_today_are_ignored() -> None:
    """A completion dated tomorrow (a clock ahead) is not part of the pace."""
    history = [*days_ago(1, 2), TODAY + dt.timedelta(days=1)]
    result = forecast(history, remaining=2, today=TODAY, deadline=DEADLINE)
    assert result.completions == 2


def test_the_pace_projects_active_days_onto_the_calendar() -> None:
    """4 active days of 3 completions each (12 in 14 days) is the same calendar pace as 12
    active days of 1 each: the forecast depends on completions per calendar day only."""
    bursts = days_ago(*([1] * 3), *([4] * 3), *([8] * 3), *([11] * 3))
    spread = days_ago(*range(12))
    one = forecast(bursts, remaining=6, today=TODAY, deadline=DEADLINE)
    other = forecast(spread, remaining=6, today=TODAY, deadline=DEADLINE)
    assert one.finish == other.finish == TODAY + dt.timedelta(days=7)
    assert (one.active_days, other.active_days) == (4, 12)
