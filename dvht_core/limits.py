"""The bounds every entry point shares: the chat, the evaluate/import files and storage check
the same numbers, so a value accepted in one place can never break another."""

from __future__ import annotations

MAX_MEMBERS = 1_000_000
"""Members or learners of one unit: far above the largest university (about 100,000)."""
MIN_YEAR, MAX_YEAR = 2000, 2100
"""Assessment years a unit can have (TT24 dates from 2023; older data years are history)."""
EARLIEST_DECISION_YEAR = 2020
"""A level-1 recognition decision older than this predates the scheme the upgrade rule uses."""
MAX_NAME_CHARS = 300
MAX_PROVINCE_CHARS = 100
MAX_TITLE_CHARS = 500
MAX_FREE_TEXT_CHARS = 5000
