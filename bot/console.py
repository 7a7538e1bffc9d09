"""The console channel: the same service in a terminal (`dvht chat`).

Buttons are shown as numbered options, as on Zalo. With a terminal it prompts; with piped
input it reads one message per line, so a dialogue can be scripted. `/file PATH` uploads a
local file as evidence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from conversations.messages import FileInfo, Inbound, Outbound, numbered
from conversations.ports import Delivery

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic"}


class LocalFiles:
    """`FileSource` for the console: the file id is a local path."""

    async def fetch(self, file: FileInfo) -> bytes:
        return await asyncio.to_thread(Path(file.file_id).read_bytes)


def to_inbound(line: str, *, user: str, update: int) -> Inbound:
    text = line.rstrip("\n")
    if text.startswith("/file "):
        path = Path(text.removeprefix("/file ").strip()).expanduser()
        photo = path.suffix.lower() in PHOTO_SUFFIXES
        file = FileInfo(str(path), "photo" if photo else "document", file_name=path.name)
        return Inbound(
            "console", user, user, f"{time.time_ns()}-{update}", file=file, display_name=user
        )
    return Inbound(
        "console", user, user, f"{time.time_ns()}-{update}", text=text, display_name=user
    )


def render(messages: Sequence[Outbound], save_dir: Path | None = None) -> str:
    """Texts with numbered options; documents (the PDF report) are saved next to the data."""
    parts = []
    for message in messages:
        parts.append(numbered(message).text)
        if message.document is not None and save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
            target = save_dir / message.document.file_name
            target.write_bytes(message.document.data)
            parts.append(f"Đã lưu tệp: {target}")
    return "\n\n".join(parts) + "\n"


class ConsoleNotifier:
    """`Notifier` for the console: a push is written to the terminal like a reply."""

    def __init__(self, sink: TextIO, save_dir: Path | None = None) -> None:
        self.sink = sink
        self.save_dir = save_dir

    async def push(self, chat_id: str, messages: Sequence[Outbound]) -> Delivery:
        if messages:
            self.sink.write(render(messages, self.save_dir))
            self.sink.flush()
        return Delivery("sent")


async def chat(
    service: object, *, user: str, source: TextIO, sink: TextIO, save_dir: Path | None = None
) -> None:
    from conversations.service import ConversationService

    assert isinstance(service, ConversationService)
    interactive = source.isatty()
    if interactive:
        sink.write("dvht — gõ tin nhắn như trên Telegram (/start để bắt đầu, Ctrl+D để thoát).\n")
        sink.write("Gửi tệp minh chứng: /file đường/dẫn/tệp.pdf\n\n")
    update = 0
    while True:
        if interactive:
            sink.write("> ")
            sink.flush()
        line = await asyncio.to_thread(source.readline)
        if not line:
            break
        if not line.strip() and not interactive:
            continue
        update += 1
        replies = await service.handle(to_inbound(line, user=user, update=update))
        if replies:
            sink.write(render(replies, save_dir))
            sink.flush()
