"""The reminders' hand-written SQL: planning in set-based statements, claiming with a lease,
marking what became of each push. Reached only through its adapter, `storage.reminder_store`.

Portable between SQLite and PostgreSQL (both run `INSERT … SELECT … ON CONFLICT … DO UPDATE`
and `UPDATE … RETURNING`); where they differ the statement is built for the dialect: the
casts a VALUES list needs on PostgreSQL, and `FOR UPDATE SKIP LOCKED`, which SQLite has no use
for (its write transaction, `BEGIN IMMEDIATE`, already serialises claims; one dispatcher runs
there, see `storage.reminder_store.FileGuard`). Every moment is a parameter from the process's
clock: no statement calls the server's `now()`.

Planning writes one row per (chat, deadline, kind) (the table's unique key): planning again
moves a row still planned to its new moment, brings back one skipped because its deadline had
moved, and leaves sent, claimed and failed rows alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from dvht_core import workflow
from reminders.ports import Claimed, DatedEntry, ScheduleEntry, Scope
from storage.runner import runner_for
from storage.types import as_date

DONE = tuple(s for s in workflow.STATUSES if s in ("submitted", "recognised"))
"""Statuses after which a unit gets no more dossier reminders."""
_DONE_SQL = ", ".join(f"'{s}'" for s in DONE)
CHANNELS = ("telegram", "zalo", "console")
_UPSERT_TAIL = (
    "ON CONFLICT (identity_id, deadline_key, kind) DO UPDATE SET "
    "due_at = excluded.due_at, deadline_on = excluded.deadline_on, {extra}"
    "status = 'planned', skip_reason = NULL "
    "WHERE (reminders.status = 'planned' AND (reminders.due_at <> excluded.due_at "
    "OR reminders.deadline_on <> excluded.deadline_on)) "
    "OR (reminders.status = 'skipped' AND reminders.skip_reason IN ('moved', 'other_channel'))"
)
"""A row still planned takes the new moment (written only when it changed, so planning twice
writes nothing); one skipped because its deadline had moved, or because the person had since
used another app (`_REACH`), comes back."""

_SEEN = "COALESCE({t}.last_seen_at, {t}.created_at)"


def _reach(channels: str | None = None) -> str:
    """`reach (person_id, id)`: each person's one chat that reminders go to (issue 14): of their
    reachable accounts (in `channels` when given), the one that wrote last; on a tie, the
    lowest id. A person with Telegram and Zalo linked gets each reminder once, in the app they
    use now. Written as NOT EXISTS over the person's other accounts (the index on person_id; a
    person has one to three) rather than a window over every account, which sorts them all."""
    only = "" if channels is None else f" AND {{t}}.channel IN ({channels})"
    mine, other = _SEEN.format(t="ci"), _SEEN.format(t="o")
    return (
        "reach AS (SELECT ci.person_id, ci.id FROM channel_identities ci "
        f"WHERE ci.active{only.format(t='ci')} AND NOT EXISTS (SELECT 1 FROM channel_identities o "
        f"WHERE o.person_id = ci.person_id AND o.active AND o.id <> ci.id{only.format(t='o')} "
        f"AND ({other} > {mine} OR ({other} = {mine} AND o.id < ci.id))))"
    )


def _not_elsewhere(person: str, key: str, kind: str) -> str:
    """The reminder did not already go (nor is going) to another of the person's chats: after
    they switch apps, a reminder sent to the old one is not sent again to the new one. Reached
    from the person's other accounts (none for almost everyone) through the table's unique key:
    probing the reminders by person instead cost minutes for 500,000 rows on PostgreSQL (each
    probe also visits the rows the same statement has just inserted)."""
    return (
        " AND NOT EXISTS (SELECT 1 FROM channel_identities o JOIN reminders x "
        f"ON x.identity_id = o.id AND x.deadline_key = {key} AND x.kind = {kind} "
        f"WHERE o.person_id = {person} AND o.id <> ci.id AND x.status IN ('claimed', 'sent'))"
    )


def _other_channel(key_filter: str) -> str:
    """Skip a planned reminder whose person now gets the same one on another chat (`reach`
    chose another account since it was planned): each reminder goes once, to the app used
    last. Joined through the person's chosen chat and the table's unique key (1.2 s over
    570,000 planned rows on PostgreSQL) rather than a subquery per reminder row, which took
    minutes there right after planning them; starting from the people's other accounts
    instead measured 1.7-2.2 s."""
    return (
        "UPDATE reminders SET status = 'skipped', skip_reason = 'other_channel' "
        "WHERE id IN (SELECT r.id FROM reminders r "
        "JOIN reach ON reach.person_id = r.person_id AND reach.id <> r.identity_id "
        "JOIN reminders n ON n.identity_id = reach.id AND n.deadline_key = r.deadline_key "
        "AND n.kind = r.kind "
        f"WHERE r.status = 'planned' AND r.{key_filter} "
        "AND n.status IN ('planned', 'claimed', 'sent'))"
    )


def _postgres(session: Session) -> bool:
    return runner_for(session).raw is None


_PG_TYPES = {
    "now": "TIMESTAMP WITH TIME ZONE",
    "lease": "TIMESTAMP WITH TIME ZONE",
    "until": "TIMESTAMP WITH TIME ZONE",
    "at": "TIMESTAMP WITH TIME ZONE",
    "legal": "DATE",
    "since": "DATE",
    "year": "INTEGER",
    "key": "VARCHAR(60)",
    "kind": "VARCHAR(20)",
    "due": "TIMESTAMP WITH TIME ZONE",
    "bid": "INTEGER",
}
_PG_PARAM = re.compile(r":(" + "|".join(_PG_TYPES) + r")\b")


def _run(
    session: Session,
    sql: str,
    params: dict[str, Any],
    *,
    time_columns: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], int]:
    """Run on the session's connection. PostgreSQL types a parameter by its first use, and a
    parameter in a SELECT list (the values an INSERT … SELECT writes) has none: each named
    parameter is cast to its column's type there."""
    runner = runner_for(session)
    if runner.raw is None:
        sql = _PG_PARAM.sub(lambda m: f"CAST(:{m.group(1)} AS {_PG_TYPES[m.group(1)]})", sql)
        return runner.run(text(sql), params, time_columns=time_columns)
    # The sqlite3 driver counts the rows of a statement only when it starts with INSERT,
    # UPDATE or DELETE, not WITH: the connection's total tells how many changed.
    before = runner.raw.total_changes
    rows, _ = runner.run(text(sql), params, time_columns=time_columns)
    return rows, runner.raw.total_changes - before


