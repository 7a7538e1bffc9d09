"""The board's reads for the dashboard, the JSON API and the exports (`review.board` records).

Every read starts from the viewer's person id: the offices they review for and the units they
administer are read from the database in the read's own transaction, never taken from the
client. A unit outside that scope is `NotFound`, exactly like a unit that does not exist, so
the answer does not tell a prober which unit ids exist.

**Fresh standing first.** Before listing, the stale standings of the scope (`standing_at IS
NULL`, found through a partial index) are recomputed with the engine in batches of
`REFRESH_BATCH` units, each batch one write transaction that locks its rows (PostgreSQL: `FOR
UPDATE`; SQLite has one writer at a time), reloads them, evaluates and writes the figures
back: an answer committed meanwhile waits for the lock and then marks the row stale again, so a
figure is never newer than its answers claim. Then one statement counts the statuses and
reads the page over the board computed once.

The first view after the upgrade that added the cache finds every standing stale and waits for
all of them (about 0.7 ms a unit on SQLite, `bench/dashboard_bench.py`: some 35 s for a
province of 50,000 units, once); later views recompute only what changed since.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import JSON, BindParameter, bindparam, text
from sqlmodel import Session

from conversations.catalogue import answer_text
from conversations.context import assessment_of
from conversations.errors import NotFound
from conversations.records import Actor, AssessmentRecord
from dvht_core import vietnam_time
from dvht_core.calendar import days_left, dossier_deadline
from dvht_core.evaluate import LEVEL_NAMES, evaluate
from dvht_core.gaps import gaps_to_reach
from dvht_core.loader import TT24_BY_TIER, load_rulebook, rulebook_for
from dvht_core.provinces import same_province
from review.board import (
    STATUS_KEYS,
    AnswerLine,
    AuditLine,
    ChartData,
    EvidenceLine,
    FailedIndicator,
    StatusKey,
    UnitDetail,
    UnitFilter,
    UnitPage,
    UnitRow,
    WeekPoint,
    YearLine,
    applicable_count,
    audit_words,
    standing_of,
    status_key,
)
from storage import assessment_sql, board_sql, calendar_store, progress_store
from storage.db import Database
from storage.search_name import fold
from storage.types import UTCDateTime, utcnow
from storage.uow import read, transaction

REFRESH_BATCH = 500
AUDIT_PAGE = 20
EXPORT_BATCH = 500

_SCOPE_OFFICES = text("SELECT office_id FROM reviewer_scopes WHERE person_id = :pid")
_SCOPE_UNITS = text(
    "SELECT unit_id FROM memberships WHERE person_id = :pid AND role = 'unit_admin'"
)
_UNFOLDED = text("SELECT id, name FROM units WHERE search_name IS NULL")
_FOLD = text("UPDATE units SET search_name = :folded WHERE id = :id AND search_name IS NULL")
_STALE_IDS = (
    "SELECT a.unit_id FROM assessments a JOIN units u ON u.id = a.unit_id "
    "WHERE a.year = :year AND a.standing_at IS NULL AND {scope} ORDER BY a.unit_id"
)
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_LOCK = text(
    "SELECT id FROM assessments WHERE unit_id IN :ids AND year = :year "
    "AND standing_at IS NULL ORDER BY id FOR UPDATE"
).bindparams(_IDS)
_WRITE_STANDING = text(
    "UPDATE assessments SET standing_level = :level, standing_answered = :answered, "
    "standing_total = :total, standing_failed = :failed, standing_at = :at "
    "WHERE id = :id AND standing_at IS NULL"
).bindparams(bindparam("at", type_=UTCDateTime))


@dataclass(frozen=True, slots=True)
class Scope:
    offices: list[int]
    units: list[int]

    @property
    def empty(self) -> bool:
        return not self.offices and not self.units


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A unit of an export: its board row and its current answers (indicator → value)."""

    row: UnitRow
    answers: dict[str, dict[str, Any]]


def current_year(today: dt.date | None = None) -> int:
    """The assessment year the board shows by default: the one the reminders count towards."""
    return vietnam_time.assessment_year(today or vietnam_time.today())


def _scope(session: Session, person_id: int) -> Scope:
    connection = session.connection()
    offices = sorted(r[0] for r in connection.execute(_SCOPE_OFFICES, {"pid": person_id}))
    units = sorted(r[0] for r in connection.execute(_SCOPE_UNITS, {"pid": person_id}))
    return Scope(offices, units)


