"""No command-line output and no document shows a research label (tests/research_labels.py).

Through the installed `dvht` script, as an official runs it: `dvht rules` for every tier, unit
type and level, `dvht evaluate` of the examples, `dvht ask` questions with and without a unit
(hypothesis picks them), and the PDF, DOCX and XLSX of `dvht report` read back (pypdf,
python-docx, openpyxl) for the examples and for random assessments (hypothesis).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from openpyxl import load_workbook
from pypdf import PdfReader

from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types
from dvht_core.model import DIGITAL_LEVELS, EMULATION_TITLES
from tests.research_labels import assert_no_research_labels

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DVHT = Path(sys.executable).parent / "dvht"
RULEBOOKS = {tier: load_rulebook(rulebook_id) for tier, rulebook_id in TT24_BY_TIER.items()}
CATALOGUE = load_unit_types()
TYPES = [(tier, u.id) for tier in ("huyen", "tinh") for u in CATALOGUE.for_tier(tier)]
QUESTIONS = [
    *(f"chỉ tiêu {i.id} là gì" for i in RULEBOOKS["tinh"].indicators),
    *(f"chỉ tiêu {i.id} là gì" for i in RULEBOOKS["huyen"].indicators),
    "tiêu chí 1 gồm những gì", "tiêu chí 3 gồm những gì", "cần gì để đạt mức 1",
    "cần gì để đạt mức 2", "hạn nộp hồ sơ khi nào", "còn thiếu minh chứng gì", "tiến độ",
    "kết quả", "/huongdan", "xin chào", "còn bao nhiêu ngày", "nộp cho ai", "ai công nhận",
]  # fmt: skip
UNITS = [("UBND xã Hòa Bình", "huyen", "ubnd_xa"), ("Trường THCS Hòa Bình", "huyen", "pho_thong")]
UNITS += [
    ("Công ty TNHH An Phát", "tinh", "doanh_nghiep"),
    ("Trường Đại học X", "tinh", "dai_hoc"),
]


def _dvht(*argv: str, data_dir: Path, refusal_ok: bool = False) -> str:
    """Run the installed script; every output it gives (stdout and stderr) is what users read.
    `refusal_ok`: the command may refuse in one line with status 2 (a question about a unit's
    own file asked without --unit), and that line is read for labels too."""
    env = {**os.environ, "DVHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(DVHT), *argv], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    if refusal_ok and done.returncode == 2:
        assert done.stdout == "", (argv, done.stdout)
        assert done.stderr.startswith("dvht: "), (argv, done.stderr)
        assert done.stderr.count("\n") == 1, (argv, done.stderr)
    else:
        assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def units(data_dir: Path) -> dict[str, str]:
    """One unit of each kind an official may run (unit type → unit id), made by `unit create`."""
    made = {}
    for name, tier, unit_type in UNITS:
        out = _dvht(
            "unit", "create", "--name", name, "--tier", tier, "--type", unit_type,
            "--province", "Tỉnh Phú Thọ", data_dir=data_dir,
        )  # fmt: skip
        assert_no_research_labels(out, "unit create")
        found = re.search(r"#(\d+)", out)
        assert found, out
        made[unit_type] = found.group(1)
    return made


@pytest.mark.parametrize(("tier", "unit_type"), TYPES)
def test_rules_show_no_research_labels(tmp_path: Path, tier: str, unit_type: str) -> None:
    for level in ("1", "2"):
        argv = ("rules", "--tier", tier, "--unit-type", unit_type, "--level", level)
        out = _dvht(*argv, data_dir=tmp_path)
        assert_no_research_labels(out, " ".join(argv))
        assert "Căn cứ: Thông tư 24/2023/TT-BGDĐT" in out
        # The dossier's office is today's, never the district office that ended on 1/7/2025.
        assert "Phòng Giáo dục" not in out, out
        assert "UBND cấp huyện" not in out, out


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_evaluate_shows_no_research_labels(tmp_path: Path, example: Path) -> None:
    for extra in ((), ("--json",)):
        out = _dvht("evaluate", str(example), *extra, data_dir=tmp_path)
        assert_no_research_labels(out, f"evaluate {example.name} {' '.join(extra)}")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=hs.sampled_from(QUESTIONS), unit=hs.sampled_from([None, *(u for *_, u in UNITS)]))
def test_ask_shows_no_research_labels(
    data_dir: Path, units: dict[str, str], question: str, unit: str | None
) -> None:
    argv = ["ask", question] + (["--unit", units[unit]] if unit else [])
    out = _dvht(*argv, data_dir=data_dir, refusal_ok=unit is None)
    assert_no_research_labels(out, " ".join(argv))


# --- documents ---------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", text)


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def _documents(source: Path, out: Path) -> dict[str, str]:
    pdf, docx, xlsx = out / "bc.pdf", out / "bc.docx", out / "bc.xlsx"
    shown = _dvht(
        "report", str(source), "--pdf", str(pdf), "--docx", str(docx), "--xlsx", str(xlsx),
        data_dir=out,
    )  # fmt: skip
    return {
        "the command's output": shown,
        "the PDF": _pdf_text(pdf.read_bytes()),
        "the DOCX": _docx_text(docx.read_bytes()),
        "the XLSX": _xlsx_text(xlsx.read_bytes()),
    }


@pytest.mark.parametrize("example", [e for e in EXAMPLES if "tt22" not in e.name], ids=str)
def test_the_reports_of_the_examples_show_no_research_labels(
    tmp_path: Path, example: Path
) -> None:
    documents = _documents(example, tmp_path)
    assert "Đơn vị học tập" in documents["the PDF"]
    for where, text in documents.items():
        assert_no_research_labels(text, f"{where} of {example.name}")


def _value(kind: str, choice: int, members: int) -> dict[str, Any]:
    if kind in ("yes_no", "accreditation"):
        return {"met": choice % 2 == 0}
    if kind == "emulation_title":
        return {"title": list(EMULATION_TITLES)[choice % len(EMULATION_TITLES)]}
    if kind == "digital_level":
        return {"dt_level": list(DIGITAL_LEVELS)[choice % len(DIGITAL_LEVELS)]}
    return {"count": choice % (members + 1)}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=hs.sampled_from(TYPES),
    members=hs.integers(1, 60),
    choices=hs.lists(hs.integers(0, 1000), min_size=16, max_size=16),
    answered=hs.lists(hs.booleans(), min_size=16, max_size=16),
)
def test_random_reports_show_no_research_labels(
    unit: tuple[str, str], members: int, choices: list[int], answered: list[bool]
) -> None:
    """Any mix of unit type, answers, unmet bars, missing evidence and unanswered indicators."""
    tier, unit_type = unit
    rulebook = RULEBOOKS[tier]
    answers: dict[str, Any] = {}
    applicable = [i for _, inds in rulebook.plan(unit_type).criteria for i in inds]
    for n, indicator in enumerate(applicable):
        if not answered[n]:
            continue
        value = _value(indicator.kind, choices[n], members)
        if indicator.learners_apply(unit_type):
            value["learners_count"] = choices[n] % 101
        if choices[n] % 3:
            value["evidence"] = [f"Văn bản số {choices[n]}/KH"]
        answers[indicator.id] = value
    document = {
        "unit_name": "UBND xã Hòa Bình" if unit_type == "ubnd_xa" else "Đơn vị Hòa Bình",
        "province": "Tỉnh Phú Thọ",
        "tier": tier,
        "unit_type": unit_type,
        "year": 2025,
        "members": members,
        "answers": answers,
    }
    if any(i.learners_apply(unit_type) for i in applicable):
        document["learners"] = 100
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "hoso.yaml"
        source.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        for where, text in _documents(source, Path(tmp)).items():
            assert_no_research_labels(text, f"{where} of {unit_type} ({tier})")
