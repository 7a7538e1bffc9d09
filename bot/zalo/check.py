"""The start-up check of the Zalo token and API URL (getMe), with each failure named as the
operator can fix it: a `bot.startup.StartupFailure` whose details carry `channel="zalo"`, so
the command line prints the Zalo line for it (`cli.text.serve_failure`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.startup import StartupFailure
from bot.zalo.client import (
    ZaloClient,
    ZaloClientError,
    ZaloError,
    ZaloNotApi,
    ZaloUnauthorized,
)

CHECK_ATTEMPTS = 3
CHECK_BACKOFF_S = 0.5
CHECK_TIMEOUT_S = 10.0


def origin(url: str) -> str:
    """scheme://host[:port]: no path, query or credentials (the path may hold a token)."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def failure_of(error: ZaloError, api: str) -> StartupFailure:
    """What a failed call at start means for the operator."""
    if isinstance(error, ZaloUnauthorized):
        return StartupFailure("token_refused", channel="zalo")
    if isinstance(error, ZaloNotApi):
        return StartupFailure("not_bot_api", channel="zalo", api=api, what=error.what)
    if isinstance(error, ZaloClientError) and error.status == 404:
        return StartupFailure("token_unknown", channel="zalo", api=api)
    if isinstance(error, ZaloClientError):
        return StartupFailure(
            "webhook_refused" if error.method == "setWebhook" else "api_refused",
            channel="zalo",
            api=api,
            method=error.method,
            description=error.description,
        )
    if error.status is None:
        return StartupFailure(
            "api_unreachable", channel="zalo", api=api, description=error.description
        )
    return StartupFailure(
        "api_refused",
        channel="zalo",
        api=api,
        method=error.method,
        description=f"{error.status} {error.description}".strip(),
    )


async def check_zalo_api(api_url: str, token: str) -> None:
    """getMe before anything else starts; raises `StartupFailure` naming what to check."""
    api = origin(api_url)
    if not api:
        raise StartupFailure("api_url_invalid", channel="zalo", api=api_url.strip()[:200])
    client = ZaloClient(
        token,
        api_url,
        attempts=CHECK_ATTEMPTS,
        backoff_s=CHECK_BACKOFF_S,
        max_backoff_s=2.0,
        timeout_s=CHECK_TIMEOUT_S,
    )
    try:
        await client.get_me()
    except ZaloError as error:
        raise failure_of(error, api) from None
    finally:
        await client.close()
