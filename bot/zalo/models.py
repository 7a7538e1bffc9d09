"""The Zalo Bot API's objects as pydantic models, tolerant of fields added later.

The platform's docs and the SDKs measured against it disagree on small things (a sender's name
as `display_name` or `name`, ids as strings or numbers, the photo as `photo` or `photo_url`),
so every model ignores unknown fields, turns numbers into strings and accepts both spellings.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
UNSUPPORTED = "message.unsupported.received"


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, populate_by_name=True)


class From(_Tolerant):
    id: str
    display_name: str | None = Field(
        default=None, validation_alias=AliasChoices("display_name", "name")
    )
    is_bot: bool = False


class Chat(_Tolerant):
    id: str
    chat_type: str = "PRIVATE"


class Message(_Tolerant):
    message_id: str
    sender: From = Field(validation_alias=AliasChoices("from", "sender"))
    chat: Chat
    date: int | None = None
    """Milliseconds since the epoch."""
    text: str | None = None
    photo: str | None = Field(default=None, validation_alias=AliasChoices("photo", "photo_url"))
    caption: str | None = None
    sticker: str | None = None


class Update(_Tolerant):
    event_name: str
    message: Message | None = None


class WebhookInfo(_Tolerant):
    url: str = ""
    updated_at: int | None = None


def updates_of(result: Any) -> list[Update]:
    """getUpdates' result: one event (as the real service answers), a list of them, or null.
    An event this client cannot read (no message id, no sender) is left out rather than
    stopping the loop on it: logging it is the caller's business."""
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    updates: list[Update] = []
    for item in items:
        try:
            updates.append(Update.model_validate(item))
        except ValueError:
            continue
    return updates
