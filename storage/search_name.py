"""The form of a unit's name the dashboard searches: lower case, no diacritics, “đ” as “d”,
single spaces, so “ha noi” finds “Hà Nội” and “DONG DA” finds “Đống Đa”.

Kept in `units.search_name` (written with every insert and rename of a unit through the ORM,
`storage.tables`; rows written by hand are filled in by the board before it searches), so a
search over 50,000 units is one `LIKE` on a column and not 50,000 foldings per request.
"""

from __future__ import annotations

import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """“  Trường THCS  Đống Đa ” → “truong thcs dong da”."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    bare = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and (ch.isprintable() or ch.isspace())
    )  # control characters (a NUL, which PostgreSQL refuses in text) never match a name
    return " ".join(bare.lower().split())


def like_pattern(query: str) -> str:
    """A `LIKE … ESCAPE '\\'` pattern finding `query` (folded) anywhere in a folded name."""
    folded = fold(query)
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
