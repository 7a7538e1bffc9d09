"""The backend's Prometheus metrics (prometheus-client), served at /metrics.

The names are the contract with whoever scrapes them; channels and the reminder dispatcher
report through the functions below, so no caller touches a label it could misspell.

With several worker processes (`bot.workers`), PROMETHEUS_MULTIPROC_DIR is set before this
module is first imported in any of them, so every value here is written to that directory and
/metrics answers the sum over the processes (`web.app`).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPDATES = Counter(
    "dvht_updates_total",
    "Updates received from the chat channels, by channel and outcome.",
    ["channel", "outcome"],
)
"""outcome: "answered" (replies sent), "duplicate" (seen before), "ignored" (nothing to answer),
"failed" (an error the user was told about, or could not be told)."""
REPLY_SECONDS = Histogram(
    "dvht_reply_seconds",
    "From an update's arrival to its last reply sent, by channel.",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REMINDERS = Counter(
    "dvht_reminders_total",
    "Reminder pushes finished, by channel and result (sent, failed, blocked, skipped).",
    ["channel", "result"],
)
QUEUE_DEPTH = Gauge(
    "dvht_reminders_due",
    "Reminders due now and not yet sent (the dispatcher's queue depth).",
    multiprocess_mode="livemostrecent",
)
"""Only the main process counts (`bot.serve`); the worker processes (`bot.workers`) hold the 0
they started with. With several processes (PROMETHEUS_MULTIPROC_DIR) a sum or a maximum would
still be right today, but the count is a reading taken at a moment, so the latest reading of a
living process is the one that means something whoever takes it."""


def count_update(channel: str, outcome: str) -> None:
    UPDATES.labels(channel=channel, outcome=outcome).inc()


def observe_reply(channel: str, seconds: float) -> None:
    REPLY_SECONDS.labels(channel=channel).observe(seconds)


def count_reminder(channel: str, result: str) -> None:
    REMINDERS.labels(channel=channel, result=result).inc()


def set_queue_depth(due: int) -> None:
    QUEUE_DEPTH.set(due)
