"""docs/flow.md is generated from the transitions the engine uses, and stays current."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
from collections.abc import Callable

from conversations import engine, flow
from conversations import state as st
from conversations.service import ConversationService
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

pytest_plugins = ["tests.conversations.driver"]  # the fixtures: make_service, client…

STEPS = {
    value
    for name, value in vars(st).items()
    if name.isupper() and isinstance(value, str) and name != "FREE_TEXT_STEPS"
}
_ARROW = re.compile(r"^\s+(\S+) --> (\S+?)(?::|$)")


def diagram_states() -> set[str]:
    states: set[str] = set()
    for line in flow.mermaid().splitlines():
        found = _ARROW.match(line)
        if found:
            states.update(found.groups())
    return states - {"[*]", "any"}


def test_docs_flow_md_is_current() -> None:
    current = flow.DOC_PATH.read_text(encoding="utf-8") if flow.DOC_PATH.exists() else ""
    assert current == flow.document(), (
        "docs/flow.md is out of date: run `python -m conversations.flow` and commit the result"
    )


def test_every_edge_joins_known_steps() -> None:
    for source, event, target, label in flow.EDGES:
        assert source in STEPS | {flow.ANY}, (source, event)
        assert target in STEPS, (source, event, target)
        assert event
        assert label


def test_no_edge_is_defined_twice() -> None:
    pairs = [(source, event) for source, event, _, _ in flow.EDGES]
    assert len(pairs) == len(set(pairs))


def test_every_declared_step_is_in_the_diagram() -> None:
    """state.py declares its constants as “the states of the diagram in docs/flow.md”."""
    assert STEPS - diagram_states() == set()


def _engine_calls() -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """From engine.py: edge(st.X, "event") pairs, events of edge(<variable>, "event") and the
    steps assigned directly (state.step = st.X)."""
    tree = ast.parse(inspect.getsource(engine))
    literal: list[tuple[str, str]] = []
    variable: list[str] = []
    direct: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "edge":
            source, event = node.args
            events = [event.body, event.orelse] if isinstance(event, ast.IfExp) else [event]
            names = [e.value for e in events if isinstance(e, ast.Constant)]
            assert len(names) == len(events), ast.unparse(node)
            if isinstance(source, ast.Constant):
                literal += [(source.value, name) for name in names]
            elif isinstance(source, ast.Attribute) and ast.unparse(source.value) == "st":
                literal += [(getattr(st, source.attr), name) for name in names]
            else:
                variable += names
        if isinstance(node, ast.Assign):
            targets = [ast.unparse(t) for t in node.targets]
            if any("state.step" in t for t in targets):
                values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                for value in values:
                    if isinstance(value, ast.Attribute) and ast.unparse(value.value) == "st":
                        direct.append(getattr(st, value.attr))
    return literal, variable, direct


def test_every_transition_the_engine_names_exists() -> None:
    literal, variable, _ = _engine_calls()
    assert literal
    assert variable
    for source, event in literal:
        flow.edge(source, event)  # KeyError: a transition missing from EDGES
    events = {event for _, event, _, _ in flow.EDGES}
    assert set(variable) <= events


def test_every_step_the_engine_sets_is_in_the_diagram() -> None:
    literal, _, direct = _engine_calls()
    reached = {flow.edge(source, event) for source, event in literal} | set(direct)
    assert reached - diagram_states() == set()


async def test_every_step_reached_in_a_long_dialogue_is_in_the_diagram(
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
    await lan.click("ds:skip")
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

    assert seen - diagram_states() == set()
    assert {st.WELCOME, st.ASK_CODE, st.VALUE, st.CONFIRM_PCT, st.EVIDENCE} <= seen
    assert {st.DESCRIPTION, st.DONE, st.IDLE, st.LEARNERS_VALUE} <= seen
