"""Issue 15 benchmarks: the dashboard's units list over a province of units, and the XLSX
export's time and memory.

- **Units page**: one page of 50 rows of the units list (`storage.board_store.BoardStore.
  units`: the viewer's scope read from the database, the stale-standing check, the deadlines
  in force, the status counts and the filtered, sorted page) over 50,000 units of one office
  on PostgreSQL, filtered to one status and sorted by progress, the cached standing fresh;
  against a bare `SELECT status, count(*) … GROUP BY status` over the same rows, through the
  same `Database`, alternately in the same run. Printed: p50 and p95 of each and their ratios.
  Goals: p95 ≤ 300 ms and ≤ 10× the bare statement. Needs DVHT_BENCH_DATABASE_URL (or
  DVHT_TEST_DATABASE_URL): a server where a scratch database may be created; without it the
  figure is not measured and a line says so.
- **XLSX export**: 10,000 units, each with its 13 answers, written by `web.dashboard.exports.
  write_xlsx` from `BoardStore.export`'s batches, in a child process on SQLite: the time, the
  peak resident memory (VmHWM) of the process and its growth over the same process just
  before the export (everything imported and the database open), the peak of Python's own
  allocations during the export (tracemalloc), and, as the time's baseline, reading the same
  batches without writing. Goal: peak ≤ 200 MB.
- **Standing refresh**: the same 10,000 units with every cached standing stale (the first
  view after the upgrade that added the cache), recomputed by the board's refresh, against
  loading the same units' progress alone. No goal: it says how long that first view waits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import Database, postgres_engine
from storage.migrate import upgrade

UNITS = 50_000
EXPORT_UNITS = 10_000
ROUNDS = 30
WARMUP = 3
TODAY = dt.date(2026, 12, 7)
YEAR = 2026

_SEED = [
    "INSERT INTO offices (id, name, province, created_at) "
    "VALUES (1, 'Sở Giáo dục và Đào tạo', 'Hưng Yên', now()), "
    "(2, 'Sở khác', 'Huế', now())",
    "INSERT INTO units (id, name, search_name, tier, unit_type, province, office_id, active, "
    "created_at) SELECT u, 'UBND xã Số ' || u, 'ubnd xa so ' || u, 'huyen', 'ubnd_xa', "
    "'Tỉnh số ' || (u % 34 + 1), CASE WHEN u % 50 = 0 THEN 2 ELSE 1 END, true, now() "
    "FROM generate_series(1, :units) AS u",
    "INSERT INTO people (id, display_name, reminders_off, created_at) "
    "VALUES (1, 'Cán bộ thẩm định', false, now())",
    "INSERT INTO reviewer_scopes (person_id, office_id, created_at) VALUES (1, 1, now())",
    # Nine in ten units started; their cached standing is fresh: u % 14 of 13 answered (13:
    # complete, at level u % 3); one in ten of the complete ones submitted.
    "INSERT INTO assessments (unit_id, year, ruleset_id, ruleset_version, status, created_at, "
    "updated_at, standing_level, standing_answered, standing_total, standing_at) "
    "SELECT u, 2026, 'tt24-huyen', '2024.1', "
    "CASE WHEN u % 14 = 13 AND u % 10 = 0 THEN 'submitted' ELSE 'draft' END, now(), now(), "
    "CASE WHEN u % 14 = 13 THEN u % 3 END, u % 14, 13, now() "
    "FROM generate_series(1, :units) AS u WHERE u % 10 <> 0 OR u % 14 = 13",
    # Three provinces set an internal date before the legal 15/01.
    "INSERT INTO deadlines (year, due_on, title, province, created_at) "
    "SELECT 2026, DATE '2027-01-05', 'Hạn nội bộ', 'Tỉnh số ' || p, now() "
    "FROM generate_series(1, 3) AS p",
    "ANALYZE",
]

_BARE = text(
    "SELECT a.status, count(*) FROM assessments a JOIN units u ON u.id = a.unit_id "
    "WHERE u.office_id = :office AND a.year = :year GROUP BY a.status"
)


def _peak_kb() -> int:
    """The process's peak resident set (VmHWM, kB). Not `ru_maxrss`: Linux carries that
    across exec, so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def units_page(server_url: str, units: int = UNITS) -> dict[str, Any]:
    from review.board import UnitFilter
    from storage.board_store import BoardStore
    from storage.uow import read

    name = f"dvht_bench_{uuid.uuid4().hex[:10]}"
    admin = postgres_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    seeder = postgres_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    board = BoardStore(database)
    wanted = UnitFilter(
        year=YEAR, status="in_progress", sort="percent", descending=True, per_page=50, page=3
    )

    def bare(session: Any) -> list[Any]:
        return list(session.connection().execute(_BARE, {"office": 1, "year": YEAR}))

    try:
        await upgrade(database)
        async with seeder.connect() as connection:
            for statement in _SEED:
                await connection.execute(text(statement), {"units": units})
        page_times: list[float] = []
        bare_times: list[float] = []
        rows = 0
        for round_ in range(WARMUP + ROUNDS):
            begin = time.perf_counter()
            page = await board.units(1, wanted, today=TODAY)
            page_s = time.perf_counter() - begin
            begin = time.perf_counter()
            counted = await read(database, bare)
            bare_s = time.perf_counter() - begin
            if round_ >= WARMUP:
                page_times.append(page_s)
                bare_times.append(bare_s)
            rows = sum(int(n) for _, n in counted)
        assert len(page.rows) == 50
        scope_total = sum(page.counts.values())
    finally:
        await database.close()
        await seeder.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    page_p50, page_p95 = statistics.median(page_times), _percentile(page_times, 0.95)
    bare_p50, bare_p95 = statistics.median(bare_times), _percentile(bare_times, 0.95)
    return {
        "units_in_scope": scope_total,
        "assessments_counted": rows,
        "matching": page.total,
        "page_p50": page_p50,
        "page_p95": page_p95,
        "bare_p50": bare_p50,
        "bare_p95": bare_p95,
        "ratio_p50": page_p50 / bare_p50,
        "ratio_p95": page_p95 / bare_p95,
    }


