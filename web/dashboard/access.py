"""Who may use which dashboard route: `rule(name)` in every route decorator.

    @router.get("/donvi/{unit_id}", **rule("unit_read"))
    async def unit_page(viewer: Viewer = Depends(require_viewer)) -> Response: ...

`rule` names the rule in the route's OpenAPI extra (`x-access`, which the route-table matrix
test reads, so a route without a rule fails it) and adds the dependency that enforces it:

- "public": no login;
- "viewer": anyone signed in with a role (reviewer or unit admin); the data is filtered to
  their scope by the route;
- "reviewer": a reviewer of some office;
- "unit_read" (path `{unit_id}`): a reviewer of the unit's office, or an admin of the unit;
- "unit_review": a reviewer of the unit's office;
- "unit_admin": an admin of the unit, or a reviewer of its office.

Anonymous: a page is redirected to /dangnhap (303), the API answers 401. Signed in without the
right: 403. A unit that does not exist and a unit outside the person's scope both get 404,
with the same sentence: a different answer would tell an outsider which unit ids exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import Depends
from starlette.requests import Request

from review.ports import Viewer
from storage.tables import Unit
from storage.uow import read
from web.dashboard.auth import current_viewer
from web.dashboard.deps import get_deps
from web.dashboard.problems import Anonymous, Forbidden, Missing, is_api

RuleName = Literal["public", "viewer", "reviewer", "unit_read", "unit_review", "unit_admin"]
RULES: tuple[RuleName, ...] = (
    "public", "viewer", "reviewer", "unit_read", "unit_review", "unit_admin"
)  # fmt: skip


async def require_viewer(request: Request) -> Viewer:
    """The signed-in person with a role; anonymous → login page / 401, no role → 403."""
    viewer = await current_viewer(request)
    if viewer is None:
        raise Anonymous(api=is_api(request))
    if viewer.role is None:
        raise Forbidden()
    return viewer


async def _reviewer(request: Request) -> None:
    viewer = await require_viewer(request)
    if viewer.role != "reviewer":
        raise Forbidden()


async def unit_office(request: Request) -> tuple[int, int | None]:
    """The path's `{unit_id}` and its unit's office id; 404 for an id that is not a unit."""
    raw = request.path_params.get("unit_id")
    try:
        unit_id = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Missing() from None
    if not 0 < unit_id < 2**63:
        raise Missing()
    cached = getattr(request.state, "unit_office", None)
    if cached is not None and cached[0] == unit_id:
        return cached  # type: ignore[no-any-return]
    deps = get_deps(request)

    def load(session: Any) -> tuple[bool, int | None]:
        unit = session.get(Unit, unit_id)
        return (False, None) if unit is None else (True, unit.office_id)

    exists, office_id = await read(deps.database, load)
    if not exists:
        raise Missing()
    request.state.unit_office = (unit_id, office_id)
    return unit_id, office_id


def _unit_rule(*, admin: bool, reviewer: bool) -> Callable[[Request], Awaitable[None]]:
    async def check(request: Request) -> None:
        viewer = await require_viewer(request)
        unit_id, office_id = await unit_office(request)
        reviews = office_id is not None and office_id in viewer.office_ids
        administers = unit_id in viewer.admin_unit_ids
        if not (reviews or administers):
            raise Missing()  # out of scope reads as not found (see the module docstring)
        if (reviewer and reviews) or (admin and administers):
            return
        raise Forbidden()

    return check


async def _public() -> None:
    return None


_CHECKS: dict[str, Callable[..., Awaitable[Any]]] = {
    "public": _public,
    "viewer": require_viewer,
    "reviewer": _reviewer,
    "unit_read": _unit_rule(admin=True, reviewer=True),
    "unit_review": _unit_rule(admin=False, reviewer=True),
    "unit_admin": _unit_rule(admin=True, reviewer=True),
}


def rule(name: RuleName, *, csrf: bool = True) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the rule's name in the route's OpenAPI extra
    (`x-access`) and the dependency that enforces it. `csrf=False` exempts an unsafe route
    from the CSRF check (only the login form, which has no session yet)."""
    if name not in _CHECKS:
        raise ValueError(f"unknown access rule {name!r}")
    extra: dict[str, Any] = {"x-access": name}
    if not csrf:
        extra["x-csrf"] = "exempt"
    return {"openapi_extra": extra, "dependencies": [Depends(_CHECKS[name])]}