def _cast(postgres: bool, name: str, sql_type: str) -> str:
    """A VALUES cell: PostgreSQL needs its type, SQLite takes the value as bound."""
    return f"CAST(:{name} AS {sql_type})" if postgres else f":{name}"


def _provinces(session: Session) -> tuple[str, dict[str, Any]]:
    """`prov (typed, official)`: each province as units store it (typed by people: “TP Hà
    Nội”, “ha noi”, a province merged in 2025) and the name the calendar's rows use, from
    `storage.calendar_store.province_aliases` (one row per distinct spelling, a few hundred at
    most). Office dates set for a province are matched through it, so the planner and the
    dispatcher find the very dates the quick answers and `dvht deadline list` show."""
    from storage.calendar_store import province_aliases

    postgres = _postgres(session)
    aliases = sorted(province_aliases(session).items())
    cells, params = [], {}
    for n, (typed, official) in enumerate(aliases):
        cells.append(
            f"({_cast(postgres, f'pt{n}', 'VARCHAR(100)')}, "
            f"{_cast(postgres, f'po{n}', 'VARCHAR(100)')})"
        )
        params.update({f"pt{n}": typed, f"po{n}": official})
    if not cells:  # no unit yet: a row that matches nothing keeps the VALUES list valid
        cells.append("(CAST(NULL AS VARCHAR(100)), CAST(NULL AS VARCHAR(100)))")
    return f"prov (typed, official) AS (VALUES {', '.join(cells)})", params


def _channels(scope: Scope) -> str:
    """The scope's channels as SQL literals, from the fixed list only (never user text)."""
    known = [c for c in scope.channels if c in CHANNELS]
    return ", ".join(f"'{c}'" for c in known) or "NULL"


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


# --- planning ------------------------------------------------------------------------------


def deadline_dates(session: Session, year: int) -> list[dt.date]:
    rows, _ = _run(
        session,
        "SELECT DISTINCT due_on FROM deadlines WHERE year = :year AND removed_at IS NULL",
        {"year": year},
    )
    return sorted(d for d in (as_date(r["due_on"]) for r in rows) if d is not None)