def _deadline_maps(
    session: Session, year: int
) -> tuple[dt.date, dict[int, dt.date], dict[str, dt.date]]:
    """The legal deadline and the earliest date per office and per province spelling (as
    units spell it), from the dates offices set for `year` (`calendar_store.deadlines`)."""
    legal = dossier_deadline(year)
    office_days: dict[int, dt.date] = {}
    province_rows = []
    for d in calendar_store.deadlines(session, year=year):
        if d.office_id is not None:
            office_days[d.office_id] = min(d.day, office_days.get(d.office_id, d.day))
        if d.province is not None:
            province_rows.append(d)
    province_days: dict[str, dt.date] = {}
    if province_rows:
        spellings = [r[0] for r in session.connection().execute(_PROVINCES)]
        for spelling in spellings:
            for d in province_rows:
                assert d.province is not None
                if _same_province(spelling, d.province):
                    province_days[spelling] = min(d.day, province_days.get(spelling, d.day))
    return legal, office_days, province_days


_PROVINCES = text("SELECT DISTINCT province FROM units")


@functools.lru_cache(maxsize=4096)
def _same_province(spelling: str, province: str) -> bool:
    """`dvht_core.provinces.same_province`, remembered: a pure function of two names, asked
    for every spelling of every province on every page view."""
    return same_province(spelling, province)


def _row(r: Any, today: dt.date) -> UnitRow:
    deadline = dt.date.fromordinal(int(r["deadline_day"]))
    return UnitRow(
        unit_id=r["unit_id"],
        name=r["name"],
        unit_type=r["unit_type"],
        tier=r["tier"],
        province=r["province"],
        office_id=r["office_id"],
        status=r["status_key"],
        answered=r["standing_answered"] or 0,
        total=r["standing_total"] or applicable_count(r["tier"], r["unit_type"]),
        level=r["standing_level"],
        submitted_level=r["submitted_level"],
        recognised_level=r["recognised_level"],
        deadline=deadline,
        days_left=days_left(deadline, today),
    )


