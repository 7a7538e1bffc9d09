"""`dvht serve` (`make run`) with DVHT_PUBLIC_URL: the dashboard is served on the backend beside
the Telegram channel (long polling against the fake Bot API), its cookies Secure because the
public address is https."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
from pathlib import Path

import httpx

from storage.db import Database
from tests.dashboard.conftest import Clock, seed
from tests.dashboard.test_web_command import DVHT, SECRET_KEY, _env, _free_port, _wait_up
from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_serve_startup import TOKEN, leaks
from web.dashboard import text


async def test_serve_with_a_public_url_serves_the_dashboard(
    tmp_path: Path, database: Database, database_url: str
) -> None:
    world = await seed(database, Clock(moment=dt.datetime.now(dt.UTC)))
    port = _free_port()
    log = tmp_path / "output.log"
    with FakeBotApi(token=TOKEN) as api, log.open("wb") as out:
        env = _env(tmp_path, database_url, port)
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=api.url,
            DVHT_PUBLIC_URL="https://dvht.example.test",
        )
        process = subprocess.Popen(
            [str(DVHT), "serve"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            await asyncio.to_thread(_wait_up, url, process, log)
            async with httpx.AsyncClient(base_url=url) as http:
                page = await http.get("/dangnhap")
                assert page.status_code == 200
                assert text.LOGIN_HOW in page.text
                token = await world.link(world.reviewer_id)
                login = await http.post(f"/dangnhap/{token}")
                assert login.status_code == 303
                assert "; secure" in login.headers["set-cookie"].lower()
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = await asyncio.to_thread(process.wait, 60)
    output = log.read_text()
    assert returncode == 0, output
    assert not leaks(output), output
    assert SECRET_KEY not in output
    assert "Traceback" not in output, output
