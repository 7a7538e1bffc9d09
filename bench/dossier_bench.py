"""Issue 16 benchmark: the whole dossier of a unit with 60 evidence files (about 60 MB).

The evidence: 40 scanned PDFs of 1 MB and four albums of five 1 MB phone photos (each album
becomes one PDF through img2pdf), 60 files in all. Each figure is measured in its own
subprocess, so that the peak resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) is
that of the one job, side by side with two baselines of the same run:

* time: zipfile alone copying the same 60 files into a ZIP (stored, 1 MiB chunks), the least
  any dossier costs; the dossier adds the documents (typst, python-docx, openpyxl) and the
  albums' PDFs;
* memory: the interpreter with the same imports and the same data loaded, writing nothing.

Goal (issue 16): peak memory at most 150 MB.

Run: `.venv/bin/python -m bench.dossier_bench`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

MB = 1024 * 1024
PDFS = 40
ALBUMS = 4
PHOTOS_PER_ALBUM = 5
GOAL_MB = 150
TODAY = dt.date(2026, 1, 5)


def _make_files(root: Path) -> None:
    """The 60 evidence files: PDFs of 1 MB (a scan's image stream), JPEG photos of ~1 MB."""
    from PIL import Image

    for n in range(PDFS):
        payload = os.urandom(MB)
        head = b"%%PDF-1.4\n1 0 obj\n<< /Length %d >>\nstream\n" % len(payload)
        (root / f"scan-{n:02d}.pdf").write_bytes(head + payload + b"\nendstream\nendobj\n%%EOF\n")
    for a in range(ALBUMS):
        for p in range(PHOTOS_PER_ALBUM):
            noise = Image.frombytes("RGB", (1200, 900), os.urandom(1200 * 900 * 3))
            out = io.BytesIO()
            noise.save(out, "JPEG", quality=92)
            (root / f"album-{a}-{p}.jpg").write_bytes(out.getvalue())


def _answers(rulebook: Any, unit_type: str, members: int) -> dict[str, Any]:
    """Level 2 on every applicable indicator, with one evidence title each."""
    answers: dict[str, Any] = {}
    for _, applicable in rulebook.plan(unit_type).criteria:
        for indicator in applicable:
            value: dict[str, Any] = {"evidence": [f"Minh chứng {indicator.id}"]}
            if indicator.kind in ("yes_no", "accreditation"):
                value["met"] = True
            elif indicator.kind in ("member_ratio", "member_learner_ratio"):
                value["count"] = members
                if indicator.kind == "member_learner_ratio":
                    value["learners_count"] = 1000
            elif indicator.kind == "emulation_title":
                value["title"] = "tap_the_lao_dong_xuat_sac"
            else:
                value["dt_level"] = "tot"
            answers[indicator.id] = value
    return answers


def _source(root: Path) -> Any:
    from conversations.dossier import DossierEvidence, DossierFile, DossierSource
    from dvht_core.assessment import parse_assessment
    from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types

    rulebooks = {tier: load_rulebook(r) for tier, r in TT24_BY_TIER.items()}
    rulebook = rulebooks["huyen"]
    data = {
        "tier": "huyen",
        "unit_type": "ubnd_xa",
        "year": 2025,
        "members": 40,
        "answers": _answers(rulebook, "ubnd_xa", 40),
        "unit_name": "UBND xã Quảng Phú",
        "province": "Thành phố Huế",
    }
    assessment = parse_assessment(data, rulebooks, load_unit_types())
    ids = [i.id for _, applicable in rulebook.plan("ubnd_xa").criteria for i in applicable]

    def file(path: Path, mime: str) -> DossierFile:
        return DossierFile(path=path, mime_type=mime, size=path.stat().st_size)

    items = [
        DossierEvidence(
            id=n + 1,
            title=f"Văn bản {n + 1}",
            indicator_ids=(ids[n % len(ids)],),
            files=(file(root / f"scan-{n:02d}.pdf", "application/pdf"),),
        )
        for n in range(PDFS)
    ]
    for a in range(ALBUMS):
        photos = tuple(
            file(root / f"album-{a}-{p}.jpg", "image/jpeg") for p in range(PHOTOS_PER_ALBUM)
        )
        items.append(
            DossierEvidence(
                id=100 + a, title=f"Biên bản {a}", indicator_ids=(ids[a],), files=photos
            )
        )
    return DossierSource(
        unit_id=1, rulebook=rulebook, assessment=assessment, level=2, office=None,
        evidence=tuple(items),
    )  # fmt: skip


def _child(mode: str, root: Path) -> None:
    """One measured job; prints “seconds peak_kb”."""
    from reports.dossier.builder import DossierZip

    source = _source(root)
    started = time.perf_counter()
    if mode == "dossier":
        DossierZip().write(source, root / "out" / "hoso.zip", today=TODAY)
    elif mode == "zipcopy":
        with zipfile.ZipFile(root / "out" / "copy.zip", "w") as archive:
            for item in source.evidence:
                for f in item.files:
                    with f.path.open("rb") as src, archive.open(f.path.name, "w") as dst:
                        shutil.copyfileobj(src, dst, MB)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{elapsed:.4f} {peak_kb}")


def _run(mode: str, root: Path) -> tuple[float, float]:
    # Through a shell that forks the child: Linux keeps a process's peak RSS across exec, so a
    # child forked from this process (large after making the photos and importing every
    # benchmark) would report this process's peak, not its own. The shell is small.
    script = '"$0" -m bench.dossier_bench --child "$1" "$2"; exit $?'
    done = subprocess.run(
        ["/bin/sh", "-c", script, sys.executable, mode, str(root)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, peak_kb = done.stdout.split()
    return float(seconds), int(peak_kb) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dvht-dossier-bench-") as tmp:
        root = Path(tmp)
        (root / "out").mkdir()
        _make_files(root)
        evidence_mb = sum(p.stat().st_size for p in root.iterdir() if p.is_file()) / MB
        _run("dossier", root)  # warm: the page cache, typst's first compile of the fonts
        runs = {mode: [_run(mode, root) for _ in range(3)] for mode in ("dossier", "zipcopy")}
        idle = [_run("imports", root) for _ in range(3)]
        dossier_s = min(s for s, _ in runs["dossier"])
        copy_s = min(s for s, _ in runs["zipcopy"])
        dossier_mb = max(m for _, m in runs["dossier"])
        idle_mb = max(m for _, m in idle)
        size_mb = (root / "out" / "hoso.zip").stat().st_size / MB
    print(
        f"dossier: {PDFS + ALBUMS * PHOTOS_PER_ALBUM} evidence files, {evidence_mb:.1f} MB "
        f"→ ZIP {size_mb:.1f} MB (best of 3, each in its own process)\n"
        f"  time   {dossier_s:6.2f} s   zipfile copying the same files alone {copy_s:6.2f} s   "
        f"ratio {dossier_s / copy_s:5.1f}×\n"
        f"  peak   {dossier_mb:6.1f} MB  same imports and data, writing nothing "
        f"{idle_mb:6.1f} MB  "
        f"added {dossier_mb - idle_mb:5.1f} MB   goal ≤ {GOAL_MB} MB: "
        f"{'met' if dossier_mb <= GOAL_MB else 'NOT met'}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
