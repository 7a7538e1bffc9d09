"""Read the rulebooks shipped in `dvht_core/rulebooks/`: from their compiled form when it is
current, else validated from the YAML with pydantic.

The YAML files are the source of truth. Each TT24 rulebook and the unit-type catalogue also
ship compiled (`rulebooks/compiled/*.json`, written by `python -m dvht_core.compile`): the data
the schema accepted, with the SHA-256 of the files it was validated from. A start whose compiled
forms match the YAML beside them imports neither pydantic nor PyYAML and builds no model class
(under 1 ms instead of about 90 ms, see `compiled.py`); a YAML edited since is validated again,
so an edit is never ignored, only slower until it is compiled.

Parsed rulebooks are cached per process: the files are package data and never change at run
time, and a CLI run should parse each file at most once. `directory` points the loader at
another copy of the rulebooks (the tests' edited copies); by default it reads the shipped ones.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dvht_core.compiled import (
    compiled_path,
    read_current,
    rulebook_from_data,
    sha256_hex,
    unit_types_from_data,
)
from dvht_core.errors import RulebookError
from dvht_core.model import Rulebook, Tier, UnitTypeCatalogue

if TYPE_CHECKING:
    from dvht_core.tt22 import Tt22Rulebook

RULEBOOK_DIR = Path(__file__).parent / "rulebooks"
UNIT_TYPES_FILE = "unit-types.yaml"
TT24_BY_TIER: dict[str, str] = {"huyen": "tt24-huyen", "tinh": "tt24-tinh"}
TT22_ID = "tt22-hanoi"


@functools.cache
def _yaml_loader() -> Any:
    """PyYAML's C loader when it has one (several times faster), imported on first use: a run
    whose rulebooks are compiled and whose input is JSON never needs PyYAML (12 ms to import)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file with the C loader when PyYAML has it."""
    return parse_yaml_source(path.read_bytes())


def parse_yaml_source(source: bytes) -> Any:
    """Parse the bytes of a shipped YAML file (UTF-8)."""
    import yaml

    return yaml.load(source.decode("utf-8"), Loader=_yaml_loader())


def rulebook_files(directory: Path | None = None) -> list[Path]:
    """Every rulebook shipped with the package (the unit-type catalogue excluded)."""
    found = (directory or RULEBOOK_DIR).glob("*.yaml")
    return sorted(p for p in found if p.name != UNIT_TYPES_FILE)


def is_tt22_data(data: Any) -> bool:
    """Whether parsed rulebook data is the TT22 100-point rubric (`scheme: points`)."""
    return isinstance(data, dict) and data.get("scheme") == "points"


def load_unit_types(directory: Path | None = None) -> UnitTypeCatalogue:
    return _load_unit_types(directory or RULEBOOK_DIR)


@functools.cache
def _load_unit_types(directory: Path) -> UnitTypeCatalogue:
    source = (directory / UNIT_TYPES_FILE).read_bytes()
    data = read_current(
        compiled_path(directory, UNIT_TYPES_FILE), {UNIT_TYPES_FILE: sha256_hex(source)}
    )
    if data is None:
        data = unit_types_data(parse_yaml_source(source))
    return unit_types_from_data(data)


def unit_types_data(data: Any) -> dict[str, Any]:
    """Validate a parsed unit-type catalogue; its validated form as JSON data."""
    from pydantic import ValidationError

    from dvht_core.rulebook_schema import validated_unit_types

    try:
        return validated_unit_types(data)
    except ValidationError as exc:
        raise RulebookError(f"{UNIT_TYPES_FILE}: {exc}") from exc


def rulebook_data(data: Any, *, name: str, directory: Path | None = None) -> dict[str, Any]:
    """Validate a parsed TT24-style rulebook against the unit-type catalogue; its validated form
    as JSON data (what the compiled file holds)."""
    from pydantic import ValidationError

    from dvht_core.rulebook_schema import validated_rulebook

    codes = [u.id for u in load_unit_types(directory).unit_types]
    try:
        return validated_rulebook(data, codes)
    except ValidationError as exc:
        raise RulebookError(f"{name}: {exc}") from exc


def validate_rulebook(data: Any, *, name: str, directory: Path | None = None) -> Rulebook:
    """Validate a parsed TT24-style rulebook against the unit-type catalogue."""
    return rulebook_from_data(rulebook_data(data, name=name, directory=directory))


def rulebook_sources(path: Path, source: bytes) -> dict[str, str]:
    """The files a TT24 rulebook is validated from, by name, with their SHA-256: itself and the
    catalogue its unit-type codes are checked against (an edited catalogue makes it stale)."""
    catalogue = (path.parent / UNIT_TYPES_FILE).read_bytes()
    return {path.name: sha256_hex(source), UNIT_TYPES_FILE: sha256_hex(catalogue)}


def check_declared_id(rulebook_id: str, declared: str, path: Path) -> None:
    if declared != rulebook_id:
        raise RulebookError(f"{path.name} declares id {declared!r}")


def load_rulebook(rulebook_id: str, directory: Path | None = None) -> Rulebook:
    return _load_rulebook(rulebook_id, directory or RULEBOOK_DIR)


@functools.cache
def _load_rulebook(rulebook_id: str, directory: Path) -> Rulebook:
    path = directory / f"{rulebook_id}.yaml"
    if not path.is_file():
        raise RulebookError(f"no rulebook {rulebook_id!r} in {directory}")
    source = path.read_bytes()
    data = read_current(compiled_path(directory, path.name), rulebook_sources(path, source))
    if data is None:
        data = rulebook_data(parse_yaml_source(source), name=path.name, directory=directory)
    rulebook = rulebook_from_data(data)
    check_declared_id(rulebook_id, rulebook.id, path)
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
    """The older TT22 100-point rubric (kept for history, migration and FAQ).

    Validated with pydantic at each load: it is read only for TT22 files and questions, never
    on the start of a TT24 evaluation.
    """
    from dvht_core.tt22 import load_tt22_rulebook

    path = RULEBOOK_DIR / f"{rulebook_id}.yaml"
    if not path.is_file():
        raise RulebookError(f"no rulebook {rulebook_id!r} in {RULEBOOK_DIR}")
    return load_tt22_rulebook(read_yaml(path))


def load_any_rulebook(path: Path) -> Rulebook | Tt22Rulebook:
    """Validate any shipped rulebook file by its `scheme` (levels: TT24, points: TT22).

    Always from the YAML, never from a compiled form: this is the validation the tests run.
    """
    data = read_yaml(path)
    if is_tt22_data(data):
        from dvht_core.tt22 import load_tt22_rulebook

        return load_tt22_rulebook(data)
    return validate_rulebook(data, name=path.name)


def yaml_load_text(text: str) -> Any:
    """Parse a user's YAML document (an evaluate file): YAML 1.2 values, bounded nesting, no
    duplicate keys; raise `DocumentError` (a ValueError) naming the problem and its line.

    Not PyYAML's loader, which the trusted rulebooks above keep using: see `yaml_document`.
    """
    from dvht_core.yaml_document import parse_yaml

    return parse_yaml(text)
