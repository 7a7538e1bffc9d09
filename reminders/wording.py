"""What every push shares: fitting one message into the channels' limit, the forecast
sentence, and the way back in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from conversations import buttons as ids
from conversations import catalogue as say
from conversations.messages import MAX_TEXT, Button
from dvht_core.forecast import Forecast, forecast
from reminders.progress import Standing

PUSH_KIND = "reminder"
"""`Outbound.kind` of every push (for the channels' adapters and the tests)."""
MOST_ITEMS = 10
"""A push lists at most this many items (indicators, people, units) before “và N … khác”: a
phone screen, not a report."""


def fitted(
    head: Sequence[str],
    items: Sequence[str],
    tail: Sequence[str],
    *,
    more: Callable[[int], str],
    limit: int = MAX_TEXT,
    most: int = MOST_ITEMS,
) -> str:
    """Head lines, as many `items` as fit (at most `most`), `more(N)` (“và N chỉ tiêu khác”)
    for the rest, then the tail lines: one message of at most `limit` characters. Should the
    head and tail alone exceed it (no text of ours can: a unit name is at most 300
    characters), the message is cut with “…” rather than sent over the limit."""
    text = ""
    for shown in range(min(len(items), most), -1, -1):
        lines = [*head, *items[:shown]]
        if shown < len(items):
            lines.append(more(len(items) - shown))
        lines += tail
        text = "\n".join(lines)
        if len(text) <= limit:
            return text
    return text[: limit - 1] + "…"


def forecast_of(found: Standing, *, deadline: dt.date, today: dt.date) -> Forecast:
    """The finish-date forecast of the unit (`dvht_core.forecast`) for its unanswered
    indicators and its history of first answers."""
    return forecast(
        found.progress.completions,
        remaining=len(found.unanswered),
        today=today,
        deadline=deadline,
    )


def forecast_line(found: Standing, *, deadline: dt.date, today: dt.date) -> list[str]:
    """The forecast sentence of a push, as a list of zero or one line: said when the finish
    falls after the deadline, or when there is too little history to forecast; an on-time
    forecast is left out (a push is short, and on time is what the countdown assumes; the
    “tiến độ” answer says it)."""
    result = forecast_of(found, deadline=deadline, today=today)
    if result.kind == "late" and result.finish is not None:
        return [say.forecast_late(result.finish, result.days_late)]
    if result.kind == "unknown":
        return [say.FORECAST_UNKNOWN]
    return []


def way_back(buttons: bool) -> tuple[str, tuple[Button, ...]]:
    """The resume offer: a “Làm tiếp” button on a channel with buttons, the word “tiếp tục”
    elsewhere; both take the user to their own saved step."""
    if buttons:
        return say.RESUME_TAP, (ids.RESUME,)
    return say.RESUME_WORD, ()
