"""Read the rulebooks shipped in `dvht_core/rulebooks/` and validate them with pydantic.

Parsed rulebooks are cached per process: the files are package data and never change at run
time, and a CLI run should parse each file at most once.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from dvht_core.errors import RulebookError
from dvht_core.model import Rulebook, Tier, UnitTypeCatalogue

if TYPE_CHECKING:
    from dvht_core.tt22 import Tt22Rulebook

RULEBOOK_DIR = Path(__file__).parent / "rulebooks"
UNIT_TYPES_FILE = "unit-types.yaml"
TT24_BY_TIER: dict[str, str] = {"huyen": "tt24-huyen", "tinh": "tt24-tinh"}
TT22_ID = "tt22-hanoi"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file with the C loader when PyYAML has it (several times faster)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)


def rulebook_files() -> list[Path]:
    """Every rulebook shipped with the package (the unit-type catalogue excluded)."""
    return sorted(p for p in RULEBOOK_DIR.glob("*.yaml") if p.name != UNIT_TYPES_FILE)


@functools.cache
def load_unit_types() -> UnitTypeCatalogue:
    data = read_yaml(RULEBOOK_DIR / UNIT_TYPES_FILE)
    try:
        return UnitTypeCatalogue.model_validate(data)
    except ValidationError as exc:
        raise RulebookError(f"{UNIT_TYPES_FILE}: {exc}") from exc


def validate_rulebook(data: Any, *, name: str) -> Rulebook:
    """Validate a parsed TT24-style rulebook against the unit-type catalogue."""
    codes = [u.id for u in load_unit_types().unit_types]
    try:
        return Rulebook.model_validate(data, context={"unit_types": codes})
    except ValidationError as exc:
        raise RulebookError(f"{name}: {exc}") from exc


@functools.cache
def load_rulebook(rulebook_id: str) -> Rulebook:
    path = RULEBOOK_DIR / f"{rulebook_id}.yaml"
    if not path.is_file():
        raise RulebookError(f"no rulebook {rulebook_id!r} in {RULEBOOK_DIR}")
    rulebook = validate_rulebook(read_yaml(path), name=path.name)
    if rulebook.id != rulebook_id:
        raise RulebookError(f"{path.name} declares id {rulebook.id!r}")
    return rulebook


def rulebook_for(ruleset_id: str, version: str) -> Rulebook:
    """The rulebook an assessment was started on, by the id and version stored with it.

    An assessment is judged by the rules it was answered under; a stored version this release
    does not ship is an error to fix (ship that version), never silently evaluated against
    another one.
    """
    rulebook = load_rulebook(ruleset_id)
    if rulebook.version != version:
        raise RulebookError(
            f"rulebook {ruleset_id!r} version {version!r} is not shipped "
            f"(this release has {rulebook.version!r})"
        )
    return rulebook


def rulebook_for_tier(tier: Tier) -> Rulebook:
    return load_rulebook(TT24_BY_TIER[tier])


@functools.cache
def load_tt22_file(rulebook_id: str = TT22_ID) -> Tt22Rulebook:
    """The older TT22 100-point rubric (kept for history, migration and FAQ)."""
    from dvht_core.tt22 import load_tt22_rulebook

    path = RULEBOOK_DIR / f"{rulebook_id}.yaml"
    if not path.is_file():
        raise RulebookError(f"no rulebook {rulebook_id!r} in {RULEBOOK_DIR}")
    return load_tt22_rulebook(read_yaml(path))


def load_any_rulebook(path: Path) -> Rulebook | Tt22Rulebook:
    """Validate any shipped rulebook file by its `scheme` (levels: TT24, points: TT22)."""
    data = read_yaml(path)
    if isinstance(data, dict) and data.get("scheme") == "points":
        from dvht_core.tt22 import load_tt22_rulebook

        return load_tt22_rulebook(data)
    return validate_rulebook(data, name=path.name)


def yaml_load_text(text: str) -> Any:
    """Parse user-supplied YAML text; raise ValueError with the position of the first error."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "không rõ vị trí"
        raise ValueError(where) from None
    except yaml.YAMLError:
        raise ValueError("không rõ vị trí") from None
