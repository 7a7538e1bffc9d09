"""Channel-neutral messages: what the engine receives and what it answers.

Telegram shows buttons; Zalo has none and caps a message at 2,000 characters. The engine
always offers short button ids with labels, and a channel without buttons shows them as a
numbered list; typed replies ("1", "đạt") are understood either way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

from dvht_core.text_hygiene import visible_text, without_lone_surrogates

MAX_TEXT = 2000
"""The longest message any channel accepts (Zalo's limit, the lower of the two)."""

Channel = Literal["telegram", "zalo", "console"]
"""Where a message comes from and goes to (also the key of a stored conversation state)."""


@dataclass(frozen=True, slots=True)
class FileInfo:
    """An uploaded document or photo, as the channel describes it (bytes are fetched later)."""

    file_id: str
    kind: Literal["document", "photo"]
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    media_group_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    """An uploaded file after the evidence store accepted it."""

    sha256: str
    storage_key: str
    size: int
    mime_type: str
    original_name: str


@dataclass(frozen=True, slots=True)
class Inbound:
    channel: Channel
    user_id: str
    chat_id: str
    update_id: str
    text: str | None = None
    button: str | None = None
    file: FileInfo | None = None
    sticker: bool = False
    display_name: str | None = None
    is_group: bool = False
    stored: StoredEvidence | None = None
    """Set by the service once the file is in the evidence store."""
    file_error: str | None = None
    """Set by the service when the evidence store refused the file (Vietnamese reason)."""

    def normalised(self) -> Inbound:
        """User text in NFC, so “ã” typed on any keyboard compares and stores the same, with
        undecodable bytes (lone surrogates) as U+FFFD; the display name as it can be stored and
        shown, or None when nothing visible is left (a Telegram name of zero-width characters
        only), so the service names the person by their id instead of failing on it."""
        text = self.text
        if text is not None:
            text = unicodedata.normalize("NFC", without_lone_surrogates(text))
        name = self.display_name
        if name is not None:
            name = visible_text(without_lone_surrogates(name)) or None
        return replace(self, text=text, display_name=name)


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    """Short and ASCII: Telegram caps callback data at 64 bytes. Built and read only by
    `conversations.buttons`."""
    label: str
    navigation: bool = False
    """“Bỏ qua” and “Quay lại”: a channel may show them apart (Telegram puts them on one row)."""
    per_item: bool = False
    """A button for one listed item (“Xóa minh chứng 2”): Telegram shows one a row; a channel
    without buttons leaves it out of its numbered options (the items are listed by number in
    the text, and typed words such as “xóa minh chứng 2” act on them), so an option number
    never deletes anything."""


@dataclass(frozen=True, slots=True)
class Attachment:
    file_name: str
    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Outbound:
    text: str
    buttons: tuple[Button, ...] = ()
    document: Attachment | None = None
    kind: str = field(default="text")
    """What the message is (question, error, answer…), for adapters and tests."""


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split long text at paragraph, then line, then word boundaries, each part ≤ limit."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts or [""]


def fit(messages: list[Outbound], limit: int = MAX_TEXT) -> list[Outbound]:
    """Every message within the limit; the buttons stay on the last part of a split message."""
    fitted: list[Outbound] = []
    for message in messages:
        parts = split_text(message.text, limit)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            fitted.append(
                Outbound(
                    text=part,
                    buttons=message.buttons if last else (),
                    document=message.document if last else None,
                    kind=message.kind,
                )
            )
    return fitted


def numbered(message: Outbound) -> Outbound:
    """The same message for a channel without buttons: options as a numbered list."""
    options = [b for b in message.buttons if not b.per_item]
    if not options:
        return replace(message, buttons=()) if message.buttons else message
    lines = [f"{n}. {b.label}" for n, b in enumerate(options, start=1)]
    hint = "Trả lời bằng số thứ tự hoặc gõ nội dung lựa chọn."
    return replace(
        message, text=f"{message.text}\n\n" + "\n".join(lines) + f"\n{hint}", buttons=()
    )
