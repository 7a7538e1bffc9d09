"""/hoso through the real path: `dvht serve` polling the fake Bot API, aiogram's dispatch, the
conversation service, `bot.dossier_desk` as `bot.wiring` builds it, and the ZIP uploaded from
disk as a multipart sendDocument. A unit below level 1 is told in one sentence that there is
nothing to request yet."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from conversations import catalogue as say
from conversations.records import Actor
from dvht_core import vietnam_time
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.evidence_store import LocalEvidenceStore
from storage.schemas import AnswerInput, EvidenceInput
from storage.uow import transaction
from tests import evidence_samples
from tests.conftest import full_answers
from tests.telegram.fake_bot_api import FakeBotApi, Upload
from tests.telegram.test_telegram_e2e import STARTUP_S, BotProcess, Chat, db_rows, onboard

OPERATOR = Actor.operator()


@pytest.fixture(scope="module")
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def serving(api: FakeBotApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """`dvht serve`, long polling the fake Bot API (as tests/telegram's e2e tests run it)."""
    bot = BotProcess(api, tmp_path_factory.mktemp("polling"))
    bot.start()
    try:
        api.wait_for_sync("getUpdates", timeout=STARTUP_S, alive=bot.alive)
        yield bot
    finally:
        bot.stop()


async def _reach_level_two(bot: BotProcess, unit_id: int) -> None:
    """Every indicator answered at level 2 with evidence, one of them a stored PDF."""
    stored = await LocalEvidenceStore(bot.data_dir / "evidence").put(
        evidence_samples.pdf(b"ke hoach e2e"), original_name="ke-hoach.pdf"
    )
    rulebook = load_rulebook(TT24_BY_TIER["huyen"])
    answers = full_answers(rulebook, "ubnd_xa", 30)
    year = vietnam_time.assessment_year(vietnam_time.today())
    repo = AssessmentRepository()

    def work(session: Session) -> None:
        assessment_id = repo.get_or_create(session, actor=OPERATOR, unit_id=unit_id, year=year)
        for indicator_id, value in answers.items():
            plain = {k: v for k, v in value.items() if k != "evidence"}
            repo.record_answer(
                session,
                actor=OPERATOR,
                assessment_id=assessment_id,
                answer=AnswerInput(indicator_id=indicator_id, value=plain),
            )
        repo.add_evidence(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            evidence=EvidenceInput(
                kind="file",
                title="Kế hoạch số 12/KH-UBND",
                indicator_ids=("1.1",),
                original_name=stored.original_name,
                mime_type=stored.mime_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.storage_key,
            ),
        )
        rest = tuple(i for i in answers if i != "1.1")
        repo.add_evidence(
            session,
            actor=OPERATOR,
            assessment_id=assessment_id,
            evidence=EvidenceInput(kind="reference", title="Lưu tại đơn vị", indicator_ids=rest),
        )

    database = Database(f"sqlite:///{bot.database}")
    try:
        await transaction(database, work)
    finally:
        await database.close()


async def test_hoso_sends_the_zip_through_the_bot(api: FakeBotApi, serving: BotProcess) -> None:
    chat = Chat(api, serving, 2_000_016, "Thu")
    await onboard(chat)  # the creator is the unit's admin
    await chat.say("/hoso", until=re.escape(say.DOSSIER_NOTHING_TO_REQUEST))
    units = db_rows(serving.database, "SELECT id FROM units ORDER BY id DESC LIMIT 1")
    await _reach_level_two(serving, units[0][0])
    since = api.mark()
    api.enqueue(api.text_update(chat.user_id, "tải hồ sơ", first_name="Thu"))
    sent = await api.wait_for("sendDocument", lambda c: c.chat_id == chat.user_id, since=since)
    assert sent.ok
    document = sent.params["document"]
    assert isinstance(document, Upload)
    assert re.fullmatch(r"ho-so_ubnd-xa-quang-phu_\d{4}\.zip", document.filename)
    archive = zipfile.ZipFile(io.BytesIO(document.data))
    assert archive.testzip() is None
    names = [n.rpartition("/")[2] for n in archive.namelist()]
    assert "01-to-trinh.pdf" in names
    assert "H1-1.1-01.pdf" in names
    assert "mức độ 2" in sent.params["caption"]
    serving.healthy()
