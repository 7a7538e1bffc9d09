"""Every hostile file, for `dvht evaluate`, `dvht import` and `dvht report`: one Vietnamese line
on stderr, nothing on stdout, exit status 2, and the same line from the three commands (they
share one reader). The files are data: `hostile_inputs.yaml` (generated where huge) and the
older `bad_inputs/*.yaml` (each with its `# expect:` line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli.main import main

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
CATALOGUE = yaml.safe_load((HERE / "hostile_inputs.yaml").read_text(encoding="utf-8"))["cases"]
BAD_INPUTS = sorted((HERE / "bad_inputs").glob("*.yaml"))
COMMANDS = ("evaluate", "import", "report")
DVHT = Path(sys.executable).parent / "dvht"


def _generated(spec: str | list[list[Any]]) -> str:
    """A string, or [[piece, times], …] concatenated."""
    if isinstance(spec, str):
        return spec
    return "".join(str(piece) * int(times) for piece, times in spec)


def _write(case: dict[str, Any], directory: Path) -> str:
    """The case's file (or path) to hand to the commands."""
    if "path" in case:
        return str(case["path"]).replace("{directory}", str(directory))
    target = directory / f"{case['name']}.{case.get('suffix', 'yaml')}"
    if "bytes" in case:
        target.write_bytes(case["bytes"])
    elif "text" in case:
        target.write_text(_generated(case["text"]), encoding="utf-8")
    else:
        content = EXAMPLE.read_text(encoding="utf-8")
        for old, new in case["example"]:
            assert old in content, f"{case['name']}: {old!r} is not in the example"
            content = content.replace(old, _generated(new), 1)
        target.write_text(content, encoding="utf-8")
    return str(target)


@pytest.fixture(scope="module")
def database_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded database with unit #1 (UBND xã, cấp huyện), the example's unit, for `import`."""
    data = tmp_path_factory.mktemp("var")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DVHT_DATA_DIR", str(data))
        patch.delenv("DATABASE_URL", raising=False)
        status = main(
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
        assert status == 0
    return data


def _argv(command: str, path: str, out: Path) -> list[str]:
    if command == "import":
        return ["import", path, "--unit", "1"]
    if command == "report":
        return ["report", path, "--pdf", str(out / "bc.pdf"), "--xlsx", str(out / "bc.xlsx")]
    return ["evaluate", path, "--json"]


def _refusals(
    path: str,
    commands: tuple[str, ...],
    database_dir: Path,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> dict[str, str]:
    """Run each command on `path`; check the shape of its refusal; return its line."""
    monkeypatch.setenv("DVHT_DATA_DIR", str(database_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    lines = {}
    for command in commands:
        status = main(_argv(command, path, out))
        captured = capsys.readouterr()
        assert status == 2, (command, captured.err[:300])
        assert captured.out == "", command
        assert captured.err.startswith("dvht: "), (command, captured.err[:300])
        assert captured.err.count("\n") == 1, (command, captured.err[:300])
        assert captured.err.endswith("\n")
        assert "Traceback" not in captured.err
        assert len(captured.err) < 400, (command, captured.err[:300])
        lines[command] = captured.err
    assert not list(out.iterdir()), "a refused file wrote a report"
    return lines


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda case: case["name"])
def test_hostile_file_is_one_line_and_status_2_for_every_command(
    case: dict[str, Any],
    tmp_path: Path,
    database_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _write(case, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    commands = tuple(case.get("commands", COMMANDS))
    lines = _refusals(path, commands, database_dir, out, monkeypatch, capsys)
    assert case["expect"] in lines[commands[0]], lines[commands[0]]
    assert len(set(lines.values())) == 1, lines


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.stem)
def test_bad_inputs_are_refused_alike_by_import_and_report(
    path: Path,
    tmp_path: Path,
    database_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
    lines = _refusals(str(path), COMMANDS, database_dir, tmp_path, monkeypatch, capsys)
    assert expected in lines["evaluate"]
    assert len(set(lines.values())) == 1, lines


@pytest.mark.parametrize(
    "case", [case for case in CATALOGUE if case.get("process")], ids=lambda case: case["name"]
)
def test_the_installed_script_survives_what_once_killed_it(
    case: dict[str, Any], tmp_path: Path
) -> None:
    """In a process of its own: a segmentation fault would otherwise take pytest with it, and
    the interpreter's default handler is what printed the tracebacks."""
    done = subprocess.run(
        [str(DVHT), "evaluate", _write(case, tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr[-500:]
    assert case["expect"] in done.stderr


def test_the_catalogue_names_are_unique() -> None:
    names = [case["name"] for case in CATALOGUE]
    assert len(names) == len(set(names))
