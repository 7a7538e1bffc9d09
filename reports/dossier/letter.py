"""The tờ trình đề nghị công nhận “Đơn vị học tập” as plain data, for its PDF and its DOCX.

TT24 Điều 10 khoản 1 điểm c (cấp huyện; Điều 16 for cấp tỉnh): “nếu đơn vị đạt điều kiện
công nhận … đạt ở mức độ nào thì Thủ trưởng đơn vị gửi hồ sơ đề nghị công nhận ở mức độ đó”,
the tờ trình first. The frame is the report's (Nghị định 30/2020, Phụ lục I, through
`reports.heading`), so both documents of one dossier carry the same heading, place and
signature; the number is “Số: …/TTr-<abbreviation>” (Phụ lục III: TTr is the tờ trình).

Who receives it is the calendar's answer (`dvht_core.offices`): when no text or setting
confirms the office (after 1/7/2025 the province's plan decides), “Kính gửi” is a dotted
blank the official fills in by hand, never a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from dvht_core.model import TIER_NAMES
from reports import heading

TT24 = (
    "Thông tư số 24/2023/TT-BGDĐT ngày 11 tháng 12 năm 2023 của Bộ trưởng Bộ Giáo dục và Đào "
    "tạo quy định về đánh giá, công nhận “Đơn vị học tập” cấp huyện, tỉnh"
)
LEGAL_ARTICLE = {"huyen": "điểm c khoản 1 Điều 10", "tinh": "Điều 16"}
"""Where TT24 tells a unit to send the dossier at the level it reached, by tier."""
BLANK_OFFICE = "…………………………………………………………"
AS_ABOVE = "Như trên;"


def office_or_blank(office: str | None) -> str:
    return office.strip() if office and office.strip() else BLANK_OFFICE


def letter_data(
    *,
    unit_name: str,
    unit_type: str,
    tier: str,
    province: str | None,
    year: int,
    level: int,
    office: str | None,
    report: dict[str, Any],
    attachments: Sequence[str],
    today: dt.date,
    governing_body: str | None = None,
) -> dict[str, Any]:
    """The tờ trình asking `office` to recognise the unit at `level` (1 or 2) for `year`.
    `report` is the report's data (`reports.data.report_data`): the tờ trình quotes its
    conclusion so that the two documents cannot disagree."""
    if level not in (1, 2):
        raise ValueError("a tờ trình asks for level 1 or 2")
    tier_name = TIER_NAMES[tier]
    name = heading.full_name(unit_name)
    recipient = office_or_blank(office)
    # In the sentences, an office not yet known is “Quý cơ quan”, as letters address a body
    # they do not name: a dotted blank in mid-sentence reads as a form, not a request.
    addressed = recipient if recipient != BLANK_OFFICE else "Quý cơ quan"
    counts = report["conclusion"]["indicators"]
    request = f"“Đơn vị học tập” {tier_name} mức độ {level} năm {year}"
    return {
        "title": f"Tờ trình đề nghị công nhận {request}",
        "draft": False,
        "doc_type": "TỜ TRÌNH",
        "subject": f"Đề nghị công nhận {request}",
        "heading": {
            "governing": heading.governing_lines(governing_body),
            "issuer": heading.heading_lines(unit_name),
            "number": f"Số:{heading.NUMBER_ROOM}/TTr-{heading.abbreviation(unit_name, unit_type)}",
        },
        "place_date": heading.place_date(unit_name, unit_type, province, today, governing_body),
        "recipient": recipient,
        "office_known": recipient != BLANK_OFFICE,
        "bases": [
            f"Căn cứ {TT24};",
            f"Căn cứ kết quả tự đánh giá “Đơn vị học tập” {tier_name} năm {year} của {name},",
        ],
        "body": [
            (
                f"{name} đã thành lập Tổ đánh giá và tự đánh giá theo các tiêu chí, chỉ tiêu "
                f"quy định tại Thông tư số 24/2023/TT-BGDĐT; thông tin, số liệu tính từ ngày "
                f"01 tháng 01 đến ngày 31 tháng 12 năm {year}. Kết quả: trong "
                f"{counts['total']} chỉ tiêu, {_outcomes(counts)}; đơn vị tự đánh giá "
                f"đạt {request}."
            ),
            (
                f"Căn cứ {LEGAL_ARTICLE[tier]} Thông tư số 24/2023/TT-BGDĐT, {name} kính đề "
                f"nghị {addressed} xem xét, đánh giá và công nhận {name} đạt {request}."
            ),
        ],
        "attachments_lead": "Hồ sơ gửi kèm theo gồm:",
        "attachments": list(attachments),
        "closing": f"Kính trình {addressed} xem xét, quyết định./.",
        "receivers": [AS_ABOVE, heading.FILING],
        "signature": list(heading.head_signature(unit_name, unit_type)),
        "signature_hint": heading.SIGN_AND_STAMP_HINT,
    }


def _outcomes(counts: dict[str, int]) -> str:
    """“12 chỉ tiêu đạt mức độ 2, 1 chỉ tiêu đạt mức độ 1”: only the outcomes that occur. A unit
    that requests recognition has no indicator below level 1 (TT24 Điều 8), and a signed letter
    reading “0 chỉ tiêu không đạt” reads like a form left unfilled."""
    parts = [
        f"{counts[key]} chỉ tiêu {label}"
        for key, label in (("2", "đạt mức độ 2"), ("1", "đạt mức độ 1"), ("0", "không đạt"))
        if counts.get(key)
    ]
    return ", ".join(parts)
