"""Zalo events to inbound messages: the four event kinds, groups, other bots, and the small
differences between what the docs and the SDKs show (ids as numbers, `name` for the sender's
name, `photo_url`, unknown fields)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.zalo.mapping import Direct, to_inbound
from bot.zalo.models import Update, updates_of
from conversations import catalogue as say
from conversations.messages import FileInfo, Inbound
from tests.zalo.fake_zalo_api import FakeZaloApi

LAN = "5f1e2d3c4b5a6978"


@pytest.fixture(scope="module")
def fake() -> FakeZaloApi:
    return FakeZaloApi()  # only its event builders: the server is not started


def mapped(event: dict[str, Any]) -> Inbound | Direct | None:
    return to_inbound(Update.model_validate(event))


def test_text(fake: FakeZaloApi) -> None:
    event = fake.text_event(LAN, " /baocao", name="Nguyễn Thị Lan")
    inbound = mapped(event)
    assert inbound == Inbound(
        "zalo",
        LAN,
        LAN,
        event["message"]["message_id"],
        text="/baocao",
        display_name="Nguyễn Thị Lan",
        has_buttons=False,
        is_group=False,
    )


def test_photo_with_caption(fake: FakeZaloApi) -> None:
    inbound = mapped(fake.image_event(LAN, "https://f.zalo.me/p/abc.jpg", caption="Kế hoạch"))
    assert isinstance(inbound, Inbound)
    assert inbound.file == FileInfo("https://f.zalo.me/p/abc.jpg", "photo", mime_type=None)
    assert inbound.text == "Kế hoạch"


def test_sticker_unsupported_group(fake: FakeZaloApi) -> None:
    sticker = mapped(fake.sticker_event(LAN))
    assert isinstance(sticker, Inbound)
    assert sticker.sticker
    assert mapped(fake.unsupported_event(LAN)) == Direct(LAN, say.ZALO_UNSUPPORTED)
    group = mapped(fake.text_event(LAN, "/start", group="77aa"))
    assert group == Direct("77aa", say.ZALO_GROUP)


def test_tolerant_of_other_shapes() -> None:
    event = {
        "event_name": "message.image.received",
        "message": {
            "from": {"id": 123456789, "name": "Minh", "avatar": "x"},
            "chat": {"id": 123456789, "chat_type": "PRIVATE"},
            "message_id": "ab12",
            "date": 1765000000000,
            "photo_url": "https://f.zalo.me/p/1.jpg",
            "new_field": {"nested": True},
        },
    }
    inbound = mapped(event)
    assert isinstance(inbound, Inbound)
    assert (inbound.user_id, inbound.display_name) == ("123456789", "Minh")
    assert inbound.file is not None
    assert inbound.file.file_id == "https://f.zalo.me/p/1.jpg"


def test_a_bot_and_an_event_without_message_are_ignored() -> None:
    bot = {
        "event_name": "message.text.received",
        "message": {
            "from": {"id": "1", "is_bot": True},
            "chat": {"id": "1"},
            "message_id": "x",
            "text": "hi",
        },
    }
    assert mapped(bot) is None
    assert mapped({"event_name": "message.text.received"}) is None


def test_get_updates_result_shapes(fake: FakeZaloApi) -> None:
    one = fake.text_event(LAN, "1")
    assert len(updates_of(one)) == 1
    assert len(updates_of([one, fake.text_event(LAN, "2")])) == 2
    assert updates_of(None) == []
    assert updates_of([{"nonsense": 1}, one]) == updates_of([one]), "unreadable left out"
