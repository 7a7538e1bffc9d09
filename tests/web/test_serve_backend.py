"""`dvht serve` as a process: Telegram by long polling with the HTTP backend beside it (a
public URL is configured), in one process. The backend answers /healthz and counts the polled
updates in /metrics; SIGTERM stops both cleanly (exit status 0) and no token or secret
reached the output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.telegram.fake_bot_api import FakeBotApi
from tests.telegram.test_serve_startup import TOKEN, leaks
from tests.telegram.test_telegram_e2e import free_port

DVHT = Path(sys.executable).parent / "dvht"
STARTUP_S = 120.0
SECRET_KEY = "k7Qw2Zr9Lm4Xp8Vn3Bt6Yh1Jd5Fs0GcA"
WELCOME = "Bạn muốn tạo đơn vị mới hay tham gia đơn vị bằng mã mời?"


def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_S
    while True:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            return httpx.get(url + "/healthz", timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)


def test_polling_with_the_backend_in_one_process(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "output.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DVHT_", "ZALO_")) and key != "DATABASE_URL"
    }
    with FakeBotApi(token=TOKEN) as api, log.open("wb") as out:
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=api.url,
            DVHT_DATA_DIR=str(tmp_path),
            DVHT_HTTP_HOST="127.0.0.1",
            DVHT_HTTP_PORT=str(port),
            DVHT_PUBLIC_URL="https://bot.example.test",
            DVHT_SECRET_KEY=SECRET_KEY,
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
            health = wait_healthy(url, process, log)
            assert (health.status_code, health.json()) == (200, {"ok": True})

            def alive() -> None:
                if process.poll() is not None:
                    raise AssertionError(log.read_text())

            api.wait_for_sync("getUpdates", timeout=STARTUP_S, alive=alive)
            api.enqueue(api.text_update(8_100_001, "/start"))
            api.wait_for_sync("sendMessage", lambda c: WELCOME in c.text, timeout=60, alive=alive)
            deadline = time.monotonic() + 30
            pattern = r'^dvht_updates_total{channel="telegram",outcome="answered"} (\S+)$'
            while True:  # counted once the handler returned, just after its last reply
                found = re.search(pattern, httpx.get(url + "/metrics").text, re.M)
                if found and float(found.group(1)) >= 1:
                    break
                assert time.monotonic() < deadline, httpx.get(url + "/metrics").text
                time.sleep(0.1)
            assert api.calls_of("setWebhook") == []  # polling: the backend is only for links
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=30)
    output = log.read_text()
    assert returncode == 0, output
    assert "long polling" in output
    assert "HTTP backend on 127.0.0.1:" in output
    assert not leaks(output), output
    assert SECRET_KEY not in output
    assert "Traceback" not in output, output
