"""The ASGI app: the channels' routers, `/healthz` and `/metrics`, behind the body limits.

No API documentation pages (`/docs`, `/redoc`, `/openapi.json`): the backend's callers are
Telegram, Zalo and a Prometheus scraper, and a public schema of the webhook routes would only
help someone probing them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter, FastAPI
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from web.limits import BodyGuard, RequestLimits

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_S = 5.0
"""A database that has not answered `SELECT 1` in this long is reported down: a health check
that hangs is as bad to a load balancer as one that fails."""


def create_app(
    *,
    routers: Sequence[APIRouter],
    database_ok: Callable[[], Awaitable[bool]],
    limits: RequestLimits | None = None,
) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)

    async def healthz(_: Request) -> Response:
        """200 `{"ok": true}` when the database answers, else 503 `{"ok": false}`; the reason
        goes to the log, never to the caller."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                ok = await database_ok()
        except Exception:
            log.warning("health check: the database did not answer", exc_info=True)
            ok = False
        return JSONResponse({"ok": ok}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        """The text format prometheus-client's own exporter answers with (0.0.4, which every
        Prometheus version scrapes)."""
        return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    # Plain Starlette routes: no dependency injection or response model to run per request.
    app.add_route("/healthz", healthz, methods=["GET"])
    app.add_route("/health", healthz, methods=["GET"])  # the webhook server's old name
    app.add_route("/metrics", metrics, methods=["GET"])
    app.add_middleware(BodyGuard, limits=limits or RequestLimits())
    return app


def _registry() -> CollectorRegistry:
    """The process's own registry; with several worker processes (PROMETHEUS_MULTIPROC_DIR set
    before the metrics were imported), every process's values summed from that directory."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry
