"""The round trip (issue 16, item 5): the template /danhsach sends, filled in, sent back and
confirmed gives the same counts, totals and verdict as the same figures typed answer by answer."""

from __future__ import annotations

import io
from collections.abc import Callable

from openpyxl import load_workbook  # type: ignore[import-untyped]

from conversations.context import assessment_of
from dvht_core.evaluate import evaluate
from dvht_core.loader import load_rulebook
from reports.roster_xlsx import MEMBERS_SHEET
from storage.db import Database
from tests.conversations.driver import BotClient, Reply, onboard, stored, unit_ids, values, walk
from tests.roster_chat import sheets


async def test_the_template_filled_and_imported_gives_the_typed_verdict(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    typed = make_client("typed", "Hà")
    await onboard(typed, members=20, name="UBND xã Đông Hà")
    replies = {i: Reply(str(n), evidence=("Danh sách",)) for i, n in sheets.MARKED.items()}
    await walk(typed, "huyen", "ubnd_xa", 20, replies)

    imported = make_client("imported", "Lan")
    await onboard(imported, members=30, name="UBND xã Quảng Phú")
    await walk(imported, "huyen", "ubnd_xa", 30)  # every count typed as 30 of 30 first
    await imported.send("/danhsach")
    template = next(r.document for r in imported.last if r.document is not None)
    book = load_workbook(io.BytesIO(template.data))
    sheet = book[MEMBERS_SHEET]
    for offset, row in enumerate(sheets.rows()):  # the official types into the sent file
        for column, value in enumerate(row, start=2):
            sheet.cell(row=sheets.HEADER_ROW + 1 + offset, column=column, value=value)
    filled = io.BytesIO()
    book.save(filled)
    await imported.upload(filled.getvalue(), name="danh-sach-da-dien.xlsx")
    await imported.click("rs:yes")

    first, second = await unit_ids(database)
    by_hand, by_roster = await stored(database, first), await stored(database, second)
    assert by_roster.members == by_hand.members == 20
    for indicator_id, count in sheets.MARKED.items():
        assert values(by_hand)[indicator_id]["count"] == count
        assert values(by_roster)[indicator_id]["count"] == count
    rulebook = load_rulebook("tt24-huyen")
    hand = evaluate(rulebook, assessment_of(by_hand))
    roster = evaluate(rulebook, assessment_of(by_roster))
    assert roster.level == hand.level
    assert {i: r.level for i, r in roster.indicators.items()} == {
        i: r.level for i, r in hand.indicators.items()
    }
    # The history is kept as for a typed answer: 2.1 was 30, now 20.
    assert by_roster.answers["2.1"].value["count"] == 20
