"""From 1/7/2025 no message, answer, listing or report presents the Phòng Giáo dục và Đào tạo
or the UBND cấp huyện as the office of a dossier (issue 13; district government ended that day
and no text names their successor). Walks the chat's quick answers at several dates and for
units of both tiers, `dvht ask`, `dvht deadline list`, `dvht rules` and the report's data. A
dossier due before the reform still names TT24's own office: that was the law for it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dvht_core.assessment import parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.offices import names_abolished_office
from dvht_core.vietnam_time import ZONE
from reports.data import report_data
from reports.heading import RECEIVING_OFFICE
from storage.db import Database
from tests.conversations.driver import BotClient, FakeFiles, build_service, onboard
from tests.research_labels import assert_no_research_labels

PHRASES = (
    "Phòng Giáo dục",
    "Phòng GD",
    "UBND cấp huyện",
    "Ủy ban nhân dân cấp huyện",
    "UBND huyện",
    "Chủ tịch UBND cấp huyện",
)
QUESTIONS = (
    "hạn nộp hồ sơ khi nào",
    "còn bao nhiêu ngày",
    "nộp cho ai",
    "ai công nhận đơn vị học tập",
    "nộp hồ sơ ở đâu",
    "tiến độ",
    "/ketqua",
    "/donvi",
    "/huongdan",
)
DVHT = Path(sys.executable).parent / "dvht"


def assert_no_abolished_office(text: str, where: str) -> None:
    assert_no_research_labels(text, where)  # the same outputs never show a research label
    for phrase in PHRASES:
        assert phrase not in text, f"{where}: {phrase!r} in\n{text}"
    assert not names_abolished_office(text), f"{where}:\n{text}"


def _client(database: Database, tmp_path: Path, moment: dt.datetime) -> BotClient:
    files = FakeFiles()
    service = build_service(
        database, files=files, evidence_root=tmp_path / "ev", clock=lambda: moment
    )
    return BotClient(service, "lan", files=files, display_name="Lan")


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2025, 7, 1, 8, 0, tzinfo=ZONE),
        dt.datetime(2025, 11, 20, 9, 0, tzinfo=ZONE),
        dt.datetime(2026, 1, 14, 20, 0, tzinfo=ZONE),
        dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZONE),
    ],
)
@pytest.mark.parametrize("unit_type", ["ut:xa", "ut:th", "ut:cqh", "ut:dnt", "ut:thpt"])
async def test_the_chat_after_the_reform(
    database: Database, tmp_path: Path, moment: dt.datetime, unit_type: str
) -> None:
    client = _client(database, tmp_path, moment)
    await client.send("/start")
    for question in QUESTIONS[:5]:  # before a unit exists
        await client.send(question)
        assert_no_abolished_office(client.text, f"{moment:%d/%m/%Y} {question} (no unit)")
    await onboard(client, unit_type=unit_type, province="Hưng Yên")
    for question in QUESTIONS:
        await client.send(question)
        assert_no_abolished_office(client.text, f"{moment:%d/%m/%Y} {unit_type} {question}")


async def test_a_dossier_due_before_the_reform_names_tt24s_office(
    database: Database, tmp_path: Path
) -> None:
    client = _client(database, tmp_path, dt.datetime(2024, 12, 10, 9, 0, tzinfo=ZONE))
    await onboard(client, unit_type="ut:xa")
    await client.send("nộp cho ai")
    assert "Nơi nhận: Phòng Giáo dục và Đào tạo." in client.text
    assert "Người quyết định công nhận: Chủ tịch Ủy ban nhân dân cấp huyện." in client.text


@pytest.fixture
def dvht(tmp_path: Path) -> Any:
    env = {**os.environ, "DVHT_DATA_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)

    def run(*argv: str) -> str:
        done = subprocess.run(
            [str(DVHT), *argv], capture_output=True, text=True, timeout=120, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def test_the_command_line_today(dvht: Any) -> None:
    """Today (December 2026 or later) every dossier is due after the reform."""
    units = []
    for unit_type, tier in (("ubnd_xa", "huyen"), ("pho_thong", "huyen"), ("co_quan", "tinh")):
        out = dvht(
            "unit", "create", "--name", "Đơn vị thử", "--type", unit_type, "--tier", tier,
            "--province", "Hưng Yên",
        )  # fmt: skip
        units.append(out.split("Mã đơn vị: ")[1].split()[0])
    for question in QUESTIONS[:5]:
        assert_no_abolished_office(dvht("ask", question), f"dvht ask {question}")
        for unit in units:
            shown = dvht("ask", question, "--unit", unit)
            assert_no_abolished_office(shown, f"dvht ask {question} --unit {unit}")
    assert_no_abolished_office(dvht("deadline", "list"), "dvht deadline list")
    for unit in units:
        for extra in ((), ("--year", "2025"), ("--year", "2026")):
            shown = dvht("deadline", "list", "--unit", unit, *extra)
            assert_no_abolished_office(shown, f"dvht deadline list --unit {unit} {extra}")
    for tier, unit_type in (("huyen", "ubnd_xa"), ("huyen", "pho_thong"), ("tinh", "co_quan")):
        shown = dvht("rules", "--tier", tier, "--unit-type", unit_type)
        assert_no_abolished_office(shown, f"dvht rules {tier} {unit_type}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize(("tier", "unit_type"), [("huyen", "ubnd_xa"), ("tinh", "pho_thong")])
def test_the_report_names_the_office_of_the_province_plan(
    year: int, tier: str, unit_type: str
) -> None:
    rulebooks = {t: load_rulebook(r) for t, r in TT24_BY_TIER.items()}
    assessment = parse_assessment(
        {
            "tier": tier,
            "unit_type": unit_type,
            "year": year,
            "members": 30,
            "learners": 100 if tier == "tinh" else None,
            "unit_name": "UBND xã Hòa Bình" if unit_type == "ubnd_xa" else "Trường THPT Hòa Bình",
            "province": "Hưng Yên",
            "answers": {"1.1": {"met": True, "evidence": ["Kế hoạch số 1"]}},
        },
        rulebooks,
        load_unit_types(),
    )
    data = report_data(rulebooks[tier], assessment, today=dt.date(year + 1, 1, 5))
    for text in _strings(data):
        assert_no_abolished_office(text, f"report {year} {unit_type}")
    assert_no_abolished_office(RECEIVING_OFFICE, "reports.heading.RECEIVING_OFFICE")
    assert "theo kế hoạch của tỉnh" in RECEIVING_OFFICE
