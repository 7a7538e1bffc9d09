"""Telegram updates, parsed by aiogram as they arrive, mapped to neutral inbound messages; and
button lists mapped to inline keyboards."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.telegram.mapping import MAX_CALLBACK_BYTES, from_callback, from_message, keyboard
from conversations import buttons
from conversations.messages import Button, FileInfo, Inbound, Outbound, numbered
from tests.telegram.fake_bot_api import FakeBotApi

LAN = 1001


@pytest.fixture
def api() -> FakeBotApi:
    """Only the update builders are used here: no server is started."""
    return FakeBotApi()


def parse(update: dict[str, Any]) -> Update:
    return Update.model_validate(update)


def inbound(update: dict[str, Any]) -> Inbound | None:
    parsed = parse(update)
    assert parsed.message is not None
    return from_message(parsed.message, parsed.update_id)


def pressed(update: dict[str, Any]) -> Inbound | None:
    parsed = parse(update)
    assert parsed.callback_query is not None
    return from_callback(parsed.callback_query, parsed.update_id)


def bot_message(chat_id: int, buttons: list[str], message_id: int = 555) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "from": {"id": 123456, "is_bot": True, "first_name": "ĐVHT", "username": "dvht_bot"},
        "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
        "date": 1_763_600_000,
        "text": "Câu hỏi",
        "reply_markup": {
            "inline_keyboard": [[{"text": b, "callback_data": b}] for b in buttons],
        },
    }


def test_private_text(api: FakeBotApi) -> None:
    update = api.text_update(LAN, "UBND xã Quảng Phú", first_name="Lan", last_name="Nguyễn")
    got = inbound(update)
    assert got == Inbound(
        channel="telegram",
        user_id="1001",
        chat_id="1001",
        update_id=str(update["update_id"]),
        text="UBND xã Quảng Phú",
        file=None,
        sticker=False,
        display_name="Lan Nguyễn",
        is_group=False,
        has_buttons=True,  # Telegram shows buttons: hints may say “bấm nút”
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", "/start"),
        ("/start ABCD-EFGH", "/start ABCD-EFGH"),
        ("/start@dvht_bot ABCD-EFGH", "/start ABCD-EFGH"),
        ("/huongdan@dvht_bot", "/huongdan"),
        ("/sua@dvht_bot 2.4", "/sua 2.4"),
        ("/hoi cần gì để đạt mức 2", "/hoi cần gì để đạt mức 2"),
        ("30", "30"),
        ("email: lan@xa.gov.vn", "email: lan@xa.gov.vn"),
    ],
)
def test_commands_lose_the_bot_name(api: FakeBotApi, text: str, expected: str) -> None:
    got = inbound(api.text_update(LAN, text))
    assert got is not None
    assert got.text == expected


def test_document(api: FakeBotApi) -> None:
    update = api.document_update(
        LAN,
        file_id="BQACAgIAAxkBAAIBpdf",
        file_name="Kế hoạch 12-KH-UBND.pdf",
        mime_type="application/pdf",
        file_size=48_213,
    )
    got = inbound(update)
    assert got is not None
    assert got.text is None
    assert got.file == FileInfo(
        file_id="BQACAgIAAxkBAAIBpdf",
        kind="document",
        file_name="Kế hoạch 12-KH-UBND.pdf",
        mime_type="application/pdf",
        size=48_213,
        media_group_id=None,
    )


def test_document_caption_is_the_text(api: FakeBotApi) -> None:
    update = api.document_update(
        LAN,
        file_id="BQACAgIAAxkBAAIBcap",
        file_name="qd.pdf",
        mime_type="application/pdf",
        file_size=1000,
        caption="Quyết định số 5",
    )
    got = inbound(update)
    assert got is not None
    assert got.text == "Quyết định số 5"
    assert got.file is not None
    assert got.file.kind == "document"


def test_album_keeps_its_media_group(api: FakeBotApi) -> None:
    update = api.photo_update(LAN, [("AgACsmall", 90, 90, 1_000), ("AgACbig", 1280, 960, 90_000)])
    update["message"]["media_group_id"] = "13598765432101234"
    got = inbound(update)
    assert got is not None
    assert got.file is not None
    assert got.file.media_group_id == "13598765432101234"


def test_photo_takes_the_largest_size(api: FakeBotApi) -> None:
    update = api.photo_update(
        LAN,
        [
            ("AgACAgIAAxkBAAIBs", 90, 68, 1_210),
            ("AgACAgIAAxkBAAIBm", 320, 240, 15_880),
            ("AgACAgIAAxkBAAIBx", 1280, 960, 102_455),
            ("AgACAgIAAxkBAAIBl", 800, 600, 61_002),
        ],
    )
    got = inbound(update)
    assert got is not None
    assert got.file == FileInfo(
        file_id="AgACAgIAAxkBAAIBx",
        kind="photo",
        file_name=None,
        mime_type="image/jpeg",
        size=102_455,
        media_group_id=None,
    )


def test_photo_without_sizes_in_bytes_goes_by_dimensions(api: FakeBotApi) -> None:
    update = api.photo_update(LAN, [("AgACsmall", 90, 68, 0), ("AgACbig", 1280, 960, 0)])
    for size in update["message"]["photo"]:
        del size["file_size"]
    got = inbound(update)
    assert got is not None
    assert got.file is not None
    assert got.file.file_id == "AgACbig"
    assert got.file.size is None


def test_sticker(api: FakeBotApi) -> None:
    got = inbound(api.sticker_update(LAN))
    assert got is not None
    assert got.sticker is True
    assert got.text is None
    assert got.file is None


def test_group_message(api: FakeBotApi) -> None:
    update = api.group_update(LAN, "/huongdan@dvht_bot", group_id=-4_012_345_678)
    got = inbound(update)
    assert got is not None
    assert got.is_group is True
    assert got.chat_id == "-4012345678"
    assert got.user_id == "1001"
    assert got.text == "/huongdan"


def test_supergroup_is_a_group(api: FakeBotApi) -> None:
    update = api.group_update(LAN, "xin chào", group_id=-1_001_234_567_890)
    update["message"]["chat"]["type"] = "supergroup"
    got = inbound(update)
    assert got is not None
    assert got.is_group is True


def test_bot_users_are_ignored(api: FakeBotApi) -> None:
    update = api.text_update(LAN, "/start")
    update["message"]["from"]["is_bot"] = True
    assert inbound(update) is None


def test_channel_posts_are_ignored() -> None:
    update = {
        "update_id": 1,
        "channel_post": {
            "message_id": 7,
            "sender_chat": {"id": -1_009_999, "type": "channel", "title": "Tin xã"},
            "chat": {"id": -1_009_999, "type": "channel", "title": "Tin xã"},
            "date": 1_763_600_000,
            "text": "Thông báo",
        },
    }
    parsed = parse(update)
    assert parsed.channel_post is not None
    assert from_message(parsed.channel_post, parsed.update_id) is None


def test_callback(api: FakeBotApi) -> None:
    carrier = bot_message(LAN, ["v:y", "v:n", "nav:skip", "nav:back"])
    update = api.callback_update(LAN, "v:y", message=carrier, first_name="Lan")
    got = pressed(update)
    assert got == Inbound(
        channel="telegram",
        user_id="1001",
        chat_id="1001",
        update_id=str(update["update_id"]),
        button="v:y",
        display_name="Lan",
        is_group=False,
        has_buttons=True,
    )


def test_callback_on_an_inaccessible_message_is_ignored(api: FakeBotApi) -> None:
    # Telegram sends date 0 for a message the bot can no longer access.
    carrier = {"message_id": 555, "chat": {"id": LAN, "type": "private"}, "date": 0}
    parsed = parse(api.callback_update(LAN, "v:y", message=carrier))
    assert parsed.callback_query is not None
    assert not isinstance(parsed.callback_query.message, Message)
    assert from_callback(parsed.callback_query, parsed.update_id) is None


def test_callback_without_data_is_ignored(api: FakeBotApi) -> None:
    update = api.callback_update(LAN, "v:y", message=bot_message(LAN, ["v:y"]))
    del update["callback_query"]["data"]
    update["callback_query"]["game_short_name"] = "game"
    parsed = parse(update)
    assert isinstance(parsed.callback_query, CallbackQuery)
    assert from_callback(parsed.callback_query, parsed.update_id) is None


# --- keyboards ---------------------------------------------------------------------------------


def rows(markup: InlineKeyboardMarkup | None) -> list[list[str | None]]:
    assert markup is not None
    return [[b.callback_data for b in row] for row in markup.inline_keyboard]


def test_keyboard_one_button_a_row_and_navigation_together() -> None:
    markup = keyboard(
        (
            Button("v:y", "Đạt"),
            Button("v:n", "Chưa đạt"),
            buttons.SKIP,
            buttons.BACK,
        )
    )
    assert rows(markup) == [["v:y"], ["v:n"], ["nav:skip", "nav:back"]]
    assert markup is not None
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "Đạt",
        "Chưa đạt",
        "Bỏ qua",
        "Quay lại",
    ]


def test_navigation_row_comes_last_wherever_it_is_listed() -> None:
    markup = keyboard((buttons.BACK, Button("ds:skip", "Không mô tả")))
    assert rows(markup) == [["ds:skip"], ["nav:back"]]


def test_evidence_items_get_a_removal_button_each_on_its_own_row() -> None:
    """The evidence question with two items: “Bổ sung sau” and “Xong”, one “Xóa minh
    chứng N” per item (each carrying the item's id), then navigation; the console numbers
    only the first two."""
    question = Outbound(
        "Minh chứng cho 1.1: đã có 2 mục.",
        (
            buttons.EVIDENCE_LATER,
            buttons.EVIDENCE_DONE,
            buttons.remove_evidence(41, 1),
            buttons.remove_evidence(57, 2),
            buttons.BACK,
        ),
    )
    markup = keyboard(question.buttons)
    assert rows(markup) == [["ev:later"], ["ev:done"], ["evx:41"], ["evx:57"], ["nav:back"]]
    assert markup is not None
    assert [row[0].text for row in markup.inline_keyboard[2:4]] == [
        "Xóa minh chứng 1",
        "Xóa minh chứng 2",
    ]
    assert buttons.parse("evx:57") == buttons.Press("remove_evidence", "57")
    console = numbered(question).text.splitlines()
    assert console[-3:-1] == ["1. Bổ sung sau", "2. Xong"]  # a number never removes one


def test_no_buttons_no_keyboard() -> None:
    assert keyboard(()) is None


def test_keyboard_survives_the_wire() -> None:
    """What aiogram serialises is what Telegram reads back."""
    markup = keyboard((Button("ob:new", "Tạo đơn vị mới"), Button("ob:code", "Tôi có mã mời")))
    assert markup is not None
    dumped = markup.model_dump(exclude_none=True)
    assert dumped == {
        "inline_keyboard": [
            [{"text": "Tạo đơn vị mới", "callback_data": "ob:new"}],
            [{"text": "Tôi có mã mời", "callback_data": "ob:code"}],
        ]
    }


def test_callback_data_of_64_bytes_is_accepted() -> None:
    data = "e:" + "x" * (MAX_CALLBACK_BYTES - 2)
    assert rows(keyboard((Button(data, "Sửa"),))) == [[data]]


@pytest.mark.parametrize(
    "data",
    [
        "e:" + "x" * 63,  # 65 ASCII bytes
        "e:" + "ộ" * 21,  # 23 characters but 65 bytes in UTF-8
    ],
)
def test_callback_data_over_64_bytes_is_refused(data: str) -> None:
    assert len(data.encode()) > MAX_CALLBACK_BYTES
    with pytest.raises(ValueError, match="callback data too long"):
        keyboard((Button("v:y", "Đạt"), Button(data, "Quá dài")))
