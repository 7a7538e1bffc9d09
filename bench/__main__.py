"""Run every benchmark (or those named on the command line) and print their figures."""

from __future__ import annotations

import sys

from bench import (
    chart_bench,
    conversation_bench,
    core_engine,
    dashboard_bench,
    dossier_bench,
    evidence_bench,
    polling_bench,
    reminders_bench,
    report_bench,
    roster_bench,
    roster_chat_bench,
    storage_bench,
    telegram_bench,
    workers_bench,
    zalo_bench,
)

BENCHMARKS = {
    "core": core_engine.main,
    "storage": storage_bench.main,
    "conversation": conversation_bench.main,
    "telegram": telegram_bench.main,
    "polling": polling_bench.main,
    "report": report_bench.main,
    "chart": chart_bench.main,
    "evidence": evidence_bench.main,
    "reminders": reminders_bench.main,
    "workers": workers_bench.main,
    "zalo": zalo_bench.main,
    "dashboard": dashboard_bench.main,
    "roster": roster_bench.main,
    "roster_chat": roster_chat_bench.main,
    "dossier": dossier_bench.main,
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            sys.stderr.write(f"bench: không có benchmark “{name}”; có: {', '.join(BENCHMARKS)}\n")
            return 2
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
