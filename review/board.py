"""The office's board: what the dashboard and the JSON API show about the units in a viewer's
scope, as plain records, and the rules that word them.

Storage fills these (`storage.board_store`); the pages, the exports and the API only render
them, so a status reads the same everywhere (“đang làm 40%”, “tự đánh giá: mức 1”). The one
computation here that needs the engine is `standing_of` (a unit's self-assessed level and
share of indicators answered): the board caches its result in `assessments.standing_*`, since
evaluating every unit of a province on every page view is out of the question.

**Status keys.** A unit's status on the board is read from its assessment of the year and its
cached standing, in this order: no assessment, or a draft with nothing answered →
"not_started"; a draft with some indicators unanswered → "in_progress"; a draft with every
indicator answered, or a stored "self_assessed" → "self_assessed" (with its level); otherwise
the stored status ("submitted", "returned", "recognised"). `storage.board_sql` says the same in
SQL, so filtering and counting happen in the database.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Literal, get_args

from conversations.context import assessment_of
from conversations.records import AssessmentRecord
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types, rulebook_for

StatusKey = Literal[
    "not_started", "in_progress", "self_assessed", "submitted", "returned", "recognised"
]
STATUS_KEYS: tuple[StatusKey, ...] = get_args(StatusKey)
SortKey = Literal["name", "status", "percent", "days_left"]
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50

STATUS_NAMES: dict[StatusKey, str] = {
    "not_started": "chưa bắt đầu",
    "in_progress": "đang làm",
    "self_assessed": "tự đánh giá",
    "submitted": "đã nộp",
    "returned": "trả lại",
    "recognised": "đã công nhận",
}
"""The filter chips' words; a row's own words are `status_text`."""

LEVEL_WORDS: dict[int, str] = {0: "không đạt", 1: "mức 1", 2: "mức 2"}


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """What the list asks for; the page's GET form, the API's query and the exports share it.
    `year` None: the current assessment year (`dvht_core.vietnam_time.assessment_year`)."""

    year: int | None = None
    status: StatusKey | None = None
    unit_type: str | None = None
    level: int | None = None
    """The self-assessed level (0, 1, 2) of units that answered every indicator."""
    search: str | None = None
    """Part of the unit's name, ignoring case and diacritics (“ha noi” finds “Hà Nội”)."""
    sort: SortKey = "name"
    descending: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit of the list, for the year asked."""

    unit_id: int
    name: str
    unit_type: str
    tier: str
    province: str
    office_id: int | None
    status: StatusKey
    answered: int
    total: int
    level: int | None
    """The self-assessed level once every indicator is answered, else None."""
    submitted_level: int | None
    recognised_level: int | None
    deadline: dt.date
    days_left: int
    """`dvht_core.calendar.days_left`: 1 on the deadline's last day, 0 or less once past."""

    @property
    def percent(self) -> int:
        return percent(self.answered, self.total)

    @property
    def status_text(self) -> str:
        return status_text(self.status, self.percent, self.level, self.recognised_level)

    @property
    def unit_type_name(self) -> str:
        return unit_type_name(self.unit_type)

    @property
    def deadline_text(self) -> str:
        return self.deadline.strftime("%d/%m/%Y")

    @property
    def days_text(self) -> str:
        return days_text(self.days_left)


@dataclass(frozen=True, slots=True)
class UnitPage:
    """One page of the list, with what the filter chips and the pager need."""

    year: int
    rows: tuple[UnitRow, ...]
    total: int
    """Units matching the whole filter (all pages)."""
    page: int
    per_page: int
    counts: dict[StatusKey, int]
    """Units per status under the filter's other conditions (type, level, search)."""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """An indicator's current answer, who gave it and when, and how often it was revised."""

    indicator_id: str
    label: str
    answer: str | None
    """In words (“đạt”, “24 thành viên”); None: not answered."""
    result: str
    """The engine's verdict on it, as the chat says it."""
    level: int | None
    answered_by: str | None = None
    answered_at: dt.datetime | None = None
    revisions: int = 0


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    evidence_id: int
    title: str
    kind: str
    indicator_ids: tuple[str, ...]
    file_name: str | None
    size: int | None
    has_file: bool
    uploaded_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class YearLine:
    """The unit's dossier of one year, for the history across years."""

    year: int
    status: str
    submitted_level: int | None
    recognised_level: int | None
    decision_number: str | None
    decision_date: dt.date | None


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: dt.datetime
    who: str
    what: str
    """In Vietnamese words (`audit_words`)."""


@dataclass(frozen=True, slots=True)
class UnitDetail:
    """Everything the unit's page shows."""

    row: UnitRow
    office_name: str | None
    raw_status: str | None
    """The assessment's stored status; None when the year is not started."""
    members: int | None
    learners: int | None
    result: str | None
    """The engine's conclusion (“Đạt mức độ 1”, with its reason) once started."""
    gaps: tuple[tuple[str, tuple[str, ...]], ...]
    """(“Để đạt mức độ 1”, the indicators' needs) as the chat lists them."""
    answers: tuple[AnswerLine, ...]
    evidence: tuple[EvidenceLine, ...]
    years: tuple[YearLine, ...]
    audit: tuple[AuditLine, ...]
    audit_page: int
    audit_pages: int
    return_reason: str | None
    decision_number: str | None
    decision_date: dt.date | None
    can_review: bool
    """The viewer reviews for the unit's office and the dossier is submitted: “Trả lại” and
    “Công nhận” apply."""


