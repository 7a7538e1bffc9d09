"""The Telegram channel's part of the backend's metrics (`web.metrics`): each update's outcome
and, for an answered one, the time from its arrival at the dispatcher to its last reply sent.

An outer middleware of the dispatcher, so it sees every update whichever way it came (the
webhook or long polling) on aiogram's own dispatch path. The handlers refine the outcome
through the `tally` they are given: nothing to answer (a service message) is "ignored", and
an update the conversation service had already handled (a retried webhook: it answers with
no reply) is a "duplicate".
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject

from web.metrics import count_update, observe_reply

CHANNEL = "telegram"


@dataclass
class Tally:
    outcome: str = "answered"
    """answered | duplicate | ignored (see `web.metrics.UPDATES`)."""


class UpdateMetrics(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tally = Tally()
        data["tally"] = tally
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception:
            count_update(CHANNEL, "failed")
            raise
        outcome = "ignored" if result is UNHANDLED else tally.outcome
        count_update(CHANNEL, outcome)
        if outcome == "answered":
            observe_reply(CHANNEL, time.perf_counter() - started)
        return result
