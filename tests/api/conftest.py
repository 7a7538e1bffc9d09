"""The units pages, exports and JSON API on a real database (SQLite, and PostgreSQL with
DVHT_TEST_DATABASE_URL), through httpx on the ASGI app as `dvht web` builds it
(`dashboard_app`), with part A's real review service and a local evidence store."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from storage import login_links
from storage.db import Database
from storage.evidence_store import LocalEvidenceStore
from storage.review_store import review_service
from storage.uow import transaction
from tests.board.world import BoardWorld, level2_values
from web.dashboard import DashboardDeps, dashboard_app
from web.dashboard.auth import COOKIE, csrf_token_for

SECRET = b"a test secret of enough length for hmac"
BASE = "http://dashboard.test"
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
"""09:00 on 07/12/2026 in Vietnam: assessment year 2026 (tests.board.world.TODAY)."""
VALUES = level2_values()


@dataclass
class Site:
    """The seeded data: one office with a reviewer, its units, an admin, an outsider."""

    world: BoardWorld
    office: int
    other_office: int
    reviewer: int
    admin: int
    outsider: int
    done: int
    """Every indicator answered at level 2, then submitted at level 1 (awaits review)."""
    partial: int
    """Three indicators answered."""
    idle: int
    """Not started."""
    far: int
    """A unit of the other office."""
    done_assessment: int
    evidence_root: Path


def clock() -> dt.datetime:
    return NOW


@pytest.fixture
async def site(database: Database, tmp_path: Path) -> Site:
    world = BoardWorld(database)
    office = await world.office("Phòng Văn hóa - Xã hội huyện Kim Động")
    other = await world.office("Phòng khác", province="Huế")
    done = await world.unit("UBND xã Đồng Thanh", office_id=office)
    partial = await world.unit("UBND xã Hùng An", office_id=office)
    idle = await world.unit('=HYPERLINK("http://x","bấm")', office_id=office)
    far = await world.unit("UBND xã Phú Vang", office_id=other, province="Huế")
    reviewer = await world.person("Nguyễn Thị Thẩm Định", reviewer_of=(office,))
    admin = await world.person("Trần Văn Quản Trị", admin_of=(done,))
    outsider = await world.person("Người ngoài", reviewer_of=(other,))
    aid = await world.answer(done, VALUES, by=admin)
    await world.answer(partial, {k: VALUES[k] for k in list(VALUES)[:3]})
    await world.set_status(aid, "submitted", submitted_level=1)
    return Site(
        world, office, other, reviewer, admin, outsider, done, partial, idle, far, aid,
        tmp_path / "evidence",
    )  # fmt: skip


def make_deps(database: Database, evidence_root: Path) -> DashboardDeps:
    return DashboardDeps.for_base_url(
        database=database,
        review=review_service(database, clock=_ReviewClock()),
        base_url=BASE,
        secret=SECRET,
        clock=clock,
        evidence=LocalEvidenceStore(evidence_root),
    )


class _ReviewClock:
    def now(self) -> dt.datetime:
        return NOW


async def _ok() -> bool:
    return True


@pytest.fixture
async def http(database: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    app = dashboard_app(make_deps(database, site.evidence_root), database_ok=_ok)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def sign_in(http: httpx.AsyncClient, database: Database, person_id: int) -> str:
    """Sign `person_id` in through a one-time link; the session's CSRF token."""

    def issue(session: Session) -> str:
        return login_links.issue(session, person_id=person_id, via="cli", now=NOW)[0]

    token = await transaction(database, issue)
    answer = await http.post(f"/dangnhap/{token}")
    assert answer.status_code == 303, answer.text
    return csrf_token_for(SECRET, http.cookies[COOKIE])
