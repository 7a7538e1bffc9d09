"""The inbox: updates a channel took on before handling them, so that a crash loses none.

Telegram long polling confirms an update by asking for the next one; what the bot does with it
afterwards is its own business. So the polling loop (`bot.telegram.inbox`) records each batch
here, in one transaction, before it asks for more, and marks an entry finished once the update's
replies were sent. In between, the message's own transaction keeps the replies with the entry
(`keep`, through `DialogueTx.keep_replies`): an entry with an outcome was handled and only its
replies may be missing. A restart takes up every unfinished entry again (`SqlInbox.unfinished`)
before it polls.

The statements are hand-written and run through `storage.runner`, as the chat's own are: the
inbox adds one insert per update, one update in the message's transaction and one when it is
finished, on every update of a polling bot.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, Text, bindparam, text
from sqlmodel import Session

from conversations.messages import Button, Outbound
from conversations.ports import KeptReplies
from storage.db import Database
from storage.runner import runner_for
from storage.types import UTCDateTime, utcnow
from storage.uow import transaction

KEEP_FINISHED = dt.timedelta(days=2)
"""Finished entries are kept this long: Telegram redelivers an unconfirmed update for up to 24
hours, and an entry that is still here turns a redelivery away without handling it."""

_RECORD = text(
    "INSERT INTO inbox (channel, update_id, payload, attempts, received_at) "
    "VALUES (:channel, :update_id, :payload, 1, :at) ON CONFLICT DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime))

_KEEP = text(
    "UPDATE inbox SET outcome = :outcome "
    "WHERE channel = :channel AND update_id = :update_id AND finished_at IS NULL"
)

_KEPT = text(
    "SELECT outcome FROM inbox "
    "WHERE channel = :channel AND update_id = :update_id AND finished_at IS NULL"
).columns(outcome=Text)

_TAKE_UP = text(
    "UPDATE inbox SET attempts = attempts + 1 WHERE channel = :channel AND finished_at IS NULL"
)

_UNFINISHED = text(
    "SELECT update_id, payload, attempts, outcome IS NOT NULL AS handled FROM inbox "
    "WHERE channel = :channel AND finished_at IS NULL ORDER BY id"
).columns(update_id=String, payload=Text, attempts=Integer)

_FINISH = text(
    "UPDATE inbox SET finished_at = :at WHERE channel = :channel AND update_id = :update_id"
).bindparams(bindparam("at", type_=UTCDateTime))

_PRUNE = text(
    "DELETE FROM inbox WHERE channel = :channel AND finished_at IS NOT NULL "
    "AND finished_at < :before"
).bindparams(bindparam("before", type_=UTCDateTime))

_FORGET_PROCESSED = text(
    "DELETE FROM processed_updates WHERE channel = :channel AND processed_at < :before "
    "AND NOT EXISTS (SELECT 1 FROM inbox WHERE inbox.channel = processed_updates.channel "
    "AND inbox.update_id = processed_updates.update_id AND inbox.finished_at IS NULL)"
).bindparams(bindparam("before", type_=UTCDateTime))
"""Handled update ids are forgotten with their entries: Telegram starts update ids afresh
(at random) after a week without updates, so an id kept for ever could one day turn a new
update away as a duplicate. An id whose entry is unfinished stays: its replay needs it."""


@dataclass(frozen=True, slots=True)
class Unfinished:
    """An entry a stopped process left: taken up again at the next start."""

    update_id: str
    payload: str
    attempts: int
    """Times it was taken up, this one included."""
    handled: bool
    """Its effects are stored (its replies were kept): only sending them may be missing."""


class SqlInbox:
    """One channel's inbox over the database (the `UpdateInbox` of `bot.telegram.inbox`)."""

    def __init__(self, database: Database, channel: str) -> None:
        self.database = database
        self.channel = channel

    async def record(self, updates: Sequence[tuple[str, str]]) -> set[str]:
        """Record `(update_id, payload)` pairs in one transaction; the ids that were new (an
        update recorded before, or twice in the batch, is not new)."""

        def work(session: Session) -> set[str]:
            runner, fresh = runner_for(session), set()
            at = utcnow()
            for update_id, payload in updates:
                params = {
                    "channel": self.channel,
                    "update_id": update_id,
                    "payload": payload,
                    "at": at,
                }
                _, changed = runner.run(_RECORD, params)
                if changed == 1:
                    fresh.add(update_id)
            return fresh

        return await transaction(self.database, work)

    async def unfinished(self) -> list[Unfinished]:
        """Every unfinished entry in arrival order, each counted as taken up once more."""

        def work(session: Session) -> list[Unfinished]:
            runner = runner_for(session)
            runner.run(_TAKE_UP, {"channel": self.channel})
            rows, _ = runner.run(_UNFINISHED, {"channel": self.channel})
            return [
                Unfinished(
                    update_id=row["update_id"],
                    payload=row["payload"],
                    attempts=int(row["attempts"]),
                    handled=bool(row["handled"]),
                )
                for row in rows
            ]

        return await transaction(self.database, work)

    async def finish(self, update_ids: Sequence[str]) -> None:
        """These updates' replies were sent (or they needed none): nothing to take up again.
        One transaction for all of them: the loop marks together those that finish together."""

        def work(session: Session) -> None:
            runner, at = runner_for(session), utcnow()
            for update_id in update_ids:
                runner.run(_FINISH, {"channel": self.channel, "update_id": update_id, "at": at})

        await transaction(self.database, work)

    async def prune(self, *, now: dt.datetime | None = None) -> None:
        """Drop entries finished more than `KEEP_FINISHED` ago, and the handled update ids of
        the same age (see `_FORGET_PROCESSED`)."""
        before = (now or utcnow()) - KEEP_FINISHED
        params = {"channel": self.channel, "before": before}

        def forget(session: Session) -> None:
            runner = runner_for(session)
            runner.run(_PRUNE, params)
            runner.run(_FORGET_PROCESSED, params)

        await transaction(self.database, forget)


# --- inside the message's transaction (`DialogueTx.keep_replies`, `kept_replies`) ---------------


def keep(
    session: Session,
    *,
    channel: str,
    update_id: str,
    replies: Sequence[Outbound],
    report: dict[str, Any] | None,
) -> None:
    """Keep the replies (texts, buttons, kinds: files are made again) and the report's data with
    the update's unfinished entry; no entry, nothing kept."""
    outcome = {"replies": [_reply(r) for r in replies], "report": report}
    params = {
        "channel": channel,
        "update_id": update_id,
        "outcome": json.dumps(outcome, ensure_ascii=False, separators=(",", ":")),
    }
    runner_for(session).run(_KEEP, params)


def kept(session: Session, *, channel: str, update_id: str) -> KeptReplies | None:
    rows, _ = runner_for(session).run(_KEPT, {"channel": channel, "update_id": update_id})
    if not rows or rows[0]["outcome"] is None:
        return None
    outcome = json.loads(rows[0]["outcome"])
    return KeptReplies(
        replies=tuple(_outbound(r) for r in outcome["replies"]), report=outcome["report"]
    )


def _reply(reply: Outbound) -> dict[str, Any]:
    # A reply carries a file only once the report is rendered, after the transaction.
    assert reply.document is None, "files are not kept: the report is rendered again"
    return {
        "text": reply.text,
        "kind": reply.kind,
        "buttons": [[b.id, b.label, b.navigation] for b in reply.buttons],
    }


def _outbound(data: dict[str, Any]) -> Outbound:
    buttons = tuple(Button(id, label, navigation) for id, label, navigation in data["buttons"])
    return Outbound(data["text"], buttons=buttons, kind=data["kind"])
