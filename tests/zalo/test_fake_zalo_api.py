"""The fake Zalo Bot API itself behaves as the real one is documented to (so the channel's
tests mean something): parameters by JSON, form or query string, GET or POST; the envelope of
errors; 408 on an idle poll; the 2,000-character limit; the webhook's secret header."""

from __future__ import annotations

import asyncio

import httpx
from aiohttp import web

from tests.zalo.fake_zalo_api import TOKEN, FakeZaloApi

LAN = "5f1e2d3c4b5a6978"


async def test_parameters_in_every_form(api: FakeZaloApi) -> None:
    base = f"{api.url}/bot{TOKEN}"
    async with httpx.AsyncClient() as http:
        by_query = await http.get(f"{base}/sendMessage", params={"chat_id": LAN, "text": "a"})
        by_form = await http.post(f"{base}/sendMessage", data={"chat_id": LAN, "text": "b"})
        by_json = await http.post(f"{base}/sendMessage", json={"chat_id": LAN, "text": "c"})
    for answer in (by_query, by_form, by_json):
        assert answer.status_code == 200
        result = answer.json()["result"]
        assert int(result["message_id"], 16) >= 0, "a hex message id"
        assert result["date"] > 10**12, "milliseconds"
    assert api.texts(LAN) == ["a", "b", "c"]


async def test_errors_in_the_envelope(api: FakeZaloApi) -> None:
    async with httpx.AsyncClient() as http:
        wrong = await http.post(f"{api.url}/bot1:wrong/getMe")
        unknown = await http.post(f"{api.url}/bot{TOKEN}/sendDocument")
        lower = await http.post(f"{api.url}/bot{TOKEN}/getme")
        long = await http.post(
            f"{api.url}/bot{TOKEN}/sendMessage", json={"chat_id": LAN, "text": "x" * 2001}
        )
        empty = await http.post(
            f"{api.url}/bot{TOKEN}/sendMessage", json={"chat_id": LAN, "text": ""}
        )
        idle = await http.post(f"{api.url}/bot{TOKEN}/getUpdates", json={"timeout": "1"})
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == lower.status_code == 404, "no sendDocument; case-sensitive"
    assert long.status_code == empty.status_code == 400
    assert idle.status_code == 408
    assert idle.json()["description"] == "Request timeout"


async def test_push_carries_the_secret_header(api: FakeZaloApi) -> None:
    seen: list[tuple[str | None, dict[str, object]]] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{api.url}/bot{TOKEN}/setWebhook",
                json={"url": url, "secret_token": "abcdefgh"},
            )
        assert answer.json()["result"]["url"] == url
        event = api.text_event(LAN, "xin chào")
        await api.push(event)
        await api.push(event, secret="wrong-one")
        await api.push(event, secret=None)
        await asyncio.sleep(0)
    finally:
        await runner.cleanup()
    assert [header for header, _ in seen] == ["abcdefgh", "wrong-one", None]
    assert seen[0][1] == {"ok": True, "result": event}
