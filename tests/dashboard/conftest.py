"""The dashboard on a real database (SQLite, and PostgreSQL with DVHT_TEST_DATABASE_URL),
reached through httpx on the ASGI app (`dashboard_app`, as `dvht web` builds it), with a clock
the tests move."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from storage import login_links
from storage.db import Database
from storage.tables import Membership, Office, Person, ReviewerScope, Unit
from storage.uow import transaction
from web.dashboard import DashboardDeps, dashboard_app
from web.dashboard.auth import COOKIE, csrf_token_for

SECRET = b"a test secret of enough length for hmac"
BASE = "http://dashboard.test"
START = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


@dataclass
class Clock:
    moment: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, delta: dt.timedelta) -> None:
        self.moment += delta


class NoReview:
    """The review use case is part A's; the shell's tests never reach it."""

    async def return_dossier(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the shell's tests do not review")

    async def recognise(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the shell's tests do not review")


@dataclass
class World:
    database: Database
    clock: Clock
    office_id: int
    other_office_id: int
    reviewer_id: int
    admin_id: int
    member_id: int
    unit_id: int
    other_unit_id: int
    ids: dict[str, int] = field(default_factory=dict)

    async def link(self, person_id: int, *, at: dt.datetime | None = None) -> str:
        moment = at or self.clock()

        def issue(session: Session) -> str:
            return login_links.issue(session, person_id=person_id, via="cli", now=moment)[0]

        return await transaction(self.database, issue)


async def seed(database: Database, clock: Clock) -> World:
    def work(session: Session) -> World:
        office = Office(name="Sở Giáo dục và Đào tạo Hà Nội", province="Hà Nội", kind="so_gddt")
        other = Office(name="Sở Giáo dục và Đào tạo Huế", province="Huế")
        session.add_all([office, other])
        session.flush()
        assert office.id is not None
        assert other.id is not None
        unit = Unit(
            name="UBND xã Đông Anh",
            tier="huyen",
            unit_type="ubnd_xa",
            province="Hà Nội",
            office_id=office.id,
        )
        far = Unit(
            name="UBND xã Phú Vang",
            tier="huyen",
            unit_type="ubnd_xa",
            province="Huế",
            office_id=other.id,
        )
        reviewer = Person(display_name="Nguyễn Thị Thẩm Định")
        admin = Person(display_name="Trần Văn Quản Trị")
        member = Person(display_name="Lê Thành Viên")
        session.add_all([unit, far, reviewer, admin, member])
        session.flush()
        assert unit.id is not None
        assert far.id is not None
        assert reviewer.id is not None
        assert admin.id is not None
        assert member.id is not None
        session.add(ReviewerScope(person_id=reviewer.id, office_id=office.id))
        session.add(Membership(person_id=admin.id, unit_id=unit.id, role="unit_admin"))
        session.add(Membership(person_id=member.id, unit_id=unit.id, role="member"))
        session.flush()
        return World(
            database=database, clock=clock, office_id=office.id, other_office_id=other.id,
            reviewer_id=reviewer.id, admin_id=admin.id, member_id=member.id, unit_id=unit.id,
            other_unit_id=far.id,
        )  # fmt: skip

    return await transaction(database, work)


def make_deps(database: Database, clock: Clock, base_url: str = BASE) -> DashboardDeps:
    return DashboardDeps.for_base_url(
        database=database, review=NoReview(), base_url=base_url, secret=SECRET, clock=clock
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def world(database: Database, clock: Clock) -> World:
    return await seed(database, clock)


async def _always_ok() -> bool:
    return True


@pytest.fixture
async def client(database: Database, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = dashboard_app(make_deps(database, clock), database_ok=_always_ok)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def sign_in(http: httpx.AsyncClient, world: World, person_id: int) -> str:
    """Log `person_id` in through a fresh link; the CSRF token of the new session."""
    token = await world.link(person_id)
    answer = await http.post(f"/dangnhap/{token}")
    assert answer.status_code == 303, answer.text
    session_token = http.cookies[COOKIE]
    return csrf_token_for(SECRET, session_token)
