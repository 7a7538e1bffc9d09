"""Secrets out of every output: a channel's token appears in its API URLs (Telegram's Bot API
puts it in the path, aiohttp's errors quote the URL, and a misbehaving server may echo the path
in its error text), so no log line, traceback or message printed by the process may show it.

`install_redaction` puts three layers in place, each covering what the one before may miss:

1. a logging filter on the root logger's handlers (messages, arguments, tracebacks, stacks),
   which also covers handlers that write somewhere other than the terminal;
2. the hooks Python calls for exceptions nobody caught (`sys.excepthook`,
   `threading.excepthook`, `sys.unraisablehook`) and for warnings send them through logging
   instead of printing them; asyncio's default exception handler already logs through the
   `asyncio` logger, so a task's exception that nobody retrieved is covered by the filter;
3. `sys.stdout` and `sys.stderr` themselves are replaced by streams that redact whole lines, so
   whatever still writes there (Python's own last words at exit, a library's print) is
   redacted too, even when it writes a token in several pieces.

Channel-neutral: every channel with a token in its URLs installs it at start.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any, TextIO

MASK = "<token>"
MIN_SECRET = 6
"""Shorter secrets are not redacted on their own: masking every "abc" would garble the logs,
and a secret that short protects nothing anyway. A bot token is always redacted whole."""
TOKEN_TAIL_MIN = 8
"""A Bot API token is `<bot id>:<secret>`; the secret part (35 characters at Telegram) is
redacted on its own too, in case the two halves appear apart."""
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
MAX_PENDING = 64 * 1024
"""A stream holds back at most this much of an unfinished line."""

log = logging.getLogger("dvht")


def _literal_or_encoded(secret: str) -> str:
    """A pattern for `secret` as written, or with any of its reserved characters
    percent-encoded (either case of hex digit): `123456:AB` and `123456%3AAB` alike."""
    parts: list[str] = []
    for char in secret:
        if char in _UNRESERVED:
            parts.append(re.escape(char))
            continue
        encoded = "".join(
            f"%[{f'{byte:02X}'[0]}{f'{byte:02x}'[0]}][{f'{byte:02X}'[1]}{f'{byte:02x}'[1]}]"
            for byte in char.encode("utf-8")
        )
        parts.append(f"(?:{re.escape(char)}|{encoded})")
    return "".join(parts)


def _needles(secrets: list[str]) -> tuple[str, ...] | None:
    """For each text to mask, its longest run of unreserved characters: found literally in
    every form the pattern matches (percent-encoding leaves those characters alone); None when
    a text has no such run, and the regex must look at every text."""
    needles: list[str] = []
    for secret in secrets:
        runs = re.findall(r"[A-Za-z0-9._~-]+", secret)
        if not runs:
            return None
        needles.append(max(runs, key=len))
    return tuple(dict.fromkeys(needles))


class Redactor:
    """Replaces each secret, raw or percent-encoded, with `<token>`."""

    def __init__(self, tokens: Iterable[str | None] = (), secrets: Iterable[str | None] = ()):
        self.tokens = tuple(filter(None, tokens))
        self.secrets = tuple(filter(None, secrets))
        """What it was made with (`redact_also` adds to them)."""
        tokens, secrets = self.tokens, self.secrets
        hidden: set[str] = set()
        """Each text to mask (as written; the pattern also finds it percent-encoded)."""
        for token in filter(None, tokens):
            hidden.add(token)
            tail = token.partition(":")[2]
            if len(tail) >= TOKEN_TAIL_MIN:
                hidden.add(tail)
        hidden.update(secret for secret in filter(None, secrets) if len(secret) >= MIN_SECRET)
        # The whole token before its tail: at the token's first character only the whole
        # pattern can match, so `123456:SECRET` becomes `<token>`, not `123456:<token>`.
        ordered = sorted(hidden, key=len, reverse=True)
        patterns = "|".join(_literal_or_encoded(text) for text in ordered)
        self.pattern = re.compile(patterns) if ordered else None
        self.needles = _needles(ordered)
        """Text without any of these cannot hold a secret: `in` finds that in 0.1 µs for a log
        line, where the regex (an alternation: no literal prefix to scan for) took 1.4 µs."""

    def __call__(self, text: str) -> str:
        if self.pattern is None or not self.may_hold(text):
            return text
        return self.pattern.sub(MASK, text)

    def may_hold(self, text: str) -> bool:
        if self.needles is None:
            return True
        for needle in self.needles:  # noqa: SIM110  (any() over a generator costs 0.4 µs more)
            if needle in text:
                return True
        return False

    def __bool__(self) -> bool:
        return self.pattern is not None


class RedactToken(logging.Filter):
    """Redacts messages, arguments, tracebacks and stacks of every record it sees."""

    def __init__(self, redact: Redactor | str) -> None:
        super().__init__()
        self.redact = redact if isinstance(redact, Redactor) else Redactor([redact])

    def filter(self, record: logging.LogRecord) -> bool:
        pattern = self.redact.pattern
        if pattern is None:
            return True
        message = record.getMessage()
        if self.redact.may_hold(message) and pattern.search(message):
            record.msg, record.args = pattern.sub(MASK, message), None
        if record.exc_info and not record.exc_text:
            # Tracebacks carry URLs too (aiohttp errors quote the file download URL).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = pattern.sub(MASK, record.exc_text)
        if record.stack_info:
            record.stack_info = pattern.sub(MASK, record.stack_info)
        return True


class RedactingStream(io.TextIOBase):
    """A text stream that writes whole lines, redacted, to the stream it wraps.

    An unfinished line waits for its end (or `flush`), so a secret written in several pieces
    (`print(a, b)` writes `a`, the separator and `b` apart) is still found. Thread-safe: the
    pieces of two threads' lines are never interleaved inside the buffer."""

    def __init__(self, stream: TextIO, redact: Redactor) -> None:
        super().__init__()
        self.wrapped = stream
        self.redact = redact
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            if not self._pending and text.endswith("\n"):  # a whole line (a log record)
                self.wrapped.write(self.redact(text))
                return len(text)
            data = self._pending + text
            end = data.rfind("\n") + 1
            if end == 0 and len(data) > MAX_PENDING:
                end = len(data)
            self._pending = data[end:]
            if end:
                self.wrapped.write(self.redact(data[:end]))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.wrapped.write(self.redact(self._pending))
                self._pending = ""
            self.wrapped.flush()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.wrapped.fileno()

    def isatty(self) -> bool:
        return self.wrapped.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.wrapped.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.wrapped.errors


