"""The access rules (`web.dashboard.access.rule`) on routes of each kind, for every role:
anonymous pages go to the login page and the API answers 401; out-of-scope and missing units
are both 404; signed in without the right is 403; the rule's name is on the route."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, Depends
from fastapi.routing import iter_route_contexts
from starlette.responses import JSONResponse, Response

from conversations.errors import AccessDenied, StorageBusy
from review.ports import Viewer
from storage.db import Database
from tests.dashboard.conftest import BASE, Clock, World, make_deps, sign_in
from web.dashboard import dashboard_app, text
from web.dashboard.access import RULES, require_viewer, rule

probe = APIRouter()


def _make(name: str, path: str) -> None:
    async def page(viewer: Viewer = Depends(require_viewer)) -> Response:
        return JSONResponse({"rule": name, "person": viewer.person_id})

    probe.add_api_route(path, page, methods=["GET"], **rule(name))  # type: ignore[arg-type]

    async def act(viewer: Viewer = Depends(require_viewer)) -> Response:
        return JSONResponse({"done": name, "person": viewer.person_id})

    probe.add_api_route(path, act, methods=["POST"], **rule(name))  # type: ignore[arg-type]


for _name in RULES[1:]:
    _make(_name, f"/probe/{_name}/{{unit_id}}")
    _make(_name, f"/api/v1/probe/{_name}/{{unit_id}}")


async def _ok() -> bool:
    return True


@pytest.fixture
async def http(database: Database, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = dashboard_app(make_deps(database, clock), database_ok=_ok, extra=[probe])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c


EXPECTED = {
    # rule: (reviewer of the unit's office, admin of the unit)
    "viewer": (200, 200),
    "reviewer": (200, 403),
    "unit_read": (200, 200),
    "unit_review": (200, 403),
    "unit_admin": (200, 200),
}


async def test_anonymous(http: httpx.AsyncClient, world: World) -> None:
    for name in EXPECTED:
        page = await http.get(f"/probe/{name}/{world.unit_id}")
        assert page.status_code == 303
        assert page.headers["location"] == "/dangnhap"
        api = await http.get(f"/api/v1/probe/{name}/{world.unit_id}")
        assert api.status_code == 401
        assert api.json() == {"detail": text.NOT_SIGNED_IN}
        posted = await http.post(f"/api/v1/probe/{name}/{world.unit_id}")
        assert posted.status_code == 401


@pytest.mark.parametrize("who", ["reviewer", "admin"])
async def test_each_rule_for_each_role(http: httpx.AsyncClient, world: World, who: str) -> None:
    person = world.reviewer_id if who == "reviewer" else world.admin_id
    csrf = await sign_in(http, world, person)
    for name, (as_reviewer, as_admin) in EXPECTED.items():
        expected = as_reviewer if who == "reviewer" else as_admin
        page = await http.get(f"/probe/{name}/{world.unit_id}")
        assert page.status_code == expected, (name, page.text)
        api = await http.get(f"/api/v1/probe/{name}/{world.unit_id}")
        assert api.status_code == expected, name
        if expected == 403:
            assert api.json() == {"detail": text.FORBIDDEN}
            assert text.FORBIDDEN in page.text
        posted = await http.post(
            f"/api/v1/probe/{name}/{world.unit_id}", headers={"X-CSRF-Token": csrf}
        )
        assert posted.status_code == expected, name
        if expected == 200:
            assert posted.json() == {"done": name, "person": person}
            unsigned = await http.post(f"/api/v1/probe/{name}/{world.unit_id}")
            assert unsigned.status_code == 403
            assert unsigned.json() == {"detail": text.CSRF_FAILED}


async def test_out_of_scope_and_missing_units_read_the_same(
    http: httpx.AsyncClient, world: World
) -> None:
    await sign_in(http, world, world.reviewer_id)
    for name in ("unit_read", "unit_review", "unit_admin"):
        answers = [
            await http.get(f"/api/v1/probe/{name}/{unit}")
            for unit in (world.other_unit_id, 999_999, "abc", 2**70)
        ]
        assert [a.status_code for a in answers] == [404] * 4
        assert len({a.text for a in answers}) == 1
        page = await http.get(f"/probe/{name}/{world.other_unit_id}")
        assert page.status_code == 404
        assert text.NOT_FOUND in page.text


async def test_a_unit_admin_sees_only_their_unit(http: httpx.AsyncClient, world: World) -> None:
    await sign_in(http, world, world.admin_id)
    far = await http.get(f"/api/v1/probe/unit_read/{world.other_unit_id}")
    assert far.status_code == 404


def test_every_route_names_its_rule() -> None:
    """Walked as the app routes them (`iter_route_contexts` sees inside included routers)."""
    deps = make_deps(None, Clock())  # type: ignore[arg-type]
    app = dashboard_app(deps, database_ok=_ok)
    seen = set()
    for route in iter_route_contexts(app.routes):
        if route.path in ("/healthz", "/health", "/metrics"):
            continue
        seen.add(route.path)
        assert route.openapi_extra["x-access"] in RULES, route.path
    assert {"/", "/dangnhap", "/dangnhap/{token}", "/dangxuat", "/quantri"} <= seen


def test_an_unknown_rule_is_refused_at_import() -> None:
    with pytest.raises(ValueError, match="unknown access rule"):
        rule("everyone")  # type: ignore[arg-type]


broken = APIRouter()


@broken.get("/probe/busy", **rule("viewer"))
async def busy() -> Response:
    raise StorageBusy("database busy for 10.0 s")


@broken.get("/api/v1/probe/denied", **rule("viewer"))
async def denied() -> Response:
    raise AccessDenied("web:1 may not read unit 9")


async def test_storage_refusals_read_like_the_rules(
    database: Database, clock: Clock, world: World
) -> None:
    app = dashboard_app(make_deps(database, clock), database_ok=_ok, extra=[broken])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        await sign_in(c, world, world.reviewer_id)
        page = await c.get("/probe/busy")
        assert page.status_code == 503
        assert page.headers["retry-after"] == "30"
        assert text.SERVER_BUSY in page.text
        assert "database busy" not in page.text
        api = await c.get("/api/v1/probe/denied")
        assert api.status_code == 403
        assert api.json() == {"detail": text.FORBIDDEN}
