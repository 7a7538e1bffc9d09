"""A scripted user for the conversation service, in the style of aiogram-dialog's BotClient.

`BotClient` sends one `Inbound` per call to a real `ConversationService` (real database, real
evidence store) and keeps the replies: `client.last`, `client.last_question`, `client.buttons`,
`client.text`. `click()` fails the test when the button is not on screen, because a real user
can only press what the bot showed. Helpers go through onboarding and answer indicators.

Its fixtures (`client`, `make_client`, `service`, `make_service`…) are in this folder's
conftest.py; test modules import the helpers from here. Pytest does not rewrite the asserts of a
helper module, so the helpers' asserts carry their own messages.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from conversations import buttons
from conversations import catalogue as say
from conversations.messages import MAX_TEXT, FileInfo, Inbound, Outbound
from conversations.ports import ReportRenderer
from conversations.records import Actor, AssessmentRecord
from conversations.service import ConversationService
from dvht_core import vietnam_time
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from dvht_core.model import Indicator
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from storage.tables import ConversationState, Membership
from storage.uow import read
from tests import evidence_samples

VN = vietnam_time.ZONE
FIXED_NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=VN)
"""Assessment year 2025 (before 15/01 the bot would still be on the previous year)."""
YEAR = 2025
OPERATOR = Actor.operator()

# Minimal files the evidence store accepts (real structures) or refuses by content.
PDF = evidence_samples.pdf()
JPEG = evidence_samples.jpeg()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00"

# Text of the value question: "1.3 · Tiêu chí 1 · 3/13 — Kinh phí…".
_VALUE_HEAD = re.compile(r"^(\d+\.\d+) · Tiêu chí \d+ · (\d+)/(\d+) — ", re.M)
_EVIDENCE_HEAD = re.compile(r"^Minh chứng cho (\d+\.\d+):", re.M)
_DESCRIPTION_HEAD = re.compile(r"^Mô tả ngắn hiện trạng của (\d+\.\d+) ", re.M)
_LEARNERS_HEAD = re.compile(r"^(\d+\.\d+): bao nhiêu người học", re.M)
_STRENGTHS_HEAD = re.compile(r"^Điểm mạnh và tồn tại của (\d+\.\d+) ", re.M)
INVITE_CODE = re.compile(r"Mã mời đồng nghiệp: (\S+) \(")

_UPDATES = itertools.count(1)
"""Update ids are unique per channel across all users, as Telegram's are."""


def fixed_clock(moment: dt.datetime = FIXED_NOW) -> Callable[[], dt.datetime]:
    return lambda: moment


class FakeFiles:
    """`FileSource` for the tests: the file id names bytes registered beforehand."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.fetched: list[str] = []

    def add(self, data: bytes) -> str:
        file_id = f"file-{len(self.blobs) + 1:06d}"
        self.blobs[file_id] = data
        return file_id

    async def fetch(self, file: FileInfo) -> bytes:
        self.fetched.append(file.file_id)
        return self.blobs[file.file_id]


def build_service(
    database: Database,
    *,
    files: FakeFiles,
    evidence_root: Path,
    clock: Callable[[], dt.datetime] | None = None,
    reports: ReportRenderer | None = None,
) -> ConversationService:
    """The service as the bot wires it, on a test database and a local evidence directory."""
    return ConversationService(
        SqlDialogueStore(database),
        files=files,
        evidence=EvidenceFilesAdapter(LocalEvidenceStore(evidence_root)),
        reports=reports,
        clock=clock or fixed_clock(),
    )


@asynccontextmanager
async def scratch_client(
    sqlite_template: Path, display_name: str = "Người thử"
) -> AsyncIterator[tuple[BotClient, Database]]:
    """A client on its own copy of the migrated SQLite template, for property tests: each
    hypothesis example starts from an empty database (function fixtures are not reset between
    examples)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dvht.sqlite3"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite:///{path}")
        try:
            files = FakeFiles()
            service = build_service(database, files=files, evidence_root=Path(tmp) / "ev")
            yield BotClient(service, "u1", files=files, display_name=display_name), database
        finally:
            await database.close()


