"""Properties of the one reader of evaluate files: whatever a file holds (random documents
near the format, random garbage, random nesting), `dvht evaluate` answers with its result or
with one line and status 2, and nothing but `CliError` escapes `load_tt24` (what `import` and
`report` start with). A file that is accepted can be stored (storage's input models take every
value) and reported (the report data builds and encodes as UTF-8).

Output goes to strict UTF-8 streams: a lone surrogate that reached a print would fail here.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.common import CliError
from cli.documents import load_tt24
from cli.main import main
from dvht_core.loader import TT24_BY_TIER, load_rulebook
from reports.data import report_data
from storage.assessment_sql import answer_value
from storage.schemas import AnswerInput, AssessmentTotals, EvidenceInput

FIELDS = ("unit_name", "province", "tier", "unit_type", "year", "members", "learners")
ANSWER_FIELDS = ("met", "count", "learners_count", "title", "dt_level", "evidence")
TEXT_FIELDS = ("description", "strengths", "weaknesses")
INDICATORS = ("1.1", "1.2", "2.1", "2.4", "3.1", "3.3", "3.4", "3.5", "9.9")
WORDS = (
    "huyen",
    "tinh",
    "ubnd_xa",
    "pho_thong",
    "dai_hoc",
    "2025-02-10",
    "9999-12-31",
    "1:30",
    "0x1E",
    "yes",
    "tt22-hanoi",
    "tt24",
    "tap_the_lao_dong_xuat_sac",
    "tot",
)
HOSTILE_CHARS = ("\udc80", "\ud800", "\u202e", "\u200b", "\x00", "\n", "\ufeff", "ế", "😀")
SYNTAX = (*"[]{}:,-\"'\n #&*!|>?%@`\\ \t.0123456789abcenulrtfs", "\udc80", "ế", "\x00")

text = st.text(st.characters() | st.sampled_from(HOSTILE_CHARS), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.integers(0, 3000)
    | st.floats()
    | st.sampled_from(WORDS)
    | text
    | st.builds(lambda n: "x" * n, st.sampled_from([299, 300, 301, 500, 501, 5001, 100_000]))
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(WORDS) | text, children, max_size=4)
    ),
    max_leaves=12,
)
answer = st.fixed_dictionaries(
    {},
    optional={
        "met": st.booleans() | values,
        "count": st.integers(0, 2000) | values,
        "learners_count": st.integers(0, 3000) | values,
        "title": st.sampled_from(WORDS) | values,
        "dt_level": st.sampled_from(WORDS) | values,
        "evidence": st.lists(st.sampled_from(["KH 12", "QĐ 45"]) | text, max_size=3) | values,
        **dict.fromkeys(TEXT_FIELDS, text | values),
    },
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "unit_name": text | values,
        "province": text | values,
        "tier": st.sampled_from(["huyen", "tinh"]) | values,
        "unit_type": st.sampled_from(["ubnd_xa", "co_quan", "pho_thong", "dai_hoc"]) | values,
        "year": st.integers(2020, 2105) | values,
        "members": st.integers(0, 2000) | values,
        "learners": st.integers(0, 3000) | values,
        "level1_decision_date": st.dates().map(str) | values,
        "ruleset": st.sampled_from(["tt24", "tt24-huyen", "tt22-hanoi"]) | values,
        "answers": st.dictionaries(st.sampled_from(INDICATORS) | text, answer | values),
    },
)


EXAMPLES_DIR = Path(__file__).parents[2] / "examples"
EXAMPLES = [
    yaml.safe_load((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
    for name in ("ubnd-xa-quang-phu.yaml", "tt22-ha-noi-2023.yaml")
]


def _paths(example: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Where a value may be replaced: every field, every answer's fields, a first title."""
    answers = example["answers"]
    return [
        *((field,) for field in (*FIELDS, "level1_decision_date", "extra", "ruleset")),
        *(
            ("answers", indicator_id, field)
            for indicator_id in answers
            for field in (*ANSWER_FIELDS, *TEXT_FIELDS, "choice")
        ),
        *(("answers", indicator_id, "evidence", 0) for indicator_id in answers),
        ("answers", "9.9"),
    ]


