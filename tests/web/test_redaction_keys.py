"""Both channels' tokens and the secrets learnt later (the generated secret key) are redacted
from every output of `dvht serve`'s process: log lines (httpx's request URLs among them, even
through a handler attached to its logger directly) and what is printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TELEGRAM = "7012345678:AAH4kQ-zVx_9cT2bW5nRr8LpYs3JdE6fGhU"
ZALO = "3456789012:zalo-SECRET-part-0123456789abcdef"
KEY = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
SCRIPT = f"""
import logging, sys
logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
from bot.redaction import install_redaction, redact_also
install_redaction({TELEGRAM!r}, {ZALO!r}, secrets=["hook_secret_1"])
redact_also({KEY!r})
direct = logging.StreamHandler(sys.__stdout__)  # unwrapped stream, attached to httpx alone
logging.getLogger("httpx").addHandler(direct)
logging.getLogger("httpx").info(
    'HTTP Request: POST https://bot-api.zaloplatforms.com/bot%s/sendMessage "HTTP/1.1 200 OK"',
    {ZALO!r},
)
logging.getLogger("dvht").info(
    "telegram %s key %s hook %s", {TELEGRAM!r}, {KEY!r}, "hook_secret_1"
)
print("zalo", {ZALO!r}, "key", {KEY!r})
"""


def test_every_token_and_late_secret_is_redacted() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=120,
        check=True,
    )
    output = done.stdout + done.stderr
    for secret in (TELEGRAM, ZALO, KEY, "hook_secret_1", ZALO.partition(":")[2]):
        assert secret not in output, output
    assert output.count("<token>") >= 7, output
    assert "sendMessage" in output  # the lines themselves are kept
