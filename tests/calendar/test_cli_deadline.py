"""`dvht deadline list | add | remove | office` through the installed script, on SQLite and
PostgreSQL (issue 13): the coming dates with days left and sources, a unit's effective
deadline and office, and one Vietnamese line with exit status 2 for each bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from dvht_core import calendar, vietnam_time

DVHT = Path(sys.executable).parent / "dvht"
Run = Callable[..., subprocess.CompletedProcess[str]]
TODAY = vietnam_time.today()
YEAR = vietnam_time.assessment_year(TODAY)
NEXT = YEAR + 1
"""Dates for the next assessment year's dossier are in the future whatever day the suite runs."""
NEXT_LEGAL = calendar.dossier_deadline(NEXT)
EARLY = NEXT_LEGAL - dt.timedelta(days=10)


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


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


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def one_line_error(done: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.startswith("dvht: "), done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert fragment in done.stderr, done.stderr


def unit(dvht: Run, province: str = "ha noi", unit_type: str = "ubnd_xa") -> int:
    out = ok(
        dvht("unit", "create", "--name", "UBND xã Hòa Bình", "--type", unit_type,
             "--province", province)
    )  # fmt: skip
    return int(out.split("Mã đơn vị: ")[1].split()[0])


def test_add_list_remove_and_the_units_effective_deadline(dvht: Run) -> None:
    unit_id = unit(dvht)
    added = ok(
        dvht("deadline", "add", "--province", "Thành phố Hà Nội", "--date", d(EARLY),
             "--title", "Nộp hồ sơ về UBND xã")
    )  # fmt: skip
    deadline_id = int(added.split("Mã hạn: ")[1].split()[0])
    assert f"hồ sơ năm {NEXT}" in added
    assert "Hà Nội" in added
    listed = ok(dvht("deadline", "list", "--unit", str(unit_id), "--year", str(NEXT)))
    left = (EARLY - TODAY).days
    assert f"Hạn nộp hồ sơ của đơn vị: trước ngày {d(EARLY)} (còn {left} ngày)." in listed
    assert f"hạn theo Thông tư 24: trước ngày {d(NEXT_LEGAL)}" in listed
    assert f"trước {d(EARLY)}  còn {left} ngày  Nộp hồ sơ về UBND xã (mã {deadline_id}" in listed
    assert "do cơ quan của tỉnh Hà Nội đặt" in listed
    assert f"trước {d(NEXT_LEGAL)}" in listed
    assert "Căn cứ: Thông tư 24/2023/TT-BGDĐT, Điều 10 khoản 1 điểm c" in listed
    assert "Nơi nhận hồ sơ:" in listed
    # Another province sees the law's date only.
    other = ok(dvht("deadline", "list", "--province", "Hưng Yên", "--year", str(NEXT)))
    assert "Nộp hồ sơ về UBND xã" not in other
    assert "Hưng Yên" in other  # its plan's dates
    # Removed: gone from the list, kept in the table; a second removal is refused.
    assert f"Đã gỡ hạn mã {deadline_id}" in ok(dvht("deadline", "remove", str(deadline_id)))
    after = ok(dvht("deadline", "list", "--unit", str(unit_id), "--year", str(NEXT)))
    assert "Nộp hồ sơ về UBND xã" not in after
    assert f"Hạn nộp hồ sơ của đơn vị: trước ngày {d(NEXT_LEGAL)}" in after
    one_line_error(dvht("deadline", "remove", str(deadline_id)), "đã được gỡ lúc")
    one_line_error(dvht("deadline", "remove", "999"), "không có hạn mã 999.")


def test_the_coming_dates_by_default(dvht: Run) -> None:
    listed = ok(dvht("deadline", "list"))
    legal = calendar.dossier_deadline(YEAR)
    if legal > TODAY:
        assert f"trước {d(legal)}  còn {(legal - TODAY).days} ngày" in listed
    for line in listed.splitlines():
        assert "đã qua" not in line


def test_an_office_date_for_the_units_of_an_office(dvht: Run, database_url: str) -> None:
    office_id = _office(database_url, "UBND xã Văn Giang", "Hưng Yên")
    added = ok(
        dvht("deadline", "add", "--office", str(office_id), "--date", d(EARLY),
             "--title", "Hạn của xã")
    )  # fmt: skip
    assert f"cơ quan UBND xã Văn Giang (mã {office_id})" in added
    listed = ok(dvht("deadline", "list", "--province", "hung yen", "--year", str(NEXT)))
    assert "Hạn của xã" in listed
    assert "do UBND xã Văn Giang đặt" in listed


def test_the_receiving_office_for_a_province_and_for_one_unit(dvht: Run) -> None:
    unit_id = unit(dvht, province="tỉnh Hưng Yên")
    set_ = ok(
        dvht("deadline", "office", "--province", "Hưng Yên", "--tier", "huyen",
             "--office", "Phòng Văn hóa – Xã hội, UBND xã Văn Giang",
             "--authority", "Chủ tịch UBND xã Văn Giang", "--from", "01/07/2025")
    )  # fmt: skip
    assert "Mã thiết lập:" in set_
    listed = ok(dvht("deadline", "list", "--unit", str(unit_id)))
    assert "Nơi nhận hồ sơ: Phòng Văn hóa – Xã hội, UBND xã Văn Giang (theo thiết lập" in listed
    assert "Người công nhận: Chủ tịch UBND xã Văn Giang." in listed
    own = ok(
        dvht("deadline", "office", "--unit", str(unit_id), "--office", "Sở Giáo dục và Đào tạo")
    )
    assert f"đơn vị {unit_id}" in own
    listed = ok(dvht("deadline", "list", "--unit", str(unit_id)))
    assert "Nơi nhận hồ sơ: Sở Giáo dục và Đào tạo (đơn vị đã đặt)." in listed


def _office(database_url: str, name: str, province: str) -> int:
    from conversations.records import Actor
    from storage.db import Database
    from storage.schemas import NewOffice
    from storage.units import OfficeRepository
    from storage.uow import transaction

    async def create() -> int:
        database = Database(database_url)
        try:
            return await transaction(
                database,
                lambda s: OfficeRepository().create(
                    s, actor=Actor.operator(), data=NewOffice(name=name, province=province)
                ),
            )
        finally:
            await database.close()

    return asyncio.run(create())


BAD_ADDS = [
    (["--province", "Atlantis"], "không có tỉnh, thành phố “Atlantis”"),
    (["--province", "Thái Bình"], "đã hợp nhất vào “Hưng Yên”"),
    (["--province", "Hà Nội", "--office", "1"], "cần đúng một phạm vi"),
    (["--office", "42"], "không tìm thấy cơ quan tiếp nhận 42."),
    (["--office", "abc"], "mã cơ quan phải là số nguyên"),
]


@pytest.mark.parametrize(("scope", "fragment"), BAD_ADDS)
def test_a_bad_scope_is_one_line(dvht: Run, scope: list[str], fragment: str) -> None:
    one_line_error(dvht("deadline", "add", *scope, "--date", d(EARLY), "--title", "Hạn"), fragment)


def test_no_scope_is_one_line(dvht: Run) -> None:
    one_line_error(
        dvht("deadline", "add", "--date", d(EARLY), "--title", "Hạn"), "cần đúng một phạm vi"
    )


BAD_DATES = [
    (["--date", "31/02/2027"], "không có ngày này trên lịch"),
    (["--date", "2027-01-05"], "không phải ngày dạng dd/mm/yyyy"),
    (["--date", "ngày mai"], "không phải ngày dạng dd/mm/yyyy"),
    (["--date", "01/01/2020"], "đã qua"),
    (["--date", d(TODAY)], "là hôm nay"),
    (["--date", d(NEXT_LEGAL + dt.timedelta(days=400))], "quá xa"),
    (
        ["--date", d(NEXT_LEGAL - dt.timedelta(days=2)), "--year", str(YEAR)],
        f"sau hạn luật định của hồ sơ năm {YEAR}",
    ),
    (
        ["--date", d(EARLY), "--year", str(NEXT + 1)],
        f"thuộc hồ sơ năm {NEXT}",
    ),
]


@pytest.mark.parametrize(("date", "fragment"), BAD_DATES)
def test_a_bad_date_is_one_line(dvht: Run, date: list[str], fragment: str) -> None:
    one_line_error(
        dvht("deadline", "add", "--province", "Hà Nội", *date, "--title", "Hạn"), fragment
    )


@pytest.mark.parametrize(
    ("title", "fragment"),
    [
        ("", "không được để trống"),
        ("   \u200b ", "không được để trống"),
        ("x" * 5000, "dài 5.000 ký tự; tối đa 300 ký tự"),
        ("x" * 301, "dài 301 ký tự"),
    ],
)
def test_a_bad_title_is_one_line(dvht: Run, title: str, fragment: str) -> None:
    one_line_error(
        dvht("deadline", "add", "--province", "Hà Nội", "--date", d(EARLY), "--title", title),
        fragment,
    )


def test_nothing_is_written_by_a_refused_add(dvht: Run) -> None:
    dvht("deadline", "add", "--province", "Hà Nội", "--date", "31/02/2027", "--title", "x")
    dvht("deadline", "add", "--province", "Hà Nội", "--date", d(EARLY), "--title", "")
    listed = ok(dvht("deadline", "list", "--province", "Hà Nội", "--year", str(NEXT)))
    assert "do cơ quan" not in listed


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--province", "Hà Nội", "--tier", "huyen", "--office", "Phòng Giáo dục và Đào tạo"],
         "không còn Phòng Giáo dục và Đào tạo"),
        (["--province", "Hà Nội", "--tier", "huyen", "--office", "UBND xã",
          "--authority", "Chủ tịch UBND huyện Đông Anh"], "--authority"),
        (["--province", "Hà Nội", "--office", "UBND xã"], "cần --tier"),
        (["--tier", "huyen", "--office", "UBND xã"], "cần --province"),
        (["--province", "Hà Nội", "--tier", "huyen", "--office", " "], "không được để trống"),
        (["--province", "Hà Nội", "--tier", "huyen", "--office", "x" * 5000], "tối đa 300"),
        (["--province", "Hà Nội", "--tier", "huyen", "--office", "Sở", "--from", "31/02/2027"],
         "không có ngày này"),
        (["--unit", "77", "--office", "Sở Giáo dục và Đào tạo"], "không tìm thấy đơn vị 77."),
        (["--province", "Xứ Đoài", "--tier", "tinh", "--office", "Sở"], "không có tỉnh"),
    ],
)  # fmt: skip
def test_a_bad_office_setting_is_one_line(dvht: Run, argv: list[str], fragment: str) -> None:
    one_line_error(dvht("deadline", "office", *argv), fragment)


def test_before_the_reform_tt24s_own_office_may_be_recorded(dvht: Run) -> None:
    done = dvht(
        "deadline", "office", "--province", "Hà Nội", "--tier", "huyen",
        "--office", "Phòng Giáo dục và Đào tạo huyện Đông Anh", "--from", "01/01/2025",
    )  # fmt: skip
    assert "Mã thiết lập:" in ok(done)


def test_a_unit_of_another_province_is_refused(dvht: Run) -> None:
    unit_id = unit(dvht)
    one_line_error(
        dvht("deadline", "list", "--unit", str(unit_id), "--province", "Hưng Yên"),
        f"đơn vị {unit_id} thuộc “ha noi”",
    )
    one_line_error(dvht("deadline", "list", "--unit", "404"), "không tìm thấy đơn vị 404.")
    one_line_error(dvht("deadline", "remove", "0"), "mã hạn phải là số nguyên")
