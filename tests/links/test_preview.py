"""The page-1 preview: a valid PNG (read back chunk by chunk, its CRCs and pixels checked here
rather than trusted to an image library), of the width asked for, showing the page."""

from __future__ import annotations

import io
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest

from reports.preview import PDFIUM_LOCK, PreviewError, encode_png_rgb, first_page_png

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _decode_png(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB PNG (any of the five row filters)."""
    assert png.startswith(SIGNATURE)
    at, chunks = len(SIGNATURE), []
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + data) == crc, kind
        chunks.append((kind, data))
        at += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1] == (b"IEND", b"")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    assert (depth, color, compression, filtering, interlace) == (8, 2, 0, 0, 0)
    raw = zlib.decompress(b"".join(data for kind, data in chunks if kind == b"IDAT"))
    stride = width * 3
    assert len(raw) == height * (stride + 1)
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - 3] if x >= 3 else 0
            up = previous[x]
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind != 0:
                raise AssertionError(f"filter {kind} not expected from our encoder")
        rows.append(bytes(line))
        previous = rows[-1]
    return width, height, rows


def _dark_pixels(rows: list[bytes]) -> int:
    return sum(
        1
        for row in rows
        for i in range(0, len(row), 3)
        if max(row[i], row[i + 1], row[i + 2]) < 128
    )


def _blank_pdf(width: float, height: float) -> bytes:
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument.new()
        document.new_page(width, height)
        out = io.BytesIO()
        document.save(out)
        document.close()
    return out.getvalue()


def test_the_report_preview_is_a_png_of_the_page(report_files: dict[str, bytes]) -> None:
    png = first_page_png(report_files["pdf"], width_px=540)
    width, height, rows = _decode_png(png)
    assert width == 540
    assert 740 <= height <= 780  # A4: √2 times the width
    dark = _dark_pixels(rows)
    assert dark > 2_000  # text, the table's rules
    assert dark < width * height // 4  # still mostly paper
    top_half = _dark_pixels(rows[: height // 2])
    assert top_half > 0


def test_the_default_width_and_a_narrow_one(report_files: dict[str, bytes]) -> None:
    png = first_page_png(report_files["pdf"])
    assert struct.unpack(">II", png[16:24]) == (1080, 1528)
    tiny = first_page_png(report_files["pdf"], width_px=7)
    width, height, _ = _decode_png(tiny)
    assert (width, height) == (7, 10)


def test_a_blank_page_is_all_white_so_the_check_above_can_fail() -> None:
    _, _, rows = _decode_png(first_page_png(_blank_pdf(200, 100), width_px=100))
    assert len(rows) == 50
    assert _dark_pixels(rows) == 0
    assert all(set(row) == {255} for row in rows)


def test_a_very_tall_page_is_shown_from_the_top() -> None:
    width, height, _ = _decode_png(first_page_png(_blank_pdf(100, 5_000), width_px=50))
    assert width == 50
    assert height == 200


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF", b"\x89PNG\r\n\x1a\n"])
def test_what_is_not_a_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(PreviewError):
        first_page_png(data)


def test_width_out_of_range() -> None:
    for width in (0, -1, 100_000):
        with pytest.raises(ValueError, match="width_px"):
            first_page_png(b"%PDF", width_px=width)


def test_threads_at_once_get_the_same_picture(report_files: dict[str, bytes]) -> None:
    """PDFium is entered by one thread at a time: eight at once all get the whole page."""
    expected = first_page_png(report_files["pdf"], width_px=300)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: first_page_png(report_files["pdf"], width_px=300), range(16))
        )
    assert all(result == expected for result in results)


def test_the_encoder_keeps_every_pixel() -> None:
    """A bitmap with padded rows (PDFium's stride) and every byte value comes back exact."""
    width, height, stride = 5, 4, 16
    pixels = bytes((i * 37 + 11) % 256 for i in range(stride * height))
    _, _, rows = _decode_png(encode_png_rgb(pixels, width=width, height=height, stride=stride))
    assert rows == [pixels[y * stride : y * stride + width * 3] for y in range(height)]
