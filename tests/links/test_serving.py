"""A report link end to end over real HTTP: linked, downloaded from uvicorn, read back."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import email.utils
import io
import logging
import re
import socket
import unicodedata
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader

from conversations import catalogue as say
from conversations.messages import Attachment
from reports.preview import first_page_png
from tests.links.conftest import TTL, UNIT_NAME, FakeClock, Served, asgi_client, make_links
from web.links import DOCX, PDF, PNG, XLSX, SignedLinks
from web.report_routes import ascii_fallback, content_disposition, report_routes

PDF_NAME = "Báo cáo tự đánh giá – UBND xã Quảng Phú 2025.pdf"


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _filename(disposition: str) -> str | None:
    """The name a browser takes from a Content-Disposition: `filename*` (RFC 5987, decoded by
    the standard library's RFC 2231 code) when there is one, as RFC 6266 §4.3 says, else the
    quoted `filename`."""
    message = EmailMessage(policy=email.policy.HTTP)
    message["Content-Disposition"] = disposition
    params = dict(message.get_params(header="content-disposition", unquote=False) or [])
    star = re.search(r"filename\*=([^;\s]+)", disposition)
    if star is not None:
        charset, _language, encoded = email.utils.decode_rfc2231(star.group(1))
        return unquote(encoded, encoding=charset or "ascii", errors="strict")
    return email.utils.unquote(params["filename"]) if "filename" in params else None


async def test_a_linked_report_downloads_over_http_with_its_vietnamese_name(
    served: Served, report_files: dict[str, bytes], clock: FakeClock
) -> None:
    link = await served.links.link(Attachment(PDF_NAME, PDF, report_files["pdf"]))
    assert link.url.startswith(f"{served.base_url}/r/")
    assert link.expires_at == clock.now + TTL

    response = await served.client.get(link.url)

    assert response.status_code == 200
    assert response.content == report_files["pdf"]
    assert UNIT_NAME in _pdf_text(response.content)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(len(report_files["pdf"]))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == f"private, max-age={int(TTL.total_seconds())}"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert _filename(disposition) == PDF_NAME
    star = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    assert star is not None
    assert unquote(star.group(1), encoding="utf-8") == PDF_NAME
    plain = re.search(r'filename="([^"]*)"', disposition)
    assert plain is not None
    assert plain.group(1) == "Bao cao tu danh gia - UBND xa Quang Phu 2025.pdf"


async def test_every_format_is_served_with_its_type_and_the_preview_inline(
    served: Served, report_files: dict[str, bytes]
) -> None:
    png = first_page_png(report_files["pdf"])
    files = {
        DOCX: ("Báo cáo – Quảng Phú.docx", report_files["docx"]),
        XLSX: ("Bảng tổng hợp – Quảng Phú.xlsx", report_files["xlsx"]),
        PNG: ("Trang 1 – Quảng Phú.png", png),
    }
    for mime, (name, data) in files.items():
        link = await served.links.link(Attachment(name, mime, data))
        response = await served.client.get(link.url)
        assert response.status_code == 200, mime
        assert response.headers["content-type"] == mime
        assert response.content == data
        disposition = response.headers["content-disposition"]
        assert disposition.split(";")[0] == ("inline" if mime == PNG else "attachment")
        assert _filename(disposition) == name
    sheet = load_workbook(io.BytesIO(report_files["xlsx"])).active
    assert any(UNIT_NAME in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


async def test_head_answers_the_headers_without_the_body(
    served: Served, report_files: dict[str, bytes]
) -> None:
    link = await served.links.link(Attachment("a.pdf", PDF, report_files["pdf"]))
    response = await served.client.head(link.url)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(report_files["pdf"]))
    assert response.headers["content-type"] == "application/pdf"


async def test_cache_lifetime_shrinks_to_the_expiry(
    served: Served, report_files: dict[str, bytes], clock: FakeClock
) -> None:
    link = await served.links.link(Attachment("a.pdf", PDF, report_files["pdf"]))
    clock.advance(TTL - dt.timedelta(minutes=5))
    response = await served.client.get(link.url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, max-age=300"


async def test_bad_tokens_over_real_http_get_the_same_403(
    served: Served, report_files: dict[str, bytes], clock: FakeClock
) -> None:
    good = await served.links.link(Attachment("a.pdf", PDF, report_files["pdf"]))
    token = good.url.rsplit("/", 1)[1]
    bad = [
        token[:-1],
        token[:20],
        "",
        "a/b/c",
        "garbage!*",
        "%00%ff",
        "A" * 5_000,  # longer than any token: refused before decoding
        token + "A" * 40_000,
    ]
    bodies = set()
    for candidate in bad:
        response = await served.client.get(f"{served.base_url}/r/{candidate}")
        assert response.status_code == 403, candidate[:40]
        assert response.headers["cache-control"] == "no-store"
        assert "content-disposition" not in response.headers
        bodies.add(response.content)
    clock.advance(TTL)
    expired = await served.client.get(good.url)
    assert expired.status_code == 403
    bodies.add(expired.content)
    assert len(bodies) == 1
    assert say.REPORT_LINK_REFUSED in bodies.pop().decode("utf-8")


def test_the_ascii_fallback_keeps_a_readable_name_and_nothing_that_breaks_the_header() -> None:
    assert ascii_fallback("Báo cáo Đơn vị học tập.pdf") == "Bao cao Don vi hoc tap.pdf"
    assert ascii_fallback('x"\r\nContent-Type: text/html;.pdf') == "x_Content-Type_ text_html_.pdf"
    assert ascii_fallback("Đ.pdf") == "D.pdf"
    assert ascii_fallback("人人.pdf") == "bao-cao.pdf"
    value = content_disposition('a"; filename=evil.html\r\n.pdf')
    assert "\r" not in value
    assert "\n" not in value
    assert value.count('"') == 2
    assert _filename(value) == 'a"; filename=evil.html\r\n.pdf'


async def test_the_in_process_transport_agrees(
    links: SignedLinks, report_files: dict[str, bytes]
) -> None:
    """The same routes through httpx's ASGI transport (what the faster tests below use)."""
    link = await links.link(Attachment(PDF_NAME, PDF, report_files["pdf"]))
    async with asgi_client(links) as client:
        response = await client.get(httpx.URL(link.url).path)
    assert response.status_code == 200
    assert response.content == report_files["pdf"]


async def test_the_access_log_does_not_show_link_tokens(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """uvicorn's access log, as configured by default (its own handler), and httpx's request
    log both write the path; neither may carry the token, a key to the report."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    links = make_links(tmp_path / "links", clock, base_url=base_url)
    app = FastAPI()
    app.include_router(report_routes(links))
    # Another test's uvicorn may have configured its loggers (its own handler, no
    # propagation): the capture listens on the access logger itself, below its filters.
    access_logger = logging.getLogger("uvicorn.access")
    level = access_logger.level
    access_logger.addHandler(caplog.handler)
    config = uvicorn.Config(app, lifespan="off", log_config=None, log_level="info")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    caplog.set_level(logging.INFO)
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        link = await links.link(Attachment(PDF_NAME, PDF, b"%PDF-1.7 logged"))
        token = link.url.rsplit("/", 1)[1]
        async with httpx.AsyncClient(timeout=30) as client:
            assert (await client.get(link.url)).status_code == 200
            assert (await client.get(link.url + "x")).status_code == 403
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)
        sock.close()
        access_logger.removeHandler(caplog.handler)
        access_logger.setLevel(level)
    access = [r.getMessage() for r in caplog.records if r.name in ("uvicorn.access", "httpx")]
    assert any('"GET /r/<link> HTTP/1.1" 200' in line for line in access), access
    assert any('"GET /r/<link> HTTP/1.1" 403' in line for line in access), access
    assert any(f"GET {base_url}/r/<link> " in line for line in access), access  # httpx
    assert token[:40] not in caplog.text
