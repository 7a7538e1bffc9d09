"""The polling benchmark's baseline: `dvht serve` as it polled before the inbox, with aiogram's
own `start_polling` (which confirms an update while its handler still runs) and a conversation
service that keeps no replies. Everything else is wired as `bot.wiring` wires it."""

from __future__ import annotations

import asyncio

from bot.redaction import install_redaction
from bot.serving import tune_garbage_collector
from bot.settings import Settings
from bot.telegram.client import make_bot
from bot.telegram.files import TelegramFiles
from bot.telegram.polling import announce_commands
from bot.telegram.router import make_dispatcher
from bot.telegram.sender import TelegramSender
from bot.wiring import build_app


async def main() -> None:
    settings = Settings()
    token = settings.telegram_token()
    assert token is not None
    install_redaction(token)
    bot = make_bot(token, settings.telegram_api_url)
    app = await build_app(settings, files=TelegramFiles(bot))
    sender = TelegramSender(bot)
    dispatcher = make_dispatcher(app.service, sender)
    tune_garbage_collector()
    try:
        await sender.call(bot.delete_webhook, drop_pending_updates=False)
        await announce_commands(bot, sender)
        await dispatcher.start_polling(bot, polling_timeout=30, handle_signals=True)
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main())
