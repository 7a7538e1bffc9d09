"""`dvht dossier` on a real database (SQLite, and PostgreSQL when configured): it writes the
ZIP, says where, how big and what it holds; every refusal is one Vietnamese line, status 2."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from cli.main import main
from storage.db import Database
from tests.cli.test_cli_db import _wipe
from tests.dossier.world import World, build_world


def _world(database_url: str, root: Path, **options: bool) -> World:
    async def build() -> World:
        database = Database(database_url)
        try:
            return await build_world(database, root, **options)  # type: ignore[arg-type]
        finally:
            await database.close()

    return asyncio.run(build())


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    if make_url(database_url).get_backend_name() != "sqlite":
        _wipe(database_url)
    return database_url


def test_the_dossier_is_written_and_described(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = _world(env, tmp_path / "var" / "evidence")
    target = tmp_path / "hoso.zip"
    status = main(["dossier", "--unit", str(world.unit_id), "--year", "2025", "-o", str(target)])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert f"Đã ghi hồ sơ {target}" in out
    assert "5 tệp minh chứng" in out
    assert "nơi nhận: để trống trong tờ trình" in out
    assert zipfile.ZipFile(target).testzip() is None
    # A folder: the dossier's own name, never overwriting one.
    assert (
        main(["dossier", "--unit", str(world.unit_id), "--year", "2025", "-o", str(tmp_path)]) == 0
    )
    assert (
        main(["dossier", "--unit", str(world.unit_id), "--year", "2025", "-o", str(tmp_path)]) == 0
    )
    capsys.readouterr()
    assert sorted(p.name for p in tmp_path.glob("ho-so_*.zip")) == [
        "ho-so_ubnd-xa-quang-phu_2025-2.zip", "ho-so_ubnd-xa-quang-phu_2025.zip"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--unit", "999", "--year", "2025"], "không tìm thấy đơn vị 999."),
        (["--unit", "{unit}", "--year", "2024"], "chưa có hồ sơ tự đánh giá năm 2024."),
        (
            ["--unit", "{unit}", "--year", "2025", "-o", "/no/such/dir/h.zip"],
            "không ghi được hồ sơ",
        ),
        (  # a folder named with its trailing slash that does not exist: not a file “new”
            ["--unit", "{unit}", "--year", "2025", "-o", "{tmp}/new/"],
            "không có thư mục",
        ),
    ],
)
def test_refusals_are_one_vietnamese_line(
    env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    world = _world(env, tmp_path / "var" / "evidence")
    argv = [a.replace("{unit}", str(world.unit_id)).replace("{tmp}", str(tmp_path)) for a in argv]
    if "-o" not in argv:
        argv += ["-o", str(tmp_path / "h.zip")]
    assert main(["dossier", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert expected in err
    assert not (tmp_path / "new").exists()


def test_a_unit_below_level_one_has_nothing_to_request(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = _world(env, tmp_path / "var" / "evidence", answers=False)
    status = main(["dossier", "--unit", str(world.unit_id), "--year", "2025", "-o", str(tmp_path)])
    _, err = capsys.readouterr()
    assert status == 2
    assert "chưa đạt mức độ 1 nên chưa có gì để đề nghị công nhận" in err
    assert not list(tmp_path.glob("*.zip"))