_active = Redactor()


def redact(text: str) -> str:
    """`text` without the secrets installed so far (the last-resort error line uses it)."""
    return _active(text)


LOGGERS_WITH_URLS = ("httpx", "httpcore", "aiohttp", "uvicorn", "uvicorn.error", "uvicorn.access")
"""Loggers whose records may quote a request URL (httpx logs each request's at INFO, and a
Zalo or Telegram URL holds the token): filtered at the logger too, so a handler attached to
one of them directly, without the root's filter, still gets redacted records."""


def install_redaction(*tokens: str | None, secrets: Iterable[str | None] = ()) -> Redactor:
    """Redact each channel's token (Telegram's, Zalo's) and the other `secrets` from every
    output of this process.

    Call it as early as the tokens are known; the logging filter covers the handlers the root
    logger has at the time and a stream handler bound to the old stdout or stderr is moved to
    the redacting stream, so calling it after `logging.basicConfig` is fine. Calling it again
    replaces what the previous call redacts."""
    global _active
    redactor = Redactor(tokens, secrets)
    _active = redactor
    streams: dict[int, RedactingStream] = {}
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if isinstance(current, RedactingStream):
            current.flush()
            current.redact = redactor
        elif current is not None:
            wrapped = RedactingStream(current, redactor)
            setattr(sys, name, wrapped)
            streams[id(current)] = wrapped
    redact_filter = RedactToken(redactor)
    root = logging.getLogger()
    for old in [f for f in root.filters if isinstance(f, RedactToken)]:
        root.removeFilter(old)
    root.addFilter(redact_filter)
    for name in LOGGERS_WITH_URLS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RedactToken)]:
            logger.removeFilter(old)
        logger.addFilter(redact_filter)
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactToken)]:
            handler.removeFilter(old)
        handler.addFilter(redact_filter)
        if isinstance(handler, logging.StreamHandler) and id(handler.stream) in streams:
            handler.setStream(streams[id(handler.stream)])
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_thread_exception
    sys.unraisablehook = _log_unraisable
    return redactor


def redact_also(*secrets: str) -> Redactor:
    """Add secrets known only later (the key generated on first start) to what
    `install_redaction` redacts."""
    return install_redaction(*_active.tokens, secrets=[*_active.secrets, *secrets])


def _log_uncaught(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    log.error("uncaught exception", exc_info=(kind, error, traceback))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:  # as Python's own hook: a thread may exit that way
        return
    name = args.thread.name if args.thread is not None else "?"
    assert args.exc_value is not None
    log.error(
        "uncaught exception in thread %s",
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def _log_unraisable(unraisable: Any) -> None:
    try:
        about = f"{unraisable.err_msg or 'Exception ignored in'}: {unraisable.object!r}"
    except Exception:  # the object's repr itself failed
        about = unraisable.err_msg or "Exception ignored"
    exc_info = None
    if unraisable.exc_value is not None:
        exc_info = (unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback)
    log.error("%s", about, exc_info=exc_info)
