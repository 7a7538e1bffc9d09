"""Issue 16 benchmark: a roster of 5,000 members imported and counted, against openpyxl
reading the same file's cells alone, in the same run (goal: at most 10×).

The baseline is openpyxl's fastest way to read every cell of the workbook (`read_only=True,
values_only`): the cost of the file format itself. Ours is `reports.roster_xlsx.read_roster`
(zip checks, the full openpyxl mode for merged cells, header search, every mark checked,
duplicates) plus the count of each indicator. The full (not read-only) openpyxl read is printed
too, since that is the mode the reader uses. Staging and confirming the roster on SQLite (one
transaction: totals, six answers, one evidence item) is timed separately.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from dvht_core.loader import TT24_BY_TIER, load_rulebook
from dvht_core.model import Rulebook
from dvht_core.roster import Roster, roster_indicators
from reports.roster_xlsx import MEMBERS_SHEET, read_roster, template_bytes

MEMBERS = 5_000
RUNS = 5
GOAL = 10.0


def roster_file(rulebook: Rulebook, unit_type: str, members: int = MEMBERS) -> bytes:
    """The real template filled with `members` rows, marks spread over the columns."""
    book = load_workbook(io.BytesIO(template_bytes(rulebook, unit_type=unit_type, unit_name="X")))
    sheet = book[MEMBERS_SHEET]
    columns = len(roster_indicators(rulebook, unit_type))
    for n in range(members):
        row = 4 + n
        sheet.cell(row=row, column=1, value=n + 1)
        sheet.cell(row=row, column=2, value=f"Nguyễn Văn Thành viên {n}")
        sheet.cell(row=row, column=3, value=f"Phòng {n % 12}")
        for offset in range(columns):
            if (n + offset) % 7:
                sheet.cell(row=row, column=4 + offset, value=("x", "có", "đạt")[n % 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _best(produce: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = produce()
        best = min(best, time.perf_counter() - started)
    return best, result


def _cells(data: bytes, *, read_only: bool) -> int:
    book = load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
    try:
        return sum(
            1
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for _ in row
        )
    finally:
        book.close()


def _ours(data: bytes, rulebook: Rulebook) -> tuple[Roster, dict[str, int]]:
    roster = read_roster(data, rulebook, unit_type="ubnd_xa")
    return roster, {i: roster.count(i) for i in roster.indicator_ids}


async def _stage_and_confirm(roster: Roster, size: int) -> float:
    from conversations.messages import StoredEvidence
    from conversations.records import Actor
    from storage import roster_store
    from storage.assessments import AssessmentRepository
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.schemas import NewUnit
    from storage.units import UnitRepository
    from storage.uow import transaction

    operator = Actor.operator()
    stored = StoredEvidence(
        "ab" * 32, "sha256/ab/ab/" + "ab" * 32, size, "application/xlsx", "ds.xlsx"
    )
    best = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            await upgrade(database)
            unit = NewUnit(name="UBND xã A", tier="huyen", unit_type="ubnd_xa", province="Huế")
            unit_id = await transaction(
                database, lambda s: UnitRepository().create(s, actor=operator, data=unit).id
            )

            def write(session: Any) -> None:
                assessment_id = AssessmentRepository().get_or_create(
                    session, actor=operator, unit_id=unit_id, year=2025
                )
                roster_id = roster_store.stage_roster(
                    session,
                    actor=operator,
                    assessment_id=assessment_id,
                    roster=roster,
                    stored=stored,
                )
                roster_store.confirm_roster(session, actor=operator, roster_id=roster_id)

            for _ in range(RUNS):
                started = time.perf_counter()
                await transaction(database, write)
                best = min(best, time.perf_counter() - started)
        finally:
            await database.close()
    return best


def main() -> None:
    rulebook = load_rulebook(TT24_BY_TIER["huyen"])
    data = roster_file(rulebook, "ubnd_xa")
    print(f"== roster: {MEMBERS:,} members, {len(data) / 1024:.0f} KB, best of {RUNS} ==")
    baseline, cells = _best(lambda: _cells(data, read_only=True))
    full, _ = _best(lambda: _cells(data, read_only=False))
    ours, (roster, counts) = _best(lambda: _ours(data, rulebook))
    assert roster.total_members == MEMBERS
    print(f"openpyxl, cells alone (read-only): {baseline * 1000:8.1f} ms ({cells:,} cells)")
    print(f"openpyxl, cells alone (full mode): {full * 1000:8.1f} ms ({full / baseline:.2f}×)")
    ratio = ours / baseline
    verdict = "OK" if ratio <= GOAL else "OVER"
    print(
        f"read + count (ours):               {ours * 1000:8.1f} ms "
        f"({ratio:.2f}× the read-only cells; goal ≤ {GOAL:.0f}×: {verdict})"
    )
    print(f"counts: {counts}")
    stored = asyncio.run(_stage_and_confirm(roster, len(data)))
    print(f"stage + confirm on SQLite:         {stored * 1000:8.1f} ms (one transaction)")


if __name__ == "__main__":
    main()
