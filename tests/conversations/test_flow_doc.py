"""docs/flow.md is drawn from the step table, which holds together: every edge joins known
steps, each step's way back is one of its edges, every step can be reached, and a long real
dialogue visits only the table's steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from conversations import flow, steps
from conversations import state as st
from conversations.service import ConversationService
from conversations.state import Draft, State
from storage.db import Database
from tests.conversations.driver import (
    VN,
    BotClient,
    FakeFiles,
    fixed_clock,
    onboard,
    saved_state,
    walk,
)

DECLARED = {value for name, value in vars(st).items() if name.isupper() and isinstance(value, str)}
"""The step ids state.py declares."""


def test_docs_flow_md_is_current() -> None:
    current = flow.DOC_PATH.read_text(encoding="utf-8") if flow.DOC_PATH.exists() else ""
    assert current == flow.document(), (
        "docs/flow.md is out of date: run `python -m conversations.flow` and commit the result"
    )


def test_the_table_has_every_declared_step_once() -> None:
    assert set(steps.STEPS) == DECLARED
    assert all(step_id == entry.id for step_id, entry in steps.STEPS.items())
    assert steps.UNKNOWN.id not in DECLARED


def test_every_edge_joins_known_steps() -> None:
    for source, event, target, label in flow.EDGES:
        assert source in steps.STEPS or source == flow.ANY, (source, event)
        assert target in steps.STEPS, (source, event, target)
        assert event
        assert label
        assert flow.edge(source, event) == target


def test_no_edge_is_defined_twice() -> None:
    pairs = [(source, event) for source, event, _, _ in flow.EDGES]
    assert len(pairs) == len(set(pairs))
    anywhere = {e.event for e in steps.ANYWHERE}
    for entry in steps.STEPS.values():
        assert not anywhere & {e.event for e in entry.edges}, entry.id  # one meaning per event


def test_each_way_back_is_an_edge_of_its_step() -> None:
    met, not_met = Draft(value={"met": True}), Draft(value={"met": False})
    for entry in steps.STEPS.values():
        way = entry.back
        events = (
            {way(State(entry.id, draft=met)), way(State(entry.id, draft=not_met))}
            if callable(way)
            else {way or "previous"}
        )
        for event in events:
            assert steps.edge(entry.id, event), (entry.id, event)


def test_every_step_can_be_reached_from_idle() -> None:
    anywhere = {e.target for e in steps.ANYWHERE}
    reached, frontier = {st.IDLE}, [st.IDLE]
    while frontier:
        entry = steps.STEPS[frontier.pop()]
        for target in {e.target for e in entry.edges} | anywhere:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(steps.STEPS)


def test_a_missing_edge_is_an_error() -> None:
    with pytest.raises(KeyError, match="welcome"):
        steps.edge(st.WELCOME, "answered")


async def test_a_long_dialogue_visits_only_the_steps_of_the_table(
    database: Database,
    make_service: Callable[..., ConversationService],
    fake_files: FakeFiles,
) -> None:
    seen: set[str] = set()
    service = make_service(database)

    class Watching(BotClient):
        async def deliver(self, inbound):  # type: ignore[no-untyped-def]
            replies = await super().deliver(inbound)
            seen.add((await saved_state(database, self.user_id))["step"])
            return replies

    lan = Watching(service, "lan", files=fake_files, display_name="Lan")
    await lan.send("/start")
    await lan.click("ob:code")
    await lan.send("SAI-MA")
    await lan.send("/huy")
    code = await onboard(lan, unit_type="ut:thpt", members=31)
    await walk(lan, "tinh", "pho_thong", 31, stop_before="2.1")
    await lan.send("95%")
    await lan.click("pct:no")
    await lan.send("tạm dừng")
    await lan.send("tiếp tục")
    await walk(lan, "tinh", "pho_thong", 31, stop_before="3.1")
    await lan.send("30")
    await lan.send("1000")
    await lan.send("990")
    await lan.click("nav:back")
    await lan.send("sửa 1.1")
    await lan.click("v:n")
    await lan.click("ev:done")  # its evidence is listed, to keep or remove
    await lan.click("ds:skip")
    await lan.click("sw:skip")
    await walk(lan, "tinh", "pho_thong", 31, {"3.1": "30"})
    assert lan.result_text

    # a colleague in the next assessment year: the members total is asked again
    later = make_service(database, fixed_clock(dt.datetime(2026, 2, 2, 9, 0, tzinfo=VN)))
    minh = Watching(later, "minh", files=fake_files, display_name="Minh")
    await minh.send(f"/start {code}")
    await minh.send("sửa 2.1")
    assert minh.step == "ask_members"
    await minh.send("30")
    await minh.send("bỏ qua")

    assert seen - set(steps.STEPS) == set()
    assert {st.WELCOME, st.ASK_CODE, st.VALUE, st.CONFIRM_PCT, st.EVIDENCE} <= seen
    assert {st.DESCRIPTION, st.DONE, st.IDLE, st.LEARNERS_VALUE} <= seen
