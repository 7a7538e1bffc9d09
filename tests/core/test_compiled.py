"""The compiled rulebooks: current, faithful to the YAML, and never used for an edited YAML."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from dvht_core import compile as compiler
from dvht_core import model, rulebook_schema
from dvht_core.compiled import FORMAT, compiled_path, read_current
from dvht_core.errors import RulebookError
from dvht_core.loader import (
    RULEBOOK_DIR,
    TT24_BY_TIER,
    UNIT_TYPES_FILE,
    load_rulebook,
    load_unit_types,
    read_yaml,
    rulebook_sources,
    validate_rulebook,
)
from dvht_core.record_type import Record

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ubnd-xa-quang-phu.yaml"


def test_compiled_rulebooks_are_current() -> None:
    assert compiler.stale_files() == [], (
        "dvht_core/rulebooks/compiled/ is out of date: run `python -m dvht_core.compile` "
        "and commit the result"
    )


def test_every_tt24_rulebook_and_the_catalogue_is_compiled() -> None:
    names = {p.name for p in (RULEBOOK_DIR / "compiled").glob("*.json")}
    assert names == {f"{rid}.json" for rid in TT24_BY_TIER.values()} | {"unit-types.json"}


@pytest.mark.parametrize("rulebook_id", sorted(TT24_BY_TIER.values()))
def test_the_shipped_rulebooks_load_from_their_compiled_form(rulebook_id: str) -> None:
    path = RULEBOOK_DIR / f"{rulebook_id}.yaml"
    sources = rulebook_sources(path, path.read_bytes())
    assert read_current(compiled_path(RULEBOOK_DIR, path.name), sources) is not None


@pytest.mark.parametrize("rulebook_id", sorted(TT24_BY_TIER.values()))
def test_the_compiled_form_round_trips_to_an_equal_rulebook(rulebook_id: str) -> None:
    path = RULEBOOK_DIR / f"{rulebook_id}.yaml"
    compiled = load_rulebook(rulebook_id)
    validated = validate_rulebook(read_yaml(path), name=path.name)
    assert compiled == validated
    assert hash(compiled) == hash(validated)
    assert compiled.indicators == validated.indicators
    assert compiled.plan("ubnd_xa").indicator_ids == validated.plan("ubnd_xa").indicator_ids


def _same(record: Any, checked: Any, where: str) -> None:
    """`record` (runtime) carries every field `checked` (pydantic) has, with the same value."""
    if isinstance(checked, BaseModel):
        assert isinstance(record, Record), where
        assert record._record_fields == tuple(type(checked).model_fields), where
        for name in record._record_fields:
            _same(getattr(record, name), getattr(checked, name), f"{where}.{name}")
    elif isinstance(checked, tuple):
        assert isinstance(record, tuple), where
        assert len(record) == len(checked), where
        for index, (left, right) in enumerate(zip(record, checked, strict=True)):
            _same(left, right, f"{where}[{index}]")
    else:
        assert type(record) is type(checked), where  # True stays a bool, 90 an int
        assert record == checked, where


@pytest.mark.parametrize("rulebook_id", sorted(TT24_BY_TIER.values()))
def test_the_runtime_rulebook_carries_everything_the_schema_validated(rulebook_id: str) -> None:
    codes = [u.id for u in load_unit_types().unit_types]
    data = read_yaml(RULEBOOK_DIR / f"{rulebook_id}.yaml")
    checked = rulebook_schema.Rulebook.model_validate(data, context={"unit_types": codes})
    _same(load_rulebook(rulebook_id), checked, rulebook_id)


def test_the_runtime_catalogue_carries_everything_the_schema_validated() -> None:
    data = read_yaml(RULEBOOK_DIR / UNIT_TYPES_FILE)
    _same(load_unit_types(), rulebook_schema.UnitTypeCatalogue.model_validate(data), "catalogue")


@pytest.mark.parametrize(
    "name",
    [
        "UnitType",
        "UnitTypeCatalogue",
        "LevelText",
        "Thresholds",
        "ExtraText",
        "Indicator",
        "Criterion",
        "Submission",
        "Rulebook",
    ],
)
def test_runtime_and_schema_classes_have_the_same_fields(name: str) -> None:
    runtime, schema = getattr(model, name), getattr(rulebook_schema, name)
    assert runtime._record_fields == tuple(schema.model_fields)


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    """A copy of the shipped rulebooks, YAML and compiled, to edit."""
    target = tmp_path / "rulebooks"
    shutil.copytree(RULEBOOK_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unedited_copy_loads_from_its_compiled_form(copy_dir: Path) -> None:
    path = copy_dir / "tt24-huyen.yaml"
    assert read_current(
        compiled_path(copy_dir, path.name), rulebook_sources(path, path.read_bytes())
    )
    assert load_rulebook("tt24-huyen", copy_dir) == load_rulebook("tt24-huyen")


def test_an_edited_yaml_is_validated_not_replaced_by_its_compiled_form(copy_dir: Path) -> None:
    _edit(copy_dir / "tt24-huyen.yaml", "upgrade_wait_months: 12", "upgrade_wait_months: 18")
    assert load_rulebook("tt24-huyen", copy_dir).upgrade_wait_months == 18
    assert load_rulebook("tt24-huyen").upgrade_wait_months == 12


def test_a_tampered_yaml_is_rejected_even_with_a_compiled_form_beside_it(copy_dir: Path) -> None:
    _edit(copy_dir / "tt24-huyen.yaml", 'id: "1.2"', 'id: "1.1"')
    with pytest.raises(RulebookError, match=r"^tt24-huyen\.yaml: 1 validation error for Rulebook"):
        load_rulebook("tt24-huyen", copy_dir)
    with pytest.raises(RulebookError, match=r"duplicate indicator id 1\.1"):
        compiler.expected_files(copy_dir)


def test_an_edited_catalogue_makes_the_rulebooks_stale(copy_dir: Path) -> None:
    """A rulebook's unit-type codes were checked against the catalogue it was compiled with."""
    _edit(copy_dir / UNIT_TYPES_FILE, "id: gdnn", "id: gd_nghe_nghiep")
    assert load_unit_types(copy_dir).get("gd_nghe_nghiep") is not None
    with pytest.raises(RulebookError, match=r"unknown unit type code\(s\) gdnn"):
        load_rulebook("tt24-huyen", copy_dir)


