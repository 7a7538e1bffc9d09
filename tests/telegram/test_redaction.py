"""Bot tokens appear in Bot API URLs; no log line, traceback or other output may show one."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from urllib.parse import quote

from bot.redaction import MAX_PENDING, RedactingStream, Redactor, RedactToken

TOKEN = "123456:SECRET-token_ABC"


def test_messages_arguments_and_tracebacks_are_redacted() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactToken(TOKEN))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
        try:
            raise ConnectionError(f"url='http://127.0.0.1/file/bot{TOKEN}/documents/file_5'")
        except ConnectionError:
            logger.exception("download failed")
        logger.warning("stack", stack_info=True, extra={"token_in_stack": TOKEN})
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count("<token>") >= 2
    assert "ConnectionError" in output  # the traceback itself is kept


# --- every form of the token -------------------------------------------------------------------

LONG_TOKEN = "7012345678:AAH4kQ-zVx_9cT2bW5nRr8LpYs3JdE6fGhU"
LONG_TAIL = LONG_TOKEN.partition(":")[2]


def test_the_token_raw_encoded_or_halved_becomes_one_mask() -> None:
    redact = Redactor([LONG_TOKEN], secrets=["webhook_SECRET_1"])
    encoded = LONG_TOKEN.replace(":", "%3A")
    cases = {
        f"GET /bot{LONG_TOKEN}/getMe": "GET /bot<token>/getMe",
        f"url=https%3A%2F%2Fapi.telegram.org%2Fbot{encoded}%2FgetMe": (
            "url=https%3A%2F%2Fapi.telegram.org%2Fbot<token>%2FgetMe"
        ),
        f"lower case: {LONG_TOKEN.replace(':', '%3a')}": "lower case: <token>",
        f"the secret half alone: {LONG_TAIL}.": "the secret half alone: <token>.",
        f"{LONG_TOKEN}{LONG_TOKEN}": "<token><token>",
        "webhook secret: webhook_SECRET_1": "webhook secret: <token>",
        "nothing secret here: 7012345678": "nothing secret here: 7012345678",
    }
    for raw, expected in cases.items():
        assert redact(raw) == expected, raw


def test_short_secrets_are_not_masked_everywhere() -> None:
    """A one-character webhook secret would turn every "a" of the logs into the mask."""
    assert Redactor([LONG_TOKEN], secrets=["a", None, ""])("a bad day") == "a bad day"
    assert not Redactor()
    assert Redactor()("anything") == "anything"


def test_the_stream_redacts_a_token_written_in_pieces() -> None:
    target = io.StringIO()
    stream = RedactingStream(target, Redactor([LONG_TOKEN]))
    print("url: bot", LONG_TOKEN[:9], sep="", end="", file=stream)
    assert target.getvalue() == ""  # an unfinished line waits
    print(LONG_TOKEN[9:], "/getMe", sep="", file=stream)
    print("second line", LONG_TAIL[:5], end="", file=stream)
    stream.write(LONG_TAIL[5:])
    stream.flush()
    assert target.getvalue() == "url: bot<token>/getMe\nsecond line <token>"


def test_the_stream_does_not_hold_an_endless_line() -> None:
    target = io.StringIO()
    stream = RedactingStream(target, Redactor([LONG_TOKEN]))
    stream.write("x" * (MAX_PENDING + 1))
    assert len(target.getvalue()) == MAX_PENDING + 1


# --- every exception path of a running process -------------------------------------------------

PATHS_SCRIPT = r"""
import asyncio, gc, logging, sys, threading, urllib.parse, warnings

from bot.redaction import install_redaction
from bot.serve import close_all

token = sys.argv[1]
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
install_redaction(token, secrets=["webhook_SECRET_1"])
url = f"https://api.telegram.org/bot{token}/getMe"

logging.getLogger("aiogram.event").warning("log line: %s", url)
print("printed in pieces: /bot", token[:7], sep="", end="")
print(token[7:], "/getMe", sep="")
sys.stderr.write("written encoded: " + urllib.parse.quote(url, safe="") + "\n")
warnings.warn(f"warning: {url}")


def thread_fails():
    raise ConnectionError(f"in a thread: {url}")


thread = threading.Thread(target=thread_fails)
thread.start()
thread.join()


class Leaky:
    def __del__(self):
        raise ConnectionError(f"in __del__: {url}")


Leaky()
gc.collect()


async def main():
    async def background():
        raise ConnectionError(f"in a background task: {url}")

    task = asyncio.get_running_loop().create_task(background())
    await asyncio.sleep(0.05)
    del task  # never retrieved: asyncio's exception handler reports it once it is collected
    gc.collect()

    async def failing_close():
        raise ConnectionError(f"at shutdown: {url}")

    async def next_close():
        print("the next closer still ran")

    await close_all(failing_close, next_close)


asyncio.run(main())
raise ConnectionError(f"uncaught: {url}")
"""


def test_every_exception_path_is_redacted() -> None:
    """The hooks and streams `dvht serve` installs, in a process of their own (they replace
    process-wide state): each failure is reported, and the token in none of its forms."""
    result = subprocess.run(
        [sys.executable, "-c", PATHS_SCRIPT, LONG_TOKEN],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    for form in (LONG_TOKEN, LONG_TAIL, quote(LONG_TOKEN, safe="")):
        assert form not in output, output
    assert result.returncode == 1, output  # the uncaught exception still ends the process
    for marker in (
        "log line: https://api.telegram.org/bot<token>/getMe",
        "printed in pieces: /bot<token>/getMe",
        "written encoded: https%3A%2F%2Fapi.telegram.org%2Fbot<token>%2FgetMe",
        "warning: https://api.telegram.org/bot<token>/getMe",
        "in a thread: https://api.telegram.org/bot<token>/getMe",
        "in __del__: https://api.telegram.org/bot<token>/getMe",
        "in a background task: https://api.telegram.org/bot<token>/getMe",
        "at shutdown: https://api.telegram.org/bot<token>/getMe",
        "uncaught: https://api.telegram.org/bot<token>/getMe",
        "the next closer still ran",
    ):
        assert marker in output, f"{marker!r} missing:\n{output}"
    # Reported through logging, so an operator's log handler gets them as well.
    assert "ERROR dvht uncaught exception in thread" in output, output
    assert "ERROR asyncio Task exception was never retrieved" in output, output
    assert "ERROR bot.serve shutdown:" in output, output


def test_the_quick_check_never_skips_a_form() -> None:
    """The redactor skips texts holding none of its literal runs; each masked text has its
    own, so a token whose bot id is longer than its secret half still loses that half."""
    redact = Redactor(["12345678901234567890:ABCDEFGHIJ"], secrets=["%%%%%%%%"])
    assert redact("half: ABCDEFGHIJ") == "half: <token>"
    assert redact("whole: 12345678901234567890%3AABCDEFGHIJ") == "whole: <token>"
    assert redact("no literal run: %%%%%%%%") == "no literal run: <token>"
