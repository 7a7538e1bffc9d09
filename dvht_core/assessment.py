"""An assessment as the engine sees it, and the checks that turn raw input into one.

`parse_assessment` accepts the evaluate-file format (a mapping parsed from YAML or JSON) and
raises `InputError` naming the field at the first problem, so every channel (CLI, chat,
storage import) rejects bad input the same way. `check_answer` is the per-answer part, reused
by the conversation engine before it stores a single answer.

Every value is bounded by what its field means and by what storage and the reports accept
(`dvht_core.limits`, shared with the chat and storage): an accepted assessment can be stored,
evaluated and printed by every later command. Before these bounds, `year: 99999` or
`level1_decision_date: 9999-12-31` was accepted here and broke every later evaluation of the
unit, a 300,000-character evidence title was accepted by `evaluate` and crashed `import`, and a
50 MB unit name made the PDF renderer abort. Texts are cleaned as the chat cleans them
(`text_hygiene.visible_text`) and quoted back in errors only as a short one-line preview.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, cast

from dvht_core import vietnam_time
from dvht_core.errors import InputError
from dvht_core.limits import (
    EARLIEST_DECISION_YEAR,
    MAX_FREE_TEXT_CHARS,
    MAX_INTEGER,
    MAX_MEMBERS,
    MAX_NAME_CHARS,
    MAX_PROVINCE_CHARS,
    MAX_TITLE_CHARS,
    MAX_YEAR,
)
from dvht_core.model import (
    DIGITAL_LEVELS,
    EMULATION_TITLES,
    TIER_NAMES,
    Indicator,
    Rulebook,
    Tier,
    UnitTypeCatalogue,
)
from dvht_core.record_type import Record
from dvht_core.text_hygiene import has_lone_surrogate, preview, visible_text

# Fields an answer may carry, per indicator kind (evidence and free text are always allowed).
_VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    "yes_no": ("met",),
    "accreditation": ("met",),
    "member_ratio": ("count",),
    "member_learner_ratio": ("count", "learners_count"),
    "emulation_title": ("title",),
    "digital_level": ("dt_level",),
}
_COMMON_FIELDS = ("evidence", "description", "strengths", "weaknesses")
FIRST_TT24_YEAR = 2024
"""TT24 replaced TT22 from the 2024 assessment year (the TT22 rubric says so)."""
EARLIEST_DECISION = dt.date(EARLIEST_DECISION_YEAR, 1, 1)
_FREE_TEXTS = ("description", "strengths", "weaknesses")


class Answer(Record):
    """One indicator's answer; which value field is set depends on the indicator kind."""

    indicator_id: str
    met: bool | None = None
    count: int | None = None
    learners_count: int | None = None
    title: str | None = None
    dt_level: str | None = None
    evidence: tuple[str, ...] = ()
    description: str | None = None
    strengths: str | None = None
    weaknesses: str | None = None


class Assessment(Record):
    """A unit's self-assessment for one year, ready for `evaluate`."""

    tier: Tier
    unit_type: str
    year: int
    members: int | None
    answers: Mapping[str, Answer]
    learners: int | None = None
    level1_decision_date: dt.date | None = None
    unit_name: str | None = None
    province: str | None = None
    extra: Mapping[str, Any] = MappingProxyType({})


def _whole_number(value: Any, where: str, *, minimum: int = 0, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"phải là số nguyên, không phải {_show(value)}.")
    if value < minimum:
        raise InputError(where, f"không được nhỏ hơn {minimum} (đang là {_show(value)}).")
    if value > maximum:
        raise InputError(
            where, f"không được lớn hơn {_thousands(maximum)} (đang là {_show(value)})."
        )
    return value


def _grouped(number: int) -> str:
    """1.000.000: Vietnamese groups thousands with dots."""
    return f"{number:,}".replace(",", ".")


def _thousands(number: int) -> str:
    """A bound as it reads best: grouped, except a year (2100)."""
    return str(number) if number < 10_000 else _grouped(number)


def _too_long(length: int, limit: int) -> str:
    return f"dài {_grouped(length)} ký tự; tối đa {_grouped(limit)} ký tự."


def _show(value: Any) -> str:
    """A value quoted back in an error: short, on one line, printable whatever it was."""
    if isinstance(value, str):
        return f"“{preview(value)}”"
    if value is None:
        return "giá trị rỗng"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        # str() of an int past 4,300 digits raises ValueError (Python's int-string limit).
        return str(value) if abs(value) <= MAX_INTEGER else "một số quá lớn"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return "một bảng khóa–giá trị"
    if isinstance(value, list | tuple):
        return "một danh sách"
    return f"giá trị kiểu {type(value).__name__}"


