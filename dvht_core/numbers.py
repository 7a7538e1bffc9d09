"""Exact ratio arithmetic and Vietnamese number formatting.

TT24 says “tối thiểu 90%”: a bar is met when count/total >= pct/100, compared as integers
(count*100 >= pct*total) so no float or rounding can move a unit across a bar.
"""

from __future__ import annotations

import datetime as dt


def meets_pct(count: int, total: int, pct: int) -> bool:
    """True when count/total is at least pct percent, in exact integer arithmetic."""
    return count * 100 >= pct * total


def needed_for_pct(total: int, pct: int) -> int:
    """The least count that reaches pct percent of total (a ceiling division)."""
    return -(-pct * total // 100)


def format_pct(count: int, total: int) -> str:
    """“93,3%”: one decimal with a comma, rounded half up, computed on integers.

    A figure that would round to a whole percentage it does not equal keeps two truncated
    decimals instead, so a unit just under a bar never reads as on it: 18,999 of 20,000 shows
    as “94,99%”, not “95%”.
    """
    if total <= 0:
        return "—"
    tenths = (count * 2000 + total) // (2 * total)
    if tenths % 10 == 0 and count * 100 != (tenths // 10) * total:
        hundredths = count * 10000 // total
        whole, decimals = divmod(hundredths, 100)
        return f"{whole},{decimals:02d}%"
    whole, decimal = divmod(tenths, 10)
    return f"{whole}%" if decimal == 0 else f"{whole},{decimal}%"


def format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; the 29–31st clip to the month's last day (29/02 → 28/02).

    Past the calendar's end the answer is its last day, 31/12/9999: a date that far away is
    "never" for every rule that compares with it. A stored decision date of 31/12/9999 once made
    this raise, and with it every evaluation of the unit (/ketqua, /baocao, `dvht report`).
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")  # pragma: no cover
