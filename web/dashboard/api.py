"""The dashboard's JSON API, `/api/v1`: the same data and decisions as the pages, for an
office's own tools (a spreadsheet that pulls the list, a script that follows a province).

Every route has a pydantic response model, so `GET /api/v1/openapi.json` (built from these
routes only, `fastapi.openapi.utils.get_openapi`; the app itself publishes no schema) says
exactly what is answered. Query parameters are validated (a bad value is 422, never a 500);
refusals are `{"detail": "<one Vietnamese sentence>"}`: 401 anonymous, 403 no right or a bad
`X-CSRF-Token` on a POST, 404 a unit that does not exist or is outside the caller's scope (the
same answer for both), 409 a decision the workflow does not allow (`ReviewRefused`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Awaitable
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from conversations.errors import AccessDenied, NotFound
from dvht_core.vietnam_time import today
from review.board import MAX_PER_PAGE, UnitDetail, UnitFilter, UnitRow
from review.ports import Decision, ReviewRefused, Viewer
from storage.board_store import BoardStore
from web.dashboard import text
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import get_deps
from web.dashboard.problems import Forbidden, Missing, Refusal

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX, tags=["dashboard"])

StatusParam = Literal[
    "not_started", "in_progress", "self_assessed", "submitted", "returned", "recognised"
]
SortParam = Literal["name", "status", "percent", "days_left"]


class Problem(BaseModel):
    detail: str = Field(description="Một câu tiếng Việt nói lý do.")


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Chưa đăng nhập."},
    403: {"model": Problem, "description": "Không có quyền, hoặc mã CSRF sai."},
    404: {"model": Problem, "description": "Không có đơn vị này trong phạm vi của bạn."},
}


class Me(BaseModel):
    person_id: int
    name: str
    role: Literal["reviewer", "unit_admin"] | None = Field(
        description="reviewer: cán bộ thẩm định; unit_admin: quản trị đơn vị."
    )
    office_ids: list[int] = Field(description="Các cơ quan người này thẩm định hồ sơ cho.")
    admin_unit_ids: list[int] = Field(description="Các đơn vị người này quản trị.")


class UnitOut(BaseModel):
    unit_id: int
    name: str
    unit_type: str = Field(description="Mã loại đơn vị, ví dụ ubnd_xa.")
    unit_type_name: str
    tier: Literal["huyen", "tinh"]
    status: StatusParam = Field(description="Trạng thái trên bảng theo dõi.")
    status_text: str = Field(description="Trạng thái bằng lời: “đang làm 40%”…")
    answered: int = Field(description="Số chỉ tiêu đã trả lời.")
    total: int = Field(description="Số chỉ tiêu áp dụng (0 khi chưa bắt đầu).")
    percent: int = Field(description="Phần trăm chỉ tiêu đã trả lời, làm tròn xuống.")
    level: int | None = Field(description="Mức tự đánh giá (0, 1, 2) khi đã trả lời đủ.")
    submitted_level: int | None
    recognised_level: int | None
    deadline: dt.date = Field(description="Hạn nộp hồ sơ đang áp dụng (“trước ngày”).")
    days_left: int = Field(description="Số ngày còn lại; 0 trở xuống là đã quá hạn.")


class UnitListOut(BaseModel):
    year: int
    page: int
    per_page: int
    total: int = Field(description="Số đơn vị khớp bộ lọc (mọi trang).")
    pages: int
    counts: dict[str, int] = Field(description="Số đơn vị theo từng trạng thái.")
    units: list[UnitOut]


class AnswerOut(BaseModel):
    indicator_id: str
    label: str
    answer: str | None
    result: str
    level: int | None
    answered_by: str | None
    answered_at: dt.datetime | None
    revisions: int


class EvidenceOut(BaseModel):
    evidence_id: int
    title: str
    kind: str
    indicator_ids: list[str]
    file_name: str | None
    size: int | None
    download: str | None = Field(description="Đường dẫn tải tệp (cần đăng nhập).")


class YearOut(BaseModel):
    year: int
    status: str
    submitted_level: int | None
    recognised_level: int | None
    decision_number: str | None
    decision_date: dt.date | None


class AuditOut(BaseModel):
    at: dt.datetime
    who: str
    what: str


class GapOut(BaseModel):
    target: str
    needs: list[str]


class UnitDetailOut(BaseModel):
    unit: UnitOut
    office_name: str | None
    members: int | None
    learners: int | None
    result: str | None
    gaps: list[GapOut]
    answers: list[AnswerOut]
    evidence: list[EvidenceOut]
    years: list[YearOut]
    audit: list[AuditOut]
    audit_page: int
    audit_pages: int
    return_reason: str | None
    decision_number: str | None
    decision_date: dt.date | None
    can_review: bool = Field(description="Người xem có thể trả lại hoặc công nhận hồ sơ.")


class ReturnIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Lý do trả lại hồ sơ.")


class RecogniseIn(BaseModel):
    decision_number: str = Field(min_length=1, max_length=100, description="Số quyết định.")
    decision_date: dt.date = Field(description="Ngày quyết định (không ở tương lai).")
    level: Literal[1, 2] = Field(description="Mức công nhận, không quá mức đã nộp.")


class DecisionOut(BaseModel):
    unit_id: int
    unit_name: str
    year: int
    status: Literal["returned", "recognised"]
    level: int | None
    notified: int = Field(description="Số cuộc trò chuyện được báo tin.")


class CountOut(BaseModel):
    key: str
    label: str
    units: int


class WeekOut(BaseModel):
    week_start: dt.date
    answered: int
    total: int
    percent: int


class ChartsOut(BaseModel):
    year: int
    levels: list[CountOut]
    failed: list[CountOut] = Field(description="Các chỉ tiêu chưa đạt nhiều nhất (tối đa 10).")
    progress: list[WeekOut]


def unit_out(row: UnitRow) -> UnitOut:
    return UnitOut(
        unit_id=row.unit_id,
        name=row.name,
        unit_type=row.unit_type,
        unit_type_name=row.unit_type_name,
        tier="tinh" if row.tier == "tinh" else "huyen",
        status=row.status,
        status_text=row.status_text,
        answered=row.answered,
        total=row.total,
        percent=row.percent,
        level=row.level,
        submitted_level=row.submitted_level,
        recognised_level=row.recognised_level,
        deadline=row.deadline,
        days_left=row.days_left,
    )


def detail_out(detail: UnitDetail) -> UnitDetailOut:
    unit_id = detail.row.unit_id
    return UnitDetailOut(
        unit=unit_out(detail.row),
        office_name=detail.office_name,
        members=detail.members,
        learners=detail.learners,
        result=detail.result,
        gaps=[GapOut(target=t, needs=list(n)) for t, n in detail.gaps],
        answers=[
            AnswerOut(
                indicator_id=a.indicator_id,
                label=a.label,
                answer=a.answer,
                result=a.result,
                level=a.level,
                answered_by=a.answered_by,
                answered_at=a.answered_at,
                revisions=a.revisions,
            )
            for a in detail.answers
        ],
        evidence=[
            EvidenceOut(
                evidence_id=e.evidence_id,
                title=e.title,
                kind=e.kind,
                indicator_ids=list(e.indicator_ids),
                file_name=e.file_name,
                size=e.size,
                download=f"/donvi/{unit_id}/minhchung/{e.evidence_id}" if e.has_file else None,
            )
            for e in detail.evidence
        ],
        years=[
            YearOut(
                year=y.year,
                status=y.status,
                submitted_level=y.submitted_level,
                recognised_level=y.recognised_level,
                decision_number=y.decision_number,
                decision_date=y.decision_date,
            )
            for y in detail.years
        ],
        audit=[AuditOut(at=a.at, who=a.who, what=a.what) for a in detail.audit],
        audit_page=detail.audit_page,
        audit_pages=detail.audit_pages,
        return_reason=detail.return_reason,
        decision_number=detail.decision_number,
        decision_date=detail.decision_date,
        can_review=detail.can_review,
    )


YearQuery = Annotated[int | None, Query(ge=2020, le=2100, description="Năm đánh giá.")]


def unit_filter(
    year: YearQuery = None,
    status: Annotated[StatusParam | None, Query(description="Trạng thái.")] = None,
    unit_type: Annotated[
        str | None, Query(max_length=30, pattern=r"^[a-z0-9_]+$", description="Loại đơn vị.")
    ] = None,
    level: Annotated[int | None, Query(ge=0, le=2, description="Mức tự đánh giá.")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Tìm theo tên, không phân biệt dấu.")
    ] = None,
    sort: Annotated[SortParam, Query(description="Sắp xếp theo.")] = "name",
    order: Annotated[Literal["asc", "desc"], Query(description="Chiều sắp xếp.")] = "asc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
) -> UnitFilter:
    """The list's filter from the query string (the page's GET form uses the same names)."""
    search = unicodedata.normalize("NFC", q).strip() if q else None
    return UnitFilter(
        year=year,
        status=status,
        unit_type=unit_type,
        level=level,
        search=search or None,
        sort=sort,
        descending=order == "desc",
        page=page,
        per_page=per_page,
    )


def _today(request: Request) -> dt.date:
    return today(get_deps(request).now())


def _year(request: Request, year: int | None) -> int:
    return year or get_deps(request).current_year()


@router.get("/me", response_model=Me, responses=_ERRORS, **rule("viewer"))
async def me(viewer: Viewer = Depends(require_viewer)) -> Me:
    """Who is signed in and what they may see."""
    return Me(
        person_id=viewer.person_id,
        name=viewer.name,
        role=viewer.role,
        office_ids=sorted(viewer.office_ids),
        admin_unit_ids=sorted(viewer.admin_unit_ids),
    )


@router.get("/units", response_model=UnitListOut, responses=_ERRORS, **rule("viewer"))
async def units(
    request: Request,
    wanted: UnitFilter = Depends(unit_filter),
    viewer: Viewer = Depends(require_viewer),
) -> UnitListOut:
    """The units in the caller's scope, filtered, sorted and paged, with the status counts."""
    deps = get_deps(request)
    wanted = _with_year(wanted, _year(request, wanted.year))
    page = await BoardStore(deps.database).units(viewer.person_id, wanted, today=_today(request))
    return UnitListOut(
        year=page.year,
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
        counts=dict(page.counts),
        units=[unit_out(r) for r in page.rows],
    )


