"""The stored conversation state: every field written out, read back the same, and the states
saved by earlier releases still load."""

from __future__ import annotations

import dataclasses
import json

import pytest

from conversations.state import Draft, Pending, RosterFigures, State


def test_to_dict_writes_every_field_and_round_trips() -> None:
    state = State(
        step="value",
        unit_id=3,
        year=2025,
        indicator="2.4",
        draft=Draft(
            pending=Pending(value=27, percent="90", exact="27", total=30),
            evidence_titles=("KH 12",),
        ),
        options=(("nav:skip", "Bỏ qua"), ("nav:back", "Quay lại")),
        visited=("1.1", "2.1"),
        skipped=("1.3",),
        paused_step="evidence",
    )
    written = state.to_dict()
    assert set(written) == {f.name for f in dataclasses.fields(State)}
    assert written["draft"] == {
        "pending": {"value": 27, "percent": "90", "exact": "27", "total": 30},
        "evidence_titles": ["KH 12"],
    }
    assert written["options"] == [["nav:skip", "Bỏ qua"], ["nav:back", "Quay lại"]]
    assert State.from_dict(json.loads(json.dumps(written))) == state


def test_every_draft_field_is_written_and_read_back() -> None:
    draft = Draft(
        code="ABCD-EFGH",
        onboarding=True,
        name="UBND xã Quảng Phú",
        province="Thành phố Huế",
        tier="huyen",
        unit_type="ubnd_xa",
        learners=1200,
        count=0,
        pending=Pending(value=28, percent="91", exact="2821/100", total=31),
        value={"count": 31, "learners_count": 990},
        indicator="3.1",
        evidence_added=2,
        evidence_titles=("kh.pdf", "Ảnh minh chứng chỉ tiêu 3.1"),
        evidence_hashes=("9e42", "36ba"),
        groups=(("album1", 2),),
        guess=("ut:cqh", "ut:cqt"),
        unit_field="members",
        total=2500,
        submit_level=2,
        roster=RosterFigures(7, 42, (("2.1", 40), ("3.1", 38)), 600, 500),
    )
    written = draft.to_dict()
    assert set(written) == {f.name for f in dataclasses.fields(Draft)}
    assert Draft.from_dict(json.loads(json.dumps(written))) == draft
    assert Draft().to_dict() == {}
    assert State().to_dict()["draft"] == {}


def test_a_state_is_never_changed_in_place() -> None:
    state = State(step="value", indicator="1.1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.step = "evidence"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.draft.count = 3  # type: ignore[misc]
    album = state.draft.with_album("g1", 7).with_album("g2", 8)
    assert (album.album("g1"), album.album("g2"), album.album("g3")) == (7, 8, None)
    assert state.draft.groups == ()


# A state as the release before the step table saved it: the draft a dict of ad-hoc keys, the
# options lists (copied from a database, key order as that code wrote them).
SAVED_BEFORE = {
    "step": "evidence",
    "unit_id": 1,
    "year": 2025,
    "indicator": "1.1",
    "draft": {
        "value": {"met": True},
        "indicator": "1.1",
        "evidence_hashes": ["9e4260360cb6fd3a3ab0e9b7a0ceba8ce1bea641c4f3a53e7c73b0012cb68651"],
        "evidence_added": 1,
        "evidence_titles": ["kh.pdf"],
        "groups": {"album1": 2},
    },
    "options": [["ev:done", "Xong"], ["ev:later", "Bổ sung sau"], ["nav:back", "Quay lại"]],
    "visited": [],
    "skipped": ["1.3"],
    "paused_step": None,
}


def test_a_state_saved_by_the_earlier_release_loads_and_is_written_back_the_same() -> None:
    state = State.from_dict(SAVED_BEFORE)
    assert state.draft.value == {"met": True}
    assert state.draft.evidence_titles == ("kh.pdf",)
    assert state.draft.album("album1") == 2
    assert state.options[0] == ("ev:done", "Xong")
    assert state.skipped == ("1.3",)
    assert state.to_dict() == SAVED_BEFORE
    onboarding = {"step": "ask_type", "draft": {"onboarding": True, "name": "A", "province": "B"}}
    loaded = State.from_dict(onboarding)
    assert (loaded.draft.onboarding, loaded.draft.name, loaded.draft.province) == (True, "A", "B")
    pending = {"exact": "589/20", "percent": "95", "total": 31, "value": 29}
    confirming = State.from_dict({"step": "confirm_pct", "draft": {"pending": pending}})
    assert confirming.draft.pending == Pending(value=29, percent="95", exact="589/20", total=31)
    assert State.from_dict({}) == State()
