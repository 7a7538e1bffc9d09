"""`/quantri/han`: the office's own deadlines (`storage.calendar_store`: add, remove, list;
the reminders are planned again after a change) and its broadcasts (`reminders.broadcast`:
a text to every reachable member of the office's units, queued as reminders of kind
"broadcast" for the dispatcher, held until the quiet hours end)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from dvht_core.limits import MAX_YEAR, MIN_YEAR
from dvht_core.send_window import default_window
from dvht_core.unit_calendar import OfficeDeadline
from dvht_core.vietnam_time import local
from reminders import broadcast
from review.ports import Viewer
from storage import calendar_store, office_admin
from storage.reminder_store import SqlBroadcastStore
from storage.uow import read, transaction
from web.dashboard import forms
from web.dashboard.access import require_viewer, rule
from web.dashboard.deps import DashboardDeps, get_deps
from web.dashboard.problems import Missing
from web.dashboard.templating import render

log = logging.getLogger(__name__)
TITLE_LIMIT = 300
_REFUSED = {
    "empty": "Nội dung thông báo trống; hãy nhập nội dung.",
    "empty_scope": "Cơ quan chưa có đơn vị nào đang hoạt động để nhận thông báo.",
    "unknown_office": "Không tìm thấy cơ quan này.",
}

router = APIRouter()


class _DepsClock:
    """The deps' clock as `reminders.ports.Clock` (prepare only reads it)."""

    def __init__(self, deps: DashboardDeps) -> None:
        self._deps = deps

    def now(self) -> dt.datetime:
        return self._deps.now()

    async def sleep(self, seconds: float) -> None:  # never called by `prepare`
        return None


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    status_code: int = 200,
    error: str | None = None,
    done: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    deps = get_deps(request)

    def load(session: Any) -> tuple[list[Any], list[OfficeDeadline]]:
        offices = office_admin.offices(session, viewer.office_ids)
        dates = [
            deadline
            for office_id in sorted(viewer.office_ids)
            for deadline in calendar_store.deadlines(session, office_id=office_id)
        ]
        return offices, sorted(dates, key=lambda d: (d.day, d.id))

    offices, deadlines = await read(deps.database, load)
    return render(
        request,
        "admin_calendar.html",
        viewer=viewer,
        offices=offices,
        deadlines=deadlines,
        error=error,
        done=done,
        form=form or {"year": str(deps.current_year())},
        status_code=status_code,
    )


@router.get("/quantri/han", **rule("reviewer"))
async def calendar_page(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    return await _page(request, viewer)


async def _replan(deps: DashboardDeps) -> None:
    if deps.replan is None:
        return
    try:
        await deps.replan()
    except Exception:  # the date is saved; the next planning run catches up
        log.exception("the reminders could not be planned again after a deadline change")


@router.post("/quantri/han", **rule("reviewer"))
async def add_deadline(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    try:
        office_id = forms.office(viewer, form.get("office_id"))
        year = forms.whole(form.get("year"), label="năm đánh giá", low=MIN_YEAR, high=MAX_YEAR)
        due_on = forms.date(form.get("due_on"), label="ngày hạn")
        title = forms.text(form.get("title"), label="tên hạn", limit=TITLE_LIMIT)
        assert year is not None
        if not year <= due_on.year <= year + 1:
            raise forms.FormError(
                f"Ngày hạn phải nằm trong năm {year} hoặc đầu năm {year + 1} (hồ sơ năm {year})."
            )
    except forms.FormError as wrong:
        return await _page(request, viewer, status_code=400, error=wrong.message, form=form)
    data = calendar_store.NewDeadline(year=year, due_on=due_on, title=title, office_id=office_id)
    added = await transaction(
        deps.database,
        lambda session: calendar_store.add_deadline(session, actor=viewer.actor, data=data),
    )
    await _replan(deps)
    done = f"Đã thêm hạn “{added.title}” ngày {added.day:%d/%m/%Y}."
    return await _page(request, viewer, done=done)


@router.post("/quantri/han/{deadline_id}/xoa", **rule("reviewer"))
async def remove_deadline(
    request: Request, deadline_id: int, viewer: Viewer = Depends(require_viewer)
) -> Response:
    deps = get_deps(request)
    now = deps.now()

    def write(session: Any) -> OfficeDeadline | None:
        mine = {
            d.id
            for office_id in viewer.office_ids
            for d in calendar_store.deadlines(session, office_id=office_id)
        }
        if deadline_id not in mine:
            return None
        return calendar_store.remove_deadline(
            session, actor=viewer.actor, deadline_id=deadline_id, now=now
        )

    removed = await transaction(deps.database, write)
    if removed is None:
        raise Missing()
    await _replan(deps)
    done = f"Đã bỏ hạn “{removed.title}” ngày {removed.day:%d/%m/%Y}."
    return await _page(request, viewer, done=done)


@router.post("/quantri/thong-bao", **rule("reviewer"))
async def send_broadcast(request: Request, viewer: Viewer = Depends(require_viewer)) -> Response:
    deps = get_deps(request)
    form = await forms.values(request)
    store = SqlBroadcastStore(deps.database)
    try:
        office_id = forms.office(viewer, form.get("office_id"))
        announced = await broadcast.announcement(
            store, "office", str(office_id), form.get("text", "")
        )
    except forms.FormError as wrong:
        return await _page(request, viewer, status_code=400, error=wrong.message, form=form)
    except broadcast.BroadcastRefused as refused:
        message = _REFUSED.get(refused.reason)
        if refused.reason == "too_long":
            message = (
                f"Thông báo dài {refused.size} ký tự, tối đa {broadcast.TEXT_LIMIT}; hãy rút gọn."
            )
        return await _page(
            request, viewer, status_code=400, error=message or _REFUSED["empty"], form=form
        )
    prepared = await broadcast.prepare(
        store,
        announced,
        channels=deps.broadcast_channels,
        clock=_DepsClock(deps),
        window=default_window(),
    )
    seen = prepared.audience
    done = f"Đã xếp {prepared.planned} tin để gửi tới {seen['reachable']} tài khoản chat"
    if seen["received"]:
        done += f" ({seen['received']} tài khoản đã nhận thông báo này từ lần trước)"
    done += "."
    if prepared.waiting:
        due = local(prepared.due)
        done += f" Đang giờ nghỉ nên tin sẽ gửi lúc {due:%H:%M} ngày {due:%d/%m/%Y}."
    if seen["blocked"]:
        done += f" {seen['blocked']} tài khoản đã chặn bot, không nhận được."
    return await _page(request, viewer, done=done)