def _with_year(wanted: UnitFilter, year: int) -> UnitFilter:
    return replace(wanted, year=year)


@router.get(
    "/units/{unit_id}", response_model=UnitDetailOut, responses=_ERRORS, **rule("unit_read")
)
async def unit(
    request: Request,
    unit_id: int,
    year: YearQuery = None,
    audit_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    viewer: Viewer = Depends(require_viewer),
) -> UnitDetailOut:
    """One unit: answers, evidence, result and gaps, history across years, audit trail."""
    deps = get_deps(request)
    try:
        detail = await BoardStore(deps.database).detail(
            viewer.person_id,
            unit_id,
            year=_year(request, year),
            audit_page=audit_page,
            today=_today(request),
        )
    except NotFound:
        raise Missing() from None
    return detail_out(detail)


_DECISION_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    409: {"model": Problem, "description": "Quy trình không cho phép quyết định này."},
}


@router.post(
    "/units/{unit_id}/return",
    response_model=DecisionOut,
    responses=_DECISION_ERRORS,
    **rule("unit_review"),
)
async def return_dossier(
    request: Request,
    unit_id: int,
    body: Annotated[ReturnIn, Body()],
    year: YearQuery = None,
    viewer: Viewer = Depends(require_viewer),
) -> DecisionOut:
    """Return the submitted dossier to the unit with a reason (its members are told)."""
    review = get_deps(request).review
    return await _decided(
        review.return_dossier(
            viewer.actor, unit_id=unit_id, year=_year(request, year), reason=body.reason
        )
    )


