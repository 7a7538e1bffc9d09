"""The composition root: settings → database → storage adapters → conversation service, and
each channel's adapters around it. Nothing else builds an adapter or opens a transaction for
a channel; the settings arrive from the entry point, which reads them once."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.dossier_desk import DossierDesk
from bot.settings import Settings
from conversations import catalogue as say
from conversations.messages import Channel, FileInfo
from conversations.ports import EvidenceRefused, FileSource, Notifier, ReportRenderer
from conversations.service import ConversationService
from reports.chart import ChartImages
from reports.renderer import ReportFiles
from reports.roster_xlsx import RosterXlsx
from storage.bootstrap import open_database
from storage.db import Database
from storage.dialogue_store import SqlDialogueStore
from storage.evidence_files import EvidenceFilesAdapter
from storage.evidence_store import LocalEvidenceStore
from storage.inbox import SqlInbox
from storage.people import PersonRepository
from storage.uow import transaction

if TYPE_CHECKING:  # aiogram takes seconds to import: only the Telegram channel loads it
    from bot.telegram.channel import RunningTelegram
    from bot.telegram.client import TelegramChannel
    from reminders.dispatcher import Dispatcher
    from reminders.ports import Claimed, Clock, Scope


class ChannelFiles:
    """The conversation service's one `FileSource` over every running channel's: each channel
    adds its own with the files it owns (`owns`), or as the fallback (`owns` None: Telegram,
    whose file ids are opaque). A channel built later (Zalo, whose photos come as URLs) adds
    its source with a test such as `lambda f: f.file_id.startswith("https://")`."""

    def __init__(self) -> None:
        self._owned: list[tuple[Callable[[FileInfo], bool], FileSource]] = []
        self._fallback: FileSource | None = None

    def add(self, source: FileSource, *, owns: Callable[[FileInfo], bool] | None = None) -> None:
        if owns is None:
            self._fallback = source
        else:
            self._owned.append((owns, source))

    async def fetch(self, file: FileInfo) -> bytes:
        for owns, source in self._owned:
            if owns(file):
                return await source.fetch(file)
        if self._fallback is None:
            raise EvidenceRefused(say.FILE_NOT_RECEIVED)
        return await self._fallback.fetch(file)


@dataclass
class App:
    database: Database
    service: ConversationService
    files: ChannelFiles = field(default_factory=ChannelFiles)
    """Where each channel adds its `FileSource` (used when the app was built with none)."""
    notice_listeners: list[Callable[[], None]] = field(default_factory=list)
    """Called when a notice was queued in this process (issue 15): the reminder dispatcher
    running beside the channels adds its `nudge`, so a submission's notice goes at once."""
    dossiers: DossierDesk | None = None
    """/hoso's ZIPs (issue 16); `bot.serve` gives it the report links once they exist."""

    def notice_queued(self) -> None:
        for listener in self.notice_listeners:
            listener()

    async def database_ok(self) -> bool:
        """The database answers a query that reads it (the backend's /healthz): the schema's
        one-row version table, so a file that is no database any more (SQLite) or a dropped
        database fails it, where `SELECT 1` would not touch the file."""
        from sqlalchemy import text

        def ping(session: Any) -> bool:
            query = text("SELECT count(*) FROM alembic_version")
            return bool(session.connection().execute(query).scalar() == 1)

        return await self.database.run(ping, write=False)

    async def mark_unreachable(self, channel: Channel, user_id: str) -> None:
        """A user who blocked the bot gets no more pushes (reminders skip them) until they
        write again."""
        await transaction(
            self.database,
            lambda session: PersonRepository().set_reachable(
                session, channel=channel, external_id=user_id, reachable=False
            ),
        )

    def inbox(self, channel: Channel) -> SqlInbox:
        """The channel's inbox of updates taken on but not yet finished (Telegram polling)."""
        return SqlInbox(self.database, channel)

    async def close(self) -> None:
        await self.database.close()


async def build_app(
    settings: Settings,
    *,
    files: FileSource | None = None,
    with_reports: bool = True,
    keep_replies: bool = False,
) -> App:
    """`keep_replies`: for a channel that replays updates from its inbox after a crash (see
    `ConversationService`)."""
    database = await open_database(settings.database())
    channel_files = ChannelFiles()
    store = LocalEvidenceStore(
        settings.data_dir / "evidence", max_bytes=settings.max_upload_mb * 1024 * 1024
    )
    listeners: list[Callable[[], None]] = []

    def notice_queued() -> None:
        for listener in listeners:
            listener()

    dossiers = DossierDesk(
        database,
        evidence_root=settings.data_dir / "evidence",
        directory=settings.data_dir / "dossiers",
    )
    service = ConversationService(
        SqlDialogueStore(database),
        files=files if files is not None else channel_files,
        evidence=EvidenceFilesAdapter(store),
        reports=ReportFiles() if with_reports else None,
        # The result's chart as a photo, on Telegram and Zalo (the service's `chart_channels`).
        charts=ChartImages() if with_reports else None,
        keep_replies=keep_replies,
        dashboard_url=settings.public_url,
        on_notice=notice_queued,
        rosters=RosterXlsx(),
        dossiers=dossiers if with_reports else None,
    )
    return App(database, service, channel_files, listeners, dossiers)


