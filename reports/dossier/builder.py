"""The dossier's ZIP, written to disk as it is built (the `DossierBuilder` port).

A dossier holds every evidence file (60 files of a few MB each are common), so it is never
built in memory: the ZIP is written to a temporary file in the target's folder, each evidence
file copied into it in 1 MiB chunks, then renamed into place, so a reader never sees half a
ZIP and a failure leaves nothing behind. Only the documents we render (a few hundred KB) are
held in memory. PDFs, photos and the Office files that are ZIPs themselves (DOCX, XLSX) are
stored as they are: deflating them again gains under 1 % and costs the time of a full pass
over the bytes; the legacy Office files (DOC, XLS) are deflated.

Layout (one folder, so unpacking never scatters files on the desktop):

    ho-so_<unit>_<year>/01-to-trinh.pdf, .docx        the tờ trình
                        02-bao-cao-tu-danh-gia.pdf, .docx
                        03-bang-tong-hop.xlsx
                        04-danh-muc-minh-chung.pdf, .xlsx
                        minh-chung/H1-1.1-01.pdf …
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from conversations.dossier import DossierSource, DossierWritten
from dvht_core import vietnam_time
from dvht_core.model import TIER_NAMES
from reports.data import report_data
from reports.docx import render_docx
from reports.dossier import album, plan, typst_pdf
from reports.dossier.index import index_data, render_index_xlsx
from reports.dossier.letter import letter_data
from reports.dossier.letter_docx import render_letter_docx
from reports.file_names import slug
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx

CHUNK = 1024 * 1024
LETTER = "01-to-trinh"
REPORT = "02-bao-cao-tu-danh-gia"
SUMMARY = "03-bang-tong-hop"
INDEX = "04-danh-muc-minh-chung"
DEFLATED = frozenset({"doc", "xls", "bin"})
NOTE_NO_FILE = "“Không có tệp”: minh chứng được ghi nhận không kèm tệp; bản giấy lưu tại đơn vị."


def folder_name(unit_name: str, year: int) -> str:
    return f"ho-so_{slug(unit_name)}_{year}"


class DossierZip:
    """`conversations.dossier.DossierBuilder` with typst, python-docx, openpyxl and img2pdf."""

    def write(self, source: DossierSource, target: Path, *, today: dt.date) -> DossierWritten:
        target = Path(target)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".ho-so-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as raw:
                written = _write(source, raw, scratch=target.parent, today=today)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return DossierWritten(path=target, size=target.stat().st_size, **written)


def _write(
    source: DossierSource, raw: IO[bytes], *, scratch: Path, today: dt.date
) -> dict[str, Any]:
    assessment = source.assessment
    unit_name = assessment.unit_name or "Đơn vị"
    tier = source.rulebook.tier
    year = assessment.year
    top = folder_name(unit_name, year)
    stamp = vietnam_time.now().timetuple()[:6]
    documents: list[str] = []

    with zipfile.ZipFile(raw, "w", allowZip64=True) as archive:

        def put(name: str, data: bytes, *, deflate: bool) -> None:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            archive.writestr(info, data)
            documents.append(name)

        @contextlib.contextmanager
        def entry(name: str, extension: str) -> Iterator[IO[bytes]]:
            info = zipfile.ZipInfo(f"{top}/{plan.EVIDENCE_FOLDER}/{name}", date_time=stamp)
            deflate = extension in DEFLATED
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            with archive.open(info, "w", force_zip64=True) as out:
                yield out

        with tempfile.TemporaryDirectory(dir=scratch, prefix=".albums-") as albums_dir:
            albums, loose = _albums(source, Path(albums_dir))
            entries = plan.plan(source, loose=loose)
            files = 0
            for item in entries:
                for placed in item.files:
                    extension = placed.name.rpartition(".")[2]
                    with entry(placed.name, extension) as out:
                        path = albums[item.item.id] if placed.album else placed.sources[0].path
                        with path.open("rb") as source_file:
                            shutil.copyfileobj(source_file, out, CHUNK)
                    files += 1

        report = report_data(
            source.rulebook, assessment, governing_body=source.governing_body, today=today
        )
        rows = plan.index_rows(entries)
        notes = [NOTE_NO_FILE] if any(r.file == plan.NO_FILE for r in rows) else []
        index = index_data(rows, unit_name=unit_name, tier=tier, year=year, notes=notes)
        letter = letter_data(
            unit_name=unit_name,
            unit_type=assessment.unit_type,
            tier=tier,
            province=assessment.province,
            year=year,
            level=source.level,
            office=source.office,
            report=report,
            attachments=[
                f"Báo cáo tự đánh giá “Đơn vị học tập” {TIER_NAMES[tier]} năm {year};",
                "Bản tổng hợp kết quả tự đánh giá các tiêu chí, chỉ tiêu;",
                f"Danh mục minh chứng và {files} tệp minh chứng kèm theo.",
            ],
            today=today,
            governing_body=source.governing_body,
        )
        put(f"{LETTER}.pdf", typst_pdf.render("to_trinh", letter), deflate=False)
        put(f"{LETTER}.docx", render_letter_docx(letter), deflate=False)
        put(f"{REPORT}.pdf", render_pdf(report), deflate=False)
        put(f"{REPORT}.docx", render_docx(report), deflate=False)
        put(f"{SUMMARY}.xlsx", render_xlsx(report), deflate=False)
        put(f"{INDEX}.pdf", typst_pdf.render("danh_muc", index), deflate=False)
        put(f"{INDEX}.xlsx", render_index_xlsx(index), deflate=False)
    return {
        "documents": tuple(documents),
        "evidence_files": files,
        "items_without_file": sum(1 for e in entries if not e.files),
        "level": source.level,
    }


def _albums(source: DossierSource, scratch: Path) -> tuple[dict[int, Path], frozenset[int]]:
    """Each album's PDF in `scratch` (written to disk, then copied into the ZIP like any
    file); the ids of the albums img2pdf refused, whose photos are kept as they are."""
    done: dict[int, Path] = {}
    refused: set[int] = set()
    for item in source.evidence:
        if not plan.is_album(item):
            continue
        path = scratch / f"album-{item.id}.pdf"
        try:
            with path.open("wb") as out:
                album.write_album([f.path for f in item.files], out)
        except album.AlbumRefused:
            refused.add(item.id)
            path.unlink(missing_ok=True)
            continue
        done[item.id] = path
    return done, frozenset(refused)
