"""The command line's last resort: a failure nothing names yet is one line on the terminal,
and its redacted traceback is kept in a file only its owner can read, for the developer."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

TOKEN = "123456:SECRET-token-for-the-last-resort"
SCRIPT = f"""
import sys
from bot.redaction import install_redaction
from cli import main as cli_main
from cli.commands import evaluate

def broken(args):
    raise RuntimeError("boom at /bot{TOKEN}/getMe")

evaluate._cmd_evaluate = broken
install_redaction({TOKEN!r})
sys.exit(cli_main.main(["evaluate", "whatever.yaml"]))
"""


def test_an_unforeseen_failure_is_one_line_and_a_private_crash_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path.cwd())},
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert TOKEN not in result.stderr
    assert "Traceback" not in result.stderr
    assert "RuntimeError: boom at /bot<token>/getMe" in lines[0]
    match = re.search(r"tệp (\S+dvht-loi-\S+\.txt)", lines[0])
    assert match, lines[0]
    report = Path(match.group(1))
    assert report.parent == tmp_path
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    details = report.read_text(encoding="utf-8")
    assert "Traceback" in details
    assert "in broken" in details
    assert TOKEN not in details
    assert "<token>" in details
