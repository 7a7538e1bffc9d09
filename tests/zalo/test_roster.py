"""/danhsach on Zalo (issue 16): Zalo carries no documents, so the roster template arrives as a
signed link (`web.links`) under the instructions, and the link serves the real XLSX; as Zalo
brings the bot images only, the bot says where to send the filled file instead."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]

from conversations import catalogue as say
from reports.roster_xlsx import MEMBERS_SHEET
from tests.zalo.conftest import Builder
from tests.zalo.fake_zalo_api import FakeZaloApi
from tests.zalo.test_channel import LAN, Chat, create_unit


async def test_the_roster_template_arrives_as_a_link(api: FakeZaloApi, zalo: Builder) -> None:
    async with zalo() as running:
        chat = Chat(api, running, LAN)
        await create_unit(chat)
        texts = await chat.say("/danhsach", "Tải mẫu danh sách (Excel)")
        lines = [line for t in texts for line in t.splitlines()]
        link = next(line for line in lines if line.startswith("Tải mẫu danh sách (Excel): "))
        assert "hết hạn" in link
        assert say.ROSTER_TEMPLATE_CAPTION.splitlines()[0] in lines
        assert any(say.ROSTER_ZALO_RETURN in t for t in texts)  # Zalo brings no files back
        assert not any(say.ROSTER_AWAIT in t for t in texts)
        assert not any("Tải báo cáo" in line for line in lines)
        url = link.split(": ", 1)[1].split(" — ")[0]
        async with httpx.AsyncClient() as http:
            answer = await http.get(url)
        assert answer.status_code == 200
        book = load_workbook(io.BytesIO(answer.content))
        header = [c.value for c in book[MEMBERS_SHEET][3]]
        assert header[1] == "Họ và tên"
        assert len(header) == 3 + 6  # STT, name, position, then 2.1–2.5 and 3.1
