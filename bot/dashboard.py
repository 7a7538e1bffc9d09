"""The dashboard's parts built from the settings (issue 15): the one place `dvht serve`, its
worker processes and `dvht web` get them from, so the three serve the same dashboard.

The secret key (DVHT_SECRET_KEY, or the one generated under DVHT_DATA_DIR on first start)
signs the CSRF tokens; it is added to what the output redacts. Cookies are Secure when the
dashboard's address is https.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from conversations.records import Actor
    from review.ports import Decision, ReviewActions
    from storage.db import Database
    from web.dashboard.deps import DashboardDeps


class NudgingReview:
    """The review use case, telling `on_notice` after each decision (whose notices it queued)
    so the reminder dispatcher running in this process delivers them at once rather than at
    its next look a minute later (issue 15 e2e: a return's notice reaches the members' chats
    while the reviewer still has the page open)."""

    def __init__(self, review: ReviewActions, on_notice: Callable[[], None]) -> None:
        self.review = review
        self.on_notice = on_notice

    async def return_dossier(
        self, actor: Actor, *, unit_id: int, year: int, reason: str
    ) -> Decision:
        decision = await self.review.return_dossier(
            actor, unit_id=unit_id, year=year, reason=reason
        )
        self.on_notice()
        return decision

    async def recognise(
        self,
        actor: Actor,
        *,
        unit_id: int,
        year: int,
        decision_number: str,
        decision_date: dt.date,
        level: int,
    ) -> Decision:
        decision = await self.review.recognise(
            actor,
            unit_id=unit_id,
            year=year,
            decision_number=decision_number,
            decision_date=decision_date,
            level=level,
        )
        self.on_notice()
        return decision


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

    review = review_service(database)
    secret = settings.secret_key_bytes()
    redact_also(secret.decode("utf-8", "replace"))
    offsets = settings.reminder_offsets()

    async def replan() -> object:
        return await Planner(SqlReminderStore(database), SystemClock(), offsets=offsets).plan()

    return DashboardDeps.for_base_url(
        database=database,
        review=review if on_notice is None else NudgingReview(review, on_notice),
        base_url=settings.base_url(),
        secret=secret,
        evidence=LocalEvidenceStore(
            settings.data_dir / "evidence", max_bytes=settings.max_upload_mb * 1024 * 1024
        ),
        reports=ReportFiles(),
        replan=replan,
    )
