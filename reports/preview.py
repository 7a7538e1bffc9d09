"""A PNG of a report's first page, for channels that show a picture but carry no document
(Zalo's sendPhoto takes the picture's URL: a signed report link).

pypdfium2 renders the page; the PNG is encoded here with zlib rather than through Pillow,
which pypdfium2 needs for `to_pil` and which the project does not otherwise use. PDFium is not
thread-safe, so every use of it in the process goes through `PDFIUM_LOCK`; the PNG encoding,
which takes most of the time, runs outside it.
"""

from __future__ import annotations

import struct
import threading
import zlib

import pypdfium2 as pdfium  # type: ignore[import-untyped]

PDFIUM_LOCK = threading.Lock()
"""Held around every PDFium call: the library keeps global state and may not be entered from two
threads at once (pypdfium2's own documentation says so)."""
MAX_WIDTH_PX = 4096
MAX_ASPECT = 4.0
"""A page taller than four times its width is shown from the top only: a preview of a strip
would be unreadable anyway, and its bitmap could take a great deal of memory."""
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PreviewError(ValueError):
    """The bytes are not a PDF PDFium can open, or it has no page."""


def first_page_png(pdf: bytes, *, width_px: int = 1080) -> bytes:
    """Page 1 of `pdf` as an RGB PNG exactly `width_px` pixels wide. CPU-bound (about 50 ms for
    a report page at 1080 pixels, 170 KB): call it from a worker thread."""
    if not 1 <= width_px <= MAX_WIDTH_PX:
        raise ValueError(f"width_px must be between 1 and {MAX_WIDTH_PX}")
    width, height, stride, pixels = _render_first_page(pdf, width_px)
    return encode_png_rgb(pixels, width=width, height=height, stride=stride)


def _render_first_page(pdf: bytes, width_px: int) -> tuple[int, int, int, bytes]:
    """The page's RGB pixels (copied out, so that PDFium's memory is freed under the lock)."""
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as error:
            raise PreviewError("not a PDF that can be opened") from error
        try:
            if len(document) < 1:
                raise PreviewError("the PDF has no page")
            page = document[0]
            try:
                page_width, page_height = page.get_size()
                if page_width <= 0 or page_height <= 0:
                    raise PreviewError("the first page has no size")
                scale = width_px / page_width
                # Cut the bottom of a very tall page (crop is in PDF units, before scaling).
                bottom = max(0.0, page_height - page_width * MAX_ASPECT)
                bitmap = page.render(scale=scale, crop=(0, bottom, 0, 0), rev_byteorder=True)
                try:
                    if bitmap.n_channels != 3:
                        raise PreviewError(f"unexpected bitmap mode {bitmap.mode}")
                    # PDFium rounds the width up: a pixel of margin more is dropped below.
                    width = min(bitmap.width, width_px)
                    pixels = bytes(bitmap.buffer)
                    return width, bitmap.height, bitmap.stride, pixels
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()


def encode_png_rgb(pixels: bytes, *, width: int, height: int, stride: int) -> bytes:
    """An 8-bit RGB PNG of `height` rows of `stride` bytes, each starting with `width` pixels.

    Rows are written unfiltered: a report page is mostly runs of white, which zlib alone packs
    tightly, and PNG's predictive filters would need a Python loop per byte without numpy."""
    row_bytes = width * 3
    raw = b"".join(b"\x00" + pixels[i * stride : i * stride + row_bytes] for i in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        (
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw, 6)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
