"""The 34 provinces since 1/7/2025, found by the names officials type (issue 13)."""

from __future__ import annotations

import pytest

from dvht_core.provinces import find_province, province_names, same_province


def test_there_are_34_provinces() -> None:
    names = province_names()
    assert len(names) == 34 == len(set(names))
    assert {"Hà Nội", "Hồ Chí Minh", "Huế", "Hưng Yên", "Đắk Lắk"} <= set(names)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Hà Nội", "Hà Nội"),
        ("ha noi", "Hà Nội"),
        ("Thành phố Hà Nội", "Hà Nội"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("tp hcm", "Hồ Chí Minh"),
        ("tỉnh Hưng Yên", "Hưng Yên"),
        ("HUNG YEN", "Hưng Yên"),
        ("Thừa Thiên Huế", "Huế"),
        ("dak lak", "Đắk Lắk"),
        ("Thanh Hoá", "Thanh Hóa"),
    ],
)
def test_names_without_diacritics_or_with_prefixes(typed: str, name: str) -> None:
    found = find_province(typed)
    assert found is not None
    assert found.name == name
    assert found.former is None


def test_a_merged_province_names_where_it_went() -> None:
    found = find_province("tỉnh Thái Bình")
    assert found is not None
    assert (found.name, found.former) == ("Hưng Yên", "Thái Bình")
    assert same_province("Thái Bình", "Hưng Yên")


@pytest.mark.parametrize("typed", ["Atlantis", "", "   ", "tỉnh", "Hà Nộii x"])
def test_unknown_names(typed: str) -> None:
    assert find_province(typed) is None
