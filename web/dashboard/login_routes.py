"""Signing in and out: `/dangnhap`, `/dangnhap/{token}`, `/dangxuat`, and `/` → `/donvi`.

A link is never used on GET: chat apps fetch every link they show for a preview, so a link
consumed on GET would be spent before the person taps it. GET shows a page with one button;
its POST uses the link (`storage.login_links.consume`, one conditional UPDATE), ends any
session the browser already had (a new token: the cookie is rotated at every login) and
starts a new one, all in one transaction.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations.records import Actor
from storage import audit, login_links, web_sessions
from storage.login_links import LOGIN_PATH
from storage.uow import transaction
from web.dashboard import text
from web.dashboard.access import rule
from web.dashboard.auth import COOKIE, clear_session_cookie, current_viewer, set_session_cookie
from web.dashboard.deps import get_deps
from web.dashboard.templating import render

HOME = "/donvi"
MAX_TOKEN_CHARS = 128
_REFUSALS = {
    "unknown": (404, text.LOGIN_UNKNOWN),
    "used": (410, text.LOGIN_USED),
    "expired": (410, text.LOGIN_EXPIRED),
    "no_role": (403, text.LOGIN_NO_ROLE),
}
_NO_REFERRER = {"Referrer-Policy": "no-referrer"}
"""The confirm page's address holds the login token: it is sent to no one, not even us."""

router = APIRouter()


@router.get("/", **rule("public"))
async def home() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get("/dangnhap", **rule("public"))
async def login_page(request: Request) -> Response:
    viewer = await current_viewer(request)
    return render(request, "login.html", viewer=viewer, message=None, signed_in=viewer)


@router.get("/dangnhap/{token}", **rule("public"))
async def login_confirm(request: Request, token: str) -> Response:
    """The page with the one button; the link is not used here (see the module docstring)."""
    if len(token) > MAX_TOKEN_CHARS:
        status, message = _REFUSALS["unknown"]
        return render(request, "login.html", status_code=status, message=message, viewer=None)
    return render(
        request,
        "login_confirm.html",
        viewer=None,
        action=LOGIN_PATH + quote(token, safe=""),
        headers=_NO_REFERRER,
    )


@router.post("/dangnhap/{token}", **rule("public", csrf=False))
async def login(request: Request, token: str) -> Response:
    deps = get_deps(request)
    old = request.cookies.get(COOKIE)
    now = deps.now()

    def use(session: Any) -> tuple[str, str | None]:
        if len(token) > MAX_TOKEN_CHARS:
            return "unknown", None
        outcome, person_id = login_links.consume(session, token, now=now)
        if outcome != "ok" or person_id is None:
            return outcome, None
        offices, units = web_sessions.scope(session, person_id)
        if not offices and not units:
            return "no_role", None
        if old:
            web_sessions.end(session, old, now=now)
        actor = Actor.person(person_id, f"web:{person_id}")
        audit.record(session, actor=actor, action="web.login", unit_id=None)
        return "ok", web_sessions.start(session, person_id=person_id, now=now)

    outcome, new_token = await transaction(deps.database, use)
    if outcome != "ok" or new_token is None:
        status, message = _REFUSALS[outcome]
        return render(request, "login.html", status_code=status, message=message, viewer=None)
    response = RedirectResponse(HOME, status_code=303, headers={"Cache-Control": "no-store"})
    set_session_cookie(response, deps, new_token)
    return response


@router.post("/dangxuat", **rule("public"))
async def logout(request: Request) -> Response:
    """Ends the session (the CSRF check of `dashboard_routers` has passed when signed in)."""
    deps = get_deps(request)
    token = request.cookies.get(COOKIE)
    viewer = await current_viewer(request)
    if token:
        now = deps.now()

        def end(session: Any) -> None:
            if web_sessions.end(session, token, now=now) and viewer is not None:
                audit.record(session, actor=viewer.actor, action="web.logout", unit_id=None)

        await transaction(deps.database, end)
    request.state.viewer = None
    request.state.csrf_token = ""
    response = render(request, "login.html", message=text.LOGGED_OUT, viewer=None, signed_in=None)
    clear_session_cookie(response, deps)
    return response
