"""The Telegram channel's running parts: the aiogram `Bot` (the configured Bot API server,
requests without files sent as JSON by `JsonSession`), the sender and the dispatcher that
`bot.wiring` assembles around it; and the start-up check that the token and the server work,
with the Bot API's failures named as the operator can fix them (`StartupFailure`)."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiohttp import (
    ClientConnectionError,
    ClientResponseError,
    ClientSSLError,
    InvalidURL,
    NonHttpUrlClientError,
    TooManyRedirects,
)
from pydantic import ValidationError

from bot.redaction import Redactor
from bot.startup import StartupFailure
from bot.telegram.sender import TelegramSender
from bot.telegram.session import JsonSession

CHECK_ATTEMPTS = 3
CHECK_BACKOFF_S = 0.5
"""A refused connection or a 5xx is tried again after 0.5 s, then 1 s: a server that is
restarting gets a moment; one that is down fails the start in under 2 s."""
CHECK_TIMEOUT_S = 10
"""getMe answers in milliseconds; a server silent this long is not answering (not retried)."""
DETAIL_LIMIT = 200


def make_bot(token: str, api_url: str) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token, session=session)


@dataclass
class TelegramChannel:
    bot: Bot
    sender: TelegramSender
    """Replies and pushes (`Notifier`)."""
    dispatcher: Dispatcher
    webhook: bool
    """Webhook mode (else long polling), read once from the settings."""

    async def close(self) -> None:
        await self.bot.session.close()


async def check_bot_api(api_url: str, token: str) -> None:
    """getMe, before anything else starts (the database is not opened for a bot that cannot
    run): raises `StartupFailure` naming what to check. Nothing is logged meanwhile, so a
    failure is the only line the operator sees."""
    bot = make_bot(token, api_url)
    try:
        for attempt in range(CHECK_ATTEMPTS):
            try:
                await bot.get_me(request_timeout=CHECK_TIMEOUT_S)
                return
            except (TelegramAPIError, ClientDecodeError) as error:
                if attempt + 1 == CHECK_ATTEMPTS or not _transient(error):
                    failure = startup_failure(error, api_url=api_url, token=token)
                    assert failure is not None
                    raise failure from None
                wait = CHECK_BACKOFF_S * 2**attempt
                if isinstance(error, TelegramRetryAfter):
                    wait = min(float(error.retry_after), 5.0)
                await asyncio.sleep(wait)
    finally:
        await bot.session.close()


def _transient(error: BaseException) -> bool:
    if isinstance(error, TelegramServerError | TelegramRetryAfter):
        return True
    cause = _cause(error)
    return (
        isinstance(error, TelegramNetworkError)
        and isinstance(cause, ClientConnectionError)
        and not isinstance(cause, ClientSSLError | TimeoutError)
    )


def _cause(error: BaseException) -> BaseException | None:
    return error.__cause__ or error.__context__


def startup_failure(error: BaseException, *, api_url: str, token: str) -> StartupFailure | None:
    """What a Bot API failure means for the operator; None for any other exception. Every
    detail is redacted and put on one line: it may quote the server's answer."""
    redactor = Redactor([token])

    def clean(text: str) -> str:
        return _one_line(redactor(text))

    api = clean(_origin(api_url))
    if isinstance(error, ClientDecodeError):
        return StartupFailure("not_bot_api", api=api, what=_decode_failure(error))
    if not isinstance(error, TelegramAPIError):
        return None
    method = clean(str(getattr(error.method, "__api_method__", "") or "Bot API"))
    if isinstance(error, TelegramNetworkError):
        cause = _cause(error)
        if isinstance(cause, InvalidURL | NonHttpUrlClientError):
            return StartupFailure("api_url_invalid", api=clean(api_url))
        if isinstance(cause, TooManyRedirects):
            return StartupFailure("not_bot_api", api=api, what="redirect_loop")
        if isinstance(cause, ClientResponseError):
            return StartupFailure("not_bot_api", api=api, what="bad_http")
        if isinstance(cause, TimeoutError) or cause is None:
            return StartupFailure("api_unreachable", api=api, description="")
        return StartupFailure("api_unreachable", api=api, description=clean(str(cause)))
    description = clean(str(error.message))
    if isinstance(error, TelegramUnauthorizedError):
        return StartupFailure("token_refused")
    if isinstance(error, TelegramNotFound):
        return StartupFailure("token_unknown", api=api)
    if method == "setWebhook" and isinstance(error, TelegramBadRequest):
        return StartupFailure("webhook_refused", description=description)
    return StartupFailure("api_refused", api=api, method=method, description=description)


def _decode_failure(error: ClientDecodeError) -> str:
    if not isinstance(error.original, ValidationError):
        data = error.data if isinstance(error.data, str) else ""
        return "html" if data.lstrip()[:1] == "<" else "not_json"
    return "other_json"  # JSON, but not an answer of the Bot API (pydantic refused it)


def _origin(url: str) -> str:
    """scheme://host[:port] of the API URL: no path, query or credentials, which may be
    private (the operator knows the rest)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not host:
        return url
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _one_line(text: str, limit: int = DETAIL_LIMIT) -> str:
    """Whitespace collapsed, control characters dropped (a hostile server's answer must not
    move the operator's cursor), at most `limit` characters."""
    visible = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    line = " ".join(visible.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
