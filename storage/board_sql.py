"""The board's statements: the units in a viewer's scope with their status key, share answered,
level and deadline, filtered, counted, sorted and paged by the database in one pass.

The status key is `review.board.status_key` written as SQL (the two must agree; the tests
compare them). The deadline of a unit depends on its office and province (`storage.
calendar_store.unit_calendar`); the few dates offices set in a year are turned into one CASE
over whole day numbers (`deadline_case`), earliest first, so “sort by days left” is an ORDER BY
like any other. Every value that is not a constant of the code is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from review.board import STATUS_KEYS, UnitFilter
from storage.search_name import like_pattern

STATUS_SQL = (
    "CASE WHEN a.id IS NULL THEN 'not_started' "
    "WHEN a.status = 'draft' AND COALESCE(a.standing_answered, 0) = 0 THEN 'not_started' "
    "WHEN a.status = 'draft' AND a.standing_answered >= a.standing_total THEN 'self_assessed' "
    "WHEN a.status = 'draft' THEN 'in_progress' "
    "ELSE a.status END"
)

_STATUS_ORDER = (
    "CASE b.status_key "
    + " ".join(f"WHEN '{key}' THEN {rank}" for rank, key in enumerate(STATUS_KEYS))
    + " ELSE 99 END"
)
_PERCENT = (
    "CASE WHEN COALESCE(b.standing_total, 0) > 0 "
    "THEN b.standing_answered * 100 / b.standing_total ELSE 0 END"
)
_SORTS = {
    "name": "COALESCE(b.search_name, b.name)",
    "status": _STATUS_ORDER,
    "percent": _PERCENT,
    "days_left": "b.deadline_day",
}

ROW_COLUMNS = (
    "b.unit_id, b.name, b.unit_type, b.tier, b.province, b.office_id, b.status_key, "
    "b.standing_answered, b.standing_total, b.standing_level, b.submitted_level, "
    "b.recognised_level, b.deadline_day"
)


def deadline_case(
    legal: dt.date,
    office_days: Mapping[int, dt.date],
    province_days: Mapping[str, dt.date],
    params: dict[str, Any],
) -> str:
    """The unit's deadline as a day number (`date.toordinal()`): the earliest office date that
    concerns it (its office's, or its province's as units spell it), else the legal one.
    Binds its values into `params`."""
    days = sorted({d for d in (*office_days.values(), *province_days.values()) if d < legal})
    if not days:
        params["legal_day"] = legal.toordinal()
        return "CAST(:legal_day AS INTEGER)"
    branches = []
    for n, day in enumerate(days):
        offices = sorted(o for o, d in office_days.items() if d == day)
        provinces = sorted(p for p, d in province_days.items() if d == day)
        tests = []
        for m, office_id in enumerate(offices):
            params[f"dl_o_{n}_{m}"] = office_id
            tests.append(f"u.office_id = :dl_o_{n}_{m}")
        for m, province in enumerate(provinces):
            params[f"dl_p_{n}_{m}"] = province
            tests.append(f"u.province = :dl_p_{n}_{m}")
        params[f"dl_d_{n}"] = day.toordinal()
        branches.append(f"WHEN {' OR '.join(tests)} THEN CAST(:dl_d_{n} AS INTEGER)")
    params["legal_day"] = legal.toordinal()
    return f"CASE {' '.join(branches)} ELSE CAST(:legal_day AS INTEGER) END"


def scope_sql(offices: list[int], units: list[int], params: dict[str, Any]) -> str:
    """The units a viewer may see: those of the offices they review for, and those they
    administer (ids read from the database in the same transaction, never from the client)."""
    tests = []
    for n, office_id in enumerate(offices):
        params[f"sc_o_{n}"] = office_id
    if offices:
        tests.append(f"u.office_id IN ({', '.join(f':sc_o_{n}' for n in range(len(offices)))})")
    for n, unit_id in enumerate(units):
        params[f"sc_u_{n}"] = unit_id
    if units:
        tests.append(f"u.id IN ({', '.join(f':sc_u_{n}' for n in range(len(units)))})")
    return f"({' OR '.join(tests)})" if tests else "1 = 0"


def board_cte(scope: str, deadline: str, unit_filter: UnitFilter, params: dict[str, Any]) -> str:
    """`WITH b AS (…)`: the rows of the scope for the year with their status key and deadline,
    under the filter's conditions on the unit (type, search); the status and level conditions
    are the caller's (`where`), since the chips count across statuses."""
    tests = ["u.active = :active", scope]
    params["active"] = True
    if unit_filter.unit_type:
        params["unit_type"] = unit_filter.unit_type
        tests.append("u.unit_type = :unit_type")
    return (
        "WITH b AS (SELECT u.id AS unit_id, u.name, u.search_name, u.unit_type, u.tier, "
        "u.province, u.office_id, a.standing_answered, a.standing_total, a.standing_level, "
        "a.standing_failed, "
        f"a.submitted_level, a.recognised_level, {STATUS_SQL} AS status_key, "
        f"{deadline} AS deadline_day "
        "FROM units u LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year "
        f"WHERE {' AND '.join(tests)}) "
    )


