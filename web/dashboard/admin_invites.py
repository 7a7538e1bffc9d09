"""`/quantri/ma-moi`: the invite codes of the office's units — the list (unit, role, uses,
expiry, status; the codes themselves are not kept), issuing one (shown once) and revoking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from conversations.errors import AccessDenied, NotFound
from review.ports import Viewer
from storage import office_admin
from storage.uow import read, transaction
from web.dashboard import forms
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.problems import Missing
from web.dashboard.templating import render

MAX_DAYS = 90
ROLES = {"member": "Thành viên", "unit_admin": "Quản trị đơn vị"}
STATUSES = {
    "active": "Còn dùng được",
    "revoked": "Đã thu hồi",
    "expired": "Hết hạn",
    "used_up": "Hết lượt",
}

router = APIRouter()


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    status_code: int = 200,
    error: str | None = None,
    issued: dict[str, Any] | None = None,
    done: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    deps = get_deps(request)
    now = deps.now()

    def load(session: Any) -> tuple[list[office_admin.InviteRow], list[Any]]:
        return (
            office_admin.invites(session, viewer.office_ids, now=now),
            office_admin.office_units(session, viewer.office_ids),
        )

    invites, units = await read(deps.database, load)
    return render(
        request,
        "admin_invites.html",
        viewer=viewer,
        invites=invites,
        units=units,
        roles=ROLES,
        statuses=STATUSES,
        error=error,
        issued=issued,
        done=done,
        form=form or {"days": "14"},
        status_code=status_code,
    )


@router.get("/quantri/ma-moi", **rule("reviewer"))
async def invites_page(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    return await _page(request, viewer)


@router.post("/quantri/ma-moi", **rule("reviewer"))
async def issue(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    try:
        unit_id = forms.whole(form.get("unit_id"), label="đơn vị", low=1, high=2**62)
        role = form.get("role", "member")
        if role not in ROLES:
            raise forms.FormError("Hãy chọn vai trò: Thành viên hoặc Quản trị đơn vị.")
        days = forms.whole(form.get("days"), label="số ngày hiệu lực", low=1, high=MAX_DAYS)
        max_uses = forms.whole(
            form.get("max_uses"), label="số lượt dùng", low=1, high=10_000, required=False
        )
    except forms.FormError as wrong:
        return await _page(request, viewer, status_code=400, error=wrong.message, form=form)
    assert unit_id is not None
    assert days is not None
    now = deps.now()

    def write(session: Any) -> tuple[str, dt.datetime]:
        return office_admin.issue_invite(
            session,
            actor=viewer.actor,
            unit_id=unit_id,
            role=role,  # type: ignore[arg-type]
            valid_for=dt.timedelta(days=days),
            max_uses=max_uses,
            now=now,
        )

    try:
        code, expires_at = await transaction(deps.database, write)
    except (AccessDenied, NotFound):
        message = "Đơn vị này không thuộc cơ quan của bạn; hãy chọn đơn vị trong danh sách."
        return await _page(request, viewer, status_code=400, error=message, form=form)
    issued = {"code": code, "expires_at": expires_at, "role": ROLES[role], "unit_id": unit_id}
    return await _page(request, viewer, issued=issued, form=form)


@router.post("/quantri/ma-moi/{invite_id}/thu-hoi", **rule("reviewer"))
async def revoke(
    request: Request, invite_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    deps = get_deps(request)
    now = deps.now()

    def write(session: Any) -> str:
        return office_admin.revoke_invite(
            session, actor=viewer.actor, invite_id=invite_id, now=now
        )

    try:
        unit_name = await transaction(deps.database, write)
    except NotFound:
        raise Missing() from None
    return await _page(request, viewer, done=f"Đã thu hồi mã mời của {unit_name}.")
