"""The JSON API against its own schema, with Schemathesis 4: requests generated from
`/api/v1/openapi.json` (loaded from the running ASGI app) are sent as a signed-in reviewer
(session cookie and CSRF header), and every answer must be no server error and match the
response schema documented for its status.

Deterministic (hypothesis derandomized, a fixed number of examples per operation) and short
(well under a minute): it runs in `make test`. It runs on SQLite only: Schemathesis calls the
app through its synchronous ASGI client, each call on an event loop of its own, which the
PostgreSQL driver's connections cannot follow; the routes' SQL is the same on both backends and
tests/api runs them on PostgreSQL too.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from storage import login_links
from storage.db import Database
from storage.uow import transaction
from tests.api.conftest import NOW, SECRET, _ok, make_deps
from tests.board.world import BoardWorld, level2_values
from web.dashboard import dashboard_app
from web.dashboard.auth import COOKIE, csrf_token_for

EXAMPLES = 20
"""Generated requests per operation (derandomized: the same ones every run)."""


@dataclass
class Signed:
    schema: Any
    cookies: dict[str, str]
    headers: dict[str, str]


async def _seed(database: Database) -> str:
    """Two units of one office (one submitted, awaiting review) and its reviewer; the
    reviewer's one-time login link token."""
    world = BoardWorld(database)
    office = await world.office()
    done = await world.unit("UBND xã Đồng Thanh", office_id=office)
    await world.unit("UBND xã Hùng An", office_id=office)
    reviewer = await world.person("Cán bộ thẩm định", reviewer_of=(office,))
    aid = await world.answer(done, level2_values())
    await world.set_status(aid, "submitted", submitted_level=2)

    def issue(session: Session) -> str:
        return login_links.issue(session, person_id=reviewer, via="cli", now=NOW)[0]

    return await transaction(database, issue)


async def _sign_in(app: Any, token: str) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dashboard.test") as http:
        answer = await http.post(f"/dangnhap/{token}")
        assert answer.status_code == 303, answer.text
        return http.cookies[COOKIE]


@pytest.fixture
def signed(sqlite_template: Path, tmp_path: Path) -> Iterator[Signed]:
    path = tmp_path / "api.sqlite3"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    token = asyncio.run(_seed(database))
    app = dashboard_app(make_deps(database, tmp_path / "evidence"), database_ok=_ok)
    session_token = asyncio.run(_sign_in(app, token))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    yield Signed(
        schema=schema,
        cookies={COOKIE: session_token},
        headers={"X-CSRF-Token": csrf_token_for(SECRET, session_token)},
    )
    asyncio.run(database.close())


def test_the_api_keeps_its_schema(signed: Signed) -> None:
    operations = [result.ok() for result in signed.schema.get_all_operations()]
    assert len(operations) == 6  # every /api/v1 route, nothing else
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            case.call_and_validate(
                headers=signed.headers,
                cookies=signed.cookies,
                checks=[not_a_server_error, response_schema_conformance],
            )

        call()
