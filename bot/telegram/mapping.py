"""Telegram updates to neutral inbound messages, and outbound messages to Bot API calls."""

from __future__ import annotations

from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from conversations.messages import Button, FileInfo, Inbound

MAX_CALLBACK_BYTES = 64  # Bot API limit on callback_data


def _command(text: str | None) -> str | None:
    """“/start@dvht_bot CODE” (groups address the bot by name) → “/start CODE”."""
    if not text or not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    head = head.split("@", 1)[0]
    return f"{head} {rest}".strip()


def from_message(message: Message, update_id: int) -> Inbound | None:
    user = message.from_user
    if user is None or user.is_bot:
        return None  # channel posts and other bots are not officials
    file: FileInfo | None = None
    if message.document is not None:
        document = message.document
        file = FileInfo(
            file_id=document.file_id,
            kind="document",
            file_name=document.file_name,
            mime_type=document.mime_type,
            size=document.file_size,
            media_group_id=message.media_group_id,
        )
    elif message.photo:
        largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        file = FileInfo(
            file_id=largest.file_id,
            kind="photo",
            file_name=None,
            mime_type="image/jpeg",
            size=largest.file_size,
            media_group_id=message.media_group_id,
        )
    return Inbound(
        channel="telegram",
        user_id=str(user.id),
        chat_id=str(message.chat.id),
        update_id=str(update_id),
        text=_command(message.text or message.caption),
        file=file,
        sticker=message.sticker is not None,
        display_name=user.full_name,
        is_group=message.chat.type != "private",
        has_buttons=True,
    )


def from_callback(callback: CallbackQuery, update_id: int) -> Inbound | None:
    message = callback.message
    if not isinstance(message, Message) or callback.data is None:
        return None  # an inaccessible (too old) message: nothing to answer
    return Inbound(
        channel="telegram",
        user_id=str(callback.from_user.id),
        chat_id=str(message.chat.id),
        update_id=str(update_id),
        button=callback.data,
        display_name=callback.from_user.full_name,
        is_group=message.chat.type != "private",
        has_buttons=True,
    )


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """One button a row (labels are long Vietnamese phrases); navigation shares one row."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    navigation: list[InlineKeyboardButton] = []
    for button in buttons:
        if len(button.id.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data too long: {button.id!r}")
        key = InlineKeyboardButton(text=button.label, callback_data=button.id)
        if button.navigation:
            navigation.append(key)
        else:
            rows.append([key])
    if navigation:
        rows.append(navigation)
    return InlineKeyboardMarkup(inline_keyboard=rows)
