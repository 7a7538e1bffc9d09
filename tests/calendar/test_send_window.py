"""The send window: quiet hours 21:00–07:00 local and whole closed holidays (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from dvht_core.send_window import SendWindow, default_window
from dvht_core.vietnam_time import ZONE

WINDOW = default_window()


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("hh", "mm", "open_"),
    [(20, 59, True), (21, 0, False), (23, 30, False), (0, 0, False), (6, 59, False), (7, 0, True)],
)
def test_quiet_hours_edges_local(hh: int, mm: int, open_: bool) -> None:
    moment = local(2026, 12, 8, hh, mm)  # a Tuesday, no holiday
    assert WINDOW.allowed(moment) is open_


def test_a_quiet_evening_waits_for_seven_the_next_morning() -> None:
    assert WINDOW.next_allowed(local(2026, 12, 8, 21, 0)) == local(2026, 12, 9, 7, 0)
    assert WINDOW.next_allowed(local(2026, 12, 9, 6, 59)) == local(2026, 12, 9, 7, 0)


def test_an_open_moment_is_returned_as_itself_in_utc() -> None:
    moment = local(2026, 12, 8, 8, 0)
    found = WINDOW.next_allowed(moment)
    assert found == moment
    assert found.utcoffset() == dt.timedelta(0)


def test_a_moment_given_in_utc_is_judged_in_vietnam() -> None:
    # 14:30 UTC is 21:30 in Hà Nội: quiet, although mid-afternoon in UTC.
    moment = dt.datetime(2026, 12, 8, 14, 30, tzinfo=dt.UTC)
    assert not WINDOW.allowed(moment)
    assert WINDOW.next_allowed(moment) == dt.datetime(2026, 12, 9, 0, 0, tzinfo=dt.UTC)
    # 23:59 UTC is 06:59 local: still quiet; 00:00 UTC is 07:00 local: open.
    assert not WINDOW.allowed(dt.datetime(2026, 12, 8, 23, 59, tzinfo=dt.UTC))
    assert WINDOW.allowed(dt.datetime(2026, 12, 9, 0, 0, tzinfo=dt.UTC))


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        WINDOW.allowed(dt.datetime(2026, 12, 8, 8, 0))


def test_a_holiday_is_closed_all_day_and_opens_at_seven_the_next_open_day() -> None:
    # 2/9/2025 (Quốc khánh) at noon: closed; 03/9 is an ordinary Wednesday.
    assert not WINDOW.allowed(local(2025, 9, 2, 12, 0))
    assert WINDOW.next_allowed(local(2025, 9, 2, 12, 0)) == local(2025, 9, 3, 7, 0)
    assert WINDOW.allowed(local(2025, 9, 3, 7, 0))


def test_tet_spanning_several_days_waits_until_it_ends() -> None:
    # Tết Bính Ngọ: off from Saturday 14/02/2026 to Sunday 22/02/2026.
    for day in range(14, 23):
        assert not WINDOW.allowed(local(2026, 2, day, 10, 0)), day
    assert WINDOW.next_allowed(local(2026, 2, 13, 22, 0)) == local(2026, 2, 23, 7, 0)
    assert WINDOW.next_allowed(local(2026, 2, 17, 8, 0)) == local(2026, 2, 23, 7, 0)
    assert WINDOW.allowed(local(2026, 2, 13, 20, 59))


def test_the_default_window_holds_the_holidays_of_three_years() -> None:
    years = {day.year for day in WINDOW.holidays}
    assert {2025, 2026, 2027} <= years
    for year in (2025, 2026, 2027):
        for fixed in ((1, 1), (4, 30), (5, 1), (9, 2)):
            assert dt.date(year, *fixed) in WINDOW.holidays, (year, fixed)
    assert (WINDOW.quiet_start, WINDOW.quiet_end) == (dt.time(21), dt.time(7))


def test_a_window_of_its_own_hours_and_days() -> None:
    window = SendWindow(dt.time(12, 0), dt.time(13, 0), frozenset({dt.date(2026, 3, 2)}))
    assert not window.allowed(local(2026, 3, 3, 12, 30))
    assert window.next_allowed(local(2026, 3, 3, 12, 30)) == local(2026, 3, 3, 13, 0)
    assert window.next_allowed(local(2026, 3, 2, 9, 0)) == local(2026, 3, 3, 13, 0)
    assert SendWindow(dt.time(0), dt.time(0)).allowed(local(2026, 3, 3, 3, 0))


def test_a_window_closed_for_good_says_so() -> None:
    start = dt.date(2026, 1, 1)
    closed = frozenset(start + dt.timedelta(days=n) for n in range(500))
    with pytest.raises(ValueError, match="closed on every day"):
        SendWindow(holidays=closed).next_allowed(local(2026, 1, 1, 8))
