"""DVHT_WORKERS > 1 where it cannot work is refused at once: one Vietnamese line on stderr,
exit status 2, nothing started (the real `dvht serve` process)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cli import text
from tests.workers.serve_process import DVHT, WEBHOOK_SECRET, clean_env

TOKEN = "7012345678:AAH4kQ-zVx_9cT2bW5nRr8LpYs3JdE6fGhU"


def _serve(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env.update(DVHT_DATA_DIR=str(tmp_path), DVHT_WORKERS="2", **settings)
    return subprocess.run(
        [str(DVHT), "serve"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_two_workers_on_sqlite_are_refused(tmp_path: Path) -> None:
    done = _serve(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9",  # never reached: refused before any request
        TELEGRAM_WEBHOOK_URL="https://bot.example.test/telegram/webhook",
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "dvht: DVHT_WORKERS > 1 cần PostgreSQL (DATABASE_URL): SQLite chỉ có một tiến trình ghi.\n"
    )
    assert list(tmp_path.iterdir()) == []  # no database opened, no metrics directory made


def test_two_workers_with_nothing_to_serve_are_refused(tmp_path: Path) -> None:
    """Telegram by long polling and no public URL: no backend, so nothing for workers."""
    done = _serve(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9",
        DATABASE_URL="postgresql+asyncpg://dvht@127.0.0.1:9/dvht",  # never connected to
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"dvht: {text.WORKERS_NO_BACKEND}\n"
    assert "TELEGRAM_WEBHOOK_URL" in done.stderr
    assert "DVHT_PUBLIC_URL" in done.stderr
    assert TOKEN not in done.stderr
