"""Gap analysis: exact shortfalls, missing evidence, and requirements with no answers."""

from __future__ import annotations

from dvht_core.assessment import Assessment
from dvht_core.evaluate import evaluate
from dvht_core.gaps import gaps, gaps_to_reach, missing_evidence, requirements
from dvht_core.model import Rulebook
from tests.conftest import build


def test_shortfall_names_the_exact_number_of_members(rulebooks: dict[str, Rulebook]) -> None:
    answer = {"2.5": {"count": 92, "evidence": ["QĐ Lao động tiên tiến"]}}
    assessment = build(rulebooks, overrides=answer)
    evaluation = evaluate(rulebooks["huyen"], assessment)
    found = gaps(rulebooks["huyen"], assessment, evaluation, 2)
    assert len(found) == 1
    gap = found[0]
    assert (gap.indicator_id, gap.kind, gap.shortfall) == ("2.5", "thieu_so_luong", 3)
    assert "cần thêm 3 thành viên đạt danh hiệu “Lao động tiên tiến” trở lên" in gap.message
    assert "hiện 92/100 (92%), cần ≥ 95/100" in gap.message
    assert gaps(rulebooks["huyen"], assessment, evaluation, 1) == ()


def test_shortfall_rounds_the_needed_count_up(rulebooks: dict[str, Rulebook]) -> None:
    """95% of 30 is 28.5 members, so 29 are needed: 28 is one short."""
    assessment = build(rulebooks, members=30, overrides={"3.1": {"count": 28, "evidence": ["DS"]}})
    evaluation = evaluate(rulebooks["huyen"], assessment)
    (gap,) = gaps(rulebooks["huyen"], assessment, evaluation, 2)
    assert gap.shortfall == 1
    assert "cần ≥ 29/30 (95%)" in gap.message


def test_learner_shortfall_at_tinh_tier(rulebooks: dict[str, Rulebook]) -> None:
    answer = {"3.1": {"count": 100, "learners_count": 960, "evidence": ["DS"]}}
    assessment = build(rulebooks, tier="tinh", unit_type="pho_thong", overrides=answer)
    evaluation = evaluate(rulebooks["tinh"], assessment)
    (gap,) = gaps(rulebooks["tinh"], assessment, evaluation, 2)
    assert gap.shortfall == 10
    assert "người học" in gap.message


def test_missing_evidence_and_unanswered_are_both_gaps(rulebooks: dict[str, Rulebook]) -> None:
    assessment = build(rulebooks, overrides={"1.3": {"met": True}}, drop=("3.2",))
    evaluation = evaluate(rulebooks["huyen"], assessment)
    kinds = {(g.indicator_id, g.kind) for g in gaps(rulebooks["huyen"], assessment, evaluation, 1)}
    assert kinds == {("1.3", "thieu_minh_chung"), ("3.2", "chua_tra_loi")}
    missing = missing_evidence(rulebooks["huyen"], assessment)
    assert [(m.indicator_id, m.answered) for m in missing] == [("1.3", True), ("3.2", False)]
    assert missing[0].suggestions[0].startswith("Dự toán")


def test_a_unit_with_no_answers_is_told_everything_it_needs(
    rulebooks: dict[str, Rulebook],
) -> None:
    empty = Assessment(tier="huyen", unit_type="ubnd_xa", year=2025, members=30, answers={})
    evaluation = evaluate(rulebooks["huyen"], empty)
    assert evaluation.level == 0
    found = gaps(rulebooks["huyen"], empty, evaluation, 2)
    assert [g.indicator_id for g in found] == [
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
    ]
    assert "≥ 70% thành viên có chứng nhận" in found[8].message


def test_requirements_follow_the_unit_type(rulebooks: dict[str, Rulebook]) -> None:
    grouped = requirements(rulebooks["huyen"], "mam_non", 2)
    by_id = {r.indicator_id: r for _, items in grouped for r in items}
    assert "mầm non dân lập, tư thục" in by_id["1.2"].text  # the preschool-only sentence
    assert "3.4" not in by_id
    assert "3.5" not in by_id
    assert by_id["2.4"].bar.startswith("≥ 70%")
    assert by_id["3.3"].note  # uncertain level-2 bar is told to the user
    level1 = {
        r.indicator_id: r
        for _, items in requirements(rulebooks["huyen"], "ubnd_xa", 1)
        for r in items
    }
    assert level1["2.4"].bar.startswith("≥ 50%")
    assert "mầm non dân lập" not in level1["1.2"].text


def test_level_2_does_not_repeat_level_1_word_for_word(rulebooks: dict[str, Rulebook]) -> None:
    """A unit below level 1: level 1's list first; level 2 lists an indicator again only when
    its needs differ (a higher bar), and counts the others as repeated."""
    overrides = {
        "1.1": {"met": False, "evidence": []},  # the same need at both levels
        "2.1": {"count": 27, "evidence": ["Bảng chấm công"]},  # 90%: level 1 yes, level 2 no
    }
    assessment = build(rulebooks, members=30, overrides=overrides)
    evaluation = evaluate(rulebooks["huyen"], assessment)
    assert evaluation.level == 0
    sections = gaps_to_reach(rulebooks["huyen"], assessment, evaluation)
    assert [s.target for s in sections] == [1, 2]
    level_1 = {g.indicator_id for g in sections[0].indicators}
    level_2 = {g.indicator_id for g in sections[1].indicators}
    assert level_1 == {"1.1"}
    assert level_2 == {"2.1"}
    assert sections[1].repeated == 1
    assert gaps_to_reach(rulebooks["huyen"], assessment, evaluation, 1) == sections[:1]
