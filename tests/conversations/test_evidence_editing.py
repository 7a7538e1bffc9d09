"""Evidence an official can correct (issue 12, item 1), as they meet it in the chat: what a
slip of the thumb sends at the evidence step is refused and never stored as a document's name,
items are listed by number and can be removed (recorded, not deleted) and renamed, a corrected
answer lists its evidence to keep or remove, and photos get names that tell them apart."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from conversations import catalogue as say
from conversations.messages import FileInfo
from storage.db import Database
from storage.tables import AuditEntry, EvidenceIndicator
from storage.uow import read
from tests.conversations.driver import (
    JPEG,
    PDF,
    BotClient,
    onboard,
    stored,
    titles,
    walk,
    walk_of,
)

KH = "Kế hoạch số 12/KH-UBND ngày 10/01/2025"
EXAMPLE = walk_of("huyen", "ubnd_xa")[0].evidence[0]
"""The example a refusal at 1.1's evidence step gives: its usual evidence."""
QD = "Quyết định số 7/QĐ-UBND"


async def _at_evidence(client: BotClient, *references: str) -> None:
    """Onboard a UBND xã, answer 1.1 “đạt” and type `references` at its evidence step."""
    await onboard(client)
    await client.click("v:y")
    for reference in references:
        await client.send(reference)
    assert client.where[:2] == ("evidence", "1.1"), client.text


async def _audit(database: Database, action: str) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == action))
        return [dict(row.details) for row in rows]

    return await read(database, work)


async def _links(database: Database) -> list[tuple[int, str, bool, bool]]:
    def work(session: Session) -> list[tuple[int, str, bool, bool]]:
        rows = session.exec(select(EvidenceIndicator).order_by(EvidenceIndicator.evidence_id))  # type: ignore[arg-type]
        return [
            (r.evidence_id, r.indicator_id, r.removed_at is not None, r.removed_by is not None)
            for r in rows
        ]

    return await read(database, work)


# --- what is not a document title -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("/abc", say.unknown_command("/abc")),
        ("/xoa 2", say.unknown_command("/xoa")),
        ("7", say.out_of_range(7, 2, True)),  # a number names an option here, not a title
        ("12/2025", say.title_is_a_number("12/2025", EXAMPLE)),
        ("đạt", say.title_is_an_answer("đạt")),
        ("Đạt rồi", say.title_is_an_answer("Đạt rồi")),
        ("có", say.title_is_an_answer("có")),
        ("ab", say.title_too_short("ab", EXAMPLE)),
        ("   ", say.EMPTY_MESSAGE),
        ("Kế hoạch nào thì được?", say.title_is_a_question("Kế hoạch nào thì được?")),
        (KH, say.title_already_there(KH, 1, "1.1")),
        (
            "ke hoach so 12/kh-ubnd  ngay 10/01/2025",
            say.title_already_there("ke hoach so 12/kh-ubnd ngay 10/01/2025", 1, "1.1"),
        ),
        ("\u200b", say.INVISIBLE_ONLY),
    ],
)
async def test_a_slip_is_refused_with_one_sentence_and_nothing_is_stored(
    client: BotClient, database: Database, typed: str, refusal: str
) -> None:
    await _at_evidence(client, KH)
    question = client.where
    await client.send(typed)
    assert client.errors == [refusal]
    assert client.where == question, "the same question again"
    assert titles(await stored(database), "1.1") == [KH]


async def test_an_option_number_is_never_stored_as_a_title(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client)
    await client.send("2")  # one option is numbered (“Bổ sung sau”); “quay lại” is a word
    assert client.errors == [say.out_of_range(2, 1, True)]
    assert client.step == "evidence"
    await client.send("1")  # “Bổ sung sau”
    assert client.step == "description"
    assert titles(await stored(database), "1.1") == []


async def test_an_unknown_command_is_refused_at_every_step(client: BotClient) -> None:
    await onboard(client)
    await client.send("/abc")
    assert client.errors == [say.unknown_command("/abc")]
    assert client.step == "value"
    await client.click("v:y")
    await client.click("ev:later")
    assert client.step == "description"
    await client.send("/mota Kế hoạch")
    assert client.errors == [say.unknown_command("/mota")]
    assert client.step == "description"


async def test_a_real_title_that_contains_command_words_is_kept(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client, "Kế hoạch xóa mù chữ năm 2025", "QĐ 12")
    assert client.errors == []
    assert titles(await stored(database), "1.1") == ["Kế hoạch xóa mù chữ năm 2025", "QĐ 12"]


# --- listing, removing, renaming --------------------------------------------------------------


async def test_items_are_listed_by_number_with_a_removal_button_each(client: BotClient) -> None:
    await _at_evidence(client, KH, QD)
    lines = client.question_text.splitlines()
    assert lines[:3] == [
        "Minh chứng cho 1.1: đã có 2 mục.",
        f"Minh chứng 1: {KH}",
        f"Minh chứng 2: {QD}",
    ]
    question = client.asked_now()
    assert question is not None
    assert [b.label for b in question.buttons] == [
        "Bổ sung sau",
        "Xong",
        "Xóa minh chứng 1",
        "Xóa minh chứng 2",
        "Quay lại",
    ]
    assert [b.per_item for b in question.buttons] == [False, False, True, True, False]


