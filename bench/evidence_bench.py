"""Issue 11 benchmark: what checking an upload's structure costs (`storage.evidence_structure`).

A 5 MB PDF (one page carrying a 5 MB image stream, as a scanner writes it), and 5 MB JPEG and
PNG files, each timed in the same run as reading the same file's bytes from the page cache
(the least any upload costs): the structure check as the store runs it (open, mmap, check), the
check's slow paths (a PDF whose `startxref` offset is wrong, photos cut off so that the search
for their end marker runs through the whole file), pypdf opening the PDF (the library not
taken), and a whole `LocalEvidenceStore.put` of the PDF (hash, write, fsync, rename).

Run: `.venv/bin/python -m bench.evidence_bench`.
"""

from __future__ import annotations

import asyncio
import io
import mmap
import os
import statistics
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from storage.evidence_store import LocalEvidenceStore
from storage.evidence_structure import structure_problem

SIZE = 5 * 1024 * 1024
ROUNDS = 40


def _pdf(payload: bytes) -> bytes:
    """One page whose image stream is `payload`, classic cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def _jpeg(scan: bytes) -> bytes:
    def segment(marker: int, body: bytes) -> bytes:
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(body) + 2) + body

    frame = segment(0xC0, struct.pack(">BHHB", 8, 2000, 2000, 1) + b"\x01\x11\x00")
    scan = scan.replace(b"\xff", b"\xff\x00")  # byte stuffing, as an encoder writes it
    return b"\xff\xd8" + frame + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + scan + b"\xff\xd9"


def _png(data: bytes) -> bytes:
    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(tag + body))
        return struct.pack(">I", len(body)) + tag + body + crc

    header = struct.pack(">IIBBBBB", 2000, 2000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _median_ms(work: Callable[[], object], rounds: int = ROUNDS) -> float:
    work()  # warm: the page cache, imports
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _check(kind: str, path: Path) -> Callable[[], object]:
    def run() -> object:
        with (
            path.open("rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m,
        ):
            return structure_problem(kind, m)

    return run


def main() -> None:
    noise = os.urandom(SIZE)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pdf = _pdf(noise)
        start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
        files = {
            "pdf": pdf,
            "pdf-wrong-offset": pdf.replace(
                b"startxref\n%d" % start, b"startxref\n%d" % (start - 9)
            ),
            "jpeg": _jpeg(noise),
            "jpeg-cut": _jpeg(noise)[:-2],
            "png": _png(noise),
            "png-cut": _png(noise)[:-6],
        }
        paths = {}
        for name, data in files.items():
            paths[name] = root / name
            paths[name].write_bytes(data)
        assert structure_problem("pdf", files["pdf"]) is None
        assert structure_problem("pdf", files["pdf-wrong-offset"]) is None
        assert structure_problem("jpeg", files["jpeg"]) is None
        assert structure_problem("png", files["png"]) is None
        assert structure_problem("jpeg", files["jpeg-cut"]) is not None
        assert structure_problem("png", files["png-cut"]) is not None

        print(f"== evidence structure checks, 5 MB files (median of {ROUNDS}) ==")
        read_ms = _median_ms(paths["pdf"].read_bytes)
        print(f"reading the PDF's bytes: {read_ms:.3f} ms (the baseline)")
        for name, kind in (
            ("pdf", "pdf"),
            ("pdf-wrong-offset", "pdf"),
            ("jpeg", "jpeg"),
            ("jpeg-cut", "jpeg"),
            ("png", "png"),
            ("png-cut", "png"),
        ):
            ms = _median_ms(_check(kind, paths[name]))
            print(f"check {name}: {ms:.3f} ms ({ms / read_ms:.1%} of reading the bytes)")
        try:
            import pypdf  # a development dependency only
        except ImportError:  # pragma: no cover - bench without the dev extras
            pass
        else:

            def with_pypdf() -> object:
                return len(pypdf.PdfReader(io.BytesIO(paths["pdf"].read_bytes())).pages)

            ms = _median_ms(with_pypdf)
            print(f"pypdf reading the PDF (bytes included): {ms:.3f} ms")

        store = LocalEvidenceStore(root / "store", max_bytes=2 * SIZE)
        counter = iter(range(10**6))

        def put() -> object:  # new bytes each time: a stored copy would be deduplicated
            data = pdf + b"%% %d\n" % next(counter)
            return asyncio.run(store.put(data, original_name="bao-cao.pdf"))

        ms = _median_ms(put, rounds=15)
        print(f"whole upload of the PDF (hash, write, fsync, check, rename): {ms:.1f} ms")


if __name__ == "__main__":
    main()
