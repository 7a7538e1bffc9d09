"""`dvht broadcast --province P | --office ID | --unit ID --text "…" [--dry-run] [--now]`: an
announcement to every reachable member in scope, paced like reminders, resumable (a rerun sends
only to whoever has not received it), with a progress bar on a terminal and the final counts.
It waits for the end of quiet hours unless `--now` (an urgent announcement); see
`reminders.broadcast` for the decisions (quiet hours, the opt-out)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from cli import arguments, text
from cli.common import CliError, load_settings, storage_errors

if TYPE_CHECKING:
    from cli.common import Commands
    from reminders.ports import Claimed
    from storage.db import Database

CHANNELS = ("telegram",)
"""The channels a broadcast is delivered on (Zalo joins when its channel pushes)."""
office_id = arguments.bounded_int(1, arguments.MAX_ID, "mã cơ quan")


def add_commands(commands: Commands) -> None:
    broadcast = commands.add_parser("broadcast", help=text.HELP_BROADCAST)
    # A group's options bypass the parser's Vietnamese metavars: named here.
    scope = broadcast.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--province", metavar=text.METAVARS["province"], help=text.HELP_BROADCAST_PROVINCE
    )
    scope.add_argument(
        "--office",
        type=office_id,
        metavar=text.METAVARS["office"],
        help=text.HELP_BROADCAST_OFFICE,
    )
    scope.add_argument(
        "--unit",
        type=arguments.unit_id,
        metavar=text.METAVARS["unit"],
        help=text.HELP_BROADCAST_UNIT,
    )
    broadcast.add_argument("--text", required=True, help=text.HELP_BROADCAST_TEXT)
    broadcast.add_argument("--dry-run", action="store_true", help=text.HELP_DRY_RUN)
    broadcast.add_argument("--now", action="store_true", help=text.HELP_BROADCAST_NOW)
    broadcast.set_defaults(handler=_cmd_broadcast)


class ProgressBar:
    """“[██████░░░░] 60/100” on stderr, redrawn in place, only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.shown = stream.isatty() and total > 0

    def advance(self, _reminder: Claimed | None = None, outcome: str = "sent") -> None:
        if outcome != "retry_after":  # put back for a moment: not done yet
            self.done = min(self.done + 1, self.total)
        self.draw()

    def set(self, done: int) -> None:
        self.done = min(done, self.total)
        self.draw()

    def draw(self) -> None:
        if not self.shown:
            return
        filled = self.WIDTH * self.done // self.total
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _scope(args: argparse.Namespace) -> tuple[str, str]:
    if args.province is not None:
        return "province", args.province
    if args.office is not None:
        return "office", str(args.office)
    return "unit", str(args.unit)


def _cmd_broadcast(args: argparse.Namespace) -> int:
    import asyncio

    from cli.commands.dispatch import check_channel, push_token

    settings = load_settings()
    kind, value = _scope(args)
    token = None if args.dry_run else push_token(settings)

    async def main() -> str:
        from storage.bootstrap import open_database

        if token is not None:
            await check_channel(settings, token)
        database = await open_database(settings.database())
        try:
            return await _broadcast(database, kind, value, args.text, token, args.dry_run)
        finally:
            await database.close()

    async def _broadcast(
        database: Database, kind: str, value: str, body: str, token: str | None, dry: bool
    ) -> str:
        from dvht_core import vietnam_time
        from reminders import broadcast
        from reminders.dates import default_window
        from reminders.ports import SystemClock
        from storage.reminder_store import SqlBroadcastStore

        store = SqlBroadcastStore(database)
        try:
            announced = await broadcast.announcement(store, kind, value, body)  # type: ignore[arg-type]
        except broadcast.BroadcastRefused as refused:
            raise CliError(
                text.broadcast_refused(
                    refused.reason, size=refused.size, known=refused.known, value=value
                )
            ) from None
        if dry or token is None:
            seen = await broadcast.audience(store, announced, CHANNELS)
            would = max(seen["reachable"] - seen["received"], 0)
            return text.broadcast_dry_run(
                would, seen["received"], seen["blocked"], seen["opted_out"]
            )
        window = None if args.now else default_window()
        prepared = await broadcast.prepare(
            store, announced, channels=CHANNELS, clock=SystemClock(), window=window
        )
        if prepared.waiting:
            due = vietnam_time.local(prepared.due)
            return text.broadcast_waiting(f"{due:%H:%M} ngày {due:%d/%m/%Y}")
        await _send(database, store, prepared.broadcast_id, token)
        totals = await store.counts(prepared.broadcast_id)
        return text.broadcast_done(totals, prepared.audience["blocked"])

    async def _send(database: Database, store: object, broadcast_id: int, token: str) -> None:
        from bot.wiring import build_dispatcher, telegram_pushes
        from reminders.ports import Scope
        from storage.reminder_store import SqlBroadcastStore

        assert isinstance(store, SqlBroadcastStore)
        before = await store.counts(broadcast_id)
        bar = ProgressBar(before.get("planned", 0) + before.get("claimed", 0))
        bar.draw()
        try:
            async with telegram_pushes(settings, token, database) as sender:
                dispatcher = build_dispatcher(
                    settings,
                    database,
                    {"telegram": sender},
                    plan=False,
                    quiet_hours=not args.now,
                    scope=Scope(CHANNELS, broadcast_id=broadcast_id),
                    on_result=bar.advance,
                )
                guard = await dispatcher.store.exclusive()
                if await guard.acquire(wait=False):
                    try:
                        await dispatcher.run_until_idle()
                    finally:
                        guard.release()
                    return
                sys.stderr.write(text.BROADCAST_ELSEWHERE + "\n")
                await _follow(store, broadcast_id, bar)
        finally:
            bar.close()

    with storage_errors(settings):
        sys.stdout.write(asyncio.run(main()) + "\n")
    return 0


async def _follow(store: object, broadcast_id: int, bar: ProgressBar) -> None:
    """SQLite with another dispatcher running: it sends; show its progress until done."""
    import asyncio

    from storage.reminder_store import SqlBroadcastStore

    assert isinstance(store, SqlBroadcastStore)
    while True:
        counts = await store.counts(broadcast_id)
        waiting = counts.get("planned", 0) + counts.get("claimed", 0)
        bar.set(bar.total - waiting)
        if waiting == 0:
            return
        await asyncio.sleep(1.0)
