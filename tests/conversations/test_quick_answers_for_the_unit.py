"""Quick answers say only what concerns the asking unit (issue 12, item 8).

“hạn nộp hồ sơ khi nào” for a UBND xã lists no school deadline, names no district office for a
dossier due after 1/7/2025 (district government ended then; docs/sources.md) and does not
contradict itself about “cấp huyện”; a school is told its own date; an enterprise at the
province tier gets the Sở GDĐT and no district completion date. The same through `dvht ask`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conversations import catalogue as say
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from dvht_core.unit_calendar import UnitCalendar
from tests.conversations.driver import YEAR, BotClient, onboard

RULEBOOKS = {tier: load_rulebook(rulebook_id) for tier, rulebook_id in TT24_BY_TIER.items()}
DVHT = Path(sys.executable).parent / "dvht"
DISTRICT_OFFICES = ("Phòng Giáo dục", "Phòng GD", "UBND cấp huyện", "UBND huyện")


def _no_district_office(text: str) -> None:
    for office in DISTRICT_OFFICES:
        assert office not in text, text


def _explains_cap_huyen_once(text: str) -> None:
    """“Cấp huyện” is the name of the level; the answer says so, and nothing contradicts it."""
    assert text.count("“Cấp huyện” là tên mức công nhận trong Thông tư 24") == 1, text
    assert "không còn cấp huyện" not in text, text
    assert "(cấp huyện)" not in text, text


async def test_a_commune_hears_its_own_deadline_and_no_school_date(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await onboard(client, unit_type="ut:xa")
    await client.send("hạn nộp hồ sơ khi nào")
    text = client.text
    assert f"trước ngày 15/01/{YEAR + 1}" in text
    assert f"trước ngày 15/02/{YEAR + 1}" in text
    assert "Căn cứ: Thông tư 24/2023/TT-BGDĐT, Điều 10 khoản 1 điểm c" in text
    assert "kế hoạch hiện hành của tỉnh" in text
    assert "hãy hỏi Sở Giáo dục và Đào tạo" in text  # a commune would recognise itself: ask
    _no_district_office(text)
    _explains_cap_huyen_once(text)
    for school_only in ("Trường", "4725", "31/5"):
        assert school_only not in text, text


async def test_a_district_tier_school_hears_its_digital_self_assessment_date(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await onboard(client, unit_type="ut:th", name="Trường THCS Hòa Bình")
    await client.send("han nop ho so khi nao")
    text = client.text
    assert "trước ngày 31/5 hằng năm" in text
    assert "4725" in text
    assert "Phòng Văn hóa – Xã hội" in text
    assert "chưa có văn bản nào xác nhận" in text
    _no_district_office(text)
    _explains_cap_huyen_once(text)


async def test_a_provincial_enterprise_hears_the_so_and_no_district_dates(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await onboard(client, unit_type="ut:dnt", name="Công ty TNHH An Phát")
    await client.send("hạn nộp hồ sơ khi nào")
    text = client.text
    assert f"trước ngày 15/01/{YEAR + 1}" in text
    # From 1/7/2025 the province's plan names the office (issue 13); the Sở is the likely one.
    assert "Nơi nhận: cơ quan được tỉnh giao tiếp nhận hồ sơ, theo kế hoạch của tỉnh." in text
    assert "Nhiều khả năng là Sở Giáo dục và Đào tạo (người công nhận: Chủ tịch UBND tỉnh)" in text
    assert "Điều 16" in text
    for other in ("15/02", "cấp huyện", "Cấp huyện", "4725", "Trường"):
        assert other not in text, text
    _no_district_office(text)


def test_a_dossier_due_before_the_reform_went_to_the_phong_gddt() -> None:
    """Assessment year 2024: the dossier was due by 15/01/2025, when TT24's office existed."""
    before = say.office_answer(UnitCalendar(2024, "huyen", "ubnd_xa", "Hà Nội"))
    assert "Nơi nhận: Phòng Giáo dục và Đào tạo." in before
    assert "Người quyết định công nhận: Chủ tịch Ủy ban nhân dân cấp huyện." in before
    after = say.office_answer(UnitCalendar(2025, "huyen", "ubnd_xa", "Hà Nội"))
    _no_district_office(after)


async def test_quick_answers_name_the_unit_type_as_its_tier_does(
    make_client: Callable[..., BotClient],
) -> None:
    client = make_client()
    await onboard(client, unit_type="ut:th", name="Trường THCS Hòa Bình")
    await client.send("cần gì để đạt mức 2")
    assert client.text.startswith("Để đạt mức độ 2 (Trường tiểu học, THCS)"), client.text
    assert "THPT" not in client.text.splitlines()[0]


@pytest.mark.parametrize(("choice", "shown"), [("xa", False), ("th", True), ("dnh", False)])
async def test_an_uncertainty_note_reaches_only_the_unit_types_it_concerns(
    make_client: Callable[..., BotClient], choice: str, shown: bool
) -> None:
    """1.3's note is about private schools and bodies without state funds."""
    client = make_client()
    await onboard(client, unit_type=f"ut:{choice}")
    await client.send("chỉ tiêu 1.3 là gì")
    assert ("trường tư thục" in client.text) is shown, client.text
    await client.send("chỉ tiêu 3.3 là gì")  # the level-2 bar of 3.3 concerns every unit
    assert "Lưu ý: Yêu cầu ở mức độ 2 chưa chắc chắn" in client.text


def _dvht(*argv: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DVHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(DVHT), *argv], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_dvht_ask_for_a_commune_names_no_district_office(tmp_path: Path) -> None:
    created = _dvht(
        "unit", "create", "--name", "UBND xã Hòa Bình", "--tier", "huyen", "--type", "ubnd_xa",
        "--province", "Tỉnh Phú Thọ", data_dir=tmp_path,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    found = re.search(r"#(\d+)", created.stdout)
    assert found, created.stdout
    unit = found.group(1)
    asked = _dvht("ask", "hạn nộp hồ sơ khi nào", "--unit", unit, data_dir=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Nơi nhận:" in asked.stdout
    _no_district_office(asked.stdout)
    _explains_cap_huyen_once(asked.stdout)
    assert "4725" not in asked.stdout
    # A unit made on the command line has no answers yet: said plainly, no crash.
    for question in ("còn thiếu minh chứng gì", "kết quả"):
        asked = _dvht("ask", question, "--unit", unit, data_dir=tmp_path)
        assert asked.returncode == 0, asked.stderr
        assert asked.stdout.strip() == say.NO_ANSWERS_YET, asked.stdout


@pytest.mark.parametrize(
    ("choice", "asked", "listed"),
    [
        ("xa", "chỉ tiêu 3.7 là gì", "tiêu chí 3: 3.1, 3.2, 3.3."),
        ("th", "chỉ tiêu 3.6 là gì", "tiêu chí 3: 3.1, 3.2, 3.3, 3.4."),
    ],
)
async def test_an_unknown_indicator_lists_the_units_own_indicators(
    make_client: Callable[..., BotClient], choice: str, asked: str, listed: str
) -> None:
    """Not “gõ tiêu chí 2 gồm những gì” whatever was asked: every criterion, each once."""
    client = make_client()
    await onboard(client, unit_type=f"ut:{choice}")
    await client.send(asked)
    answer = client.text.splitlines()[0]
    assert answer.startswith("Không có chỉ tiêu"), client.text
    assert "tiêu chí 1: 1.1, 1.2, 1.3, 1.4, 1.5; tiêu chí 2: 2.1, 2.2, 2.3, 2.4, 2.5;" in answer
    assert answer.endswith(listed), answer
