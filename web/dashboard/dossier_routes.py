"""`GET /donvi/{unit_id}/hoso.zip`: the unit's whole dossier (issue 16) for its reviewers and
its admins, the same ZIP as `dvht dossier` and /hoso.

It is written to a temporary file off the event loop (it reads every evidence file), served
from disk as an attachment and deleted once sent. The caller's access is checked twice: by
the route's rule (a reviewer of the unit's office or an admin of the unit) and by storage
(`storage.dossier_store`), which reads nothing for anyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from conversations.errors import AccessDenied, NotFound
from dvht_core.vietnam_time import today
from review.ports import Viewer
from storage.dossier_store import dossier_source
from storage.uow import read
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.problems import Forbidden, Missing
from web.dashboard.units_routes import read_filter
from web.report_routes import content_disposition

router = APIRouter()
NOTHING_TO_REQUEST = "Đơn vị chưa đạt mức độ 1 nên chưa có hồ sơ đề nghị công nhận để tải."


@router.get("/donvi/{unit_id}/hoso.zip", **rule("unit_read"))
async def dossier_zip(
    request: Request, unit_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    deps = get_deps(request)
    root = getattr(deps.evidence, "root", None)  # a local evidence store: files on this disk
    if not isinstance(root, Path):
        raise Missing()
    wanted, _ = read_filter(request.query_params, year=deps.current_year())
    year = wanted.year if wanted.year is not None else deps.current_year()
    try:
        source = await read(
            deps.database,
            lambda session: dossier_source(
                session, actor=viewer.actor, unit_id=unit_id, year=year, evidence_root=root
            ),
        )
    except NotFound:
        raise Missing() from None
    except AccessDenied:
        raise Forbidden() from None
    if source is None:
        raise Missing()
    if source.level == 0:
        return Response(
            NOTHING_TO_REQUEST, status_code=409, media_type="text/plain; charset=utf-8"
        )
    from reports.dossier.builder import DossierZip, folder_name

    handle, raw = tempfile.mkstemp(prefix="dvht-ho-so-", suffix=".zip")
    os.close(handle)
    path = Path(raw)
    try:
        await asyncio.to_thread(DossierZip().write, source, path, today=today(deps.now()))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    name = f"{folder_name(source.assessment.unit_name or '', year)}.zip"
    return FileResponse(
        path,
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
        background=BackgroundTask(_remove, path),
    )


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
