"""“Tải hồ sơ (ZIP)” on the dashboard's unit page (SQLite, and PostgreSQL when configured):
the office's reviewer downloads the unit's whole dossier, at the level the unit submitted; a
reviewer of another office is refused (as on the unit page); a unit below level 1 has none."""

from __future__ import annotations

import io
import zipfile

import httpx

from storage.db import Database
from tests.api.conftest import Site, sign_in


async def test_the_reviewer_downloads_the_dossier(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.reviewer)
    page = await http.get(f"/donvi/{site.done}?year=2026")
    assert f'href="/donvi/{site.done}/hoso.zip?year=2026"' in page.text
    answer = await http.get(f"/donvi/{site.done}/hoso.zip?year=2026")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    names = [n.rpartition("/")[2] for n in archive.namelist()]
    assert "01-to-trinh.docx" in names
    letter = archive.read(next(n for n in archive.namelist() if n.endswith("01-to-trinh.pdf")))
    assert letter.startswith(b"%PDF")


async def test_others_and_units_below_level_one_get_no_dossier(
    http: httpx.AsyncClient, site: Site, database: Database
) -> None:
    await sign_in(http, database, site.outsider)
    refused = await http.get(f"/donvi/{site.done}/hoso.zip?year=2026")
    page = await http.get(f"/donvi/{site.done}?year=2026")
    assert refused.status_code == page.status_code == 404  # as the unit page: not even shown
    assert refused.headers["content-type"] != "application/zip"
    http.cookies.clear()
    await sign_in(http, database, site.reviewer)
    below = await http.get(f"/donvi/{site.partial}/hoso.zip?year=2026")
    assert below.status_code == 409
    assert "chưa đạt mức độ 1" in below.text
