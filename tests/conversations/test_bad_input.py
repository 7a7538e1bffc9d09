"""Whatever an official sends, the bot answers with one specific sentence and the same question,
and stores nothing it should not. Also: uploads, Unicode forms and repeated updates."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from conversations import catalogue as say
from storage.db import Database
from storage.tables import AnswerRevision, ConversationState, Evidence
from storage.uow import read
from tests.conversations.driver import (
    EXE,
    JPEG,
    PDF,
    BotClient,
    answer,
    onboard,
    saved_state,
    stored,
    titles,
    values,
    walk,
)

LONG = "Báo cáo kết quả học tập " * 417  # 10,008 characters
assert len(LONG) > 10_000


async def _counts(database: Database) -> tuple[int, int]:
    """(answer revisions, evidence rows): any write shows here."""

    def work(session: Session) -> tuple[int, int]:
        answers = session.exec(select(func.count()).select_from(AnswerRevision)).one()
        evidence = session.exec(select(func.count()).select_from(Evidence)).one()
        return int(answers), int(evidence)

    return await read(database, work)


async def _state_version(database: Database, user_id: str = "lan") -> int:
    def work(session: Session) -> int:
        row = session.exec(
            select(ConversationState).where(ConversationState.user_id == user_id)
        ).one()
        return row.version

    return await read(database, work)


def _stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "sha256").rglob("*") if p.is_file())


async def _refused(
    client: BotClient, database: Database, expected: str, send: str | None = None
) -> None:
    """Send `send` (already sent when None): one refusal, the same question, nothing stored."""
    question, before = client.where, await _counts(database)
    await client.send(send if send is not None else "")
    assert client.errors == [expected]
    assert len(client.last) == 2
    assert client.where == question
    assert await _counts(database) == before


async def _at_count(client: BotClient) -> None:
    await onboard(client, members=30)
    await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.4")


# --- at a number step ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31", say.above_total(31, 30, say.MEMBERS)),
        ("31/30", say.above_total(31, 30, say.MEMBERS)),
        ("-3", say.NEGATIVE),
        ("-1/30", say.NEGATIVE),
        ("hai mươi bảy", say.not_a_number(say.MEMBERS)),
        ("khoảng hai chục người", say.not_a_number(say.MEMBERS)),
        ("", say.EMPTY_MESSAGE),
        ("   \n\t ", say.EMPTY_MESSAGE),
        (LONG, say.not_a_number(say.MEMBERS)),
        ("7" * 10_000, say.not_a_number(say.MEMBERS)),
        ("😀😀😀", say.EMPTY_NUMBER),
        ("👍", say.EMPTY_NUMBER),
        ("27,5", say.NOT_WHOLE),
        ("27.5", say.NOT_WHOLE),
        ("120%", say.bad_percent("120")),
        ("27/31", say.wrong_denominator(31, 30, say.MEMBERS)),
        ("1000000000", say.not_a_number(say.MEMBERS)),
    ],
    ids=lambda value: value[:20] if isinstance(value, str) else value,
)
async def test_bad_count(client: BotClient, database: Database, typed: str, expected: str) -> None:
    await _at_count(client)
    await _refused(client, database, expected, typed)
    assert "2.4" not in values(await stored(database))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("có lẽ vậy", say.yes_no_expected(True)),
        ("27", say.out_of_range(27, 2, True)),
        ("😀", say.yes_no_expected(True)),
        (LONG, say.yes_no_expected(True)),
        ("", say.EMPTY_MESSAGE),
    ],
    ids=lambda value: value[:20] if isinstance(value, str) else value,
)
async def test_bad_yes_no(
    client: BotClient, database: Database, typed: str, expected: str
) -> None:
    await onboard(client)
    await _refused(client, database, expected, typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0", say.total_too_small(say.MEMBERS)),
        ("-5", say.total_too_small(say.MEMBERS)),
        ("ba mươi", say.total_not_a_number(say.MEMBERS)),
        ("30/30", say.total_not_a_number(say.MEMBERS)),
        ("2000000", say.total_too_large(say.MEMBERS)),
        (LONG, say.total_not_a_number(say.MEMBERS)),
        ("🙂", say.total_not_a_number(say.MEMBERS)),
    ],
    ids=lambda value: value[:20] if isinstance(value, str) else value,
)
async def test_bad_members_total_at_onboarding(
    client: BotClient, database: Database, typed: str, expected: str
) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã Quảng Phú")
    await client.send("Thành phố Huế")
    await client.click("ut:xa")
    await _refused(client, database, expected, typed)
    assert client.step == "ask_members"
    state = await saved_state(database, "lan")
    assert state["unit_id"] is None


# --- at a free-text step ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (LONG, say.too_long(len(" ".join(LONG.split())), 1000)),
        ("🙂🙂🙂", say.NO_LETTERS),
        ("…!!!", say.NO_LETTERS),
        ("", say.EMPTY_MESSAGE),
    ],
    ids=lambda value: value[:20] if isinstance(value, str) else value,
)
async def test_bad_evidence_reference(
    client: BotClient, database: Database, typed: str, expected: str
) -> None:
    await onboard(client)
    await client.click("v:y")
    await _refused(client, database, expected, typed)
    assert client.buttons == ["ev:later", "nav:back"]


async def test_a_too_long_reference_says_how_long(client: BotClient, database: Database) -> None:
    await onboard(client)
    await client.click("v:y")
    await _refused(
        client,
        database,
        "Nội dung quá dài (600 ký tự, tối đa 500); hãy rút gọn.",
        "Quyết định " + "x" * 589,
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (LONG, say.too_long(len(" ".join(LONG.split())), 1000)),
        ("UBND " + "x" * 300, say.too_long(305, 300)),
        ("🏫", say.NO_LETTERS),
    ],
    ids=lambda value: value[:20],
)
async def test_bad_unit_name(
    client: BotClient, database: Database, typed: str, expected: str
) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await _refused(client, database, expected, typed)
    assert client.step == "ask_name"


async def test_bad_description_then_a_good_one(client: BotClient, database: Database) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    await _refused(client, database, say.too_long(len(" ".join(LONG.split())), 1000), LONG)
    await _refused(client, database, say.NO_LETTERS, "😀")
    await client.send("Đã ban hành kế hoạch")
    assert client.last[0].text == say.DESCRIPTION_SAVED
    assert (await stored(database)).answers["1.1"].description == "Đã ban hành kế hoạch"


async def test_typing_done_before_any_evidence_is_not_a_reference(
    client: BotClient, database: Database
) -> None:
    """“xong” with nothing added yet is not the title of a document (it would count as evidence
    and let the indicator pass)."""
    await onboard(client)
    await client.click("v:y")
    await client.send("xong")
    assert titles(await stored(database), "1.1") == []


async def test_the_evidence_question_lists_the_reference_just_added(client: BotClient) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("Kế hoạch số 12/KH-UBND")
    assert client.last[0].text == say.evidence_added("Kế hoạch số 12/KH-UBND")
    assert "Minh chứng 1: Kế hoạch số 12/KH-UBND" in client.question_text


# --- not text -----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["value", "count", "evidence", "description", "ask_name"])
async def test_sticker(client: BotClient, database: Database, where: str) -> None:
    if where == "ask_name":
        await client.send("/start")
        await client.click("ob:new")
    else:
        await onboard(client)
        if where == "count":
            await walk(client, "huyen", "ubnd_xa", 30, stop_before="2.1")
        if where in ("evidence", "description"):
            await client.click("v:y")
        if where == "description":
            await client.click("ev:later")
    question, before = client.where, await _counts(database)
    await client.sticker()
    assert client.errors == [say.sticker(True)]
    assert client.where == question
    assert await _counts(database) == before


@pytest.mark.parametrize("data", [PDF, EXE], ids=["pdf", "exe"])
async def test_a_file_at_a_value_step_is_not_linked(
    client: BotClient, database: Database, data: bytes
) -> None:
    await onboard(client)
    question = client.where
    await client.upload(data, name="bao-cao.pdf")
    assert client.errors == [say.FILE_NOT_NOW]
    assert client.where == question
    assert await _counts(database) == (0, 0)


async def test_a_file_during_onboarding(client: BotClient, database: Database) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.upload(PDF, name="a.pdf")
    assert client.errors == [say.FILE_NOT_NOW]
    assert client.step == "ask_name"


async def test_a_disguised_file_is_refused_with_the_stores_reason(
    client: BotClient, database: Database, evidence_root: Path
) -> None:
    await onboard(client)
    await client.click("v:y")
    question = client.where
    await client.upload(EXE, name="bao-cao.pdf")
    assert client.errors == ["Tệp “bao-cao.pdf” không phải PDF thật: nội dung là tệp thực thi."]
    assert client.where == question
    assert await _counts(database) == (1, 0)
    assert not (evidence_root / "sha256").exists() or _stored_files(evidence_root) == []


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (EXE, "setup.exe", "là tệp thực thi, loại này không được nhận"),
        (b"", "trong.pdf", "trong.pdf"),
        (b"just some text", "ghi-chu.txt", "không thuộc loại được nhận"),
    ],
)
async def test_other_refused_files(
    client: BotClient, database: Database, data: bytes, name: str, reason: str
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.upload(data, name=name)
    assert len(client.errors) == 1
    assert reason in client.errors[0]
    assert client.step == "evidence"
    assert await _counts(database) == (1, 0)


async def test_an_accepted_pdf_is_stored_and_deduplicated(
    client: BotClient, database: Database, evidence_root: Path
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.upload(PDF, name="Kế hoạch 12.pdf")
    assert client.errors == []
    assert client.last[0].text == say.file_added("Kế hoạch 12.pdf", len(PDF))
    assert client.buttons == ["ev:later", "ev:done", client.buttons[2], "nav:back"]
    assert client.buttons[2].startswith("evx:")  # “Xóa minh chứng 1”
    await client.upload(PDF, name="Kế hoạch 12 (bản sao).pdf")  # the same bytes again
    assert client.errors == [say.file_already_there("Kế hoạch 12 (bản sao).pdf", "1.1")]
    assert client.step == "evidence"
    await client.click("ev:done")
    assert client.step == "description"

    record = await stored(database)
    files = record.evidence_for("1.1")
    digest = hashlib.sha256(PDF).hexdigest()
    assert [e.sha256 for e in files] == [digest]  # one evidence row, one file on disk
    assert {e.kind for e in files} == {"file"}
    assert files[0].mime_type == "application/pdf"
    assert files[0].size == len(PDF)
    assert files[0].original_name == "Kế hoạch 12.pdf"
    on_disk = _stored_files(evidence_root)
    assert len(on_disk) == 1
    assert on_disk[0].read_bytes() == PDF
    assert on_disk[0].name == digest


async def test_a_pdf_from_a_path_and_a_photo(
    client: BotClient, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(PDF + b"% another\n")
    await onboard(client)
    await client.click("v:y")
    await client.upload(path)
    await client.upload(JPEG, photo=True)
    assert client.last[0].text.startswith("Đã nhận tệp Ảnh minh chứng 1.1 (1) (")
    await client.click("ev:done")
    record = await stored(database)
    assert [(e.kind, e.title) for e in record.evidence_for("1.1")] == [
        ("file", "bien-ban.pdf"),
        ("photo", "Ảnh minh chứng 1.1 (1)"),
    ]
    assert record.evidence_for("1.1")[1].mime_type == "image/jpeg"


# --- Unicode forms ------------------------------------------------------------------------------


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


async def test_decomposed_vietnamese_works_like_composed(
    make_client: object, database: Database
) -> None:
    client: BotClient = make_client("lan", nfd("Nguyễn Thị Lan"))  # type: ignore[operator]
    assert nfd("đạt") != "đạt"
    await onboard(client, name=nfd("UBND xã Quảng Phú"), province=nfd("Thành phố Huế"))
    await client.send(nfd("đạt"))
    assert client.last[0].text == "Đã lưu 1.1: đạt."
    await client.send(nfd("Kế hoạch số 12"))
    await client.send(nfd("xong"))
    await client.click("ds:skip")
    await client.click("sw:skip")
    await client.send(nfd("chưa đạt"))
    assert client.last[0].text == "Đã lưu 1.2: chưa đạt."
    await client.send(nfd("quay lại"))  # “chưa đạt” asked no evidence: back to the answer
    assert client.step == "value"
    assert client.indicator == "1.2"
    await client.send(nfd("tiến độ"))
    assert "Tiến độ: đã trả lời 2/13" in client.text

    record = await stored(database)
    assert record.unit.name == "UBND xã Quảng Phú"
    assert record.unit.province == "Thành phố Huế"
    assert values(record) == {"1.1": {"met": True}, "1.2": {"met": False}}
    assert titles(record, "1.1") == ["Kế hoạch số 12"]
    assert record.answers["1.1"].answered_by_name == "Nguyễn Thị Lan"


# --- the same update twice ----------------------------------------------------------------------


async def test_the_same_update_twice_changes_nothing(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    first = await client.send("đạt", update_id="tg-1001")
    assert first
    counts, version = await _counts(database), await _state_version(database)

    assert await client.send("đạt", update_id="tg-1001") == []
    assert await client.send("chưa đạt", update_id="tg-1001") == []
    assert await client.click("ev:later", update_id="tg-1001") == []

    assert await _counts(database) == counts
    assert await _state_version(database) == version
    assert values(await stored(database)) == {"1.1": {"met": True}}


async def test_a_repeated_upload_is_linked_once(
    client: BotClient, database: Database, evidence_root: Path
) -> None:
    await onboard(client)
    await client.click("v:y")
    assert await client.upload(PDF, name="a.pdf", update_id="tg-2001")
    assert await client.upload(PDF, name="a.pdf", update_id="tg-2001") == []
    assert len((await stored(database)).evidence_for("1.1")) == 1
    assert len(_stored_files(evidence_root)) == 1


async def test_update_ids_are_per_channel(make_client: object, database: Database) -> None:
    telegram: BotClient = make_client("lan", "Lan", "telegram")  # type: ignore[operator]
    zalo: BotClient = make_client("lan-zalo", "Lan", "zalo")  # type: ignore[operator]
    assert await telegram.send("/start", update_id="42")
    assert await zalo.send("/start", update_id="42")


async def test_a_stale_state_retry_is_invisible(client: BotClient, database: Database) -> None:
    """Two messages of one user handled at once: both answered, neither lost."""
    import asyncio

    await onboard(client)
    await client.click("v:y")
    first, second = await asyncio.gather(
        client.service.handle(client.inbound(text="Kế hoạch A")),
        client.service.handle(client.inbound(text="Kế hoạch B")),
    )
    assert first
    assert second
    assert all(r.text != say.INTERNAL_ERROR for r in [*first, *second])
    assert sorted(titles(await stored(database), "1.1")) == ["Kế hoạch A", "Kế hoạch B"]


async def test_answer_after_bad_inputs_still_works(client: BotClient, database: Database) -> None:
    await _at_count(client)
    for bad in ["31", "-1", "abc", "", "😀"]:
        await client.send(bad)
    await client.sticker()
    await client.upload(PDF, name="a.pdf")
    await answer(client, "27")
    assert client.indicator == "2.5"
    assert values(await stored(database))["2.4"] == {"count": 27}


async def test_an_album_of_photos_is_one_evidence_item(
    client: BotClient, database: Database
) -> None:
    """Several photos sent together (a Telegram media group) become one evidence item."""
    from storage.tables import EvidenceFile

    await onboard(client)
    await client.click("v:y")
    first, second, third = (JPEG + bytes([n]) * 64 for n in (1, 2, 3))
    await client.upload(first, photo=True, album="album-1")
    assert client.last[0].text.startswith("Đã nhận tệp Ảnh minh chứng 1.1 (1) (")
    await client.upload(second, photo=True, album="album-1")
    assert client.last[0].text.startswith("Đã nhận thêm tệp ")
    await client.upload(third, photo=True, album="album-1")
    await client.upload(JPEG + b"solo" * 16, photo=True)  # a later, separate photo
    await client.click("ev:done")

    record = await stored(database)
    items = record.evidence_for("1.1")
    assert len(items) == 2

    def extra_files(session: Session) -> list[str]:
        rows = session.exec(select(EvidenceFile).order_by(EvidenceFile.id))  # type: ignore[arg-type]
        return [(row.evidence_id, row.sha256) for row in rows]  # type: ignore[misc]

    extras = await read(database, extra_files)
    assert [evidence_id for evidence_id, _ in extras] == [items[0].id, items[0].id]
    assert [sha for _, sha in extras] == [
        hashlib.sha256(second).hexdigest(),
        hashlib.sha256(third).hexdigest(),
    ]
