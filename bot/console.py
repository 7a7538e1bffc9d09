"""The console channel: the same service in a terminal (`dvht chat`).

Buttons are shown as numbered options, as on Zalo. With a terminal it prompts; with piped
input it reads one message per line, so a dialogue can be scripted. `/file PATH` uploads a
local file as evidence.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from conversations import catalogue as say
from conversations.messages import FileInfo, Inbound, Outbound, numbered
from conversations.ports import Delivery, EvidenceRefused
from dvht_core.text_hygiene import visible_text, without_lone_surrogates
from reports.file_names import unique_path

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic"}
FILE_COMMAND = "/file"
_READ_CHUNK = 1024 * 1024
# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever. It is
# refused by its type right after, and on a regular file the flag changes nothing.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class LocalFiles:
    """`FileSource` for the console: the file id is a local path.

    Only a regular file is read (a directory, a device such as /dev/zero, a FIFO or a socket is
    refused by its type, before anything is read from it), its size is checked against the
    upload limit before reading, and the read stops one byte past the limit, so a file that
    grows meanwhile cannot fill the memory. Every refusal is one sentence (`EvidenceRefused`):
    the dialogue shows it and asks the same question again.
    """

    def __init__(self, *, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes

    async def fetch(self, file: FileInfo) -> bytes:
        return await asyncio.to_thread(self.read, file.file_id)

    def read(self, raw_path: str) -> bytes:
        """The file's bytes, or EvidenceRefused with the reason for the user."""
        if not raw_path.strip():
            raise EvidenceRefused(say.LOCAL_FILE_NO_PATH)
        shown = visible_text(without_lone_surrogates(raw_path))  # printable in any terminal
        try:
            # stat first: a device is never even opened (opening one can have effects).
            self._check(os.stat(raw_path), shown)
            fd = os.open(raw_path, _OPEN_FLAGS)
        except OSError as failed:
            raise EvidenceRefused(_os_refusal(failed, shown)) from None
        except ValueError:  # a NUL byte in the path: no file can have that name
            raise EvidenceRefused(say.local_file_missing(shown)) from None
        try:
            self._check(os.fstat(fd), shown)  # what was opened, if the path changed meanwhile
            data = _read_at_most(fd, self.max_bytes + 1)
        except OSError as failed:
            raise EvidenceRefused(_os_refusal(failed, shown)) from None
        finally:
            os.close(fd)
        if len(data) > self.max_bytes:
            raise EvidenceRefused(say.local_file_too_large(shown, None, self.max_bytes))
        return data

    def _check(self, info: os.stat_result, shown: str) -> None:
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise EvidenceRefused(say.local_file_is_directory(shown))
        if stat.S_ISFIFO(mode):
            raise EvidenceRefused(say.local_file_is_fifo(shown))
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise EvidenceRefused(say.local_file_is_device(shown))
        if not stat.S_ISREG(mode):  # a socket, or a type this system adds
            raise EvidenceRefused(say.local_file_not_regular(shown))
        if info.st_size > self.max_bytes:
            raise EvidenceRefused(say.local_file_too_large(shown, info.st_size, self.max_bytes))


def _read_at_most(fd: int, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = os.read(fd, min(_READ_CHUNK, limit - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _os_refusal(failed: OSError, shown: str) -> str:
    if isinstance(failed, FileNotFoundError | NotADirectoryError):
        return say.local_file_missing(shown)
    if isinstance(failed, PermissionError):  # EACCES, EPERM
        return say.local_file_no_permission(shown)
    return say.local_file_unreadable(shown)


def to_inbound(line: str, *, user: str, update: int) -> Inbound:
    text = line.rstrip("\n")
    if text.strip() == FILE_COMMAND or text.startswith(FILE_COMMAND + " "):
        typed = text.removeprefix(FILE_COMMAND).strip()
        path = Path(typed).expanduser() if typed else None
        photo = path is not None and path.suffix.lower() in PHOTO_SUFFIXES
        file = FileInfo(
            str(path) if path else "",
            "photo" if photo else "document",
            file_name=path.name if path else None,
        )
        return Inbound(
            "console", user, user, f"{time.time_ns()}-{update}", file=file, display_name=user
        )
    return Inbound(
        "console", user, user, f"{time.time_ns()}-{update}", text=text, display_name=user
    )


def render(messages: Sequence[Outbound], save_dir: Path | None = None) -> str:
    """Texts with numbered options; documents (the PDF report) are saved next to the data.

    Only the last message with options is numbered: a typed number answers the last question
    (the dialogue keeps its options), so a “1. Báo cáo” under a result followed by a question
    would be a number that means something else."""
    last = max((i for i, m in enumerate(messages) if m.buttons), default=-1)
    parts = []
    for index, message in enumerate(messages):
        shown = message if index == last else replace(message, buttons=())
        parts.append(numbered(shown).text)
        if message.document is not None and save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
            target = unique_path(save_dir, message.document.file_name)  # never overwrite
            if message.document.path is not None:  # the dossier's ZIP: copied from disk
                shutil.copyfile(message.document.path, target)
            else:
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
    reconfigure = getattr(source, "reconfigure", None)
    if reconfigure is not None:
        # Bytes that are not UTF-8 become U+FFFD, which the dialogue refuses in a name with one
        # sentence; under a strict decoder they would end the chat with a traceback.
        reconfigure(errors="replace")
    interactive = source.isatty()
    if interactive:
        sink.write("dvht — gõ tin nhắn như trên Telegram (/start để bắt đầu, Ctrl+D để thoát).\n")
        sink.write("Gửi tệp minh chứng: /file đường/dẫn/tệp.pdf\n\n")
    offer = await service.resume_offer(channel="console", user_id=user)
    if offer:
        sink.write(render(offer, save_dir))
        sink.flush()
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
