"""Bot tokens appear in Bot API URLs; no log line or traceback may show one."""

from __future__ import annotations

import io
import logging

from bot.redaction import RedactToken

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
