"""The chart's numbers against the engine's: each row's level is `evaluate()`'s verdict on the
indicator, each bar's figures are the engine's (exact, `format_pct`), and the bar it reaches is
the one the engine rates, at a threshold exactly, just under one, at zero and for the learners
of a tỉnh-tier school."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvht_core.assessment import Assessment
from dvht_core.evaluate import evaluate
from dvht_core.model import Rulebook
from dvht_core.numbers import format_pct
from dvht_core.record_type import replace
from reports.chart_data import CAPTION, NO_EVIDENCE, NO_LEARNERS, REACHED, chart_data
from tests.conftest import build


def rows_by_id(rulebook: Rulebook, assessment: Assessment) -> dict[str, dict[str, Any]]:
    data = chart_data(rulebook, assessment)
    assert data["caption"] == CAPTION
    return {row["id"]: row for row in data["rows"]}


def check_against_engine(rulebook: Rulebook, assessment: Assessment) -> dict[str, Any]:
    """Every row agrees with the engine; returns the rows by indicator id."""
    evaluation = evaluate(rulebook, assessment)
    rows = rows_by_id(rulebook, assessment)
    for indicator_id, row in rows.items():
        result = evaluation.indicators[indicator_id]
        assert row["level"] == result.level, (indicator_id, result.reason)
        if result.status != "thieu_minh_chung" and row["note"] is None:
            # With evidence the verdict is the lowest bar the figures reach.
            assert min(b["reached"] for b in row["bars"]) == result.level
        for bar in row["bars"]:
            # The engine's reason quotes the same figure and percentage.
            assert f"{bar['count']}/{bar['total']}" in result.reason
            assert f"({bar['pct']})" in result.reason
    return rows


def test_every_count_indicator_of_a_commune_has_a_row(rulebooks: dict[str, Rulebook]) -> None:
    assessment = build(rulebooks, members=42, overrides={"2.1": {"count": 40, "evidence": ["x"]}})
    rows = check_against_engine(rulebooks["huyen"], assessment)
    assert list(rows) == ["2.1", "2.2", "2.3", "2.4", "2.5", "3.1"]
    bar = rows["2.1"]["bars"][0]
    assert bar["figure"] == "40/42 (95,2%)"
    assert (bar["level1"], bar["level2"], bar["reached"]) == (90, 95, 2)
    assert (bar["label1"], bar["label2"]) == ("Mức 1 90%", "Mức 2 95%")
    assert rows["2.1"]["verdict"] == REACHED[2]
    assert rows["2.4"]["bars"][0]["label1"] == "Mức 1 50%"


@pytest.mark.parametrize(
    ("indicator_id", "count", "members", "pct", "reached"),
    [
        ("2.1", 27, 30, "90%", 1),  # exactly at the level-1 bar
        ("2.1", 19, 20, "95%", 2),  # exactly at the level-2 bar
        ("2.1", 18_999, 20_000, "94,99%", 1),  # just under a bar never reads as on it
        ("2.4", 50, 101, "49,5%", 0),  # 50/101 is under 50%
        ("2.4", 707, 1010, "70%", 2),  # 70% exactly, on a total that is not a round number
        ("2.3", 0, 30, "0%", 0),  # no member answered yes
    ],
)
def test_figures_at_and_around_the_bars(
    rulebooks: dict[str, Rulebook],
    indicator_id: str,
    count: int,
    members: int,
    pct: str,
    reached: int,
) -> None:
    overrides = {indicator_id: {"count": count, "evidence": ["Danh sách"]}}
    assessment = build(rulebooks, members=members, overrides=overrides)
    rows = check_against_engine(rulebooks["huyen"], assessment)
    bar = rows[indicator_id]["bars"][0]
    assert (bar["count"], bar["total"], bar["pct"], bar["reached"]) == (
        count,
        members,
        pct,
        reached,
    )
    assert bar["figure"] == f"{count}/{members} ({pct})"
    assert rows[indicator_id]["level"] == reached
    assert rows[indicator_id]["verdict"] == REACHED[reached]


def test_learners_of_a_provincial_school_get_their_own_bar(
    rulebooks: dict[str, Rulebook],
) -> None:
    answer = {"count": 60, "learners_count": 1_160, "evidence": ["Danh sách"]}
    assessment = build(
        rulebooks,
        tier="tinh",
        unit_type="pho_thong",
        members=60,
        learners=1_200,
        overrides={"3.1": answer},
    )
    rows = check_against_engine(rulebooks["tinh"], assessment)
    members, learners = rows["3.1"]["bars"]
    assert (members["who"], members["figure"], members["reached"]) == (
        "Thành viên",
        "60/60 (100%)",
        2,
    )
    # 1,160/1,200 = 96,7%: over the learners' 95% (level 1), under their 97% (level 2).
    assert (learners["who"], learners["figure"], learners["reached"]) == (
        "Người học",
        "1160/1200 (96,7%)",
        1,
    )
    assert (learners["label1"], learners["label2"]) == ("Mức 1 95%", "Mức 2 97%")
    assert rows["3.1"]["level"] == 1, "the lower of the two bars, as the engine rates it"


def test_learners_not_declared_is_said_and_rated_as_the_engine_does(
    rulebooks: dict[str, Rulebook],
) -> None:
    assessment = build(
        rulebooks,
        tier="tinh",
        unit_type="pho_thong",
        members=60,
        learners=1_200,
        overrides={"3.1": {"count": 60, "evidence": ["Danh sách"]}},
    )
    rows = check_against_engine(rulebooks["tinh"], assessment)
    assert len(rows["3.1"]["bars"]) == 1
    assert rows["3.1"]["note"] == NO_LEARNERS
    assert rows["3.1"]["level"] == 0


def test_a_unit_whose_learners_do_not_count_has_one_bar(rulebooks: dict[str, Rulebook]) -> None:
    """A tỉnh-tier unit that is no school: 3.1 counts its members only."""
    assessment = build(rulebooks, tier="tinh", unit_type="co_quan", members=50)
    rows = check_against_engine(rulebooks["tinh"], assessment)
    assert [b["who"] for b in rows["3.1"]["bars"]] == ["Thành viên"]


def test_figures_without_evidence_say_why_the_verdict_is_lower(
    rulebooks: dict[str, Rulebook],
) -> None:
    assessment = build(rulebooks, members=30, overrides={"2.2": {"count": 30}})
    rows = check_against_engine(rulebooks["huyen"], assessment)
    assert rows["2.2"]["bars"][0]["reached"] == 2
    assert (rows["2.2"]["level"], rows["2.2"]["verdict"]) == (0, NO_EVIDENCE)


def test_nothing_to_draw_without_counts(rulebooks: dict[str, Rulebook]) -> None:
    counts = ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1")
    assessment = build(rulebooks, drop=counts)
    assert chart_data(rulebooks["huyen"], assessment)["rows"] == []
    # Counts answered but no members total: the engine rates them unanswered, no bar either.
    undeclared = replace(build(rulebooks, members=30), members=None)
    assert chart_data(rulebooks["huyen"], undeclared)["rows"] == []


@settings(max_examples=200, deadline=None)
@given(
    members=st.integers(min_value=1, max_value=20_000),
    share=st.fractions(min_value=0, max_value=1),
    learners=st.integers(min_value=1, max_value=20_000),
    learner_share=st.fractions(min_value=0, max_value=1),
)
def test_any_figures_agree_with_the_engine(
    rulebooks: dict[str, Rulebook], members: int, share: Any, learners: int, learner_share: Any
) -> None:
    count = int(members * share)
    learners_count = int(learners * learner_share)
    answer = {"count": count, "learners_count": learners_count, "evidence": ["Danh sách"]}
    assessment = build(
        rulebooks,
        tier="tinh",
        unit_type="dai_hoc",
        members=members,
        learners=learners,
        overrides={"3.1": answer, "2.4": {"count": count, "evidence": ["Danh sách"]}},
    )
    rows = check_against_engine(rulebooks["tinh"], assessment)
    assert rows["2.4"]["bars"][0]["pct"] == format_pct(count, members)
    assert rows["3.1"]["bars"][1]["pct"] == format_pct(learners_count, learners)
