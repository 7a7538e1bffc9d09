"""Issue 2 benchmarks: `dvht evaluate` wall time and the engine's assessments per second.

Goals: one `dvht evaluate` under 0.3 s including interpreter start; at least 20,000
evaluations per second in one process.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Rulebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
DVHT = Path(sys.executable).parent / "dvht"


def _random_assessment(rng: random.Random, rulebooks: dict[str, Rulebook]) -> Assessment:
    catalogue = load_unit_types()
    unit = rng.choice(catalogue.unit_types)
    tier = rng.choice(unit.tiers)
    members, learners = rng.randint(5, 400), rng.randint(100, 3000)
    answers: dict[str, Answer] = {}
    for indicator in rulebooks[tier].indicators:
        evidence = ("Minh chứng",) if rng.random() < 0.95 else ()
        if indicator.kind in ("yes_no", "accreditation"):
            answers[indicator.id] = Answer(indicator.id, met=rng.random() < 0.9, evidence=evidence)
        elif indicator.kind in ("member_ratio", "member_learner_ratio"):
            answers[indicator.id] = Answer(
                indicator.id,
                count=rng.randint(members * 8 // 10, members),
                learners_count=rng.randint(learners * 9 // 10, learners),
                evidence=evidence,
            )
        elif indicator.kind == "emulation_title":
            answers[indicator.id] = Answer(
                indicator.id, title=rng.choice(list(EMULATION_TITLES)), evidence=evidence
            )
        else:
            answers[indicator.id] = Answer(
                indicator.id, dt_level=rng.choice(list(DIGITAL_LEVELS)), evidence=evidence
            )
    return Assessment(tier, unit.id, 2025, members, answers, learners=learners)


def engine_throughput(seconds: float = 3.0) -> tuple[float, int]:
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    rng = random.Random(24)
    batch = [_random_assessment(rng, rulebooks) for _ in range(2000)]
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for assessment in batch:
            evaluate(rulebooks[assessment.tier], assessment)
        done += len(batch)
    return done / (time.perf_counter() - start), done


def cli_wall_times(runs: int = 20) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [str(DVHT), "evaluate", str(EXAMPLE)], check=True, stdout=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    times = cli_wall_times()
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    rate, done = engine_throughput()
    print("== core: dvht evaluate and the evaluation engine ==")
    print(
        f"dvht evaluate (1 file, incl. interpreter start, {len(times)} runs): "
        f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms  (goal < 300 ms)"
    )
    print(f"engine: {rate:,.0f} assessments/s over {done:,} evaluations (goal ≥ 20,000/s)")


if __name__ == "__main__":
    main()
