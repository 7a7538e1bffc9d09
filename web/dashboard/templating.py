"""Rendering the dashboard's pages: Jinja2 with autoescaping, the security headers every page
carries, and the context every template may use (`viewer`, `csrf_token`, `nav`, the date
filters in Vietnam time).

The headers are set here rather than by a middleware so that the backend's other routes (the
webhooks, which answer Telegram thousands of times a minute) pay nothing for them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dvht_core.vietnam_time import local
from web.dashboard import text

TEMPLATES = Path(__file__).parent / "templates"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
"""No inline script or style anywhere: a value that slipped past autoescaping still runs
nothing."""
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
"""Every page shows someone's data or a form with their CSRF token: never cached."""


def vn_date(value: dt.date | dt.datetime | None) -> str:
    """dd/mm/yyyy; a moment is first put in Vietnam's time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value if value.tzinfo else value.replace(tzinfo=dt.UTC)).date()
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: dt.datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam's time."""
    if value is None:
        return ""
    moment = local(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
    return moment.strftime("%H:%M %d/%m/%Y")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vndate"] = vn_date
    env.filters["vndatetime"] = vn_datetime
    env.globals["text"] = text
    return env


ENVIRONMENT = _environment()


def nav(viewer: Any) -> list[tuple[str, str]]:
    """The navigation a signed-in person sees (href, label); administration for reviewers."""
    if viewer is None or getattr(viewer, "role", None) is None:
        return []
    items = [("/donvi", text.NAV_UNITS), ("/bieudo", text.NAV_CHARTS)]
    if viewer.role == "reviewer":
        items.append(("/quantri", text.NAV_ADMIN))
    return items


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page `template` with `context`, plus `request`, `viewer` (the signed-in person,
    unless given), `csrf_token` (for the hidden field of every form) and `nav`."""
    viewer = context.pop("viewer", getattr(request.state, "viewer", None))
    page = ENVIRONMENT.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf_token=getattr(request.state, "csrf_token", ""),
        nav=nav(viewer),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})