def where(unit_filter: UnitFilter, params: dict[str, Any], *, status: bool) -> str:
    """The conditions on a board row: search, level and (when `status`) the status key."""
    tests = ["1 = 1"]
    if unit_filter.search and unit_filter.search.strip():
        params["search"] = like_pattern(unit_filter.search)
        tests.append("b.search_name LIKE :search ESCAPE '\\'")
    if unit_filter.level is not None:
        params["level"] = unit_filter.level
        tests.append("b.standing_level = :level")
    if status and unit_filter.status:
        params["status"] = unit_filter.status
        tests.append("b.status_key = :status")
    return " AND ".join(tests)


def order_by(unit_filter: UnitFilter) -> str:
    direction = "DESC" if unit_filter.descending else "ASC"
    key = _SORTS[unit_filter.sort]
    tiebreak = "" if unit_filter.sort == "name" else ", COALESCE(b.search_name, b.name) ASC"
    return f"ORDER BY {key} {direction}{tiebreak}, b.unit_id ASC"


def _nulls(columns: str) -> str:
    return ", ".join(f"NULL AS {c.split('.')[-1]}" for c in columns.split(", "))


def counts_and_page(cte: str, unit_filter: UnitFilter, params: dict[str, Any]) -> str:
    """One statement for the list: the status counts (rows tagged 'c': `count_key`, `n`) and
    the page (rows tagged 'p', in order), over the board computed once (`MATERIALIZED`), so
    a page view scans the scope's units and assessments once, not twice."""
    count_where = where(unit_filter, params, status=False)
    page_where = where(unit_filter, params, status=True)
    params["limit"] = unit_filter.per_page
    params["offset"] = (unit_filter.page - 1) * unit_filter.per_page
    direction = "DESC" if unit_filter.descending else "ASC"
    materialized = cte.replace("WITH b AS (", "WITH b AS MATERIALIZED (", 1)
    return (
        f"{materialized}"
        "SELECT 'c' AS tag, b.status_key AS count_key, count(*) AS n, NULL AS sort_key, "
        f"NULL AS name_key, {_nulls(ROW_COLUMNS)} FROM b WHERE {count_where} "
        "GROUP BY b.status_key "
        "UNION ALL SELECT * FROM (SELECT 'p' AS tag, CAST(NULL AS VARCHAR(20)) AS count_key, "
        "CAST(NULL AS BIGINT) AS n, "
        f"{_SORTS[unit_filter.sort]} AS sort_key, COALESCE(b.search_name, b.name) AS name_key, "
        f"{ROW_COLUMNS} FROM b WHERE {page_where} {order_by(unit_filter)} "
        "LIMIT :limit OFFSET :offset) p "
        f"ORDER BY tag, sort_key {direction}, name_key, unit_id"
    )
