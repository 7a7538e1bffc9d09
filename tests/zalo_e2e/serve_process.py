"""`dvht serve` as a real process for the end-to-end tests: its environment cleaned of every
TELEGRAM_, DVHT_ and ZALO_ setting and DATABASE_URL (so nothing of the developer's shell leaks
in), its data under a temporary DVHT_DATA_DIR (the embedded SQLite database, the generated
secret key, the report links' files), the HTTP backend on 127.0.0.1 at a free port, and its
output captured to files that the tests read at the end for tokens and secrets.

Modelled on `tests/telegram/test_telegram_e2e.py`'s `BotProcess`, for any mix of channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

DVHT = Path(sys.executable).parent / "dvht"
STARTUP_S = 90.0
"""A cold start imports SQLAlchemy, FastAPI and (with Telegram) aiogram: a few seconds idle,
far longer on a loaded 2-core machine."""
STOP_S = 20.0
CLEANED = ("TELEGRAM_", "DVHT_", "ZALO_")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """`dvht serve` with `env` added to a cleaned environment."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.extra_env = env
        self.stdout_path = data_dir / "stdout.log"
        self.stderr_path = data_dir / "stderr.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self.killed = False
        self._files = contextlib.ExitStack()

    @property
    def database(self) -> Path:
        return self.data_dir / "dvht.sqlite3"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(CLEANED) and key != "DATABASE_URL"
        }
        env.update(
            DVHT_DATA_DIR=str(self.data_dir),
            DVHT_HTTP_HOST="127.0.0.1",
            DVHT_HTTP_PORT=str(self.port),
            **self.extra_env,
        )
        stdout = self._files.enter_context(self.stdout_path.open("wb"))
        stderr = self._files.enter_context(self.stderr_path.open("wb"))
        self.process = subprocess.Popen(
            [str(DVHT), "serve"],
            env=env,
            cwd=self.data_dir,  # no stray .env from the repository
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )

    def wait_healthy(self, timeout: float = STARTUP_S) -> None:
        """Until the backend answers /healthz with 200 (the database is open by then)."""
        deadline = time.monotonic() + timeout
        while True:
            self.alive()
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"no /healthz within {timeout} s:\n{self.tail()}")
            time.sleep(0.1)

    def output(self) -> str:
        parts = []
        for path in (self.stdout_path, self.stderr_path):
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.tail()}")

    def healthy(self) -> None:
        """Still running, and no handler has raised (a traceback in its output)."""
        self.alive()
        output = self.output()
        if "Traceback (most recent call last)" in output:
            start = output.index("Traceback (most recent call last)")
            raise AssertionError(f"the bot logged a traceback:\n{output[start : start + 3000]}")

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it does not stop in time; the exit status."""
        process = self.process
        if process is None or self.returncode is not None:
            return self.returncode
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                self.killed = True
                process.kill()
                process.wait(timeout=STOP_S)
        self.returncode = process.returncode
        self._files.close()
        return self.returncode

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """A read-only query on the bot's database."""
        uri = f"file:{self.database}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            return db.execute(sql, params).fetchall()

    async def wait_rows(
        self, sql: str, *params: Any, expected: list[tuple[Any, ...]], timeout: float = 20
    ) -> None:
        """Until the query answers `expected` (a write the bot makes after its reply)."""
        deadline = time.monotonic() + timeout
        while (rows := self.rows(sql, *params)) != expected:
            assert time.monotonic() < deadline, f"{sql} {params}: {rows}, expected {expected}"
            await asyncio.sleep(0.05)
