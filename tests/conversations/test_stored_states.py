"""Conversation states saved by earlier releases resume exactly where they stopped.

Each state below is written as those releases saved it (the draft a dict of ad-hoc keys, the
options lists, key order as their code wrote them); the official then carries on.
"""

from __future__ import annotations

from typing import Any

from conversations import catalogue as say
from conversations.ports import DialogueTx
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from tests.conversations.driver import BotClient, onboard, saved_state, stored, titles, values


async def overwrite(database: Database, user_id: str, state: dict[str, Any]) -> None:
    def work(tx: DialogueTx) -> None:
        _, _, version = tx.sender(channel="telegram", user_id=user_id, display_name=user_id)
        tx.save_state(channel="telegram", user_id=user_id, state=state, version=version)

    await SqlDialogueStore(database).run(work)


async def test_at_the_evidence_question_with_a_reference_added(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.send("Kế hoạch số 12/KH-UBND")
    before = await saved_state(database, "lan")
    await overwrite(
        database,
        "lan",
        {
            "step": "evidence",
            "unit_id": before["unit_id"],
            "year": before["year"],
            "indicator": "1.1",
            "draft": {
                "value": {"met": True},
                "indicator": "1.1",
                "evidence_added": 1,
                "evidence_titles": ["Kế hoạch số 12/KH-UBND"],
            },
            "options": [
                ["ev:done", "Xong"],
                ["ev:later", "Bổ sung sau"],
                ["nav:back", "Quay lại"],
            ],
            "visited": [],
            "skipped": [],
            "paused_step": None,
        },
    )
    await client.send("1")  # the first option stored with the state: “Xong”
    assert client.where[:2] == ("description", "1.1")
    await client.click("ds:skip")
    await client.click("sw:skip")
    assert client.where[:2] == ("value", "1.2")
    assert (await saved_state(database, "lan"))["visited"] == ["1.1"]
    record = await stored(database)
    assert values(record) == {"1.1": {"met": True}}
    assert titles(record, "1.1") == ["Kế hoạch số 12/KH-UBND"]


async def test_a_paused_onboarding_resumes_with_its_fields(
    make_client: Any, database: Database
) -> None:
    hoa = make_client("hoa", "Hoa")
    await overwrite(
        database,
        "hoa",
        {
            "step": "idle",
            "unit_id": None,
            "year": None,
            "indicator": None,
            "draft": {"onboarding": True, "name": "UBND xã Hòa Bình", "province": "Hà Nội"},
            "options": [],
            "visited": [],
            "skipped": [],
            "paused_step": "ask_type",
        },
    )
    await hoa.send("tiếp tục")
    assert hoa.step == "ask_type"
    await hoa.click("ut:xa")
    await hoa.send("42")
    assert "Đã tạo đơn vị UBND xã Hòa Bình" in hoa.text
    record = await stored(database)
    assert (record.unit.name, record.unit.province, record.members) == (
        "UBND xã Hòa Bình",
        "Hà Nội",
        42,
    )


async def test_a_step_this_release_no_longer_has_still_answers(
    client: BotClient, database: Database
) -> None:
    await onboard(client)
    await client.click("v:y")
    await client.click("ev:later")
    await client.click("ds:skip")
    before = await saved_state(database, "lan")
    old = {  # an early release's “pick_edit” step, showing the answered indicators
        **before,
        "step": "pick_edit",
        "draft": {},
        "options": [["e:1.1", "1.1 Kế hoạch học tập hằng năm"]],
    }
    await overwrite(database, "lan", old)
    await client.send("tiến độ")  # quick questions still work there
    assert "Tiến độ: đã trả lời 1/13 chỉ tiêu." in client.text
    await overwrite(database, "lan", old)
    await client.send("1")  # its button, typed by number
    assert client.where[:2] == ("value", "1.1")
    assert "Đã trả lời: đạt — Lan" in client.question_text
    await client.click("v:n")
    assert client.where[:2] == ("description", "1.1")
    assert client.errors == []
    assert say.STALE_BUTTON not in client.text