async def build_telegram(settings: Settings, token: str) -> tuple[App, TelegramChannel]:
    """The app with the Telegram bot around it; a user who blocks the bot is marked
    unreachable through the app. Long polling keeps each update's replies with its inbox entry
    (`bot.telegram.inbox`); a webhook has no inbox (Telegram keeps an update it got no answer
    for), so it pays nothing for one."""
    webhook = settings.webhook_mode()
    app = await build_app(settings, keep_replies=not webhook)
    return app, telegram_parts(settings, token, app)


def telegram_parts(settings: Settings, token: str, app: App) -> TelegramChannel:
    """The bot, sender and dispatcher around `app` (its files added to the app's sources);
    every update counted in the backend's metrics (`bot.telegram.metrics`)."""
    from bot.telegram.client import TelegramChannel, make_bot
    from bot.telegram.files import TelegramFiles
    from bot.telegram.metrics import UpdateMetrics
    from bot.telegram.router import make_dispatcher
    from bot.telegram.sender import TelegramSender

    bot = make_bot(token, settings.telegram_api_url)
    webhook = settings.webhook_mode()
    app.files.add(TelegramFiles(bot))

    async def unreachable(user_id: str) -> None:
        await app.mark_unreachable("telegram", user_id)

    sender = TelegramSender(bot, on_blocked=unreachable)
    dispatcher = make_dispatcher(app.service, sender, webhook=webhook)
    dispatcher.update.outer_middleware(UpdateMetrics())
    return TelegramChannel(bot, sender, dispatcher, webhook)


def running_telegram(settings: Settings, token: str, app: App) -> RunningTelegram:
    """The Telegram channel as `bot.serve` runs it: long polling through the app's inbox, or
    the webhook route for the HTTP backend."""
    from bot.telegram.channel import RunningTelegram, WebhookSettings

    webhook = None
    url, secret = settings.telegram_webhook_url, settings.telegram_webhook_secret
    if url and secret:  # settings.webhook_mode()
        webhook = WebhookSettings(url, secret.get_secret_value())
    parts = telegram_parts(settings, token, app)
    return RunningTelegram(parts, app.inbox("telegram"), webhook)


def build_dispatcher(
    settings: Settings,
    database: Database,
    notifiers: Mapping[str, Notifier],
    *,
    clock: Clock | None = None,
    quiet_hours: bool = True,
    plan: bool = True,
    scope: Scope | None = None,
    reports: ReportRenderer | None = None,
    on_result: Callable[[Claimed, str], None] | None = None,
) -> Dispatcher:
    """The reminder dispatcher over `database`, pushing through `notifiers` (by channel),
    paced and retried as the settings say. `quiet_hours` False: no send window (the console,
    whose user is at the terminal). `plan`: the dispatcher also plans (a running one)."""
    from reminders.dates import default_window
    from reminders.dispatcher import Dispatcher, DispatchPolicy
    from reminders.pacing import Pacing, PacingLimits
    from reminders.planner import Planner
    from reminders.ports import SystemClock
    from storage.reminder_store import SqlProgressSource, SqlReminderStore

    clock = clock or SystemClock()
    store = SqlReminderStore(database)
    limits = PacingLimits(rate=settings.push_rate, per_chat=settings.push_rate_per_chat)
    policy = DispatchPolicy(
        max_attempts=settings.reminder_attempts,
        lease=dt.timedelta(seconds=settings.dispatch_lease_s),
        interval=dt.timedelta(seconds=settings.dispatch_interval_s),
    )
    planner = Planner(store, clock, offsets=settings.reminder_offsets()) if plan else None
    return Dispatcher(
        store,
        notifiers,
        clock,
        pacing=Pacing(limits),
        progress=SqlProgressSource(database),
        window=default_window() if quiet_hours else None,
        policy=policy,
        planner=planner,
        reports=reports,
        scope=scope,
        on_result=on_result,
    )


@contextlib.asynccontextmanager
async def telegram_pushes(
    settings: Settings, token: str, database: Database
) -> AsyncIterator[Notifier]:
    """The Telegram channel's `Notifier` for a process that only pushes (`dvht dispatch`,
    `dvht broadcast`): the same sender as the bot's, marking a chat that blocked the bot
    unreachable. Call `bot.telegram.client.check_bot_api` first."""
    from bot.telegram.client import make_bot
    from bot.telegram.sender import TelegramSender

    bot = make_bot(token, settings.telegram_api_url)

    async def unreachable(user_id: str) -> None:
        await transaction(
            database,
            lambda session: PersonRepository().set_reachable(
                session, channel="telegram", external_id=user_id, reachable=False
            ),
        )

    try:
        yield TelegramSender(bot, on_blocked=unreachable)
    finally:
        await bot.session.close()
