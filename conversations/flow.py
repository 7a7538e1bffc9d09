"""The dialogue's diagram, drawn from the step table (`conversations.steps`): `docs/flow.md` is
written by `python -m conversations.flow`, and a test fails when it is not current."""

from __future__ import annotations

import sys
from pathlib import Path

from conversations import state as st
from conversations import steps

ANY = "*"
EDGES: tuple[tuple[str, str, str, str], ...] = (
    *((entry.id, *e) for entry in steps.STEPS.values() for e in entry.edges),
    *((ANY, *e) for e in steps.ANYWHERE),
)
"""(from step, event, to step, what happens), in the table's order; `ANY` is every step."""

edge = steps.edge


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {st.IDLE}"]
    for source, event, target, label in EDGES:
        origin = "any" if source == ANY else source
        lines.append(f"    {origin} --> {target}: {event} — {label}")
    return "\n".join(lines) + "\n"


def document() -> str:
    """docs/flow.md: the diagram, generated from the step table (do not edit by hand)."""
    return (
        "# Dialogue flow\n\n"
        "Generated from the step table in `conversations/steps.py` by "
        "`python -m conversations.flow`; a test fails when this file is not current. `any` "
        "stands for every step; quick questions (tiến độ, cần gì để đạt mức 2…) are answered "
        "at any step without changing it.\n\n```mermaid\n" + mermaid() + "```\n"
    )


DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "flow.md"

if __name__ == "__main__":
    DOC_PATH.parent.mkdir(exist_ok=True)
    DOC_PATH.write_text(document(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC_PATH}\n")
