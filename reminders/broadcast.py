"""Broadcasts: an announcement to every reachable member in a province, an office's scope or a
unit, delivered as reminders of kind "broadcast" by the same dispatcher, paced the same way.

A broadcast is found again by its scope and the hash of its text, so running the same one
again sends only to whoever has not received it (the reminders' unique key keeps one per
chat). The opt-out (/tatnhacnho) covers deadline reminders only, so a broadcast reaches those
who turned them off; a chat that blocked the bot is not planned at all.

**Quiet hours hold for broadcasts too**: an announcement at 22:00 wakes people as a reminder
would. Prepared in quiet hours or on a holiday, a broadcast is planned for the next allowed
moment (07:00 of the next open day) and the operator is told when; the running dispatcher
(`dvht serve`, `dvht dispatch`) sends it then, or the same command run again after that
moment does. `dvht broadcast --now` sends at once anyway, for an urgent announcement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from reminders.ports import Clock, Window

ScopeKind = Literal["province", "office", "unit"]
TEXT_LIMIT = 4096
"""Telegram's limit on one message, in UTF-16 code units."""


class BroadcastRefused(Exception):
    """Bad input, by `reason`: empty, too_long (`size`), unknown_province (`known`),
    unknown_office, unknown_unit, empty_scope."""

    def __init__(self, reason: str, *, size: int = 0, known: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size
        self.known = tuple(known)


class BroadcastStore(Protocol):
    async def scope_units(self, kind: str, value: str) -> int: ...

    async def exists(self, table: str, row_id: int) -> bool: ...

    async def provinces(self) -> list[str]: ...

    async def find(self, kind: str, value: str, sha256: str) -> int | None: ...

    async def plan(
        self,
        *,
        kind: str,
        value: str,
        body: str,
        sha256: str,
        channels: Sequence[str],
        due: dt.datetime,
        now: dt.datetime,
    ) -> tuple[int, int]: ...

    async def audience(
        self, kind: str, value: str, channels: Sequence[str], broadcast_id: int | None
    ) -> dict[str, int]: ...

    async def counts(self, broadcast_id: int) -> dict[str, int]: ...


@dataclass(frozen=True)
class Announcement:
    """A validated broadcast: its scope and its text (NFC, trimmed)."""

    kind: ScopeKind
    value: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Prepared:
    broadcast_id: int
    planned: int
    """Reminders planned (or planned again) by this run."""
    due: dt.datetime
    """When they go: now, or the end of the quiet hours."""
    waiting: bool
    """Prepared in quiet hours: nothing is sent before `due`."""
    audience: dict[str, int]


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def announcement(
    store: BroadcastStore, kind: ScopeKind, value: str, text: str
) -> Announcement:
    """Check the text and the scope; `BroadcastRefused` names what is wrong."""
    body = unicodedata.normalize("NFC", text).strip()
    if not body:
        raise BroadcastRefused("empty")
    size = utf16_length(body)
    if size > TEXT_LIMIT:
        raise BroadcastRefused("too_long", size=size)
    scope = unicodedata.normalize("NFC", value).strip()
    if kind == "province":
        if await store.scope_units(kind, scope) == 0:
            raise BroadcastRefused("unknown_province", known=await store.provinces())
    else:
        table = "offices" if kind == "office" else "units"
        if not await store.exists(table, int(scope)):
            raise BroadcastRefused(f"unknown_{kind}")
        if await store.scope_units(kind, scope) == 0:
            raise BroadcastRefused("empty_scope")
    return Announcement(kind, scope, body)


async def audience(
    store: BroadcastStore, announced: Announcement, channels: Sequence[str]
) -> dict[str, int]:
    """For `--dry-run`: the chats that would get it (`reachable` less `received`)."""
    existing = await store.find(announced.kind, announced.value, announced.sha256)
    return await store.audience(announced.kind, announced.value, channels, existing)


async def prepare(
    store: BroadcastStore,
    announced: Announcement,
    *,
    channels: Sequence[str],
    clock: Clock,
    window: Window | None,
) -> Prepared:
    """Create (or find) the broadcast and plan its reminders, due now or when the quiet hours
    end."""
    now = clock.now()
    due = window.next_allowed(now) if window is not None else now
    broadcast_id, planned = await store.plan(
        kind=announced.kind,
        value=announced.value,
        body=announced.text,
        sha256=announced.sha256,
        channels=channels,
        due=due,
        now=now,
    )
    seen = await store.audience(announced.kind, announced.value, channels, broadcast_id)
    return Prepared(broadcast_id, planned, due, due > now, seen)
