"""/baocao: the PDF, DOCX and XLSX report from the dialogue, or the text summary where no
renderer is wired."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path

from pypdf import PdfReader

from conversations import catalogue as say
from reports.renderer import ReportFiles
from storage.db import Database
from tests.conversations.driver import (
    FIXED_NOW,
    BotClient,
    FakeFiles,
    answer,
    build_service,
    fixed_clock,
    onboard,
)


def _reporting_client(
    database: Database,
    fake_files: FakeFiles,
    evidence_root: Path,
    now: dt.datetime = FIXED_NOW,
) -> BotClient:
    """Lan, on a service wired with the real report renderer (PDF, DOCX, XLSX)."""
    service = build_service(
        database,
        files=fake_files,
        evidence_root=evidence_root,
        clock=fixed_clock(now),
        reports=ReportFiles(),
    )
    return BotClient(service, "lan", files=fake_files, display_name="Lan")


async def test_baocao_sends_the_pdf_report(
    database: Database, fake_files: FakeFiles, evidence_root: Path
) -> None:
    client = _reporting_client(database, fake_files, evidence_root)
    await onboard(client)
    await answer(client, "v:y")
    await client.send("/baocao")
    report, word, sheet = [r for r in client.last if r.document is not None]
    assert report.text == say.REPORT_CAPTION
    assert report.document is not None
    # The unit, the assessment year and the day: reports of other units, years or days never
    # share a name.
    assert report.document.file_name == "bao-cao-tu-danh-gia_ubnd-xa-quang-phu_2025_2025-11-20.pdf"
    assert word.text == say.REPORT_DOCX_CAPTION
    assert word.document is not None
    assert word.document.file_name == "bao-cao-tu-danh-gia_ubnd-xa-quang-phu_2025_2025-11-20.docx"
    assert word.document.data.startswith(b"PK")  # a zip: the Office Open XML container
    assert sheet.document is not None
    assert sheet.document.file_name == "bang-tong-hop_ubnd-xa-quang-phu_2025_2025-11-20.xlsx"
    pages = PdfReader(io.BytesIO(report.document.data)).pages
    text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in pages))
    assert "BẢN NHÁP" in text  # 12 of 13 indicators are still unanswered


async def test_the_report_is_dated_in_vietnam_not_on_the_servers_utc_day(
    database: Database, fake_files: FakeFiles, evidence_root: Path
) -> None:
    """18:30 UTC on 20/11 is 01:30 on 21/11 in Hà Nội: the name and the place line say 21."""
    client = _reporting_client(
        database, fake_files, evidence_root, dt.datetime(2025, 11, 20, 18, 30, tzinfo=dt.UTC)
    )
    await onboard(client, name="UBND xã Hòa Bình", members=42)
    await answer(client, "v:y")
    await client.send("/baocao")
    report = next(r.document for r in client.last if r.document is not None)
    assert report.file_name == "bao-cao-tu-danh-gia_ubnd-xa-hoa-binh_2025_2025-11-21.pdf"
    pages = PdfReader(io.BytesIO(report.data)).pages
    text = " ".join(unicodedata.normalize("NFC", pages[0].extract_text()).split())
    assert "Hòa Bình, ngày 21 tháng 11 năm 2025" in text


async def test_without_a_renderer_the_summary_is_sent(client: BotClient) -> None:
    await onboard(client)
    await answer(client, "v:y")
    await client.send("/baocao")
    assert client.last[0].text == say.REPORT_TEXT_ONLY
    assert "KẾT QUẢ" in client.text
    assert all(r.document is None for r in client.last)