# --- the XLSX export ---------------------------------------------------------------------------


async def _seed_export(path: Path, units: int) -> None:
    from tests.board.world import level2_values

    database = Database(f"sqlite:///{path}")
    await upgrade(database)
    values = level2_values()
    now = dt.datetime(2026, 11, 1, 1, 0)

    def seed(connection: Any) -> None:
        connection.execute(
            text(
                "INSERT INTO offices (id, name, province, created_at) "
                "VALUES (1, 'Sở Giáo dục và Đào tạo', 'Hưng Yên', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO people (id, display_name, reminders_off, created_at) "
                "VALUES (1, 'Cán bộ', 0, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO reviewer_scopes (person_id, office_id, created_at) "
                "VALUES (1, 1, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO units (id, name, search_name, tier, unit_type, province, "
                "office_id, active, created_at) VALUES (:id, :name, :folded, 'huyen', "
                "'ubnd_xa', 'Hưng Yên', 1, 1, :now)"
            ),
            [
                {"id": u, "name": f"UBND xã Số {u}", "folded": f"ubnd xa so {u}", "now": now}
                for u in range(1, units + 1)
            ],
        )
        connection.execute(
            text(
                "INSERT INTO assessments (id, unit_id, year, ruleset_id, ruleset_version, "
                "status, created_at, updated_at, standing_level, standing_answered, "
                "standing_total, standing_at) VALUES (:id, :id, 2026, 'tt24-huyen', "
                "'2024.1', 'draft', :now, :now, 2, 13, 13, :now)"
            ),
            [{"id": u, "now": now} for u in range(1, units + 1)],
        )
        connection.execute(
            text(
                "INSERT INTO answer_revisions (assessment_id, indicator_id, value, "
                "answered_by, answered_at) VALUES (:a, :i, :v, 1, :now)"
            ),
            [
                {"a": u, "i": i, "v": json.dumps(v), "now": now}
                for u in range(1, units + 1)
                for i, v in values.items()
            ],
        )

    await database.run_connection(seed, write=True)
    await database.close()


async def _export_child(path: str) -> dict[str, Any]:
    from review.board import UnitFilter
    from storage.board_store import BoardStore
    from web.dashboard.exports import write_xlsx

    database = Database(f"sqlite:///{path}")
    board = BoardStore(database)
    wanted = UnitFilter(year=YEAR)
    start_kb = _peak_kb()
    begin = time.perf_counter()
    rows = 0
    async for batch in board.export(1, wanted, today=TODAY):
        rows += len(batch)
    read_s = time.perf_counter() - begin
    before_kb = _peak_kb()
    begin = time.perf_counter()
    written = await write_xlsx(board.export(1, wanted, today=TODAY))
    export_s = time.perf_counter() - begin
    peak_kb = _peak_kb()
    size = os.path.getsize(written)
    os.unlink(written)
    # Python's own allocations, in a second run (tracemalloc slows allocation several times,
    # so the time above is measured without it).
    tracemalloc.start()
    os.unlink(await write_xlsx(board.export(1, wanted, today=TODAY)))
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await database.close()
    return {
        "rows": rows,
        "read_s": read_s,
        "export_s": export_s,
        "rss_start_mb": start_kb / 1024,
        "rss_before_mb": before_kb / 1024,
        "rss_peak_mb": peak_kb / 1024,
        "python_peak_mb": python_peak / 2**20,
        "file_mb": size / 2**20,
    }