@router.post(
    "/units/{unit_id}/recognise",
    response_model=DecisionOut,
    responses=_DECISION_ERRORS,
    **rule("unit_review"),
)
async def recognise(
    request: Request,
    unit_id: int,
    body: Annotated[RecogniseIn, Body()],
    year: YearQuery = None,
    viewer: Viewer = Depends(require_viewer),
) -> DecisionOut:
    """Recognise the submitted dossier at a level, by a decision's number and date."""
    review = get_deps(request).review
    return await _decided(
        review.recognise(
            viewer.actor,
            unit_id=unit_id,
            year=_year(request, year),
            decision_number=body.decision_number,
            decision_date=body.decision_date,
            level=body.level,
        )
    )


async def _decided(decision: Awaitable[Decision]) -> DecisionOut:
    """A decision's answer, or its refusal as the API's problem (409 refused by the workflow,
    404 missing or out of scope, 403 not the unit's office). The review service cleans the
    text (NFC, trimmed) itself, as it does for the pages and the command line."""
    try:
        return DecisionOut(**_decision(await decision))
    except ReviewRefused as refused:
        raise Refusal(409, refused.message) from None
    except NotFound:
        raise Missing() from None
    except AccessDenied:
        raise Forbidden() from None


def _decision(decision: Decision) -> dict[str, Any]:
    return {
        "unit_id": decision.unit_id,
        "unit_name": decision.unit_name,
        "year": decision.year,
        "status": decision.status,
        "level": decision.level,
        "notified": decision.notified,
    }


LEVEL_LABELS = {
    "level_2": "Tự đánh giá mức 2",
    "level_1": "Tự đánh giá mức 1",
    "level_0": "Tự đánh giá không đạt",
    "incomplete": "Chưa trả lời đủ",
}


@router.get("/charts", response_model=ChartsOut, responses=_ERRORS, **rule("viewer"))
async def charts(
    request: Request, year: YearQuery = None, viewer: Viewer = Depends(require_viewer)
) -> ChartsOut:
    """The charts' numbers: levels across units, the indicators most often not reached, the
    share of indicators answered week by week."""
    deps = get_deps(request)
    data = await BoardStore(deps.database).charts(
        viewer.person_id, year=_year(request, year), today=_today(request)
    )
    return ChartsOut(
        year=data.year,
        levels=[CountOut(key=k, label=LEVEL_LABELS[k], units=n) for k, n in data.levels.items()],
        failed=[CountOut(key=f.indicator_id, label=f.label, units=f.units) for f in data.failed],
        progress=[
            WeekOut(week_start=p.week_start, answered=p.answered, total=p.total, percent=p.percent)
            for p in data.progress
        ],
    )


@router.get("/openapi.json", include_in_schema=False, **rule("public"))
async def openapi() -> JSONResponse:
    """This API's schema: the /api/v1 routes only."""
    return JSONResponse(api_schema())


_SCHEMA: dict[str, Any] = {}


def api_schema() -> dict[str, Any]:
    if not _SCHEMA:
        _SCHEMA.update(
            get_openapi(
                title=f"{text.APP_NAME} API",
                version="1",
                description=__doc__,
                routes=router.routes,
            )
        )
    return _SCHEMA
