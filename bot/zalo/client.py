"""Our own small client for the Zalo Bot API (`<api>/bot<token>/<method>`), on httpx.

No mature SDK exists (engineering notes §2.3), and the API is nine methods. What this module
adds over a bare POST:

* the long poll's idle end (HTTP 408) is "no update", and getUpdates' result is read whether
  it is one event (what the service sends), a list, or null;
* a quota refusal (429 "Quota exceeded") backs off exponentially with jitter, bounded, and is
  tried again; a server error (5xx), a timeout or a broken connection is tried again a few
  times; any other refusal is final (`ZaloClientError`); 401 means the token was reset in the
  Zalo Bot Creator (`ZaloUnauthorized`);
* a text longer than 2,000 characters is sent as several messages, split on paragraph, line,
  then sentence boundaries, each part sent only once the one before was accepted;
* the token, which sits in every URL path, appears in no exception text or repr, and httpx's
  own request log lines (logger "httpx", INFO) are redacted while the client is open.
"""

from __future__ import annotations

import asyncio
import logging
import random
import unicodedata
from typing import Any

import httpx

from bot.redaction import Redactor, RedactToken
from bot.zalo.models import Update, WebhookInfo, updates_of

log = logging.getLogger(__name__)
DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000
"""sendMessage and sendPhoto's caption take 1-2,000 characters."""
POLL_TIMEOUT_S = 30
ATTEMPTS = 4
BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
REQUEST_TIMEOUT_S = 15.0
DESCRIPTION_LIMIT = 200
_HTTP_LOGGERS = ("httpx", "httpcore")


class ZaloError(Exception):
    """A Zalo Bot API call that did not succeed. Its text names the method, the status and the
    server's description, redacted: never the URL, which holds the token."""

    def __init__(self, method: str, status: int | None, description: str) -> None:
        super().__init__(method, status, description)
        self.method = method
        self.status = status
        self.description = description

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        return f"Zalo {self.method}{status}: {self.description}"


class ZaloClientError(ZaloError):
    """The request was refused (4xx other than 429): sending it again changes nothing."""


class ZaloUnauthorized(ZaloClientError):
    """401: the token is not (or no longer) valid; it was reset in the Zalo Bot Creator."""


class ZaloNotApi(ZaloClientError):
    """The answer is not the Zalo Bot API's envelope (`what`: html, not_json, other_json): the
    API URL points somewhere else."""

    def __init__(self, method: str, status: int, what: str) -> None:
        super().__init__(method, status, f"not a Zalo Bot API answer ({what})")
        self.what = what


class ZaloTransientError(ZaloError):
    """Quota, server or network trouble that outlasted the retries."""


class ZaloQuotaExceeded(ZaloTransientError):
    """429 met by a call that must not wait (a push): try again after `retry_after_s`."""

    def __init__(self, method: str, description: str, retry_after_s: float) -> None:
        super().__init__(method, 429, description)
        self.retry_after_s = retry_after_s


def _units(text: str) -> int:
    """A text's length as the stricter count: code points, or UTF-16 units (an emoji is two),
    since the docs do not say which the 2,000 limit counts."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> int:
    """Where to end a part of at most `limit` units: after a paragraph, a line, a sentence or
    a word, else in the middle of a word."""
    end = len(text)
    while _units(text[:end]) > limit:
        end = min(end - 1, limit)
    window = text[:end]
    for marks in (("\n\n",), ("\n",), (". ", "? ", "! ", "; ", "… "), (" ",)):
        found = max(window.rfind(mark) for mark in marks)
        if found > 0:
            return found + 1 if marks[0] not in ("\n\n", "\n") else found
    return end


def split_message(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` as parts of at most `limit` characters, in order, none empty."""
    parts: list[str] = []
    rest = text.strip()
    while _units(rest) > limit:
        cut = _cut(rest, limit)
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


