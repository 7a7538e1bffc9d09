"""An assessment as the engine sees it, and the checks that turn raw input into one.

`parse_assessment` accepts the evaluate-file format (a mapping parsed from YAML or JSON) and
raises `InputError` naming the field at the first problem, so every channel (CLI, chat,
storage import) rejects bad input the same way. `check_answer` is the per-answer part, reused
by the conversation engine before it stores a single answer.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, cast

from dvht_core.errors import InputError
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


def nfc(text: str) -> str:
    """Normalise user text to NFC so comparisons and reports behave the same for any keyboard."""
    return unicodedata.normalize("NFC", text)


def _whole_number(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"phải là số nguyên, không phải {_show(value)}.")
    if value < minimum:
        raise InputError(where, f"không được nhỏ hơn {minimum} (đang là {value}).")
    return value


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value[:40]}”"
    if value is None:
        return "giá trị rỗng"
    return str(value)


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(where, "phải là một đoạn văn bản.")
    text = nfc(str(value)).strip()
    return text or None


def _evidence(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InputError(where, "phải là danh sách minh chứng.")
    items: list[str] = []
    for index, item in enumerate(value):
        text = _text(item, f"{where}[{index}]")
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
                f"{where}.{key}",
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
    return Answer(
        indicator_id=indicator.id,
        evidence=_evidence(raw.get("evidence"), f"{where}.evidence"),
        description=_text(raw.get("description"), f"{where}.description"),
        strengths=_text(raw.get("strengths"), f"{where}.strengths"),
        weaknesses=_text(raw.get("weaknesses"), f"{where}.weaknesses"),
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
        count = _whole_number(raw["count"], f"{at}.count")
        if members is None:
            raise InputError("members", "cần khai báo tổng số thành viên để tính tỷ lệ.")
        if count > members:
            raise InputError(
                f"{at}.count", f"số người ({count}) lớn hơn tổng số thành viên ({members})."
            )
        values["count"] = count
    if raw.get("learners_count") is not None:
        learners_count = _whole_number(raw["learners_count"], f"{at}.learners_count")
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
    data: Any, rulebooks: Mapping[str, Rulebook], unit_types: UnitTypeCatalogue
) -> Assessment:
    """Turn an evaluate-file mapping into an `Assessment`, or raise `InputError`.

    `rulebooks` maps each tier to its rulebook; `unit_types` is the catalogue.
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
    year = _whole_number(data.get("year"), "year", minimum=2024)
    members = None if data.get("members") is None else _whole_number(data["members"], "members")
    learners = (
        None if data.get("learners") is None else _whole_number(data["learners"], "learners")
    )
    decision = data.get("level1_decision_date")
    if decision is not None and not isinstance(decision, dt.date):
        try:
            decision = dt.date.fromisoformat(str(decision))
        except ValueError:
            raise InputError(
                "level1_decision_date", f"{_show(decision)} không phải ngày dạng 2025-02-10."
            ) from None
    raw_answers = data.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        raise InputError("answers", 'phải là bảng theo mã chỉ tiêu, ví dụ "2.1": {count: 28}.')
    answers: dict[str, Answer] = {}
    for key, raw in raw_answers.items():
        indicator = rulebook.indicator(str(key))
        if indicator is None:
            raise InputError(
                f"answers.{key}", f"không có chỉ tiêu {key} trong bộ tiêu chí {rulebook.id}."
            )
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
        unit_name=_text(data.get("unit_name"), "unit_name"),
        province=_text(data.get("province"), "province"),
    )
