"""docs/sources.md is the project's own list of sources, and the rulebooks cite it.

Every research trail (`basis`) names at least one of its ids and nothing outside the repository
(no seed file, no reference note); every id is listed once; what users read (`source`) is a
legal citation.
"""

from __future__ import annotations

import re

import pytest

from dvht_core.loader import load_rulebook, load_unit_types
from tests.research_labels import SOURCES, source_ids

IDS = source_ids(research_only=False)
_OUTSIDE = re.compile(r"seed|\.md\b|§|shared/reference", re.I)


def _trails(rulebook_id: str) -> list[tuple[str, str, str]]:
    rulebook = load_rulebook(rulebook_id)
    found = [("submission", rulebook.submission.source, rulebook.submission.basis)]
    found += [(f"calendar {e.date}", e.source, e.basis) for e in rulebook.calendar]
    for criterion in rulebook.criteria:
        found.append((f"criterion {criterion.id}", criterion.source, criterion.basis))
        found += [(i.id, i.source, i.basis) for i in criterion.indicators]
    return found


def test_every_source_id_is_listed_once() -> None:
    assert len(IDS) == len(set(IDS)), sorted(i for i in IDS if IDS.count(i) > 1)
    for needed in ("TT24", "HN-248", "QP-PLAN", "HY-PLAN", "LN-ART10", "PHAPDIEN"):
        assert needed in IDS
    assert "Nghị định 142/2025/NĐ-CP" in SOURCES.read_text(encoding="utf-8")


@pytest.mark.parametrize("rulebook_id", ["tt24-huyen", "tt24-tinh"])
def test_rulebooks_cite_the_law_and_trace_their_research_to_docs_sources(
    rulebook_id: str,
) -> None:
    for where, source, basis in _trails(rulebook_id):
        assert source.startswith(("Thông tư 24/2023/TT-BGDĐT", "Quyết định ")), (where, source)
        assert not _OUTSIDE.search(basis), (where, basis)
        tokens = set(re.findall(r"[A-Z0-9][A-Z0-9-]*[A-Z0-9]", basis))
        assert tokens & set(IDS), f"{where}: basis {basis!r} names no id of docs/sources.md"


def test_the_unit_types_cite_the_law_too() -> None:
    catalogue = load_unit_types()
    for unit in (catalogue, *catalogue.unit_types):
        assert unit.source.startswith("Thông tư 24/2023/TT-BGDĐT"), unit.source
        assert not _OUTSIDE.search(unit.basis), unit.basis
        if getattr(unit, "note", None):
            assert not _OUTSIDE.search(unit.note or ""), unit.note
