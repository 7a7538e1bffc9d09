"""The backend served for real: uvicorn on a free port of 127.0.0.1 (`web.server.Backend`, as
`dvht serve` runs it), reached over HTTP with httpx or raw sockets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from web.limits import RequestLimits
from web.server import Backend, open_socket


@contextlib.asynccontextmanager
async def served(app: FastAPI, limits: RequestLimits | None = None) -> AsyncIterator[str]:
    """The app's base URL while it is served."""
    backend = Backend(app, open_socket("127.0.0.1", 0), limits)
    await backend.start()
    try:
        yield f"http://127.0.0.1:{backend.port}"
    finally:
        await backend.stop()