def _label(key: Any) -> str:
    """A key of the file as part of a field name in an error (keys are untrusted text too)."""
    return preview(key if isinstance(key, str) else _show(key))


def _text(value: Any, where: str, limit: int) -> str | None:
    """Cleaned text (`visible_text`) of at most `limit` characters; None when nothing readable
    is left. Numbers are accepted as their text, as a document reference may be one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(where, "phải là một đoạn văn bản.")
    if isinstance(value, int) and abs(value) > MAX_INTEGER:
        raise InputError(where, "là một số quá lớn, không phải văn bản.")
    raw = value if isinstance(value, str) else str(value)
    if has_lone_surrogate(raw):
        raise InputError(where, "có ký tự Unicode hỏng (nửa cặp UTF-16); hãy gõ lại đoạn này.")
    # Refused before cleaning when over four times the bound: cleaning costs a Python step per
    # character (a 9 MB name would take seconds), and no real text carries three invisible
    # characters for each visible one.
    if len(raw) > 4 * limit:
        raise InputError(where, _too_long(len(raw), limit))
    text = visible_text(raw)
    if len(text) > limit:
        raise InputError(where, _too_long(len(text), limit))
    return text or None


def _evidence(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise InputError(where, "phải là danh sách minh chứng.")
    items: list[str] = []
    for index, item in enumerate(value):
        text = _text(item, f"{where}[{index}]", MAX_TITLE_CHARS)
        if text:
            items.append(text)
    return tuple(items)


def check_answer(
    indicator: Indicator,
    raw: Any,
    *,
    members: int | None,
    learners: int | None,
    where: str | None = None,
) -> Answer:
    """Validate one raw answer mapping against its indicator and the unit's totals."""
    where = where or f"answers.{indicator.id}"
    if not isinstance(raw, Mapping):
        raise InputError(where, "câu trả lời phải có dạng {met: …} hoặc {count: …}.")
    allowed = _VALUE_FIELDS[indicator.kind]
    for key in raw:
        if key not in allowed and key not in _COMMON_FIELDS:
            raise InputError(
                f"{where}.{_label(key)}",
                f"chỉ tiêu {indicator.id} không có trường này (dùng: {', '.join(allowed)}).",
            )
    values: dict[str, Any] = {}
    if indicator.kind in ("yes_no", "accreditation"):
        met = raw.get("met")
        if met is not None and not isinstance(met, bool):
            raise InputError(f"{where}.met", f"phải là true hoặc false, không phải {_show(met)}.")
        values["met"] = met
    elif indicator.kind in ("member_ratio", "member_learner_ratio"):
        values.update(_ratio_values(indicator, raw, members=members, learners=learners, at=where))
    elif indicator.kind == "emulation_title":
        values["title"] = _code(raw.get("title"), EMULATION_TITLES, f"{where}.title")
    else:
        values["dt_level"] = _code(raw.get("dt_level"), DIGITAL_LEVELS, f"{where}.dt_level")
    description, strengths, weaknesses = (
        _text(raw.get(name), f"{where}.{name}", MAX_FREE_TEXT_CHARS) for name in _FREE_TEXTS
    )
    return Answer(
        indicator_id=indicator.id,
        evidence=_evidence(raw.get("evidence"), f"{where}.evidence"),
        description=description,
        strengths=strengths,
        weaknesses=weaknesses,
        **values,
    )


def _ratio_values(
    indicator: Indicator,
    raw: Mapping[str, Any],
    *,
    members: int | None,
    learners: int | None,
    at: str,
) -> dict[str, int | None]:
    values: dict[str, int | None] = {"count": None, "learners_count": None}
    if raw.get("count") is not None:
        count = _whole_number(raw["count"], f"{at}.count", maximum=MAX_MEMBERS)
        if members is None:
            raise InputError("members", "cần khai báo tổng số thành viên để tính tỷ lệ.")
        if count > members:
            raise InputError(
                f"{at}.count", f"số người ({count}) lớn hơn tổng số thành viên ({members})."
            )
        values["count"] = count
    if raw.get("learners_count") is not None:
        learners_count = _whole_number(
            raw["learners_count"], f"{at}.learners_count", maximum=MAX_MEMBERS
        )
        if learners is None:
            raise InputError("learners", "cần khai báo tổng số người học để tính tỷ lệ.")
        if learners_count > learners:
            raise InputError(
                f"{at}.learners_count",
                f"số người học ({learners_count}) lớn hơn tổng số người học ({learners}).",
            )
        values["learners_count"] = learners_count
    return values