@pytest.mark.parametrize("content", ["{", "[]", '{"format": 0}', ""])
def test_an_unreadable_compiled_file_falls_back_to_the_yaml(copy_dir: Path, content: str) -> None:
    (copy_dir / "compiled" / "tt24-tinh.json").write_text(content, encoding="utf-8")
    (copy_dir / "compiled" / "unit-types.json").unlink()
    assert load_rulebook("tt24-tinh", copy_dir) == load_rulebook("tt24-tinh")
    assert load_unit_types(copy_dir) == load_unit_types()


def test_a_compiled_file_of_another_format_is_stale(copy_dir: Path) -> None:
    path = copy_dir / "compiled" / "tt24-tinh.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == FORMAT
    document["format"] = FORMAT + 1
    path.write_text(json.dumps(document), encoding="utf-8")
    yaml_path = copy_dir / "tt24-tinh.yaml"
    assert read_current(path, rulebook_sources(yaml_path, yaml_path.read_bytes())) is None


def test_compile_rewrites_what_changed_and_removes_left_overs(copy_dir: Path) -> None:
    _edit(copy_dir / "tt24-tinh.yaml", "upgrade_wait_months: 12", "upgrade_wait_months: 24")
    left_over = copy_dir / "compiled" / "tt24-removed.json"
    left_over.write_text("{}", encoding="utf-8")
    hand_edited = copy_dir / "compiled" / "unit-types.json"
    hand_edited.write_text(hand_edited.read_text("utf-8").replace("UBND", "Ủy ban"), "utf-8")
    stale = {copy_dir / "compiled" / "tt24-tinh.json", left_over, hand_edited}
    assert set(compiler.stale_files(copy_dir)) == stale
    assert set(compiler.write(copy_dir)) == stale
    assert compiler.stale_files(copy_dir) == []
    assert not left_over.exists()
    path = copy_dir / "tt24-tinh.yaml"
    data = read_current(
        compiled_path(copy_dir, path.name), rulebook_sources(path, path.read_bytes())
    )
    assert data is not None
    assert data["upgrade_wait_months"] == 24


def test_compile_check_exits_zero_when_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert compiler.main(["--check"]) == 0
    assert compiler.main(["--bogus"]) == 2
    assert "usage" in capsys.readouterr().err


_EVALUATE = """\
import json, sys
from dvht_core.assessment import parse_assessment
from dvht_core.evaluate import evaluate
from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types, yaml_load_text
from dvht_core.report import evaluation_document
path = sys.argv[1]
with open(path, encoding="utf-8") as handle:
    text = handle.read()
data = json.loads(text) if path.endswith(".json") else yaml_load_text(text)
rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
assessment = parse_assessment(data, rulebooks, load_unit_types())
rulebook = rulebooks[assessment.tier]
json.dumps(evaluation_document(rulebook, assessment, evaluate(rulebook, assessment)))
print(json.dumps(sorted(m for m in ("pydantic", "yaml", "dataclasses") if m in sys.modules)))
"""


def _imported(path: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _EVALUATE, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    found: list[str] = json.loads(done.stdout)
    return found


# The start-up budget (issue 10): pydantic costs about 77 ms, dataclasses about 18 ms with its
# classes (see dvht_core/record_type.py), PyYAML 12 ms, which a JSON input does not need.


def test_evaluating_a_yaml_file_imports_no_pydantic_and_no_dataclasses() -> None:
    assert _imported(EXAMPLE) == ["yaml"]


def test_evaluating_a_json_file_imports_no_yaml_either(tmp_path: Path) -> None:
    path = tmp_path / "example.json"
    path.write_text(json.dumps(read_yaml(EXAMPLE), default=str), encoding="utf-8")
    assert _imported(path) == []
