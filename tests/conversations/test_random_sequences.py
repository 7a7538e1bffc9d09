"""Random conversations: whatever a user sends, in any order, the bot answers sensibly and the
stored dossier stays valid.

Each example runs on its own fresh SQLite copy (function-scoped fixtures are not reset between
hypothesis examples, so the database is built inside the test body).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlmodel import Session, select

from conversations import catalogue as say
from conversations import steps
from conversations.messages import Inbound
from conversations.records import AssessmentRecord
from conversations.state import State
from dvht_core.assessment import check_answer
from storage.db import Database
from storage.tables import ConversationState, Unit
from storage.uow import read
from tests.conversations.driver import (
    EXE,
    JPEG,
    PDF,
    BotClient,
    onboard,
    scratch_client,
    stored,
    walk_of,
)

STEPS = set(steps.STEPS)
BUTTONS = [
    "v:y", "v:n", "v:khong_co", "v:tap_the_lao_dong_tien_tien", "v:co_thi_dua_chinh_phu",
    "v:chua_dap_ung", "v:co_ban", "v:tot", "v:", "nav:skip", "nav:back", "ev:later", "ev:done",
    "ds:skip", "pct:yes", "pct:no", "ob:new", "ob:code", "ut:xa", "ut:thpt", "ut:zz", "e:1.1",
    "e:2.4", "e:3.4", "e:9.9", "e:", "q:report",
]  # fmt: skip
QUICK = [
    "tiến độ", "muc 2 can gi", "what do we need for level 2", "chỉ tiêu 2.4 là gì",
    "tiêu chí 2 gồm những gì", "hạn nộp hồ sơ khi nào", "còn thiếu minh chứng gì", "/help",
    "/ketqua", "/baocao", "cần gì để đạt mức 1", "?", "2.4?", "/hoi", "kết quả",
]  # fmt: skip
NAVIGATION = [
    "quay lại", "bỏ qua", "sửa", "sửa 2.4", "/sua 3.1", "/sua 9.9", "tạm dừng", "tiếp tục",
    "/huy", "hủy", "/danhgia", "/start", "/start ABCD-EFGH", "xong", "bổ sung sau", "đạt",
    "chưa đạt", "1", "2", "3", "Đúng", "Nhập lại", "Không mô tả",
]  # fmt: skip
FILES = [
    ("ke-hoach.pdf", PDF, False),
    ("bao-cao.pdf", EXE, False),
    (None, JPEG, True),
    ("trong.pdf", b"", False),
    ("ghi-chu.txt", b"ghi chu", False),
]
STARTS: list[tuple[str, int] | None] = [
    None,
    ("ut:xa", 30),
    ("ut:thpt", 31),
    ("ut:mn", 7),
    ("ut:dh", 1),
]

numbers = hs.integers(-100, 2_000).map(str)
fractions = hs.builds(lambda a, b: f"{a}/{b}", hs.integers(-5, 40), hs.integers(-1, 40))
percents = hs.builds(
    lambda p, tail: f"{p}{tail}%", hs.integers(-10, 150), hs.sampled_from(["", ",5", ".25"])
)
long_text = hs.builds(
    lambda ch, n: ch * n,
    hs.sampled_from(["a", "ư", "7", "😀", "Quyết định ", "\n"]),
    hs.integers(500, 12_000),
)
texts = hs.one_of(
    numbers,
    fractions,
    percents,
    hs.sampled_from(QUICK),
    hs.sampled_from(NAVIGATION),
    hs.text(max_size=60),
    hs.text(alphabet=hs.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=8),
    long_text,
)
messages = hs.lists(
    hs.one_of(
        hs.tuples(hs.just("visible"), hs.integers(0, 20)),
        hs.tuples(hs.just("visible"), hs.integers(0, 20)),
        hs.tuples(hs.just("button"), hs.sampled_from(BUTTONS) | hs.text(max_size=70)),
        hs.tuples(hs.just("text"), texts),
        hs.tuples(hs.just("text"), texts),
        hs.tuples(hs.just("sticker"), hs.none()),
        hs.tuples(hs.just("file"), hs.sampled_from(FILES)),
        hs.tuples(hs.just("repeat"), hs.none()),
    ),
    min_size=1,
    max_size=40,
)


async def _send(client: BotClient, kind: str, arg: Any, previous: Inbound | None) -> Inbound:
    """Send one random message; returns the inbound sent (for a later repeat)."""
    if kind == "repeat" and previous is not None:
        replies = await client.deliver(previous)
        assert replies == [], "a repeated update must change and send nothing"
        return previous
    if kind == "visible" and client.buttons:
        inbound = client.inbound(button=client.buttons[arg % len(client.buttons)])
    elif kind == "button":
        inbound = client.inbound(button=arg)
    elif kind == "sticker":
        inbound = client.inbound(sticker=True)
    elif kind == "file":
        name, data, photo = arg
        await client.upload(data, name=name, photo=photo)
        assert client.last, "an upload got no reply"
        return client.history[-1][0]
    else:
        inbound = client.inbound(text=arg if kind == "text" else "1")
    replies = await client.deliver(inbound)
    assert replies, f"no reply to {inbound!r}"
    return inbound


async def _check_consistency(database: Database) -> None:
    def load(session: Session) -> tuple[list[Unit], list[ConversationState]]:
        return list(session.exec(select(Unit)).all()), list(
            session.exec(select(ConversationState)).all()
        )

    units, states = await read(database, load)
    walks = {}
    for unit in units:
        assert unit.id is not None
        record: AssessmentRecord = await stored(database, unit.id)
        walk = {i.id: i for i in walk_of(unit.tier, unit.unit_type)}
        walks[unit.id] = walk
        for indicator_id, answer in record.answers.items():
            assert indicator_id in walk, f"{indicator_id} does not apply to {unit.unit_type}"
            check_answer(
                walk[indicator_id],
                dict(answer.value),
                members=record.members,
                learners=record.learners,
            )
        for evidence in record.evidence:
            assert set(evidence.indicator_ids) <= set(walk), evidence
            if evidence.kind != "reference":
                assert evidence.sha256, evidence
                assert evidence.storage_key, evidence
    for row in states:
        state = State.from_dict(row.state)
        assert state.step in STEPS, state
        assert state.paused_step is None or state.paused_step in STEPS, state
        if state.unit_id is not None and state.indicator is not None:
            assert state.indicator in walks[state.unit_id], state


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(start=hs.sampled_from(STARTS), script=messages)
async def test_random_conversations(
    sqlite_template: Path, start: tuple[str, int] | None, script: list[tuple[str, Any]]
) -> None:
    async with scratch_client(sqlite_template) as (client, database):
        if start is not None:
            await onboard(client, unit_type=start[0], members=start[1])
        previous: Inbound | None = None
        for kind, arg in script:
            previous = await _send(client, kind, arg, previous)
            for reply in client.last:
                assert reply.text not in (
                    say.INTERNAL_ERROR,
                    say.STORAGE_DOWN,
                    say.STORAGE_BUSY,
                    say.STORAGE_FULL,
                ), f"{kind} {arg!r:.80} broke the service"
        await _check_consistency(database)
