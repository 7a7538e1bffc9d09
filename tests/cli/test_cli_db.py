"""`dvht db/unit/export/import` on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from cli.main import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
Run = Callable[..., tuple[int, str, str]]
CASES = sorted((ROOT / "tests" / "core" / "cases").glob("*.yaml"))


@pytest.fixture
def dvht(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """Run `dvht …` in-process against the test database; returns (status, out, err)."""
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    if make_url(database_url).get_backend_name() != "sqlite":
        main(["db", "upgrade"])
        _wipe(database_url)
        capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run


def _wipe(database_url: str) -> None:
    """PostgreSQL is shared by the run: start each CLI test from empty tables."""
    import asyncio

    from sqlalchemy import text

    from storage.db import Database
    from tests.db_fixtures import wipe_sql

    async def wipe() -> None:
        database = Database(database_url)
        await database.run_connection(lambda connection: connection.execute(text(wipe_sql())))
        await database.close()

    asyncio.run(wipe())


def _create(dvht: Run, tier: str = "huyen", unit_type: str = "ubnd_xa") -> int:
    status, out, err = dvht(
        "unit",
        "create",
        "--name",
        "UBND xã Quảng Phú",
        "--tier",
        tier,
        "--type",
        unit_type,
        "--province",
        "Thành phố Huế",
    )
    assert status == 0, err
    return int(out.split("Mã đơn vị: ")[1].split()[0])


def test_unit_create_prints_id_and_invite_codes(dvht: Run) -> None:
    status, out, _ = dvht(
        "unit",
        "create",
        "--name",
        "Trường THCS Quảng Phú",
        "--tier",
        "huyen",
        "--type",
        "pho_thong",
        "--province",
        "Huế",
    )
    assert status == 0
    assert "Mã đơn vị: 1" in out
    assert "Mã mời quản trị đơn vị (dùng một lần): " in out
    assert "Mã mời thành viên: " in out


def test_unit_list_prints_one_unit_per_line_starting_with_its_id(dvht: Run) -> None:
    first, second = _create(dvht), _create(dvht, "tinh", "pho_thong")
    status, out, _ = dvht("unit", "list")
    assert status == 0
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [str(first), str(second)]
    assert lines[1].split("\t")[2:4] == ["tinh", "pho_thong"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--tier", "huyen", "--type", "dai_hoc"], "ở cấp huyện (chỉ ở cấp tỉnh)"),
        (["--tier", "huyen", "--type", "truong_hoc"], "loại đơn vị “truong_hoc” không hợp lệ"),
        (["--tier", "huyen", "--type", "nope"], "dùng một trong: ubnd_xa, co_quan"),
        (["--type", "co_quan"], "có ở cả hai cấp; thêm --tier"),
        (["--type", "ubnd_xa", "--members", "0"], "số người phải là số nguyên từ 1"),
        (["--tier", "huyen", "--type", "ubnd_xa", "--name", "\u200b\u202e"], "để trống"),
        (["--tier", "huyen", "--type", "ubnd_xa", "--name", "a" * 301], "dài quá 300 ký tự"),
    ],
)
def test_unit_create_refuses_bad_input(dvht: Run, argv: list[str], fragment: str) -> None:
    status, out, err = dvht("unit", "create", "--name", "X", "--province", "Huế", *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert fragment in err
    assert "Value" not in err  # pydantic's English never reaches the operator


@pytest.mark.parametrize("case", CASES[::4], ids=lambda p: p.stem)
def test_export_of_an_import_gives_the_same_verdict(dvht: Run, case: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(case.read_text(encoding="utf-8"))["input"]
    source = tmp_path / "in.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    unit_id = _create(dvht, data["tier"], data["unit_type"])
    status, _, err = dvht("import", str(source), "--unit", str(unit_id))
    assert status == 0, err
    exported = tmp_path / "out.yaml"
    status, _, err = dvht(
        "export",
        "--unit",
        str(unit_id),
        "--year",
        str(data["year"]),
        "-o",
        str(exported),
    )
    assert status == 0, err
    _, original, _ = dvht("evaluate", str(source), "--json")
    _, again, _ = dvht("evaluate", str(exported), "--json")
    before, after = json.loads(original), json.loads(again)
    assert after["level"] == before["level"]
    assert after["criteria"] == before["criteria"]
    assert {k: v["level"] for k, v in after["indicators"].items()} == {
        k: v["level"] for k, v in before["indicators"].items()
    }


def test_importing_twice_adds_nothing_the_second_time(dvht: Run) -> None:
    unit_id = _create(dvht)
    status, out, _ = dvht("import", str(EXAMPLE), "--unit", str(unit_id))
    assert status == 0
    assert "13 câu trả lời mới, 13 minh chứng mới" in out
    status, out, _ = dvht("import", str(EXAMPLE), "--unit", str(unit_id))
    assert "0 câu trả lời mới, 0 minh chứng mới" in out


def test_import_into_a_unit_of_another_type_is_refused(dvht: Run) -> None:
    unit_id = _create(dvht, "tinh", "co_quan")
    status, out, err = dvht("import", str(EXAMPLE), "--unit", str(unit_id))
    assert status == 2
    assert out == ""
    assert "unit_type" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["export", "--unit", "99", "--year", "2025"], "không tìm thấy"),
        (["import", str(EXAMPLE), "--unit", "99"], "không tìm thấy"),
        (["export", "--unit", "abc", "--year", "2025"], "mã đơn vị phải là số nguyên"),
        (["export", "--unit", str(2**64), "--year", "2025"], "mã đơn vị phải là số nguyên"),
        (["export", "--unit", "1", "--year", "1999"], "năm phải là số nguyên từ 2000"),
        (["report", "--unit", str(2**63), "--pdf", "x.pdf"], "mã đơn vị phải là số nguyên"),
        (["ask", "--unit", "0", "cần gì để đạt mức 2"], "mã đơn vị phải là số nguyên từ 1"),
    ],
)
def test_unknown_units_are_one_line_errors(dvht: Run, argv: list[str], fragment: str) -> None:
    status, out, err = dvht(*argv)
    assert status == 2
    assert out == ""
    assert fragment in err
    assert err.count("\n") == 1


def test_export_of_a_year_without_an_assessment(dvht: Run) -> None:
    unit_id = _create(dvht)
    status, _, err = dvht("export", "--unit", str(unit_id), "--year", "2030")
    assert status == 2
    assert "chưa có hồ sơ" in err


def test_db_upgrade_is_idempotent(dvht: Run) -> None:
    status, out, _ = dvht("db", "upgrade")
    assert status == 0
    status, out, _ = dvht("db", "upgrade")
    assert "phiên bản mới nhất" in out


def test_unreachable_database_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://dvht@127.0.0.1:1/dvht")
    for argv in (["unit", "list"], ["db", "upgrade"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "không kết nối được cơ sở dữ liệu" in err
        assert "Traceback" not in err


def test_the_embedded_database_is_created_and_migrated_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path / "fresh"))
    assert main(["unit", "list"]) == 0
    assert (tmp_path / "fresh" / "dvht.sqlite3").is_file()
    assert capsys.readouterr().out == ""
