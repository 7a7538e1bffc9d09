"""The dialogue's steps and transitions as data: the engine moves only along these edges, and
`docs/flow.md` is drawn from them (`python -m conversations.flow`; a test keeps it current)."""

from __future__ import annotations

import sys
from pathlib import Path

from conversations import state as st

ANY = "*"
# (from step, event, to step, what happens)
EDGES: tuple[tuple[str, str, str, str], ...] = (
    (st.IDLE, "start_without_unit", st.WELCOME, "/start, no unit yet"),
    (ANY, "start_with_code", st.ASK_CODE, "/start CODE (joining)"),
    (st.WELCOME, "new_unit", st.ASK_NAME, "Tạo đơn vị mới"),
    (st.WELCOME, "have_code", st.ASK_CODE, "Tôi có mã mời"),
    (ANY, "join_failed", st.ASK_CODE, "invalid code"),
    (st.ASK_NAME, "typed", st.ASK_PROVINCE, "unit name"),
    (st.ASK_PROVINCE, "typed", st.ASK_TYPE, "province"),
    (st.ASK_TYPE, "type_chosen", st.ASK_MEMBERS, "unit type decides the tier"),
    (st.ASK_MEMBERS, "unit_created", st.VALUE, "members → unit created, invite code"),
    (st.ASK_MEMBERS, "unit_created_empty", st.DONE, "no indicator applies"),
    (st.ASK_MEMBERS, "typed", st.VALUE, "total members stored"),
    (ANY, "resume", st.VALUE, "tiếp tục, /danhgia, joined a unit"),
    (ANY, "resume_all_answered", st.DONE, "all answered: result"),
    (st.VALUE, "members_unknown", st.ASK_MEMBERS, "ratio needs the total once"),
    (st.VALUE, "percent_not_whole", st.CONFIRM_PCT, "90% of 31 is 27.9"),
    (st.VALUE, "learners_needed", st.LEARNERS_VALUE, "tỉnh schools: learners of 3.1"),
    (st.CONFIRM_PCT, "learners_needed", st.LEARNERS_VALUE, "count confirmed"),
    (st.LEARNERS_VALUE, "learners_unknown", st.ASK_LEARNERS, "learners total once"),
    (st.ASK_LEARNERS, "typed", st.LEARNERS_VALUE, "learners total stored"),
    (st.VALUE, "answered", st.EVIDENCE, "value stored"),
    (st.CONFIRM_PCT, "answered", st.EVIDENCE, "count confirmed and stored"),
    (st.LEARNERS_VALUE, "answered", st.EVIDENCE, "both counts stored"),
    (st.VALUE, "answered_not_met", st.DESCRIPTION, "not met: no evidence needed"),
    (st.CONFIRM_PCT, "answered_not_met", st.DESCRIPTION, "not met"),
    (st.LEARNERS_VALUE, "answered_not_met", st.DESCRIPTION, "not met"),
    (st.CONFIRM_PCT, "retype", st.VALUE, "Nhập lại"),
    (st.EVIDENCE, "later", st.DESCRIPTION, "bổ sung sau (recorded as missing)"),
    (st.EVIDENCE, "done", st.DESCRIPTION, "Xong (file, photo or reference added)"),
    (st.DESCRIPTION, "next", st.VALUE, "description or Bỏ qua → next indicator"),
    (st.DESCRIPTION, "all_answered", st.DONE, "last indicator → result"),
    (st.VALUE, "skip", st.VALUE, "bỏ qua (unanswered)"),
    (st.VALUE, "skip_last", st.DONE, "bỏ qua the last one → result"),
    (st.VALUE, "back", st.VALUE, "quay lại: previous indicator"),
    (st.CONFIRM_PCT, "back", st.VALUE, "quay lại"),
    (st.LEARNERS_VALUE, "back", st.VALUE, "quay lại"),
    (st.ASK_LEARNERS, "back", st.VALUE, "quay lại"),
    (st.EVIDENCE, "back", st.VALUE, "quay lại"),
    (st.DESCRIPTION, "back", st.EVIDENCE, "quay lại"),
    (st.DESCRIPTION, "back_not_met", st.VALUE, "quay lại after “chưa đạt”"),
    (ANY, "edit", st.VALUE, "sửa 2.4"),
    (ANY, "pause", st.IDLE, "tạm dừng (resumes where it stopped)"),
    (ANY, "cancel", st.IDLE, "hủy"),
)

_TARGETS: dict[tuple[str, str], str] = {(src, event): dst for src, event, dst, _ in EDGES}


def edge(source: str, event: str) -> str:
    """The step `event` leads to from `source`; a missing edge is a bug, caught by the tests."""
    target = _TARGETS.get((source, event)) or _TARGETS.get((ANY, event))
    if target is None:
        raise KeyError(f"no transition {source!r} --{event}-->")
    return target


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {st.IDLE}"]
    for source, event, target, label in EDGES:
        origin = "any" if source == ANY else source
        lines.append(f"    {origin} --> {target}: {event} — {label}")
    return "\n".join(lines) + "\n"


def document() -> str:
    """docs/flow.md: the diagram, generated from EDGES (do not edit by hand)."""
    return (
        "# Dialogue flow\n\n"
        "Generated from `conversations/flow.py` by `python -m conversations.flow`; "
        "a test fails when this file is not current. `any` stands for every step; quick "
        "questions (tiến độ, cần gì để đạt mức 2…) are answered at any step without "
        "changing it.\n\n```mermaid\n" + mermaid() + "```\n"
    )


DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "flow.md"

if __name__ == "__main__":
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(document(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC_PATH}\n")
