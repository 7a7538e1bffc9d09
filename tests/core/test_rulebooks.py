"""Every shipped rulebook loads and validates; tampered copies are rejected at load."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dvht_core.errors import RulebookError
from dvht_core.loader import (
    RULEBOOK_DIR,
    load_any_rulebook,
    load_rulebook,
    load_unit_types,
    read_yaml,
    rulebook_files,
    rulebook_for,
    validate_rulebook,
)
from dvht_core.model import Rulebook


@pytest.mark.parametrize("path", rulebook_files(), ids=lambda p: p.name)
def test_every_rulebook_file_loads(path: Any) -> None:
    rulebook = load_any_rulebook(path)
    assert rulebook.id == path.stem


def test_rulebook_files_include_both_tt24_tiers_and_tt22() -> None:
    names = {p.stem for p in rulebook_files()}
    assert {"tt24-huyen", "tt24-tinh", "tt22-hanoi"} <= names


def test_unit_type_catalogue_has_the_required_ids() -> None:
    catalogue = load_unit_types()
    tiers = {u.id: set(u.tiers) for u in catalogue.unit_types}
    assert tiers["ubnd_xa"] == {"huyen"}
    assert tiers["mam_non"] == {"huyen"}
    assert tiers["dai_hoc"] == {"tinh"}
    for both in ("co_quan", "doanh_nghiep", "pho_thong", "gdnn"):
        assert tiers[both] == {"huyen", "tinh"}


@pytest.mark.parametrize(
    ("rulebook_id", "expected"),
    [
        (
            "tt24-huyen",
            [
                "1.1",
                "1.2",
                "1.3",
                "1.4",
                "1.5",
                "2.1",
                "2.2",
                "2.3",
                "2.4",
                "2.5",
                "3.1",
                "3.2",
                "3.3",
                "3.4",
                "3.5",
            ],
        ),
        (
            "tt24-tinh",
            [
                "1.1",
                "1.2",
                "1.3",
                "1.4",
                "1.5",
                "2.1",
                "2.2",
                "2.3",
                "2.4",
                "2.5",
                "3.1",
                "3.2",
                "3.3",
                "3.4",
                "3.5",
                "3.6",
            ],
        ),
    ],
)
def test_tt24_indicator_ids_are_permanent(rulebook_id: str, expected: list[str]) -> None:
    rulebook = load_rulebook(rulebook_id)
    assert [i.id for i in rulebook.indicators] == expected
    assert rulebook.effective_date.isoformat() == "2024-01-26"


@pytest.mark.parametrize("rulebook_id", ["tt24-huyen", "tt24-tinh"])
def test_tt24_bars_match_the_circular(rulebook_id: str) -> None:
    """TT24 Điều 6–7: 90/90/90/50/90% at level 1 and 95/95/95/70/95% at level 2."""
    rulebook = load_rulebook(rulebook_id)
    bars = {i.id: (i.thresholds.level1, i.thresholds.level2) for i in rulebook.indicators}
    assert [bars[f"2.{n}"] for n in range(1, 6)] == [
        (90, 95),
        (90, 95),
        (90, 95),
        (50, 70),
        (90, 95),
    ]
    assert bars["3.1"] == (90, 95)
    assert bars["3.3"] == ("tap_the_lao_dong_tien_tien", "tap_the_lao_dong_tien_tien")
    assert bars["3.4"] == ("co_ban", "tot")


def test_learner_quota_exists_at_tinh_tier_only() -> None:
    huyen, tinh = load_rulebook("tt24-huyen"), load_rulebook("tt24-tinh")
    assert huyen.indicator("3.1").kind == "member_ratio"  # type: ignore[union-attr]
    quota = tinh.indicator("3.1")
    assert quota is not None
    assert quota.learner_thresholds is not None
    assert (quota.learner_thresholds.level1, quota.learner_thresholds.level2) == (95, 97)


@pytest.mark.parametrize("rulebook_id", ["tt24-huyen", "tt24-tinh"])
def test_every_indicator_cites_a_source_and_flags_uncertainty_with_a_note(
    rulebook_id: str,
) -> None:
    for indicator in load_rulebook(rulebook_id).indicators:
        assert indicator.source.strip()
        assert indicator.evidence
        if indicator.uncertain:
            assert indicator.note
    uncertain = {i.id for i in load_rulebook(rulebook_id).indicators if i.uncertain}
    assert "3.3" in uncertain  # level-2 bar of 3.3 could not be confirmed


def _tt24_data() -> dict[str, Any]:
    data = read_yaml(RULEBOOK_DIR / "tt24-huyen.yaml")
    assert isinstance(data, dict)
    return data


def _first(data: dict[str, Any], indicator_id: str) -> dict[str, Any]:
    for criterion in data["criteria"]:
        for indicator in criterion["indicators"]:
            if indicator["id"] == indicator_id:
                return indicator  # type: ignore[no-any-return]
    raise KeyError(indicator_id)


def _tamper(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(_tt24_data())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: _first(d, "1.2").update(id="1.1"), "duplicate indicator id 1.1"),
        (lambda d: _first(d, "2.4").update(thresholds={"level1": 80, "level2": 70}), "2.4"),
        (lambda d: _first(d, "2.4").update(applies_to=["ubnd_phuong"]), "ubnd_phuong"),
        (lambda d: _first(d, "3.3").update(thresholds={"level1": "tot", "level2": "tot"}), "3.3"),
        (lambda d: _first(d, "3.3").update(note=None), "uncertain"),
        (lambda d: _first(d, "2.1").update(id="3.9"), "filed under"),
        (lambda d: _first(d, "1.1").update(thresholds={"level1": True, "level2": False}), "1.1"),
        (lambda d: d.update(effective_date="26/01/2024"), "effective_date"),
        (lambda d: _first(d, "2.1").update(surprise=1), "surprise"),
        # Users read `source` after “Căn cứ:”: the research trail belongs in `basis`.
        (lambda d: _first(d, "2.1").update(source="seed 000 mục III"), "legal citation"),
        (lambda d: d["criteria"][0].update(source="tt24-rules.md §5"), "legal citation"),
        (lambda d: d["submission"].update(source="TT24 (LN-ART10)"), "legal citation"),
        (lambda d: _first(d, "1.3").update(note_for=["ubnd_phuong"]), "ubnd_phuong"),
        (lambda d: _first(d, "2.1").pop("basis"), "basis"),
    ],
)
def test_tampered_rulebook_is_rejected(change: Any, fragment: str) -> None:
    with pytest.raises(RulebookError, match=fragment):
        validate_rulebook(_tamper(change), name="tampered.yaml")


def test_valid_copy_is_accepted() -> None:
    assert isinstance(validate_rulebook(_tt24_data(), name="copy.yaml"), Rulebook)


def test_an_assessment_gets_the_rulebook_and_version_it_was_started_on() -> None:
    rulebook = load_rulebook("tt24-tinh")
    assert rulebook_for("tt24-tinh", rulebook.version) is rulebook
    with pytest.raises(RulebookError, match="not shipped"):
        rulebook_for("tt24-tinh", "1999.1")
