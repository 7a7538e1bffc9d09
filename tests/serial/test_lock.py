"""The per-user lock of `storage.serial` and the compare-and-set of the conversation state.

Two transactions of one key run one after the other, the second seeing what the first wrote;
on PostgreSQL two keys do not wait for each other (SQLite has one writer at a time anyway);
a save over a version that is no longer the stored one is refused, also when two transactions
really overlap; and one process sending one user's messages as concurrent tasks loses none.

The first transaction runs on its own thread and event loop with its own pool, as another
process would, and holds its transaction open until the test lets it end.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text

from conversations.errors import StaleState
from conversations.messages import Inbound
from conversations.ports import DialogueTx
from conversations.service import ConversationService
from storage import serial
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.uow import read
from tests.serial import script

WAIT_S = 60.0
"""How long a step may take on a loaded machine before the test calls it stuck."""


@pytest.fixture
async def other(database: Database) -> AsyncIterator[Database]:
    """A second pool on the test's database: another process's connections."""
    second = Database(database.url)
    yield second
    await second.close()


class Holder:
    """A transaction of `key` on another thread that saves `state` for `user` and then
    stays open until `release()`."""

    def __init__(self, database: Database, key: str | None, user: str, state: dict[str, Any]):
        self.entered = threading.Event()
        self.released = threading.Event()
        self.error: BaseException | None = None
        self.events: list[str] = []
        self._thread = threading.Thread(target=self._main, args=(database, key, user, state))

    def _main(self, database: Database, key: str | None, user: str, state: dict[str, Any]) -> None:
        def work(tx: DialogueTx) -> None:
            _, _, version = tx.sender(channel="telegram", user_id=user, display_name=user)
            tx.save_state(channel="telegram", user_id=user, state=state, version=version)
            self.events.append("first in")
            self.entered.set()
            assert self.released.wait(WAIT_S), "never released"
            self.events.append("first out")

        async def run() -> None:
            try:
                await SqlDialogueStore(database).run(work, serial_key=key)
            finally:
                await database.close()

        try:
            asyncio.run(run())
        except BaseException as exc:
            self.error = exc
            self.entered.set()

    @contextmanager
    def holding(self) -> Iterator[Holder]:
        self._thread.start()
        assert self.entered.wait(WAIT_S), "the first transaction never began"
        assert self.error is None, self.error
        try:
            yield self
        finally:
            self.released.set()
            self._thread.join(WAIT_S)
        assert self.error is None, self.error

    def release(self) -> None:
        self.released.set()


_WAITING = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
"""Sessions of this test's database waiting for a lock (advisory, row or transaction)."""


async def _waiting_on_a_lock(database: Database, task: asyncio.Task[Any]) -> None:
    """Until a transaction of the database waits for a lock or `task` ended (PostgreSQL), or
    a moment (SQLite, where the second writer waits in `storage.uow`, which we cannot see)."""
    if database.dialect != "postgresql":
        await asyncio.sleep(0.5)
        return
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not task.done():
        waiting = await read(
            database,
            lambda s: s.execute(text(_WAITING)).scalar(),
        )
        if waiting:
            return
        assert asyncio.get_running_loop().time() < deadline, "nobody waits for a lock"
        await asyncio.sleep(0.02)


def _reader(
    events: list[str], user: str, seen: list[dict[str, Any]]
) -> Callable[[DialogueTx], None]:
    def work(tx: DialogueTx) -> None:
        events.append("second in")
        seen.append(tx.saved_state(channel="telegram", user_id=user))

    return work


def test_the_lock_id_is_a_stable_signed_64_bit_hash() -> None:
    ids = {serial.lock_id(f"telegram:{n}") for n in range(10_000)}
    assert len(ids) == 10_000
    assert all(-(2**63) <= i < 2**63 for i in ids)
    assert any(i < 0 for i in ids)
    assert any(i > 0 for i in ids)
    # The same in every process and on every run (Python's hash() is not): a fixed value.
    assert serial.lock_id("telegram:1") != serial.lock_id("zalo:1")
    assert serial.lock_id("telegram:123456789") == 1_650_016_481_624_659_958


async def test_two_transactions_of_one_key_run_one_after_the_other(
    database: Database, other: Database
) -> None:
    holder = Holder(other, "telegram:100", "100", {"step": "idle", "mark": "first"})
    seen: list[dict[str, Any]] = []
    with holder.holding():
        second = asyncio.create_task(
            SqlDialogueStore(database).run(
                _reader(holder.events, "100", seen), serial_key="telegram:100"
            )
        )
        await _waiting_on_a_lock(database, second)
        assert not second.done()
        assert holder.events == ["first in"]
        holder.release()
        await asyncio.wait_for(second, WAIT_S)
    assert holder.events == ["first in", "first out", "second in"]
    assert seen == [{"step": "idle", "mark": "first"}]  # it read what the first committed