_OFFICE_DATES = (
    "office_dates AS ("
    "SELECT u.id AS unit_id, d.due_on FROM deadlines d "
    "JOIN prov ON prov.official = d.province JOIN units u ON u.province = prov.typed "
    "WHERE d.year = :year AND d.removed_at IS NULL AND d.due_on < :legal "
    "UNION ALL "
    "SELECT u.id AS unit_id, d.due_on FROM deadlines d "
    "JOIN units u ON u.office_id = d.office_id "
    "WHERE d.year = :year AND d.removed_at IS NULL AND d.due_on < :legal), "
    "eff AS (SELECT unit_id, MIN(due_on) AS due_on FROM office_dates GROUP BY unit_id)"
)
"""Each unit's earliest office date of the year, when it has one before the legal deadline
(by its province, matched through `prov`, or by its office): the units whose effective
deadline is not the legal one."""


def _dossier_ctes(
    postgres: bool, schedule: Sequence[ScheduleEntry], provinces: str
) -> tuple[str, dict[str, Any]]:
    """The schedule as a VALUES table, and each unit's effective deadline (the earliest of the
    legal date and its province's or office's dates) for units still due to submit."""
    cells, params = [], {}
    for n, entry in enumerate(schedule):
        cells.append(
            f"({_cast(postgres, f'd{n}', 'DATE')}, {_cast(postgres, f'k{n}', 'VARCHAR(20)')}, "
            f"{_cast(postgres, f't{n}', 'TIMESTAMP WITH TIME ZONE')})"
        )
        params.update({f"d{n}": entry.deadline_on, f"k{n}": entry.kind, f"t{n}": entry.due_at})
    ctes = (
        f"WITH sched (deadline_on, kind, due_at) AS (VALUES {', '.join(cells)}), "
        f"{provinces}, {_OFFICE_DATES}, "
        "targets AS (SELECT u.id AS unit_id, COALESCE(eff.due_on, :legal) AS deadline_on "
        "FROM units u LEFT JOIN eff ON eff.unit_id = u.id "
        "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year "
        f"WHERE u.active AND (a.id IS NULL OR a.status NOT IN ({_DONE_SQL}))) "
    )
    return ctes, params


_COLUMNS = (
    "INSERT INTO reminders (identity_id, person_id, unit_id, office_id, year, deadline_key, "
    "kind, deadline_on, due_at, status, attempts, created_at) "
)

_MEMBERS = (
    "SELECT ci.id, m.person_id, t.unit_id, NULL, :year, :key, s.kind, t.deadline_on, s.due_at, "
    "'planned', 0, :now FROM recipients r "
    "JOIN memberships m ON m.person_id = r.person_id AND m.unit_id = r.unit_id "
    "JOIN targets t ON t.unit_id = r.unit_id "
    "JOIN people p ON p.id = m.person_id "
    "JOIN reach ci ON ci.person_id = m.person_id "
    "JOIN sched s ON s.deadline_on = t.deadline_on "
    "WHERE NOT p.reminders_off "
    "AND (s.kind NOT IN ('admin-T-7', 'reviewer-T-3') "
    "OR (s.kind = 'admin-T-7' AND m.role = 'unit_admin'))"
    + _not_elsewhere("m.person_id", ":key", "s.kind")
    + " "
)

_RECIPIENTS_CTE = (
    # One row per chat and kind (the unique key): a person in two units due to submit is
    # reminded about the one with the lower id. Measured on PostgreSQL, 100,000 units, 500,000
    # rows: the whole plan takes 1.2-1.66x a plain INSERT … SELECT of as many rows into this
    # table (its indexes and foreign keys are most of both); a correlated NOT EXISTS instead of
    # this grouped scan measured the same, but grows with the units a person belongs to.
    ", recipients AS (SELECT m.person_id, MIN(m.unit_id) AS unit_id FROM memberships m "
    "JOIN targets t ON t.unit_id = m.unit_id GROUP BY m.person_id), " + _reach() + " "
)

_REVIEWERS = (
    "SELECT ci.id, rev.person_id, NULL, rev.office_id, :year, :key, s.kind, rev.deadline_on, "
    "s.due_at, 'planned', 0, :now FROM rev "
    "JOIN people p ON p.id = rev.person_id "
    "JOIN reach ci ON ci.person_id = rev.person_id "
    "JOIN sched s ON s.deadline_on = rev.deadline_on AND s.kind = 'reviewer-T-3' "
    "WHERE NOT p.reminders_off" + _not_elsewhere("rev.person_id", ":key", "s.kind") + " "
)