class BoardStore:
    """The board's reads over one database; `today` is Vietnam's date unless a test says."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # --- keeping the cache fresh ------------------------------------------------------------

    async def refresh(self, person_id: int, year: int, unit_ids: Sequence[int] = ()) -> int:
        """Recompute the stale standings of the viewer's scope (or of `unit_ids` in it);
        return how many were recomputed."""

        def stale(session: Session) -> tuple[list[int], list[tuple[int, str]]]:
            scope = _scope(session, person_id)
            params: dict[str, Any] = {"year": year}
            where = board_sql.scope_sql(scope.offices, scope.units, params)
            connection = session.connection()
            found = [
                r[0] for r in connection.execute(text(_STALE_IDS.format(scope=where)), params)
            ]
            if unit_ids:
                wanted = set(unit_ids)
                found = [u for u in found if u in wanted]
            return found, [(r[0], r[1]) for r in connection.execute(_UNFOLDED)]

        ids, unfolded = await read(self.database, stale)
        for start in range(0, len(ids), REFRESH_BATCH):
            batch = ids[start : start + REFRESH_BATCH]
            await transaction(self.database, partial(_recompute, unit_ids=batch, year=year))
        if unfolded:
            await transaction(self.database, partial(_fold, rows=unfolded))
        return len(ids)

    # --- the list ---------------------------------------------------------------------------

    async def units(
        self, person_id: int, unit_filter: UnitFilter, *, today: dt.date | None = None
    ) -> UnitPage:
        """One page of the units in the viewer's scope, with the status counts."""
        today = today or vietnam_time.today()
        year = unit_filter.year or current_year(today)
        await self.refresh(person_id, year)
        return await read(self.database, lambda s: _page(s, person_id, unit_filter, year, today))

    async def export(
        self, person_id: int, unit_filter: UnitFilter, *, today: dt.date | None = None
    ) -> AsyncIterator[list[ExportRow]]:
        """Every unit of the filter (all pages), sorted as asked, in batches with their
        current answers: the exports write each batch and forget it."""
        today = today or vietnam_time.today()
        year = unit_filter.year or current_year(today)
        await self.refresh(person_id, year)
        ids = await read(self.database, lambda s: _matching_ids(s, person_id, unit_filter, year))
        for start in range(0, len(ids), EXPORT_BATCH):
            batch = ids[start : start + EXPORT_BATCH]
            work = partial(
                _export_batch, person_id=person_id, unit_ids=batch, year=year, today=today
            )
            yield await read(self.database, work)

    # --- one unit ---------------------------------------------------------------------------

    async def detail(
        self,
        person_id: int,
        unit_id: int,
        *,
        year: int | None = None,
        audit_page: int = 1,
        today: dt.date | None = None,
    ) -> UnitDetail:
        """The unit's page; NotFound when it does not exist or is outside the viewer's scope
        (the same answer for both, so the page does not reveal which ids exist)."""
        today = today or vietnam_time.today()
        year = year or current_year(today)
        await self.refresh(person_id, year, (unit_id,))
        return await read(
            self.database,
            lambda s: _detail(s, person_id, unit_id, year, max(1, audit_page), today),
        )

    async def evidence_file(
        self, person_id: int, unit_id: int, evidence_id: int
    ) -> tuple[str, str, str]:
        """(storage key, file name, MIME type) of an evidence item of the unit with a file;
        NotFound when the item is not the unit's, has no file, or the unit is out of scope."""

        def work(session: Session) -> tuple[str, str, str]:
            _unit_in_scope(session, person_id, unit_id)
            row = (
                session.connection()
                .execute(
                    text(
                        "SELECT e.storage_key, e.original_name, e.mime_type, e.title "
                        "FROM evidence e JOIN assessments a ON a.id = e.assessment_id "
                        "WHERE e.id = :eid AND a.unit_id = :uid"
                    ),
                    {"eid": evidence_id, "uid": unit_id},
                )
                .first()
            )
            if row is None or row[0] is None:
                raise NotFound(f"evidence {evidence_id} of unit {unit_id}")
            return row[0], row[1] or row[3], row[2] or "application/octet-stream"

        return await read(self.database, work)

    async def report_records(
        self, person_id: int, unit_filter: UnitFilter, *, today: dt.date | None = None
    ) -> AsyncIterator[tuple[UnitRow, AssessmentRecord | None]]:
        """Each unit of the filter with its loaded assessment (None: not started), one at a
        time: the ZIP of reports renders and writes one before loading the next."""
        year = unit_filter.year or current_year(today)
        async for batch in self.export(person_id, unit_filter, today=today):
            for item in batch:
                work = partial(
                    assessment_sql.load_for_unit,
                    actor=Actor.operator(),
                    unit_id=item.row.unit_id,
                    year=year,
                )
                yield item.row, await read(self.database, work)

    # --- charts -----------------------------------------------------------------------------

    async def charts(
        self, person_id: int, *, year: int | None = None, today: dt.date | None = None
    ) -> ChartData:
        today = today or vietnam_time.today()
        year = year or current_year(today)
        await self.refresh(person_id, year)
        return await read(self.database, lambda s: _charts(s, person_id, year, today))


def _fold(session: Session, *, rows: list[tuple[int, str]]) -> None:
    """Fill `units.search_name` of rows written without the ORM (a partial index finds them;
    normally there are none)."""
    connection = session.connection()
    for unit_id, name in rows:
        connection.execute(_FOLD, {"folded": fold(name), "id": unit_id})


def _recompute(session: Session, *, unit_ids: list[int], year: int) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"ids": unit_ids, "year": year}).all()
    loaded = progress_store.load_in(session, unit_ids, year)
    now = utcnow()
    for progress in loaded.values():
        if not progress.started:
            continue
        level, answered, total, failed = standing_of(progress.assessment)
        connection.execute(
            _WRITE_STANDING,
            {
                "level": level,
                "answered": answered,
                "total": total,
                "failed": ",".join(failed),
                "at": now,
                "id": progress.assessment.id,
            },
        )


def _board(
    session: Session, person_id: int, unit_filter: UnitFilter, year: int
) -> tuple[str, dict[str, Any]]:
    scope = _scope(session, person_id)
    params: dict[str, Any] = {"year": year}
    legal, office_days, province_days = _deadline_maps(session, year)
    deadline = board_sql.deadline_case(legal, office_days, province_days, params)
    where = board_sql.scope_sql(scope.offices, scope.units, params)
    return board_sql.board_cte(where, deadline, unit_filter, params), params


def _page(
    session: Session, person_id: int, unit_filter: UnitFilter, year: int, today: dt.date
) -> UnitPage:
    cte, params = _board(session, person_id, unit_filter, year)
    statement = board_sql.counts_and_page(cte, unit_filter, params)
    counts: dict[StatusKey, int] = dict.fromkeys(STATUS_KEYS, 0)
    rows = []
    for r in session.connection().execute(text(statement), params):
        found = r._mapping
        if found["tag"] == "c":
            counts[found["count_key"]] = int(found["n"])
        else:
            rows.append(_row(found, today))
    total = counts[unit_filter.status] if unit_filter.status else sum(counts.values())
    return UnitPage(
        year=year,
        rows=tuple(rows),
        total=total,
        page=unit_filter.page,
        per_page=unit_filter.per_page,
        counts=counts,
    )


