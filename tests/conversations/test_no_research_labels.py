"""What an official reads about an indicator cites the law and never our research notes:
no seed numbers, reference file names or site names (the rulebooks keep those in `source`)."""

from __future__ import annotations

import re

import pytest

from conversations import catalogue as say
from dvht_core.loader import load_rulebook, load_unit_types

RESEARCH_LABELS = re.compile(r"seed|\.md\b|§|PBGDPL|LAMDONG|lawnet|tvpl|thuvienphapluat", re.I)


@pytest.mark.parametrize("rulebook_id", ["tt24-huyen", "tt24-tinh"])
def test_indicator_answers_show_no_research_labels(rulebook_id: str) -> None:
    rulebook = load_rulebook(rulebook_id)
    unit_types = [u.id for u in load_unit_types().for_tier(rulebook.tier)]
    checked = 0
    for criterion in rulebook.criteria:
        for indicator in criterion.indicators:
            for unit_type in unit_types:
                shown = say.indicator_info(
                    indicator,
                    unit_type,
                    indicator.applies(unit_type),
                    (say.bar_text(indicator, 1, unit_type), say.bar_text(indicator, 2, unit_type)),
                    None,
                    rulebook.legal_source,
                )
                assert not RESEARCH_LABELS.search(shown), shown
                assert "Căn cứ: Thông tư 24/2023/TT-BGDĐT" in shown
                checked += 1
    assert checked > 20