# --- the client -------------------------------------------------------------------------------


@dataclass
class BotClient:
    service: ConversationService
    user_id: str
    files: FakeFiles
    display_name: str | None = None
    channel: str = "telegram"
    last: list[Outbound] = field(default_factory=list)
    """The replies to the last call."""
    history: list[tuple[Inbound, list[Outbound]]] = field(default_factory=list)
    last_update_id: str = ""
    _screen: Outbound | None = None
    """The last question or message with buttons: what the user can press now."""
    _question: Outbound | None = None

    # -- sending --

    def inbound(self, *, update_id: str | None = None, **fields: Any) -> Inbound:
        update = update_id or f"u{next(_UPDATES)}"
        return Inbound(
            channel=self.channel,  # type: ignore[arg-type]
            user_id=self.user_id,
            chat_id=self.user_id,
            update_id=update,
            display_name=self.display_name,
            has_buttons=self.channel == "telegram",  # as bot/telegram/mapping.py says
            **fields,
        )

    async def deliver(self, inbound: Inbound) -> list[Outbound]:
        replies = await self.service.handle(inbound)
        self.last_update_id = inbound.update_id
        self.last = replies
        self.history.append((inbound, replies))
        for reply in replies:
            if reply.kind == "question":
                self._question = reply
            if reply.kind == "question" or reply.buttons:
                self._screen = reply  # a question without buttons leaves nothing to press
        check_replies(replies)
        return replies

    async def send(self, text: str, *, update_id: str | None = None) -> list[Outbound]:
        return await self.deliver(self.inbound(text=text, update_id=update_id))

    async def click(
        self, button_id: str, *, stale: bool = False, update_id: str | None = None
    ) -> list[Outbound]:
        """Press a button; unless `stale`, it must be on the last question or result shown."""
        if not stale and button_id not in self.buttons:
            pytest.fail(f"button {button_id!r} is not on screen; visible: {self.buttons}")
        return await self.deliver(self.inbound(button=button_id, update_id=update_id))

    async def upload(
        self,
        data: bytes | Path,
        *,
        name: str | None = None,
        photo: bool = False,
        update_id: str | None = None,
        album: str | None = None,
    ) -> list[Outbound]:
        if isinstance(data, Path):
            name = name or data.name
            data = data.read_bytes()
        file_id = self.files.add(data)
        info = FileInfo(
            file_id=file_id,
            kind="photo" if photo else "document",
            file_name=None if photo else (name or "tep.pdf"),
            mime_type="image/jpeg" if photo else None,
            size=len(data),
            media_group_id=album,
        )
        return await self.deliver(self.inbound(file=info, update_id=update_id))

    async def sticker(self) -> list[Outbound]:
        return await self.deliver(self.inbound(sticker=True))

    # -- what the bot said --

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)

    @property
    def last_question(self) -> Outbound | None:
        """The latest question the bot asked (it stays on screen until the next one)."""
        return self._question

    @property
    def question_text(self) -> str:
        return self._question.text if self._question else ""

    @property
    def buttons(self) -> list[str]:
        return [b.id for b in self._screen.buttons] if self._screen else []

    @property
    def errors(self) -> list[str]:
        return [reply.text for reply in self.last if reply.kind == "error"]

    def asked_now(self) -> Outbound | None:
        """The question in the last replies, if the last call asked one."""
        questions = [r for r in self.last if r.kind == "question"]
        return questions[-1] if questions else None

    @property
    def step(self) -> str:
        """Where the last question stands, read from its text only (black box)."""
        question = self.asked_now()
        if question is None:
            return "none"
        text = question.text
        if _VALUE_HEAD.search(text):
            return "value"
        if any(b.id == "pct:yes" for b in question.buttons):
            return "confirm_pct"
        if _EVIDENCE_HEAD.search(text):
            return "evidence"
        if _DESCRIPTION_HEAD.search(text):
            return "description"
        if _LEARNERS_HEAD.search(text):
            return "learners_value"
        if _STRENGTHS_HEAD.search(text):
            return "strengths"
        named = {
            say.ASK_LEARNERS: "ask_learners",
            say.ASK_MEMBERS: "ask_members",
            say.ASK_NAME: "ask_name",
            say.ASK_PROVINCE: "ask_province",
            say.ASK_TYPE: "ask_type",
            say.ASK_CODE: "ask_code",
            say.PICK_TO_EDIT: "pick_edit",
        }
        if text in named:
            return named[text]
        if any(b.id == "ob:new" for b in question.buttons):
            return "welcome"
        return "other"

    @property
    def indicator(self) -> str | None:
        """The indicator of the question the last call asked."""
        question = self.asked_now()
        if question is None:
            return None
        for pattern in (_EVIDENCE_HEAD, _DESCRIPTION_HEAD, _LEARNERS_HEAD, _STRENGTHS_HEAD):
            found = pattern.search(question.text)
            if found:
                return found.group(1)
        found = _VALUE_HEAD.search(question.text)
        if found:
            return found.group(1)
        return None

    @property
    def where(self) -> tuple[str, str | None, tuple[str, ...], str]:
        """The question just asked, ignoring lines that list what is stored (“Đã có: …”):
        step, indicator, buttons and first line."""
        question = self.asked_now()
        if question is None:
            return ("none", None, (), "")
        buttons = tuple(b.id for b in question.buttons)
        return (self.step, self.indicator, buttons, question.text.split("\n", 1)[0])

    @property
    def position(self) -> tuple[int, int] | None:
        question = self.asked_now()
        found = _VALUE_HEAD.search(question.text) if question else None
        return (int(found.group(2)), int(found.group(3))) if found else None

    @property
    def result_text(self) -> str:
        return "\n".join(r.text for r in self.last if r.kind == "result")


