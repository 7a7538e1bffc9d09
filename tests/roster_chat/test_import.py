"""/danhsach and a roster file sent in the chat (issue 16, items 1 and 2): the template, the
counts shown for confirmation, “Có” records them, “Không” records nothing, bad files each say
their sentence and ask again, and the rule on when an XLSX is taken for the roster."""

from __future__ import annotations

from collections.abc import Callable

from conversations import catalogue as say
from reports.roster_xlsx import TEMPLATE_NAME, XLSX_MIME
from storage.db import Database
from storage.roster_store import EVIDENCE_TITLE
from tests.conversations.driver import BotClient, onboard, stored, titles, values
from tests.roster_chat import sheets

SUMMARY = (
    "Theo danh sách: 20 thành viên; 2.1 20/20 (100%); 2.2 19/20 (95%); 2.3 18/20 (90%); "
    "2.4 10/20 (50%); 2.5 20/20 (100%); 3.1 17/20 (85%)."
)


async def _awaiting(client: BotClient) -> None:
    await onboard(client, members=30)
    await client.send("/danhsach")


async def test_danhsach_sends_the_template_and_waits_for_the_file(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client(channel="console")
    await _awaiting(client)
    template = next(r for r in client.last if r.document is not None)
    assert template.text == say.ROSTER_TEMPLATE_CAPTION
    assert template.document is not None
    assert template.document.file_name == TEMPLATE_NAME
    assert template.document.mime_type == XLSX_MIME
    assert template.document.data.startswith(b"PK")
    assert "x" in template.text and "căn cước" in template.text
    assert client.last[-1].text == say.ROSTER_AWAIT
    await client.send("30")  # not a file: what is awaited, again
    assert client.errors == [say.ROSTER_WAITING_FILE]
    assert client.last[-1].text == say.ROSTER_AWAIT


async def test_danh_sach_typed_in_words_and_without_a_unit(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await client.send("mẫu danh sách")
    assert client.text == say.NO_UNIT_YET
    await onboard(client)
    await client.send("Danh sách")
    assert any(r.document is not None for r in client.last)


async def test_the_counts_then_yes_records_them_with_the_file_as_evidence(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    client = make_client(channel="console")
    await _awaiting(client)
    before = await stored(database)
    await client.upload(sheets.filled(), name="ds.xlsx")
    question = client.asked_now()
    assert question is not None
    assert question.text.startswith(SUMMARY), question.text
    assert say.ROSTER_CONFIRM_QUESTION in question.text
    assert [b.id for b in question.buttons] == ["rs:yes", "rs:no"]  # the console numbers them
    after = await stored(database)
    assert values(after) == values(before)  # nothing recorded before “Có”
    assert after.members == 30
    await client.send("1")
    assert say.roster_recorded(20, list(sheets.COLUMNS)) in client.text
    record = await stored(database)
    assert record.members == 20
    assert {i: values(record)[i]["count"] for i in sheets.COLUMNS} == sheets.MARKED
    for indicator_id in sheets.COLUMNS:
        assert titles(record, indicator_id) == [EVIDENCE_TITLE]
    assert say.roster_level_now("Chưa đạt") in client.text or "Đơn vị hiện:" in client.text
    assert say.roster_short_gap("3.1", 1) in client.text  # 17/20 < 90%: one more


async def test_no_records_nothing_and_says_so(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    client = make_client()
    await _awaiting(client)
    before = await stored(database)
    await client.upload(sheets.filled(), name="ds.xlsx")
    assert client.buttons == ["rs:yes", "rs:no"]
    await client.click("rs:no")
    assert client.text == say.ROSTER_CANCELLED
    after = await stored(database)
    assert values(after) == values(before)
    assert after.members == 30
    assert not titles(after, "2.1")


async def test_anything_else_at_the_question_asks_it_again(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await _awaiting(client)
    await client.upload(sheets.filled(), name="ds.xlsx")
    await client.send("để mai")
    assert client.errors == [say.ROSTER_YES_OR_NO]
    question = client.asked_now()
    assert question is not None and question.text.startswith(SUMMARY)
    await client.send("có")
    assert "Đã ghi theo danh sách" in client.text
