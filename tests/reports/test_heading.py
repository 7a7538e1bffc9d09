"""The rules of the administrative frame (Nghị định 30/2020, Phụ lục I), one function each."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from reports import heading


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("UBND xã Hòa Bình", "ỦY BAN NHÂN DÂN XÃ HÒA BÌNH"),
        ("ubnd phường Ba Đình", "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"),
        ("UBND thị trấn Phong Điền", "ỦY BAN NHÂN DÂN THỊ TRẤN PHONG ĐIỀN"),
        ("UBND đặc khu Phú Quốc", "ỦY BAN NHÂN DÂN ĐẶC KHU PHÚ QUỐC"),
        ("Ủy ban nhân dân xã Quảng Phú", "ỦY BAN NHÂN DÂN XÃ QUẢNG PHÚ"),
        ("Trường THCS Nguyễn Du", "TRƯỜNG THCS NGUYỄN DU"),
        (
            "Văn phòng HĐND và UBND xã An Lạc",
            "VĂN PHÒNG HỘI ĐỒNG NHÂN DÂN VÀ ỦY BAN NHÂN DÂN XÃ AN LẠC",
        ),
        ("Hội Khuyến học TP. Huế", "HỘI KHUYẾN HỌC THÀNH PHỐ HUẾ"),
    ],
)
def test_the_heading_writes_the_body_in_full_capitals(typed: str, printed: str) -> None:
    assert heading.heading_name(unicodedata.normalize("NFD", typed)) == printed


def test_a_peoples_committee_is_set_on_two_lines() -> None:
    assert heading.heading_lines("UBND xã Hòa Bình") == ["ỦY BAN NHÂN DÂN", "XÃ HÒA BÌNH"]
    assert heading.heading_lines("Trường mầm non Hoa Sen") == ["TRƯỜNG MẦM NON HOA SEN"]
    assert heading.heading_lines("UBND") == ["ỦY BAN NHÂN DÂN"]


def test_the_governing_body_only_when_known() -> None:
    assert heading.governing_lines(None) == []
    assert heading.governing_lines("  ") == []
    assert heading.governing_lines("UBND phường Hương Thủy") == [
        "ỦY BAN NHÂN DÂN PHƯỜNG HƯƠNG THỦY"
    ]


@pytest.mark.parametrize(
    ("name", "unit_type", "abbreviation"),
    [
        ("UBND xã Hòa Bình", "ubnd_xa", "UBND"),
        ("Trường mầm non Hoa Sen", "mam_non", "MNHS"),
        ("Trường THCS Nguyễn Du", "pho_thong", "THCSND"),
        ("Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện Phong Điền", "gdnn", "……"),
        ("“#1” 😀", "co_quan", "……"),
    ],
)
def test_the_number_line_leaves_room_for_the_number(
    name: str, unit_type: str, abbreviation: str
) -> None:
    line = heading.number_line(name, unit_type)
    assert line == f"Số:{heading.NUMBER_ROOM}/BC-{abbreviation}"
    assert heading.NUMBER_ROOM.strip() == ""
    assert len(heading.NUMBER_ROOM) >= 5


@pytest.mark.parametrize(
    ("name", "unit_type", "province", "place"),
    [
        (
            "UBND xã Hòa Bình",
            "ubnd_xa",
            "Tỉnh Phú Thọ",
            "Hòa Bình",
        ),  # the commune, not the province
        ("UBND phường Ba Đình", "ubnd_xa", "Thành phố Hà Nội", "Ba Đình"),
        ("UBND thị trấn Phong Điền, tỉnh X", "ubnd_xa", None, "Phong Điền"),
        ("UBND đặc khu Phú Quốc", "ubnd_xa", "Tỉnh An Giang", "Phú Quốc"),
        ("UBND Phường 3", "ubnd_xa", "Thành phố Hồ Chí Minh", "Phường 3"),
        ("UBND Hòa Bình", "ubnd_xa", "Tỉnh Phú Thọ", "Hòa Bình"),
        ("UBND XÃ HÒA BÌNH", "ubnd_xa", "Tỉnh Phú Thọ", "Hòa Bình"),
        ("ỦY BAN NHÂN DÂN ĐẶC KHU CÔN ĐẢO", "ubnd_xa", None, "Côn Đảo"),
        ("Trường THCS xã Tân Lập", "pho_thong", "Tỉnh Phú Thọ", "Tân Lập"),
        ("Trường mầm non Hoa Sen", "mam_non", "Thành phố Huế", "Huế"),
        ("Trường mầm non Hoa Sen", "mam_non", "tỉnh Quảng Ninh", "Quảng Ninh"),
        ("Công ty TNHH Minh Phát", "doanh_nghiep", None, "……"),
    ],
)
def test_the_place_is_the_units_own_locality(
    name: str, unit_type: str, province: str | None, place: str
) -> None:
    assert heading.place(name, unit_type, province) == place


def test_a_school_sits_in_the_commune_of_its_governing_committee() -> None:
    school = ("Trường mầm non Hoa Sen", "mam_non", "Thành phố Huế")
    assert heading.place(*school, "UBND phường Thuận Hóa") == "Thuận Hóa"
    assert heading.place(*school, "Ủy ban nhân dân Phường 3") == "Phường 3"
    assert heading.place(*school, "Sở Giáo dục và Đào tạo") == "Huế"
    assert heading.place(*school, "UBND tỉnh Thừa Thiên Huế") == "Huế"  # not a commune
    assert heading.place(*school, "UBND huyện Phong Điền") == "Phong Điền"
    assert heading.place("Trường THCS xã Tân Lập", "pho_thong", None, "UBND xã Khác") == "Tân Lập"


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(2026, 12, 2), "ngày 02 tháng 12 năm 2026"),
        (dt.date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (dt.date(2026, 2, 9), "ngày 09 tháng 02 năm 2026"),
        (dt.date(2026, 3, 10), "ngày 10 tháng 3 năm 2026"),  # from March on, no leading zero
        (dt.date(2026, 11, 30), "ngày 30 tháng 11 năm 2026"),
    ],
)
def test_the_date_is_written_as_the_decree_writes_it(day: dt.date, words: str) -> None:
    assert heading.date_words(day) == words


def test_the_place_and_date_line() -> None:
    line = heading.place_date("UBND xã Hòa Bình", "ubnd_xa", "Tỉnh Phú Thọ", dt.date(2026, 12, 2))
    assert line == "Hòa Bình, ngày 02 tháng 12 năm 2026"


@pytest.mark.parametrize(
    ("name", "unit_type", "lines"),
    [
        ("UBND xã Hòa Bình", "ubnd_xa", ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")),
        ("Trường mầm non Hoa Sen", "mam_non", ("HIỆU TRƯỞNG",)),
        ("Trường THCS Nguyễn Du", "pho_thong", ("HIỆU TRƯỞNG",)),
        ("Trung tâm GDTX tỉnh", "pho_thong", ("GIÁM ĐỐC",)),
        ("Trung tâm GDNN-GDTX huyện Phong Điền", "gdnn", ("GIÁM ĐỐC",)),
        ("Trường Cao đẳng Công nghiệp Huế", "gdnn", ("HIỆU TRƯỞNG",)),
        ("Trường Đại học Sư phạm", "dai_hoc", ("HIỆU TRƯỞNG",)),
        ("Đại học Huế", "dai_hoc", ("GIÁM ĐỐC",)),
        ("Chi cục Thuế khu vực", "co_quan", ("THỦ TRƯỞNG ĐƠN VỊ",)),
        ("Công ty TNHH Minh Phát", "doanh_nghiep", ("THỦ TRƯỞNG ĐƠN VỊ",)),
    ],
)
def test_the_heads_signature_fits_the_unit_type(
    name: str, unit_type: str, lines: tuple[str, ...]
) -> None:
    assert heading.head_signature(name, unit_type) == lines


def test_the_receivers_name_no_office_abolished_on_1_7_2025() -> None:
    receivers = heading.receivers()
    assert receivers == ("Cơ quan tiếp nhận hồ sơ theo kế hoạch của tỉnh;", "Lưu: VT.")
    joined = " ".join(receivers)
    assert "Phòng Giáo dục" not in joined
    assert "Phòng GDĐT" not in joined
    assert "cấp huyện" not in joined
