"""The dashboard app as production builds it, on a real seeded database (SQLite, and PostgreSQL
with DVHT_TEST_DATABASE_URL), reached over httpx's ASGI transport, with one client per role.

The app is `web.dashboard.dashboard_app` (the backend of `web.app.create_app` with the
dashboard's routers and its error pages) beside the signed report links' router, on the deps
`bot.dashboard.dashboard_deps` builds from the settings, as `dvht serve` and `dvht web` build
them; the review use case is the real one (`storage.review_store`).

Each role signs in the way a person does: a one-time link issued by `storage.login_links`,
POST `/dangnhap/{token}`, the session cookie kept by the client. The member-only person cannot
sign in (the login refuses a person with no role), so their session is started directly in
`storage.web_sessions`: the matrix then checks that a session without a role reaches nothing
(a unit admin demoted to member while signed in is exactly this).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlmodel import Session

from bot.dashboard import dashboard_deps
from bot.settings import Settings
from storage import web_sessions
from storage.db import Database
from storage.evidence_store import LocalEvidenceStore
from storage.uow import transaction
from tests.dashboard_matrix.routes import ROLES, Role
from tests.dashboard_matrix.world import World, login_token, seed
from web.dashboard import DashboardDeps, dashboard_app
from web.dashboard.auth import COOKIE, CSRF_FIELD, csrf_token_for
from web.links import SignedLinks
from web.report_routes import report_routes

SECRET = b"mQ7vK2xR9tLp4WnZ8cYb3HsJ6dFg1AeU5rTq0VkN"
BASE = "http://dashboard.test"
CSRF_INPUT = re.compile(rf'name="{CSRF_FIELD}" value="([0-9a-f]+)"')


async def _database_ok() -> bool:
    return True


def build_deps(database: Database, data_dir: Path) -> DashboardDeps:
    """What the composition hands the dashboard (`bot.dashboard.dashboard_deps`, as `dvht
    serve` and `dvht web` build it): the real review use case, the evidence store and report
    renderer under the data directory, on this database."""
    settings = Settings(
        _env_file=None,
        DVHT_DATA_DIR=str(data_dir),
        DVHT_PUBLIC_URL=BASE,
        DVHT_SECRET_KEY=SECRET.decode(),
    )
    return dashboard_deps(settings, database)


def build_app(deps: DashboardDeps, data_dir: Path, *, extra: Sequence[APIRouter] = ()) -> FastAPI:
    """The backend with the dashboard and the report links, as production serves them
    (`extra`: more routers wrapped as the dashboard's own, for the test of the test)."""
    links = SignedLinks(
        secret=SECRET,
        base_url=BASE,
        directory=data_dir / "links",
        ttl=dt.timedelta(hours=1),
    )
    return dashboard_app(
        deps, database_ok=_database_ok, routers=[report_routes(links)], extra=extra
    )


@dataclass
class Caller:
    """One role's HTTP client (its cookies) and the CSRF token of its session."""

    role: Role
    http: httpx.AsyncClient
    csrf: str | None = None
    person_id: int | None = None


@dataclass
class Matrix:
    app: FastAPI
    world: World
    database: Database
    callers: dict[Role, Caller] = field(default_factory=dict)


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE, follow_redirects=False
    )


async def sign_in(http: httpx.AsyncClient, database: Database, person_id: int) -> str:
    """Through a one-time link; the session's CSRF token, read from a page's hidden field."""
    token = await login_token(database, person_id)
    answer = await http.post(f"/dangnhap/{token}")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/donvi"
    assert COOKIE in http.cookies
    page = await http.get("/dangnhap")  # the nav's logout form carries it
    found = CSRF_INPUT.search(page.text)
    assert found is not None, f"no {CSRF_FIELD} on the signed-in page:\n{page.text[:2000]}"
    return found.group(1)


async def member_session(http: httpx.AsyncClient, database: Database, person_id: int) -> str:
    """A session started in storage (see the module docstring); its CSRF token (no page of
    the dashboard shows a person without a role their token: `csrf_token_for` computes it)."""

    def start(session: Session) -> str:
        return web_sessions.start(session, person_id=person_id, now=dt.datetime.now(dt.UTC))

    token = await transaction(database, start)
    http.cookies.set(COOKIE, token)
    return csrf_token_for(SECRET, token)


@pytest.fixture
async def matrix(database: Database, tmp_path: Path) -> AsyncIterator[Matrix]:
    deps = build_deps(database, tmp_path)
    assert isinstance(deps.evidence, LocalEvidenceStore)
    world = await seed(database, deps.evidence)
    app = build_app(deps, tmp_path)
    found = Matrix(app=app, world=world, database=database)
    people = {
        "admin": world.admin,
        "reviewer1": world.reviewer1,
        "reviewer2": world.reviewer2,
        "member": world.member,
    }
    try:
        for role in ROLES:
            caller = Caller(role, _client(app))
            found.callers[role] = caller
            person = people.get(role)
            if person is None:
                continue
            caller.person_id = person.person_id
            if role == "member":
                caller.csrf = await member_session(caller.http, database, person.person_id)
            else:
                caller.csrf = await sign_in(caller.http, database, person.person_id)
        yield found
    finally:
        for caller in found.callers.values():
            await caller.http.aclose()