async def test_remove_by_words_is_recorded_and_never_deleted(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client, KH, QD)
    first = (await stored(database)).evidence_for("1.1")[0].id
    await client.send("xóa minh chứng 1")
    assert client.last[0].text == say.evidence_removed(1, KH, "1.1")
    assert client.step == "evidence"
    assert f"Minh chứng 1: {QD}" in client.question_text
    assert KH not in client.question_text
    assert titles(await stored(database), "1.1") == [QD]
    links = await _links(database)
    assert (first, "1.1", True, True) in links, "the link stays, marked with who and when"
    assert [d["title"] for d in await _audit(database, "evidence.remove")] == [KH]

    await client.send("xóa minh chứng 5")
    assert client.errors == [say.no_such_evidence(5, "1.1", 1)]
    await client.send("xoa mc")
    assert client.errors == [say.EVIDENCE_NUMBER_NEEDED]
    assert titles(await stored(database), "1.1") == [QD]


async def test_a_button_of_an_item_already_removed_says_so(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client, KH, QD)
    first = next(b for b in client.buttons if b.startswith("evx:"))
    await client.click(first)
    assert client.last[0].text == say.evidence_removed(1, KH, "1.1")
    await client.click(first, stale=True)  # the same tap again, on the older message
    assert client.errors == [say.EVIDENCE_ITEM_GONE]
    assert titles(await stored(database), "1.1") == [QD]


async def test_rename_keeps_the_old_title_in_the_audit_log(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client, "Ke hoach 12")
    await client.send(f"đổi tên minh chứng 1 thành {KH}")
    assert client.last[0].text == say.evidence_renamed(1, "Ke hoach 12", KH)
    assert f"Minh chứng 1: {KH}" in client.question_text
    assert titles(await stored(database), "1.1") == [KH]
    assert await _audit(database, "evidence.rename") == [
        {
            "evidence_id": (await stored(database)).evidence_for("1.1")[0].id,
            "from": "Ke hoach 12",
            "to": KH,
        }
    ]
    await client.send("đổi tên minh chứng 1 thành 2")  # the new title is checked as any title
    assert client.errors[0].startswith("“2” chưa phải tên văn bản")
    await client.send("đổi tên minh chứng 1")
    assert client.errors == [say.RENAME_FORMAT]
    assert titles(await stored(database), "1.1") == [KH]


async def test_a_removed_file_can_be_sent_again(client: BotClient, database: Database) -> None:
    await _at_evidence(client)
    await client.upload(PDF, name="ke-hoach.pdf")
    await client.send("xóa minh chứng 1")
    assert client.question_text.startswith("Minh chứng cho 1.1: gửi tệp")  # none left
    await client.upload(PDF, name="ke-hoach.pdf")
    assert client.errors == []
    assert titles(await stored(database), "1.1") == ["ke-hoach.pdf"]


# --- a corrected answer lists its evidence ----------------------------------------------------


async def test_a_corrected_count_lists_its_evidence_to_keep_or_remove(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.2")
    await client.send("sửa 2.1")
    assert client.step == "value"
    assert say.evidence_on_file(1) in client.question_text
    await client.send("25")
    assert client.where[:2] == ("evidence", "2.1")
    assert "Minh chứng 1: Kế hoạch số 12/KH-UBND" in client.question_text
    await client.send("xóa minh chứng 1")
    await client.send("Bảng chấm công 2025")
    await client.send("xong")
    assert client.step == "description"
    record = await stored(database)
    assert titles(record, "2.1") == ["Bảng chấm công 2025"]
    assert record.answers["2.1"].value == {"count": 25}


async def test_a_correction_to_not_met_still_shows_the_evidence_on_file(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="1.3")
    await client.send("sửa 1.2")
    await client.click("v:n")
    assert client.where[:2] == ("evidence", "1.2"), "not silently kept"
    await client.click(next(b for b in client.buttons if b.startswith("evx:")))  # Xóa 1
    assert client.question_text.startswith("Minh chứng cho 1.2: gửi tệp")
    await client.click("ev:later")
    assert client.step == "description"
    assert titles(await stored(database), "1.2") == []


# --- photos -----------------------------------------------------------------------------------


async def test_photos_are_named_by_caption_else_indicator_and_number(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client)
    await client.upload(JPEG + b"1" * 32, photo=True)
    await client.upload(JPEG + b"2" * 32, photo=True)
    file_id = client.files.add(JPEG + b"3" * 32)
    captioned = FileInfo(file_id, "photo", mime_type="image/jpeg", size=len(JPEG) + 32)
    await client.deliver(client.inbound(file=captioned, text="Ảnh lớp bồi dưỡng tháng 3"))
    numbered = FileInfo(client.files.add(JPEG + b"4" * 32), "photo", mime_type="image/jpeg")
    await client.deliver(client.inbound(file=numbered, text="4"))  # a number: not a name
    await client.upload(PDF, name="Biên bản họp.pdf")
    assert titles(await stored(database), "1.1") == [
        "Ảnh minh chứng 1.1 (1)",
        "Ảnh minh chứng 1.1 (2)",
        "Ảnh lớp bồi dưỡng tháng 3",
        "Ảnh minh chứng 1.1 (3)",
        "Biên bản họp.pdf",
    ]


async def test_a_removal_typed_at_the_description_is_done_not_described(
    client: BotClient, database: Database
) -> None:
    await _at_evidence(client, KH, QD)
    await client.send("xong")
    assert client.step == "description"
    await client.send("xóa minh chứng 2")
    assert client.last[0].text == say.evidence_removed(2, QD, "1.1")
    assert client.where[:2] == ("description", "1.1"), "the same question again"
    await client.send("Ban hành kế hoạch đầu năm")
    assert client.step == "strengths"
    await client.send("đổi tên minh chứng 1 thành Kế hoạch số 12/KH-UBND")
    assert client.step == "strengths"
    record = await stored(database)
    assert titles(record, "1.1") == ["Kế hoạch số 12/KH-UBND"]
    assert record.answers["1.1"].description == "Ban hành kế hoạch đầu năm"
