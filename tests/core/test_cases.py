"""Golden cases: evaluate-format inputs with the expected outcome and a sentence saying why.

Each file in `cases/` is one case; see any of them for the format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dvht_core.assessment import parse_assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import load_unit_types
from dvht_core.model import Rulebook
from dvht_core.report import evaluation_document

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def test_there_are_golden_cases_for_both_tiers() -> None:
    tiers = {yaml.safe_load(p.read_text(encoding="utf-8"))["input"]["tier"] for p in CASES}
    assert tiers == {"huyen", "tinh"}
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_golden_case(path: Path, rulebooks: dict[str, Rulebook]) -> None:
    case: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert case.get("why"), "every golden case says why its expectation is right"
    assessment = parse_assessment(case["input"], rulebooks, load_unit_types())
    rulebook = rulebooks[assessment.tier]
    document = evaluation_document(rulebook, assessment, evaluate(rulebook, assessment))
    expect = case["expect"]
    because = f"{path.stem}: {case['why']}"
    assert document["level"] == expect["level"], because
    if "criteria" in expect:
        assert document["criteria"] == {str(k): v for k, v in expect["criteria"].items()}, because
    for indicator_id, level in expect.get("indicators", {}).items():
        assert document["indicators"][str(indicator_id)]["level"] == level, (indicator_id, because)
    if "warnings" in expect:
        assert len(document["warnings"]) == expect["warnings"], because
    if "missing_evidence" in expect:
        missing = sorted(item["indicator"] for item in document["missing_evidence"])
        assert missing == sorted(str(i) for i in expect["missing_evidence"]), because