def check_replies(replies: list[Outbound]) -> None:
    """What every reply must be on every channel."""
    for reply in replies:
        assert reply.text.strip(), f"empty reply: {reply!r}"
        assert len(reply.text) <= MAX_TEXT, f"reply of {len(reply.text)} characters"
        for button in reply.buttons:
            assert len(button.id.encode()) <= 64, button


# --- onboarding and answering -------------------------------------------------------------------


async def onboard(
    client: BotClient,
    *,
    unit_type: str = "ut:xa",
    members: int = 30,
    name: str = "UBND xã Quảng Phú",
    province: str = "Thành phố Huế",
) -> str:
    """Create a unit through the buttons; returns the invite code shown to the admin."""
    await client.send("/start")
    await client.click("ob:new")
    assert client.step == "ask_name", client.text
    await client.send(name)
    assert client.step == "ask_province", client.text
    await client.send(province)
    assert client.step == "ask_type", client.text
    await client.click(unit_type)
    assert client.step == "ask_members", client.text
    await client.send(str(members))
    found = INVITE_CODE.search(client.text)
    assert found, client.text
    return found.group(1)


@dataclass(frozen=True)
class Reply:
    """How to answer one indicator: its value (a button id or typed text), then the rest."""

    value: str
    evidence: tuple[str, ...] | None = ("Kế hoạch số 12/KH-UBND",)
    """Typed references; None presses “Bổ sung sau”."""
    files: tuple[tuple[str, bytes], ...] = ()
    description: str | None = None
    strengths: str | None = None
    """Typed at the strengths-and-weaknesses question (“Điểm mạnh: …”); None presses “Không có”."""
    learners_total: str | None = None
    learners: str | None = None
    confirm: bool = False
    """Press “Đúng” when the count is a percentage that is not a whole number."""


