"""The one error the evaluate-file readers raise: what is wrong with the file and where.

The readers (`json_document`, `yaml_document`) refuse a file before any field is looked at;
the channel that read the file turns this into its own sentence (the command line's are in
`cli/text.py`), so the error carries the facts, not the wording.
"""

from __future__ import annotations

from typing import Literal

Problem = Literal[
    "syntax",
    "too_deep",
    "duplicate_key",
    "number_too_large",
    "not_a_number",
    "lone_surrogate",
    "tag",
    "key_not_text",
    "alias",
    "several_documents",
]


class DocumentError(ValueError):
    """A file the reader refuses. `line` and `column` count from 1 and are None when the
    parser could not say; `first_line` is the earlier line of a duplicate key; `detail` is the
    offending token (a key, a tag, an alias, the start of a number), at most a few dozen
    characters, already made printable."""

    def __init__(
        self,
        problem: Problem,
        *,
        line: int | None = None,
        column: int | None = None,
        first_line: int | None = None,
        detail: str = "",
    ) -> None:
        where = f" at line {line}" if line is not None else ""
        super().__init__(f"{problem}{where}" + (f": {detail}" if detail else ""))
        self.problem: Problem = problem
        self.line = line
        self.column = column
        self.first_line = first_line
        self.detail = detail
