"""The tờ trình as an editable Word document: the officials add the number from their
register, adjust the wording to their province's template, then sign and stamp it.

It is built with the report's DOCX pieces (`reports.docx`: page set-up, the Nghị định 30
heading, plain runs), so the two documents of one dossier look the same.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from reports.docx import (
    LEFT,
    SIZE,
    _cell_text,
    _heading,
    _paragraph,
    _set_up,
    _table,
)


def render_letter_docx(data: dict[str, Any]) -> bytes:
    document = Document()
    _set_up(document, data)
    _heading(document, data)
    _paragraph(
        document, ("Kính gửi: ", ""), (data["recipient"], ""), align=WD_ALIGN_PARAGRAPH.CENTER
    )
    for basis in data["bases"]:
        _paragraph(document, (basis, "i"))
    for text in data["body"]:
        _paragraph(document, (text, "")).paragraph_format.first_line_indent = Cm(1)
    _paragraph(document, (data["attachments_lead"], ""))
    for number, item in enumerate(data["attachments"], start=1):
        _paragraph(document, (f"{number}. {item}", ""))
    _paragraph(document, (data["closing"], "")).paragraph_format.first_line_indent = Cm(1)
    document.add_paragraph()
    table = _table(document, 1, (Cm(8), Cm(8)), grid=False)
    receivers, signer = table.rows[0].cells
    _cell_text(receivers, "Nơi nhận:", bold=True, italic=True, size=Pt(12), align=LEFT)
    for receiver in data["receivers"]:
        _cell_text(receivers, f"- {receiver}", size=Pt(11), align=LEFT)
    for line in data["signature"]:
        _cell_text(signer, line, bold=True, size=SIZE)
    _cell_text(signer, data["signature_hint"], italic=True, size=SIZE)
    for _ in range(4):  # room for the signature and the stamp
        signer.add_paragraph()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
