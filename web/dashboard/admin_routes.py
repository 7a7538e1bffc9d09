"""Administration pages under `/quantri` (reviewers): the overview for now."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from review.ports import Viewer
from web.dashboard.access import require_viewer, rule
from web.dashboard.templating import render

router = APIRouter()


@router.get("/quantri", **rule("reviewer"))
async def admin_home(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    return render(request, "admin.html", viewer=viewer)
