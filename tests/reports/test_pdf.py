"""The PDF report: its text read back with pypdf, hostile content, and a page that is not blank."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from cli.main import main
from dvht_core.assessment import Assessment, parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from reports.data import report_data
from reports.pdf import render_pdf
from tests.system_tools import require

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
RULEBOOKS = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
DVHT = Path(sys.executable).parent / "dvht"


def _assessment(**changes: Any) -> Assessment:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    answers = changes.pop("answers", None)
    data.update(changes)
    if answers is not None:
        data["answers"].update(answers)
    for indicator_id in changes.pop("drop", ()):
        data["answers"].pop(indicator_id)
    return parse_assessment(data, RULEBOOKS, load_unit_types())


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())  # extraction wraps lines


def _render(assessment: Assessment) -> bytes:
    return render_pdf(report_data(RULEBOOKS["huyen"], assessment, governing_body="UBND huyện X"))


def test_report_carries_the_unit_the_level_and_every_indicator() -> None:
    pdf = _render(_assessment())
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "ỦY BAN NHÂN DÂN XÃ QUẢNG PHÚ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BÁO CÁO Tự đánh giá “Đơn vị học tập” cấp huyện năm 2025" in text
    assert "Đơn vị tự đánh giá đạt “Đơn vị học tập” cấp huyện mức độ 1 năm 2025." in text
    for indicator_id in ("1.1", "1.5", "2.4", "3.3"):
        assert indicator_id in text
    assert "[H1-1.1-01] Kế hoạch số 12/KH-UBND ngày 10/01/2025" in text
    assert "28/30 thành viên (93,3%)" in text
    assert "Để đạt mức độ 2" in text
    assert "cần thêm 5 thành viên" in text
    assert "TỔ TRƯỞNG TỔ ĐÁNH GIÁ" in text
    assert "BẢN NHÁP" not in text


def test_an_incomplete_assessment_is_marked_as_a_draft() -> None:
    text = _text(_render(_assessment(drop=("3.2",), answers={"1.3": {"met": True}})))
    assert "BẢN NHÁP" in text
    assert "còn 1 chỉ tiêu chưa trả lời" in text
    assert "Minh chứng còn thiếu" in text
    assert "Chỉ tiêu 1.3: ví dụ Dự toán" in text
    assert "chưa đạt “Đơn vị học tập”" in text


def test_hostile_content_renders_literally() -> None:
    name = "UBND xã #1 *đậm* $x$ [a] @nhãn <b> 😀 " + "Quảng Phú " * 26
    hostile = _assessment(
        unit_name=unicodedata.normalize("NFD", name)[:300],
        answers={
            "1.1": {
                "met": True,
                "evidence": ["#let x = 1 [QĐ] $5$"],
                "description": "Mô tả " * 330,
            }
        },
    )
    text = _text(_render(hostile))
    assert "#1 *ĐẬM* $X$ [A] @NHÃN <B>" in text
    assert "#let x = 1 [QĐ] $5$" in text
    assert text.count("Mô tả") >= 300


def _page_is_not_blank(pdf: bytes, tmp_path: Path) -> bool:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    image = next(tmp_path.glob("page*.pgm")).read_bytes()
    header_end = 0
    for _ in range(3):  # "P5\nW H\n255\n"
        header_end = image.index(b"\n", header_end) + 1
    pixels = image[header_end:]
    dark = sum(1 for value in pixels if value < 128)
    return dark > len(pixels) // 100


def test_first_page_is_not_blank(tmp_path: Path) -> None:
    require("pdftoppm", "poppler-utils")  # skipped outside CI when missing, failed in CI
    assert _page_is_not_blank(_render(_assessment()), tmp_path)


def test_cli_writes_the_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bao-cao.pdf"
    assert main(["report", str(EXAMPLE), "--pdf", str(target)]) == 0
    assert "Đã ghi báo cáo" in capsys.readouterr().out
    assert "ỦY BAN NHÂN DÂN XÃ QUẢNG PHÚ" in _text(target.read_bytes())
    assert main(["report", "--pdf", str(target)]) == 2
    assert "cần đúng một nguồn" in capsys.readouterr().err


def test_cli_report_from_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert (
        main(
            [
                "unit",
                "create",
                "--name",
                "UBND xã Quảng Phú",
                "--tier",
                "huyen",
                "--type",
                "ubnd_xa",
                "--province",
                "Thành phố Huế",
            ]
        )
        == 0
    )
    assert main(["import", str(EXAMPLE), "--unit", "1"]) == 0
    target = tmp_path / "tu-csdl.pdf"
    assert main(["report", "--unit", "1", "--year", "2025", "--pdf", str(target)]) == 0
    assert "mức độ 1 năm 2025" in _text(target.read_bytes())
    capsys.readouterr()
    assert main(["report", "--unit", "1", "--year", "2030", "--pdf", str(target)]) == 2
    assert "chưa có hồ sơ" in capsys.readouterr().err


def test_an_unknown_governing_body_is_left_out() -> None:
    """Nghị định 30/2020 prints the superior body only “nếu có”: no placeholder instead."""
    data = report_data(RULEBOOKS["huyen"], _assessment())
    assert data["unit"]["governing"] is None
    text = _text(render_pdf(data))
    assert text.startswith("ỦY BAN NHÂN DÂN XÃ QUẢNG PHÚ")
    assert "CHỦ QUẢN" not in text.upper()
    assert _text(_render(_assessment())).startswith(
        "ỦY BAN NHÂN DÂN HUYỆN X ỦY BAN NHÂN DÂN XÃ QUẢNG PHÚ"
    )


def test_strengths_and_weaknesses_stored_reach_the_report(tmp_path: Path) -> None:
    """An answer's strengths and weaknesses, once stored, are printed from the database
    (Mẫu 1, items 2 and 3); an answer without them has neither line."""
    source = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    source["answers"]["1.1"] |= {
        "strengths": "Kế hoạch được toàn cơ quan thảo luận.",
        "weaknesses": "Chưa có kinh phí riêng.",
    }
    document = tmp_path / "hoso.yaml"
    document.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    target = tmp_path / "bc.pdf"
    for argv in (
        [
            *("unit", "create", "--name", "UBND xã Quảng Phú", "--tier", "huyen", "--type"),
            *("ubnd_xa", "--province", "Thành phố Huế"),
        ],
        ["import", str(document), "--unit", "1"],
        ["report", "--unit", "1", "--year", "2025", "--pdf", str(target)],
    ):
        done = subprocess.run(
            [str(DVHT), *argv], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
    text = _text(target.read_bytes())
    assert (
        "2. Điểm mạnh: Kế hoạch được toàn cơ quan thảo luận. "
        "3. Tồn tại: Chưa có kinh phí riêng. 4. Tự đánh giá: Đạt mức độ 2"
    ) in text
    assert text.count("Điểm mạnh") == 1
