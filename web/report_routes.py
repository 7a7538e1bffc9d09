"""`GET /r/{token}`: a signed report link, answered with its file or a 403 that says nothing.

The file is streamed from disk (`FileResponse`: never read into memory, HEAD and byte ranges
included) with its type, its Vietnamese name in an RFC 6266/5987 Content-Disposition, and
caching allowed up to the link's expiry and only in the reader's own browser. Every bad token
gets the same 403 page, byte for byte, whatever was wrong with it.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import unicodedata
from urllib.parse import quote

from fastapi import APIRouter
from starlette.responses import FileResponse, HTMLResponse, Response

from conversations import catalogue as say
from web.links import PNG, ServedFile, SignedLinks

_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._ ()+,-]+")
_SPACES = re.compile(r" {2,}")
_ASCII_LOOKALIKES = str.maketrans({"đ": "d", "Đ": "D", "–": "-", "—": "-", "“": "'", "”": "'"})
_SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
_REFUSED_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Đường dẫn không dùng được</title></head>"
    f"<body><p>{html.escape(say.REPORT_LINK_REFUSED)}</p></body></html>"
)


def ascii_fallback(name: str) -> str:
    """The file name for clients that do not read `filename*`: the Vietnamese letters without
    their marks (đ → d), anything a quoted string could not carry replaced by “_”."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_ASCII_LOOKALIKES))
    plain = decomposed.encode("ascii", "ignore").decode("ascii")
    cleaned = _SPACES.sub(" ", _NOT_PLAIN.sub("_", plain)).strip(" _")
    if not cleaned or cleaned.startswith("."):
        cleaned = "bao-cao" + (cleaned if cleaned.startswith(".") else "")
    return cleaned


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 with the RFC 5987 `filename*` for the real (UTF-8) name and a quoted ASCII
    fallback before it, as every browser since 2012 and the older mail clients expect."""
    kind = "inline" if inline else "attachment"
    encoded = quote(unicodedata.normalize("NFC", name), safe="")
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"


def _refused() -> Response:
    return HTMLResponse(
        _REFUSED_PAGE,
        status_code=403,
        headers={"Cache-Control": "no-store", **_SECURITY_HEADERS},
    )


def _served(file: ServedFile, now: dt.datetime) -> Response:
    max_age = max(0, int((file.expires_at - now).total_seconds()))
    disposition = content_disposition(file.file_name, inline=file.mime_type == PNG)
    return FileResponse(
        file.path,
        media_type=file.mime_type,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": f"private, max-age={max_age}",
            **_SECURITY_HEADERS,
        },
    )


_TOKEN_IN_PATH = re.compile(r"/r/[^\s?#\"']+")
HIDDEN_TOKEN = "/r/<link>"
ACCESS_LOGGERS = ("uvicorn.access", "httpx")
"""uvicorn logs every request's path; httpx logs every URL it requests (at INFO)."""


class LinkTokenFilter(logging.Filter):
    """Hides the token of a report link in a log line: a token is a key to a report (anyone who
    reads the log could download it), so the access log keeps the request, not the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _TOKEN_IN_PATH.sub(HIDDEN_TOKEN, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_hidden(arg) for arg in record.args)
        return True


def _hidden(arg: object) -> object:
    """A log argument without link tokens: strings, and objects shown as strings (httpx logs
    its `URL` object), which become their redacted text; numbers are left for `%d`."""
    if isinstance(arg, (int, float)) or arg is None:
        return arg
    text = arg if isinstance(arg, str) else str(arg)
    hidden = _TOKEN_IN_PATH.sub(HIDDEN_TOKEN, text)
    return arg if hidden == text else hidden


def hide_link_tokens(loggers: tuple[str, ...] = ACCESS_LOGGERS) -> None:
    """Put `LinkTokenFilter` on the loggers that write request paths (once each; call it where
    the server starts, before uvicorn logs its first request)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, LinkTokenFilter) for f in logger.filters):
            logger.addFilter(LinkTokenFilter())


def report_routes(links: SignedLinks) -> APIRouter:
    """The router the backend mounts for report links (GET and HEAD /r/{token}). It also hides
    link tokens from the access logs (`hide_link_tokens`), since whoever mounts the route has a
    server about to log requests to it."""
    hide_link_tokens()
    router = APIRouter()

    # `path` so that a token with a slash in it (or none at all: /r/) is refused the same way
    # rather than answered with a 404 that tells a prober something.
    @router.api_route("/r/{token:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def report_file(token: str) -> Response:
        served = links.open(token)
        if served is None:
            return _refused()
        return _served(served, links.now())

    return router
