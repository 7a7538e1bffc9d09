"""The conversation service's one file source over the running channels' (`ChannelFiles`): a
channel's files go to that channel's source, the rest to the fallback (Telegram's opaque file
ids), and with no source at all the user is told the file did not arrive."""

from __future__ import annotations

import pytest

from bot.wiring import ChannelFiles
from conversations import catalogue as say
from conversations.messages import FileInfo
from conversations.ports import EvidenceRefused


class Source:
    def __init__(self, name: str) -> None:
        self.name = name
        self.asked: list[str] = []

    async def fetch(self, file: FileInfo) -> bytes:
        self.asked.append(file.file_id)
        return self.name.encode()


async def test_each_file_goes_to_its_channel() -> None:
    files = ChannelFiles()
    telegram, zalo = Source("telegram"), Source("zalo")
    files.add(telegram)
    files.add(zalo, owns=lambda f: f.file_id.startswith("https://"))
    photo = FileInfo("https://photo.zdn.vn/abc.jpg", "photo")
    document = FileInfo("BQACAgIAAxkBAAIB", "document")
    assert await files.fetch(photo) == b"zalo"
    assert await files.fetch(document) == b"telegram"
    assert (zalo.asked, telegram.asked) == ([photo.file_id], [document.file_id])


async def test_no_source_is_a_refusal_the_user_can_read() -> None:
    with pytest.raises(EvidenceRefused) as refused:
        await ChannelFiles().fetch(FileInfo("x", "photo"))
    assert refused.value.reason == say.FILE_NOT_RECEIVED