async def _refresh_all(path: Path) -> dict[str, Any]:
    """Every standing of the seeded units stale (as right after the upgrade that added the
    cache), recomputed by the board's refresh; the baseline loads the same units' progress
    (`storage.progress_store.load_progress`, the refresh's own loader) without evaluating or
    writing."""
    from storage.board_store import BoardStore
    from storage.progress_store import load_progress

    database = Database(f"sqlite:///{path}")
    await database.run_connection(
        lambda c: c.execute(text("UPDATE assessments SET standing_at = NULL")), write=True
    )
    ids = await database.run_connection(
        lambda c: [r[0] for r in c.execute(text("SELECT id FROM units ORDER BY id"))]
    )
    begin = time.perf_counter()
    recomputed = await BoardStore(database).refresh(1, YEAR)
    refresh_s = time.perf_counter() - begin
    begin = time.perf_counter()
    for start in range(0, len(ids), 500):
        await load_progress(database, ids[start : start + 500], YEAR)
    load_s = time.perf_counter() - begin
    await database.close()
    return {"recomputed": recomputed, "refresh_s": refresh_s, "load_s": load_s}


def xlsx_export(units: int = EXPORT_UNITS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.sqlite3"
        asyncio.run(_seed_export(path, units))
        done = subprocess.run(
            [sys.executable, "-m", "bench.dashboard_bench", "--xlsx-child", str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        found["refresh"] = asyncio.run(_refresh_all(path))
    return found


def main() -> None:
    print("== dashboard: the units list over a province, the XLSX export ==")
    server = os.environ.get("DVHT_BENCH_DATABASE_URL") or os.environ.get("DVHT_TEST_DATABASE_URL")
    if not server:
        print("Units page: not measured (set DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL)")
    else:
        try:
            page = asyncio.run(units_page(server))
        except OSError as exc:
            print(f"Units page: not measured, server unreachable ({exc})")
        else:
            print(
                f"Units page, {page['units_in_scope']:,} units in scope on PostgreSQL, one page "
                f"of 50 (status in_progress, {page['matching']:,} matching, sorted by progress, "
                f"page 3), {ROUNDS} rounds: p50 {page['page_p50'] * 1000:.1f} ms, p95 "
                f"{page['page_p95'] * 1000:.1f} ms (goal ≤ 300 ms); bare GROUP BY status over "
                f"the same {page['assessments_counted']:,} assessments, same run: p50 "
                f"{page['bare_p50'] * 1000:.1f} ms, p95 {page['bare_p95'] * 1000:.1f} ms; "
                f"ratio p50 {page['ratio_p50']:.1f}×, p95 {page['ratio_p95']:.1f}× (goal ≤ 10×)"
            )
    found = xlsx_export()
    print(
        f"XLSX export, {found['rows']:,} units × 13 answers (SQLite, child process): "
        f"{found['export_s']:.2f} s (reading the same batches without writing: "
        f"{found['read_s']:.2f} s, ratio {found['export_s'] / found['read_s']:.1f}×); peak "
        f"resident memory {found['rss_peak_mb']:.0f} MB (goal ≤ 200 MB): the process held "
        f"{found['rss_start_mb']:.0f} MB with everything imported, {found['rss_before_mb']:.0f} "
        f"MB after reading the batches alone (same run); Python allocations peak "
        f"{found['python_peak_mb']:.1f} MB; file {found['file_mb']:.1f} MB"
    )
    fresh = found["refresh"]
    per_unit_ms = fresh["refresh_s"] / fresh["recomputed"] * 1000
    print(
        f"Standing refresh, all {fresh['recomputed']:,} stale (the first view after the upgrade, "
        f"SQLite): {fresh['refresh_s']:.2f} s = {per_unit_ms:.2f} ms a unit; loading the same "
        f"units' progress alone, same run: {fresh['load_s']:.2f} s "
        f"(ratio {fresh['refresh_s'] / fresh['load_s']:.1f}×)"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--xlsx-child":
        print(json.dumps(asyncio.run(_export_child(sys.argv[2]))))
    else:
        main()
