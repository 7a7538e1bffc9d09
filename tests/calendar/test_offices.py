"""Who receives the dossier and who recognises, by date, province, tier and unit (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from dvht_core.offices import OfficeSetting, names_abolished_office, reform_date, resolve_office

D = dt.date
ABOLISHED = ("Phòng Giáo dục và Đào tạo", "UBND cấp huyện", "Ủy ban nhân dân cấp huyện")


def test_until_30_june_2025_tt24s_own_offices() -> None:
    huyen = resolve_office([], province="Hà Nội", tier="huyen", on=D(2025, 1, 15))
    assert huyen.office == "Phòng Giáo dục và Đào tạo"
    assert huyen.authority == "Chủ tịch Ủy ban nhân dân cấp huyện"
    assert not huyen.uncertain
    assert huyen.set_by == "law"
    assert huyen.source.startswith("Thông tư 24/2023/TT-BGDĐT")
    tinh = resolve_office([], province="Hà Nội", tier="tinh", on=D(2025, 6, 30))
    assert (tinh.office, tinh.authority) == (
        "Sở Giáo dục và Đào tạo",
        "Chủ tịch Ủy ban nhân dân tỉnh",
    )


@pytest.mark.parametrize("on", [D(2025, 7, 1), D(2026, 1, 15), D(2027, 1, 15)])
def test_from_1_july_2025_the_province_plan_with_candidates(on: D) -> None:
    assert reform_date() == D(2025, 7, 1)
    huyen = resolve_office([], province="Hà Nội", tier="huyen", on=on, unit_type="co_quan")
    assert "theo kế hoạch của tỉnh" in huyen.office
    assert huyen.uncertain
    assert huyen.note
    assert huyen.likely_office
    assert "Phòng Văn hóa – Xã hội" in huyen.likely_office
    assert huyen.likely_authority == "Chủ tịch UBND xã, phường"
    for shown in (huyen.office, huyen.authority, huyen.note, huyen.likely_office):
        assert shown is not None
        assert not any(phrase in shown for phrase in ABOLISHED), shown
    tinh = resolve_office([], province="Hà Nội", tier="tinh", on=on)
    assert tinh.likely_office == "Sở Giáo dục và Đào tạo"
    assert tinh.likely_authority == "Chủ tịch UBND tỉnh"


def test_a_commune_is_told_it_would_recognise_itself_so_to_ask() -> None:
    commune = resolve_office(
        [], province="Huế", tier="huyen", on=D(2026, 1, 15), unit_type="ubnd_xa"
    )
    assert commune.note
    assert "tự công nhận mình" in commune.note
    other = resolve_office(
        [], province="Huế", tier="huyen", on=D(2026, 1, 15), unit_type="co_quan"
    )
    assert other.note
    assert "tự công nhận mình" not in other.note


SETTINGS = [
    OfficeSetting(
        "Hưng Yên", "huyen", D(2025, 7, 1), "UBND xã nơi đơn vị đóng trụ sở", None, id=1
    ),
    OfficeSetting(
        "Hưng Yên",
        "huyen",
        D(2026, 3, 1),
        "Phòng Văn hóa – Xã hội, UBND xã",
        "Chủ tịch UBND xã",
        id=2,
    ),
    OfficeSetting(
        "Hưng Yên", "tinh", D(2025, 7, 1), "Sở Giáo dục và Đào tạo", "Chủ tịch UBND tỉnh", id=3
    ),
    OfficeSetting(
        "Hưng Yên", "huyen", D(2026, 3, 1), "Sở Giáo dục và Đào tạo", None, unit_id=7, id=4
    ),
]


def test_a_province_setting_overrides_the_default_from_its_date() -> None:
    before = resolve_office(SETTINGS, province="Hưng Yên", tier="huyen", on=D(2025, 6, 30))
    assert before.office == "Phòng Giáo dục và Đào tạo"  # a dossier due before the reform
    first = resolve_office(SETTINGS, province="tinh Hung Yen", tier="huyen", on=D(2026, 1, 15))
    assert first.office == "UBND xã nơi đơn vị đóng trụ sở"
    assert first.set_by == "province"
    assert first.authority == "Chủ tịch UBND xã, phường"
    assert first.uncertain
    later = resolve_office(SETTINGS, province="Hưng Yên", tier="huyen", on=D(2027, 1, 15))
    assert (later.office, later.authority) == (
        "Phòng Văn hóa – Xã hội, UBND xã",
        "Chủ tịch UBND xã",
    )
    assert not later.uncertain
    tinh = resolve_office(SETTINGS, province="Hưng Yên", tier="tinh", on=D(2027, 1, 15))
    assert tinh.office == "Sở Giáo dục và Đào tạo"
    assert not tinh.uncertain


def test_a_unit_setting_wins_over_its_province() -> None:
    own = resolve_office(SETTINGS, province="Hưng Yên", tier="huyen", on=D(2027, 1, 15), unit_id=7)
    assert own.office == "Sở Giáo dục và Đào tạo"
    assert own.set_by == "unit"
    other = resolve_office(
        SETTINGS, province="Hưng Yên", tier="huyen", on=D(2027, 1, 15), unit_id=8
    )
    assert other.set_by == "province"


def test_a_former_province_takes_its_new_provinces_setting() -> None:
    found = resolve_office(SETTINGS, province="Thái Bình", tier="huyen", on=D(2027, 1, 15))
    assert found.set_by == "province"
    elsewhere = resolve_office(SETTINGS, province="Hà Nội", tier="huyen", on=D(2027, 1, 15))
    assert elsewhere.set_by == "law"


def test_the_same_date_twice_the_later_row_wins() -> None:
    twice = [
        OfficeSetting("Hà Nội", "huyen", D(2026, 1, 1), "Văn phòng A", id=1),
        OfficeSetting("Hà Nội", "huyen", D(2026, 1, 1), "Văn phòng B", id=2),
    ]
    assert resolve_office(twice, province="Hà Nội", tier="huyen", on=D(2027, 1, 15)).office == (
        "Văn phòng B"
    )


@pytest.mark.parametrize(
    ("text", "abolished"),
    [
        ("Phòng Giáo dục và Đào tạo huyện Văn Giang", True),
        ("phong gd&dt", True),
        ("Phòng GDĐT", True),
        ("UBND huyện Tam Dương", True),
        ("Chủ tịch Ủy ban nhân dân cấp huyện", True),
        ("UBND quận Ba Đình", True),
        ("Phòng Văn hóa – Xã hội, UBND xã Hòa Bình", False),
        ("Sở Giáo dục và Đào tạo", False),
        ("Chủ tịch UBND tỉnh", False),
    ],
)
def test_names_of_the_abolished_offices_are_recognised(text: str, abolished: bool) -> None:
    assert names_abolished_office(text) is abolished
