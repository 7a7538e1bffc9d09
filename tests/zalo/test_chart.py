"""The result's chart on Zalo (issue 16), over the real channel and the fake Zalo Bot API: the
photo follows the result, its URL a signed link to the PNG; a link that cannot be made leaves
the result as it is."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from conversations import catalogue as say
from reports.chart import WIDTH_PX
from tests.conversations.driver import BotClient, FakeFiles, onboard, walk
from tests.zalo.conftest import Builder, Links, Running
from tests.zalo.fake_zalo_api import FakeZaloApi
from tests.zalo.test_channel import LAN, Chat

MEMBERS = 42


async def answered_unit(running: Running) -> None:
    """A unit with every indicator answered, typed through the service the channel runs on (the
    same person: Zalo's user id)."""
    client = BotClient(running.app.service, LAN, files=FakeFiles(), channel="zalo")
    await onboard(client, members=MEMBERS)
    await walk(client, "huyen", "ubnd_xa", MEMBERS, {"2.4": "21"})


async def test_ketqua_is_followed_by_the_chart_as_a_linked_photo(
    api: FakeZaloApi, zalo: Builder
) -> None:
    async with zalo() as running:
        await answered_unit(running)
        since = api.mark()
        await Chat(api, running, LAN).say("/ketqua", "KẾT QUẢ")
        photo = await api.wait_for("sendPhoto", since=since)
        async with httpx.AsyncClient() as http:
            answer = await http.get(photo.params["photo"])
    assert photo.params["caption"] == say.CHART_CAPTION
    assert "/r/" in photo.params["photo"], "a signed link"
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(answer.content)).width == WIDTH_PX
    sends = [c for c in api.calls_of(since=since) if c.method in ("sendMessage", "sendPhoto")]
    assert [c.method for c in sends][-1] == "sendPhoto"
    assert "KẾT QUẢ" in sends[-2].text, "the photo right after the result"


async def test_no_link_no_photo_the_result_all_the_same(
    api: FakeZaloApi, zalo: Builder, links: Links
) -> None:
    async with zalo() as running:
        await answered_unit(running)
        links.fail = True
        since = api.mark()
        texts = await Chat(api, running, LAN).say("/ketqua", "KẾT QUẢ")
    assert api.calls_of("sendPhoto", since=since) == []
    assert not any(say.ZALO_REPORT_LINK_FAILED in t for t in texts)
