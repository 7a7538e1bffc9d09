"""The administrative frame of the report: heading, place and date, closing, signatures.

Nghị định 30/2020/NĐ-CP, Phụ lục I fixes how an administrative document (a “báo cáo” among
them) opens and closes: the governing body, when there is one, over the issuing body in
capitals and in full; “Số: …/BC-<abbreviation>” under it; the place-and-date line with the
name of the administrative unit where the issuer sits (the commune for a UBND xã, the province
without “Tỉnh”/“Thành phố” for a body known only by its province); “Nơi nhận:” and the
signature of the head, “TM.” the collective for a People's Committee. These rules are small
pure functions so that the PDF and the DOCX print exactly the same words, and so each rule
can be tested on its own.

What we do not know we do not guess: a governing body that was not given is left out (the
decree prints it only “nếu có”), an abbreviation that cannot be read off the name is left as
dots for the official to fill in, and the receiving office is the one the province's plan
names, since after 1/7/2025 no text in force names the office that receives a district-tier
dossier.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Abbreviations of body names that Nghị định 30 writes out in full in the heading.
_EXPANSIONS = {
    "ubnd": "Ủy ban nhân dân",
    "hđnd": "Hội đồng nhân dân",
    "tp.": "thành phố",
    "tp": "thành phố",
}
_WORD = re.compile(r"\S+")
# The commune-level administrative units (the two-tier local government of 1/7/2025 adds
# “đặc khu”); the name after the word, up to a comma, a bracket or a dash, is the place.
_LOCALITY = re.compile(r"(?:^|\s)(thị trấn|đặc khu|xã|phường)\s+(?P<place>[^,;()–-]+)", re.I)
_PROVINCE_PREFIX = re.compile(r"^(tỉnh|thành phố|tp\.?)\s+", re.I)
_DISTRICT_PREFIX = re.compile(r"^(huyện|quận|thị xã)\s+", re.I)
_ISSUER_PREFIX = re.compile(r"^(trường|nhà trường)\s+", re.I)
DOTS = "……"
RECEIVING_OFFICE = "Cơ quan tiếp nhận hồ sơ theo kế hoạch của tỉnh;"
"""After 1/7/2025 the office that receives a dossier is set by the province's plan (no text in
force names it for district-tier units), so the report names no Phòng GDĐT or UBND cấp huyện."""
FILING = "Lưu: VT."
TEAM_LEADER = "TỔ TRƯỞNG TỔ ĐÁNH GIÁ"
"""TT24 Điều 10 khoản 1 điểm a: the head of the unit sets up the “Tổ đánh giá”."""
SIGN_HINT = "(Ký, ghi rõ họ tên)"
SIGN_AND_STAMP_HINT = "(Ký, ghi rõ họ tên, đóng dấu)"
SCHOOL_TYPES = frozenset({"mam_non", "pho_thong", "gdnn", "dai_hoc"})


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def full_name(name: str) -> str:
    """The body's name with the abbreviations of body names written out (“UBND” →
    “Ủy ban nhân dân”), as the heading must carry it in full."""
    return _WORD.sub(lambda m: _EXPANSIONS.get(m.group().lower(), m.group()), _nfc(name).strip())


def heading_name(name: str) -> str:
    """A body as the heading prints it: in full, in capitals
    (“UBND xã Hòa Bình” → “ỦY BAN NHÂN DÂN XÃ HÒA BÌNH”)."""
    return full_name(name).upper()


def heading_lines(name: str) -> list[str]:
    """The heading name in lines: a People's Committee's kind on the first line and its
    locality on the second (“ỦY BAN NHÂN DÂN” / “XÃ HÒA BÌNH”), as the heading is set;
    other names on one line, which the column wraps."""
    upper = heading_name(name)
    for kind in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN ", "HỘI ĐỒNG NHÂN DÂN "):
        if upper.startswith(kind) and upper[len(kind) :].strip():
            return [kind.strip(), upper[len(kind) :].strip()]
    return [upper]


def governing_lines(governing: str | None) -> list[str]:
    """The governing body over the issuer, only when it is known, on one line (the column
    wraps it) so that it reads apart from the issuer's lines under it."""
    if governing is None or not governing.strip():
        return []
    return [heading_name(governing)]