async def test_on_postgresql_two_keys_do_not_wait_for_each_other(
    database: Database, other: Database
) -> None:
    holder = Holder(other, "telegram:200", "200", {"step": "idle"})
    seen: list[dict[str, Any]] = []
    with holder.holding():
        second = SqlDialogueStore(database).run(
            _reader(holder.events, "201", seen), serial_key="telegram:201"
        )
        if database.dialect != "postgresql":  # one writer at a time: it waits like any other
            task = asyncio.create_task(second)
            await asyncio.sleep(0.5)
            assert not task.done()
            holder.release()
            await asyncio.wait_for(task, WAIT_S)
            assert holder.events == ["first in", "first out", "second in"]
            return
        await asyncio.wait_for(second, WAIT_S)  # while the first still holds its lock
        assert holder.events == ["first in", "second in"]
    assert seen == [{}]


async def test_a_save_over_a_stale_version_is_refused_and_keeps_the_newer_state(
    database: Database,
) -> None:
    store = SqlDialogueStore(database)

    def save(state: dict[str, Any], version: int) -> Callable[[DialogueTx], int]:
        def work(tx: DialogueTx) -> int:
            tx.sender(channel="telegram", user_id="300", display_name="300")
            return tx.save_state(channel="telegram", user_id="300", state=state, version=version)

        return work

    assert await store.run(save({"n": 1}, 0)) == 1
    assert await store.run(save({"n": 2}, 1)) == 2
    for stale in (0, 1):  # an insert over an existing state, an update over an old version
        with pytest.raises(StaleState):
            await store.run(save({"n": -1}, stale))
    state = await store.run(
        lambda tx: tx.sender(channel="telegram", user_id="300", display_name="300")
    )
    assert (state[1], state[2]) == ({"n": 2}, 2)


async def test_overlapping_saves_without_the_lock_are_refused_not_lost(
    database: Database, other: Database
) -> None:
    """Without a serial key two transactions of one user really overlap on PostgreSQL: the
    second read the version the first is replacing, and its save waits for the first and is
    then refused (the service runs it again), never written over the first's state."""
    first = SqlDialogueStore(database)
    await first.run(
        lambda tx: tx.save_state(
            channel="telegram",
            user_id="400",
            state={"n": 0},
            version=tx.sender(channel="telegram", user_id="400", display_name="400")[2],
        )
    )
    holder = Holder(other, None, "400", {"n": 1})

    def late(tx: DialogueTx) -> None:
        _, _, version = tx.sender(channel="telegram", user_id="400", display_name="400")
        tx.save_state(channel="telegram", user_id="400", state={"n": 2}, version=version)

    with holder.holding():
        second = asyncio.create_task(first.run(late))
        await _waiting_on_a_lock(database, second)
        holder.release()
        if database.dialect == "postgresql":
            with pytest.raises(StaleState):
                await asyncio.wait_for(second, WAIT_S)
        else:  # it could not begin before the first committed: it read the newer version
            await asyncio.wait_for(second, WAIT_S)
    saved = await first.run(
        lambda tx: tx.sender(channel="telegram", user_id="400", display_name="400")
    )
    if database.dialect == "postgresql":
        assert (saved[1], saved[2]) == ({"n": 1}, 2)
    else:
        assert (saved[1], saved[2]) == ({"n": 2}, 3)


async def test_one_users_messages_as_concurrent_tasks_of_one_process_are_all_applied(
    database: Database,
) -> None:
    """A process that hands one user's messages to concurrent tasks (a webhook server does,
    for a retried delivery or a double tap): on PostgreSQL each task has its own connection and
    the lock orders them; on SQLite the transactions run inline, one at a time."""
    service = ConversationService(SqlDialogueStore(database))
    user = "500"
    count = 0

    async def send(text_: str) -> list[str]:
        nonlocal count
        count += 1
        inbound = Inbound("telegram", user, user, f"u{count}", text=text_, display_name="Lan")
        return [r.text for r in await service.handle(inbound)]

    for step in ("/start", "1", "UBND xã Song Song", "Huế", "1", "30", "sửa 2.1", "25"):
        await send(step)
    titles = [script.title(5, n) for n in range(1, 21)]
    answers = await asyncio.gather(*(send(t) for t in titles))
    for title, replies in zip(titles, answers, strict=True):
        assert not [r for r in replies if r in script.FAILURES], replies
        assert f"Đã ghi minh chứng: {title}." in replies[0]
    stored = await read(
        database,
        lambda s: [r[0] for r in s.execute(text("SELECT title FROM evidence ORDER BY id"))],
    )
    assert sorted(stored) == sorted(titles)
    version = await read(
        database,
        lambda s: s.execute(
            text("SELECT version FROM conversation_states WHERE user_id = :u"), {"u": user}
        ).scalar(),
    )
    assert version == 8 + len(titles)
