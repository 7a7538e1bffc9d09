"""Issue 13 benchmarks: delivering pushes at the channel's allowed rate, and planning them in
set-based SQL.

- **Delivery**: `dvht broadcast` (the installed script, the real dispatcher, pacer and Telegram
  sender, over real HTTP) to 10,000 member chats, against the fake Bot API server of the tests
  enforcing Telegram's limits: 30 messages in any second, one per chat per second, 429 with
  `retry_after` beyond them. Printed: the achieved rate from the first delivered message to the
  last, its ratio to the rate we allow ourselves (`DVHT_PUSH_RATE`, 25/s) and to the server's
  30/s, the 429s met, and the duplicates and losses counted per chat at the server. Goal: achieved
  / allowed ≥ 0.9, 0 duplicates, 0 lost.
- **Planning**: the reminders of 100,000 units (one member chat each, its unit admin) on
  PostgreSQL through `reminders.planner.Planner`, against a plain `INSERT … SELECT` of the same
  number of rows into the same table on the same server, alternately, three rounds, the table
  emptied and vacuumed between runs. Goal: planning ≤ 3× the plain statement. Needs
  DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL (a server where a scratch database may be
  created); without it the planning figure is not measured and says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.db import Database, default_database_url, postgres_engine
from storage.migrate import upgrade
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi

RECIPIENTS = 10_000
MEMBERS_PER_UNIT = 10
SERVER_RATE = 30.0
ALLOWED_RATE = 25.0
"""The rate we allow ourselves by default (`DVHT_PUSH_RATE`): Telegram's 30/s less headroom."""
NEAR_LIMIT = 29.0
NEAR_LIMIT_RECIPIENTS = 3_000
"""A second, shorter run paced just under the server's limit (`DVHT_PUSH_RATE=29`): how close
to Telegram's own 30/s the pacer gets without meeting a 429."""
PLANNED_UNITS = 100_000
ROUNDS = 3
PROVINCE = "Hưng Yên"
DVHT = Path(sys.executable).parent / "dvht"
ZONE = dt.timezone(dt.timedelta(hours=7))


# --- delivery ---------------------------------------------------------------------------------


