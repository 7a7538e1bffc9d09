"""`dvht serve` against Bot API endpoints that misbehave, and after start-up.

Each start-up case runs the real `dvht serve` as a subprocess with TELEGRAM_BOT_TOKEN and
TELEGRAM_API_URL pointing at a small real HTTP server in this process that misbehaves in one
way (a redirect loop, an HTML page, JSON whose error text echoes the request path and so the
token, 401, garbage that is not HTTP) or at a port where nothing listens. Every case must end
the same way: exit status 2, exactly one line on stderr naming what to check, the token in
none of its forms anywhere in the output, no traceback, and no database created (the token is
checked before anything else starts).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.startup import StartupFailure
from bot.telegram.client import check_bot_api
from cli import text
from tests.telegram.fake_bot_api import FakeBotApi

DVHT = Path(sys.executable).parent / "dvht"
TOKEN = "7012345678:AAH4kQ-zVx_9cT2bW5nRr8LpYs3JdE6fGhU"
"""Shaped like a real token: the bot id, a colon, 35 characters of secret."""
TAIL = TOKEN.partition(":")[2]
RUN_S = 120.0
"""aiogram alone takes 3–6 s to import; a loaded CI machine can take much longer."""


def leaks(output: str) -> list[str]:
    """The forms of the token found in `output`: raw, percent-encoded, or its secret half."""
    forms = {TOKEN, quote(TOKEN, safe=""), quote(TOKEN, safe="").lower(), TAIL}
    return [form for form in forms if form in output]


# --- misbehaving endpoints ---------------------------------------------------------------------


class Misbehaving(http.server.BaseHTTPRequestHandler):
    """Answers every request the way the server's `mode` says; records the paths."""

    server: Endpoint

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.paths.append(self.path)
        getattr(self, f"_{self.server.mode}")()

    do_GET = do_POST  # noqa: N815  (http.server names its handlers so)

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect_loop(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _html(self) -> None:  # what a reverse proxy answers when the server behind it is down
        page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def _echo_404(self) -> None:
        description = f"Not Found: method {self.path} not found"
        self._json(404, {"ok": False, "error_code": 404, "description": description})

    def _echo_400(self) -> None:
        description = f"Bad Request: unexpected path {self.path}"
        self._json(400, {"ok": False, "error_code": 400, "description": description})

    def _echo_500_encoded(self) -> None:
        description = f"Internal Server Error at {quote(self.path, safe='')}"
        self._json(500, {"ok": False, "error_code": 500, "description": description})

    def _unauthorized(self) -> None:
        self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})

    def _other_json(self) -> None:
        self._json(200, {"status": "healthy", "path": self.path})

    def log_message(self, format: str, *args: object) -> None:
        pass  # the test's output stays the bot's


class Endpoint(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), Misbehaving)
        self.mode = mode
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class NotHttp(socketserver.ThreadingTCPServer):
    """Something else listens at the port (here an SSH server's greeting)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        class Greet(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
                time.sleep(0.2)

        super().__init__(("127.0.0.1", 0), Greet)
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def closed_port() -> int:
    """A port where nothing listens: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the bot process ---------------------------------------------------------------------------


def bot_env(data_dir: Path, api_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DVHT_")) and key != "DATABASE_URL"
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api_url, DVHT_DATA_DIR=str(data_dir), **extra
    )
    return env