_REVIEWER_CTE = (
    ", rev AS (SELECT rs.person_id, MIN(rs.office_id) AS office_id, "
    "MIN(t.deadline_on) AS deadline_on FROM reviewer_scopes rs "
    "JOIN units u ON u.office_id = rs.office_id JOIN targets t ON t.unit_id = u.id "
    "GROUP BY rs.person_id), " + _reach() + " "
)

_MOVED = (
    "UPDATE reminders SET status = 'skipped', skip_reason = 'moved' "
    "WHERE status = 'planned' AND deadline_key = :key AND unit_id IS NOT NULL AND ("
    # counting down to an office's date the unit no longer has: its deadline is the legal one
    "(deadline_on <> :legal AND unit_id NOT IN (SELECT unit_id FROM eff)) "
    # or to another date than the unit's earliest office date
    "OR (unit_id IN (SELECT unit_id FROM eff) AND NOT EXISTS (SELECT 1 FROM eff e "
    "WHERE e.unit_id = reminders.unit_id AND e.due_on = reminders.deadline_on)))"
)
"""A member's row whose deadline moved to a date whose reminder of that kind is already past
(planning did not move it): it would count down to the wrong date, so it is skipped. Written
against the units' effective dates (`eff`, a few rows per office date) rather than a subquery
per reminder row: that correlated form cost most of re-planning 100,000 units (13 s)."""


def plan_dossier(
    session: Session,
    *,
    year: int,
    legal: dt.date,
    schedule: Sequence[ScheduleEntry],
    now: dt.datetime,
) -> int:
    params: dict[str, Any] = {"year": year, "legal": legal, "key": f"dossier:{year}", "now": now}
    changed = 0
    provinces, province_params = _provinces(session)
    params.update(province_params)
    if schedule:
        postgres = _postgres(session)
        ctes, values = _dossier_ctes(postgres, schedule, provinces)
        params.update(values)
        # SQLite reads `ON CONFLICT` after a join's `ON` as part of the join unless a WHERE
        # clause comes between: both SELECTs end with one.
        members = (
            ctes
            + _RECIPIENTS_CTE
            + _COLUMNS
            + _MEMBERS
            + _UPSERT_TAIL.format(extra="unit_id = excluded.unit_id, ")
        )
        _, count = _run(session, members, params)
        changed += max(count, 0)
        reviewers = (
            ctes
            + _REVIEWER_CTE
            + _COLUMNS
            + _REVIEWERS
            + _UPSERT_TAIL.format(extra="office_id = excluded.office_id, ")
        )
        _, count = _run(session, reviewers, params)
        changed += max(count, 0)
        other = f"WITH {_reach()} " + _other_channel("deadline_key = :key")
        _, count = _run(session, other, {"key": params["key"]})
        changed += max(count, 0)
    moved_params = {k: params[k] for k in ("year", "legal", "key")} | province_params
    _, count = _run(session, f"WITH {provinces}, {_OFFICE_DATES} " + _MOVED, moved_params)
    return changed + max(count, 0)


def level1_dates(session: Session, since: dt.date) -> list[dt.date]:
    rows, _ = _run(
        session,
        "SELECT DISTINCT level1_decision_date AS day FROM assessments "
        "WHERE level1_decision_date IS NOT NULL AND level1_decision_date >= :since",
        {"since": since},
    )
    return sorted(d for d in (as_date(r["day"]) for r in rows) if d is not None)


def recognitions(session: Session) -> list[tuple[int, dt.date | None]]:
    rows, _ = _run(
        session,
        "SELECT DISTINCT year, recognition_decision_date AS day FROM assessments "
        "WHERE status = 'recognised'",
        {},
    )
    return [(int(r["year"]), as_date(r["day"])) for r in rows]


