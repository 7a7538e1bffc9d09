"""The report as an editable Word document (python-docx), laid out like `templates/report.typ`.

Officials adapt it to their province's template, then sign and stamp it, so it is built from
plain styles (Times New Roman 13 pt, the administrative convention; A4, margins 2/2/3/2 cm)
and real tables. Every piece of data goes in as a plain run: python-docx escapes it, and the
few characters XML 1.0 cannot hold at all are replaced by U+FFFD rather than failing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from reports.chart import render_chart_png
from reports.office_text import level_mark, xml_safe

FONT = "Times New Roman"
LEFT = WD_ALIGN_PARAGRAPH.LEFT
SIZE = Pt(13)
CELL_SIZE = Pt(11)
TEXT_WIDTH = Cm(16)  # A4 21 cm less the 3 cm left and 2 cm right margins
DRAFT = "BẢN NHÁP"
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def render_docx(data: dict[str, Any]) -> bytes:
    document = Document()
    _set_up(document, data)
    _heading(document, data)
    _summary(document, data)
    _indicators(document, data)
    _conclusion(document, data)
    _closing(document, data)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- page, styles, header and footer ---------------------------------------------------------


def _set_up(document: DocumentObject, data: dict[str, Any]) -> None:
    properties = document.core_properties
    properties.title = xml_safe(data["title"])
    properties.author = ""
    properties.last_modified_by = ""
    properties.language = "vi-VN"

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(r_pr)
    for size_tag in ("w:sz", "w:szCs"):
        r_pr.find(qn(size_tag)).set(qn("w:val"), str(int(SIZE.pt * 2)))
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:before"), "60")
    spacing.set(qn("w:after"), "60")

    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = SIZE
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Headings no larger than the title (14 pt): every heading 13 pt bold, as the body.
    for name in ("Heading 1", "Heading 2", "Heading 1 Char", "Heading 2 Char"):
        style = document.styles[name]
        _fonts(style.element.get_or_add_rPr())
        style.font.size = SIZE
        style.font.color.rgb = RGBColor(0, 0, 0)
    for name in ("Heading 1", "Heading 2"):
        paragraph_format = document.styles[name].paragraph_format
        paragraph_format.space_before = Pt(12)
        paragraph_format.space_after = Pt(6)
        paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    # Decree 30/2020: page numbers centred in the top margin, none on the first page.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)
    if data["draft"]:  # on every page, as the PDF's watermark is
        for paragraph in (section.first_page_header.paragraphs[0], section.header.add_paragraph()):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, DRAFT, bold=True, size=Pt(11), color=RGBColor(0x99, 0x99, 0x99))


def _fonts(r_pr: Any) -> None:
    """Times New Roman for every script, in place of the template's theme fonts."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _page_number(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --- small builders --------------------------------------------------------------------------


