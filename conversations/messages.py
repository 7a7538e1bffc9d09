"""Channel-neutral messages: what the engine receives and what it answers.

Telegram shows buttons; Zalo has none and caps a message at 2,000 characters. The engine
always offers short button ids with labels, and a channel without buttons shows them as a
numbered list; typed replies ("1", "đạt") are understood either way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from conversations import catalogue as say
from dvht_core.roster import Roster
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
    roster: Roster | None = None
    """Set by the service when the file (an XLSX) reads as the unit's member roster (issue 16):
    read before the transaction, as the evidence store's put is."""
    roster_error: str | None = None
    """Set by the service when the file was read as a roster and refused (one sentence)."""
    has_buttons: bool = False
    """The channel shows buttons (Telegram sets it); without them (the console, Zalo) options
    are a numbered list, and the bot's hints say “gõ số thứ tự” instead of “bấm nút”."""

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
    """“Bỏ qua” and “Quay lại”: a channel may show them apart (Telegram puts them on one row).
    A channel without buttons names them as words to type, never as numbers: on a count
    question a typed number is the count, and the other options keep their numbers from one
    question of a step to the next."""
    number: int | None = None
    """The number this option answers to in a numbered list, when it is not its place among
    the message's options: a “Ý bạn là …?” question lists some options of the question before
    under the numbers that question gave them (`numbering`)."""
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
    path: Path | None = None
    """A file too large to hold in memory (the dossier's ZIP): its bytes are at `path` and
    `data` is empty; the channels send it from disk (Telegram's FSInputFile, the links'
    streamed copy, the console's copy)."""


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


def numbering(buttons: tuple[Button, ...]) -> list[tuple[int | None, Button]]:
    """Each button with the number a channel without buttons shows for it: the options in
    order from 1 (or their own `number`), navigation and per-item buttons none.
    `conversations.buttons.option_numbers` reads a typed number back by the same rule."""
    out: list[tuple[int | None, Button]] = []
    place = 0
    for button in buttons:
        if button.navigation or button.per_item:
            out.append((None, button))
            continue
        place += 1
        out.append((button.number or place, button))
    return out


def numbered(message: Outbound) -> Outbound:
    """The same message for a channel without buttons: options as a numbered list, then how
    to answer; navigation (“bỏ qua”, “quay lại”) as words to type, never as numbers; per-item
    buttons left out (the items are numbered in the text itself)."""
    shown = tuple(b for b in message.buttons if not b.per_item)
    if not shown:
        return replace(message, buttons=()) if message.buttons else message
    listed = numbering(shown)
    lines = [f"{number}. {b.label}" for number, b in listed if number is not None]
    words = [b.label.lower() for number, b in listed if number is None]
    lines.append(say.how_to_answer(bool(lines), words))
    return replace(message, text=f"{message.text}\n\n" + "\n".join(lines), buttons=())
