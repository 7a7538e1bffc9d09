"""The Zalo channel as `bot.serve` runs it (`bot.channels.RunningChannel`).

Polling by default; webhook mode when ZALO_WEBHOOK_URL and ZALO_WEBHOOK_SECRET are both set:
`start()` registers the webhook (the backend's port is open by then, so the service may push at
once) and `routers` holds `POST /zalo/webhook`. In polling mode `start()` removes a webhook left
from an earlier run, since getUpdates is refused while one is set.

A 401 at any time means the token was reset in the Zalo Bot Creator: it is logged once, polling
stops, and the process keeps serving the other channels (and the backend).

The dialogue runs on the app's conversation service; Zalo's photo download joins the app's file
sources for the files it owns (photo URLs), beside Telegram's. A replayed event is answered with
nothing: its update was claimed, and Zalo has no inbox whose kept replies could answer it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.settings import Settings
from bot.startup import StartupFailure
from bot.zalo.check import check_zalo_api, failure_of, origin
from bot.zalo.client import ZaloClient, ZaloError, ZaloUnauthorized
from bot.zalo.files import ZaloFiles
from bot.zalo.handler import ZaloHandler
from bot.zalo.polling import ZaloPolling
from bot.zalo.sender import ZaloSender
from bot.zalo.webhook import zalo_router
from conversations.messages import Channel, FileInfo
from conversations.ports import FileSource, Notifier, ReportLinks
from conversations.service import ConversationService

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = ["ZaloChannel", "build_zalo", "check_zalo_api"]
log = logging.getLogger(__name__)


class FileSources(Protocol):
    """`bot.wiring.ChannelFiles`: the service's one file source over every channel's."""

    def add(
        self, source: FileSource, *, owns: Callable[[FileInfo], bool] | None = None
    ) -> None: ...


class ZaloApp(Protocol):
    """What the channel needs of `bot.wiring.App` (named structurally: the channels do not
    import the composition root, which imports them)."""

    @property
    def service(self) -> ConversationService: ...

    @property
    def files(self) -> FileSources: ...


class ZaloChannel:
    def __init__(
        self,
        client: ZaloClient,
        sender: ZaloSender,
        handler: ZaloHandler,
        files: ZaloFiles,
        *,
        webhook_url: str | None,
        webhook_secret: str | None,
        poll_timeout: int = 30,
    ) -> None:
        self.client = client
        self.sender = sender
        self.handler = handler
        self.files = files
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.poll_timeout = poll_timeout
        self.revoked = asyncio.Event()
        """Set once the token was refused (401)."""
        self._routers: list[APIRouter] = []
        if self.webhook:
            assert webhook_secret is not None
            self._routers.append(zalo_router(self.handler.handle, webhook_secret))
        sender.on_unauthorized = self.token_refused

    @property
    def name(self) -> Channel:
        return "zalo"

    @property
    def webhook(self) -> bool:
        return bool(self.webhook_url and self.webhook_secret)

    @property
    def routers(self) -> Sequence[APIRouter]:
        return tuple(self._routers)

    @property
    def notifier(self) -> Notifier:
        return self.sender

    def token_refused(self, error: ZaloUnauthorized | None = None) -> None:
        """Logged once, however many calls meet the 401 meanwhile; polling stops."""
        if self.revoked.is_set():
            return
        self.revoked.set()
        log.error(
            "Zalo refused the bot token (401): it was reset in Zalo Bot Creator. Set "
            "ZALO_BOT_TOKEN to the new token and restart; the other channels keep running."
        )

    async def start(self) -> None:
        api = origin(self.client.api_url)
        try:
            if self.webhook:
                assert self.webhook_url is not None
                assert self.webhook_secret is not None
                await self.client.set_webhook(self.webhook_url, self.webhook_secret)
                log.info("Zalo: webhook registered")
                return
            info = await self.client.get_webhook_info()
            if info.url:
                await self.client.delete_webhook()
                log.info("Zalo: the webhook of an earlier run was removed, long polling")
        except ZaloError as error:
            if self.webhook and not isinstance(error, ZaloUnauthorized):
                failure = failure_of(error, api)
                if failure.reason not in ("webhook_refused", "token_refused"):
                    raise StartupFailure("webhook_unset", channel="zalo") from None
                raise failure from None
            if not self.webhook and not isinstance(error, ZaloUnauthorized):
                raise StartupFailure("webhook_not_removed", channel="zalo") from None
            raise failure_of(error, api) from None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` (webhook mode: just wait). After a 401 the channel stays idle."""
        if not self.webhook:
            polling = ZaloPolling(
                self.client,
                self.handler,
                stop=stop,
                revoked=self.revoked,
                poll_timeout=self.poll_timeout,
            )
            log.info("Zalo: long polling")
            try:
                await polling.run()
            except ZaloUnauthorized as error:
                self.token_refused(error)
        await stop.wait()

    async def close(self) -> None:
        await self.client.close()
        await self.files.close()


async def build_zalo(
    settings: Settings,
    app: ZaloApp,
    links: ReportLinks,
    preview: Callable[[bytes], bytes] | None,
    *,
    client: ZaloClient | None = None,
    poll_timeout: int = 30,
) -> ZaloChannel:
    """The channel for ZALO_BOT_TOKEN (call `check_zalo_api` first). `client`: an already
    configured client (tests shorten its backoff)."""
    token = settings.zalo_token()
    if token is None:
        raise ValueError("ZALO_BOT_TOKEN is not set")
    client = client or ZaloClient(token, settings.zalo_api_url)
    files = ZaloFiles(max_bytes=settings.max_upload_mb * 1024 * 1024)
    sender = ZaloSender(client, links, preview)
    app.files.add(files, owns=files.owns)
    handler = ZaloHandler(app.service, sender)
    webhook = settings.zalo_webhook_mode()
    given = settings.zalo_webhook_secret
    secret = given.get_secret_value() if given is not None else None
    return ZaloChannel(
        client,
        sender,
        handler,
        files,
        webhook_url=settings.zalo_webhook_url if webhook else None,
        webhook_secret=secret if webhook else None,
        poll_timeout=poll_timeout,
    )
