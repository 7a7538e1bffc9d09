"""Gaps that name people, to unit admins only (issue 16, item 3), and the privacy rule: the
names of a roster never appear in a report (PDF, DOCX, XLSX) nor in any reply to a member who
is not the unit's admin. A submitted dossier refuses a roster as it refuses any edit."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable

from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import Session

from conversations import catalogue as say
from storage.db import Database
from storage.uow import transaction
from tests.conversations.driver import BotClient, onboard, stored, values
from tests.roster_chat import sheets

# The names of the members not marked, in sheet order: 3.1 misses the last three, 2.4 the last
# ten (2.3 the last two).
MISSING_31 = list(sheets.NAMES[17:])
MISSING_24 = list(sheets.NAMES[10:])


async def _imported(client: BotClient) -> str:
    """Lan creates the unit and imports the roster; the invite code for a colleague."""
    code = await onboard(client, members=30)
    await client.send("/danhsach")
    await client.upload(sheets.filled(), name="ds.xlsx")
    await client.click("rs:yes")
    return code


def _no_names(text: str) -> None:
    folded = unicodedata.normalize("NFC", text)
    leaked = [n for n in sheets.NAMES if n in folded]
    assert not leaked, f"names leaked: {leaked}"
    assert "Xuyến" not in folded


async def test_the_admin_reads_who_is_missing_where_the_bot_says_what_is_needed(
    make_client: Callable[..., BotClient],
) -> None:
    lan = make_client()
    await _imported(lan)
    await lan.send("/ketqua")
    assert say.roster_names_gap(1, "3.1", 1, MISSING_31, 0) in lan.text  # the way to level 1
    await lan.send("cần gì để đạt mức 2")
    needed = lan.text
    assert say.roster_names_gap(2, "2.4", 4, MISSING_24, 0) in needed  # 70% of 20 is 14
    assert say.roster_names_gap(2, "2.3", 1, list(sheets.NAMES[18:]), 0) in needed
    assert say.roster_names_gap(2, "3.1", 2, MISSING_31, 0) in needed


async def test_names_are_capped_with_how_many_more(
    make_client: Callable[..., BotClient],
) -> None:
    lan = make_client()
    await onboard(lan, members=30)
    names = [f"Người Thử Số {i:02d}" for i in range(40)]
    marked = {"2.1": 40, "2.2": 40, "2.3": 40, "2.4": 5, "2.5": 40, "3.1": 40}
    await lan.send("/danhsach")
    await lan.upload(sheets.filled(sheets.rows(names, marked)), name="ds.xlsx")
    await lan.click("rs:yes")
    await lan.send("cần gì để đạt mức 1")
    shown = names[5 : 5 + say.ROSTER_NAMES_SHOWN]
    assert say.roster_names_gap(1, "2.4", 15, shown, 35 - len(shown)) in lan.text  # 50% of 40


async def test_a_member_never_sees_a_name(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    lan = make_client()
    code = await _imported(lan)
    minh = make_client("minh", "Minh")
    await minh.send(f"/start {code}")
    assert "Bạn đã tham gia đơn vị" in minh.text
    for asked in ("/ketqua", "cần gì để đạt mức 1", "cần gì để đạt mức 2", "tiến độ"):
        await minh.send(asked)
        assert "cần thêm" in minh.text or asked == "tiến độ"
    # A member may import (anyone who may answer); the problems that quote a name hide it.
    table = sheets.rows()
    table.append(list(table[0]))  # a duplicate of Quách Thị Xuyến A
    await minh.send("/danhsach")
    await minh.upload(sheets.filled(table), name="ds.xlsx")
    assert say.ROSTER_NAME_HIDDEN in minh.errors[0]
    await minh.click("rs:yes")
    assert "Đã ghi theo danh sách" in minh.text
    assert say.roster_short_gap("3.1", 1) in minh.text  # counts, not names
    for _, replies in minh.history:
        for reply in replies:
            _no_names(reply.text)
    assert values(await stored(database))["2.1"]["count"] == 20


async def test_no_report_carries_a_name(make_client: Callable[..., BotClient]) -> None:
    lan = make_client()
    await _imported(lan)
    await lan.send("/baocao")
    files = {
        r.document.file_name.rsplit(".", 1)[1]: r.document.data for r in lan.last if r.document
    }
    assert set(files) == {"pdf", "docx", "xlsx"}
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "2.4" in pdf  # the report is there, with the indicators' figures
    _no_names(pdf)
    for office in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(files[office])) as archive:
            xml = "".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
        assert "20" in xml
        _no_names(xml)


async def test_a_submitted_dossier_refuses_the_roster_with_the_locked_sentence(
    make_client: Callable[..., BotClient], database: Database
) -> None:
    lan = make_client()
    await onboard(lan, members=30)
    await lan.send("/danhsach")
    await lan.upload(sheets.filled(), name="ds.xlsx")  # staged, then the dossier is submitted

    def submit(session: Session) -> None:
        session.exec(text("UPDATE assessments SET status = 'submitted'"))  # type: ignore[call-overload]

    await transaction(database, submit)
    await lan.click("rs:yes")
    assert lan.errors == [say.dossier_locked("submitted", None, None)]
    asked = lan.last[-1].text
    assert asked.endswith(say.ROSTER_CONFIRM_QUESTION)  # the same question, as for any edit
    await lan.send("/danhsach")
    await lan.upload(sheets.filled(), name="ds.xlsx")
    assert lan.errors == [say.dossier_locked("submitted", None, None)]
    assert lan.last[-1].text == say.ROSTER_AWAIT
    assert values(await stored(database)) == {}
