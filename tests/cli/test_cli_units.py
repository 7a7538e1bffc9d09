"""`dvht unit create --members`, `dvht unit update` and `dvht unit show` through the installed
script, on SQLite and PostgreSQL (issue 12, items 3 and 7)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from dvht_core import vietnam_time

ROOT = Path(__file__).resolve().parents[2]
DVHT = Path(sys.executable).parent / "dvht"
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
YEAR_NOW = vietnam_time.assessment_year(vietnam_time.today())
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def dvht(database_url: str, tmp_path: Path) -> Run:
    """The installed `dvht` on the test database (PostgreSQL wiped first: it is shared)."""
    if make_url(database_url).get_backend_name() != "sqlite":
        from storage.db import Database
        from tests.db_fixtures import wipe_sql

        async def wipe() -> None:
            database = Database(database_url)
            await database.run_connection(lambda connection: connection.execute(sql(wipe_sql())))
            await database.close()

        asyncio.run(wipe())
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": database_url}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(DVHT), *argv], capture_output=True, text=True, check=False, timeout=120, env=env
        )

    return run


def _create(dvht: Run, *options: str, name: str = "UBND xã Hòa Bình") -> int:
    done = dvht(
        "unit", "create", "--name", name, "--type", "ubnd_xa", "--province", "Hà Nội", *options
    )
    return _created_id(done)


def _created_id(done: subprocess.CompletedProcess[str]) -> int:
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split("Mã đơn vị: ")[1].split()[0])


def _one_line_error(done: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("dvht: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert fragment in done.stderr, done.stderr


def test_create_with_members_infers_the_tier_and_stores_the_total(dvht: Run) -> None:
    done = dvht(
        "unit", "create", "--name", "UBND xã Hòa Bình", "--type", "ubnd_xa",
        "--province", "Hà Nội", "--members", "42",
    )  # fmt: skip
    unit_id = _created_id(done)
    assert f"Hồ sơ năm {YEAR_NOW}: 42 thành viên." in done.stdout
    assert done.stderr == ""
    shown = dvht("unit", "show", "--unit", str(unit_id))
    assert shown.returncode == 0, shown.stderr
    assert "Loại đơn vị: UBND xã/phường (ubnd_xa)" in shown.stdout
    assert "Cấp đánh giá: cấp huyện" in shown.stdout
    assert f"Tổng số thành viên (năm {YEAR_NOW}): 42" in shown.stdout


def test_an_unusual_total_is_kept_with_a_warning(dvht: Run) -> None:
    done = dvht(
        "unit", "create", "--name", "Trường THCS Hòa Bình", "--type", "pho_thong",
        "--tier", "huyen", "--province", "Hà Nội", "--members", "2500",
    )  # fmt: skip
    unit_id = _created_id(done)
    assert "2.500 thành viên" in done.stdout
    assert done.stderr == (
        "dvht: cảnh báo: 2.500 thành viên là con số lớn bất thường; nếu gõ nhầm, sửa bằng "
        f"“dvht unit update --unit {unit_id} --members SỐ”.\n"
    )


def test_update_changes_the_details_and_show_lists_the_history(dvht: Run) -> None:
    unit_id = _create(dvht, "--members", "30")
    done = dvht(
        "unit", "update", "--unit", str(unit_id), "--name", "UBND xã Hòa Bình mới",
        "--province", "Hà Nội", "--members", "42",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"Đã sửa đơn vị #{unit_id}:\n"
        "  Tên đơn vị: “UBND xã Hòa Bình” → “UBND xã Hòa Bình mới”\n"
        f"  Tổng số thành viên (năm {YEAR_NOW}): 30 → 42\n"
    )
    again = dvht("unit", "update", "--unit", str(unit_id), "--members", "42")
    assert again.stdout == f"Đơn vị #{unit_id}: không có gì thay đổi (các giá trị đã như vậy).\n"
    shown = dvht("unit", "show", "--unit", str(unit_id)).stdout
    assert "Tên đơn vị: UBND xã Hòa Bình mới" in shown
    history = shown.split("Lịch sử thay đổi:\n")[1].splitlines()
    assert len(history) == 3  # the total at creation, then the name and the total
    assert history[1].endswith(
        "· dòng lệnh (dvht) · Tên đơn vị: “UBND xã Hòa Bình” → “UBND xã Hòa Bình mới”"
    )
    assert history[2].endswith(f"Tổng số thành viên (năm {YEAR_NOW}): 30 → 42")


def test_a_new_total_re_evaluates_every_ratio(dvht: Run, tmp_path: Path) -> None:
    unit_id = _create(dvht, name="UBND xã Quảng Phú")
    assert dvht("import", str(EXAMPLE), "--unit", str(unit_id)).returncode == 0

    def levels() -> dict[str, int]:
        exported = tmp_path / "hoso.yaml"
        done = dvht("export", "--unit", str(unit_id), "--year", "2025", "-o", str(exported))
        assert done.returncode == 0, done.stderr
        result = json.loads(dvht("evaluate", str(exported), "--json").stdout)
        return {i: result["indicators"][i]["level"] for i in ("2.1", "2.2", "2.3")}

    assert levels() == {"2.1": 2, "2.2": 1, "2.3": 2}  # 29, 28, 30 of 30
    done = dvht("unit", "update", "--unit", str(unit_id), "--year", "2025", "--members", "42")
    assert done.returncode == 0, done.stderr
    assert levels() == {"2.1": 0, "2.2": 0, "2.3": 0}  # 29, 28, 30 of 42: below every bar

    refused = dvht("unit", "update", "--unit", str(unit_id), "--year", "2025", "--members", "20")
    _one_line_error(
        refused, "chỉ tiêu 2.1 đã trả lời số người (29) lớn hơn tổng số thành viên (20)"
    )
    assert levels() == {"2.1": 0, "2.2": 0, "2.3": 0}  # nothing changed


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--unit", "99", "--members", "3"], "không tìm thấy đơn vị 99."),
        (["--unit", "1"], "chưa có gì để sửa; thêm ít nhất một trong: --name"),
        (["--unit", "1", "--name", "\u200b"], "--name: không được để trống"),
        (["--unit", "1", "--type", "dai_hoc", "--tier", "huyen"], "không được đánh giá ở"),
        (["--unit", "1", "--type", "truong_hoc"], "không có loại đơn vị “truong_hoc”"),
        (["--unit", "1", "--learners", "-5"], "số người phải là số nguyên từ 1"),
        (["--unit", "1", "--name", "12345"], "--name “12345” không có chữ nào"),
        (["--unit", "1", "--province", "42"], "--province “42” không có chữ nào"),
    ],
)
def test_update_refusals_are_one_vietnamese_line(
    dvht: Run, argv: list[str], fragment: str
) -> None:
    _create(dvht)
    done = dvht("unit", "update", *argv)
    _one_line_error(done, fragment)
    assert "Value" not in done.stderr
    assert "unit 99" not in done.stderr


@pytest.mark.parametrize(
    ("name", "province", "fragment"),
    [("12345", "Hà Nội", "--name “12345”"), ("UBND xã Hòa Bình", "42", "--province “42”")],
)
def test_create_refuses_a_name_or_province_without_letters(
    dvht: Run, name: str, province: str, fragment: str
) -> None:
    """A total typed in the wrong option would head the signed report; nothing is created."""
    done = dvht("unit", "create", "--name", name, "--type", "ubnd_xa", "--province", province)
    _one_line_error(done, f"{fragment} không có chữ nào")
    assert dvht("unit", "list").stdout == ""


def test_show_of_an_unknown_unit(dvht: Run) -> None:
    _one_line_error(dvht("unit", "show", "--unit", "99"), "không tìm thấy đơn vị 99.")
