"""Every message of the `dvht` command line is Vietnamese (issue 12, item 7): argparse's own
usage errors and `--help` headings, run through the installed script as an operator runs it."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli import text
from cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
DVHT = Path(sys.executable).parent / "dvht"
TT22 = ROOT / "examples" / "tt22-ha-noi-2023.yaml"
ARGPARSE_ENGLISH = (
    "usage:",
    "error:",
    "positional arguments",
    "optional arguments",
    "options:",
    "show this help message",
    "the following arguments are required",
    "invalid choice",
    "choose from",
    "unrecognized arguments",
    "expected one argument",
    "expected at most",
    "argument ",
    "invalid int value",
    "ambiguous option",
    "not allowed with",
)


def dvht(*argv: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DVHT_DATA_DIR": str(data_dir or ROOT / "var-unused")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(DVHT), *argv], capture_output=True, text=True, check=False, timeout=60, env=env
    )


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every command path of the parser: `()`, `("unit",)`, `("unit", "create")`…"""
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _commands(child, (*path, name))
    return found


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and a.nargs != 0]


COMMANDS = _commands(build_parser())


def test_the_parser_has_every_command_group() -> None:
    assert ("unit", "update") in COMMANDS
    assert ("unit", "show") in COMMANDS
    assert ("db", "upgrade") in COMMANDS
    assert len(COMMANDS) >= 15


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "dvht")
def test_help_of_every_command_is_vietnamese(path: tuple[str, ...]) -> None:
    done = dvht(*path, "--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"{text.USAGE_PREFIX}dvht"), out
    for english in ARGPARSE_ENGLISH:
        assert english not in out, f"{english!r} in the help of {path}:\n{out}"
    assert text.HELP_HELP in out
    assert f"{text.HELP_OPTIONS}:" in out
    parser = build_parser()
    for name in path:  # the parser of this command, to know its options
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    for action in _options(parser):
        if action.choices is None:  # an English metavar is the upper-cased destination
            for option in action.option_strings:
                english = rf"{re.escape(option)} {action.dest.upper()}\b"
                assert not re.search(english, out), (option, out)


@pytest.mark.parametrize(
    ("argv", "vietnamese"),
    [
        (["unit"], "thiếu tham số bắt buộc: LỆNH"),
        (["unit", "create"], "thiếu tham số bắt buộc: --name, --type, --province"),
        (["rules", "--tier", "x"], "tham số --tier: không có lựa chọn “x” (chọn một trong:"),
        (["nope"], "tham số LỆNH: không có lựa chọn “nope”"),
        (["evaluate", "a", "b", "c"], "có tham số không nhận ra: b c"),
        (["export", "--unit"], "tham số --unit: cần một giá trị theo sau"),
        (["rules", "--level", "x"], "tham số --level: giá trị “x” không hợp lệ"),
        (["rules", "--level", "3"], "không có lựa chọn 3 (chọn một trong: 1, 2)"),
        (["unit", "update", "--unit", "1", "--members", "0"], "số người phải là số nguyên từ 1"),
        (["unit", "list", "--x"], "có tham số không nhận ra: --x"),
        (["report", "--unit", "abc", "--pdf", "x.pdf"], "mã đơn vị phải là số nguyên"),
    ],
)
def test_usage_errors_are_one_vietnamese_line(argv: list[str], vietnamese: str) -> None:
    done = dvht(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert vietnamese in done.stderr, done.stderr
    assert "xem “dvht" in done.stderr
    for english in ARGPARSE_ENGLISH:
        assert english not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("message", "vietnamese"),
    [
        ("one of the arguments --a --b is required", "cần một trong các tham số --a --b"),
        ("argument --a: not allowed with argument --b", "tham số --a: không dùng cùng với --b"),
        (
            "argument --a: expected at most one argument",
            "tham số --a: chỉ nhận nhiều nhất một giá trị",
        ),
        ("argument --a: expected at least one argument", "tham số --a: cần ít nhất một giá trị"),
        ("argument --a: expected 2 arguments", "tham số --a: cần 2 giá trị"),
        (
            "ambiguous option: --m could match --members, --mode",
            "tùy chọn --m chưa rõ: có thể là --members, --mode",
        ),
        ("a message argparse never writes", "a message argparse never writes"),
    ],
)
def test_the_rarer_argparse_messages_are_translated(message: str, vietnamese: str) -> None:
    assert text.argparse_message(message) == vietnamese


@pytest.mark.parametrize("command", ["report", "import"])
def test_report_and_import_say_they_take_tt24_files_only(command: str, tmp_path: Path) -> None:
    target = ["--pdf", str(tmp_path / "x.pdf")] if command == "report" else ["--unit", "1"]
    done = dvht(command, str(TT22), *target, data_dir=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "Thông tư 22/2020" in done.stderr
    assert f"“dvht {command}” chỉ dùng cho hồ sơ tự đánh giá theo Thông tư 24/2023" in done.stderr
    assert "tier" not in done.stderr  # the misleading field error of before
    assert not (tmp_path / "x.pdf").exists()
