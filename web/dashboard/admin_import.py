"""`/quantri/donvi-mau.xlsx` (the template) and `/quantri/nhap-donvi` (the upload): an
office's units created in bulk (`storage.unit_import` reads, checks and writes).

The upload is read whole into memory only up to 5 MB (the backend lets this one path take a
body that large: `IMPORT_PATH` in `web.limits.RequestLimits.upload_paths`), then parsed in a
worker thread: openpyxl is pure Python and a large sheet would otherwise stop the event loop
for every other user.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from review.ports import Viewer
from storage import office_admin, unit_import
from storage.uow import read, transaction
from web.dashboard import forms
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.templating import render
from web.links import XLSX
from web.report_routes import content_disposition

IMPORT_PATH = "/quantri/nhap-donvi"
TEMPLATE_NAME = "Mẫu danh sách đơn vị.xlsx"

router = APIRouter()


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    status_code: int = 200,
    error: str | None = None,
    result: unit_import.ImportResult | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    deps = get_deps(request)
    offices = await read(
        deps.database, lambda session: office_admin.offices(session, viewer.office_ids)
    )
    return render(
        request,
        "admin_import.html",
        viewer=viewer,
        offices=offices,
        error=error,
        result=result,
        form=form or {},
        status_code=status_code,
    )


@router.get("/quantri/donvi-mau.xlsx", **rule("reviewer"))
async def template() -> Response:
    data = await asyncio.to_thread(unit_import.template_bytes)
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": content_disposition(TEMPLATE_NAME),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(IMPORT_PATH, **rule("reviewer"))
async def import_form(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    return await _page(request, viewer)


@router.post(IMPORT_PATH, **rule("reviewer"))
async def import_units(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    upload = (await request.form()).get("tep")
    try:
        office_id = forms.office(viewer, form.get("office_id"))
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise forms.FormError("Hãy chọn tệp Excel (.xlsx) để tải lên.")
        data = await upload.read(unit_import.MAX_FILE_BYTES + 1)
        if not data:
            raise forms.FormError("Tệp tải lên trống; hãy chọn lại tệp.")
        rows = await asyncio.to_thread(unit_import.read_rows, data)
    except forms.FormError as wrong:
        return await _page(request, viewer, status_code=400, error=wrong.message, form=form)
    except unit_import.ImportRefused as refused:
        return await _page(request, viewer, status_code=400, error=refused.message, form=form)
    source = upload.filename or ""

    def check(session: Any) -> str | None:
        return unit_import.office_province(session, actor=viewer.actor, office_id=office_id)

    province = await read(deps.database, check)
    good, problems = await asyncio.to_thread(
        unit_import.check_rows, rows, office_province=province
    )

    year = deps.current_year()

    def write(session: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        return unit_import.create_units(
            session, actor=viewer.actor, office_id=office_id, rows=good, source=source, year=year
        )

    created, existing = await transaction(deps.database, write) if good else ([], [])
    result = unit_import.ImportResult(created=created, existing=existing, problems=problems)
    status = 200 if not problems else 400
    return await _page(request, viewer, status_code=status, result=result, form=form)