def abbreviation(name: str, unit_type: str) -> str:
    """The issuer's abbreviation after “BC-”: “UBND” for a People's Committee (Nghị định 30,
    Phụ lục III); for other bodies the initials of the name, as units usually write them
    (“Trường mầm non Hoa Sen” → “MNHS”, words already in capitals kept whole), or dots for the
    official to fill in when the initials would be longer than an abbreviation is."""
    if unit_type == "ubnd_xa":
        return "UBND"
    words = _ISSUER_PREFIX.sub("", full_name(name)).split()
    letters = "".join(
        word if word.isupper() and len(word) > 1 else word[0].upper()
        for word in words
        if word[0].isalnum()
    )
    if not letters or len(letters) > 10 or not letters.isalnum():
        return DOTS
    return letters


def number_line(name: str, unit_type: str) -> str:
    """“Số:      /BC-UBND”: room for the number the office's register gives."""
    return f"Số:{NUMBER_ROOM}/BC-{abbreviation(name, unit_type)}"


NUMBER_ROOM = "\u2002" * 6
"""En spaces: the room for the number, which ordinary spaces would collapse in the PDF."""


def place(name: str, unit_type: str, province: str | None, governing: str | None = None) -> str:
    """The place in the date line: the commune (xã, phường, thị trấn, đặc khu) the name
    carries (a ward known by its number keeps its word: “Phường 3”), the rest of a People's
    Committee's name, the commune of the governing body (a school under “UBND phường Thuận
    Hóa” sits in Thuận Hóa), else the province without its “Tỉnh”/“Thành phố”, else dots."""
    found = _locality(name, is_committee=unit_type == "ubnd_xa")
    if found is None and governing:
        found = _locality(governing, is_committee=True)
    if found is not None:
        return found
    if province and province.strip():
        return _PROVINCE_PREFIX.sub("", _nfc(province).strip()) or DOTS
    return DOTS


def _locality(name: str, *, is_committee: bool) -> str | None:
    written = full_name(name)
    match = _LOCALITY.search(written)
    if match is not None:
        locality = match.group("place").strip()
        if locality.isdigit():
            return f"{match.group(1).capitalize()} {locality}"
        if locality:
            return _proper(locality)
    committee = "Ủy ban nhân dân "
    if is_committee and written.lower().startswith(committee.lower()):
        locality = re.split(r"[,;(]", written[len(committee) :])[0].strip()
        locality = _DISTRICT_PREFIX.sub("", locality)  # a former district: its name alone
        if locality and not _PROVINCE_PREFIX.match(locality):
            return _proper(locality)
    return None


def _proper(locality: str) -> str:
    """A place name typed in capitals (“HÒA BÌNH”) as the date line writes it (“Hòa Bình”)."""
    return locality.title() if locality.isupper() else locality


def date_words(day: dt.date) -> str:
    """“ngày 02 tháng 12 năm 2026”: days below 10 and months below 3 take a leading zero
    (Nghị định 30, Phụ lục I), other months none (“ngày 15 tháng 6 năm 2026”)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(
    name: str, unit_type: str, province: str | None, day: dt.date, governing: str | None = None
) -> str:
    return f"{place(name, unit_type, province, governing)}, {date_words(day)}"


def head_signature(name: str, unit_type: str) -> tuple[str, ...]:
    """The lines over the head's signature: “TM. ỦY BAN NHÂN DÂN” / “CHỦ TỊCH” for a
    People's Committee, the head of a school or a centre by its title, else the head of the
    unit."""
    if unit_type == "ubnd_xa":
        return ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    if unit_type in SCHOOL_TYPES:
        lowered = full_name(name).lower()
        if lowered.startswith(("trung tâm", "học viện", "đại học", "viện")):
            return ("GIÁM ĐỐC",)
        return ("HIỆU TRƯỞNG",)
    return ("THỦ TRƯỞNG ĐƠN VỊ",)


def receivers() -> tuple[str, ...]:
    """The “Nơi nhận:” list."""
    return (RECEIVING_OFFICE, FILING)
