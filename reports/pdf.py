"""The report as PDF, rendered by typst from `templates/report.typ` with the shipped fonts.

Data goes in as JSON through `sys_inputs`, so nothing a user typed is ever read as markup, and
the fonts are passed explicitly (system fonts ignored), so the output is the same on any host.
Rendering is CPU-bound: the bot runs it off the event loop (`reports.renderer`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typst

HERE = Path(__file__).parent
TEMPLATE = HERE / "templates" / "report.typ"
FONTS = HERE / "fonts"


def render_pdf(data: dict[str, Any]) -> bytes:
    pdf = typst.compile(  # type: ignore[call-overload]  # root: the stub wants str | Path | bytes
        TEMPLATE.read_bytes(),
        root=str(HERE),
        font_paths=[str(FONTS)],
        ignore_system_fonts=True,
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
    )
    assert isinstance(pdf, bytes)
    return pdf
