"""The units pages: `/donvi` (the list of the units in the viewer's scope, with filters,
search, sortable headers and pages), `/donvi/{unit_id}` (one unit, with “Trả lại” and “Công
nhận” for the reviewers of its office), the evidence downloads, and `/bieudo` (the charts).

The list's filter is a GET form, so a filtered list is a link an official can bookmark or
send; a value the form never offers (a hand-edited address) is ignored with one sentence
rather than refused. The decisions are POST forms: a refusal (`ReviewRefused`) shows its one
sentence above the same form, filled in as sent; a success redirects (303) back to the unit's
page with a message, so reloading it never decides twice.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from conversations.errors import AccessDenied, NotFound
from dvht_core.vietnam_time import today
from review.board import (
    LEVEL_WORDS,
    MAX_PER_PAGE,
    SORT_KEYS,
    STATUS_KEYS,
    STATUS_NAMES,
    STORED_STATUS_WORDS,
    UnitFilter,
    unit_type_name,
)
from review.ports import ReviewRefused, Viewer
from storage.board_store import BoardStore
from web.dashboard import charts as svg
from web.dashboard import forms
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.problems import Forbidden, Missing
from web.dashboard.templating import render
from web.report_routes import content_disposition

router = APIRouter()

FILTER_KEYS = ("year", "status", "unit_type", "level", "q", "sort", "order", "per_page")
BAD_FILTER = "Một số điều kiện lọc không hợp lệ nên đã được bỏ qua."
DONE = {
    "tra-lai": "Đã trả lại hồ sơ; các thành viên của đơn vị được báo qua bot.",
    "cong-nhan": "Đã công nhận hồ sơ; các thành viên của đơn vị được báo qua bot.",
}
"""Success messages by the redirect's `xong` key: a fixed sentence, never text from the URL."""
SORT_LABELS = {
    "name": "Tên đơn vị",
    "status": "Trạng thái",
    "percent": "Tiến độ",
    "days_left": "Hạn nộp",
}


