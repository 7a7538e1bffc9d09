"""Run one use case in one transaction: wait for a busy database without blocking the event
loop, retry once if it is briefly unreachable, and otherwise fail with an error that says why.

Busy is another writer holding the lock: on SQLite another process (a `dvht import`, a
backup, a `sqlite3` shell), on PostgreSQL a lock wait past `lock_timeout`, a serialization
failure or a deadlock. SQLite refuses at once (busy timeout zero, see `storage.db`), before
the transaction has done anything, and the wait happens here, in `asyncio.sleep`, so every
other user of the process is served meanwhile: the transaction is run again after a short
randomised backoff (2 ms doubling to 25 ms), until `BUSY_WAIT_S` has passed; then
`StorageBusy`, with the transaction rolled back whole. The backoff stays short because
the long writers commit in batches of a fraction of a second and pause between them
(`storage.exchange`): a waiter that polls every 25 ms at most finds one of those gaps.
Measured on the 2-core machine (tests/storage/test_busy_import.py): five chat users answering
through a 40,000-reference `dvht import` sent 2,662 messages in the import's 32 s, met its
lock 8,021 times and were refused none; a message waited 0.9 ms at the median and 552 ms at
most, and the event loop never stood still for more than 151 ms (the former inline busy
timeout stopped it for 5 s per locked message). Under load from other jobs: 5,718 messages
in 72 s, at most 611 ms, the loop still for at most 355 ms.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from sqlmodel import Session

from conversations.errors import StorageBusy
from storage.db import Database
from storage.faults import Fault, classify, storage_error

T = TypeVar("T")
log = logging.getLogger(__name__)
# Warnings reach the handlers of an app that configured logging (`dvht serve`); a command that
# did not configure any prints its one error line only, not Python's last-resort echo of them.
log.addHandler(logging.NullHandler())
BUSY_WAIT_S = 10.0
"""The longest a use case waits for another writer before the user hears that the system is
busy. No writer of ours holds the lock for more than about a second, so this is reached only
when something holds it for good; a chat user waits this long at most (read at each call, so
a test may shorten it)."""
BACKOFF_FIRST_S = 0.002
BACKOFF_MAX_S = 0.025
RETRY_DELAY_S = 0.2
UNAVAILABLE = (
    "Không kết nối được cơ sở dữ liệu; dữ liệu chưa được lưu, vui lòng thử lại sau ít phút."
)


async def with_retry(
    database: Database,
    attempt: Callable[[], Awaitable[T]],
    failed: Exception | None = None,
) -> T:
    """Await `attempt()` (a transaction on `database`), running it again while the database
    is busy, and once more if it was unreachable; any other fault raised as its port error.
    `failed` is the first attempt's error when the caller made that attempt itself."""
    deadline: float | None = None
    backoff = BACKOFF_FIRST_S
    retried = False
    while True:
        if failed is None:
            try:
                return await attempt()
            except Exception as exc:
                failed = exc
        error, failed = failed, None
        fault = classify(error)
        if fault is Fault.BUSY:
            now = time.monotonic()
            if deadline is None:
                deadline = now + BUSY_WAIT_S
            if now >= deadline:
                log.warning("database busy for %.1f s; giving up", BUSY_WAIT_S)
                raise StorageBusy(f"database busy for {BUSY_WAIT_S:.1f} s") from error
            await asyncio.sleep(min(backoff * random.uniform(0.5, 1.0), deadline - now))
            backoff = min(backoff * 2, BACKOFF_MAX_S)
            continue
        if fault is Fault.UNREACHABLE and not retried:
            # A timeout (Fault.TIMEOUT) is not retried: it already waited its seconds.
            retried = True
            log.warning("database unreachable (%s); retrying once", type(error).__name__)
            await asyncio.sleep(RETRY_DELAY_S)
            continue
        if fault is None:
            raise error
        log.warning("database fault: %s (%s)", fault.value, type(error).__name__)
        message = UNAVAILABLE if fault in (Fault.UNREACHABLE, Fault.TIMEOUT) else fault.value
        raise storage_error(fault, message, url=database.url) from error


# The first attempt is made here, not through `with_retry`: a chat message's transaction runs
# in about 35 µs of overhead, and the extra coroutine and partial cost about 1 µs of it.


async def transaction(database: Database, work: Callable[[Session], T]) -> T:
    """Commit everything `work` does, or nothing: a crash mid-way rolls the whole use case back.

    `work` may run more than once (after a connection failure, and while another writer holds
    the lock); it must not have effects outside the session before it returns.
    """
    try:
        return await database.run(work, write=True)
    except Exception as exc:
        failed = exc
    return await with_retry(database, partial(database.run, work, write=True), failed)


async def read(database: Database, work: Callable[[Session], T]) -> T:
    """Run a read-only use case in one consistent snapshot."""
    try:
        return await database.run(work, write=False)
    except Exception as exc:
        failed = exc
    return await with_retry(database, partial(database.run, work, write=False), failed)