def plan_dated(
    session: Session, *, kind: str, entries: Sequence[DatedEntry], now: dt.datetime
) -> int:
    """ "upgrade" (from the latest level-1 decision of each unit) or "expiry" (of each
    recognised assessment), to every member of the unit with a chat."""
    if not entries or kind not in ("upgrade", "expiry"):
        return 0
    postgres = _postgres(session)
    cells, params = [], {"now": now, "kind": kind}
    for n, entry in enumerate(entries):
        cells.append(
            f"({_cast(postgres, f'y{n}', 'INTEGER')}, {_cast(postgres, f'c{n}', 'DATE')}, "
            f"{_cast(postgres, f'd{n}', 'DATE')}, "
            f"{_cast(postgres, f't{n}', 'TIMESTAMP WITH TIME ZONE')})"
        )
        params.update(
            {
                f"y{n}": entry.year,
                f"c{n}": entry.decided_on,
                f"d{n}": entry.deadline_on,
                f"t{n}": entry.due_at,
            }
        )
    if kind == "upgrade":
        match = (
            "a.level1_decision_date = s.decided_on AND a.id = (SELECT MAX(a2.id) "
            "FROM assessments a2 WHERE a2.unit_id = a.unit_id "
            "AND a2.level1_decision_date IS NOT NULL)"
        )
    else:
        match = (
            "a.status = 'recognised' AND a.year = s.year AND (a.recognition_decision_date = "
            "s.decided_on OR (a.recognition_decision_date IS NULL AND s.decided_on IS NULL))"
        )
    key = f"'{kind}:' || CAST(a.id AS VARCHAR(20))"
    sql = (
        f"WITH sched (year, decided_on, deadline_on, due_at) AS (VALUES {', '.join(cells)}), "
        + _reach()
        + " "
        + _COLUMNS
        + f"SELECT ci.id, m.person_id, a.unit_id, NULL, a.year, {key}, :kind, s.deadline_on, "
        "s.due_at, 'planned', 0, :now FROM sched s JOIN assessments a ON "
        + match
        + " JOIN units u ON u.id = a.unit_id JOIN memberships m ON m.unit_id = a.unit_id "
        "JOIN people p ON p.id = m.person_id "
        "JOIN reach ci ON ci.person_id = m.person_id "
        "WHERE u.active AND NOT p.reminders_off"
        + _not_elsewhere("m.person_id", key, ":kind")
        + " "
        + _UPSERT_TAIL.format(extra="")
    )
    _, count = _run(session, sql, params)
    other = f"WITH {_reach()} " + _other_channel("kind = :kind")
    _, skipped = _run(session, other, {"kind": kind})
    return max(count, 0) + max(skipped, 0)


# --- dispatching ---------------------------------------------------------------------------


def supersede(session: Session, *, now: dt.datetime) -> int:
    """Skip each due member reminder that a later due one of the same chat and deadline
    replaces (T-30, T-14 and T-7 all due after a week's downtime: only T-7 goes)."""
    _, count = _run(
        session,
        "UPDATE reminders SET status = 'skipped', skip_reason = 'superseded' "
        "WHERE status = 'planned' AND due_at <= :now AND substr(kind, 1, 2) = 'T-' "
        "AND EXISTS (SELECT 1 FROM reminders n WHERE n.identity_id = reminders.identity_id "
        "AND n.deadline_key = reminders.deadline_key AND substr(n.kind, 1, 2) = 'T-' "
        "AND n.due_at > reminders.due_at AND n.due_at <= :now "
        "AND n.status IN ('planned', 'claimed', 'sent'))",
        {"now": now},
    )
    return max(count, 0)


def _scope_filter(scope: Scope, params: dict[str, Any]) -> str:
    where = f" AND ci.channel IN ({_channels(scope)})"
    if scope.identity_id is not None:
        where += " AND r.identity_id = :identity_id"
        params["identity_id"] = scope.identity_id
    if scope.broadcast_id is not None:
        where += " AND r.broadcast_id = :broadcast_id"
        params["broadcast_id"] = scope.broadcast_id
    if scope.kinds is not None:
        names = [f"scope_kind{n}" for n in range(len(scope.kinds))]
        where += f" AND r.kind IN ({', '.join(':' + n for n in names) or 'NULL'})"
        params.update(zip(names, scope.kinds, strict=True))
    return where


