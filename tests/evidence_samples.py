"""Small real evidence files, built byte by byte to their specifications, for every test that
uploads one: the evidence store opens PDFs and photos by their structure, so a file that only
starts with the right bytes is refused (issue 11, item 6).

Each builder is deterministic (the same bytes every run), so tests can compare hashes.
"""

from __future__ import annotations

import struct
import zlib


def pdf(text: bytes = b"", *, xref_stream: bool = False) -> bytes:
    """A one-page PDF with a classic cross-reference table (or, with `xref_stream`, the
    compressed-object-era cross-reference stream of PDF 1.5), offsets exact. `text` goes in a
    comment, so different texts give different files."""
    header = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n" if xref_stream else b"%PDF-1.4\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Resources << >> >>",
    ]
    out = bytearray(header)
    if text:
        out += b"% " + text.replace(b"\n", b" ") + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref_stream:
        number = len(objects) + 1
        rows = [b"\x00\x00\x00\xff"] + [b"\x01" + struct.pack(">H", o) + b"\x00" for o in offsets]
        rows.append(b"\x01" + struct.pack(">H", start) + b"\x00")  # the stream itself
        data = b"".join(rows)
        out += (
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 2 1] /Root 1 0 R /Length %d >>\nstream\n"
            % (number, number + 1, len(data))
        )
        out += data + b"\nendstream\nendobj\n"
    else:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def _segment(marker: int, body: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg(*, progressive: bool = False, exif_thumbnail: bool = False) -> bytes:
    """A 1×1 grey baseline (or progressive) JPEG: quantisation table, frame header, Huffman
    tables, one scan whose single block is DC 0 and end-of-block (bits 00, padded with ones),
    end of image. `exif_thumbnail` adds an APP1 segment holding a whole small JPEG, as phones
    write: its end-of-image marker comes before the main picture's scan."""
    app0 = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    tables = _segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = _segment(
        0xC2 if progressive else 0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00"
    )
    huffman = _segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00") + _segment(
        0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    )
    scan = _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x3f"
    body = tables + frame + huffman + scan
    exif = b""
    if exif_thumbnail:
        thumbnail = b"\xff\xd8" + body + b"\xff\xd9"
        exif = _segment(0xE1, b"Exif\x00\x00" + thumbnail)
    return b"\xff\xd8" + app0 + exif + body + b"\xff\xd9"


def _chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


def png(*, colour: int = 2, depth: int = 8) -> bytes:
    """A 1×1 PNG (8-bit RGB by default): IHDR, one IDAT, IEND, each with its CRC."""
    header = struct.pack(">IIBBBBB", 1, 1, depth, colour, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte + one red pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def _box(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + tag + body


def heic(*, idat: bool = False) -> bytes:
    """The top-level boxes of an iPhone photo: ftyp (brand heic), meta, mdat; with `idat`, the
    picture's bytes inside meta instead of an mdat box."""
    ftyp = _box(b"ftyp", b"heic" + struct.pack(">I", 0) + b"mif1heic")
    handler = _box(b"hdlr", bytes(8) + b"pict" + bytes(13))
    picture = b"\x00\x00\x00\x10" + bytes(16)
    if idat:
        return ftyp + _box(b"meta", bytes(4) + handler + _box(b"idat", picture))
    return ftyp + _box(b"meta", bytes(4) + handler) + _box(b"mdat", picture)
