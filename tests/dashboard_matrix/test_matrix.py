"""The authorization matrix: every route of the app as production builds it, for every role,
with a unit in scope and out of scope (issue 15, “a new route without a rule fails the test”).

The parameters are generated from `app.routes` at collection time (`pytest_generate_tests`),
so a route added tomorrow is in the matrix without anyone touching this file; a route that
carries no `x-access` rule and is not a machine route (`routes.MACHINE_PATHS`) fails
`test_every_route_people_reach_has_an_access_rule`, which is itself proved able to fail by
adding a route without a rule to a copy of the app.

Roles: anonymous, a member-only person (a session, no role), the admin of unit X (office 1),
a reviewer of office 1, a reviewer of office 2. Expected answers (common.md §2): anonymous →
303 to /dangnhap for a page, 401 JSON on /api; signed in but not allowed → 403; a unit outside
the caller's scope → 404, the same as a unit that does not exist; allowed → anything but
401/403/404 and never a 5xx (a POST may answer 303, 409 or 422: that is the use case
speaking, past the door). A denied POST is sent with no body at all: it must be refused by its
rule before the body is looked at (a 422 there would tell an outsider the route's fields).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any, cast

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from fastapi import APIRouter, FastAPI

from dvht_core import vietnam_time
from tests.dashboard_matrix.conftest import (
    BASE,
    SECRET,
    Caller,
    Matrix,
    build_app,
    member_session,
    sign_in,
)
from tests.dashboard_matrix.routes import (
    ROLES,
    UNSAFE,
    Endpoint,
    Expected,
    Role,
    Scope,
    endpoints,
    expected,
    scopes_for,
    unruled,
)
from tests.dashboard_matrix.world import YEAR, World, login_token
from web.dashboard import DashboardDeps
from web.dashboard.auth import CSRF_FIELD, CSRF_HEADER


def route_table_app(*, extra: tuple[APIRouter, ...] = ()) -> FastAPI:
    """The production app's routes, for collection: the routers read their deps per request,
    so deps with no database build the same route table (checked against the real app by
    `test_the_collected_routes_are_the_app_s`)."""
    deps = DashboardDeps(
        database=cast(Any, None), review=cast(Any, None), base_url=BASE, secret=SECRET
    )
    return build_app(deps, Path(tempfile.gettempdir()) / "dvht-matrix-routes", extra=extra)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "endpoint" in metafunc.fixturenames:
        found = endpoints(route_table_app())
        metafunc.parametrize("endpoint", found, ids=[e.id for e in found])
    if "unsafe_endpoint" in metafunc.fixturenames:
        found = [
            e
            for e in endpoints(route_table_app())
            if e.method in UNSAFE and not e.csrf_exempt and e.rule is not None
        ]
        metafunc.parametrize("unsafe_endpoint", found, ids=[e.id for e in found])


# --- the route table ---------------------------------------------------------------------------


def test_every_route_people_reach_has_an_access_rule() -> None:
    assert unruled(route_table_app()) == []


def test_a_route_without_a_rule_fails_the_matrix() -> None:
    """Proof the check above can fail: a copy of the app with one route lacking a rule, and
    one plain Starlette route beside it, is reported route by route."""
    careless = APIRouter()

    @careless.get("/donvi/{unit_id}/bi-mat")
    async def secret_page(unit_id: int) -> dict[str, int]:
        return {"unit_id": unit_id}

    app = route_table_app(extra=(careless,))

    async def plain(_: Any) -> Any:
        raise AssertionError("never called")

    app.add_route("/xuat/tat-ca.csv", plain, methods=["GET"])
    assert unruled(app) == ["GET /donvi/{unit_id}/bi-mat", "GET /xuat/tat-ca.csv"]
    assert unruled(route_table_app()) == []  # the copy changed nothing of the real table


AGREED = {
    "GET /",
    "GET /dangnhap",
    "GET /dangnhap/{token}",
    "POST /dangnhap/{token}",
    "POST /dangxuat",
    "GET /static/{name}",
    "GET /quantri",
    "GET /donvi",
    "GET /donvi/{unit_id}",
    "POST /donvi/{unit_id}/tra-lai",
    "POST /donvi/{unit_id}/cong-nhan",
    "GET /donvi/{unit_id}/minhchung/{evidence_id}",
    "GET /bieudo",
    "GET /xuat/donvi.xlsx",
    "GET /xuat/donvi.csv",
    "GET /xuat/baocao.zip",
    "GET /api/v1/me",
    "GET /api/v1/units",
    "GET /api/v1/units/{unit_id}",
    "POST /api/v1/units/{unit_id}/return",
    "POST /api/v1/units/{unit_id}/recognise",
    "GET /api/v1/charts",
    "GET /api/v1/openapi.json",
}
"""The dashboard's URLs agreed for issue 15 (common.md §2): a router left out of
`dashboard_routers` would otherwise shrink the matrix without failing it."""


def test_the_collected_routes_are_the_app_s(matrix: Matrix) -> None:
    assert endpoints(matrix.app) == endpoints(route_table_app())
    served = {e.id for e in endpoints(matrix.app)}
    assert AGREED - served == set()


# --- every route for every role ----------------------------------------------------------------


def unit_for(world: World, scope: Scope) -> int:
    """`own`: unit X (the admin's, office 1); `office`: another submitted unit of office 1;
    `other`: a submitted unit of office 2. Submitted, so an allowed decision goes through."""
    if scope == "own":
        return world.unit_x
    if scope == "office":
        return min(
            u
            for u in world.in_office(world.office1)
            if world.status_of[u] == "submitted" and u != world.unit_x
        )
    return world.first(world.office2, "submitted")


def office_for(world: World, scope: Scope, role: Role) -> int:
    """The office whose things fill an office-scoped route (see `routes.Scope`)."""
    mine = world.office2 if role == "reviewer2" else world.office1
    theirs = world.office1 if mine == world.office2 else world.office2
    return theirs if scope == "theirs" else mine


async def fill(matrix: Matrix, endpoint: Endpoint, scope: Scope, role: Role) -> str:
    """The path with every parameter filled; an unknown parameter fails (add it here)."""
    path = endpoint.path
    world = matrix.world
    unit_id = unit_for(world, scope) if endpoint.unit_scoped else None
    office_id = office_for(world, scope, role)
    for param in endpoint.params:
        if param == "office_id":
            value = str(office_id)
        elif param == "person_id":
            value = str(world.colleague_of[office_id])
        elif param == "invite_id":
            value = str(world.invite_of[office_id])
        elif param == "deadline_id":
            value = str(world.deadline_of[office_id])
        elif param == "unit_id":
            value = str(unit_id)
        elif param == "evidence_id":
            assert unit_id is not None
            value = str(matrix.world.evidence_of[unit_id])
        elif param == "token":
            assert matrix.world.reviewer1 is not None
            value = await login_token(matrix.database, matrix.world.reviewer1.person_id)
        elif param == "name":
            value = "app.css"
        else:
            raise AssertionError(f"{endpoint.id}: the matrix has no value for {{{param}}}")
        path = path.replace(f"{{{param}}}", value).replace(f"{{{param}:path}}", value)
    return path


def body(endpoint: Endpoint, caller: Caller) -> dict[str, Any]:
    """A minimal valid body for the decisions (other forms' fields are their routes' own: a
    422 or the form again counts as allowed)."""
    today = vietnam_time.today()
    fields: dict[str, Any] = {
        "reason": "Thiếu minh chứng của chỉ tiêu 1.1, đề nghị bổ sung.",
        "decision_number": "125/QĐ-UBND",
        "decision_date": today.isoformat(),
        "level": 1,
        "year": YEAR,
    }
    if endpoint.api:
        return {"json": fields, "headers": {CSRF_HEADER: caller.csrf or ""}}
    form = {k: str(v) for k, v in fields.items()}
    form[CSRF_FIELD] = caller.csrf or ""
    return {"data": form}


async def send(
    matrix: Matrix, caller: Caller, endpoint: Endpoint, path: str, allowed: bool
) -> httpx.Response:
    if endpoint.method not in UNSAFE:
        return await caller.http.request(endpoint.method, path)
    if allowed:
        return await caller.http.request(endpoint.method, path, **body(endpoint, caller))
    headers = {CSRF_HEADER: caller.csrf} if caller.csrf else {}
    return await caller.http.request(endpoint.method, path, headers=headers)


async def restore(matrix: Matrix, caller: Caller) -> None:
    """After an unsafe public route (logging in or out ends the caller's session), sign the
    caller in again as themselves."""
    caller.http.cookies.clear()
    if caller.person_id is None:
        return
    if caller.role == "member":
        caller.csrf = await member_session(caller.http, matrix.database, caller.person_id)
    else:
        caller.csrf = await sign_in(caller.http, matrix.database, caller.person_id)


def verdict(answer: httpx.Response, want: Expected, endpoint: Endpoint) -> str | None:
    """Why the answer is wrong for `want`, or None."""
    status = answer.status_code
    if status >= 500:
        return f"{status} (a server error)"
    if want == "login":
        if status != 303 or answer.headers.get("location") != "/dangnhap":
            return f"{status} {answer.headers.get('location')}, expected 303 → /dangnhap"
    elif want == "unauthorised":
        if status != 401:
            return f"{status}, expected 401"
        detail = answer.json().get("detail")
        if not isinstance(detail, str) or not detail:
            return f"401 without a Vietnamese detail: {answer.text[:200]}"
    elif want == "forbidden":
        if status != 403:
            return f"{status}, expected 403"
    elif want == "missing":
        if status != 404:
            return f"{status}, expected 404 (out of scope reads as not found)"
    elif status in (401, 403, 404):
        return f"{status}, expected the route to let them in: {answer.text[:300]}"
    if (
        endpoint.api
        and status in (401, 403, 404)
        and "json" not in answer.headers.get("content-type", "")
    ):
        return f"{status} on the API is not JSON"
    return None


async def test_every_route_for_every_role(matrix: Matrix, endpoint: Endpoint) -> None:
    assert endpoint.rule is not None, f"{endpoint.id} has no access rule"
    failures: list[str] = []
    for role in ROLES:
        caller = matrix.callers[role]
        for scope in scopes_for(endpoint):
            want = expected(endpoint.rule, role, scope, api=endpoint.api)
            path = await fill(matrix, endpoint, scope, role)
            answer = await send(matrix, caller, endpoint, path, want == "allowed")
            wrong = verdict(answer, want, endpoint)
            if wrong:
                failures.append(f"{role:<9} {scope:<6} {endpoint.method} {path}: {wrong}")
            if endpoint.method in UNSAFE and endpoint.rule == "public":
                await restore(matrix, caller)
    assert failures == [], "\n".join(failures)


async def test_every_unsafe_route_wants_the_session_s_csrf_token(
    matrix: Matrix, unsafe_endpoint: Endpoint
) -> None:
    """For a caller the route lets in, the same request with no token, or another session's
    token, is refused with 403 before it does anything."""
    endpoint = unsafe_endpoint
    assert endpoint.rule is not None
    candidates: tuple[Role, ...] = ("reviewer1", "admin", "reviewer2")
    role, scope = next(
        (role, scope)
        for role in candidates
        for scope in scopes_for(endpoint)
        if expected(endpoint.rule, role, scope, api=endpoint.api) == "allowed"
    )
    caller = matrix.callers[role]
    stranger = matrix.callers["reviewer1" if role == "reviewer2" else "reviewer2"]
    for token in (None, stranger.csrf):
        path = await fill(matrix, endpoint, scope, role)
        sent = body(endpoint, caller)
        if endpoint.api:
            sent["headers"] = {CSRF_HEADER: token} if token else {}
        else:
            sent["data"] = {k: v for k, v in sent["data"].items() if k != CSRF_FIELD}
            if token:
                sent["data"][CSRF_FIELD] = token
        answer = await caller.http.request(endpoint.method, path, **sent)
        assert answer.status_code == 403, f"{role} {path} with token {token!r}: {answer.text}"


# --- what each sees of the units ---------------------------------------------------------------


def names(world: World, office_id: int) -> set[str]:
    return {world.named(u) for u in world.in_office(office_id)}


def everything_in(data: bytes) -> str:
    """Every cell of every sheet of an XLSX, as one text."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    return "\n".join(cells)


async def seen(caller: Caller) -> dict[str, str]:
    """What the caller reads of the units in each of the four places that list them."""
    found: dict[str, str] = {}
    page = await caller.http.get("/donvi", params={"per_page": 100})
    assert page.status_code == 200, page.text[:500]
    found["/donvi"] = page.text
    api = await caller.http.get("/api/v1/units", params={"per_page": 100})
    assert api.status_code == 200, api.text[:500]
    found["/api/v1/units"] = json.dumps(api.json(), ensure_ascii=False)
    xlsx = await caller.http.get("/xuat/donvi.xlsx")
    assert xlsx.status_code == 200, xlsx.text[:500]
    found["/xuat/donvi.xlsx"] = everything_in(xlsx.content)
    csv = await caller.http.get("/xuat/donvi.csv")
    assert csv.status_code == 200, csv.text[:500]
    found["/xuat/donvi.csv"] = csv.content.decode("utf-8-sig")
    return found


@pytest.mark.parametrize("role", ["reviewer1", "reviewer2"])
async def test_a_reviewer_sees_exactly_their_office_s_units(matrix: Matrix, role: Role) -> None:
    world = matrix.world
    mine, theirs = (
        (world.office1, world.office2) if role == "reviewer1" else (world.office2, world.office1)
    )
    for place, text in (await seen(matrix.callers[role])).items():
        for name in names(world, mine):
            assert name in text, f"{role} misses {name} in {place}"
        for name in names(world, theirs):
            assert name not in text, f"{role} sees {name} of the other office in {place}"


async def test_a_unit_admin_sees_only_their_unit(matrix: Matrix) -> None:
    world = matrix.world
    own = world.named(world.unit_x)
    for place, text in (await seen(matrix.callers["admin"])).items():
        assert own in text, f"the admin misses their unit in {place}"
        others = (names(world, world.office1) | names(world, world.office2)) - {own}
        for name in others:
            assert name not in text, f"the admin sees {name} in {place}"


async def test_the_member_only_person_cannot_sign_in(matrix: Matrix) -> None:
    assert matrix.world.member is not None
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=matrix.app), base_url=BASE, follow_redirects=False
    )
    async with http:
        token = await login_token(matrix.database, matrix.world.member.person_id)
        answer = await http.post(f"/dangnhap/{token}")
        assert answer.status_code == 403
        assert "dvht_session" not in http.cookies
        assert (await http.get("/quantri")).status_code == 303
