"""Core benchmarks: the start-up of `dvht evaluate FILE --json` against a bare interpreter, and
the engine's assessments per second.

Goals: `dvht evaluate FILE --json` at most 3× the wall time of `python -c pass` of the same
interpreter with the same flags (issue 10), both measured interleaved in the same run so that
a busy machine slows both alike; at least 20,000 evaluations per second in one process.

A third timing, the core alone (load the rulebooks, parse, evaluate and dump the example with
`python -c`, no CLI), separates the core's share of the start-up from the command line's.

The commands run with their bytecode cached, as an installed program does (pip compiles on
install, a checkout writes `__pycache__` on its first run): in a fresh `PYTHONPYCACHEPREFIX`
filled by the unmeasured warm-up run, and without `PYTHONDONTWRITEBYTECODE`. When the caller's
environment sets that variable (this machine's shells do), every project module is compiled
from source at each start; one more row times `dvht evaluate` that way, for information.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dvht_core.assessment import Answer, Assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES, Rulebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"
DVHT = Path(sys.executable).parent / "dvht"
GOAL_RATIO = 3.0

# What `dvht evaluate FILE --json` does, without the command line.
CORE_ALONE = """\
import json, sys
from dvht_core.assessment import parse_assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types, yaml_load_text
from dvht_core.report import evaluation_document
with open(sys.argv[1], encoding="utf-8") as handle:
    data = yaml_load_text(handle.read())
rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
assessment = parse_assessment(data, rulebooks, load_unit_types())
rulebook = rulebooks[assessment.tier]
document = evaluation_document(rulebook, assessment, evaluate(rulebook, assessment))
sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\\n")
"""


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


def interpreter() -> list[str]:
    """The interpreter and flags on the `dvht` script's `#!` line (the venv's python)."""
    first = DVHT.read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("#!").split() if first.startswith("#!") else [sys.executable]


BASELINE = "python -c pass"
EVALUATE = "dvht evaluate FILE --json"
UNCACHED = "  … bytecode not cached"


def startup_times(runs: int = 50) -> dict[str, list[float]]:
    """Wall times of each command, interleaved run by run (after one unmeasured warm-up)."""
    python = interpreter()
    evaluate_file = [str(DVHT), "evaluate", str(EXAMPLE), "--json"]
    with tempfile.TemporaryDirectory(prefix="dvht-bench-pycache-") as pycache:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = pycache
        commands = {
            BASELINE: ([*python, "-c", "pass"], cached),
            EVALUATE: (evaluate_file, cached),
            "core alone (python -c …)": ([*python, "-c", CORE_ALONE, str(EXAMPLE)], cached),
        }
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            commands[UNCACHED] = (evaluate_file, dict(os.environ))
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(runs + 1):
            for name, (command, env) in commands.items():
                start = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
                if run:
                    times[name].append(time.perf_counter() - start)
    return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[int(0.95 * (len(ordered) - 1))]


def main() -> None:
    times = startup_times()
    base = statistics.median(times[BASELINE])
    print("== core: dvht evaluate and the evaluation engine ==")
    runs = len(times[BASELINE])
    print(f"start-up, {runs} interleaved runs each (median / p95, ratio of medians):")
    for name, measured in times.items():
        median = statistics.median(measured)
        line = f"  {name:<27} {median * 1000:6.1f} ms / {_p95(measured) * 1000:6.1f} ms"
        if name != BASELINE:
            line += f"   {median / base:4.1f}× python"
        if name == EVALUATE:
            line += f"  (goal ≤ {GOAL_RATIO:.0f}×)"
        print(line)
    rate, done = engine_throughput()
    print(f"engine: {rate:,.0f} assessments/s over {done:,} evaluations (goal ≥ 20,000/s)")


if __name__ == "__main__":
    main()
