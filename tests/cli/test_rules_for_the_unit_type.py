"""`dvht rules` and “chỉ tiêu … là gì” offer only the evidence that concerns the unit's type:
walking as a UBND xã, 1.2 suggested “Trường mầm non công lập: kế hoạch, biên bản tập huấn…”,
which only a public preschool does (TT24, Điều 6 khoản 1, chỉ tiêu 2, its last sentence)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DVHT = Path(sys.executable).parent / "dvht"
PRESCHOOL_ONLY = "giáo viên mầm non dân lập, tư thục"
LEARNERS_ONLY = "Danh sách người học đạt danh hiệu “Công dân học tập”"


def _rules(tmp_path: Path, *argv: str) -> str:
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(DVHT), "rules", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _evidence_line(output: str, indicator_id: str) -> str:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {indicator_id}  "))
    return next(line for line in lines[start:] if line.strip().startswith("Minh chứng:"))


@pytest.mark.parametrize(
    ("argv", "indicator_id", "fragment", "shown"),
    [
        (("--unit-type", "ubnd_xa"), "1.2", PRESCHOOL_ONLY, False),
        (("--unit-type", "pho_thong", "--tier", "huyen"), "1.2", PRESCHOOL_ONLY, False),
        (("--unit-type", "mam_non"), "1.2", PRESCHOOL_ONLY, True),
        (("--unit-type", "co_quan", "--tier", "tinh"), "3.1", LEARNERS_ONLY, False),
        (("--unit-type", "pho_thong", "--tier", "tinh"), "3.1", LEARNERS_ONLY, True),
    ],
)
def test_rules_list_the_evidence_of_this_unit_type_only(
    tmp_path: Path, argv: tuple[str, ...], indicator_id: str, fragment: str, shown: bool
) -> None:
    line = _evidence_line(_rules(tmp_path, *argv), indicator_id)
    assert (fragment in line) is shown, line
    assert "Trường mầm non công lập:" not in line  # no label glued before an example
    assert "Cơ sở giáo dục:" not in line
