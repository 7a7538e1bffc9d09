"""The dashboard's refusals as exceptions, and how each is answered.

They are `HTTPException`s with the right status and a Vietnamese `detail`, so an app that
installed no handler for them (a test's bare `create_app`) still answers correctly in JSON;
`install_handlers` (called by `dashboard_app`) answers pages with an HTML page instead and
sends an anonymous page request to the login page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from conversations.errors import AccessDenied, NotFound, StorageUnavailable
from web.dashboard import text

if TYPE_CHECKING:
    from fastapi import FastAPI

LOGIN_PAGE = "/dangnhap"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


class Refusal(HTTPException):
    """A refusal with one Vietnamese sentence for the person."""

    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.message = message


class Anonymous(Refusal):
    """Nobody is signed in: a page redirects to the login page (303), the API answers 401."""

    def __init__(self, *, api: bool) -> None:
        if api:
            super().__init__(401, text.NOT_SIGNED_IN)
        else:
            super().__init__(303, text.NOT_SIGNED_IN, headers={"Location": LOGIN_PAGE})


class Forbidden(Refusal):
    def __init__(self, message: str = text.FORBIDDEN) -> None:
        super().__init__(403, message)


class Missing(Refusal):
    """404 for a unit that does not exist AND for one outside the caller's scope: two answers
    would tell an outsider which unit ids exist."""

    def __init__(self, message: str = text.NOT_FOUND) -> None:
        super().__init__(404, message)


class CsrfRefused(Forbidden):
    def __init__(self) -> None:
        super().__init__(text.CSRF_FAILED)


async def _answer(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)
    headers = {"Cache-Control": "no-store"}
    if is_api(request):
        return JSONResponse({"detail": exc.message}, exc.status_code, headers=headers)
    if isinstance(exc, Anonymous):
        return RedirectResponse(LOGIN_PAGE, status_code=303, headers=headers)
    from web.dashboard.templating import render

    return render(request, "error.html", status_code=exc.status_code, message=exc.message)


_FROM_STORAGE: tuple[tuple[type[Exception], int, str], ...] = (
    (AccessDenied, 403, text.FORBIDDEN),
    (NotFound, 404, text.NOT_FOUND),
    (StorageUnavailable, 503, text.SERVER_BUSY),
)
"""What the storage ports raise past a route, answered like the dashboard's own refusals: a
check made in storage (`storage.access`) reads the same as one made by the access rule."""


async def _storage(request: Request, exc: Exception) -> Response:
    for kind, status, message in _FROM_STORAGE:
        if isinstance(exc, kind):
            refusal = Refusal(status, message)
            response = await _answer(request, refusal)
            if status == 503:
                response.headers["Retry-After"] = "30"
            return response
    raise exc


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Refusal, _answer)
    for kind, _, _ in _FROM_STORAGE:
        app.add_exception_handler(kind, _storage)
