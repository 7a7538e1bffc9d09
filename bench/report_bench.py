"""Issue 6 benchmark: the full PDF report (every indicator, 30 evidence items), p50 ≤ 150 ms;
the DOCX and XLSX of the same content; and, where LibreOffice is installed, the user's usual
route to a PDF (the DOCX converted with `libreoffice --headless --convert-to pdf`)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dvht_core.assessment import parse_assessment
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from reports.data import report_data
from reports.docx import render_docx
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ubnd-xa-quang-phu.yaml"
RUNS = 30
LIBREOFFICE_RUNS = 5


def main() -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for n, (indicator_id, answer) in enumerate(data["answers"].items()):
        answer["evidence"] = [
            f"Văn bản số {n * 3 + k}/KH-UBND về chỉ tiêu {indicator_id}" for k in range(1, 3)
        ]
        answer["description"] = "Đơn vị triển khai đầy đủ, có kế hoạch và báo cáo kết quả. " * 3
    evidence = sum(len(a["evidence"]) for a in data["answers"].values())
    data["answers"]["1.1"]["evidence"] += [f"Ảnh hoạt động {k}" for k in range(30 - evidence)]
    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    assessment = parse_assessment(data, rulebooks, load_unit_types())
    rulebook = rulebooks[assessment.tier]

    def data_of() -> dict[str, Any]:  # built on every run, as the bot does for each /baocao
        return report_data(rulebook, assessment)

    print("== report: PDF through typst, DOCX, XLSX ==")
    pdf_p50, _ = _time("PDF (typst)", lambda: render_pdf(data_of()), RUNS, "goal p50 ≤ 150 ms")
    _time("DOCX (python-docx)", lambda: render_docx(data_of()), RUNS)
    _time("XLSX (openpyxl)", lambda: render_xlsx(data_of()), RUNS)
    _libreoffice(render_docx(data_of()), pdf_p50)


def _time(
    label: str, produce: Callable[[], bytes], runs: int, goal: str = ""
) -> tuple[float, bytes]:
    times, output = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        output = produce()
        times.append(time.perf_counter() - started)
    p50, p95 = statistics.median(times), sorted(times)[int(0.95 * (runs - 1))]
    print(
        f"full report, {label}, {len(output) // 1024} KB: p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms{f'  ({goal})' if goal else ''}"
    )
    return p50, output


def _libreoffice(docx: bytes, typst_p50: float) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        print("LibreOffice route (DOCX → PDF): not measured, LibreOffice is not installed")
        return
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "bao-cao.docx"
        source.write_bytes(docx)
        profile = Path(work) / "profile"  # its own profile, made on the first (untimed) run
        command: list[Any] = [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            work,
            str(source),
        ]

        def convert() -> bytes:
            subprocess.run(command, check=True, capture_output=True, timeout=300)
            return (Path(work) / "bao-cao.pdf").read_bytes()

        convert()
        p50, _ = _time("DOCX → PDF (LibreOffice, warm profile)", convert, LIBREOFFICE_RUNS)
    print(f"LibreOffice route / typst: {p50 / typst_p50:.0f}× slower")