def _matching_ids(
    session: Session, person_id: int, unit_filter: UnitFilter, year: int
) -> list[int]:
    cte, params = _board(session, person_id, unit_filter, year)
    page_where = board_sql.where(unit_filter, params, status=True)
    rows = session.connection().execute(
        text(f"{cte}SELECT b.unit_id FROM b WHERE {page_where} {board_sql.order_by(unit_filter)}"),
        params,
    )
    return [r[0] for r in rows]


_EXPORT_ANSWERS = (
    text(
        "SELECT a.unit_id, r.indicator_id, r.value FROM answer_revisions r "
        "JOIN (SELECT max(r0.id) AS last_id FROM answer_revisions r0 "
        "JOIN assessments a0 ON a0.id = r0.assessment_id "
        "WHERE a0.unit_id IN :ids AND a0.year = :year GROUP BY r0.assessment_id, "
        "r0.indicator_id) f ON f.last_id = r.id "
        "JOIN assessments a ON a.id = r.assessment_id"
    )
    .bindparams(_IDS)
    .columns(value=JSON)
)


def _export_batch(
    session: Session, *, person_id: int, unit_ids: list[int], year: int, today: dt.date
) -> list[ExportRow]:
    unit_filter = UnitFilter(year=year)
    cte, params = _board(session, person_id, unit_filter, year)
    marks = []
    for n, unit_id in enumerate(unit_ids):
        params[f"ex_{n}"] = unit_id
        marks.append(f":ex_{n}")
    connection = session.connection()
    rows = {
        r._mapping["unit_id"]: _row(r._mapping, today)
        for r in connection.execute(
            text(
                f"{cte}SELECT {board_sql.ROW_COLUMNS} FROM b "
                f"WHERE b.unit_id IN ({', '.join(marks)})"
            ),
            params,
        )
    }
    answers: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for unit_id, indicator_id, value in connection.execute(
        _EXPORT_ANSWERS, {"ids": unit_ids, "year": year}
    ):
        answers[unit_id][indicator_id] = dict(value)
    return [ExportRow(rows[u], answers[u]) for u in unit_ids if u in rows]


def _unit_in_scope(session: Session, person_id: int, unit_id: int) -> None:
    """NotFound unless the unit exists and the viewer reviews its office or administers it."""
    found = (
        session.connection()
        .execute(
            text(
                "SELECT 1 FROM units u WHERE u.id = :uid AND (EXISTS (SELECT 1 FROM "
                "reviewer_scopes rs WHERE rs.person_id = :pid AND rs.office_id = u.office_id) "
                "OR EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = :pid "
                "AND m.unit_id = u.id AND m.role = 'unit_admin'))"
            ),
            {"uid": unit_id, "pid": person_id},
        )
        .first()
    )
    if found is None:
        raise NotFound(f"unit {unit_id}")


def _detail(
    session: Session, person_id: int, unit_id: int, year: int, audit_page: int, today: dt.date
) -> UnitDetail:
    _unit_in_scope(session, person_id, unit_id)
    connection = session.connection()
    cte, params = _board(session, person_id, UnitFilter(year=year), year)
    params["only"] = unit_id
    found = connection.execute(
        text(f"{cte}SELECT {board_sql.ROW_COLUMNS} FROM b WHERE b.unit_id = :only"), params
    ).first()
    if found is None:  # inactive
        raise NotFound(f"unit {unit_id}")
    row = _row(found._mapping, today)
    record = assessment_sql.load_for_unit(
        session, actor=Actor.operator(), unit_id=unit_id, year=year
    )
    info = connection.execute(
        text(
            "SELECT o.name, a.status, a.members, a.learners, a.return_reason, "
            "a.recognition_decision_number, a.recognition_decision_date "
            "FROM units u LEFT JOIN offices o ON o.id = u.office_id "
            "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year WHERE u.id = :uid"
        ),
        {"uid": unit_id, "year": year},
    ).one()
    reviews = (
        connection.execute(
            text(
                "SELECT 1 FROM reviewer_scopes rs JOIN units u ON u.office_id = rs.office_id "
                "WHERE rs.person_id = :pid AND u.id = :uid"
            ),
            {"pid": person_id, "uid": unit_id},
        ).first()
        is not None
    )
    result, gaps, answers, evidence = _assessment_parts(session, record, row)
    audit, audit_pages = _audit(session, unit_id, audit_page)
    decision_date = info[6]
    if isinstance(decision_date, str):
        decision_date = dt.date.fromisoformat(decision_date)
    return UnitDetail(
        row=row,
        office_name=info[0],
        raw_status=info[1],
        members=info[2],
        learners=info[3],
        result=result,
        gaps=gaps,
        answers=answers,
        evidence=evidence,
        years=_years(session, unit_id),
        audit=audit,
        audit_page=min(audit_page, audit_pages),
        audit_pages=audit_pages,
        return_reason=info[4],
        decision_number=info[5],
        decision_date=decision_date,
        can_review=reviews and info[1] == "submitted",
    )


