"""`dvht ask` speaks of the command line, not of the chat: walking as an operator, “tiến độ”
without --unit said “Gõ /start để tạo đơn vị”, an unknown question “gõ /huongdan”, and
“báo cáo” described a PDF that was never written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DVHT = Path(sys.executable).parent / "dvht"


def _dvht(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(DVHT), *argv], capture_output=True, text=True, check=False, timeout=60, env=env
    )


@pytest.mark.parametrize("question", ["tiến độ", "còn thiếu minh chứng gì", "kết quả"])
def test_a_question_about_a_dossier_without_unit_asks_for_unit(
    tmp_path: Path, question: str
) -> None:
    done = _dvht(tmp_path, "ask", question)
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert done.stderr == (
        f"dvht: câu hỏi “{question}” là về hồ sơ của một đơn vị; thêm --unit MÃ_ĐƠN_VỊ "
        "(xem “dvht unit list”).\n"
    )


def test_with_unit_the_dossier_is_answered(tmp_path: Path) -> None:
    created = _dvht(
        tmp_path,
        *("unit", "create", "--name", "UBND xã Hòa Bình", "--type", "ubnd_xa"),
        *("--province", "Hà Nội", "--members", "42"),
    )
    assert created.returncode == 0, created.stderr
    done = _dvht(tmp_path, "ask", "tiến độ", "--unit", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Tiến độ: đã trả lời 0/13 chỉ tiêu."), done.stdout


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("xin chào", "Tôi chưa hiểu. Có thể hỏi: “cần gì để đạt mức 2”"),
        ("/huongdan", "Có thể hỏi: “cần gì để đạt mức 2”"),
        ("báo cáo", "Báo cáo được ghi ra tệp bằng lệnh: dvht report --unit MÃ_ĐƠN_VỊ --pdf"),
    ],
)
def test_no_chat_command_is_offered_on_the_command_line(
    tmp_path: Path, question: str, said: str
) -> None:
    done = _dvht(tmp_path, "ask", question)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(said), done.stdout
    assert "/huongdan" not in done.stdout
    assert "/start" not in done.stdout
    assert "Báo cáo tự đánh giá (PDF)" not in done.stdout
