"""Submitting the dossier in the chat (issue 15), through the real conversation service on a
real database: only the unit's admin submits, a complete assessment at level 1 or 2, after a
question that shows the level, the receiving office and what is missing; the office's
reviewers are told; the dossier then refuses every change, saying when and by whom, until the
office returns it; /dangnhap hands a dashboard login link to admins and reviewers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from conversations import catalogue as say
from conversations.records import Actor
from conversations.service import LOGIN_PATH, ConversationService
from storage import login_links
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.review_store import review_service
from storage.tables import ChannelIdentity, Office, Person, ReviewerScope
from storage.uow import read, transaction
from tests.conversations.driver import (
    FIXED_NOW,
    BotClient,
    FakeFiles,
    Reply,
    onboard,
    unit_ids,
    walk,
)

Clients = Callable[..., BotClient]


class Clock:
    def now(self) -> Any:
        return FIXED_NOW


async def _rows(database: Database, sql: str, **params: Any) -> list[dict[str, Any]]:
    def work(session: Session) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in session.execute(text(sql), params)]

    found: list[dict[str, Any]] = await read(database, work)
    return found


async def _office_with_reviewer(
    database: Database, unit_id: int, *, chat: bool = True
) -> tuple[int, str]:
    """The unit's receiving office, with one reviewer who has a Telegram chat (or none: they
    work on the dashboard only); their chat id."""

    def work(session: Session) -> tuple[int, str]:
        office = Office(name="Sở GD&ĐT Thành phố Huế", province="Thành phố Huế")
        person = Person(display_name="Chuyên viên Hà")
        session.add_all([office, person])
        session.flush()
        assert office.id is not None
        assert person.id is not None
        session.add(ReviewerScope(person_id=person.id, office_id=office.id))
        if chat:
            session.add(
                ChannelIdentity(person_id=person.id, channel="telegram", external_id="777")
            )
        session.execute(
            text("UPDATE units SET office_id = :o WHERE id = :u"), {"o": office.id, "u": unit_id}
        )
        return person.id, "777"

    result: tuple[int, str] = await transaction(database, work)
    return result


async def _finished_unit(client: BotClient, **replies: Reply | str) -> int:
    await onboard(client, unit_type="ut:xa", members=30)
    await walk(client, "huyen", "ubnd_xa", 30, dict(replies))
    [unit_id] = await unit_ids(_database(client))
    return unit_id


async def _step(database: Database, user_id: str) -> str:
    """The step stored for the user (the driver reads steps from question texts)."""
    [row] = await _rows(
        database, "SELECT state FROM conversation_states WHERE user_id = :u", u=user_id
    )
    state = row["state"]
    if isinstance(state, str):
        state = json.loads(state)
    return str(state["step"])


def _database(client: BotClient) -> Database:
    store = client.service.store
    assert isinstance(store, SqlDialogueStore)
    return store.database


async def test_the_admin_submits_after_confirming_and_the_reviewer_is_told(
    make_client: Clients, database: Database, service: ConversationService
) -> None:
    nudges: list[str] = []
    service.on_notice = lambda: nudges.append("nudge")  # the dispatcher's, when served
    lan = make_client("lan", "Lan")
    unit_id = await _finished_unit(lan)
    assert lan.buttons == ["q:report", "sb:go"]  # under the result: “Nộp hồ sơ”
    reviewer, chat = await _office_with_reviewer(database, unit_id)

    await lan.click("sb:go")
    assert await _step(database, "lan") == "confirm_submit"
    question = lan.question_text
    assert "đề nghị công nhận mức 2" in question
    assert "Sở GD&ĐT Thành phố Huế" in question
    assert lan.buttons == ["sb:yes", "sb:no"]
    await lan.click("sb:yes")

    assert say.submitted_ok(2025, 2, 1) in lan.text
    assert nudges == ["nudge"]  # after the commit, once
    assert await _step(database, "lan") == "idle"
    [row] = await _rows(database, "SELECT * FROM assessments WHERE unit_id = :u", u=unit_id)
    assert (row["status"], row["submitted_level"]) == ("submitted", 2)
    assert row["submitted_by"] is not None
    audit = await _rows(
        database,
        "SELECT details FROM audit_log WHERE action = 'assessment.status' ORDER BY id",
    )
    assert [str(a["details"]).count("submitted") for a in audit] == [0, 1]  # two steps
    [notice] = await _rows(
        database,
        "SELECT r.person_id, ci.external_id, n.text FROM reminders r "
        "JOIN notices n ON n.id = r.notice_id "
        "JOIN channel_identities ci ON ci.id = r.identity_id WHERE r.kind = 'notice'",
    )
    assert (notice["person_id"], notice["external_id"]) == (reviewer, chat)
    assert "UBND xã Quảng Phú" in notice["text"]
    assert "mức 2" in notice["text"]
    assert "Lan" in notice["text"]


async def test_an_office_whose_reviewers_have_no_chat_sees_it_on_the_dashboard(
    make_client: Clients, database: Database
) -> None:
    """A reviewer added with `dvht reviewer add` may never write to the bot: the admin is told
    the dossier is on the dashboard, not to send it on paper as when the office has nobody."""
    lan = make_client("lan-web", "Lan")
    unit_id = await _finished_unit(lan)
    await _office_with_reviewer(database, unit_id, chat=False)
    await lan.click("sb:go")
    await lan.click("sb:yes")
    assert say.submitted_ok(2025, 2, 0, 1) in lan.text
    assert "trên trang quản lý" in lan.text
    assert "theo cách thường lệ" not in lan.text


async def test_typed_words_work_without_buttons_and_no_cancels(
    make_client: Clients, database: Database
) -> None:
    lan = make_client("lan", "Lan")
    await _finished_unit(lan)
    await lan.send("nộp hồ sơ")
    assert await _step(database, "lan") == "confirm_submit"
    await lan.send("không")
    assert say.SUBMIT_CANCELLED in lan.text
    assert await _step(database, "lan") == "idle"
    await lan.send("/nop")
    await lan.send("có lẽ")  # neither yes nor no: one sentence and the same question
    assert say.SUBMIT_YES_OR_NO in lan.text
    assert await _step(database, "lan") == "confirm_submit"
    await lan.send("2")  # the options' numbers: 2 is “Không”
    assert say.SUBMIT_CANCELLED in lan.text
    await lan.send("/nop")
    await lan.send("1")  # 1 is “Có”
    assert "Đã nộp hồ sơ năm 2025" in lan.text
    [row] = await _rows(database, "SELECT status FROM assessments")
    assert row["status"] == "submitted"


async def test_a_member_is_told_who_can_submit(make_client: Clients, database: Database) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan, unit_type="ut:xa", members=30)
    await walk(lan, "huyen", "ubnd_xa", 30)
    await minh.send(f"/start {code}")
    await minh.send("/ketqua")
    assert "sb:go" not in minh.buttons  # only the admin sees the button

    await minh.send("/nop")

    assert minh.errors == [say.submit_admins_only(["Lan"])]
    [row] = await _rows(database, "SELECT status FROM assessments")
    assert row["status"] == "draft"


async def test_an_incomplete_assessment_says_how_many_are_unanswered(
    make_client: Clients, database: Database
) -> None:
    lan = make_client("lan", "Lan")
    await onboard(lan, unit_type="ut:xa", members=30)
    await walk(lan, "huyen", "ubnd_xa", 30, stop_before="1.3")
    asked = lan.question_text

    await lan.send("/nop")

    assert lan.errors == [say.submit_unanswered(11)]
    assert lan.question_text == asked  # the same question again
    [row] = await _rows(database, "SELECT status FROM assessments")
    assert row["status"] == "draft"


async def test_a_unit_below_level_one_cannot_submit(
    make_client: Clients, database: Database
) -> None:
    lan = make_client("lan", "Lan")
    await _finished_unit(lan, **{"1.1": Reply("v:n", evidence=None)})
    assert lan.buttons == ["q:report"]  # no “Nộp hồ sơ” below level 1

    await lan.send("/nop")

    assert lan.errors == [say.SUBMIT_BELOW_LEVEL_1]


async def test_after_submission_changes_are_refused_until_the_office_returns_it(
    make_client: Clients, database: Database
) -> None:
    lan, minh = make_client("lan", "Lan"), make_client("minh", "Minh")
    code = await onboard(lan, unit_type="ut:xa", members=30)
    await walk(lan, "huyen", "ubnd_xa", 30)
    await minh.send(f"/start {code}")
    [unit_id] = await unit_ids(database)
    reviewer, _ = await _office_with_reviewer(database, unit_id)
    await lan.send("/nop")
    await lan.send("có")

    await minh.send("/sua 2.4")
    assert minh.step == "value"
    await minh.send("25")
    locked = "Hồ sơ đã nộp ngày 20/11/2025 bởi Lan; không sửa được nữa."
    assert any(e.startswith(locked) for e in minh.errors), minh.text
    assert minh.step == "value"  # the same question again, nothing stored
    assert "Traceback" not in minh.text
    await lan.send("/nop")  # a second submission: already submitted, when and by whom
    assert lan.errors[0].startswith("Hồ sơ đã nộp ngày 20/11/2025 bởi Lan; đang chờ thẩm định")
    counts = await _rows(
        database, "SELECT indicator_id FROM answer_revisions WHERE indicator_id = '2.4'"
    )
    assert len(counts) == 1

    service = review_service(database, clock=Clock())
    await service.return_dossier(
        Actor.person(reviewer), unit_id=unit_id, year=2025, reason="Thiếu minh chứng 2.4"
    )
    await minh.send("/sua 2.4")
    await minh.send("30")
    assert minh.step == "evidence", minh.text  # editable again
    await lan.send("/nop")
    await lan.send("có")
    assert "Đã nộp hồ sơ năm 2025" in lan.text
    [row] = await _rows(database, "SELECT status, return_reason FROM assessments")
    assert (row["status"], row["return_reason"]) == ("submitted", None)


async def test_dangnhap_gives_admins_and_reviewers_a_link_and_others_a_sentence(
    database: Database, fake_files: FakeFiles, tmp_path: Path
) -> None:
    from storage.evidence_files import EvidenceFilesAdapter
    from storage.evidence_store import LocalEvidenceStore

    def service(url: str | None) -> ConversationService:
        return ConversationService(
            SqlDialogueStore(database),
            files=fake_files,
            evidence=EvidenceFilesAdapter(LocalEvidenceStore(tmp_path / "ev")),
            clock=lambda: FIXED_NOW,
            dashboard_url=url,
        )

    site = service("https://dvht.example.vn/")
    lan = BotClient(site, "lan", files=fake_files, display_name="Lan")
    minh = BotClient(site, "minh", files=fake_files, display_name="Minh")
    code = await onboard(lan, unit_type="ut:xa", members=30)
    await minh.send(f"/start {code}")

    await lan.send("/dangnhap")
    found = re.search(r"https://dvht\.example\.vn/dangnhap/(\S+)", lan.text)
    assert found, lan.text
    assert LOGIN_PATH == login_links.LOGIN_PATH

    token = found.group(1)

    def use(session: Session, minutes: int = 1) -> tuple[str, int | None]:
        later = FIXED_NOW + dt.timedelta(minutes=minutes)
        return login_links.consume(session, token, now=later)

    assert (await transaction(database, lambda s: use(s, 16)))[0] == "expired"
    outcome, person = await transaction(database, use)
    assert outcome == "ok"
    assert person is not None
    assert (await transaction(database, use))[0] == "used"  # single use

    await minh.send("đăng nhập")
    assert minh.last[0].text == say.LOGIN_NOT_ALLOWED
    bare = BotClient(service(None), "lan", files=fake_files, display_name="Lan")
    await bare.send("/dangnhap")
    assert bare.last[0].text == say.LOGIN_NOT_SET_UP
