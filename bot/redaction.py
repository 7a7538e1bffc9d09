"""Secrets out of the logs: a channel's token appears in its API URLs (Telegram's Bot API puts
it in the path, and aiohttp's errors quote the URL), so no log line or traceback may show it.
Channel-neutral: every channel with a token in its URLs installs it at start."""

from __future__ import annotations

import logging
import re


class RedactToken(logging.Filter):
    """Replaces the token with `<token>` in messages, arguments, tracebacks and stacks."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.pattern = re.compile(re.escape(token))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.pattern.search(message):
            record.msg, record.args = self.pattern.sub("<token>", message), None
        if record.exc_info and not record.exc_text:
            # Tracebacks carry URLs too (aiohttp errors quote the file download URL).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.pattern.sub("<token>", record.exc_text)
        if record.stack_info:
            record.stack_info = self.pattern.sub("<token>", record.stack_info)
        return True


def install_redaction(token: str) -> None:
    """On the root logger and its handlers: call after logging is configured."""
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger().addFilter(redact)
