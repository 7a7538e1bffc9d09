"""The dashboard's route table as the matrix reads it, and what each rule allows whom.

Everything here is derived from `app.routes`: a new route is in the matrix the moment it is
added, with the rule its decorator names (`openapi_extra["x-access"]`, set by
`web.dashboard.access.rule`). A route with no rule, outside the short list of machine routes
below, is reported by `unruled` and fails the matrix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

RULES = ("public", "viewer", "reviewer", "unit_read", "unit_review", "unit_admin")
MACHINE_PATHS = (
    re.compile(r"^/healthz$"),
    re.compile(r"^/health$"),
    re.compile(r"^/metrics$"),
    re.compile(r"^/r/\{token(:path)?\}$"),
    re.compile(r"^/(telegram|zalo)(/.*)?$"),
    re.compile(r"^/static(/.*)?$"),
)
"""Routes callers other than people use (probes, Prometheus, the channels' webhooks, the
signed report links which carry their own signature, the dashboard's CSS and script): they
need no access rule. Anything else without `x-access` fails the matrix."""
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Role = Literal["anonymous", "member", "admin", "reviewer1", "reviewer2"]
ROLES: tuple[Role, ...] = ("anonymous", "member", "admin", "reviewer1", "reviewer2")
Scope = Literal["none", "own", "office", "other", "mine", "theirs"]
"""Which unit a `{unit_id}` is filled with: `own` = the admin's unit X (office 1), `office` =
another unit of office 1, `other` = a unit of office 2. An office's own things (`{office_id}`,
its reviewers' `{person_id}`, `{invite_id}`, `{deadline_id}`): `mine` = of the caller's
office (office 2 for its reviewer, office 1 for everyone else), `theirs` = of the other
office. `none` for routes with neither."""
OFFICE_PARAMS = frozenset({"office_id", "person_id", "invite_id", "deadline_id"})


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    rule: str | None
    params: tuple[str, ...]
    csrf_exempt: bool = False
    """Marked `x-csrf: exempt` (only the login form, which has no session yet)."""

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def unit_scoped(self) -> bool:
        return "unit_id" in self.params

    @property
    def office_scoped(self) -> bool:
        return not self.unit_scoped and bool(OFFICE_PARAMS & set(self.params))

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def is_machine(path: str) -> bool:
    return any(pattern.match(path) for pattern in MACHINE_PATHS)


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path) people reach, with its rule (None: no rule). FastAPI keeps an
    included router as one entry of `app.routes`; `iter_route_contexts` (what FastAPI's own
    OpenAPI generator walks) yields each route with the path and extras it is served with."""
    found: list[Endpoint] = []
    for context in iter_route_contexts(app.routes):
        path = str(context.path or getattr(context.original_route, "path", repr(context)))
        original = context.original_route
        extra = context.openapi_extra if isinstance(original, APIRoute) else None
        rule = (extra or {}).get("x-access")
        named = rule if isinstance(rule, str) else None
        if is_machine(path) and named is None:
            continue
        params = tuple(re.findall(r"\{([a-z_]+)(?::[a-z]+)?\}", path))
        methods = sorted((context.methods or {"GET"}) - {"HEAD"})
        exempt = (extra or {}).get("x-csrf") == "exempt"
        found.extend(Endpoint(method, path, named, params, exempt) for method in methods)
    return sorted(found, key=lambda e: (e.path, e.method))


def unruled(app: FastAPI) -> list[str]:
    """The routes people reach that carry no known access rule."""
    return [e.id for e in endpoints(app) if e.rule not in RULES]


def scopes_for(endpoint: Endpoint) -> tuple[Scope, ...]:
    if endpoint.unit_scoped:
        return ("own", "office", "other")
    if endpoint.office_scoped:
        return ("mine", "theirs")
    return ("none",)


Expected = Literal["allowed", "login", "unauthorised", "forbidden", "missing"]


def expected(rule: str, role: Role, scope: Scope, *, api: bool) -> Expected:
    """What `role` must get on a route of `rule` with a unit of `scope` (common.md §2):
    anonymous → the login page (303) or 401 on /api; signed in without the right → 403; a unit
    outside the caller's scope → 404 (the same answer as a unit that does not exist).
    The member-only person has a session but no role: 403 everywhere but "public"."""
    if rule == "public":
        return "allowed"
    if role == "anonymous":
        return "unauthorised" if api else "login"
    if role == "member":
        return "forbidden"
    reviewer_in_scope = (role == "reviewer1" and scope in ("own", "office")) or (
        role == "reviewer2" and scope == "other"
    )
    administers = role == "admin" and scope == "own"
    if rule == "viewer":
        return "missing" if scope == "theirs" else "allowed"
    if rule == "reviewer":
        if not role.startswith("reviewer"):
            return "forbidden"
        return "missing" if scope == "theirs" else "allowed"
    if not (reviewer_in_scope or administers):
        return "missing"
    if rule in ("unit_read", "unit_admin"):
        return "allowed"
    if rule == "unit_review":
        return "allowed" if reviewer_in_scope else "forbidden"
    raise AssertionError(f"unknown rule {rule!r}")
