"""The dashboard's decisions wake the reminder dispatcher of their process: `dvht serve`
builds the deps with `bot.dashboard.dashboard_deps(…, on_notice=App.notice_queued)`, whose
review use case (`ReviewService(on_notice=…)`) calls it once per decision that queued a
notice, never for one refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dashboard import dashboard_deps
from bot.settings import Settings
from review.ports import ReviewRefused
from storage.db import Database
from tests.dashboard_matrix.conftest import BASE, SECRET
from tests.dashboard_matrix.world import YEAR, seed


async def test_a_decision_nudges_and_a_refusal_does_not(
    database: Database, tmp_path: Path
) -> None:
    world = await seed(database)
    nudges: list[int] = []
    settings = Settings(
        _env_file=None,
        DVHT_DATA_DIR=str(tmp_path),
        DVHT_PUBLIC_URL=BASE,
        DVHT_SECRET_KEY=SECRET.decode(),
    )
    review = dashboard_deps(settings, database, on_notice=lambda: nudges.append(1)).review
    actor = world.reviewer1_actor()
    decision = await review.return_dossier(
        actor, unit_id=world.unit_x, year=YEAR, reason="Thiếu minh chứng chỉ tiêu 1.1."
    )
    assert decision.status == "returned"
    assert decision.notified >= 2  # the unit's admin and member have a chat
    assert nudges == [1]
    with pytest.raises(ReviewRefused):  # returned already: nothing queued, nobody woken
        await review.return_dossier(
            actor, unit_id=world.unit_x, year=YEAR, reason="Thiếu minh chứng chỉ tiêu 1.2."
        )
    assert nudges == [1]
