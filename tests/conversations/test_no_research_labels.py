"""What an official reads in the chat cites the law and never our research notes: no seed
numbers, reference file names, source ids of docs/sources.md or site names (the patterns are
in tests/research_labels.py). Checked on every indicator's answer for every unit type, on a
whole walk of every unit type the onboarding offers, and on random dialogues (hypothesis).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from conversations import catalogue as say
from conversations.messages import Outbound
from conversations.questions import UNIT_CHOICES
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from tests.conversations.driver import (
    PDF,
    BotClient,
    Reply,
    onboard,
    scratch_client,
    walk,
)
from tests.research_labels import assert_no_research_labels

RULEBOOKS = {tier: load_rulebook(rulebook_id) for tier, rulebook_id in TT24_BY_TIER.items()}
INDICATOR_IDS = sorted({i.id for r in RULEBOOKS.values() for i in r.indicators})
QUESTIONS = [
    *(f"chỉ tiêu {i} là gì" for i in INDICATOR_IDS),
    *(f"tiêu chí {c} gồm những gì" for c in ("1", "2", "3", "4")),
    "cần gì để đạt mức 1", "muc 2 can gi", "what do we need for level 2", "hạn nộp hồ sơ khi nào",
    "han nop ho so", "còn thiếu minh chứng gì", "tiến độ", "/huongdan", "/help", "/ketqua",
    "kết quả", "chỉ tiêu 9.9 là gì", "?", "/hoi",
    "còn bao nhiêu ngày", "nộp cho ai", "ai công nhận đơn vị học tập", "/donvi",
]  # fmt: skip
ANSWERS = [
    "đạt", "chưa đạt", "28", "27/30", "90%", "0", "bỏ qua", "quay lại", "xong", "bổ sung sau",
    "Kế hoạch số 12/KH-UBND", "Không mô tả", "tạm dừng", "tiếp tục", "/danhgia", "sửa 2.4",
    "/sua 3.3", "sửa", "/huy", "Đúng", "1", "2", "3",
]  # fmt: skip


def _shown(replies: list[Outbound]) -> str:
    """Everything a user sees of the replies: the text and every button's label."""
    parts = []
    for reply in replies:
        parts.append(reply.text)
        parts += [button.label for button in reply.buttons]
    return "\n".join(parts)


def _check_history(client: BotClient) -> None:
    for inbound, replies in client.history:
        assert_no_research_labels(_shown(replies), f"the reply to {inbound.text or inbound}")


@pytest.mark.parametrize("rulebook_id", ["tt24-huyen", "tt24-tinh"])
def test_indicator_answers_show_no_research_labels(rulebook_id: str) -> None:
    rulebook = load_rulebook(rulebook_id)
    unit_types = [u.id for u in load_unit_types().for_tier(rulebook.tier)]
    checked = 0
    for criterion in rulebook.criteria:
        for indicator in criterion.indicators:
            for unit_type in unit_types:
                shown = say.indicator_info(
                    indicator,
                    unit_type,
                    indicator.applies(unit_type),
                    (say.bar_text(indicator, 1, unit_type), say.bar_text(indicator, 2, unit_type)),
                    None,
                    indicator.source,
                )
                assert_no_research_labels(shown, f"{indicator.id} for {unit_type}")
                assert "Căn cứ: Thông tư 24/2023/TT-BGDĐT, Điều " in shown
                checked += 1
    assert checked > 20


def test_a_note_is_shown_only_to_the_unit_types_it_concerns() -> None:
    """1.3's note is about private schools and unfunded bodies: a UBND xã is public."""
    rulebook = RULEBOOKS["huyen"]
    indicator = rulebook.indicator("1.3")
    assert indicator is not None
    assert indicator.uncertainty_for("ubnd_xa") is None
    assert indicator.uncertainty_for("pho_thong")
    learners = rulebook.indicator("3.1")
    assert learners is not None
    assert learners.uncertainty_for("ubnd_xa") is None  # a commune has no learners
    assert learners.uncertainty_for("mam_non")
    title = rulebook.indicator("3.3")
    assert title is not None
    assert title.uncertainty_for("ubnd_xa")  # the level-2 bar concerns everyone
    notices = rulebook.plan("ubnd_xa").uncertain_notes
    assert [n.split(":")[0] for n in notices] == ["Chỉ tiêu 3.3"], notices


@pytest.mark.parametrize(
    ("choice", "tier", "unit_type"), [(c, t, u) for c, _, t, u in UNIT_CHOICES]
)
async def test_a_whole_walk_shows_no_research_labels(
    make_client: Callable[..., BotClient], choice: str, tier: str, unit_type: str
) -> None:
    client = make_client()
    await onboard(client, unit_type=f"ut:{choice}", members=30)
    quota = RULEBOOKS[tier].indicator("3.1")
    assert quota is not None
    replies = (
        {"3.1": Reply("28", learners_total="1200", learners="1150")}
        if quota.learners_apply(unit_type)
        else {}
    )
    asked = await walk(client, tier, unit_type, 30, replies)
    assert asked, client.text
    for question in QUESTIONS:
        await client.send(question)
    _check_history(client)


_actions = hs.lists(
    hs.one_of(
        hs.tuples(hs.just("text"), hs.sampled_from(QUESTIONS + ANSWERS)),
        hs.tuples(hs.just("visible"), hs.integers(0, 20)),
        hs.tuples(hs.just("visible"), hs.integers(0, 20)),
        hs.tuples(hs.just("file"), hs.none()),
    ),
    min_size=1,
    max_size=30,
)


async def _act(client: BotClient, kind: str, arg: Any) -> None:
    if kind == "visible" and client.buttons:
        await client.click(client.buttons[arg % len(client.buttons)])
    elif kind == "file":
        await client.upload(PDF, name="ke-hoach.pdf")
    else:
        await client.send(arg if kind == "text" else "1")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(choice=hs.sampled_from([c for c, *_ in UNIT_CHOICES]), script=_actions)
async def test_random_dialogues_show_no_research_labels(
    sqlite_template: Path, choice: str, script: list[tuple[str, Any]]
) -> None:
    """Whatever an official sends (quick questions, answers, buttons, files), in any order."""
    async with scratch_client(sqlite_template) as (client, _):
        await onboard(client, unit_type=f"ut:{choice}", members=30)
        for kind, arg in script:
            await _act(client, kind, arg)
        _check_history(client)
