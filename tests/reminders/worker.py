"""A dispatcher process for the multi-process tests: `python -m tests.reminders.worker
[--die-after-claim]`, configured by the environment as `dvht dispatch --once` is (DATABASE_URL,
TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, DVHT_DISPATCH_LEASE_S, DVHT_PUSH_RATE), built by the same
wiring, without quiet hours (the tests run at any hour) and waiting for leases that run out.

`--die-after-claim` ends the process with `os._exit(1)` right after its first claim committed,
before anything is sent: the crash that leaves claimed reminders behind."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from typing import Any


async def main(die_after_claim: bool) -> dict[str, Any]:
    from bot.settings import Settings
    from bot.wiring import build_dispatcher, telegram_pushes
    from storage.bootstrap import open_database

    settings = Settings()
    token = settings.telegram_token()
    assert token is not None
    database = await open_database(settings.database())
    try:
        async with telegram_pushes(settings, token, database) as sender:
            dispatcher = build_dispatcher(
                settings, database, {"telegram": sender}, quiet_hours=False, plan=False
            )
            if die_after_claim:
                claim = dispatcher.store.claim

                async def claim_then_die(**kwargs: Any) -> Any:
                    claimed = await claim(**kwargs)
                    if claimed:
                        sys.stdout.write(json.dumps({"claimed": len(claimed)}) + "\n")
                        sys.stdout.flush()
                        os._exit(1)
                    return claimed

                dispatcher.store.claim = claim_then_die  # type: ignore[method-assign]
            guard = await dispatcher.store.exclusive()
            await guard.acquire(wait=True)
            try:
                counts = await dispatcher.run_until_idle(horizon=dt.timedelta(seconds=60))
            finally:
                guard.release()
            return {"sent": counts.sent, "claimed": counts.claimed, "failed": counts.failed}
    finally:
        await database.close()


if __name__ == "__main__":
    result = asyncio.run(main("--die-after-claim" in sys.argv[1:]))
    sys.stdout.write(json.dumps(result) + "\n")
