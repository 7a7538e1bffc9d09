"""`/quantri/co-quan`: the person's offices and their reviewers; adding a reviewer (a new
person with the office in scope, and a one-time login link to hand over, shown once) and
removing one (never oneself)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from conversations.errors import AccessDenied, NotFound
from review.ports import Viewer
from storage import login_links, office_admin
from storage.uow import read, transaction
from web.dashboard import forms
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.problems import Missing
from web.dashboard.templating import render

NAME_LIMIT = 200
KINDS = {"so_gddt": "Sở Giáo dục và Đào tạo", "ubnd_xa": "UBND xã, phường"}

router = APIRouter()


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    status_code: int = 200,
    error: str | None = None,
    added: dict[str, Any] | None = None,
    done: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    deps = get_deps(request)
    offices = await read(
        deps.database, lambda session: office_admin.offices(session, viewer.office_ids)
    )
    return render(
        request,
        "admin_office.html",
        viewer=viewer,
        offices=offices,
        kinds=KINDS,
        error=error,
        added=added,
        done=done,
        form=form or {},
        status_code=status_code,
    )


@router.get("/quantri/co-quan", **rule("reviewer"))
async def offices_page(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    return await _page(request, viewer)


@router.post("/quantri/co-quan/can-bo", **rule("reviewer"))
async def add_reviewer(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    try:
        office_id = forms.office(viewer, form.get("office_id"))
        name = forms.text(form.get("name"), label="họ và tên cán bộ", limit=NAME_LIMIT)
    except forms.FormError as wrong:
        return await _page(request, viewer, status_code=400, error=wrong.message, form=form)
    now = deps.now()

    def write(session: Any) -> tuple[int, str, dt.datetime]:
        return office_admin.add_reviewer(
            session, actor=viewer.actor, office_id=office_id, name=name, now=now
        )

    _, token, expires_at = await transaction(deps.database, write)
    link = deps.base_url.rstrip("/") + login_links.LOGIN_PATH + token
    added = {"name": name, "link": link, "expires_at": expires_at}
    return await _page(request, viewer, added=added)


@router.post("/quantri/co-quan/{office_id}/can-bo/{person_id}/xoa", **rule("reviewer"))
async def remove_reviewer(
    request: Request, office_id: int, person_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    deps = get_deps(request)
    if office_id not in viewer.office_ids:
        raise Missing()
    if person_id == viewer.person_id:
        message = "Bạn không thể tự xóa mình khỏi cơ quan; hãy nhờ một cán bộ khác làm việc này."
        return await _page(request, viewer, status_code=400, error=message)

    def write(session: Any) -> str:
        return office_admin.remove_reviewer(
            session, actor=viewer.actor, office_id=office_id, person_id=person_id
        )

    try:
        name = await transaction(deps.database, write)
    except (NotFound, AccessDenied):
        raise Missing() from None
    return await _page(request, viewer, done=f"Đã xóa {name} khỏi danh sách cán bộ thẩm định.")
