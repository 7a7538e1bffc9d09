"""The chart drawn: in the report's PDF (every figure and mark label in its text, vector only)
and as the chat's PNG (a real PNG 1080 pixels wide with something drawn on it), both from the
same typst drawing."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from dvht_core.model import Rulebook
from reports.chart import WIDTH_PX, ChartImages, render_chart_png
from reports.chart_data import CAPTION
from reports.data import report_data
from reports.docx import render_docx
from reports.pdf import render_pdf
from tests.conftest import build

COUNTS = ("2.1", "2.2", "2.3", "2.4", "2.5", "3.1")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def image_xobjects(pdf: bytes) -> list[str]:
    """The raster images any page draws (directly or inside a form XObject)."""
    found: list[str] = []

    def walk(resources: Any) -> None:
        if not isinstance(resources, DictionaryObject) or "/XObject" not in resources:
            return
        for name, ref in resources["/XObject"].get_object().items():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append(name)
            elif "/Resources" in xobject:
                walk(xobject["/Resources"].get_object())

    for page in PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources", DictionaryObject()).get_object())
    return found


def school(rulebooks: dict[str, Rulebook]) -> tuple[Rulebook, Any]:
    overrides = {
        "2.1": {"count": 40, "evidence": ["Bảng chấm công"]},
        "2.4": {"count": 21, "evidence": ["Danh sách"]},
        "3.1": {"count": 42, "learners_count": 1_160, "evidence": ["Danh sách"]},
    }
    assessment = build(
        rulebooks,
        tier="tinh",
        unit_type="pho_thong",
        members=42,
        learners=1_200,
        overrides=overrides,
        unit_name="Trường THPT Nguyễn Huệ",
    )
    return rulebooks["tinh"], assessment


def test_the_report_carries_the_chart_figures_and_marks(rulebooks: dict[str, Rulebook]) -> None:
    rulebook, assessment = school(rulebooks)
    pdf = render_pdf(report_data(rulebook, assessment))
    text = pdf_text(pdf)
    assert CAPTION in text
    for figure in ("40/42 (95,2%)", "21/42 (50%)", "42/42 (100%)", "1160/1200 (96,7%)"):
        assert figure in text, figure
    assert "2.4 Chứng chỉ ngoại ngữ" in text
    for label in ("Mức 1 90%", "Mức 2 95%", "Mức 1 50%", "Mức 2 70%", "Mức 1 95%", "Mức 2 97%"):
        assert label in text, label
    assert "Tỉ lệ của đơn vị" in text, "the legend"
    assert image_xobjects(pdf) == [], "the chart is vector, no raster image"


def test_the_check_for_raster_images_finds_one() -> None:
    """The vector check can fail: the same check on a PDF that does embed a picture."""
    import img2pdf

    png = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(png, format="PNG")
    assert image_xobjects(img2pdf.convert(png.getvalue())) != []


def test_no_count_answered_means_no_chart(rulebooks: dict[str, Rulebook]) -> None:
    assessment = build(rulebooks, drop=COUNTS)
    data = report_data(rulebooks["huyen"], assessment)
    assert data["chart"]["rows"] == []
    assert CAPTION not in pdf_text(render_pdf(data))
    assert render_chart_png(data["chart"]) is None
    assert ChartImages().build(rulebooks["huyen"], assessment) is None


def test_the_picture_is_a_phone_wide_png_with_the_bars_drawn(
    rulebooks: dict[str, Rulebook],
) -> None:
    rulebook, assessment = school(rulebooks)
    data = ChartImages().build(rulebook, assessment)
    assert data is not None
    assert data["title"] == "Trường THPT Nguyễn Huệ, năm 2025"
    png = render_chart_png(data)
    assert png is not None
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()  # a well-formed PNG (checksums, chunks)
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.width == WIDTH_PX == 1080
    assert 600 < image.height < 4000
    histogram = image.histogram()
    dark = sum(histogram[:100])
    white = sum(histogram[250:])
    # Not blank, and no transparent (black on Telegram) background: mostly white, with the
    # bars' fill and the text taking several per cent of the pixels.
    assert white > image.width * image.height // 2
    assert dark > image.width * image.height // 50
    # The unit's bar colour is there (the bars, not only text).
    rgb = Image.open(io.BytesIO(png)).convert("RGB")
    assert (63, 111, 176) in {colour for _, colour in rgb.getcolors(1 << 20) or ()}


def test_a_png_for_fewer_rows_is_shorter(rulebooks: dict[str, Rulebook]) -> None:
    """The page grows with the rows (height auto), the width stays."""
    rulebook, assessment = school(rulebooks)
    full = ChartImages().build(rulebook, assessment)
    assert full is not None
    one = full | {"rows": full["rows"][:1]}
    tall, short = (Image.open(io.BytesIO(render_chart_png(d) or b"")) for d in (full, one))
    assert tall.width == short.width == WIDTH_PX
    assert short.height < tall.height


def docx_pictures(docx: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]


def test_the_docx_carries_the_same_chart_as_a_picture(rulebooks: dict[str, Rulebook]) -> None:
    rulebook, assessment = school(rulebooks)
    data = report_data(rulebook, assessment)
    pictures = docx_pictures(render_docx(data))
    assert pictures == [render_chart_png(data["chart"])]
    assert Image.open(io.BytesIO(pictures[0])).width == WIDTH_PX
    counted = build(rulebooks, drop=COUNTS)
    assert docx_pictures(render_docx(report_data(rulebooks["huyen"], counted))) == []


def test_the_bars_cite_their_legal_source(rulebooks: dict[str, Rulebook]) -> None:
    rulebook, assessment = school(rulebooks)
    data = report_data(rulebook, assessment)
    sources = [c.source for c in rulebook.criteria if c.id in ("2", "3")]
    assert data["chart"]["sources"] == sources
    assert all(s.startswith("Thông tư 24/2023/TT-BGDĐT") for s in sources)
    text = pdf_text(render_pdf(data))
    assert f"Căn cứ: {'; '.join(sources)}." in text
