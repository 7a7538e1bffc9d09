"""Issue 16 benchmark, part C: what the chart costs. The report's PDF with the chart against the
same report without it (the same data less its `chart` key, so the template draws none), run
alternately in one process so both meet the same machine load; the chat's PNG of the chart,
against the PDF without it as the same-run baseline; and the DOCX, which carries that PNG.
Printed as p50 and ratios; no goal is asserted (a benchmark, not a timed test)."""

from __future__ import annotations

import statistics
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dvht_core.assessment import parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from reports.chart import ChartImages, render_chart_png
from reports.data import report_data
from reports.docx import render_docx
from reports.pdf import render_pdf

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ubnd-xa-quang-phu.yaml"
RUNS = 20


def main() -> None:
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assessment = parse_assessment(data, rulebooks, load_unit_types())
    rulebook = rulebooks[assessment.tier]
    with_chart = report_data(rulebook, assessment)
    without_chart = {k: v for k, v in with_chart.items() if k != "chart"}
    chart = ChartImages().build(rulebook, assessment)
    assert chart is not None, "the example answers every count indicator"
    rows = len(chart["rows"])

    produce: dict[str, Callable[[], bytes | None]] = {
        "pdf_without": lambda: render_pdf(without_chart),
        "pdf_with": lambda: render_pdf(with_chart),
        "png": lambda: render_chart_png(chart),
        "docx_without": lambda: render_docx(without_chart),
        "docx_with": lambda: render_docx(with_chart),
    }
    times: dict[str, list[float]] = {name: [] for name in produce}
    sizes: dict[str, int] = {}
    for name, make in produce.items():  # one warm-up each: fonts loaded, caches filled
        sizes[name] = len(make() or b"")
    for _ in range(RUNS):  # alternated, so a burst of load hits all three alike
        for name, make in produce.items():
            started = time.perf_counter()
            make()
            times[name].append(time.perf_counter() - started)
    p50 = {name: statistics.median(t) for name, t in times.items()}
    png = render_chart_png(chart) or b""
    width, height = struct.unpack(">II", png[16:24])

    print(f"== chart: {rows} count indicators, {RUNS} alternated runs each ==")
    print(
        f"report PDF without the chart: p50 {_ms(p50['pdf_without'])}, {_kb(sizes['pdf_without'])}"
    )
    print(
        f"report PDF with the chart:    p50 {_ms(p50['pdf_with'])}, {_kb(sizes['pdf_with'])}  "
        f"(×{p50['pdf_with'] / p50['pdf_without']:.2f} the time, "
        f"×{sizes['pdf_with'] / sizes['pdf_without']:.2f} the size)"
    )
    print(
        f"chart PNG {width}×{height}:       p50 {_ms(p50['png'])}, {_kb(sizes['png'])}  "
        f"(×{p50['png'] / p50['pdf_without']:.2f} the PDF without the chart)"
    )
    print(f"report DOCX without the chart: p50 {_ms(p50['docx_without'])}")
    print(
        f"report DOCX with its picture:  p50 {_ms(p50['docx_with'])}  "
        f"(×{p50['docx_with'] / p50['docx_without']:.2f} the time)"
    )
    build = _p50(lambda: ChartImages().build(rulebook, assessment))
    print(f"chart data (in the transaction): p50 {build * 1e6:.0f} µs")


def _p50(work: Callable[[], Any]) -> float:
    times = []
    for _ in range(200):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _kb(size: int) -> str:
    return f"{size // 1024} KB"