_DETAILS = (
    "SELECT r.id, r.kind, r.deadline_key, ci.channel, ci.external_id AS chat_id, r.identity_id, "
    "r.person_id, r.unit_id, r.office_id, r.broadcast_id, r.year, r.deadline_on, r.due_at, "
    "r.attempts, ci.active AS reachable, p.reminders_off AS opted_out, "
    f"CASE WHEN a.status IN ({_DONE_SQL}) THEN 1 ELSE 0 END AS submitted, "
    "b.text AS broadcast_text, u.name AS unit_name, nt.text AS notice_text, "
    "(SELECT MIN(d.due_on) FROM deadlines d WHERE d.year = r.year AND d.removed_at IS NULL "
    "AND (d.province IN (SELECT official FROM prov WHERE typed = u.province) "
    "OR d.office_id = u.office_id)) AS office_deadline "
    "FROM reminders r JOIN channel_identities ci ON ci.id = r.identity_id "
    "JOIN people p ON p.id = r.person_id "
    "LEFT JOIN units u ON u.id = r.unit_id "
    "LEFT JOIN assessments a ON a.unit_id = r.unit_id AND a.year = r.year "
    "LEFT JOIN broadcasts b ON b.id = r.broadcast_id "
    "LEFT JOIN notices nt ON nt.id = r.notice_id "
)


def claim(
    session: Session,
    *,
    now: dt.datetime,
    lease_until: dt.datetime,
    limit: int,
    scope: Scope,
) -> list[Claimed]:
    """Take due reminders (and those whose lease ran out: their dispatcher died) for this
    dispatcher until `lease_until`. On PostgreSQL rows another dispatcher is claiming are
    skipped, not waited for (`FOR UPDATE SKIP LOCKED`)."""
    params: dict[str, Any] = {"now": now, "lease": lease_until, "limit": limit}
    lock = " FOR UPDATE OF r SKIP LOCKED" if _postgres(session) else ""
    rows, _ = _run(
        session,
        "UPDATE reminders SET status = 'claimed', lease_until = :lease, "
        "attempts = attempts + 1 WHERE id IN (SELECT r.id FROM reminders r "
        "JOIN channel_identities ci ON ci.id = r.identity_id "
        "WHERE ((r.status = 'planned' AND r.due_at <= :now) "
        "OR (r.status = 'claimed' AND r.lease_until < :now))"
        + _scope_filter(scope, params)
        + f" ORDER BY r.due_at, r.id LIMIT :limit{lock}) RETURNING id",
        params,
    )
    if not rows:
        return []
    provinces, province_params = _provinces(session)
    details, _ = _run(
        session,
        f"WITH {provinces} "
        + _DETAILS
        + f"WHERE r.id IN ({_ids([r['id'] for r in rows])}) ORDER BY r.due_at, r.id",
        province_params,
        time_columns=("due_at",),
    )
    return [_claimed(d) for d in details]


def _claimed(row: dict[str, Any]) -> Claimed:
    return Claimed(
        id=int(row["id"]),
        kind=str(row["kind"]),
        deadline_key=str(row["deadline_key"]),
        channel=str(row["channel"]),
        chat_id=str(row["chat_id"]),
        identity_id=int(row["identity_id"]),
        person_id=int(row["person_id"]),
        unit_id=row["unit_id"],
        office_id=row["office_id"],
        broadcast_id=row["broadcast_id"],
        year=row["year"],
        deadline_on=as_date(row["deadline_on"]),
        due_at=row["due_at"],
        attempts=int(row["attempts"]),
        reachable=bool(row["reachable"]),
        opted_out=bool(row["opted_out"]),
        submitted=bool(row["submitted"]),
        office_deadline=as_date(row["office_deadline"]),
        broadcast_text=row["broadcast_text"],
        unit_name=row["unit_name"],
        notice_text=row["notice_text"],
    )


def mark_sent(session: Session, reminder_id: int, *, at: dt.datetime) -> None:
    _run(
        session,
        "UPDATE reminders SET status = 'sent', sent_at = :at, lease_until = NULL WHERE id = :id",
        {"id": reminder_id, "at": at},
    )


def mark_skipped(session: Session, reminder_ids: Sequence[int], *, reason: str) -> None:
    if reminder_ids:
        _run(
            session,
            "UPDATE reminders SET status = 'skipped', skip_reason = :reason, lease_until = NULL "
            f"WHERE id IN ({_ids(reminder_ids)})",
            {"reason": reason[:100]},
        )


def postpone(
    session: Session,
    reminder_id: int,
    *,
    until: dt.datetime,
    attempt: bool,
    error: str | None,
) -> None:
    given_back = "" if attempt else ", attempts = attempts - 1"
    _run(
        session,
        "UPDATE reminders SET status = 'planned', due_at = :until, lease_until = NULL, "
        f"last_error = COALESCE(:error, last_error){given_back} WHERE id = :id",
        {"id": reminder_id, "until": until, "error": error[:500] if error else None},
    )


