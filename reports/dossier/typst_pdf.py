"""A dossier document as PDF from one of the typst templates beside the report's.

As for the report (`reports.pdf`): data goes in as JSON, never as markup, and only the
shipped fonts are used, so the PDF is the same on any host.
"""

from __future__ import annotations

import json
from typing import Any

import typst

from reports.pdf import FONTS, HERE


def render(template: str, data: dict[str, Any]) -> bytes:
    """`templates/<template>.typ` rendered with `data`."""
    pdf = typst.compile(  # type: ignore[call-overload]  # root: the stub wants str | Path | bytes
        (HERE / "templates" / f"{template}.typ").read_bytes(),
        root=str(HERE),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False, default=str)},
    )
    assert isinstance(pdf, bytes)
    return pdf
