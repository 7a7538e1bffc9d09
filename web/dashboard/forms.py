"""Reading the admin pages' forms: every value NFC-normalised and trimmed at the boundary,
and the few shapes the forms take (an office of the person's scope, a date, a whole number).

Each reader returns the value or raises `FormError` with one Vietnamese sentence; the page
then shows that sentence above the same form, filled in as it was sent.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from starlette.datastructures import UploadFile
from starlette.requests import Request

from review.ports import Viewer


class FormError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def values(request: Request) -> dict[str, str]:
    """The form's text fields (files left out), NFC, trimmed; the CSRF field left out."""
    form = await request.form()
    found: dict[str, str] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile) or key == "csrf_token":
            continue
        found[key] = unicodedata.normalize("NFC", value).strip()
    return found


def office(viewer: Viewer, raw: str | None) -> int:
    """An office the person reviews for: the one chosen, or their only one."""
    if not raw and len(viewer.office_ids) == 1:
        return next(iter(viewer.office_ids))
    try:
        office_id = int(raw or "")
    except ValueError:
        raise FormError("Hãy chọn cơ quan.") from None
    if office_id not in viewer.office_ids:
        raise FormError("Bạn không làm việc cho cơ quan này; hãy chọn cơ quan trong danh sách.")
    return office_id


def whole(
    raw: str | None, *, label: str, low: int, high: int, required: bool = True
) -> int | None:
    """A whole number in [low, high]; None when empty and not required."""
    if not raw:
        if required:
            raise FormError(f"Hãy nhập {label}.")
        return None
    try:
        number = int(raw.replace(".", "").replace(" ", ""))
    except ValueError:
        raise FormError(f"{label.capitalize()} phải là một số nguyên.") from None
    if not low <= number <= high:
        raise FormError(f"{label.capitalize()} phải từ {low} đến {high}.")
    return number


def date(raw: str | None, *, label: str) -> dt.date:
    """dd/mm/yyyy as people type it, or yyyy-mm-dd as a date picker sends it."""
    if not raw:
        raise FormError(f"Hãy nhập {label} (ngày/tháng/năm).")
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise FormError(f"{label.capitalize()} “{raw[:20]}” không đúng dạng ngày/tháng/năm.")


def text(raw: str | None, *, label: str, limit: int) -> str:
    if not raw:
        raise FormError(f"Hãy nhập {label}.")
    if len(raw) > limit:
        raise FormError(f"{label.capitalize()} dài quá {limit} ký tự.")
    return raw