def mark_failed(session: Session, reminder_id: int, *, error: str) -> None:
    _run(
        session,
        "UPDATE reminders SET status = 'failed', last_error = :error, lease_until = NULL "
        "WHERE id = :id",
        {"id": reminder_id, "error": error[:500]},
    )


def set_unreachable(session: Session, identity_id: int) -> None:
    _run(
        session,
        "UPDATE channel_identities SET active = :off WHERE id = :id",
        {"id": identity_id, "off": False},
    )


def next_due(session: Session, *, scope: Scope) -> dt.datetime | None:
    params: dict[str, Any] = {}
    rows, _ = _run(
        session,
        "SELECT MIN(CASE WHEN r.status = 'planned' THEN r.due_at ELSE r.lease_until END) "
        "AS at FROM reminders r JOIN channel_identities ci ON ci.id = r.identity_id "
        "WHERE r.status IN ('planned', 'claimed')" + _scope_filter(scope, params),
        params,
        time_columns=("at",),
    )
    at = rows[0]["at"] if rows else None
    return at if isinstance(at, dt.datetime) else None


def reviewer_units(session: Session, person_id: int, year: int) -> list[int]:
    rows, _ = _run(
        session,
        "SELECT DISTINCT u.id FROM reviewer_scopes rs JOIN units u ON u.office_id = rs.office_id "
        "LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = :year "
        "WHERE rs.person_id = :person_id AND u.active "
        f"AND (a.id IS NULL OR a.status NOT IN ({_DONE_SQL})) ORDER BY u.id",
        {"person_id": person_id, "year": year},
    )
    return [int(r["id"]) for r in rows]


def identity_of(session: Session, *, channel: str, external_id: str) -> int | None:
    rows, _ = _run(
        session,
        "SELECT id FROM channel_identities "
        "WHERE channel = :channel AND external_id = :external_id",
        {"channel": channel, "external_id": external_id},
    )
    return int(rows[0]["id"]) if rows else None


# --- broadcasts ----------------------------------------------------------------------------

_SCOPE_WHERE = {
    "province": "u.province = :scope_value",
    "office": "u.office_id = :scope_id",
    "unit": "u.id = :scope_id",
}


def _scope_params(kind: str, value: str) -> dict[str, Any]:
    if kind == "province":
        return {"scope_value": value}
    return {"scope_id": int(value)}


def scope_units(session: Session, *, kind: str, value: str) -> int:
    """How many active units the scope holds (0: no such province, office or unit)."""
    rows, _ = _run(
        session,
        f"SELECT COUNT(*) AS n FROM units u WHERE u.active AND {_SCOPE_WHERE[kind]}",
        _scope_params(kind, value),
    )
    return int(rows[0]["n"])


def exists(session: Session, *, table: str, row_id: int) -> bool:
    if table not in ("offices", "units"):
        raise ValueError(table)
    rows, _ = _run(session, f"SELECT id FROM {table} WHERE id = :id", {"id": row_id})
    return bool(rows)


def provinces(session: Session) -> list[str]:
    rows, _ = _run(
        session, "SELECT DISTINCT province FROM units WHERE active ORDER BY province", {}
    )
    return [str(r["province"]) for r in rows]


def find_broadcast(session: Session, *, kind: str, value: str, sha256: str) -> int | None:
    rows, _ = _run(
        session,
        "SELECT id FROM broadcasts WHERE scope_kind = :k AND scope_value = :v "
        "AND text_sha256 = :sha",
        {"k": kind, "v": value, "sha": sha256},
    )
    return int(rows[0]["id"]) if rows else None


def broadcast(
    session: Session, *, kind: str, value: str, body: str, sha256: str, now: dt.datetime
) -> int:
    """The broadcast of this text to this scope: created once, found again by a rerun."""
    _run(
        session,
        "INSERT INTO broadcasts (scope_kind, scope_value, text, text_sha256, created_at) "
        "VALUES (:k, :v, :body, :sha, :now) ON CONFLICT DO NOTHING",
        {"k": kind, "v": value, "body": body, "sha": sha256, "now": now},
    )
    found = find_broadcast(session, kind=kind, value=value, sha256=sha256)
    assert found is not None
    return found


