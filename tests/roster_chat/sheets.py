"""Filled rosters for the chat's tests: the real template (`reports.roster_xlsx`) filled in
with openpyxl as an official would in Excel, and the people in it."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from dvht_core.loader import load_rulebook
from reports.roster_xlsx import MEMBERS_SHEET, template_bytes

HEADER_ROW = 3
"""The template's header row (title, purpose, header)."""
COLUMNS = ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1")
"""A commune's (ubnd_xa) roster columns, in the template's order."""

NAMES = tuple(f"Quách Thị Xuyến {letter}" for letter in "ABCDEFGHIJKLMNOPQRST")
"""Twenty distinctive names: none can appear in a report or a reply by chance."""
MARKED = {"2.1": 20, "2.2": 19, "2.3": 18, "2.4": 10, "2.5": 20, "3.1": 17}
"""How many of the twenty (the first N) are marked for each indicator."""


def rows(names: Sequence[str] = NAMES, marked: dict[str, int] | None = None) -> list[list[Any]]:
    """One row per member: name, position, then “x” or blank per column, the first
    `marked[id]` members marked (“có” and “đạt” mixed in, as officials write them)."""
    marked = MARKED if marked is None else marked
    words = ("x", "có", "đạt")
    return [
        [name, "Cán bộ", *(words[i % 3] if i < marked[c] else None for c in COLUMNS)]
        for i, name in enumerate(names)
    ]


def filled(
    table: Sequence[Sequence[Any]] | None = None,
    *,
    unit_type: str = "ubnd_xa",
    tier: str = "tt24-huyen",
    edit: Callable[[Any], None] | None = None,
) -> bytes:
    """The unit's template with `table` typed in from the first data row."""
    table = rows() if table is None else table
    rulebook = load_rulebook(tier)
    data = template_bytes(rulebook, unit_type=unit_type, unit_name="UBND xã Quảng Phú")
    book = load_workbook(io.BytesIO(data))
    sheet = book[MEMBERS_SHEET]
    for offset, values in enumerate(table):
        row = HEADER_ROW + 1 + offset
        sheet.cell(row=row, column=1, value=offset + 1)
        for column, value in enumerate(values, start=2):
            sheet.cell(row=row, column=column, value=value)
    if edit is not None:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
