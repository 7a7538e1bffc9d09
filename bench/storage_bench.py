"""Issue 3 benchmarks.

- Load one unit's current assessment with its answers and evidence on SQLite with 10,000 units
  stored (goal: p95 under 5 ms), as the command line loads it: through the chat's statements
  (`storage.assessment_sql`), p50 about 0.27 ms on the 2-core machine (1.1 ms through the ORM).
- Count assessments by status for one province on PostgreSQL with 50,000 units and their
  assessments (goal: under 200 ms). Needs DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL
  pointing at a server where a scratch database may be created.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from conversations.records import Actor
from dvht_core import workflow
from storage.assessments import AssessmentRepository
from storage.db import Database, postgres_engine
from storage.migrate import upgrade
from storage.reporting import ReportingRepository
from storage.tables import AnswerRevision, AssessmentRow, Evidence, EvidenceIndicator, Unit
from storage.types import utcnow
from storage.uow import read

PROVINCES = [f"Tỉnh số {n}" for n in range(1, 35)]  # 34 provinces since 1/7/2025
INDICATORS = [
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "1.5",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5",
    "3.1",
    "3.2",
    "3.3",
]
OPERATOR = Actor.operator("bench")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _seed(connection: Any, units: int, *, answers: bool) -> None:
    """Bulk-load units, one 2025 assessment each and (optionally) answers and evidence."""
    rng = random.Random(3)
    now = utcnow()
    unit_rows = [
        {
            "id": i,
            "name": f"UBND xã số {i}",
            "tier": "huyen",
            "unit_type": "ubnd_xa",
            "province": PROVINCES[i % len(PROVINCES)],
            "active": True,
            "created_at": now,
        }
        for i in range(1, units + 1)
    ]
    assessment_rows = [
        {
            "id": i,
            "unit_id": i,
            "year": 2025,
            "ruleset_id": "tt24-huyen",
            "ruleset_version": "2024.1",
            "status": rng.choice(workflow.STATUSES),
            "members": 30,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(1, units + 1)
    ]
    for start in range(0, units, 5000):
        connection.execute(insert(Unit), unit_rows[start : start + 5000])
        connection.execute(insert(AssessmentRow), assessment_rows[start : start + 5000])
    if answers:
        _seed_answers(connection, units, rng, now)


def _seed_answers(connection: Any, units: int, rng: random.Random, now: Any) -> None:
    evidence_id = 0
    for start in range(1, units + 1, 1000):
        revisions: list[dict[str, Any]] = []
        evidence: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for assessment_id in range(start, min(start + 1000, units + 1)):
            for indicator in INDICATORS:
                value = {"count": rng.randint(20, 30)} if indicator[0] in "23" else {"met": True}
                revisions.append(
                    {
                        "assessment_id": assessment_id,
                        "indicator_id": indicator,
                        "value": value,
                        "answered_at": now,
                    }
                )
                if rng.random() < 0.2:  # some indicators were edited once
                    revisions.append(
                        {
                            "assessment_id": assessment_id,
                            "indicator_id": indicator,
                            "value": value,
                            "answered_at": now,
                        }
                    )
            for indicator in INDICATORS[:10]:
                evidence_id += 1
                evidence.append(
                    {
                        "id": evidence_id,
                        "assessment_id": assessment_id,
                        "kind": "reference",
                        "title": f"Minh chứng {indicator}",
                        "uploaded_at": now,
                    }
                )
                links.append({"evidence_id": evidence_id, "indicator_id": indicator})
        connection.execute(insert(AnswerRevision), revisions)
        connection.execute(insert(Evidence), evidence)
        connection.execute(insert(EvidenceIndicator), links)


async def sqlite_load(units: int = 10_000, loads: int = 1_000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        await upgrade(database)
        started = time.perf_counter()
        await database.run_connection(lambda connection: _seed(connection, units, answers=True))
        seeded = time.perf_counter() - started
        repository = AssessmentRepository()
        rng = random.Random(7)
        times: list[float] = []
        for _ in range(loads):
            unit_id = rng.randint(1, units)
            begin = time.perf_counter()
            record = await read(
                database, partial(repository.load, actor=OPERATOR, unit_id=unit_id, year=2025)
            )
            times.append(time.perf_counter() - begin)
            assert record is not None
            assert len(record.answers) == len(INDICATORS)
        await database.close()
    return {
        "seed_s": seeded,
        "p50": statistics.median(times) * 1000,
        "p95": _percentile(times, 0.95) * 1000,
        "p99": _percentile(times, 0.99) * 1000,
    }


async def postgres_counts(server_url: str, units: int = 50_000) -> dict[str, float]:
    name = f"dvht_bench_{uuid.uuid4().hex[:10]}"
    admin = postgres_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    try:
        await upgrade(database)
        started = time.perf_counter()
        await database.run_connection(lambda connection: _seed(connection, units, answers=False))
        await database.run_connection(lambda connection: connection.execute(text("ANALYZE")))
        seeded = time.perf_counter() - started
        reporting = ReportingRepository()
        times: list[float] = []
        for province in PROVINCES * 3:
            begin = time.perf_counter()
            counts = await read(
                database, partial(reporting.count_by_status, actor=OPERATOR, province=province)
            )
            times.append(time.perf_counter() - begin)
            assert sum(counts.values()) > 0
    finally:
        await database.close()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    return {
        "seed_s": seeded,
        "p50": statistics.median(times) * 1000,
        "p95": _percentile(times, 0.95) * 1000,
        "max": max(times) * 1000,
    }


def main() -> None:
    print("== storage: loading an assessment, counting by status ==")
    load = asyncio.run(sqlite_load())
    print(
        f"SQLite, 10,000 units (seeded in {load['seed_s']:.1f} s): load one unit's assessment "
        f"with answers and evidence: p50 {load['p50']:.2f} ms, p95 {load['p95']:.2f} ms, "
        f"p99 {load['p99']:.2f} ms  (goal p95 < 5 ms)"
    )
    server = os.environ.get("DVHT_BENCH_DATABASE_URL") or os.environ.get("DVHT_TEST_DATABASE_URL")
    if not server:
        print("PostgreSQL: not measured (set DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL)")
        return
    try:
        counts = asyncio.run(postgres_counts(server))
    except OSError as exc:
        print(f"PostgreSQL: not measured, server unreachable ({exc})")
        return
    print(
        f"PostgreSQL, 50,000 units (seeded in {counts['seed_s']:.1f} s): count by status for "
        f"one province: p50 {counts['p50']:.2f} ms, p95 {counts['p95']:.2f} ms, "
        f"max {counts['max']:.2f} ms  (goal < 200 ms)"
    )


if __name__ == "__main__":
    main()
