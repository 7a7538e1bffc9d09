"""Text helpers shared by the DOCX and XLSX writers."""

from __future__ import annotations

import re

# Characters XML 1.0 cannot hold at all (control characters, lone surrogates): python-docx and
# openpyxl would fail on them, so they are shown as the replacement character instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def level_mark(level: int | None) -> str:
    """An outcome as the official forms write it; "—" where the indicator does not apply."""
    if level is None:
        return "—"
    return "Không đạt" if level == 0 else f"Đạt mức độ {level}"
