"""`dvht broadcast` and `dvht dispatch` through the installed script, on SQLite and PostgreSQL,
against the fake Bot API over real HTTP: bad input is one Vietnamese line and status 2, a
broadcast reaches each reachable member once, and running it again sends only to whoever has
not received it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reminders import broadcast
from storage.reminder_store import SqlBroadcastStore
from tests.reminders.world import FakeClock, World, local
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi

DVHT = Path(sys.executable).parent / "dvht"


def _dvht(
    database_url: str, tmp_path: Path, api: FakeBotApi | None, *argv: str
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DVHT_", "DATABASE"))
    }
    env.update({"DVHT_DATA_DIR": str(tmp_path / "var"), "DATABASE_URL": database_url})
    if api is not None:
        env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.url})
    return subprocess.run(
        [str(DVHT), *argv], capture_output=True, text=True, check=False, timeout=180, env=env
    )


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("dvht: ")
    assert "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--province", "Tỉnh Không Có", "--text", "Họp"], "không có đơn vị nào thuộc tỉnh"),
        (["--office", "999", "--text", "Họp"], "không có cơ quan tiếp nhận mã 999"),
        (["--unit", "999", "--text", "Họp"], "không có đơn vị mã 999"),
        (["--unit", "abc", "--text", "Họp"], "mã đơn vị phải là số nguyên"),
        (["--province", "Hưng Yên", "--text", "   "], "nội dung thông báo trống"),
        (["--province", "Hưng Yên", "--text", "x" * 5000], "tối đa 4.096 ký tự"),
        (["--province", "Hưng Yên", "--unit", "1", "--text", "Họp"], "không dùng cùng với"),
        (["--text", "Họp"], "cần một trong các tham số"),
    ],
)
async def test_bad_input_is_one_vietnamese_line_and_status_2(
    world: World, database_url: str, tmp_path: Path, argv: list[str], expected: str
) -> None:
    await world.unit("a", province="Hưng Yên")
    await world.person("lan", "a")

    line = _one_line_error(_dvht(database_url, tmp_path, None, "broadcast", *argv, "--dry-run"))

    assert expected in line


async def test_without_a_channel_broadcast_and_dispatch_say_so_in_one_line(
    world: World, database_url: str, tmp_path: Path
) -> None:
    await world.unit("a", province="Hưng Yên")
    sending = _dvht(
        database_url, tmp_path, None, "broadcast", "--province", "Hưng Yên", "--text", "Họp"
    )
    dispatch = _dvht(database_url, tmp_path, None, "dispatch", "--once")

    assert "TELEGRAM_BOT_TOKEN" in _one_line_error(sending)
    assert "TELEGRAM_BOT_TOKEN" in _one_line_error(dispatch)


async def test_a_broadcast_reaches_each_reachable_member_once_and_a_rerun_only_the_rest(
    world: World, database_url: str, tmp_path: Path, api: FakeBotApi
) -> None:
    office = await world.office()
    await world.unit("a", office_id=office)
    await world.unit("b", office_id=office)
    await world.unit("elsewhere", province="Hà Nội")
    people = [await world.person(f"p{n}", "a" if n % 2 else "b") for n in range(6)]
    both = await world.person("both", "a", "b")
    quiet = await world.person("quiet", "a", opted_out=True)
    gone = await world.person("gone", "b", reachable=False)
    outsider = await world.person("outsider", "elsewhere")
    late = await world.person("late", "a")
    api.block(late.chat_id)  # blocks the bot before the first run, unblocks before the second
    text = "Thông báo: họp trực tuyến về hồ sơ “Đơn vị học tập” lúc 14:00 ngày 20/12/2026."

    scope = ("broadcast", "--office", str(office), "--text", text)

    dry = _dvht(database_url, tmp_path, api, *scope, "--dry-run")
    assert dry.returncode == 0, dry
    assert "Sẽ gửi cho 8 người" in dry.stdout
    assert "1 người đã chặn bot" in dry.stdout
    assert "1 người đã tắt nhắc nhở" in dry.stdout
    assert api.calls_of("sendMessage") == []

    first = _dvht(database_url, tmp_path, api, *scope, "--now")
    assert first.returncode == 0, first
    assert "Đã gửi: 7; bỏ qua: 2 (đã chặn bot), 1 (đã tắt nhắc nhở); lỗi: 0." in first.stdout
    for member in [*people, both]:
        assert [c.text for c in api.sent(member.chat_id)] == [text]
    assert api.sent(gone.chat_id) == api.sent(outsider.chat_id) == api.sent(late.chat_id) == []
    assert api.sent(quiet.chat_id) == []  # /tatnhacnho: no announcements either

    # `late` unblocks the bot and writes to it again (the chat marks them reachable).
    api.unblock(late.chat_id)
    await world._do(
        lambda s: s.execute(
            __import__("sqlalchemy").text(
                "UPDATE channel_identities SET active = :on WHERE id = :i"
            ),
            {"on": True, "i": late.identity_id},
        )
    )
    second = _dvht(database_url, tmp_path, api, *scope, "--now")

    assert second.returncode == 0, second
    assert "Đã gửi: 8; bỏ qua: 1 (đã chặn bot), 1 (đã tắt nhắc nhở); lỗi: 0." in second.stdout
    assert [c.text for c in api.sent(late.chat_id)] == [text]
    for member in [*people, both]:
        assert len(api.sent(member.chat_id)) == 1
    assert api.sent(quiet.chat_id) == []


async def test_prepared_in_quiet_hours_a_broadcast_waits_for_seven_in_the_morning(
    world: World, database_url: str
) -> None:
    from dvht_core.send_window import SendWindow

    await world.unit("a", province="Hưng Yên")
    await world.person("lan", "a")
    store = SqlBroadcastStore(world.database)
    clock = FakeClock(local(2026, 12, 19, 22, 15))
    announced = await broadcast.announcement(store, "province", "Hưng Yên", "Họp lúc 8:00")

    prepared = await broadcast.prepare(
        store, announced, channels=("telegram",), clock=clock, window=SendWindow()
    )

    assert prepared.waiting
    assert prepared.due == local(2026, 12, 20, 7, 0)
    rows = await world.rows("r.kind = 'broadcast'")
    assert [(r["status"], str(r["due_at"])[:16]) for r in rows] == [
        ("planned", str(local(2026, 12, 20, 7, 0).astimezone(dt.UTC))[:16])
    ]