def _code(value: Any, vocabulary: Mapping[str, str], where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in vocabulary:
        raise InputError(
            where, f"{_show(value)} không hợp lệ; dùng một trong: {', '.join(vocabulary)}."
        )
    return value


def parse_assessment(
    data: Any,
    rulebooks: Mapping[str, Rulebook],
    unit_types: UnitTypeCatalogue,
    *,
    today: dt.date | None = None,
) -> Assessment:
    """Turn an evaluate-file mapping into an `Assessment`, or raise `InputError`.

    `rulebooks` maps each tier to its rulebook; `unit_types` is the catalogue; `today` (default:
    today in Vietnam) bounds the level-1 decision date, which cannot be in the future.
    """
    if not isinstance(data, Mapping):
        raise InputError("", "tệp phải là một bảng khóa–giá trị (tier, unit_type, answers…).")
    raw_tier = data.get("tier")
    if not isinstance(raw_tier, str) or raw_tier not in rulebooks:
        raise InputError("tier", f"{_show(raw_tier)} không hợp lệ; dùng huyen hoặc tinh.")
    tier = cast(Tier, raw_tier)
    rulebook = rulebooks[tier]
    unit_type_id = data.get("unit_type")
    unit_type = unit_types.get(unit_type_id) if isinstance(unit_type_id, str) else None
    if unit_type is None:
        known = ", ".join(u.id for u in unit_types.unit_types)
        raise InputError(
            "unit_type", f"{_show(unit_type_id)} không hợp lệ; dùng một trong: {known}."
        )
    if tier not in unit_type.tiers:
        where = ", ".join(TIER_NAMES[t] for t in unit_type.tiers)
        raise InputError(
            "unit_type",
            f"loại đơn vị {unit_type.id} không được đánh giá ở {TIER_NAMES[tier]} "
            f"(chỉ ở {where}).",
        )
    year = _whole_number(data.get("year"), "year", minimum=FIRST_TT24_YEAR, maximum=MAX_YEAR)
    members = _total(data.get("members"), "members")
    learners = _total(data.get("learners"), "learners")
    decision = _decision_date(data.get("level1_decision_date"), today or vietnam_time.today())
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise InputError("answers", 'phải là bảng theo mã chỉ tiêu, ví dụ "2.1": {count: 28}.')
    answers: dict[str, Answer] = {}
    for key, raw in raw_answers.items():
        indicator = rulebook.indicator(key) if isinstance(key, str) else None
        if indicator is None and isinstance(key, int | float) and not isinstance(key, bool):
            indicator = rulebook.indicator(str(key))  # `1.1:` read as a number by a caller
        if indicator is None:
            raise InputError(
                f"answers.{_label(key)}",
                f"không có chỉ tiêu {_label(key)} trong bộ tiêu chí {rulebook.id}.",
            )
        if indicator.id in answers:
            raise InputError(f"answers.{indicator.id}", "chỉ tiêu này được trả lời hai lần.")
        answer = check_answer(indicator, raw, members=members, learners=learners)
        if answer.count is not None and members == 0:
            raise InputError("members", "tổng số thành viên phải lớn hơn 0 để tính tỷ lệ.")
        if answer.learners_count is not None and learners == 0:
            raise InputError("learners", "tổng số người học phải lớn hơn 0 để tính tỷ lệ.")
        answers[indicator.id] = answer
    return Assessment(
        tier=tier,
        unit_type=unit_type.id,
        year=year,
        members=members,
        learners=learners,
        answers=answers,
        level1_decision_date=decision,
        unit_name=_text(data.get("unit_name"), "unit_name", MAX_NAME_CHARS),
        province=_text(data.get("province"), "province", MAX_PROVINCE_CHARS),
    )


def _total(value: Any, where: str) -> int | None:
    return None if value is None else _whole_number(value, where, maximum=MAX_MEMBERS)


def _decision_date(value: Any, today: dt.date) -> dt.date | None:
    """The level-1 recognition decision: a real past date, not before the scheme it belongs to
    (a far-future date made the 12-month wait overflow the calendar in every later command)."""
    where = "level1_decision_date"
    if value is None:
        return None
    day: dt.date
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = value if isinstance(value, str) else None
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INTEGER:
            text = str(value)  # 20250210, the ISO basic form, as before
        parsed = None
        if text is not None:
            try:
                parsed = dt.date.fromisoformat(text.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            raise InputError(where, f"{_show(value)} không phải ngày dạng 2025-02-10.")
        day = parsed
    if day < EARLIEST_DECISION:
        raise InputError(
            where, f"ngày {day:%d/%m/%Y} sớm hơn năm {EARLIEST_DECISION_YEAR}; hãy kiểm tra lại."
        )
    if day > today:
        raise InputError(where, f"ngày {day:%d/%m/%Y} ở tương lai (hôm nay là {today:%d/%m/%Y}).")
    return day
