"""Shared fixtures: the real rulebooks shipped with the package, and assessment builders."""

from __future__ import annotations

from typing import Any

import pytest

from dvht_core.assessment import Assessment, parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.model import Rulebook, UnitTypeCatalogue

# Real databases (SQLite always, PostgreSQL with DVHT_TEST_DATABASE_URL) for every test folder.
pytest_plugins = ["tests.db_fixtures"]


@pytest.fixture(scope="session")
def rulebooks() -> dict[str, Rulebook]:
    return {tier: load_rulebook(rulebook_id) for tier, rulebook_id in TT24_BY_TIER.items()}


@pytest.fixture(scope="session")
def catalogue() -> UnitTypeCatalogue:
    return load_unit_types()


def full_answers(rulebook: Rulebook, unit_type: str, members: int) -> dict[str, Any]:
    """Answers that reach level 2 on every applicable indicator, each with evidence."""
    answers: dict[str, Any] = {}
    for _, applicable in rulebook.plan(unit_type).criteria:
        for indicator in applicable:
            evidence = [f"Minh chứng {indicator.id}"]
            if indicator.kind in ("yes_no", "accreditation"):
                answers[indicator.id] = {"met": True, "evidence": evidence}
            elif indicator.kind == "member_ratio":
                answers[indicator.id] = {"count": members, "evidence": evidence}
            elif indicator.kind == "member_learner_ratio":
                answers[indicator.id] = {
                    "count": members,
                    "learners_count": 1000,
                    "evidence": evidence,
                }
            elif indicator.kind == "emulation_title":
                answers[indicator.id] = {
                    "title": "tap_the_lao_dong_xuat_sac",
                    "evidence": evidence,
                }
            else:
                answers[indicator.id] = {"dt_level": "tot", "evidence": evidence}
    return answers


def build(
    rulebooks: dict[str, Rulebook],
    *,
    tier: str = "huyen",
    unit_type: str = "ubnd_xa",
    members: int = 100,
    learners: int | None = None,
    overrides: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    **extra: Any,
) -> Assessment:
    """A level-2 assessment with some answers replaced (`overrides`) or removed (`drop`)."""
    answers = full_answers(rulebooks[tier], unit_type, members)
    answers.update(overrides or {})
    for indicator_id in drop:
        answers.pop(indicator_id, None)
    data = {
        "tier": tier,
        "unit_type": unit_type,
        "year": 2025,
        "members": members,
        "learners": learners if learners is not None else (1000 if tier == "tinh" else None),
        "answers": answers,
        **extra,
    }
    return parse_assessment(data, rulebooks, load_unit_types())
