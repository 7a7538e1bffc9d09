"""The console channel as a user runs it: `dvht chat` with piped input, `dvht ask`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import ConsoleNotifier, render, to_inbound
from conversations import catalogue as say
from conversations.messages import Button, Outbound
from conversations.ports import Delivery, Notifier
from tests import evidence_samples

DVHT = Path(sys.executable).parent / "dvht"
YES_NO = (Button("go", "Tiếp tục"), Button("later", "Để sau"))
PDF = evidence_samples.pdf()


def chat(data_dir: Path, lines: list[str], user: str = "lan") -> str:
    env = {**os.environ, "DVHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(DVHT), "chat", "--user", user],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_a_scripted_walk_survives_a_restart(tmp_path: Path) -> None:
    evidence = tmp_path / "ke-hoach.pdf"
    evidence.write_bytes(PDF)
    first = chat(
        tmp_path,
        [
            "/start",
            "1",
            "UBND xã Quảng Phú",
            "Thành phố Huế",
            "1",
            "30",
            "đạt",
            f"/file {evidence}",
            "xong",
            "1",  # Không mô tả
            "1",  # Không có (điểm mạnh, tồn tại)
        ],
    )
    assert "Mã mời đồng nghiệp:" in first
    assert "Đã lưu 1.1: đạt." in first
    assert "Đã nhận tệp ke-hoach.pdf" in first
    assert "1. Đạt\n2. Chưa đạt" in first  # options as a numbered list, as on Zalo
    assert first.rstrip().endswith(
        "Trả lời bằng số thứ tự hoặc gõ nội dung lựa chọn; "
        "gõ “bỏ qua” để bỏ qua, “quay lại” để quay lại."
    )
    assert "1.2 · Tiêu chí 1 · 2/13 — Chế độ đào tạo" in first.split("Không có")[-1]

    second = chat(tmp_path, ["tiếp tục", "tiến độ"])  # a new process on the same database
    assert second.startswith(say.resume_offer("1.2") + "\n")  # before anything is typed
    assert "1.2 · Tiêu chí 1 · 2/13 — Chế độ đào tạo" in second
    assert "Tiến độ: đã trả lời 1/13 chỉ tiêu." in second
    stored = list((tmp_path / "evidence").rglob("*"))
    assert any(p.is_file() and p.read_bytes() == PDF for p in stored)


def test_an_official_types_plain_words_and_wrong_answers(tmp_path: Path) -> None:
    """UBND xã Hòa Bình, 42 members, in the terminal: words instead of numbers, slips, a pause,
    a restart."""
    out = chat(
        tmp_path,
        [
            "/start",
            "3",  # the welcome has two options
            "tạo đơn vị mới",
            "UBND xã Hòa Bình",
            "Quảng Trị",
            "ubnd xa hoa binh",  # the name again: asked, not guessed
            "có",
            "42",
            "dat roi",
            "bổ sung sau",
            "không mô tả",
            "không",  # no strengths or weaknesses
            "chua",
            "1",  # Không mô tả
            "1",  # Không có (strengths)
            "sửa 2.1",
            "1",  # one member: a count question takes the number as the count
            "tạm dừng",
            "đạt",
        ],
    )
    assert say.out_of_range(3, 2, False) in out
    assert say.guess(["UBND xã, phường"], False) in out
    assert "Đã tạo đơn vị UBND xã Hòa Bình" in out
    assert "Đã lưu 1.1: đạt." in out
    assert "Đã lưu 1.2: chưa đạt." in out
    assert "Đã lưu 2.1: 1 thành viên." in out
    assert out.rstrip().endswith(say.paused_answer("2.1"))
    assert "bấm" not in "".join(
        line for line in out.splitlines() if line.startswith(("Hãy", "Không có lựa chọn"))
    )
    again = chat(tmp_path, ["tiếp tục"])
    assert again.startswith(say.resume_offer("2.1") + "\n")
    assert "Minh chứng cho 2.1" in again  # where it stopped: the evidence of 2.1


def test_a_new_console_user_gets_no_resume_offer(tmp_path: Path) -> None:
    out = chat(tmp_path, ["/start"])
    assert out.startswith("Chào lan!")


def test_evidence_is_listed_by_number_and_corrected_in_words(tmp_path: Path) -> None:
    """In the terminal the items are numbered in the text and the options stay “Bổ sung
    sau” and “Xong”: a typed number never removes an item, “xóa minh chứng 1” does."""
    out = chat(
        tmp_path,
        [
            "/start",
            "1",
            "UBND xã Hòa Bình",
            "Tỉnh Ninh Bình",
            "1",
            "42",
            "đạt",
            "/abc",
            "đạt",
            "Kế hoạch số 12/KH-UBND",
            "Quyết định số 7/QĐ-UBND",
            "3",
            "xóa minh chứng 1",
            "đổi tên minh chứng 1 thành Quyết định số 7/QĐ-UBND ngày 02/01/2025",
            "xong",
        ],
    )
    assert "Lệnh không rõ: /abc; gõ /huongdan để xem các lệnh." in out
    assert "“đạt” là một câu trả lời, không phải tên văn bản" in out
    listing = out.split("Đã ghi minh chứng: Quyết định số 7/QĐ-UBND.")[1]
    assert "Minh chứng 1: Kế hoạch số 12/KH-UBND\nMinh chứng 2: Quyết định số 7/QĐ-UBND" in listing
    assert "1. Bổ sung sau\n2. Xong\nTrả lời" in listing  # no numbered removal option
    assert say.out_of_range(3, 2, False) in out  # “3” names no option and is no title
    assert "Đã xóa minh chứng 1 “Kế hoạch số 12/KH-UBND” khỏi 1.1" in out
    assert (
        "Đã đổi tên minh chứng 1: “Quyết định số 7/QĐ-UBND” → “Quyết định số 7/QĐ-UBND ngày "
        "02/01/2025”." in out
    )
    assert "Mô tả ngắn hiện trạng của 1.1" in out.split("Đã đổi tên minh chứng 1")[1]


def test_bad_input_in_the_console_is_refused_and_asked_again(tmp_path: Path) -> None:
    out = chat(tmp_path, ["/start", "1", "UBND xã A", "Huế", "1", "ba mươi", "0", "30"])
    assert "Hãy gõ tổng số thành viên bằng một số nguyên, ví dụ 30." in out
    assert "Tổng số thành viên phải lớn hơn 0." in out
    assert "Đã tạo đơn vị UBND xã A" in out


def test_console_lines_become_messages() -> None:
    assert to_inbound("27\n", user="lan", update=1).text == "27"
    upload = to_inbound("/file ~/scan.JPG\n", user="lan", update=2)
    assert upload.file is not None
    assert upload.file.kind == "photo"
    assert upload.file.file_name == "scan.JPG"
    assert render([Outbound("Đạt chưa?", (Button("v:y", "Đạt"), Button("v:n", "Chưa đạt")))]) == (
        "Đạt chưa?\n\n1. Đạt\n2. Chưa đạt\nTrả lời bằng số thứ tự hoặc gõ nội dung lựa chọn.\n"
    )
    result = Outbound("KẾT QUẢ: …", (Button("q:report", "Báo cáo"),), kind="result")
    question = Outbound("Đạt chưa?", (Button("v:y", "Đạt"), Button("v:n", "Chưa đạt")))
    shown = render([result, question])  # only the last options are numbered: “1” is “Đạt”
    assert "1. Báo cáo" not in shown
    assert "1. Đạt" in shown


async def test_a_console_push_is_written_like_a_reply() -> None:
    sink = io.StringIO()
    notifier: Notifier = ConsoleNotifier(sink)
    messages = [Outbound("Nhắc: còn 3 chỉ tiêu chưa trả lời."), Outbound("Tiếp tục?", YES_NO)]
    assert await notifier.push("lan", messages) == Delivery("sent")
    assert sink.getvalue() == render(messages)
    assert "1. Tiếp tục\n2. Để sau" in sink.getvalue()


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("muc 2 can gi", "Để đạt mức độ 2"),
        ("chỉ tiêu 2.4 là gì", "Chỉ tiêu 2.4."),
        ("hạn nộp hồ sơ khi nào", "trước ngày 15/01/"),
        ("xin chào", "Tôi chưa hiểu."),
    ],
)
def test_ask_answers_one_question(question: str, fragment: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(DVHT), "ask", question],
        capture_output=True,
        text=True,
        env={**os.environ, "DVHT_DATA_DIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert fragment in done.stdout


def test_ask_about_a_unit_uses_its_figures(tmp_path: Path) -> None:
    chat(tmp_path, ["/start", "1", "UBND xã B", "Huế", "1", "30", "đạt", "xong", "1"])
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(DVHT), "ask", "tiến độ", "--unit", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Tiến độ: đã trả lời 1/13 chỉ tiêu." in done.stdout
    missing = subprocess.run(
        [str(DVHT), "ask", "tiến độ", "--unit", "42"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "không tìm thấy" in missing.stderr


def test_serve_refuses_a_webhook_secret_telegram_would_reject(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DVHT_DATA_DIR": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": "có dấu cách!",
    }
    done = subprocess.run(
        [str(DVHT), "serve"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "TELEGRAM_WEBHOOK_SECRET" in done.stderr
    assert "1:x" not in done.stderr