class ZaloClient:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        attempts: int = ATTEMPTS,
        backoff_s: float = BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        timeout_s: float = REQUEST_TIMEOUT_S,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._token = token
        self._base = f"{api_url.strip().rstrip('/')}/bot{token}/"
        self.api_url = api_url.strip().rstrip("/")
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.timeout_s = timeout_s
        self.redact = Redactor([token])
        self._http = http or httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)
        self._own_http = http is None
        self._log_filter = RedactToken(self.redact)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)

    def __repr__(self) -> str:
        return f"ZaloClient(api_url={self.api_url!r}, token=<token>)"

    async def close(self) -> None:
        if self._own_http:
            await self._http.aclose()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)

    # --- the methods ------------------------------------------------------------------------

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe", {})
        return result if isinstance(result, dict) else {}

    async def get_updates(self, timeout: int = POLL_TIMEOUT_S) -> list[Update]:
        """One long poll: the events it brought (usually one), [] when it ended idle (408).
        Not retried here: the polling loop waits between polls that fail."""
        result = await self.call(
            "getUpdates",
            {"timeout": str(timeout)},
            timeout_s=timeout + self.timeout_s,
            attempts=1,
        )
        return updates_of(result)

    async def send_message(
        self, chat_id: str, text: str, *, wait_quota: bool = True
    ) -> list[dict[str, Any]]:
        """Each part of `text` (split at 2,000 characters) after the one before succeeded."""
        sent: list[dict[str, Any]] = []
        for part in split_message(unicodedata.normalize("NFC", text)):
            result = await self.call(
                "sendMessage", {"chat_id": chat_id, "text": part}, wait_quota=wait_quota
            )
            sent.append(result if isinstance(result, dict) else {})
        return sent

    async def send_photo(
        self, chat_id: str, photo_url: str, caption: str | None = None, *, wait_quota: bool = True
    ) -> dict[str, Any]:
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = split_message(caption)[0]
        result = await self.call("sendPhoto", params, wait_quota=wait_quota)
        return result if isinstance(result, dict) else {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action}, attempts=1)

    async def set_webhook(self, url: str, secret_token: str) -> WebhookInfo:
        result = await self.call("setWebhook", {"url": url, "secret_token": secret_token})
        return WebhookInfo.model_validate(result if isinstance(result, dict) else {"url": url})

    async def delete_webhook(self) -> WebhookInfo:
        result = await self.call("deleteWebhook", {})
        return WebhookInfo.model_validate(result if isinstance(result, dict) else {})

    async def get_webhook_info(self) -> WebhookInfo:
        result = await self.call("getWebhookInfo", {})
        return WebhookInfo.model_validate(result if isinstance(result, dict) else {})

    # --- one call, with its retries ---------------------------------------------------------

    def _wait(self, attempt: int) -> float:
        """Exponential, with jitter (half to all of it), bounded."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2**attempt)
        return float(ceiling * random.uniform(0.5, 1.0))

    def _clean(self, text: str) -> str:
        visible = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
        line = " ".join(self.redact(visible).split())
        return line if len(line) <= DESCRIPTION_LIMIT else line[: DESCRIPTION_LIMIT - 1] + "…"

    async def call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        timeout_s: float | None = None,
        attempts: int | None = None,
        wait_quota: bool = True,
    ) -> Any:
        """The method's `result`; None for an idle getUpdates (408). Raises a `ZaloError`."""
        tries = attempts or self.attempts
        last: ZaloError | None = None
        for attempt in range(tries):
            try:
                response = await self._http.post(
                    self._base + method, json=params, timeout=timeout_s or self.timeout_s
                )
            except httpx.TimeoutException:
                last = ZaloTransientError(method, None, "no answer in time")
            except httpx.TransportError as error:  # its text may quote the URL: not kept
                last = ZaloTransientError(method, None, f"network error ({type(error).__name__})")
            else:
                outcome = self._read(method, response)
                if not isinstance(outcome, ZaloError):
                    return outcome
                if isinstance(outcome, ZaloQuotaExceeded) and not wait_quota:
                    raise outcome
                if not isinstance(outcome, ZaloTransientError):
                    raise outcome
                last = outcome
            if attempt + 1 < tries:
                wait = self._wait(attempt)
                log.warning("Zalo %s failed (%s), attempt %d", method, last, attempt + 1)
                await asyncio.sleep(wait)
        assert last is not None
        raise last

    def _read(self, method: str, response: httpx.Response) -> Any:
        """The result, or the error the answer means (returned, not raised)."""
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "ok" not in body:
            if status == 408 and method == "getUpdates":
                return None
            if status < 400 or (status == 404 and body is not None):
                text = response.text.lstrip()[:1]
                what = "other_json" if body is not None else "html" if text == "<" else "not_json"
                return ZaloNotApi(method, status, what)
            body = {}
        code = body.get("error_code")
        if status == 200 and body.get("ok") is True:
            return body.get("result")
        if status == 200 and isinstance(code, int) and code >= 400:
            status = code  # an error in a 200 envelope
        description = self._clean(str(body.get("description") or response.reason_phrase or ""))
        if status == 408 and method == "getUpdates":
            return None  # the idle end of a long poll
        if status == 401:
            return ZaloUnauthorized(method, 401, description or "Unauthorized")
        if status == 429:
            return ZaloQuotaExceeded(method, description or "Quota exceeded", self._wait(0) * 2)
        if status >= 500 or status == 408:
            return ZaloTransientError(method, status, description)
        return ZaloClientError(method, status, description or "refused")
