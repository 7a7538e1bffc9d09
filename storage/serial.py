"""One user's messages, one at a time, across every process that serves the bot.

Several backend processes (`DVHT_WORKERS`) share one PostgreSQL database, and a user's updates
may reach two of them at once: a double tap, a webhook retried while the first delivery is
still being handled, a Zalo event delivered again, two messages typed in quick succession.
Each message is one transaction that reads the user's conversation state, applies the engine's
effects and saves the state over the version it read (`storage.dialogue_sql.save_state`, a
compare-and-set). Without more, two such transactions of one user overlap: both read version
v, the first saves v+1, the second finds its version gone and is rolled back whole
(`StaleState`), and the service runs it again. That already loses no answer and never lets a
stale state overwrite a newer one, but under a burst the second can lose the race again and
again until the service gives up and the user is asked to resend; and on first contact both
create the same person, and one of them fails on the unique channel identity.

So the message's transaction first takes a transaction-scoped advisory lock on the user's key
(`pg_advisory_xact_lock`, released by the commit or the rollback, so nothing can leak it;
one lock per transaction, taken before anything else, so it adds no deadlock cycle):

* mutual exclusion: of two messages of one user, the second waits on the server (not on the
  event loop) until the first has committed, then reads what the first wrote (READ COMMITTED
  gives every statement after the lock a fresh snapshot), so its state version still matches
  when it saves and it is neither rolled back nor retried;
* order: the lock reorders nothing and interleaves nothing. Of two messages of one user
  handled at once by two processes, each is applied whole, one after the other, in the order
  their transactions asked for the lock (PostgreSQL queues lock waiters first come, first
  served), the second on top of the first's state. A message that arrives after another was
  answered is always applied after it, whichever process takes it; and each process keeps
  the order of what it receives for one user (aiogram's event isolation, one Zalo event at a
  time). Two messages that reach two processes at the same instant (a double tap, a delivery
  repeated while the first is still being handled) have no arrival order anyone could know;
  the lock makes them serial, and the version check guarantees neither overwrites the other;
* no lost answer: a message that still conflicts (a lock wait past `lock_timeout`, a deadlock
  with another user's transaction on a shared row, a state saved by a path that takes no
  lock) is run again by `storage.uow` (busy faults) or the service (`StaleState`), both
  invisible to the user.

The lock id is a 64-bit hash of the key computed here (BLAKE2b with its own personalisation
string), never Python's `hash()`, which differs between processes. Two keys with one id (a
chance of one in 2^64 per pair) would only make those two users wait for each other; other
keys never wait, so users do not queue behind one another.

SQLite needs nothing: its write transactions begin with `BEGIN IMMEDIATE` (`storage.db`), so
there is one writer at a time across all processes, and one process runs its transactions
inline, one after the other.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import BigInteger, bindparam, text
from sqlmodel import Session

from storage.runner import runner_for

PERSON = b"dvht.serial"
"""BLAKE2b's personalisation: the dialogue's lock ids live in their own hash space."""

_LOCK = text("SELECT pg_advisory_xact_lock(:lock_id)").bindparams(
    bindparam("lock_id", type_=BigInteger)
)


def lock_id(key: str) -> int:
    """The advisory lock id of `key`: the first 8 bytes of its BLAKE2b digest as a signed
    64-bit integer (PostgreSQL's bigint), the same in every process and on every run."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8, person=PERSON).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(session: Session, key: str) -> None:
    """Wait for, then hold until this transaction ends, the lock of `key` (PostgreSQL only:
    the caller checks the dialect). Call it before the transaction's first other statement,
    so that everything it reads is what the previous holder committed."""
    runner_for(session).run(_LOCK, {"lock_id": lock_id(key)})