def _seed_recipients(connection: Any, recipients: int) -> None:
    """`recipients` people in units of ten, each with a Telegram chat (ids from 7,000,001)."""
    now = dt.datetime.now(dt.UTC)
    units = -(-recipients // MEMBERS_PER_UNIT)
    connection.execute(
        text(
            "INSERT INTO units (id, name, tier, unit_type, province, active, created_at) "
            "VALUES (:id, :name, 'huyen', 'ubnd_xa', :province, true, :now)"
        ),
        [
            {"id": u, "name": f"UBND xã Bench {u}", "province": PROVINCE, "now": now}
            for u in range(1, units + 1)
        ],
    )
    connection.execute(
        text(
            "INSERT INTO people (id, display_name, reminders_off, created_at) "
            "VALUES (:id, :name, false, :now)"
        ),
        [{"id": p, "name": f"Cán bộ {p}", "now": now} for p in range(1, recipients + 1)],
    )
    connection.execute(
        text(
            "INSERT INTO channel_identities (person_id, channel, external_id, active, created_at) "
            "VALUES (:id, 'telegram', :chat, true, :now)"
        ),
        [{"id": p, "chat": str(7_000_000 + p), "now": now} for p in range(1, recipients + 1)],
    )
    connection.execute(
        text(
            "INSERT INTO memberships (person_id, unit_id, role, created_at) "
            "VALUES (:id, :unit, :role, :now)"
        ),
        [
            {
                "id": p,
                "unit": (p - 1) // MEMBERS_PER_UNIT + 1,
                "role": "unit_admin" if p % MEMBERS_PER_UNIT == 1 else "member",
                "now": now,
            }
            for p in range(1, recipients + 1)
        ],
    )


def delivery(recipients: int = RECIPIENTS, rate: float = ALLOWED_RATE) -> dict[str, float]:
    """`dvht broadcast` to `recipients` chats, paced at `rate` messages a second."""
    with tempfile.TemporaryDirectory() as tmp, FakeBotApi() as api:
        data_dir = Path(tmp)
        database = Database(default_database_url(data_dir))

        async def prepare() -> None:
            try:
                await upgrade(database)
                await database.run_connection(
                    lambda connection: _seed_recipients(connection, recipients), write=True
                )
            finally:
                await database.close()

        asyncio.run(prepare())
        limit = api.limit_rate(overall=SERVER_RATE, per_chat=1)
        env = {
            **os.environ,
            "DVHT_DATA_DIR": str(data_dir),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api.url,
            "DVHT_PUSH_RATE": str(rate),
        }
        env.pop("DATABASE_URL", None)
        announcement = (
            "Sở Giáo dục và Đào tạo thông báo: hồ sơ “Đơn vị học tập” năm 2026 nộp trước ngày "
            "15/01/2027."
        )
        started = time.monotonic()
        finished = subprocess.run(
            [str(DVHT), "broadcast", "--province", PROVINCE, "--text", announcement, "--now"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.monotonic() - started
        if finished.returncode != 0:
            raise RuntimeError(f"dvht broadcast failed: {finished.stderr.strip()}")
        delivered = [c for c in api.calls_of("sendMessage") if c.ok]
        per_chat = Counter(c.chat_id for c in delivered)
        expected = {7_000_000 + p for p in range(1, recipients + 1)}
        span = delivered[-1].at - delivered[0].at if len(delivered) > 1 else float("nan")
        achieved = (len(delivered) - 1) / span
        return {
            "delivered": len(delivered),
            "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
            "lost": len(expected - set(per_chat)),
            "refused_429": limit.refused,
            "span_s": span,
            "wall_s": wall,
            "rate": achieved,
            "vs_allowed": achieved / rate,
            "vs_server": achieved / SERVER_RATE,
        }


# --- planning ---------------------------------------------------------------------------------

_SEED_UNITS = [
    "INSERT INTO units (id, name, tier, unit_type, province, active, created_at) "
    "SELECT u, 'UBND xã ' || u, 'huyen', 'ubnd_xa', 'Tỉnh số ' || (u % 34 + 1), true, now() "
    "FROM generate_series(1, :units) AS u",
    "INSERT INTO people (id, display_name, reminders_off, created_at) "
    "SELECT u, 'Cán bộ ' || u, false, now() FROM generate_series(1, :units) AS u",
    "INSERT INTO channel_identities (person_id, channel, external_id, active, created_at) "
    "SELECT u, 'telegram', (8000000 + u)::text, true, now() FROM generate_series(1, :units) AS u",
    "INSERT INTO memberships (person_id, unit_id, role, created_at) "
    "SELECT u, u, 'unit_admin', now() FROM generate_series(1, :units) AS u",
    # A quarter of the units started their assessment; one in twenty already submitted it.
    "INSERT INTO assessments (unit_id, year, ruleset_id, ruleset_version, status, created_at, "
    "updated_at) SELECT u, 2026, 'tt24-huyen', '2024.1', "
    "CASE WHEN u % 20 = 0 THEN 'submitted' ELSE 'draft' END, now(), now() "
    "FROM generate_series(1, :units) AS u WHERE u % 4 = 0",
    # Three provinces' offices set an internal date earlier than the legal 15/01.
    "INSERT INTO deadlines (year, due_on, title, province, created_at) "
    "SELECT 2026, DATE '2027-01-05', 'Hạn nội bộ', 'Tỉnh số ' || p, now() "
    "FROM generate_series(1, 3) AS p",
    "ANALYZE",
]

_PLAIN_INSERT = """
INSERT INTO reminders (identity_id, person_id, unit_id, year, deadline_key, kind, deadline_on,
                       due_at, status, attempts, created_at)
SELECT ci.id, ci.person_id, m.unit_id, 2026, 'plain:2026', k.kind, DATE '2027-01-15',
       :due, 'planned', 0, :due
FROM channel_identities ci
JOIN memberships m ON m.person_id = ci.person_id
CROSS JOIN (VALUES ('T-30'), ('T-14'), ('T-7'), ('T-3'), ('T-1'), ('admin-T-7')) AS k(kind)
LIMIT :rows
"""
"""The baseline: the same number of rows into the same table (its unique key, indexes, checks
and foreign keys), with nothing to decide."""


class _FixedClock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def planning(server_url: str, units: int = PLANNED_UNITS) -> dict[str, Any]:
    from reminders.planner import Planner
    from storage.reminder_store import SqlReminderStore

    name = f"dvht_bench_{uuid.uuid4().hex[:10]}"
    admin = postgres_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    vacuum = postgres_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    # 1 December 2026, 09:00 in Vietnam: every reminder of the 2026 dossier is still ahead.
    clock = _FixedClock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZONE).astimezone(dt.UTC))
    planner = Planner(SqlReminderStore(database), clock)

    async def empty() -> None:
        async with vacuum.connect() as connection:
            await connection.execute(text("DELETE FROM reminders"))
            await connection.execute(text("VACUUM ANALYZE reminders"))

    async def count() -> int:
        async with vacuum.connect() as connection:
            found = await connection.execute(text("SELECT count(*) FROM reminders"))
            return int(found.scalar_one())

    try:
        await upgrade(database)
        async with vacuum.connect() as connection:
            for statement in _SEED_UNITS:
                await connection.execute(text(statement), {"units": units})
        plan_times: list[float] = []
        plain_times: list[float] = []
        replan_times: list[float] = []
        rows = 0
        for _ in range(ROUNDS):
            await empty()
            begin = time.perf_counter()
            await planner.plan()
            plan_times.append(time.perf_counter() - begin)
            rows = await count()
            begin = time.perf_counter()
            await planner.plan()  # nothing changed: every row is already there
            replan_times.append(time.perf_counter() - begin)
            await empty()
            begin = time.perf_counter()
            async with vacuum.connect() as connection:
                await connection.execute(text(_PLAIN_INSERT), {"rows": rows, "due": clock.moment})
            plain_times.append(time.perf_counter() - begin)
            assert await count() == rows
    finally:
        await database.close()
        await vacuum.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    plan, plain = statistics.median(plan_times), statistics.median(plain_times)
    return {
        "rows": rows,
        "plan_s": plan,
        "plain_s": plain,
        "replan_s": statistics.median(replan_times),
        "ratio": plan / plain,
        "ratios": [p / q for p, q in zip(plan_times, plain_times, strict=True)],
    }


def main() -> None:
    print("== reminders: delivery at the allowed rate, planning in set-based SQL ==")
    for recipients, rate in ((RECIPIENTS, ALLOWED_RATE), (NEAR_LIMIT_RECIPIENTS, NEAR_LIMIT)):
        found = delivery(recipients, rate)
        print(
            f"Delivery, {recipients:,} chats via `dvht broadcast` paced at {rate:g}/s "
            f"(DVHT_PUSH_RATE) against a fake Bot API enforcing {SERVER_RATE:.0f}/s overall and "
            f"1/s per chat: {found['delivered']:,.0f} delivered in {found['span_s']:.1f} s = "
            f"{found['rate']:.2f} msg/s; achieved/allowed = {found['vs_allowed']:.3f} (goal ≥ "
            f"0.9), achieved/server limit = {found['vs_server']:.3f}; 429s met "
            f"{found['refused_429']:.0f}, duplicates {found['duplicates']:.0f}, lost "
            f"{found['lost']:.0f} (whole command {found['wall_s']:.1f} s)"
        )
    server = os.environ.get("DVHT_BENCH_DATABASE_URL") or os.environ.get("DVHT_TEST_DATABASE_URL")
    if not server:
        print("Planning: not measured (set DVHT_BENCH_DATABASE_URL or DVHT_TEST_DATABASE_URL)")
        return
    try:
        planned = asyncio.run(planning(server))
    except OSError as exc:
        print(f"Planning: not measured, server unreachable ({exc})")
        return
    rounds = ", ".join(f"{r:.2f}" for r in planned["ratios"])
    print(
        f"Planning {PLANNED_UNITS:,} units on PostgreSQL ({planned['rows']:,.0f} reminders): "
        f"planner {planned['plan_s']:.2f} s vs plain INSERT … SELECT of the same rows "
        f"{planned['plain_s']:.2f} s = {planned['ratio']:.2f}× (rounds {rounds}; goal ≤ 3×); "
        f"planning again with nothing new {planned['replan_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
