"""The link codes in storage (`storage.linking` through `SqlDialogueStore`), on SQLite and on
PostgreSQL with DVHT_TEST_DATABASE_URL: only a hash is kept, a code is used once even when two
accounts type it at the same moment, and a refusal is committed with its count."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable

from conversations import catalogue as say
from conversations.messages import Inbound
from conversations.ports import DialogueTx, LinkCodeIssued, LinkResult
from conversations.service import ConversationService
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.inbox import SqlInbox
from tests.linking.helpers import code_in, other_code, rows

NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


def _issue(channel: str, user_id: str) -> Callable[[DialogueTx], LinkCodeIssued]:
    def work(tx: DialogueTx) -> LinkCodeIssued:
        tx.sender(channel=channel, user_id=user_id, display_name=user_id)
        return tx.issue_link_code(channel=channel, user_id=user_id, now=NOW)

    return work


def _redeem(
    channel: str, user_id: str, code: str, now: dt.datetime = NOW
) -> Callable[[DialogueTx], LinkResult]:
    def work(tx: DialogueTx) -> LinkResult:
        tx.sender(channel=channel, user_id=user_id, display_name=user_id)
        return tx.redeem_link_code(channel=channel, user_id=user_id, code=code, now=now)

    return work


async def test_only_a_hash_of_the_code_is_stored(database: Database) -> None:
    store = SqlDialogueStore(database)

    issued = await store.run(_issue("console", "lan"))

    assert len(issued.code) == 6
    assert issued.code.isdigit()
    assert issued.expires_at == NOW + dt.timedelta(minutes=10)
    stored = await rows(database, "SELECT * FROM link_codes")
    assert len(stored) == 1
    assert issued.code not in repr(stored)
    expected = hashlib.sha256(f"lienket:{issued.code}".encode()).hexdigest()
    assert stored[0]["code_hash"] == expected
    assert stored[0]["used_at"] is None


async def test_two_accounts_typing_one_code_at_once_link_one(database: Database) -> None:
    store = SqlDialogueStore(database)
    issued = await store.run(_issue("console", "lan"))
    for channel, user in (("zalo", "z1"), ("telegram", "t1")):  # both known beforehand
        await store.run(_redeem(channel, user, other_code(issued.code)))

    results = await asyncio.gather(
        store.run(_redeem("zalo", "z1", issued.code)),
        store.run(_redeem("telegram", "t1", issued.code)),
    )

    assert sorted(r.outcome for r in results) == ["linked", "used"]
    used = await rows(database, "SELECT used_at, used_by FROM link_codes")
    assert used[0]["used_at"] is not None
    people = await rows(
        database, "SELECT channel, person_id FROM channel_identities ORDER BY channel"
    )
    by_channel = {r["channel"]: r["person_id"] for r in people}
    linked = "zalo" if results[0].outcome == "linked" else "telegram"
    assert by_channel[linked] == by_channel["console"]
    assert by_channel["zalo" if linked == "telegram" else "telegram"] != by_channel["console"]


async def test_refusals_are_counted_and_the_fifth_locks_the_account(database: Database) -> None:
    store = SqlDialogueStore(database)
    issued = await store.run(_issue("console", "lan"))
    wrong = other_code(issued.code)
    outcomes = []
    for _ in range(5):
        result = await store.run(_redeem("zalo", "z1", wrong))
        outcomes.append((result.outcome, result.attempts_left))

    assert outcomes == [("wrong", 4), ("wrong", 3), ("wrong", 2), ("wrong", 1), ("locked", None)]
    state = await rows(
        database,
        "SELECT link_failures, link_locked_until FROM channel_identities WHERE channel = 'zalo'",
    )
    assert state[0]["link_failures"] == 0  # counted afresh once the lock is over
    assert state[0]["link_locked_until"] is not None
    after = await store.run(_redeem("zalo", "z1", issued.code, NOW + dt.timedelta(minutes=15)))
    assert after.outcome == "expired"  # no longer locked: the code itself has expired


async def test_a_code_is_never_kept_with_its_update_in_the_inbox(database: Database) -> None:
    """Telegram's crash-safe polling keeps each update's replies until they are sent; the code
    must not be written there in plain text. A replay after a crash asks for a new one."""
    service = ConversationService(SqlDialogueStore(database), clock=lambda: NOW, keep_replies=True)
    await SqlInbox(database, "telegram").record([("9001", "{}")])
    inbound = Inbound("telegram", "501", "501", "9001", text="/lienket", display_name="Lan")

    replies = await service.handle(inbound)
    code = code_in(replies[0].text)
    kept = await rows(database, "SELECT outcome FROM inbox WHERE update_id = '9001'")
    replayed = await service.handle(inbound)  # the process died before the replies went out

    assert code not in str(kept[0]["outcome"])
    assert [r.text for r in replayed] == [say.LINK_CODE_NOT_KEPT, *[r.text for r in replies[1:]]]