async def answer(client: BotClient, reply: Reply | str) -> None:
    """Answer the value question on screen fully: value, evidence, description."""
    if isinstance(reply, str):
        reply = Reply(reply)
    assert client.step == "value", f"not at a value question:\n{client.text}"
    indicator = client.indicator
    if buttons.parse(reply.value) is not None:  # a button id, not typed text
        await client.click(reply.value)
    else:
        await client.send(reply.value)
    if client.step == "confirm_pct":
        assert reply.confirm, client.text
        await client.click("pct:yes")
    if client.step == "ask_learners":
        assert reply.learners_total is not None, client.text
        await client.send(reply.learners_total)
    if client.step == "learners_value":
        assert reply.learners is not None, client.text
        await client.send(reply.learners)
    if client.step == "evidence":
        assert client.indicator == indicator, client.text
        for name, data in reply.files:
            await client.upload(data, name=name)
            assert client.step == "evidence", client.text
        for title in reply.evidence or ():
            await client.send(title)
            assert client.step == "evidence", client.text
        if reply.evidence is None and not reply.files:
            await client.click("ev:later")
        else:
            await client.click("ev:done")
    assert client.step == "description", f"{indicator}: expected the description\n{client.text}"
    assert client.indicator == indicator, client.text
    if reply.description is None:
        await client.click("ds:skip")
    else:
        await client.send(reply.description)
    assert client.step == "strengths", f"{indicator}: expected strengths\n{client.text}"
    if reply.strengths is None:
        await client.click("sw:skip")
    else:
        await client.send(reply.strengths)


def default_reply(indicator: Indicator, members: int) -> Reply:
    """A level-2 answer for any kind of indicator."""
    if indicator.kind in ("yes_no", "accreditation"):
        return Reply("v:y")
    if indicator.kind == "emulation_title":
        return Reply("v:tap_the_lao_dong_xuat_sac")
    if indicator.kind == "digital_level":
        return Reply("v:tot")
    return Reply(str(members))


async def walk(
    client: BotClient,
    tier: str,
    unit_type: str,
    members: int,
    replies: Mapping[str, Reply | str] | None = None,
    *,
    stop_before: str | None = None,
) -> list[str]:
    """Answer every indicator the bot asks, in its order; returns the ids asked."""
    replies = replies or {}
    plan = {i.id: i for i in walk_of(tier, unit_type)}
    asked: list[str] = []
    while client.step == "value":
        indicator = client.indicator
        assert indicator is not None
        if indicator == stop_before:
            break
        assert indicator not in asked, f"{indicator} asked twice: {asked}"
        asked.append(indicator)
        await answer(client, replies.get(indicator) or default_reply(plan[indicator], members))
    return asked


def walk_of(tier: str, unit_type: str) -> tuple[Indicator, ...]:
    rulebook = load_rulebook(TT24_BY_TIER[tier])
    return tuple(i for _, applicable in rulebook.plan(unit_type).criteria for i in applicable)


# --- reading what was stored --------------------------------------------------------------------


async def unit_ids(database: Database) -> list[int]:
    def work(session: Session) -> list[int]:
        rows = session.exec(select(Membership.unit_id)).all()
        return sorted(set(rows))

    return await read(database, work)


async def stored(database: Database, unit_id: int | None = None) -> AssessmentRecord:
    """The unit's 2025 assessment as the repositories load it for the operator."""
    if unit_id is None:
        ids = await unit_ids(database)
        assert len(ids) == 1, ids
        unit_id = ids[0]

    def work(session: Session) -> AssessmentRecord | None:
        return AssessmentRepository().load(session, actor=OPERATOR, unit_id=unit_id, year=YEAR)

    record = await read(database, work)
    assert record is not None
    return record


async def saved_state(
    database: Database, user_id: str, channel: str = "telegram"
) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        found = session.exec(
            select(ConversationState.state).where(
                ConversationState.channel == channel, ConversationState.user_id == user_id
            )
        ).first()
        return {} if found is None else dict(found)

    return await read(database, work)


def values(record: AssessmentRecord) -> dict[str, dict[str, object]]:
    return {i: dict(a.value) for i, a in record.answers.items()}


def titles(record: AssessmentRecord, indicator_id: str) -> list[str]:
    return [e.title for e in record.evidence_for(indicator_id)]
