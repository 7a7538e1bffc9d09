"""Report file names: the unit, the year and the day, ASCII, never overwriting one another."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.console import render
from conversations.messages import Attachment, Outbound
from dvht_core import vietnam_time
from reports.file_names import report_file_name, slug, unique_path

DAY = dt.date(2026, 12, 2)
DVHT = Path(sys.executable).parent / "dvht"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("UBND xã Hòa Bình", "ubnd-xa-hoa-binh"),
        ("Ủy ban nhân dân phường Đống Đa", "uy-ban-nhan-dan-phuong-dong-da"),
        ("ĐẠI HỌC ĐÀ NẴNG", "dai-hoc-da-nang"),
        ("Trường THCS số 2 / “Nguyễn Du”", "truong-thcs-so-2-nguyen-du"),
        ("../../etc/passwd", "etc-passwd"),
        ("😀 #$%", "don-vi"),
        ("", "don-vi"),
    ],
)
def test_the_slug_is_ascii_words(name: str, expected: str) -> None:
    assert slug(name) == expected
    assert slug(unicodedata.normalize("NFD", name)) == expected


@given(st.text(max_size=400))
def test_any_name_gives_a_short_safe_slug(name: str) -> None:
    result = slug(name)
    assert result
    assert len(result) <= 60
    assert set(result) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert not result.startswith("-")
    assert not result.endswith("-")


def test_the_name_carries_unit_year_and_day() -> None:
    assert (
        report_file_name("pdf", "UBND xã Hòa Bình", 2026, DAY)
        == "bao-cao-tu-danh-gia_ubnd-xa-hoa-binh_2026_2026-12-02.pdf"
    )
    assert (
        report_file_name("docx", "UBND xã Hòa Bình", 2026, DAY)
        == "bao-cao-tu-danh-gia_ubnd-xa-hoa-binh_2026_2026-12-02.docx"
    )
    assert (
        report_file_name("xlsx", "UBND xã Hòa Bình", 2025, DAY)
        == "bang-tong-hop_ubnd-xa-hoa-binh_2025_2026-12-02.xlsx"
    )
    assert report_file_name("pdf", None, 2026, DAY).startswith("bao-cao-tu-danh-gia_don-vi_")


def test_a_second_file_of_the_day_gets_a_number(tmp_path: Path) -> None:
    name = "bao-cao-tu-danh-gia_ubnd-xa-hoa-binh_2026_2026-12-02.pdf"
    first = unique_path(tmp_path, name)
    assert first == tmp_path / name
    first.write_bytes(b"1")
    second = unique_path(tmp_path, name)
    assert second.name == "bao-cao-tu-danh-gia_ubnd-xa-hoa-binh_2026_2026-12-02-2.pdf"
    second.write_bytes(b"2")
    assert unique_path(tmp_path, name).name.endswith("_2026-12-02-3.pdf")


def test_the_console_keeps_every_report_of_the_day(tmp_path: Path) -> None:
    """/baocao twice in the terminal: two PDFs in DVHT_DATA_DIR/reports, the first intact."""
    name = report_file_name("pdf", "UBND xã Hòa Bình", 2026, DAY)
    for content in (b"%PDF-first", b"%PDF-second"):
        message = Outbound("Báo cáo", kind="report", document=Attachment(name, "x", content))
        shown = render([message], tmp_path)
        assert "Đã lưu tệp:" in shown
    saved = {p.name for p in tmp_path.iterdir()}
    assert saved == {name, name.replace(".pdf", "-2.pdf")}
    assert (tmp_path / name).read_bytes() == b"%PDF-first"


def test_dvht_report_into_a_folder_names_the_files(tmp_path: Path) -> None:
    """`dvht report FILE --pdf FOLDER`: the unit, the year and Vietnam's day; a second report
    of the day beside the first, not over it."""
    example = Path(__file__).resolve().parents[2] / "examples" / "ubnd-xa-quang-phu.yaml"
    argv = [str(DVHT), "report", str(example), "--pdf", str(tmp_path), "--xlsx", str(tmp_path)]
    for _ in range(2):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    day = vietnam_time.today().isoformat()  # the same day unless the test straddles midnight
    assert {p.name for p in tmp_path.iterdir()} == {
        f"bao-cao-tu-danh-gia_ubnd-xa-quang-phu_2025_{day}.pdf",
        f"bao-cao-tu-danh-gia_ubnd-xa-quang-phu_2025_{day}-2.pdf",
        f"bang-tong-hop_ubnd-xa-quang-phu_2025_{day}.xlsx",
        f"bang-tong-hop_ubnd-xa-quang-phu_2025_{day}-2.xlsx",
    }
    assert f"Đã ghi báo cáo {tmp_path}/bao-cao-tu-danh-gia_" in done.stdout


def test_baocao_twice_in_the_terminal_keeps_both_reports(tmp_path: Path) -> None:
    """`dvht chat`: /baocao saves under DVHT_DATA_DIR/reports with the unit, year and day; the
    second of the day is saved beside the first."""
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    typed = "/start\n1\nUBND xã Hòa Bình\nTỉnh Phú Thọ\n1\n42\n/baocao\n/baocao\n"
    done = subprocess.run(
        [str(DVHT), "chat"],
        input=typed,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    day = vietnam_time.today()
    stem = f"ubnd-xa-hoa-binh_{vietnam_time.assessment_year(day)}_{day.isoformat()}"
    saved = {p.name for p in (tmp_path / "reports").iterdir()}
    assert saved == {
        f"bao-cao-tu-danh-gia_{stem}.pdf",
        f"bao-cao-tu-danh-gia_{stem}-2.pdf",
        f"bao-cao-tu-danh-gia_{stem}.docx",
        f"bao-cao-tu-danh-gia_{stem}-2.docx",
        f"bang-tong-hop_{stem}.xlsx",
        f"bang-tong-hop_{stem}-2.xlsx",
    }
    assert f"Đã lưu tệp: {tmp_path / 'reports' / f'bao-cao-tu-danh-gia_{stem}-2.pdf'}" in (
        done.stdout
    )
