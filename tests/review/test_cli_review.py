"""`dvht office add`, `dvht reviewer add`, `dvht login-link` and `dvht review list | return |
recognise` through the installed script, on SQLite and PostgreSQL: what each prints, what it
stores, and every refusal as one Vietnamese line with status 2, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from storage import login_links
from storage.db import Database
from storage.uow import transaction
from tests.reminders.world import World
from tests.review.helpers import assessment, notices, rows, status_audit

DVHT = Path(sys.executable).parent / "dvht"
Run = Callable[..., subprocess.CompletedProcess[str]]
URL = "https://dvht.example.vn"


@pytest.fixture
def dvht(database_url: str, database: Database, tmp_path: Path) -> Run:
    """The installed `dvht` on the test database (wiped by the `database` fixture)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DVHT_", "TELEGRAM_")) and key != "DATABASE_URL"
    }
    env.update(DVHT_DATA_DIR=str(tmp_path / "var"), DATABASE_URL=database_url)

    def run(*argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(DVHT), *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env={**env, **extra},
        )

    return run


def refused(done: subprocess.CompletedProcess[str]) -> str:
    """The one line of a refusal (status 2, nothing on stdout, no traceback)."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dvht: ")
    return lines[0]


async def test_office_add_takes_the_provinces_units_without_an_office(
    dvht: Run, database: Database
) -> None:
    world = World(database)
    existing = await world.office("Phòng cũ", province="Hưng Yên")
    free = await world.unit("a", province="Hưng Yên")
    typed = await world.unit("b", province="tinh hung yen")  # typed loosely by a person
    kept = await world.unit("c", province="Hưng Yên", office_id=existing)
    other = await world.unit("d", province="Hà Nội")

    done = dvht(
        "office",
        "add",
        "--name",
        "Sở GD&ĐT Hưng Yên",
        "--province",
        "hung yen",
        "--kind",
        "so_gddt",
    )

    assert done.returncode == 0, done.stderr
    office_id = int(re.search(r"Mã cơ quan: (\d+)", done.stdout).group(1))  # type: ignore[union-attr]
    assert "Đã giao 2 đơn vị" in done.stdout
    found = {
        r["id"]: r["office_id"] for r in await rows(database, "SELECT id, office_id FROM units")
    }
    assert found == {free: office_id, typed: office_id, kept: existing, other: None}
    [office] = await rows(database, "SELECT * FROM offices WHERE id = :i", i=office_id)
    assert (office["province"], office["kind"]) == ("Hưng Yên", "so_gddt")


def test_office_add_refuses_an_unknown_province(dvht: Run) -> None:
    line = refused(dvht("office", "add", "--name", "Sở X", "--province", "Atlantis"))
    assert "không có tỉnh, thành phố “Atlantis”" in line


async def test_reviewer_add_prints_a_working_first_login_link(
    dvht: Run, database: Database
) -> None:
    office = await World(database).office()

    done = dvht(
        "reviewer", "add", "--name", "Nguyễn Thị Hà", "--office", str(office), DVHT_PUBLIC_URL=URL
    )

    assert done.returncode == 0, done.stderr
    person = int(re.search(r"mã người dùng (\d+)", done.stdout).group(1))  # type: ignore[union-attr]
    token = re.search(rf"{URL}/dangnhap/(\S+)", done.stdout).group(1)  # type: ignore[union-attr]
    [scope] = await rows(database, "SELECT * FROM reviewer_scopes")
    assert (scope["person_id"], scope["office_id"]) == (person, office)

    def use(session: Session) -> tuple[str, int | None]:
        return login_links.consume(session, token)

    assert await transaction(database, use) == ("ok", person)


async def test_login_links_need_an_address_and_a_dashboard_user(
    dvht: Run, database: Database
) -> None:
    world = World(database)
    office = await world.office()
    await world.unit("a", office_id=office)
    admin = await world.person("admin", "a", role="unit_admin")
    member = await world.person("member", "a")

    assert "DVHT_PUBLIC_URL" in refused(
        dvht("reviewer", "add", "--name", "Hà", "--office", str(office))
    )
    assert "không tìm thấy cơ quan tiếp nhận 999" in refused(
        dvht("reviewer", "add", "--name", "Hà", "--office", "999", "--base-url", URL)
    )
    done = dvht("login-link", "--person", str(admin.person_id), "--base-url", URL + "/")
    assert done.returncode == 0, done.stderr
    assert f"{URL}/dangnhap/" in done.stdout
    assert "không phải người thẩm định" in refused(
        dvht("login-link", "--person", str(member.person_id), DVHT_PUBLIC_URL=URL)
    )
    assert "không tìm thấy người dùng 424242" in refused(
        dvht("login-link", "--person", "424242", DVHT_PUBLIC_URL=URL)
    )
    assert "http" in refused(dvht("login-link", "--person", "1", "--base-url", "ftp://x"))


async def _submitted(world: World, **extra: Any) -> tuple[int, int, int]:
    office = await world.office()
    unit = await world.unit("a", office_id=office, status="submitted", submitted_level=2, **extra)
    reviewer = await world.person("rev", reviewer_of=(office,))
    await world.person("lan", "a")
    return office, unit, reviewer.person_id


async def test_review_list_return_and_recognise(dvht: Run, database: Database) -> None:
    world = World(database)
    office, unit, reviewer = await _submitted(world)
    await world.unit("b", office_id=office, status="draft")

    listed = dvht("review", "list", "--office", str(office))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("\n") == 1
    assert "UBND xã a\t2026\tđã nộp\tđề nghị mức 2" in listed.stdout
    everything = dvht("review", "list", "--status", "all")
    assert everything.stdout.count("\n") == 2

    back = dvht(
        "review",
        "return",
        "--unit",
        str(unit),
        "--reason",
        "Thiếu minh chứng 2.3",
        "--as",
        str(reviewer),
    )
    assert back.returncode == 0, back.stderr
    assert "Đã trả lại hồ sơ năm 2026 của UBND xã a; đã báo cho 1 người." in back.stdout
    assert (await assessment(database, unit))["return_reason"] == "Thiếu minh chứng 2.3"
    [audit] = await status_audit(database, unit)
    assert audit["actor_person_id"] == reviewer
    assert len(await notices(database)) == 1

    again = refused(dvht("review", "return", "--unit", str(unit), "--reason", "Thiếu"))
    assert "đã bị trả lại" in again
    assert "Không có hồ sơ nào" in dvht("review", "list").stdout


async def test_recognise_by_the_operator_and_its_refusals(dvht: Run, database: Database) -> None:
    world = World(database)
    _, unit, _ = await _submitted(world)
    elsewhere = await world.office("Sở khác")
    stranger = await world.person("other", reviewer_of=(elsewhere,))

    assert "không có quyền" in refused(
        dvht(
            "review",
            "recognise",
            "--unit",
            str(unit),
            "--decision",
            "1/QĐ",
            "--date",
            "01/12/2026",
            "--level",
            "1",
            "--as",
            str(stranger.person_id),
        )
    )
    assert "31/02/2027" in refused(
        dvht(
            "review",
            "recognise",
            "--unit",
            str(unit),
            "--decision",
            "1/QĐ",
            "--date",
            "31/02/2027",
            "--level",
            "1",
        )
    )
    assert "mức công nhận" in refused(
        dvht(
            "review",
            "recognise",
            "--unit",
            str(unit),
            "--decision",
            "1/QĐ",
            "--date",
            "01/12/2026",
            "--level",
            "3",
        )
    )
    assert "không được trước năm của hồ sơ (2026)" in refused(
        dvht(
            "review",
            "recognise",
            "--unit",
            str(unit),
            "--decision",
            "1/QĐ",
            "--date",
            "05/01/2025",
            "--level",
            "1",
        )
    )
    assert "không được sau hôm nay" in refused(
        dvht(
            "review",
            "recognise",
            "--unit",
            str(unit),
            "--decision",
            "1/QĐ",
            "--date",
            "01/01/2099",
            "--level",
            "1",
        )
    )
    assert "không tìm thấy đơn vị 999" in refused(
        dvht("review", "return", "--unit", "999", "--reason", "abc")
    )

    done = dvht(
        "review",
        "recognise",
        "--unit",
        str(unit),
        "--decision",
        "125/QĐ-UBND",
        "--date",
        "01/12/2026",
        "--level",
        "1",
    )

    assert done.returncode == 0, done.stderr
    assert "Đã công nhận mức 1 hồ sơ năm 2026 của UBND xã a" in done.stdout
    row = await assessment(database, unit)
    assert (row["status"], row["recognised_level"]) == ("recognised", 1)
    assert str(row["level1_decision_date"]) == "2026-12-01"
    assert "đã được công nhận" in refused(
        dvht("review", "return", "--unit", str(unit), "--reason", "Thiếu")
    )


async def test_importing_into_a_submitted_dossier_says_when_and_by_whom(
    dvht: Run, database: Database
) -> None:
    world = World(database)
    lan = await world.person("Lan")
    unit = await world.unit(
        "a",
        status="submitted",
        year=2025,
        submitted_level=1,
        submitted_by=lan.person_id,
        submitted_at=dt.datetime(2026, 1, 10, 2, 0, tzinfo=dt.UTC),
    )
    example = Path(__file__).resolve().parents[2] / "examples" / "ubnd-xa-quang-phu.yaml"

    line = refused(dvht("import", str(example), "--unit", str(unit)))

    assert "Hồ sơ đã nộp ngày 10/01/2026 bởi Lan; không sửa được nữa." in line
    assert await rows(database, "SELECT id FROM answer_revisions") == []
