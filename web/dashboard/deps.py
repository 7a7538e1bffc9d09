"""What the dashboard's routes need, built once by the composition (`bot.serve`, `dvht web`)
and handed to `dashboard_routers`: the routes read it with `get_deps(request)`.

A dataclass rather than module globals so that a test builds an app on its own database and
clock, and two apps in one process (the test suite) never share anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from dvht_core.vietnam_time import assessment_year, today

if TYPE_CHECKING:
    from conversations.ports import ReportRenderer
    from review.ports import ReviewActions
    from storage.db import Database
    from storage.evidence_store import EvidenceStore


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class DashboardDeps:
    database: Database
    review: ReviewActions
    base_url: str
    """The dashboard's public address (DVHT_PUBLIC_URL, or http://HOST:PORT for `dvht web`)."""
    secret: bytes
    """DVHT_SECRET_KEY: signs the CSRF tokens (never logged)."""
    clock: Callable[[], dt.datetime] = _utc_now
    """The current moment (UTC, aware); tests move it to expire sessions."""
    evidence: EvidenceStore | None = None
    """Where the evidence files are read from (the unit page's downloads)."""
    reports: ReportRenderer | None = None
    """Renders a unit's report (the ZIP export)."""
    year: int | None = None
    """The assessment year shown; None: the year officials work on today (Vietnam time)."""
    replan: Callable[[], Awaitable[object]] | None = None
    """Plans the deadline reminders again after a deadline is added or removed (the
    composition passes the reminders planner with the configured offsets); None: not here."""
    broadcast_channels: tuple[str, ...] = ("telegram", "zalo")
    """The channels a broadcast from the dashboard is queued for (the running dispatcher of
    `dvht serve` or `dvht dispatch` delivers them)."""
    secure_cookies: bool | None = None
    """Set the session cookie's Secure flag; None (the default): exactly when `base_url` is
    https, so deps built for a public https address can never send the cookie in clear."""

    def __post_init__(self) -> None:
        if self.secure_cookies is None:
            secure = self.base_url.lower().startswith("https://")
            object.__setattr__(self, "secure_cookies", secure)

    def __repr__(self) -> str:  # the secret never appears, even in a traceback
        return f"DashboardDeps(base_url={self.base_url!r})"

    def now(self) -> dt.datetime:
        moment = self.clock()
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

    def current_year(self) -> int:
        return self.year if self.year is not None else assessment_year(today(self.now()))

    @classmethod
    def for_base_url(cls, **kwargs: object) -> DashboardDeps:
        """Deps whose cookies are Secure exactly when `base_url` is https (the default now;
        kept for the callers written against it)."""
        return cls(**kwargs)  # type: ignore[arg-type]


def get_deps(request: Request) -> DashboardDeps:
    """The deps of the app serving `request` (put there by `dashboard_routers`' binding)."""
    deps: DashboardDeps = request.state.dashboard
    return deps