near_values = (
    scalars
    | values
    | st.integers(0, 40)
    | st.dates(min_value=dt.date(2015, 1, 1)).map(str)
    | st.builds(lambda n, c: c * n, st.sampled_from([299, 300, 301, 500, 501, 5001]), text)
)


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    """An example (TT24, or the older TT22 rubric) with a few values replaced: most such files
    are accepted, so every bound is reached with everything else valid."""
    document = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for path in draw(st.lists(st.sampled_from(_paths(document)), min_size=1, max_size=3)):
        target: Any = document
        for step in path[:-1]:
            target = target.setdefault(step, {}) if isinstance(target, dict) else None
        last = path[-1]
        in_list = isinstance(target, list) and isinstance(last, int) and last < len(target)
        if in_list or isinstance(target, dict):
            target[last] = draw(near_values)
    return document


def _serialised(document: dict[str, Any], as_json: bool) -> str | None:
    if as_json:
        return json.dumps(document, ensure_ascii=True, default=str)
    try:
        return yaml.safe_dump(document, allow_unicode=False)
    except (yaml.YAMLError, UnicodeError):
        return None  # a value YAML cannot write (the JSON form covers it)


def _nested(depth: int, opening: str) -> str:
    closing = "".join({"[": "]", "{": "}"}.get(c, "") for c in reversed(opening))
    return opening * depth + "0" + closing * depth


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("documents")


def _check(folder: Path, content: str, suffix: str, as_json_output: bool) -> None:
    path = folder / f"document{suffix}"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    argv = ["evaluate", str(path), *(["--json"] if as_json_output else [])]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
        out.flush()
        err.flush()
    lines = err.buffer.getvalue().decode("utf-8")
    assert status in (0, 2), lines
    if status == 2:
        assert lines.startswith("dvht: ")
        assert lines.count("\n") == 1, lines
        assert len(lines) < 400, lines
    try:
        assessment = load_tt24(str(path), command="import")
    except CliError as exc:
        refusal = str(exc)
    else:
        _stored_and_reported(assessment)
        return
    assert "\n" not in refusal


def _stored_and_reported(assessment: Any) -> None:
    """What `import` and `report` do with an accepted file, short of the database and PDF."""
    AssessmentTotals(
        members=assessment.members,
        learners=assessment.learners,
        level1_decision_date=assessment.level1_decision_date,
    )
    for indicator_id, item in assessment.answers.items():
        AnswerInput(
            indicator_id=indicator_id,
            value=answer_value(item),
            description=item.description,
            strengths=item.strengths,
            weaknesses=item.weaknesses,
        )
        for title in item.evidence:
            EvidenceInput(kind="reference", title=title, indicator_ids=(indicator_id,))
    rulebook = load_rulebook(TT24_BY_TIER[assessment.tier])
    data = report_data(rulebook, assessment)
    json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents, as_json=st.booleans(), as_json_output=st.booleans())
def test_random_documents_get_a_result_or_one_line(
    folder: Path, document: dict[str, Any], as_json: bool, as_json_output: bool
) -> None:
    content = _serialised(document, as_json)
    if content is not None:
        _check(folder, content, ".json" if as_json else ".yaml", as_json_output)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=near_valid(), as_json=st.booleans(), as_json_output=st.booleans())
def test_files_near_the_example_get_a_result_or_one_line(
    folder: Path, document: dict[str, Any], as_json: bool, as_json_output: bool
) -> None:
    content = _serialised(document, as_json)
    if content is not None:
        _check(folder, content, ".json" if as_json else ".yaml", as_json_output)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.text(st.sampled_from(SYNTAX), max_size=200),
    suffix=st.sampled_from([".yaml", ".json", ".txt"]),
)
def test_random_garbage_gets_one_line(folder: Path, content: str, suffix: str) -> None:
    _check(folder, content, suffix, as_json_output=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    depth=st.integers(0, 60_000),
    opening=st.sampled_from(["[", "{a: ", '[{"a": ', "- ", "[[{"]),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_random_nesting_gets_one_line(folder: Path, depth: int, opening: str, suffix: str) -> None:
    _check(folder, _nested(depth, opening), suffix, as_json_output=True)
