"""The names report files are saved and sent under, so that no report overwrites another.

A name carries the unit, the assessment year and the day it was made
(`bao-cao-tu-danh-gia_ubnd-xa-hoa-binh_2026_2026-12-02.pdf`), in ASCII so that it survives
every mail client, USB stick and file system an office uses; a second report of the same day
in the same folder gets `-2`, `-3`. The day is Vietnam's (the caller passes it from
`dvht_core.vietnam_time`): a server on UTC would name a report made at 06:30 in Hà Nội after
the day before.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

REPORT = "bao-cao-tu-danh-gia"
SUMMARY = "bang-tong-hop"
STEMS = {"pdf": REPORT, "docx": REPORT, "xlsx": SUMMARY}
"""The document each format holds: the report (PDF, DOCX), the summary table (XLSX)."""
MAX_SLUG = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """ASCII words joined by hyphens: “UBND xã Hòa Bình” → “ubnd-xa-hoa-binh” (đ → d,
    diacritics dropped, at most 60 characters, cut at a hyphen)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    words = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if len(words) > MAX_SLUG:
        words = words[:MAX_SLUG].rsplit("-", 1)[0] if "-" in words[:MAX_SLUG] else words[:MAX_SLUG]
    return words or "don-vi"


def report_file_name(fmt: str, unit_name: str | None, year: int, day: dt.date) -> str:
    """The file name of one format of a unit's report for `year`, made on `day`."""
    unit = slug(unit_name or "")
    return f"{STEMS[fmt]}_{unit}_{year}_{day.isoformat()}.{fmt}"


def unique_path(directory: Path, name: str) -> Path:
    """`directory / name`, or with `-2`, `-3`… before the extension when that file exists."""
    target = directory / name
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    number = 2
    while target.exists():
        target = directory / f"{stem}-{number}{dot}{extension}"
        number += 1
    return target
