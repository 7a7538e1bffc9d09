"""The stored conversation state: every field written out, and read back the same."""

from __future__ import annotations

import dataclasses
import json

from conversations.state import State


def test_to_dict_writes_every_field_and_round_trips() -> None:
    state = State(
        step="value",
        unit_id=3,
        year=2025,
        indicator="2.4",
        draft={"pending": {"count": 27, "total": 30}, "evidence_titles": ["KH 12"]},
        options=[("nav:skip", "Bỏ qua"), ("nav:back", "Quay lại")],
        visited=["1.1", "2.1"],
        skipped=["1.3"],
        paused_step="evidence",
    )
    written = state.to_dict()
    assert written == json.loads(json.dumps(dataclasses.asdict(state)))
    assert set(written) == {f.name for f in dataclasses.fields(State)}
    assert State.from_dict(json.loads(json.dumps(written))) == state
