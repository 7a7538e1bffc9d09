"""The web dashboard of issue 15: server-rendered pages (Jinja2) and a JSON API for the
offices that review dossiers and for unit admins, on the backend of issue 14.

`dashboard_routers(deps)` returns every dashboard route inside one router whose dependencies
bind the deps to the request and check CSRF on every unsafe method, so no route can be added
without them. `dashboard_app` builds a whole app with the dashboard (and any other routers),
with the HTML error pages installed; the composition (`bot.serve`, `dvht web`) uses it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends
from starlette.requests import Request

from web.dashboard.auth import csrf_protect
from web.dashboard.deps import DashboardDeps

if TYPE_CHECKING:
    from fastapi import FastAPI

    from web.limits import RequestLimits


def _binder(deps: DashboardDeps) -> Callable[[Request], AsyncIterator[None]]:
    async def bind(request: Request) -> AsyncIterator[None]:
        """The deps on the request for the route; afterwards the request's form closed (an
        upload's spooled temporary file), which the CSRF check or the route may have read."""
        request.state.dashboard = deps
        try:
            yield
        finally:
            await request.close()

    return bind


def _parts() -> list[APIRouter]:
    """Every dashboard router of every part (B's shell and admin, C's units data)."""
    from web.dashboard import (  # part C: the units data
        admin_calendar,
        admin_import,
        admin_invites,
        admin_office,
        admin_routes,
        api,
        dossier_routes,
        exports,
        login_routes,
        static_routes,
        units_routes,
    )

    return [
        login_routes.router,
        static_routes.router,
        admin_routes.router,
        admin_import.router,
        admin_invites.router,
        admin_office.router,
        admin_calendar.router,
        units_routes.router,
        dossier_routes.router,
        exports.router,
        api.router,
    ]


def dashboard_routers(deps: DashboardDeps, *, extra: Sequence[APIRouter] = ()) -> list[APIRouter]:
    """The dashboard's routes for `create_app(routers=…)`, wrapped in one router whose
    dependencies run first on every route: the deps bound to the request, then the CSRF check
    (`web.dashboard.auth.csrf_protect`). `extra`: more routers to wrap the same way (tests)."""
    wrapper = APIRouter(dependencies=[Depends(_binder(deps)), Depends(csrf_protect)])
    for part in [*_parts(), *extra]:
        wrapper.include_router(part)
    return [wrapper]


def dashboard_app(
    deps: DashboardDeps,
    *,
    database_ok: Callable[[], Awaitable[bool]],
    routers: Sequence[APIRouter] = (),
    extra: Sequence[APIRouter] = (),
    limits: RequestLimits | None = None,
) -> FastAPI:
    """The backend (`web.app.create_app`) with the dashboard beside `routers`, its deps on
    `app.state.dashboard` and its refusals answered as pages (HTML) or JSON (`/api/`).
    `routers` are served as they are (the channels' webhooks, report links); `extra` are
    wrapped like the dashboard's own routes."""
    from web.app import create_app
    from web.dashboard.admin_import import IMPORT_PATH
    from web.dashboard.problems import install_handlers
    from web.limits import RequestLimits

    limits = limits or RequestLimits()
    limits = replace(limits, upload_paths=limits.upload_paths | {IMPORT_PATH})
    app = create_app(
        routers=[*routers, *dashboard_routers(deps, extra=extra)],
        database_ok=database_ok,
        limits=limits,
    )
    app.state.dashboard = deps
    install_handlers(app)
    return app


__all__ = ["DashboardDeps", "dashboard_app", "dashboard_routers"]
