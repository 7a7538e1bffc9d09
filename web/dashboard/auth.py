"""Who is asking: the session cookie, the signed-in `Viewer`, and the CSRF check.

The cookie `dvht_session` holds a random token (256 bits); only its sha256 is stored
(`storage.web_sessions`). It is HttpOnly (no script reads it), SameSite=Lax (another site's
form posts arrive without it), Secure when the dashboard is served over https, Path=/. A
session ends after 8 hours without a request (checked on the server at every request, on the
deps' clock) or at logout.

CSRF: every unsafe request of a signed-in person must carry the token HMAC-SHA256(secret,
session token), in the form field `csrf_token` or the header `X-CSRF-Token` (the JSON API),
compared in constant time. The check is a dependency of the router that wraps every dashboard
route (`dashboard_routers`), so a new POST route cannot forget it; only the login form is
exempt (there is no session yet, and its one-time token is itself the secret). The login form
is instead refused when the browser says it was posted from another site (its `Origin`), so a
page elsewhere cannot sign a visitor in to the attacker's own account.

Login attempts are not rate-limited here: a login token is 256 random bits, used once and
valid 15 minutes, so guessing one is out of reach however fast someone tries.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from review.ports import Viewer
from storage import web_sessions
from storage.uow import read, transaction
from web.dashboard.deps import DashboardDeps, get_deps
from web.dashboard.problems import CsrfRefused

COOKIE = "dvht_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def csrf_token_for(secret: bytes, session_token: str) -> str:
    return hmac.new(secret, session_token.encode("utf-8"), hashlib.sha256).hexdigest()


def set_session_cookie(response: Response, deps: DashboardDeps, token: str) -> None:
    """A browser-session cookie (no Max-Age): the 8 idle hours are counted on the server, and
    a cookie expiring 8 hours after login would end the session of someone still working."""
    response.set_cookie(
        COOKIE,
        token,
        path="/",
        secure=bool(deps.secure_cookies),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, deps: DashboardDeps) -> None:
    response.delete_cookie(
        COOKIE, path="/", secure=bool(deps.secure_cookies), httponly=True, samesite="lax"
    )


async def current_viewer(request: Request) -> Viewer | None:
    """The person signed in with this request's cookie, or None (no cookie, unknown, ended or
    idle session). Read once per request; the session's `last_seen_at` is touched at most
    once a minute. Also sets `request.state.csrf_token` for the templates."""
    cached = getattr(request.state, "viewer", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    deps = get_deps(request)
    token = request.cookies.get(COOKIE)
    viewer: Viewer | None = None
    if token and len(token) <= 128:
        now = deps.now()
        owner = await read(
            deps.database, lambda session: web_sessions.owner(session, token, now=now)
        )
        if owner is not None:
            if owner.needs_touch:
                await transaction(
                    deps.database, lambda session: web_sessions.touch(session, token, now=now)
                )
            viewer = Viewer(
                person_id=owner.person_id,
                name=owner.name,
                office_ids=owner.office_ids,
                admin_unit_ids=owner.admin_unit_ids,
            )
            request.state.session_token = token
            request.state.csrf_token = csrf_token_for(deps.secret, token)
    request.state.viewer = viewer
    return viewer


def _route_extra(request: Request) -> dict[str, Any]:
    route = request.scope.get("route")
    extra = getattr(route, "openapi_extra", None)
    return extra if isinstance(extra, dict) else {}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _same_origin(request: Request) -> bool:
    """Whether the browser says the form was posted from our own pages. Browsers since 2023
    send `Sec-Fetch-Site` whatever the referrer policy (the confirm page sends no referrer, so
    its `Origin` is "null"): it must be "same-origin" (or "none", typed by the person). An
    older browser's `Origin` must be ours (the dashboard's public address, or the address the
    request was made to: a proxy may not pass the public one on); no header at all (a command
    line client) passes."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    ours = {_origin(get_deps(request).base_url), _origin(str(request.base_url))}
    return origin.lower().rstrip("/") in ours


async def csrf_protect(request: Request) -> None:
    """The CSRF check of every unsafe request from a signed-in person (see the module
    docstring). An anonymous request passes here and is refused by the route's access rule;
    a route marked `x-csrf: exempt` (the login form) is not checked."""
    if request.method in SAFE_METHODS:
        return
    if _route_extra(request).get("x-csrf") == "exempt":
        if not _same_origin(request):
            raise CsrfRefused()
        return
    viewer = await current_viewer(request)
    if viewer is None:
        return
    expected: str = request.state.csrf_token
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfRefused()