def _assessment_parts(
    session: Session, record: AssessmentRecord | None, row: UnitRow
) -> tuple[
    str | None,
    tuple[tuple[str, tuple[str, ...]], ...],
    tuple[AnswerLine, ...],
    tuple[EvidenceLine, ...],
]:
    if record is None:
        rulebook = load_rulebook(TT24_BY_TIER[row.tier])
        answers = tuple(
            AnswerLine(i.id, f"Chỉ tiêu {i.id} ({i.short})", None, "chưa trả lời", None)
            for _, inds in rulebook.plan(row.unit_type).criteria
            for i in inds
        )
        return None, (), answers, ()
    rulebook = rulebook_for(record.ruleset_id, record.ruleset_version)
    assessment = assessment_of(record)
    evaluation = evaluate(rulebook, assessment)
    complete = row.level is not None
    result = (
        f"{LEVEL_NAMES[evaluation.level]}. {evaluation.reason}"
        if complete
        else f"Đã trả lời {row.answered}/{row.total} chỉ tiêu; kết quả có khi trả lời đủ."
    )
    gaps = tuple(
        (f"Để đạt mức độ {section.target}", tuple(g.text for g in section.indicators))
        for section in gaps_to_reach(rulebook, assessment, evaluation)
    )
    revisions = {
        r[0]: int(r[1])
        for r in session.connection().execute(
            text(
                "SELECT indicator_id, count(*) FROM answer_revisions "
                "WHERE assessment_id = :aid GROUP BY indicator_id"
            ),
            {"aid": record.id},
        )
    }
    lines = []
    for _, inds in rulebook.plan(record.unit.unit_type).criteria:
        for indicator in inds:
            answer = record.answers.get(indicator.id)
            verdict = evaluation.indicators[indicator.id]
            lines.append(
                AnswerLine(
                    indicator_id=indicator.id,
                    label=f"Chỉ tiêu {indicator.id} ({indicator.short})",
                    answer=answer_text(dict(answer.value)) if answer is not None else None,
                    result=verdict.reason,
                    level=verdict.level,
                    answered_by=answer.answered_by_name if answer is not None else None,
                    answered_at=answer.answered_at if answer is not None else None,
                    revisions=revisions.get(indicator.id, 0),
                )
            )
    evidence = tuple(
        EvidenceLine(
            evidence_id=e.id,
            title=e.title,
            kind=e.kind,
            indicator_ids=e.indicator_ids,
            file_name=e.original_name,
            size=e.size,
            has_file=e.storage_key is not None,
            uploaded_at=e.uploaded_at,
        )
        for e in record.evidence
    )
    return result, gaps, tuple(lines), evidence


