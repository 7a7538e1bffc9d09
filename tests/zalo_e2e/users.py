"""The people in the end-to-end tests: a Zalo user (events queued for getUpdates, or pushed to
the webhook by the fake Zalo server) and a Telegram user (updates queued at the fake Bot API),
each sending one message and waiting for the bot's reply to it at their own fake server, plus
the walk through a UBND xã's 13 indicators by typed replies only, which works the same on both
channels (the dialogue reads a typed label or number as the tap of that option).

A user waits for what the bot visibly does (a sendMessage reaching the fake server), never for
its log lines; the bot handles one user's messages in order, so once a later reply arrives the
earlier messages are completely handled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from conversations import catalogue as say
from tests.telegram.fake_bot_api import Call as TelegramCall
from tests.telegram.fake_bot_api import FakeBotApi
from tests.zalo.fake_zalo_api import Call as ZaloCall
from tests.zalo.fake_zalo_api import FakeZaloApi
from tests.zalo_e2e.serve_process import ServeProcess

REPLY_S = 40.0
"""How long one reply may take on a loaded machine (a report renders in a few seconds)."""
QUESTION = re.compile(r"^(\d+\.\d+) · Tiêu chí \d+ · (\d+)/(\d+) — ", re.M)
XA_WALK = [f"1.{n}" for n in range(1, 6)] + [f"2.{n}" for n in range(1, 6)]
XA_WALK += ["3.1", "3.2", "3.3"]
"""The 13 indicators of a UBND xã, in the order the bot asks them."""
UNIT = "UBND xã Quảng Phú"
WELCOME = "Bạn muốn tạo đơn vị mới hay tham gia đơn vị bằng mã mời?"

Until = str | Callable[[str], Any]


def matcher(until: Until) -> Callable[[str], Any]:
    if isinstance(until, str):
        pattern = re.compile(until, re.M)
        return lambda text: pattern.search(text)
    return until


class User(Protocol):
    name: str

    async def say(self, text: str, until: Until, timeout: float = REPLY_S) -> list[str]: ...


class ZaloUser:
    """One Zalo user in a private chat with the bot."""

    def __init__(
        self,
        api: FakeZaloApi,
        bot: ServeProcess,
        user_id: str,
        name: str = "Lan",
        *,
        webhook: bool = False,
    ) -> None:
        self.api = api
        self.bot = bot
        self.user_id = user_id
        self.name = name
        self.webhook = webhook
        self.events: list[dict[str, Any]] = []

    async def deliver(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.webhook:
            status, body = await self.api.push(event)
            assert status == 200, (status, body)
        else:
            self.api.enqueue(event)

    async def wait(self, since: int, until: Until, timeout: float = REPLY_S) -> list[ZaloCall]:
        """What the bot sent to this chat from `since` up to the first message matching."""
        match = matcher(until)
        try:
            last = await self.api.wait_for(
                "sendMessage",
                lambda c: c.ok and c.chat_id == self.user_id and match(c.text),
                since=since,
                timeout=timeout,
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot output ---\n{self.bot.tail()}") from None
        return [c for c in self.api.sent(self.user_id, since=since) if c.index <= last.index]

    async def send(
        self, event: dict[str, Any], until: Until, timeout: float = REPLY_S
    ) -> list[ZaloCall]:
        since = self.api.mark()
        await self.deliver(event)
        return await self.wait(since, until, timeout)

    async def say(self, text: str, until: Until, timeout: float = REPLY_S) -> list[str]:
        event = self.api.text_event(self.user_id, text, name=self.name)
        return [c.text for c in await self.send(event, until, timeout)]


class TelegramUser:
    """One Telegram user in a private chat with the bot (long polling)."""

    def __init__(self, api: FakeBotApi, bot: ServeProcess, user_id: int, name: str) -> None:
        self.api = api
        self.bot = bot
        self.user_id = user_id
        self.name = name

    async def wait(self, since: int, until: Until, timeout: float = REPLY_S) -> list[TelegramCall]:
        match = matcher(until)
        try:
            last = await self.api.wait_for(
                "sendMessage",
                lambda c: c.ok and c.chat_id == self.user_id and match(c.text),
                since=since,
                timeout=timeout,
            )
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot output ---\n{self.bot.tail()}") from None
        return [c for c in self.api.sent(self.user_id, since=since) if c.index <= last.index]

    async def send_text(
        self, text: str, until: Until, timeout: float = REPLY_S
    ) -> list[TelegramCall]:
        since = self.api.mark()
        self.api.enqueue(self.api.text_update(self.user_id, text, first_name=self.name))
        return await self.wait(since, until, timeout)

    async def say(self, text: str, until: Until, timeout: float = REPLY_S) -> list[str]:
        return [c.text for c in await self.send_text(text, until, timeout)]


# --- the dialogue by typed replies ------------------------------------------------------------


async def onboard(user: User, unit: str = UNIT) -> str:
    """Create a UBND xã by typed replies; the first indicator question."""
    await user.say("/start", re.escape(WELCOME))
    await user.say("1", re.escape(say.ASK_NAME))
    await user.say(unit, re.escape(say.ASK_PROVINCE))
    await user.say("Thành phố Huế", re.escape(say.ASK_TYPE))
    await user.say("1", re.escape(say.ASK_MEMBERS))
    texts = await user.say("30", QUESTION.pattern)
    return texts[-1]


def evidence_question(indicator: str) -> str:
    return rf"^Minh chứng cho {re.escape(indicator)}:"


def description_question(indicator: str) -> str:
    return rf"^Mô tả ngắn hiện trạng của {re.escape(indicator)} "


def strengths_question(indicator: str) -> str:
    return rf"^Điểm mạnh và tồn tại của {re.escape(indicator)} "


def next_question_or_result(text: str) -> bool:
    return bool(QUESTION.search(text)) or "KẾT QUẢ" in text


def value_answer(question: str, step: int) -> str:
    """A typed answer to an indicator's first question: a number or a label, as officials
    answer (“1” or “đạt”; “29”, “29/30” or “30”; a title typed out in full)."""
    if "Gõ số người" in question:
        return ("29", "29/30", "30")[step % 3]
    if "danh hiệu thi đua tập thể nào?" in question:
        return "Tập thể lao động xuất sắc"
    assert "Đơn vị đã đạt chỉ tiêu này chưa?" in question, question
    return "1" if step % 2 else "đạt"


@dataclass
class Walk:
    asked: list[str] = field(default_factory=list)
    result: list[str] = field(default_factory=list)
    """The replies to the last answer: the end of the walk and the result."""


async def walk_with_evidence(user: User, question: str) -> Walk:
    """Every indicator met, each with a document named; along the way every kind of typed
    reply: numbers and labels, “bổ sung sau” then “quay lại” to add the evidence after all,
    “xong” and its number, a description and strengths typed, “bỏ qua” and “không”."""
    walk = Walk()
    while (head := QUESTION.search(question)) is not None:
        indicator, position, total = head[1], int(head[2]), int(head[3])
        walk.asked.append(indicator)
        step = len(walk.asked)
        assert (position, total) == (step, 13), question
        await user.say(value_answer(question, step), evidence_question(indicator))
        if step == 2:  # later, then back: the evidence is at hand after all
            await user.say("bổ sung sau", description_question(indicator))
            await user.say("quay lại", evidence_question(indicator))
        await user.say(f"Kế hoạch số {step}/KH-UBND năm 2026", "Minh chứng 1: Kế hoạch số")
        await user.say("xong" if step % 2 else "2", description_question(indicator))
        if step == 1:
            await user.say(
                "Đơn vị ban hành kế hoạch số 1/KH-UBND, tổ chức 4 lớp bồi dưỡng",
                strengths_question(indicator),
            )
        else:
            await user.say("bỏ qua", strengths_question(indicator))
        strengths = "Điểm mạnh: cán bộ tích cực; Tồn tại: ít tài liệu" if step == 1 else "không"
        walk.result = await user.say(strengths, next_question_or_result)
        question = walk.result[-1]
        assert step <= 13, walk.asked
    return walk


async def walk_without_evidence(user: User, question: str) -> Walk:
    """Every indicator answered, none with evidence yet (“bổ sung sau”): the result then lists
    each indicator as unmet and what each still needs, the bot's longest reply."""
    walk = Walk()
    while (head := QUESTION.search(question)) is not None:
        indicator = head[1]
        walk.asked.append(indicator)
        step = len(walk.asked)
        await user.say(value_answer(question, step), evidence_question(indicator))
        await user.say("bổ sung sau", description_question(indicator))
        await user.say("bỏ qua", strengths_question(indicator))
        walk.result = await user.say("bỏ qua", next_question_or_result)
        question = walk.result[-1]
        assert step <= 13, walk.asked
    return walk
