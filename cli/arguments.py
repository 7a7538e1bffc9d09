"""Argument types for the command line: numbers bounded to what they mean, so a mistyped
`--unit 99999999999999999999` is one usage line instead of an integer overflow in the
database driver."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from dvht_core.limits import MAX_MEMBERS, MAX_YEAR, MIN_YEAR

MAX_ID = 2**63 - 1
"""The largest id a database row can have (a signed 64-bit integer)."""


def bounded_int(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse `type` accepting whole numbers from `low` to `high`; anything else is refused
    in Vietnamese naming `what` (argparse then prints it as the usage error)."""

    def parse(text: str) -> int:
        value = text.strip()
        digits = value.removeprefix("-")
        if not digits.isascii() or not digits.isdigit() or len(digits) > 19:
            raise argparse.ArgumentTypeError(f"{what} phải là số nguyên từ {low} đến {high}")
        number = int(value)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{what} phải là số nguyên từ {low} đến {high}")
        return number

    return parse


unit_id = bounded_int(1, MAX_ID, "mã đơn vị")
year = bounded_int(MIN_YEAR, MAX_YEAR, "năm")
total = bounded_int(1, MAX_MEMBERS, "số người")
"""A members or learners total: a ratio divides by it, so at least 1."""
