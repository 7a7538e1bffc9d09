"""Filled rosters for the tests: the real template, filled in with openpyxl as an official
would in Excel, or a workbook laid out by hand the way officials really send them."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from dvht_core.model import Rulebook
from reports.roster_xlsx import LEARNERS_SHEET, MEMBERS_SHEET, template_bytes

HEADER_ROW = 3
"""The template's header row (title, purpose, header)."""


def filled(
    rulebook: Rulebook,
    unit_type: str,
    rows: Sequence[Sequence[Any]],
    *,
    classes: Sequence[Sequence[Any]] = (),
    edit: Callable[[Any], None] | None = None,
) -> bytes:
    """The template with `rows` (name, position, then one value per indicator column) typed in
    from the first data row; `classes` on the learners' sheet; `edit(book)` for anything else."""
    book = load_workbook(io.BytesIO(template_bytes(rulebook, unit_type=unit_type, unit_name="X")))
    sheet = book[MEMBERS_SHEET]
    for offset, values in enumerate(rows):
        row = HEADER_ROW + 1 + offset
        sheet.cell(row=row, column=1, value=offset + 1)
        for column, value in enumerate(values, start=2):
            sheet.cell(row=row, column=column, value=value)
    for offset, values in enumerate(classes):
        for column, value in enumerate(values, start=1):
            book[LEARNERS_SHEET].cell(row=3 + offset, column=column, value=value)
    if edit is not None:
        edit(book)
    return save(book)


def plain(rows: Sequence[Sequence[Any]], *, title: str = "Sheet1", before: int = 0) -> bytes:
    """A workbook of one sheet with `before` blank rows and then `rows` (the first is the
    header), as an official might type it without the template."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=before + 1 + offset, column=column, value=value)
    return save(book)


def save(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
