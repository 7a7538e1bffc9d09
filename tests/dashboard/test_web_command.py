"""`dvht web` as a real process: the dashboard alone (no channel, no dispatcher) on the
database of DATABASE_URL (SQLite, and PostgreSQL with DVHT_TEST_DATABASE_URL), answering
/dangnhap and logging in through a link; a busy port is one Vietnamese line and status 2;
SIGTERM stops it with status 0 and nothing secret in the output."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from storage.db import Database
from tests.dashboard.conftest import Clock, seed
from web.dashboard import text
from web.dashboard.auth import COOKIE

DVHT = Path(sys.executable).parent / "dvht"
STARTUP_S = 90.0
SECRET_KEY = "Zq8Wm3Lx7Pv2Nc6Rt1Hy5Gd9Bf4Ks0JeA"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(tmp_path: Path, database_url: str, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DVHT_", "ZALO_")) and key != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=database_url,
        DVHT_DATA_DIR=str(tmp_path / "data"),
        DVHT_HTTP_HOST="127.0.0.1",
        DVHT_HTTP_PORT=str(port),
        DVHT_SECRET_KEY=SECRET_KEY,
    )
    return env


def _wait_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while True:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


async def test_dvht_web_serves_the_dashboard(
    tmp_path: Path, database: Database, database_url: str
) -> None:
    world = await seed(database, Clock(moment=dt.datetime.now(dt.UTC)))  # the process's clock
    port = _free_port()
    log = tmp_path / "output.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(DVHT), "web"],
            env=_env(tmp_path, database_url, port),
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
                confirm = await http.get(f"/dangnhap/{token}")
                assert text.LOGIN_BUTTON in confirm.text
                login = await http.post(f"/dangnhap/{token}")
                assert login.status_code == 303
                cookie = login.headers["set-cookie"].lower()
                assert cookie.startswith(f"{COOKIE}=")
                assert "; secure" not in cookie  # http://HOST:PORT: no Secure flag
                admin = await http.get("/quantri")
                assert admin.status_code == 200
                assert "Nguyễn Thị Thẩm Định" in admin.text
                css = await http.get("/static/app.css")
                assert css.status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = await asyncio.to_thread(process.wait, 30)
    output = log.read_text()
    assert returncode == 0, output
    assert f"Trang quản lý đang chạy tại http://127.0.0.1:{port}" in output
    assert SECRET_KEY not in output
    assert token not in output
    assert "Traceback" not in output, output


def test_a_busy_port_is_one_line_and_status_2(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = int(busy.getsockname()[1])
        done = subprocess.run(  # --host and --port win over DVHT_HTTP_HOST / _PORT
            [str(DVHT), "web", "--host", "127.0.0.1", "--port", str(port)],
            env={
                **_env(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", _free_port()),
                "DVHT_HTTP_HOST": "0.0.0.0",
            },
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"không mở được cổng HTTP 127.0.0.1:{port}" in lines[0]
    assert "Traceback" not in done.stderr
