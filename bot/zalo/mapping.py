"""Zalo events to the conversation's neutral inbound messages.

Three kinds of event never reach the conversation service, and get one short reply instead:
a group chat (Bot Creator bots cannot really join groups yet, and the bot must never show one
member's answers to the others), an unsupported message (what a protected user's message, a
voice note or a file arrives as: there is nothing to read) and an event from another bot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.zalo.models import IMAGE, STICKER, TEXT, UNSUPPORTED, Update
from conversations import catalogue as say
from conversations.messages import FileInfo, Inbound


@dataclass(frozen=True)
class Direct:
    """A reply sent without the conversation service (nothing is stored)."""

    chat_id: str
    text: str


def _command(text: str | None) -> str | None:
    """Typed commands as the dialogue reads them: “ /baocao” → “/baocao”."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped if stripped.startswith("/") else text


def to_inbound(update: Update) -> Inbound | Direct | None:
    """The message for the service, a direct reply, or None (nothing to answer)."""
    message = update.message
    if message is None or message.sender.is_bot:
        return None
    chat_id = message.chat.id
    if message.chat.chat_type.upper() == "GROUP":
        return Direct(chat_id, say.ZALO_GROUP)
    if update.event_name == UNSUPPORTED:
        return Direct(chat_id, say.ZALO_UNSUPPORTED)
    user_id, update_id, name = message.sender.id, message.message_id, message.sender.display_name
    if update.event_name == IMAGE or (message.photo and update.event_name != STICKER):
        if not message.photo:
            return Direct(chat_id, say.ZALO_PHOTO_NOT_IMAGE)
        photo = FileInfo(message.photo, "photo", mime_type=None)
        caption = _command(message.caption)
        return Inbound(
            "zalo", user_id, chat_id, update_id, text=caption, file=photo, display_name=name
        )
    if update.event_name == STICKER:
        return Inbound("zalo", user_id, chat_id, update_id, sticker=True, display_name=name)
    if update.event_name == TEXT or message.text is not None:
        text = _command(message.text)
        return Inbound("zalo", user_id, chat_id, update_id, text=text, display_name=name)
    return Direct(chat_id, say.ZALO_UNSUPPORTED)  # an event name added after this was written
