"""The dashboard's parts built from the settings (issue 15): the one place `dvht serve`, its
worker processes and `dvht web` get them from, so the three serve the same dashboard.

The secret key (DVHT_SECRET_KEY, or the one generated under DVHT_DATA_DIR on first start)
signs the CSRF tokens; it is added to what the output redacts. Cookies are Secure when the
dashboard's address is https.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.db import Database
    from web.dashboard.deps import DashboardDeps


def dashboard_deps(
    settings: Settings, database: Database, *, on_notice: Callable[[], None] | None = None
) -> DashboardDeps:
    """`on_notice`: called after a decision queued its notices (`dvht serve` passes the
    running dispatcher's nudge, through `App.notice_queued`)."""
    from bot.redaction import redact_also
    from reminders.planner import Planner
    from reminders.ports import SystemClock
    from reports.renderer import ReportFiles
    from storage.evidence_store import LocalEvidenceStore
    from storage.reminder_store import SqlReminderStore
    from storage.review_store import review_service
    from web.dashboard.deps import DashboardDeps

    review = review_service(database, on_notice=on_notice)
    secret = settings.secret_key_bytes()
    redact_also(secret.decode("utf-8", "replace"))
    offsets = settings.reminder_offsets()

    async def replan() -> object:
        return await Planner(SqlReminderStore(database), SystemClock(), offsets=offsets).plan()

    return DashboardDeps.for_base_url(
        database=database,
        review=review,
        base_url=settings.base_url(),
        secret=secret,
        evidence=LocalEvidenceStore(
            settings.data_dir / "evidence", max_bytes=settings.max_upload_mb * 1024 * 1024
        ),
        reports=ReportFiles(),
        replan=replan,
    )
