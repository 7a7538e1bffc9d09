"""The dashboard's decisions wake the reminder dispatcher of their process
(`bot.dashboard.NudgingReview`, wired by `bot.serving` to `App.notice_queued`): told once per
decision made, never for one refused."""

from __future__ import annotations

import pytest

from bot.dashboard import NudgingReview
from review.ports import ReviewRefused
from storage.db import Database
from storage.review_store import review_service
from tests.dashboard_matrix.world import YEAR, seed


async def test_a_decision_nudges_and_a_refusal_does_not(database: Database) -> None:
    world = await seed(database)
    assert world.reviewer1 is not None
    nudges: list[int] = []
    review = NudgingReview(review_service(database), lambda: nudges.append(1))
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
