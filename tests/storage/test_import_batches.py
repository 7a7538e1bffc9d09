"""`import_assessment` in batches: everything once, and an import cut short is finished by
importing the same file again (what its docstring says is traded for never holding the write
lock long)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from sqlmodel import Session

import storage.exchange
from conversations.records import Actor
from dvht_core.assessment import Assessment, parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from storage.assessments import AssessmentRepository
from storage.db import Database
from storage.exchange import import_assessment
from storage.schemas import NewUnit
from storage.units import UnitRepository
from storage.uow import read, transaction

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ubnd-xa-quang-phu.yaml"
OPERATOR = Actor.operator()
REFERENCES = 120


def _assessment() -> Assessment:
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    document["answers"]["1.1"]["evidence"] = [f"Văn bản số {n}" for n in range(REFERENCES)]
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    return parse_assessment(document, rulebooks, load_unit_types())


async def _unit(database: Database) -> int:
    unit = NewUnit(name="UBND xã A", tier="huyen", unit_type="ubnd_xa", province="Huế")
    return await transaction(
        database, lambda session: UnitRepository().create(session, actor=OPERATOR, data=unit).id
    )


def _counts(session: Session) -> tuple[int, int, int]:
    def one(sql: str) -> int:
        return int(session.exec(text(sql)).one()[0])  # type: ignore[call-overload]

    return (
        one("SELECT count(*) FROM evidence"),
        one("SELECT count(DISTINCT title) FROM evidence"),
        one("SELECT count(*) FROM audit_log WHERE action = 'evidence.add'"),
    )


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch is one item, and no pause: many transactions, quickly."""
    monkeypatch.setattr(storage.exchange, "IMPORT_BATCH_S", 0.0)
    monkeypatch.setattr(storage.exchange, "IMPORT_PAUSE_S", 0.0)


async def test_an_import_in_batches_adds_everything_once(
    database: Database, small_batches: None
) -> None:
    unit_id = await _unit(database)
    begun: list[int] = []
    original = database.run

    async def counting(work: Any, *, write: bool) -> Any:
        begun.append(write)
        return await original(work, write=write)

    database.run = counting  # type: ignore[method-assign]
    first = await import_assessment(
        database, actor=OPERATOR, unit_id=unit_id, assessment=_assessment()
    )
    expected = REFERENCES + 12  # 1.1's references and one for each other indicator
    assert first[1:] == (13, expected)
    assert begun.count(True) == 1 + expected  # the answers, then one transaction per batch
    assert await read(database, _counts) == (expected, expected, expected)
    again = await import_assessment(
        database, actor=OPERATOR, unit_id=unit_id, assessment=_assessment()
    )
    assert again == (first[0], 0, 0)


class _Crashes(AssessmentRepository):
    """A repository whose process "dies" on the n-th evidence item."""

    def __init__(self, after: int) -> None:
        self.left = after

    def add_evidence(self, session: Session, **kwargs: Any) -> Any:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("killed")
        return super().add_evidence(session, **kwargs)


async def test_an_import_cut_short_is_finished_by_importing_it_again(
    database: Database, small_batches: None
) -> None:
    unit_id = await _unit(database)
    with pytest.raises(RuntimeError, match="killed"):
        await import_assessment(
            database,
            actor=OPERATOR,
            unit_id=unit_id,
            assessment=_assessment(),
            repository=_Crashes(after=50),
        )
    assert await read(database, _counts) == (50, 50, 50)  # the committed batches, whole
    _, answers, evidence = await import_assessment(
        database, actor=OPERATOR, unit_id=unit_id, assessment=_assessment()
    )
    expected = REFERENCES + 12
    assert (answers, evidence) == (0, expected - 50)
    assert await read(database, _counts) == (expected, expected, expected)