def start_serve(data_dir: Path, api_url: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(DVHT), "serve"],
        env=bot_env(data_dir, api_url, **extra),
        cwd=data_dir,  # no stray .env from the repository
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    try:
        stdout, stderr = process.communicate(timeout=RUN_S)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_serve(data_dir: Path, api_url: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return finish(start_serve(data_dir, api_url, **extra))


def assert_one_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 2, one `dvht:` line on stderr and nothing on stdout, no token, no traceback."""
    output = result.stdout + result.stderr
    assert not leaks(output), f"the token reached the output:\n{output}"
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dvht: "), lines
    assert result.stdout == ""
    return lines[0]


CASES: dict[str, tuple[str | None, list[str]]] = {
    "redirect loop": ("redirect_loop", ["TELEGRAM_API_URL", "chuyển hướng"]),
    "HTML error page": ("html", ["TELEGRAM_API_URL", "HTML"]),
    "404 echoing the path": ("echo_404", ["TELEGRAM_BOT_TOKEN", "404"]),
    "500 echoing the encoded path": (
        "echo_500_encoded",
        ["getMe", "Internal Server Error", "<token>"],
    ),
    "401": ("unauthorized", [text.TOKEN_REFUSED]),
    "connection refused": (None, ["TELEGRAM_API_URL", "không kết nối được", "mạng"]),
}
"""Each case's endpoint mode (None: nothing listens) and what its line must name."""


@dataclass
class Outcome:
    result: subprocess.CompletedProcess[str]
    paths: list[str]
    """The requests the endpoint saw."""
    data_dir: Path


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every case's bot started at once (aiogram's import dominates each run, and the cases
    are independent), then each waited for."""
    with contextlib.ExitStack() as stack:
        running: dict[str, tuple[subprocess.Popen[str], list[str], Path]] = {}
        for case, (mode, _) in CASES.items():
            data_dir = tmp_path_factory.mktemp("startup")
            if mode is None:
                url, paths = f"http://127.0.0.1:{closed_port()}", []
            else:
                server = Endpoint(mode)
                stack.enter_context(serving(server))
                url, paths = server.url, server.paths
            running[case] = (start_serve(data_dir, url), paths, data_dir)
        yield {
            case: Outcome(finish(process), paths, data_dir)
            for case, (process, paths, data_dir) in running.items()
        }


@pytest.mark.parametrize("case", list(CASES))
def test_startup_failure_is_one_line_without_the_token(
    case: str, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[case]
    line = assert_one_line_failure(outcome.result)
    for fragment in CASES[case][1]:
        assert fragment in line, line
    # Checked before anything else starts: no database was created for a bot that cannot run.
    assert list(outcome.data_dir.iterdir()) == [], list(outcome.data_dir.iterdir())
    if case == "500 echoing the encoded path":
        assert len(outcome.paths) == 3, outcome.paths  # a server error is tried again
    elif outcome.paths:
        assert outcome.paths[0].endswith("/getMe"), outcome.paths


# --- the same check in this process: the cases that need no process of their own -----------------


async def check(url: str) -> StartupFailure:
    with pytest.raises(StartupFailure) as failure:
        await check_bot_api(url, TOKEN)
    line = text.serve_failure(failure.value.reason, failure.value.details)
    assert not leaks(line), line
    assert "\n" not in line
    return failure.value


async def test_a_refusal_echoing_the_path_is_quoted_redacted() -> None:
    server = Endpoint("echo_400")
    with serving(server):
        failure = await check(server.url)
    assert failure.reason == "api_refused"
    assert failure.details["method"] == "getMe"
    assert "<token>" in failure.details["description"], failure.details
    assert len(server.paths) == 1  # a refusal is final: not tried again


async def test_json_of_another_service_is_not_a_bot_api() -> None:
    server = Endpoint("other_json")
    with serving(server):
        failure = await check(server.url)
    assert (failure.reason, failure.details["what"]) == ("not_bot_api", "other_json")


async def test_a_server_that_is_not_http_is_not_a_bot_api() -> None:
    server = NotHttp()
    with serving(server):
        failure = await check(server.url)
    assert (failure.reason, failure.details["what"]) == ("not_bot_api", "bad_http")


@pytest.mark.parametrize("url", ["ftp://bot-api.example.test", "bot-api.example.test", "http://"])
async def test_an_invalid_api_url_is_named(url: str) -> None:
    failure = await check(url)
    assert failure.reason == "api_url_invalid"
    assert "TELEGRAM_API_URL" in text.serve_failure(failure.reason, failure.details)


async def test_a_working_api_passes(tmp_path: Path) -> None:
    with FakeBotApi(token=TOKEN) as api:
        await check_bot_api(api.url, TOKEN)
        assert [call.method for call in api.calls] == ["getMe"]


# --- webhook start-up ----------------------------------------------------------------------------


def last_line_failure(result: subprocess.CompletedProcess[str]) -> str:
    """After the database opened (its migrations log a line each on a first start), the
    failure is the last line; still no token and no traceback."""
    output = result.stdout + result.stderr
    assert not leaks(output), f"the token reached the output:\n{output}"
    assert "Traceback" not in output, output
    assert result.returncode == 2, output
    last = result.stderr.splitlines()[-1]
    assert last.startswith("dvht: "), result.stderr
    return last


@pytest.mark.parametrize(
    "mode",
    [
        {
            "TELEGRAM_WEBHOOK_URL": "https://example.test/telegram/webhook",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret_ABC",
        },
        {"DVHT_PUBLIC_URL": "https://bot.example.test"},  # polling, with the backend for links
    ],
    ids=["webhook", "polling with a public URL"],
)
def test_a_busy_http_port_is_one_line_before_anything_starts(
    tmp_path: Path, mode: dict[str, str]
) -> None:
    """The backend's port is opened before the database and before Telegram is told anything:
    a busy one is the only line (naming both settings), exit status 2, no webhook set, no
    polling started, no database created."""
    with FakeBotApi(token=TOKEN) as api, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve(
            tmp_path, api.url, DVHT_HTTP_HOST="127.0.0.1", DVHT_HTTP_PORT=str(port), **mode
        )
        calls = [call.method for call in api.calls]
    line = assert_one_line_failure(result)
    assert f"127.0.0.1:{port}" in line, line
    assert "DVHT_HTTP_HOST" in line, line
    assert "DVHT_HTTP_PORT" in line, line
    assert calls == ["getMe"]  # Telegram is never pointed at a server that did not start
    assert not (tmp_path / "dvht.sqlite3").exists()


def test_a_webhook_url_telegram_refuses_is_named(tmp_path: Path) -> None:
    with FakeBotApi(token=TOKEN) as api, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        result = run_serve(
            tmp_path,
            api.url,
            TELEGRAM_WEBHOOK_URL="http://example.test/telegram/webhook",  # not https
            TELEGRAM_WEBHOOK_SECRET="s3cret_ABC",
            DVHT_WEBHOOK_HOST="127.0.0.1",
            DVHT_WEBHOOK_PORT=str(port),
        )
    line = last_line_failure(result)
    assert "TELEGRAM_WEBHOOK_URL" in line, line
    assert "HTTPS" in line, line  # Telegram's own reason, quoted


def test_a_webhook_that_cannot_be_removed_stops_polling_before_it_starts(tmp_path: Path) -> None:
    """deleteWebhook failing through every retry: long polling would meet 409 conflicts
    forever, so the start stops with one line instead, and getUpdates is never called."""
    with FakeBotApi(token=TOKEN) as api:
        api.fail("deleteWebhook", 502, times=None)
        result = run_serve(tmp_path, api.url)
        polls = api.calls_of("getUpdates")
    line = last_line_failure(result)
    assert "deleteWebhook" in line, line
    assert polls == []


def test_an_unforeseen_failure_is_one_line_too(tmp_path: Path) -> None:
    """The command line's last resort: a failure nothing names yet (the data directory is a
    file) is still one line with its type, exit 2."""
    data_dir = tmp_path / "data"
    data_dir.write_text("not a directory")
    with FakeBotApi(token=TOKEN) as api:
        result = subprocess.run(
            [str(DVHT), "serve"],
            env=bot_env(data_dir, api.url),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_S,
            check=False,
        )
    last_line_failure(result)


# --- after start-up ------------------------------------------------------------------------------


def test_a_failure_in_a_running_bot_is_logged_redacted(tmp_path: Path) -> None:
    """A handler (a background task of the polling bot) fails on a Bot API refusal whose
    text echoes the request path, raw and percent-encoded: the failure is in the log, the
    token is not; the bot goes on and stops cleanly."""
    user = 6_500_001
    echo = f"Bad Request: no chat at /bot{TOKEN}/sendMessage ({quote(TOKEN, safe='')})"
    log_path = tmp_path / "output.log"
    with FakeBotApi(token=TOKEN) as api, log_path.open("w") as log:
        api.fail("sendMessage", 400, times=None, chat_id=user, description=echo)
        process = subprocess.Popen(
            [str(DVHT), "serve"],
            env=bot_env(tmp_path, api.url),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def alive() -> None:
            if process.poll() is not None:
                raise AssertionError(log_path.read_text())

        try:
            api.wait_for_sync("getUpdates", timeout=RUN_S, alive=alive)
            api.enqueue(api.text_update(user, "/start"))
            api.wait_for_sync("sendMessage", lambda c: c.status == 400, timeout=30, alive=alive)
            deadline = time.monotonic() + 30
            while "<token>" not in log_path.read_text():  # the handler's failure, logged
                alive()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.05)
            since = api.mark()
            api.enqueue(api.text_update(user + 1, "/start"))  # the bot still serves others
            api.wait_for_sync("sendMessage", lambda c: c.ok, since=since, timeout=30, alive=alive)
        finally:
            process.terminate()
            returncode = process.wait(timeout=30)
    output = log_path.read_text()
    assert not leaks(output), f"the token reached the output:\n{output}"
    assert returncode == 0, output