def read_filter(params: QueryParams, *, year: int) -> tuple[UnitFilter, bool]:
    """The list's filter from the page's query string, and whether some value was ignored."""
    bad = False

    def number(name: str, low: int, high: int) -> int | None:
        nonlocal bad
        raw = params.get(name, "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            bad = True
            return None
        if not low <= value <= high:
            bad = True
            return None
        return value

    status = params.get("status") or None
    if status is not None and status not in STATUS_KEYS:
        status, bad = None, True
    sort = params.get("sort") or "name"
    if sort not in SORT_KEYS:
        sort, bad = "name", True
    unit_type = (params.get("unit_type") or "").strip() or None
    if unit_type is not None and (len(unit_type) > 30 or not unit_type.isidentifier()):
        unit_type, bad = None, True
    search = unicodedata.normalize("NFC", params.get("q", "")).strip()[:100] or None
    wanted = UnitFilter(
        year=number("year", 2020, 2100) or year,
        status=status,
        unit_type=unit_type,
        level=number("level", 0, 2),
        search=search,
        sort=sort,  # type: ignore[arg-type]
        descending=params.get("order") == "desc",
        page=number("page", 1, 100_000) or 1,
        per_page=number("per_page", 1, MAX_PER_PAGE) or 50,
    )
    return wanted, bad


def filter_query(wanted: UnitFilter, **changes: Any) -> str:
    """The query string of the list with `changes` (a header's sort, a pager's page)."""
    current: dict[str, Any] = {
        "year": wanted.year,
        "status": wanted.status,
        "unit_type": wanted.unit_type,
        "level": wanted.level,
        "q": wanted.search,
        "sort": wanted.sort,
        "order": "desc" if wanted.descending else "asc",
        "page": wanted.page,
        "per_page": wanted.per_page,
    }
    current.update(changes)
    return urlencode({k: v for k, v in current.items() if v not in (None, "")})


def _today(request: Request) -> dt.date:
    return today(get_deps(request).now())


@router.get("/donvi", **rule("viewer"))
async def units_page(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    wanted, bad = read_filter(request.query_params, year=deps.current_year())
    page = await BoardStore(deps.database).units(viewer.person_id, wanted, today=_today(request))
    seen = {r.unit_type for r in page.rows}
    if wanted.unit_type:
        seen.add(wanted.unit_type)
    return render(
        request,
        "units.html",
        viewer=viewer,
        page=page,
        wanted=wanted,
        warning=BAD_FILTER if bad else None,
        statuses=[(k, STATUS_NAMES[k]) for k in STATUS_KEYS],
        levels=sorted(LEVEL_WORDS.items()),
        unit_types=[(t, unit_type_name(t)) for t in _unit_types(sorted(seen))],
        sort_labels=SORT_LABELS,
        query=lambda **changes: filter_query(wanted, **changes),
        export_query=filter_query(wanted, page=None, per_page=None),
    )


def _unit_types(seen: list[str]) -> list[str]:
    from dvht_core.loader import load_unit_types

    known = [u.id for u in load_unit_types().unit_types]
    return known + [t for t in seen if t not in known]


async def _unit_page(
    request: Request,
    viewer: Viewer,
    unit_id: int,
    *,
    status_code: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
    which: str | None = None,
) -> Response:
    deps = get_deps(request)
    params = request.query_params
    year, _ = read_filter(params, year=deps.current_year())
    try:
        audit_page = max(1, min(int(params.get("nhatky", "1")), 100_000))
    except ValueError:
        audit_page = 1
    try:
        detail = await BoardStore(deps.database).detail(
            viewer.person_id,
            unit_id,
            year=year.year,
            audit_page=audit_page,
            today=_today(request),
        )
    except NotFound:
        raise Missing() from None
    done = DONE.get(params.get("xong", ""))
    levels = [lvl for lvl in (1, 2) if lvl <= (detail.row.submitted_level or 2)]
    return render(
        request,
        "unit.html",
        viewer=viewer,
        detail=detail,
        row=detail.row,
        year=year.year,
        error=error,
        which=which,
        form=form or {},
        done=done,
        levels=levels,
        level_words=LEVEL_WORDS,
        status_words=STORED_STATUS_WORDS,
        today=_today(request),
        status_code=status_code,
    )


@router.get("/donvi/{unit_id}", **rule("unit_read"))
async def unit_page(
    request: Request, unit_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    return await _unit_page(request, viewer, unit_id)


@router.post("/donvi/{unit_id}/tra-lai", **rule("unit_review"))
async def return_form(
    request: Request, unit_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    year = _form_year(form, deps)
    reason = form.get("reason", "")
    if not reason:
        return await _unit_page(
            request,
            viewer,
            unit_id,
            status_code=400,
            error="Hãy ghi lý do trả lại hồ sơ.",
            form=form,
            which="return",
        )
    try:
        await deps.review.return_dossier(
            viewer.actor, unit_id=unit_id, year=year, reason=reason[:2000]
        )
    except ReviewRefused as refused:
        return await _unit_page(
            request,
            viewer,
            unit_id,
            status_code=409,
            error=refused.message,
            form=form,
            which="return",
        )
    except NotFound:
        raise Missing() from None
    except AccessDenied:
        raise Forbidden() from None
    return RedirectResponse(f"/donvi/{unit_id}?year={year}&xong=tra-lai", status_code=303)


def _form_year(form: dict[str, str], deps: Any) -> int:
    try:
        year = int(form.get("year", ""))
    except ValueError:
        return int(deps.current_year())
    return year if 2020 <= year <= 2100 else int(deps.current_year())


def read_date(raw: str) -> dt.date:
    """dd/mm/yyyy (typed) or yyyy-mm-dd (a date input); FormError otherwise."""
    raw = raw.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise forms.FormError("Ngày quyết định phải có dạng ngày/tháng/năm, ví dụ 05/12/2026.")


@router.post("/donvi/{unit_id}/cong-nhan", **rule("unit_review"))
async def recognise_form(
    request: Request, unit_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    year = _form_year(form, deps)
    try:
        number = form.get("decision_number", "")
        if not number:
            raise forms.FormError("Hãy nhập số quyết định công nhận.")
        if len(number) > 100:
            raise forms.FormError("Số quyết định dài quá 100 ký tự.")
        decided = read_date(form.get("decision_date", ""))
        level = forms.whole(form.get("level"), label="mức công nhận", low=1, high=2)
        assert level is not None
        await deps.review.recognise(
            viewer.actor,
            unit_id=unit_id,
            year=year,
            decision_number=number,
            decision_date=decided,
            level=level,
        )
    except forms.FormError as wrong:
        return await _unit_page(
            request,
            viewer,
            unit_id,
            status_code=400,
            error=wrong.message,
            form=form,
            which="recognise",
        )
    except ReviewRefused as refused:
        return await _unit_page(
            request,
            viewer,
            unit_id,
            status_code=409,
            error=refused.message,
            form=form,
            which="recognise",
        )
    except NotFound:
        raise Missing() from None
    except AccessDenied:
        raise Forbidden() from None
    return RedirectResponse(f"/donvi/{unit_id}?year={year}&xong=cong-nhan", status_code=303)


@router.get("/donvi/{unit_id}/minhchung/{evidence_id}", **rule("unit_read"))
async def evidence_file(
    request: Request, unit_id: int, evidence_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    """An evidence file of the unit, as an attachment (never rendered by the browser)."""
    deps = get_deps(request)
    if deps.evidence is None or not 0 < evidence_id < 2**63:
        raise Missing()
    try:
        key, name, mime = await BoardStore(deps.database).evidence_file(
            viewer.person_id, unit_id, evidence_id
        )
        data = await deps.evidence.open(key)
    except (NotFound, ValueError, FileNotFoundError):
        raise Missing() from None
    return Response(
        data,
        media_type=mime,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/bieudo", **rule("viewer"))
async def charts_page(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    wanted, _ = read_filter(request.query_params, year=deps.current_year())
    data = await BoardStore(deps.database).charts(
        viewer.person_id, year=wanted.year, today=_today(request)
    )
    return render(
        request,
        "charts.html",
        viewer=viewer,
        data=data,
        levels_svg=svg.levels_chart(data),
        failed_svg=svg.failed_chart(data),
        progress_svg=svg.progress_chart(data),
    )
