"""The research labels no user may read, kept in one place for every test that looks for them.

The project's research cites its sources by short ids (docs/sources.md: HN-248, QP-PLAN,
LN-ART10…), by the file names of the seed documents (000_70d78a….txt, “seed 003”) and of the
shared reference notes (tt24-rules.md), by markers such as [V] or [EN], and by website names.
None of that may reach the chat, the command line or a document: users read legal citations
only (“Thông tư 24/2023/TT-BGDĐT, Điều 6 khoản 1”). The ids are read from docs/sources.md
itself, so a source added there is looked for everywhere at once. The ids of the legal texts
(TT24, QD4725…) are not labels: “TT24” is how officials abbreviate the Thông tư.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"

_ROW_ID = re.compile(r"^\| ([A-Z0-9][A-Z0-9-]*[A-Z0-9]) \|", re.M)
_LABEL_SECTIONS = ("## Plans and forms", "## Web pages")


def source_ids(*, research_only: bool) -> tuple[str, ...]:
    """The ids of docs/sources.md, in order: all, or only those of the research sources."""
    ids: list[str] = []
    section = ""
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line
            continue
        found = _ROW_ID.match(line)
        if found and (not research_only or section.startswith(_LABEL_SECTIONS)):
            ids.append(found.group(1))
    return tuple(ids)


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a seed document", re.compile(r"\bseeds?\b|\b00[0-9]_[0-9a-f]{6,}", re.I)),
    (
        "a reference file",
        re.compile(
            r"tt24-rules|engineering-notes|feature-landscape|code-style-anchors|sources\.md"
            r"|\.md\b|§",
            re.I,
        ),
    ),
    ("a research marker", re.compile(r"\[(?:V|R|EN|UNCERTAIN)\]|\bUNCERTAIN\b")),
    ("a bracketed source id", re.compile(r"\[[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\]")),
    (
        "a website",
        re.compile(
            r"lawnet|thuvien|luatvietnam|luatminhkhue|pbgdpl|baomoi|dichvucong|hethongphapluat"
            r"|tuvanmienphi|https?://",
            re.I,
        ),
    ),
    (
        "a source id",
        re.compile(
            r"(?<![\w-])(?:"
            + "|".join(re.escape(i) for i in source_ids(research_only=True))
            + r")(?![\w-])"
        ),
    ),
)


def research_labels(text: str) -> list[str]:
    """Every research label in `text`, each with what kind of label it is (empty: clean)."""
    return [f"{kind}: {m.group(0)!r}" for kind, rx in _PATTERNS for m in rx.finditer(text)]


def assert_no_research_labels(text: str, where: str) -> None:
    found = research_labels(text)
    assert not found, f"{where} shows research labels {found}:\n{text}"
