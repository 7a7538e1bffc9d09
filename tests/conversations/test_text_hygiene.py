"""Invisible characters typed in the chat (bidirectional controls, zero-width characters, the
byte-order mark) never reach the database or the report; a name of nothing else is refused
with one sentence and the same question (issue 11, item 9)."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlmodel import Session, select

from conversations import catalogue as say
from conversations.service import ConversationService
from dvht_core.assessment import Assessment
from dvht_core.model import Rulebook
from dvht_core.text_hygiene import has_lone_surrogate, visible_text, without_lone_surrogates
from reports.renderer import ReportFiles
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from storage.tables import Person, Unit
from storage.uow import read
from tests.conversations.driver import (
    BotClient,
    FakeFiles,
    answer,
    fixed_clock,
    onboard,
    stored,
    titles,
)

# Every character the issue names: the bidirectional embeddings, overrides and isolates, the
# marks, the Arabic letter mark, and the zero-width space, joiners, word joiner and BOM.
INVISIBLE = (
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
)
NAME_TYPED = "UBND xã\u200b Quảng\u202e Phú\u2066\u200d"
NAME_SHOWN = "UBND xã Quảng Phú"


def _has_invisible(text: str) -> bool:
    return any(ch in text for ch in INVISIBLE)


class RecordingReports(ReportFiles):
    """The real renderer, keeping the report data it built (what the PDF is made from)."""

    def __init__(self) -> None:
        self.built: list[dict[str, Any]] = []

    def build(
        self, rulebook: Rulebook, assessment: Assessment, *, today: dt.date
    ) -> dict[str, Any]:
        data = super().build(rulebook, assessment, today=today)
        self.built.append(data)
        return data


async def _unit_rows(database: Database) -> list[tuple[str, str]]:
    def work(session: Session) -> list[tuple[str, str]]:
        return [(u.name, u.province) for u in session.exec(select(Unit)).all()]

    return await read(database, work)


async def test_a_unit_name_with_an_override_and_zero_width_spaces_is_stored_without_them(
    database: Database, fake_files: FakeFiles, evidence_root: Path
) -> None:
    reports = RecordingReports()
    service = ConversationService(
        SqlDialogueStore(database),
        files=fake_files,
        evidence=EvidenceFilesAdapter(LocalEvidenceStore(evidence_root)),
        reports=reports,
        clock=fixed_clock(),
    )
    client = BotClient(service, "lan", files=fake_files, display_name="Lan")
    await onboard(client, name=NAME_TYPED, province="\ufeffThành phố\u200f Huế")
    assert f"Đã tạo đơn vị {NAME_SHOWN}" in client.text
    assert await _unit_rows(database) == [(NAME_SHOWN, "Thành phố Huế")]

    await answer(client, "v:y")
    await client.send("/baocao")
    assert len(reports.built) == 1
    data = reports.built[0]
    assert data["unit"]["name"] == NAME_SHOWN
    assert not _has_invisible(json.dumps(data, ensure_ascii=False, default=str))
    pdf = next(r.document for r in client.last if r.document is not None)
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in pages))
    assert "QUẢNG PHÚ" in text.upper()
    assert not _has_invisible(text)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("\u202e\u200b\u200b", say.NAME_EMPTY),
        ("".join(INVISIBLE), say.NAME_EMPTY),
        ("\ufeff \u2060", say.NAME_EMPTY),
        ("UBND\udc80 xã A", say.BROKEN_CHARACTERS),  # a byte a terminal could not decode
    ],
    ids=["override-and-zwsp", "every-invisible", "bom-and-word-joiner", "lone-surrogate"],
)
async def test_a_name_of_invisible_characters_only_is_refused_and_asked_again(
    client: BotClient, database: Database, typed: str, expected: str
) -> None:
    await client.send("/start")
    await client.click("ob:new")
    question = client.last_question
    await client.send(typed)
    assert client.errors == [expected]
    assert client.step == "ask_name"
    assert client.asked_now() == question
    assert await _unit_rows(database) == []
    await client.send("UBND xã A")  # the same question still takes a real name
    assert client.step == "ask_province"


async def test_a_province_of_invisible_characters_only_is_refused(client: BotClient) -> None:
    await client.send("/start")
    await client.click("ob:new")
    await client.send("UBND xã A")
    await client.send("\u200b\u202d")
    assert client.errors == [say.PROVINCE_EMPTY]
    assert client.step == "ask_province"


async def test_evidence_titles_and_descriptions_lose_their_invisible_characters(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("\u2067Kế hoạch\u200b số 12/KH-UBND\u2069")
    assert client.last[0].text == say.evidence_added("Kế hoạch số 12/KH-UBND")
    await client.send("\u200b\u200c")  # nothing visible: refused, the question again
    assert client.errors == [say.INVISIBLE_ONLY]
    assert client.step == "evidence"
    await client.click("ev:done")
    await client.send("Đã ban\u00ad\u202e hành kế hoạch")  # a soft hyphen too (category Cf)
    record = await stored(database)
    assert titles(record, "1.1") == ["Kế hoạch số 12/KH-UBND"]
    assert record.answers["1.1"].description == "Đã ban hành kế hoạch"


async def test_a_display_name_of_invisible_characters_does_not_block_the_person(
    make_client: Any, database: Database
) -> None:
    """Telegram sends whatever name the person chose; zero-width only is a real trick to look
    nameless. The bot still answers, and stores a visible name (the person's id)."""
    client: BotClient = make_client("u42", name="\u200b\u2060")
    await client.send("/start")
    assert client.step == "welcome"
    assert "Người dùng u42" in client.text
    other: BotClient = make_client("u43", name="Tr\u200bần\u202e Lan")
    await other.send("/start")

    def names(session: Session) -> list[str]:
        return sorted(p.display_name for p in session.exec(select(Person)).all())

    assert await read(database, names) == ["Người dùng u42", "Trần Lan"]


def _visible_text_reference(text: str) -> str:
    """`visible_text` as first written, without its fast path for printable text."""
    text = unicodedata.normalize("NFC", text)
    kept = (
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in {"Cf", "Cc"}
    )
    return " ".join("".join(kept).split())


# Any character, surrogates included (hypothesis leaves them out by default), and the ones above.
ANY_TEXT = st.text(
    st.characters(exclude_categories=[]) | st.sampled_from([*INVISIBLE, "\udc80", "\u00a0"]),
    max_size=60,
)


@given(ANY_TEXT | st.sampled_from([NAME_TYPED, " Nguyễn  Thị\tLan ", "a\u0300"]))
def test_the_fast_path_of_visible_text_changes_nothing(text: str) -> None:
    assert visible_text(text) == _visible_text_reference(text)


@given(ANY_TEXT)
def test_the_encoder_finds_exactly_the_surrogates(text: str) -> None:
    assert has_lone_surrogate(text) == any("\ud800" <= ch <= "\udfff" for ch in text)


@given(ANY_TEXT)
def test_lone_surrogates_become_replacement_characters_and_nothing_else_changes(
    text: str,
) -> None:
    cleaned = without_lone_surrogates(text)
    assert not has_lone_surrogate(cleaned)
    if not has_lone_surrogate(text):
        assert cleaned == text
    assert without_lone_surrogates("a\udc80b\ud83d\ude00") == "a\ufffdb😀"
