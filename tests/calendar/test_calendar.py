"""The legal calendar as data: the dossier deadline, effective deadlines, the reminder days,
the upgrade and expiry dates, the dates of a year, and the data's own checks (issue 13)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from dvht_core import calendar
from dvht_core.calendar_data import CALENDAR_DIR, load_calendar, load_holidays, load_provinces
from dvht_core.errors import RulebookError
from dvht_core.vietnam_time import ZONE
from tests.research_labels import research_labels, source_ids

D = dt.date


def test_the_dossier_is_due_before_15_january_of_the_next_year() -> None:
    assert calendar.dossier_deadline(2026) == D(2027, 1, 15)
    assert calendar.dossier_deadline(2024) == D(2025, 1, 15)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (D(2026, 12, 6), 2026),
        (D(2027, 1, 10), 2026),
        (D(2027, 1, 15), 2026),
        (D(2027, 1, 16), 2027),
        (D(2027, 6, 1), 2027),
        (D(2026, 1, 1), 2025),
    ],
)
def test_a_date_counts_towards_the_first_dossier_due_on_or_after_it(day: D, year: int) -> None:
    assert calendar.dossier_year(day) == year


def test_an_office_date_only_brings_the_deadline_forward() -> None:
    assert calendar.effective_deadline(2026) == D(2027, 1, 15)
    assert calendar.effective_deadline(2026, [D(2026, 12, 20), D(2027, 1, 5)]) == D(2026, 12, 20)
    assert calendar.effective_deadline(2026, [D(2027, 2, 1)]) == D(2027, 1, 15)


def test_days_left_count_to_the_before_date() -> None:
    assert calendar.days_left(D(2027, 1, 15), D(2027, 1, 14)) == 1
    assert calendar.days_left(D(2027, 1, 15), D(2026, 12, 16)) == 30
    assert calendar.days_left(D(2027, 1, 15), D(2027, 1, 15)) == 0


def test_reminders_fall_at_eight_local_on_each_offset() -> None:
    schedule = calendar.reminder_schedule(D(2027, 1, 15))
    assert [kind for kind, _ in schedule] == ["T-30", "T-14", "T-7", "T-3", "T-1"]
    first = schedule[0][1]
    assert first == dt.datetime(2026, 12, 16, 8, 0, tzinfo=ZONE)
    assert first.utcoffset() == dt.timedelta(0)  # given in UTC: 01:00
    assert schedule[-1][1] == dt.datetime(2027, 1, 14, 1, 0, tzinfo=dt.UTC)
    assert calendar.REMINDER_OFFSETS == (30, 14, 7, 3, 1)
    assert dt.time(8, 0) == calendar.REMINDER_HOUR


def test_the_upgrade_opens_twelve_months_after_the_level_1_decision() -> None:
    assert calendar.upgrade_opens(D(2025, 2, 10)) == D(2026, 2, 10)
    assert calendar.upgrade_opens(D(2024, 2, 29)) == D(2025, 2, 28)


def test_a_recognition_lapses_three_years_after_the_assessment_year() -> None:
    # The configured reading: the 3 years follow the assessment year (2025 → 2026–2028).
    assert load_calendar().validity.reading == "assessment_year"
    assert load_calendar().validity.uncertain
    assert calendar.recognition_lapses(2025, D(2026, 2, 10)) == D(2029, 1, 1)
    assert calendar.expiry_reminder_day(2025, D(2026, 2, 10)) == D(2028, 11, 2)


def test_the_other_reading_is_one_edit_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "calendar"
    shutil.copytree(CALENDAR_DIR, copy)
    path = copy / "calendar.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("reading: assessment_year", "reading: decision_year"), encoding="utf-8"
    )
    data = load_calendar(copy)
    assert data.validity.reading == "decision_year"
    monkeypatch.setattr(calendar, "load_calendar", lambda: data)
    assert calendar.recognition_lapses(2025, D(2026, 2, 10)) == D(2030, 1, 1)
    assert calendar.recognition_lapses(2025) == D(2030, 1, 1)


def test_a_year_lists_its_dates_with_their_sources() -> None:
    found = calendar.year_entries(2026, tier="huyen", unit_type="ubnd_xa", province="Hà Nội")
    keys = [e.key for e in found]
    assert keys == ["data_year", "dossier", "completion"]
    data_year = found[0]
    assert (data_year.first_day, data_year.day) == (D(2026, 1, 1), D(2026, 12, 31))
    assert found[1].day == D(2027, 1, 15)
    assert found[1].source.startswith("Thông tư 24/2023/TT-BGDĐT, Điều 10")
    assert found[2].day == D(2027, 2, 15)
    assert found[2].uncertain
    assert found[2].note


def test_schools_get_the_4725_date_and_the_province_tier_no_completion_date() -> None:
    keys = [e.key for e in calendar.year_entries(2026, tier="tinh", unit_type="pho_thong")]
    assert keys == ["digital_self_assessment", "data_year", "dossier"]


def test_hung_yen_adds_its_plan_dates_flagged_uncertain() -> None:
    found = calendar.year_entries(
        2026, tier="huyen", unit_type="co_quan", province="tỉnh Hưng Yên"
    )
    plan = [e for e in found if e.key in ("district_results_to_department", "department_report")]
    assert [e.day for e in plan] == [D(2027, 4, 30), D(2027, 5, 31)]
    assert all(e.uncertain and e.note for e in plan)
    assert "Hưng Yên" in plan[0].source
    # Only there: a unit of Hà Nội has no such dates.
    other = calendar.year_entries(2026, tier="huyen", unit_type="co_quan", province="Hà Nội")
    assert not [e for e in other if e.key == "department_report"]


def test_no_user_visible_text_of_the_data_holds_a_research_label() -> None:
    data = load_calendar()
    shown: list[str] = []
    for entry in (*data.entries, *data.provincial):
        shown += [entry.text, entry.source, entry.note or ""]
    shown += [data.upgrade.text, data.upgrade.source, data.upgrade.note or ""]
    shown += [data.validity.text, data.validity.source, data.validity.note or ""]
    for era in data.offices:
        for office in (era.huyen, era.tinh):
            shown += [office.office, office.authority, office.source, office.note or ""]
            shown += [office.likely_office or "", office.likely_authority or ""]
            shown += [n.text for n in office.note_for]
    holidays = load_holidays()
    for year in holidays.years:
        shown += [year.source] + [f"{d.name} {d.note or ''}" for d in year.days]
    provinces = load_provinces()
    shown += [provinces.source, provinces.note or ""]
    for text in shown:
        assert not research_labels(text), (text, research_labels(text))


def test_the_data_is_validated_on_load(tmp_path: Path) -> None:
    for name, old, new in [
        ("calendar.yaml", 'date: "01-15"', 'date: "02-30"'),
        (
            "calendar.yaml",
            'source: "Thông tư 24/2023/TT-BGDĐT, Điều 10 khoản 1 điểm b',
            'source: "HY-PLAN',
        ),
        ("calendar.yaml", "until: 2025-06-30", "until: 2025-06-29"),
        ("holidays.yaml", "to: 2026-02-22", "to: 2026-02-01"),
        (
            "calendar.yaml",
            '    uncertain: true\n    note: "Ngày 15/02',
            '    uncertain: true\n    nope: "Ngày 15/02',
        ),
    ]:
        copy = tmp_path / f"c{len(list(tmp_path.iterdir()))}"
        shutil.copytree(CALENDAR_DIR, copy)
        path = copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        loader = load_holidays if name == "holidays.yaml" else load_calendar
        with pytest.raises(RulebookError, match=name):
            loader(copy)


def test_every_basis_names_an_id_of_docs_sources() -> None:
    ids = set(source_ids(research_only=False))
    data, holidays = load_calendar(), load_holidays()
    trails = [e.basis for e in (*data.entries, *data.provincial)]
    trails += [data.upgrade.basis, data.validity.basis, holidays.law.basis]
    trails += [o.basis for era in data.offices for o in (era.huyen, era.tinh)]
    trails += [y.basis for y in holidays.years] + [load_provinces().basis]
    for basis in trails:
        tokens = set(re.findall(r"[A-Z0-9][A-Z0-9-]*[A-Z0-9]", basis))
        assert tokens, basis
        assert tokens <= ids, basis