def _run(
    paragraph: Paragraph,
    text: object,
    *,
    bold: bool = False,
    italic: bool = False,
    size: Length | None = None,
    color: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(xml_safe(text))  # a plain run: \n becomes a line break, \t a tab
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = size
    if color is not None:
        run.font.color.rgb = color


def _paragraph(
    parent: DocumentObject | _Cell,
    *parts: tuple[object, str],
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    size: Length | None = None,
    indent: Length | None = None,
    style: str | None = None,
) -> Paragraph:
    """A paragraph from (text, format) parts; format holds "b" for bold and "i" for italic."""
    paragraph = parent.add_paragraph(style=style)
    if align is not None:
        paragraph.alignment = align
    if indent is not None:
        paragraph.paragraph_format.left_indent = indent
    for text, fmt in parts:
        _run(paragraph, text, bold="b" in fmt, italic="i" in fmt, size=size)
    return paragraph


def _cell_text(
    cell: _Cell,
    text: object,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_PARAGRAPH_ALIGNMENT = WD_ALIGN_PARAGRAPH.CENTER,
    size: Length = CELL_SIZE,
) -> Paragraph:
    """Write into a cell's first paragraph if it is still empty, else a new one."""
    first = cell.paragraphs[0]
    paragraph: Paragraph = first if not first.runs else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    _run(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _table(
    document: DocumentObject, rows: int, widths: Sequence[Length], *, grid: bool = True
) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if grid:
        table.style = document.styles["Table Grid"]
    else:
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:val"), "nil")
            borders.append(element)
        table._tbl.tblPr.insert_element_before(
            borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption"
        )
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    return table


def _repeat_header(table: Table) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(marker)


def _rule(cell: _Cell, width: Length, length: Length) -> None:
    """A short centred line under the heading, as a bottom border on an empty paragraph."""
    paragraph = cell.add_paragraph()
    indent = Length(max(0, (width - length) // 2 - Cm(0.2)))
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(4)
    _add_borders(paragraph, _bottom_border())


def _bottom_border() -> Any:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    return borders


def _box(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "4"), ("color", "auto")):
            element.set(qn(f"w:{key}"), value)
        borders.append(element)
    _add_borders(paragraph, borders)


def _add_borders(paragraph: Paragraph, borders: Any) -> None:
    """Insert w:pBdr where the schema wants it: Word rejects out-of-order pPr children."""
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _bullets(document: DocumentObject, items: Iterable[object]) -> None:
    for item in items:
        _paragraph(document, (item, ""), style="List Bullet")


# --- the sections of the report --------------------------------------------------------------


def _heading(document: DocumentObject, data: dict[str, Any]) -> None:
    """Nghị định 30/2020, Phụ lục I: governing body (when known) over the issuer, bold, with a
    short line and the “Số:” line under it; Quốc hiệu and Tiêu ngữ with a line, the place and
    date in italics under them; then the type of document and its subject, centred."""
    widths = (Cm(6.5), Cm(9.5))
    table = _table(document, 1, widths, grid=False)
    left, right = table.rows[0].cells
    heading = data["heading"]
    for line in heading["governing"]:
        _cell_text(left, line, size=Pt(12))
    for line in heading["issuer"]:
        _cell_text(left, line, bold=True, size=Pt(12))
    _rule(left, widths[0], Cm(2))
    _cell_text(left, heading["number"], size=SIZE)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=Pt(12))
    _cell_text(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=SIZE)
    _rule(right, widths[1], Cm(5.2))
    _cell_text(right, data["place_date"], italic=True, size=SIZE)
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.space_before = Pt(0)
            paragraph.paragraph_format.space_after = Pt(0)
    left.paragraphs[-1].paragraph_format.space_before = Pt(6)
    right.paragraphs[-1].paragraph_format.space_before = Pt(6)

    kind = _paragraph(
        document, (data["doc_type"], "b"), align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14)
    )
    kind.paragraph_format.space_before = Pt(18)
    kind.paragraph_format.space_after = Pt(0)
    kind.paragraph_format.keep_with_next = True
    subject = _paragraph(
        document, (data["subject"], "b"), align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(14)
    )
    subject.paragraph_format.space_before = Pt(0)
    subject.paragraph_format.space_after = Pt(0)
    rule = document.add_paragraph()
    rule.paragraph_format.space_after = Pt(12)
    indent = Length((TEXT_WIDTH - Cm(4)) // 2)
    rule.paragraph_format.left_indent = indent
    rule.paragraph_format.right_indent = indent
    rule.paragraph_format.line_spacing = Pt(4)
    _add_borders(rule, _bottom_border())
    if data["draft"]:
        draft = _paragraph(
            document,
            (f"{DRAFT}: ", "b"),
            (f"hồ sơ còn {data['unanswered']} chỉ tiêu chưa trả lời.", ""),
        )
        _box(draft)


def _introduction(document: DocumentObject, data: dict[str, Any]) -> None:
    """A. Đặt vấn đề (Mẫu 3): the unit, the purpose, and the results table (Mẫu 2)."""
    document.add_heading("A. ĐẶT VẤN ĐỀ", level=1)
    _paragraph(document, ("1. Tình hình chung của đơn vị. ", "b"), (data["situation"], ""))
    _paragraph(document, ("2. Mục đích tự đánh giá. ", "b"), (data["purpose"], ""))
    _paragraph(
        document,
        ("3. Tóm tắt kết quả tự đánh giá ", "b"),
        ("(Bảng tổng hợp kết quả tự đánh giá các tiêu chí, chỉ tiêu):", ""),
    ).paragraph_format.keep_with_next = True


def _summary(document: DocumentObject, data: dict[str, Any]) -> None:
    _introduction(document, data)
    criteria = data["criteria"]
    rows = sum(len(c["indicators"]) for c in criteria)
    widths = (Cm(2.6), Cm(2.0), Cm(2.6), Cm(2.8), Cm(2.8), Cm(3.2))
    table = _table(document, rows + 1, widths)
    _repeat_header(table)
    header = (
        "Tiêu chí", "Chỉ tiêu", "Không đạt", "Đạt mức độ 1", "Đạt mức độ 2", "Kết quả tiêu chí"
    )  # fmt: skip
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    row = 1
    for criterion in criteria:
        indicators = criterion["indicators"]
        if not indicators:
            continue
        last = row + len(indicators) - 1
        for column, text in (
            (0, f"Tiêu chí {criterion['id']}"),
            (5, level_mark(criterion["level"])),
        ):
            cell = table.cell(row, column)
            if last > row:
                cell = cell.merge(table.cell(last, column))
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _cell_text(cell, text)
        for offset, indicator in enumerate(indicators):
            cells = table.rows[row + offset].cells
            _cell_text(cells[1], indicator["id"])
            level = indicator["level"]
            if level in (0, 1, 2):
                _cell_text(cells[2 + level], "X", bold=True)
        row = last + 1
    _paragraph(
        document,
        ("Chỉ tiêu không áp dụng cho loại đơn vị này không có trong bảng.", "i"),
        size=Pt(10),
    )


def _indicators(document: DocumentObject, data: dict[str, Any]) -> None:
    document.add_heading("B. TỰ ĐÁNH GIÁ", level=1)
    for criterion in data["criteria"]:
        document.add_heading(
            xml_safe(f"Tiêu chí {criterion['id']}: {criterion['title']}"), level=2
        )
        for indicator in criterion["indicators"]:
            _indicator(document, indicator)
        counts = criterion["counts"]
        _paragraph(
            document,
            (f"Kết luận về Tiêu chí {criterion['id']}: ", "b"),
            (
                f"{counts['0']} chỉ tiêu không đạt, {counts['1']} đạt mức độ 1, "
                f"{counts['2']} đạt mức độ 2; tiêu chí {level_mark(criterion['level']).lower()}.",
                "",
            ),
        )


def _indicator(document: DocumentObject, indicator: dict[str, Any]) -> None:
    """Mẫu 1: the state with its evidence, the strengths and weaknesses when there are any
    (left out, not printed as a dash, when empty), the level; numbered as they appear."""
    text = _paragraph(document, (indicator["text"], "b"))
    text.paragraph_format.keep_with_next = True
    text.paragraph_format.space_before = Pt(9)
    indent = Cm(0.75)
    state = _paragraph(document, ("1. Mô tả hiện trạng: ", "b"), (indicator["state"], ""))
    state.paragraph_format.left_indent = indent
    if indicator["description"] is not None:
        _run(state, ". ")
        _run(state, indicator["description"])
    evidence = indicator["evidence"]
    label = _paragraph(document, ("Minh chứng: ", "b"), indent=indent)
    if not evidence:
        _run(label, "chưa có", italic=True)
    for item in evidence:
        _paragraph(document, (item["code"], ""), (" ", ""), (item["title"], ""), indent=Cm(1.5))
    number = 2
    for name, key in (("Điểm mạnh", "strengths"), ("Tồn tại", "weaknesses")):
        if indicator[key] is not None:
            _paragraph(document, (f"{number}. {name}: ", "b"), (indicator[key], ""), indent=indent)
            number += 1
    _paragraph(
        document,
        (f"{number}. Tự đánh giá: ", "b"),
        (level_mark(indicator["level"]), ""),
        indent=indent,
    )


def _conclusion(document: DocumentObject, data: dict[str, Any]) -> None:
    document.add_heading("C. KẾT LUẬN CHUNG", level=1)
    conclusion = data["conclusion"]
    table = _table(document, 3, (Cm(5.2), Cm(3.6), Cm(3.6), Cm(3.6)))
    _repeat_header(table)
    for cell, text in zip(
        table.rows[0].cells, ("", "Không đạt", "Đạt mức độ 1", "Đạt mức độ 2"), strict=True
    ):
        _cell_text(cell, text, bold=True)
    rows = (
        ("Chỉ tiêu", conclusion["indicators"]["total"], "indicators"),
        ("Tiêu chí", len(data["criteria"]), "criteria"),
    )
    for row, (name, total, key) in enumerate(rows, start=1):
        cells = table.rows[row].cells
        _cell_text(cells[0], f"{name} ({total})", align=WD_ALIGN_PARAGRAPH.LEFT)
        for column, level in enumerate("012", start=1):
            count, pct = conclusion[key][level], conclusion[f"{key}_pct"][level]
            _cell_text(cells[column], f"{count} ({pct})")

    _paragraph(document, (data["level_sentence"], "b")).paragraph_format.space_before = Pt(9)
    _chart(document, data)
    if data["missing"]:
        _paragraph(document, ("Minh chứng còn thiếu:", "b"))
        _bullets(document, [item["text"] for item in data["missing"]])
    for section in data["gap_sections"]:  # level 1 first for a unit not yet at level 1
        _paragraph(document, (f"Để đạt mức độ {section['target']}:", "b"))
        if section["lead"]:
            _paragraph(document, (section["lead"], ""))
        _bullets(document, [item["text"] for item in section["indicators"]])


CHART_WIDTH = Cm(12)
"""The chart's picture in the document: its page is 9.5 cm wide with 10 pt text, so at 12 cm
the text prints at about the document's 13 pt, and its 1,080 pixels give about 230 dpi."""


def _chart(document: DocumentObject, data: dict[str, Any]) -> None:
    """The PDF's chart, as the chat's picture of it (the same typst drawing, `reports.chart`):
    Word cannot take typst's vector drawing, and a picture keeps the two documents alike. None
    when no count indicator is answered, or in report data kept from before the chart."""
    chart = data.get("chart")
    png = render_chart_png(chart) if chart else None
    if png is None:
        return
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)


def _closing(document: DocumentObject, data: dict[str, Any]) -> None:
    """The team leader's and the head's signatures side by side, then “Nơi nhận:”."""
    document.add_paragraph()
    table = _table(document, 2, (Cm(8), Cm(8)), grid=False)
    signatures = data["signatures"]
    signers = (
        (signatures["team"], signatures["team_hint"]),
        (signatures["head"], signatures["head_hint"]),
    )
    for cell, (lines, hint) in zip(table.rows[0].cells, signers, strict=True):
        for line in lines:
            _cell_text(cell, line, bold=True, size=SIZE).paragraph_format.keep_with_next = True
        _cell_text(cell, hint, italic=True, size=SIZE)
        for _ in range(4):  # room for the signature and the stamp
            cell.add_paragraph()
    receivers = table.rows[1].cells[0]
    _cell_text(receivers, "Nơi nhận:", bold=True, italic=True, size=Pt(12), align=LEFT)
    for receiver in data["receivers"]:
        _cell_text(receivers, f"- {receiver}", size=Pt(11), align=LEFT)
    for row in table.rows:  # the closing stays on one page with its signatures
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
