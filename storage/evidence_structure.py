"""Is a file what its signature says? Cheap structural checks of PDFs and photos.

The evidence store decides a file's type by its first bytes; a file that starts with `%PDF-`
and continues as a web page, or a photo cut off half-way through its upload, has the right
first bytes and still opens nowhere. These checks read only the few places that make a file
openable, never the whole content:

- PDF: the header, `%%EOF` within the last 1,024 bytes (where Acrobat requires it, PDF 1.7
  Annex H), the `startxref` offset before it, and at that offset a cross-reference table or a
  cross-reference stream object. Viewers rebuild a wrong offset from the section itself, so
  when the offset misses, a cross-reference section found elsewhere (searched from the end)
  is enough: a sloppy generator's real PDF is accepted, a web page is not.
- JPEG: the marker segments from the start of image up to the first scan, with a frame header
  (SOF) of sane dimensions before it, and an end-of-image marker after it.
- PNG: the signature, an IHDR chunk whose CRC and fields are valid, an IDAT chunk, and IEND.
- HEIC: the top-level ISO boxes (ftyp first, each within the file), the `meta` box every HEIF
  file has, and the picture's data (`mdat`, or `idat` inside `meta`).

Why not a PDF library: pypdf is only a development dependency (the tests read the reports with
it), and opening the file with it costs more than reading the file: measured on the 2-core
machine on a 5 MB PDF (`python -m bench.evidence_bench`, same run), reading its bytes from the
page cache 0.12 ms, this check (open, mmap, check) 0.034 ms, pypdf 0.55 ms; a whole upload
(hash, write, fsync, rename) 12-32 ms with or without the check. The slow paths, only taken by
broken files, stay small: a JPEG or PNG cut off, whose end marker is searched through the whole
5 MB, 2.0 ms and 0.8 ms (hashing the same 5 MB costs 3 ms). Every PNG, JPEG and PDF found on
the development machine passes (1,403 PNG, 17 JPEG, 3 PDF, two of them pdfTeX's with
cross-reference streams).

Each check takes the file's bytes (an `mmap` of the upload, or `bytes`) and returns the problem
in words for the refusal, or None when the structure holds.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable
from typing import Protocol

__all__ = ["structure_problem"]


class _Bytes(Protocol):
    """What `bytes` and `mmap.mmap` both offer."""

    def __len__(self) -> int: ...
    def __getitem__(self, index: slice, /) -> bytes: ...
    def find(self, sub: bytes, start: int = ..., /) -> int: ...
    def rfind(self, sub: bytes, start: int = ..., end: int = ..., /) -> int: ...


# The problems, in the words the refusal uses ("Tệp … không phải là PDF hợp lệ: <problem>; …").
TRUNCATED = "tệp bị thiếu phần cuối, có thể do chưa tải lên hết"
BROKEN = "cấu trúc bên trong bị hỏng"
PDF_NOT_A_HEADER = "phần đầu tệp không đúng chuẩn PDF"
PDF_IS_HTML = "sau phần đầu PDF là một trang web HTML"
IMAGE_HEADER_BROKEN = "phần đầu ảnh (kích thước, kiểu màu) bị hỏng"
IMAGE_WITHOUT_PICTURE = "tệp không chứa dữ liệu ảnh"

# --- PDF -------------------------------------------------------------------------------------

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PDF_TAIL_BYTES = 1024
_STARTXREF = re.compile(rb"startxref\s+(\d{1,15})\s+%%EOF")
# A classic table: "xref", a subsection header "0 6", then 20-byte entries "0000000017 00000 n".
_XREF_TABLE = re.compile(rb"xref\s+\d+\s+\d+\s+\d{10}\s\d{5}\s[nf]")
# A cross-reference stream (PDF 1.5+): an indirect object whose dictionary says /Type /XRef.
_OBJECT_HEAD = re.compile(rb"\d+\s+\d+\s+obj\s*<<")
_XREF_TYPE = re.compile(rb"/Type\s*/XRef\b")
_WINDOW = 1024
_MAX_CANDIDATES = 64
_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


def _pdf(data: _Bytes) -> str | None:
    size = len(data)
    if not _PDF_HEADER.match(data[:16]):
        return PDF_NOT_A_HEADER
    tail_start = max(0, size - _PDF_TAIL_BYTES)
    tail = data[tail_start:size]
    eof = tail.rfind(b"%%EOF")
    if eof == -1:
        return PDF_IS_HTML if _looks_like_html(data[: 4 * _WINDOW]) else TRUNCATED
    offset = None
    for found in _STARTXREF.finditer(tail, 0, eof + 5):
        offset = int(found[1])  # the last one: an incremental update's table comes last
    if offset is not None and offset < size and _xref_at(data, offset):
        return None
    if _xref_anywhere(data):
        return None
    return PDF_IS_HTML if _looks_like_html(data[: 4 * _WINDOW]) else BROKEN


def _xref_at(data: _Bytes, offset: int) -> bool:
    window = data[offset : offset + _WINDOW].lstrip(_PDF_WHITESPACE)
    if _XREF_TABLE.match(window):
        return True
    return _OBJECT_HEAD.match(window) is not None and _XREF_TYPE.search(window) is not None


def _xref_anywhere(data: _Bytes) -> bool:
    """A cross-reference table or stream somewhere, searched from the end, as a viewer repairing
    a wrong `startxref` offset would (the last few candidates only: this is a fallback)."""
    end = len(data)
    for _ in range(_MAX_CANDIDATES):
        pos = data.rfind(b"xref", 0, end)
        if pos == -1:
            break
        if data[max(0, pos - 5) : pos] != b"start" and _XREF_TABLE.match(
            data[pos : pos + _WINDOW]
        ):
            return True
        end = pos
    end = len(data)
    for _ in range(_MAX_CANDIDATES):
        pos = data.rfind(b"/XRef", 0, end)
        if pos == -1:
            break
        before = data[max(0, pos - _WINDOW) : pos + 5]
        if _XREF_TYPE.search(before) and _OBJECT_HEAD.search(before):
            return True
        end = pos
    return False


def _looks_like_html(start: bytes) -> bool:
    lowered = start.lower()
    return b"<html" in lowered or b"<!doctype html" in lowered


# --- JPEG ------------------------------------------------------------------------------------

# Start-of-frame markers: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and the restart markers: no length
_SOS, _EOI, _SOI = 0xDA, 0xD9, 0xD8
_MAX_SEGMENTS = 4096  # a camera writes a dozen; the cap bounds a crafted file's cost


def _jpeg(data: _Bytes) -> str | None:
    size = len(data)
    pos = 2  # after SOI, which the signature check saw
    framed = False
    for _ in range(_MAX_SEGMENTS):
        head = data[pos : pos + 4]
        if len(head) < 2:
            return TRUNCATED
        if head[0] != 0xFF:
            return BROKEN
        marker = head[1]
        if marker == 0xFF:  # a fill byte before the marker
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker in (_EOI, _SOI):
            return IMAGE_WITHOUT_PICTURE
        if len(head) < 4:
            return TRUNCATED
        length = int.from_bytes(head[2:4], "big")
        if length < 2:
            return BROKEN
        end = pos + 2 + length
        if end > size:
            return TRUNCATED
        if marker in _SOF:
            if not _frame_header_ok(data[pos + 4 : end], length):
                return IMAGE_HEADER_BROKEN
            framed = True
        if marker == _SOS:
            if not framed:
                return IMAGE_HEADER_BROKEN
            # Scan data escapes 0xFF (FF 00), so FF D9 after the scan header can only be an
            # end of image; a photo cut off in its upload has none. (Data a camera appends
            # after the picture, e.g. a motion photo's video, comes after it.)
            return None if data.rfind(b"\xff\xd9", end) != -1 else TRUNCATED
        pos = end
    return BROKEN


def _frame_header_ok(body: bytes, length: int) -> bool:
    if len(body) < 6:
        return False
    precision, _height, width, components = struct.unpack(">BHHB", body[:6])
    # Height 0 is legal (a DNL marker gives it later); width never is.
    sane = 2 <= precision <= 16 and width > 0 and 1 <= components <= 4
    return bool(sane and length == 8 + 3 * components)


# --- PNG -------------------------------------------------------------------------------------

# Allowed bit depths per colour type (PNG specification, 11.2.2).
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _png(data: _Bytes) -> str | None:
    ihdr = data[8:33]
    if len(ihdr) < 25:
        return TRUNCATED
    length, tag = struct.unpack(">I4s", ihdr[:8])
    if tag != b"IHDR" or length != 13:
        return IMAGE_HEADER_BROKEN
    body, crc = ihdr[8:21], int.from_bytes(ihdr[21:25], "big")
    if zlib.crc32(b"IHDR" + body) != crc:
        return IMAGE_HEADER_BROKEN
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", body
    )
    if not (0 < width < 2**31 and 0 < height < 2**31):
        return IMAGE_HEADER_BROKEN
    if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
        return IMAGE_HEADER_BROKEN
    if data.rfind(_PNG_IEND) == -1:
        return TRUNCATED
    if data.find(b"IDAT", 33) == -1:
        return IMAGE_WITHOUT_PICTURE
    return None


# --- HEIC ------------------------------------------------------------------------------------

_MAX_BOXES = 1024  # an iPhone photo has three top-level boxes (ftyp, meta, mdat)


def _heic(data: _Bytes) -> str | None:
    boxes = _boxes(data, 0, len(data), first=b"ftyp")
    if isinstance(boxes, str):
        return boxes
    meta = boxes.get(b"meta")
    if meta is None:
        return IMAGE_WITHOUT_PICTURE
    if b"mdat" in boxes:
        return None
    # The picture's bytes are in `mdat`, or (rarely) in an `idat` box inside `meta`, a full box
    # whose children start after its 4-byte version and flags.
    inner = _boxes(data, meta[0] + 4, meta[1])
    return None if isinstance(inner, dict) and b"idat" in inner else IMAGE_WITHOUT_PICTURE


def _boxes(
    data: _Bytes, start: int, end: int, *, first: bytes | None = None
) -> dict[bytes, tuple[int, int]] | str:
    """The ISO boxes between `start` and `end`: type → (where its body starts, where it ends),
    or the problem when a box does not fit (`first`: the type the first box must have)."""
    found: dict[bytes, tuple[int, int]] = {}
    pos = start
    for _ in range(_MAX_BOXES):
        if pos == end:
            return found
        head = data[pos : min(pos + 16, end)]
        if len(head) < 8:
            return TRUNCATED
        box_size, tag = struct.unpack(">I4s", head[:8])
        header = 8
        if box_size == 1:  # a 64-bit size follows the type
            if len(head) < 16:
                return TRUNCATED
            box_size, header = int.from_bytes(head[8:16], "big"), 16
        elif box_size == 0:  # the last box, to the end
            box_size = end - pos
        if box_size < header or (pos == start and first and (tag != first or box_size < 16)):
            return BROKEN
        if pos + box_size > end:
            return TRUNCATED
        found.setdefault(tag, (pos + header, pos + box_size))
        pos += box_size
    return BROKEN


_CHECKS: dict[str, Callable[[_Bytes], str | None]] = {
    "pdf": _pdf,
    "jpeg": _jpeg,
    "png": _png,
    "heic": _heic,
}


def structure_problem(kind: str, data: _Bytes) -> str | None:
    """Why `data` is not a valid file of `kind` (for the refusal), or None when it is (or when
    `kind` has no check here: Office files are opened by their container's parser already)."""
    check = _CHECKS.get(kind)
    return None if check is None else check(data)