@dataclass(frozen=True, slots=True)
class FailedIndicator:
    indicator_id: str
    label: str
    units: int


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week_start: dt.date
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return percent(self.answered, self.total)


@dataclass(frozen=True, slots=True)
class ChartData:
    year: int
    levels: dict[str, int]
    """"level_2", "level_1", "level_0" (complete, by self-assessed level) and "incomplete"."""
    failed: tuple[FailedIndicator, ...]
    """The indicators most often not reached (answered, yet below level 1), top ten."""
    progress: tuple[WeekPoint, ...] = field(default=())
    """Share of all applicable indicators in scope answered by the end of each week."""
    deadline: dt.date | None = None


def percent(answered: int, total: int) -> int:
    """Whole percent rounded down, exact integers (99.9% never reads 100%); 0 of 0 is 0."""
    return answered * 100 // total if total else 0


def status_key(raw: str | None, answered: int, total: int) -> StatusKey:
    """The board's status of an assessment (module docstring); `raw` None: not started."""
    if raw is None:
        return "not_started"
    if raw == "draft":
        if answered <= 0:
            return "not_started"
        return "self_assessed" if total and answered >= total else "in_progress"
    if raw in ("self_assessed", "submitted", "returned", "recognised"):
        return raw  # type: ignore[return-value]
    return "in_progress"


def status_text(
    key: StatusKey, pct: int, level: int | None, recognised_level: int | None = None
) -> str:
    """“đang làm 40%”, “tự đánh giá: mức 1”, “đã công nhận mức 2” …"""
    if key == "in_progress":
        return f"đang làm {pct}%"
    if key == "self_assessed":
        return f"tự đánh giá: {LEVEL_WORDS.get(level or 0, 'không đạt')}"
    if key == "recognised" and recognised_level:
        return f"đã công nhận {LEVEL_WORDS[recognised_level]}"
    return STATUS_NAMES[key]


def days_text(days_left: int) -> str:
    """“còn 12 ngày”; the day after the last day is “quá hạn 1 ngày” (`days_left` 0)."""
    if days_left >= 1:
        return f"còn {days_left} ngày"
    return f"quá hạn {1 - days_left} ngày"


def unit_type_name(unit_type: str) -> str:
    kind = load_unit_types().get(unit_type)
    return kind.name if kind is not None else unit_type


@functools.cache
def applicable_count(tier: str, unit_type: str) -> int:
    """How many indicators apply to a unit of this tier and type on the current rulebook:
    the total shown for a unit that has not started (“0/13”)."""
    rulebook = load_rulebook(TT24_BY_TIER["tinh" if tier == "tinh" else "huyen"])
    return sum(len(inds) for _, inds in rulebook.plan(unit_type).criteria)


def standing_of(record: AssessmentRecord) -> tuple[int | None, int, int, tuple[str, ...]]:
    """(self-assessed level or None while incomplete, indicators answered, indicators that
    apply, the answered indicators below level 1) of a loaded assessment: the figures
    `assessments.standing_*` cache."""
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    applicable = [i.id for _, inds in rulebook.plan(record.unit.unit_type).criteria for i in inds]
    answered = [i for i in applicable if i in record.answers]
    evaluation = evaluate(rulebook, assessment_of(record))
    failed = tuple(i for i in answered if evaluation.indicators[i].level == 0)
    level = evaluation.level if len(answered) == len(applicable) else None
    return level, len(answered), len(applicable), failed


_ACTIONS: dict[str, str] = {
    "assessment.create": "bắt đầu hồ sơ năm {year}",
    "assessment.totals": "cập nhật tổng số thành viên, người học",
    "answer.record": "trả lời chỉ tiêu {indicator}",
    "evidence.add": "thêm minh chứng",
    "evidence.attach": "thêm tệp vào minh chứng",
    "evidence.remove": "gỡ minh chứng “{title}” khỏi chỉ tiêu {indicator}",
    "evidence.rename": "đổi tên minh chứng “{from}” thành “{to}”",
    "unit.update": "sửa thông tin đơn vị",
    "unit.create": "tạo đơn vị",
    "invite.create": "tạo mã mời",
    "invite.redeem": "tham gia đơn vị bằng mã mời",
    "invite.revoke": "thu hồi mã mời",
    "receiving_office.set": "đặt nơi nhận hồ sơ",
}
STORED_STATUS_WORDS = {
    "draft": "đang làm",
    "self_assessed": "tự đánh giá",
    "submitted": "đã nộp",
    "returned": "trả lại",
    "recognised": "đã công nhận",
}


def audit_words(action: str, details: dict[str, object]) -> str:
    """An audit row as a sentence for the unit's page (“trả lời chỉ tiêu 2.1”)."""
    if action == "assessment.status":
        before = STORED_STATUS_WORDS.get(str(details.get("from")), str(details.get("from")))
        after = STORED_STATUS_WORDS.get(str(details.get("to")), str(details.get("to")))
        return f"chuyển hồ sơ từ “{before}” sang “{after}”"
    template = _ACTIONS.get(action)
    if template is None:
        return action.replace(".", " ").replace("_", " ")
    try:
        return template.format_map({k: str(v) for k, v in details.items()})
    except KeyError:
        return template.split(" {")[0].split(" “{")[0]
