"""The calendar's writers ask for the reminders to be planned again after each committed
change (`cli/replan.py`), with what changed; a refused change asks for nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cli import replan
from cli.main import main
from dvht_core import calendar, vietnam_time
from storage.db import Database

NEXT = vietnam_time.assessment_year(vietnam_time.today()) + 1
EARLY = calendar.dossier_deadline(NEXT) - dt.timedelta(days=10)


def test_add_remove_and_office_each_replan_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DVHT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    seen: list[replan.CalendarChange] = []

    async def planner(database: Database, change: replan.CalendarChange) -> None:
        assert isinstance(database, Database)
        seen.append(change)

    monkeypatch.setattr(replan, "REPLANNERS", [planner])
    date = EARLY.strftime("%d/%m/%Y")
    argv = ["deadline", "add", "--province", "hưng yên", "--date", date, "--title", "Hạn"]
    assert main(argv) == 0
    deadline_id = capsys.readouterr().out.split("Mã hạn: ")[1].split()[0]
    assert seen == [replan.CalendarChange("deadline.add", year=NEXT, province="Hưng Yên")]
    assert main(["deadline", "remove", deadline_id]) == 0
    assert seen[-1] == replan.CalendarChange("deadline.remove", year=NEXT, province="Hưng Yên")
    office = ["deadline", "office", "--province", "Hưng Yên", "--tier", "tinh", "--office", "Sở"]
    assert main(office) == 0
    assert seen[-1] == replan.CalendarChange("office.set", province="Hưng Yên")
    assert len(seen) == 3
    # Refused: nothing committed, nothing re-planned.
    assert main(["deadline", "remove", deadline_id]) == 2
    assert main([*argv[:-1], ""]) == 2
    assert len(seen) == 3
