"""Why a channel could not start, as something the operator can fix.

The channel that meets the failure raises `StartupFailure` with a reason and the facts the
sentence needs (already redacted: they may quote a server's answer); the command line turns it
into one Vietnamese line and exit status 2 (`cli.text.serve_failure`). This module imports
nothing, so the command line can catch the failure without loading a channel's library.
"""

from __future__ import annotations

from typing import Literal

Reason = Literal[
    "token_refused",
    "token_unknown",
    "api_url_invalid",
    "api_unreachable",
    "not_bot_api",
    "api_refused",
    "webhook_refused",
    "webhook_unset",
    "webhook_not_removed",
    "http_port",
    "channel_unavailable",
    "workers_sqlite",
    "workers_no_backend",
    "workers_failing",
]
"""token_refused: the Bot API answered 401. token_unknown: 404 (a malformed token, or an API
URL with a wrong path). api_url_invalid: TELEGRAM_API_URL is not an http(s) address.
api_unreachable: no connection, or no answer in time. not_bot_api: the answer is not the Bot
API's (`details["what"]`: html, not_json, other_json, redirect_loop, bad_http). api_refused:
another refusal (`method`, `description`). webhook_refused: setWebhook refused
(`description`). webhook_unset: setWebhook never got through. webhook_not_removed:
deleteWebhook (before long polling) never got through, so getUpdates would only meet 409
conflicts. http_port: the HTTP backend's port (both webhooks, report links, health) could not be
opened (`host`, `port`, `description`). channel_unavailable: a channel is configured that this
build does not include (`channel`, `setting`). workers_sqlite: DVHT_WORKERS > 1 on SQLite
(one writer). workers_no_backend: DVHT_WORKERS > 1 with nothing for the workers to serve.
workers_failing: the worker processes kept dying (`restarts`, `seconds`)."""


class StartupFailure(Exception):
    def __init__(self, reason: Reason, **details: str) -> None:
        super().__init__(reason, details)
        self.reason: Reason = reason
        self.details = details

    def __str__(self) -> str:
        shown = ", ".join(f"{key}={value}" for key, value in sorted(self.details.items()))
        return f"{self.reason} ({shown})" if shown else self.reason
