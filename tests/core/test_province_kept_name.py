"""What a unit keeps as its province name (issue 15: the offices' scopes follow the province)."""

from __future__ import annotations

import pytest

from dvht_core.provinces import find_province, kept_name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Thành phố Huế", "Thành phố Huế"),  # the official's own spelling, with its marks
        ("tỉnh Hưng Yên", "tỉnh Hưng Yên"),
        ("hung yen", "Hưng Yên"),  # typed without marks: the province's name
        ("TP HCM", "Hồ Chí Minh"),
        ("Thái Bình", "Hưng Yên"),  # merged in 2025: the province it is part of now
        ("thai binh", "Hưng Yên"),
    ],
)
def test_kept_name(typed: str, kept: str) -> None:
    found = find_province(typed)
    assert found is not None
    assert kept_name(typed, found) == kept
