"""/danhsach and a roster file sent in the chat (issue 16, items 1 and 2): the template, the
counts shown for confirmation, “Có” records them, “Không” records nothing, bad files each say
their sentence and ask again, and the rule on when an XLSX is taken for the roster."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

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
    assert "x" in template.text
    assert "căn cước" in template.text
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
    assert "Đơn vị hiện:" in client.text
    # 17/20 < 90% for 3.1: one more, and the admin reads who is missing.
    missing = list(sheets.NAMES[17:])
    assert say.roster_names_gap(1, "3.1", 1, missing, 0) in client.text


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
    assert question is not None
    assert question.text.startswith(SUMMARY)
    await client.send("có")
    assert "Đã ghi theo danh sách" in client.text


# --- bad files: each its sentence, then the same question -------------------------------------


async def test_a_bad_cell_and_a_duplicate_are_named_by_row_while_the_good_rows_count(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    client = make_client()
    await _awaiting(client)
    table = sheets.rows()
    table[4][2 + 4] = "xx"  # row 8 of the sheet (header on 3), column 2.5
    table.append(list(table[0]))  # a duplicate of the first member: not counted twice
    await client.upload(sheets.filled(table), name="ds.xlsx")
    problems = client.errors
    assert len(problems) == 1, client.text
    assert problems[0].startswith("Có 2 chỗ chưa tính được")
    assert "Dòng 8, cột" in problems[0]
    assert "“xx” không phải x, có, đạt" in problems[0]
    assert "Dòng 24: “Quách Thị Xuyến A” trùng họ tên" in problems[0]  # Lan is the admin
    question = client.asked_now()
    assert question is not None
    assert question.text.startswith("Theo danh sách: 20 thành viên; 2.1 20/20 (100%);")
    assert "2.5 19/20 (95%)" in question.text  # the bad cell counts as not marked
    assert values(await stored(database)) == {}


async def test_many_problems_are_capped_to_fit_one_zalo_message(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client(channel="console")
    await _awaiting(client)
    table = [[*row[:2], *("??" for _ in sheets.COLUMNS)] for row in sheets.rows()]
    await client.upload(sheets.filled(table), name="ds.xlsx")  # 120 bad cells
    listed = client.errors[0]
    assert listed.startswith("Có 120 chỗ chưa tính được")
    assert listed.endswith(f"… và {120 - say.ROSTER_PROBLEMS_SHOWN} lỗi khác.")
    assert len(listed) <= 2000  # check_replies also holds every reply to it
    assert client.asked_now() is not None


async def _refused_then_asked_again(client: BotClient, data: bytes, name: str) -> str:
    await client.upload(data, name=name)
    assert len(client.errors) == 1, client.text
    assert client.last[-1].text == say.ROSTER_AWAIT  # the same question again
    return client.errors[0]


async def test_a_missing_header_an_empty_sheet_and_other_files_are_refused_then_asked_again(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    from reports import roster_xlsx
    from tests import evidence_samples

    client = make_client()
    await _awaiting(client)

    headless = Workbook()  # names and marks typed without the header row
    for row in sheets.rows():
        headless.active.append(row)
    data = io.BytesIO()
    headless.save(data)
    refused = await _refused_then_asked_again(client, data.getvalue(), "ds.xlsx")
    assert refused == roster_xlsx.NO_HEADER
    empty = sheets.filled([])
    assert await _refused_then_asked_again(client, empty, "ds.xlsx") == roster_xlsx.NO_MEMBERS
    pdf = evidence_samples.pdf()
    assert await _refused_then_asked_again(client, pdf, "ds.pdf") == roster_xlsx.NOT_XLSX
    blank = Workbook()
    buffer = io.BytesIO()
    blank.save(buffer)
    sentence = await _refused_then_asked_again(client, buffer.getvalue(), "trang.xlsx")
    assert sentence in (roster_xlsx.NO_HEADER, roster_xlsx.NO_MEMBERS)
    exe = b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00"
    refused = await _refused_then_asked_again(client, exe, "ds.exe")  # the evidence store's
    assert "không được nhận" in refused, refused
    assert refused not in (roster_xlsx.NOT_XLSX, say.ROSTER_SEND_FILE, say.ROSTER_NOT_READ)
    await client.upload(evidence_samples.jpeg(), photo=True)
    assert client.errors == [say.ROSTER_SEND_FILE]
    record = await stored(database)
    assert values(record) == {}
    assert record.members == 30
    await client.upload(sheets.filled(), name="ds.xlsx")  # and the right file still works
    assert client.buttons == ["rs:yes", "rs:no"]


# --- when an XLSX is the roster ------------------------------------------------------------------


async def test_a_roster_sent_without_danhsach_is_read_as_one(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await onboard(client, members=30)  # at 1.1's value question
    await client.upload(sheets.filled(), name="danh sach.xlsx")
    question = client.asked_now()
    assert question is not None
    assert question.text.startswith(SUMMARY)


async def test_at_the_evidence_question_a_spreadsheet_is_evidence_not_the_roster(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    client = make_client()
    await onboard(client, members=30)
    await client.click("v:y")  # 1.1 met: its evidence question
    assert client.step == "evidence"
    await client.upload(sheets.filled(), name="ke-hoach.xlsx")
    assert client.text.startswith("Đã nhận tệp ke-hoach.xlsx"), client.text
    assert client.step == "evidence"
    assert titles(await stored(database), "1.1") == ["ke-hoach.xlsx"]


async def test_a_spreadsheet_that_is_no_roster_is_not_wanted_outside_the_evidence_question(
    make_client: Callable[..., BotClient],
) -> None:
    from openpyxl import Workbook

    client = make_client()
    await onboard(client, members=30)
    book = Workbook()
    book.active["A1"] = "Kinh phí"
    book.active["B1"] = 12_000_000
    buffer = io.BytesIO()
    book.save(buffer)
    await client.upload(buffer.getvalue(), name="kinh-phi.xlsx")
    assert client.errors == [say.FILE_NOT_NOW]


async def test_danh_sach_typed_as_an_evidence_title_is_a_title(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    client = make_client()
    await onboard(client, members=30)
    await client.click("v:y")
    await client.send("Danh sách")  # at a question waiting for free text: the title
    assert client.step == "evidence"
    assert titles(await stored(database), "1.1") == ["Danh sách"]
    await client.send("/danhsach")  # the command still works there
    assert any(r.document is not None for r in client.last)


async def test_the_console_saves_the_template_like_a_report(
    make_client: Callable[..., BotClient], tmp_path: Path
) -> None:
    from bot.console import render

    client = make_client(channel="console")
    await _awaiting(client)
    shown = render(client.last, tmp_path / "tep")
    saved = tmp_path / "tep" / TEMPLATE_NAME
    assert f"Đã lưu tệp: {saved}" in shown
    assert saved.read_bytes().startswith(b"PK")
    assert say.ROSTER_AWAIT in shown


async def test_the_questions_numbers_stay_when_it_is_asked_again(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    client = make_client(channel="console")
    await _awaiting(client)
    await client.send("1")  # at the file's question a number is nothing to pick
    assert client.errors == [say.ROSTER_WAITING_FILE]
    await client.upload(sheets.filled(), name="ds.xlsx")
    await client.send("3")
    assert client.errors == [say.out_of_range(3, 2, False)]
    await client.send("2")  # still “Không”
    assert client.text == say.ROSTER_CANCELLED
    assert values(await stored(database)) == {}


async def test_a_kept_answer_over_the_new_total_refuses_the_yes_and_records_nothing(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    from openpyxl import Workbook

    from tests.conversations.driver import walk

    client = make_client()
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.3")  # 2.1 and 2.2: 30 of 30
    book = Workbook()
    book.active.append(["Họ và tên", "Chức vụ", "Tuân thủ kỷ luật (2.1)"])
    for name in sheets.NAMES:
        book.active.append([name, "Cán bộ", "x"])
    data = io.BytesIO()
    book.save(data)
    await client.upload(data.getvalue(), name="chi-2-1.xlsx")  # 20 members, 2.1 only
    question = client.asked_now()
    assert question is not None
    assert question.text.startswith("Theo danh sách: 20 thành viên; 2.1 20/20 (100%).")
    await client.click("rs:yes")
    assert len(client.errors) == 1
    assert "2.2" in client.errors[0]
    assert client.last[-1].text == question.text  # the same question again
    record = await stored(database)
    assert record.members == 30
    assert values(record)["2.1"]["count"] == 30


async def test_a_tinh_school_sends_its_learners_too(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    from reports.roster_xlsx import LEARNERS_SHEET

    def classes(book: object) -> None:
        sheet = book[LEARNERS_SHEET]  # type: ignore[index]
        for offset, row in enumerate((("10A1", 40, 36), ("10A2", 42, 40), ("11B", 38, 30))):
            for column, value in enumerate(row, start=1):
                sheet.cell(row=3 + offset, column=column, value=value)

    client = make_client()
    await onboard(client, unit_type="ut:thpt", members=30, name="Trường THPT Hai Bà Trưng")
    await client.send("/danhsach")
    data = sheets.filled(unit_type="pho_thong", tier="tt24-tinh", edit=classes)
    await client.upload(data, name="ds.xlsx")
    question = client.asked_now()
    assert question is not None
    assert "3.1 17/20 (85%); người học là Công dân học tập 106/120 (88,3%)." in question.text
    await client.click("rs:yes")
    record = await stored(database)
    assert record.learners == 120
    assert values(record)["3.1"] == {"count": 17, "learners_count": 106}