def plan_broadcast(
    session: Session,
    *,
    broadcast_id: int,
    kind: str,
    value: str,
    channels: Sequence[str],
    due: dt.datetime,
    now: dt.datetime,
) -> int:
    """One "broadcast" reminder per reachable member chat in scope (one per chat even for a
    member of several units in it). A rerun leaves whoever received it alone, plans again who
    was skipped or failed (a blocked chat only once it is reachable again), and brings a
    reminder waiting for the end of quiet hours forward."""
    params: dict[str, Any] = {
        "bid": broadcast_id,
        "key": f"broadcast:{broadcast_id}",
        "due": due,
        "now": now,
        **_scope_params(kind, value),
    }
    reach = _reach(_channels(Scope(tuple(channels))))
    _, count = _run(
        session,
        f"WITH {reach} "
        "INSERT INTO reminders (identity_id, person_id, unit_id, broadcast_id, deadline_key, "
        "kind, due_at, status, attempts, created_at) "
        "SELECT ci.id, m.person_id, MIN(m.unit_id), :bid, :key, 'broadcast', :due, 'planned', "
        "0, :now FROM units u JOIN memberships m ON m.unit_id = u.id "
        "JOIN reach ci ON ci.person_id = m.person_id "
        f"WHERE u.active AND {_SCOPE_WHERE[kind]}"
        + _not_elsewhere("m.person_id", ":key", "'broadcast'")
        + " GROUP BY ci.id, m.person_id "
        "ON CONFLICT (identity_id, deadline_key, kind) DO UPDATE SET due_at = excluded.due_at, "
        "status = 'planned', attempts = 0, skip_reason = NULL, lease_until = NULL "
        "WHERE reminders.status IN ('skipped', 'failed') "
        "OR (reminders.status = 'planned' AND reminders.due_at > excluded.due_at)",
        params,
    )
    _, skipped = _run(
        session, f"WITH {reach} " + _other_channel("deadline_key = :key"), {"key": params["key"]}
    )
    return max(count, 0) + max(skipped, 0)


def audience(
    session: Session, *, kind: str, value: str, channels: Sequence[str], broadcast_id: int | None
) -> dict[str, int]:
    """The chats in scope: `reachable` (on a channel that delivers, not blocked, not opted
    out), `blocked`, `opted_out` (/tatnhacnho) and `received` (this broadcast already delivered
    to them)."""
    params: dict[str, Any] = {"bid": broadcast_id or 0, **_scope_params(kind, value)}
    rows, _ = _run(
        session,
        "SELECT COUNT(DISTINCT CASE WHEN ci.active AND NOT p.reminders_off THEN ci.id END) "
        "AS reachable, "
        "COUNT(DISTINCT CASE WHEN NOT ci.active THEN ci.id END) AS blocked, "
        "COUNT(DISTINCT CASE WHEN ci.active AND p.reminders_off THEN ci.id END) AS opted_out, "
        "COUNT(DISTINCT r.identity_id) AS received "
        "FROM units u JOIN memberships m ON m.unit_id = u.id "
        "JOIN people p ON p.id = m.person_id "
        "JOIN channel_identities ci ON ci.person_id = m.person_id "
        "LEFT JOIN reminders r ON r.identity_id = ci.id AND r.broadcast_id = :bid "
        "AND r.status = 'sent' "
        f"WHERE u.active AND ci.channel IN ({_channels(Scope(tuple(channels)))}) "
        f"AND {_SCOPE_WHERE[kind]}",
        params,
    )
    keys = ("reachable", "blocked", "opted_out", "received")
    return {k: int(rows[0][k] or 0) for k in keys}


def broadcast_counts(session: Session, broadcast_id: int) -> dict[str, int]:
    """The broadcast's reminders by outcome: sent, planned, claimed, failed, skipped:<reason>."""
    rows, _ = _run(
        session,
        "SELECT status, skip_reason, COUNT(*) AS n FROM reminders WHERE broadcast_id = :bid "
        "GROUP BY status, skip_reason",
        {"bid": broadcast_id},
    )
    counts: dict[str, int] = {}
    for r in rows:
        key = str(r["status"]) if r["skip_reason"] is None else f"skipped:{r['skip_reason']}"
        counts[key] = counts.get(key, 0) + int(r["n"])
    return counts
