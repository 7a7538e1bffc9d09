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

# The evaluate/import/report files (issue 11, item 4).
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""The largest evaluate file read: a complete file is a few kilobytes; 40,000 evidence
references take about 2.4 MB. Checked on the file's size before reading, and the read is capped."""
MAX_DOCUMENT_DEPTH = 20
"""Nesting levels of a file: the format has four (file → answers → answer → evidence). The
parsers recurse once per level, and Python's JSON decoder stops with RecursionError near 1,000,
PyYAML's C composer crashes the process near 40,000."""
MAX_INTEGER = 2**63 - 1
"""The largest integer a file may carry anywhere, even in a field no one reads: every database
integer column is at most 64 bits, and Python's int-string conversion refuses 4,300 digits."""
