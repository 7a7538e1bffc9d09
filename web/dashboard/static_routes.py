"""`/static/…`: the dashboard's own CSS and script (and their licence), from the package.

A fixed list rather than a directory mount: only these files are ever served, each with its
type, and the route has an access rule like every other (the route-table matrix test).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from web.dashboard.access import rule
from web.dashboard.problems import Missing

STATIC = Path(__file__).parent / "static"
FILES = {
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "LICENSE.txt": "text/plain; charset=utf-8",
}
HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}

router = APIRouter()


@router.get("/static/{name}", **rule("public"))
async def static_file(name: str) -> Response:
    media_type = FILES.get(name)
    if media_type is None:
        raise Missing()
    return FileResponse(STATIC / name, media_type=media_type, headers=HEADERS)