def _audit(session: Session, unit_id: int, page: int) -> tuple[tuple[AuditLine, ...], int]:
    connection = session.connection()
    total = connection.execute(
        text("SELECT count(*) FROM audit_log WHERE unit_id = :uid"), {"uid": unit_id}
    ).scalar_one()
    pages = max(1, -(-int(total) // AUDIT_PAGE))
    page = min(page, pages)
    rows = connection.execute(
        text(
            "SELECT l.at, l.actor_person_id, p.display_name, l.action, l.details FROM audit_log l "
            "LEFT JOIN people p ON p.id = l.actor_person_id WHERE l.unit_id = :uid "
            "ORDER BY l.id DESC LIMIT :limit OFFSET :offset"
        ).columns(at=UTCDateTime, details=JSON),
        {"uid": unit_id, "limit": AUDIT_PAGE, "offset": (page - 1) * AUDIT_PAGE},
    )
    lines = tuple(
        AuditLine(
            at=r[0],
            who=r[2] or ("hệ thống" if r[1] is None else f"người dùng #{r[1]}"),
            what=audit_words(r[3], dict(r[4] or {})),
        )
        for r in rows
    )
    return lines, pages


def _years(session: Session, unit_id: int) -> tuple[YearLine, ...]:
    rows = session.connection().execute(
        text(
            "SELECT year, status, submitted_level, recognised_level, "
            "recognition_decision_number, recognition_decision_date FROM assessments "
            "WHERE unit_id = :uid ORDER BY year DESC"
        ),
        {"uid": unit_id},
    )
    found = []
    for r in rows:
        decided = r[5]
        if isinstance(decided, str):
            decided = dt.date.fromisoformat(decided)
        found.append(YearLine(r[0], r[1], r[2], r[3], r[4], decided))
    return tuple(found)


def _charts(session: Session, person_id: int, year: int, today: dt.date) -> ChartData:
    """The charts from the board's cached standings alone (levels, the failed indicators,
    the totals): no unit is evaluated here, whatever the size of the scope."""
    cte, params = _board(session, person_id, UnitFilter(year=year), year)
    levels = {"level_2": 0, "level_1": 0, "level_0": 0, "incomplete": 0}
    not_started: dict[tuple[str, str], int] = defaultdict(int)
    total_indicators = 0
    failed: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    rows = session.connection().execute(
        text(
            f"{cte}SELECT b.standing_level, b.standing_total, b.standing_failed, b.tier, "
            "b.unit_type FROM b"
        ),
        params,
    )
    for level, total, failed_ids, tier, unit_type in rows:
        levels[f"level_{level}" if level is not None else "incomplete"] += 1
        if total:
            total_indicators += int(total)
        else:
            not_started[(tier, unit_type)] += 1
        for indicator_id in (failed_ids or "").split(","):
            if indicator_id:
                failed[indicator_id] += 1
                if indicator_id not in labels:
                    labels[indicator_id] = _label(tier, indicator_id)
    for (tier, unit_type), n in not_started.items():
        total_indicators += n * applicable_count(tier, unit_type)
    top = sorted(failed.items(), key=lambda item: (-item[1], item[0]))[:10]
    return ChartData(
        year=year,
        levels=levels,
        failed=tuple(FailedIndicator(i, labels[i], n) for i, n in top),
        progress=_weekly(session, cte, params, total_indicators, year, today),
        deadline=dossier_deadline(year),
    )


def _label(tier: str, indicator_id: str) -> str:
    """“Chỉ tiêu 2.1 (Tuân thủ kỷ luật…)”, from the current rulebook of the unit's tier."""
    indicator = load_rulebook(TT24_BY_TIER["tinh" if tier == "tinh" else "huyen"]).indicator(
        indicator_id
    )
    return (
        f"Chỉ tiêu {indicator_id} ({indicator.short})" if indicator else f"Chỉ tiêu {indicator_id}"
    )


def _weekly(
    session: Session,
    cte: str,
    params: dict[str, Any],
    total: int,
    year: int,
    today: dt.date,
) -> tuple[WeekPoint, ...]:
    """Indicators answered by the end of each week (Monday to Sunday, Vietnam dates), from the
    first answer of each indicator, up to today or the legal deadline, whichever is earlier."""
    rows = session.connection().execute(
        text(
            f"{cte}SELECT min(r.answered_at) AS first_at FROM answer_revisions r "
            "JOIN assessments a ON a.id = r.assessment_id JOIN b ON b.unit_id = a.unit_id "
            "WHERE a.year = :year GROUP BY r.assessment_id, r.indicator_id"
        ).columns(first_at=UTCDateTime),
        params,
    )
    firsts = sorted(vietnam_time.today(r[0]) for r in rows if r[0] is not None)
    if not firsts or total == 0:
        return ()
    end = min(today, dossier_deadline(year))
    week = firsts[0] - dt.timedelta(days=firsts[0].weekday())
    points: list[WeekPoint] = []
    index = 0
    while week <= end and len(points) < 120:
        week_end = week + dt.timedelta(days=6)
        while index < len(firsts) and firsts[index] <= week_end:
            index += 1
        points.append(WeekPoint(week, index, total))
        week += dt.timedelta(days=7)
    return tuple(points)


def status_of_record(record: AssessmentRecord | None) -> StatusKey:
    """The board's status of a loaded assessment (the Python side of `board_sql.STATUS_SQL`)."""
    if record is None:
        return "not_started"
    _, answered, total, _ = standing_of(record)
    return status_key(record.status, answered, total)
