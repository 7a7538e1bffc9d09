"""`-o` of `dvht report`, `dvht roster template` and `dvht dossier`: a folder gets the file's own
name, a folder written with its slash that does not exist is refused (never written as a file of
that name), and a write that fails says why in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import text
from cli.common import CliError, output_path
from cli.main import main


def test_a_folder_gets_the_files_own_name_never_over_another(tmp_path: Path) -> None:
    assert output_path(str(tmp_path), "a.xlsx") == tmp_path / "a.xlsx"
    (tmp_path / "a.xlsx").write_bytes(b"")
    assert output_path(str(tmp_path) + "/", "a.xlsx") == tmp_path / "a-2.xlsx"


def test_a_file_is_itself(tmp_path: Path) -> None:
    assert output_path(str(tmp_path / "ds.xlsx"), "a.xlsx") == tmp_path / "ds.xlsx"


def test_a_missing_folder_written_with_its_slash_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="không có thư mục"):
        output_path(f"{tmp_path}/hoso/", "a.xlsx")


def test_the_roster_template_into_a_missing_folder_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", "template", "-o", f"{tmp_path}/hoso/"]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert "không có thư mục" in err
    assert list(tmp_path.iterdir()) == []


def test_the_roster_template_into_a_folder(tmp_path: Path) -> None:
    assert main(["roster", "template", "-o", str(tmp_path)]) == 0
    assert [p.suffix for p in tmp_path.iterdir()] == [".xlsx"]


def test_a_failed_write_says_why_in_vietnamese(tmp_path: Path) -> None:
    line = text.file_unwritable(str(tmp_path), IsADirectoryError(21, "Is a directory"))
    assert line.endswith("đó là một thư mục.")
    assert "Error" not in line
    assert text.file_unwritable("x", OSError("odd")).endswith("lỗi ghi tệp.")
