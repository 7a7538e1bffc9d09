"""The compiled form of a rulebook: its validated data as JSON, read without pydantic or YAML.

`python -m dvht_core.compile` validates each shipped YAML file (`rulebook_schema.py`) and writes
what the schema accepted to `rulebooks/compiled/<name>.json`, with the SHA-256 of every file it
was validated from: the rulebook's own YAML and, for a TT24 rulebook, the unit-type catalogue
its codes were checked against. The loader uses a compiled file only when those digests match
the YAML shipped beside it, so an edited YAML is validated again, never ignored; the YAML stays
the source of truth and a test fails while a committed compiled file is not current.

JSON rather than pickle: loading data must not run code. Measured on the 2-core development
machine: reading, hashing and building the two TT24 rulebooks and the catalogue from their
compiled forms takes 0.8 ms, against about 90 ms from the YAML: 75 ms to import pydantic and
build the schema's classes, 10 ms to import PyYAML, 4 ms to parse the three files and 1 ms to
validate them.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol, cast

from dvht_core.model import (
    CalendarEntry,
    Criterion,
    ExtraText,
    Indicator,
    LevelText,
    Rulebook,
    Submission,
    Thresholds,
    UnitType,
    UnitTypeCatalogue,
)

FORMAT = 3
"""Bumped when the layout of a compiled file changes; an older file then counts as stale."""

COMPILED_DIR = "compiled"
GENERATED_BY = "python -m dvht_core.compile"


class _Digest(Protocol):
    def hexdigest(self) -> str: ...


def _sha256_constructor() -> Callable[[bytes], _Digest]:
    """CPython's lean SHA-256 module when there is one, else hashlib.

    `import hashlib` loads OpenSSL: 3.5 ms of a 20 ms interpreter start here, against 0.1 ms
    for `_sha256` (3.11; `_sha2` from 3.12). The standard library's `random` does the same for
    SHA-512.
    """
    for name in ("_sha2", "_sha256"):
        try:
            return cast(Callable[[bytes], _Digest], importlib.import_module(name).sha256)
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover - interpreters without the lean modules

    return hashlib.sha256  # pragma: no cover


_SHA256 = _sha256_constructor()


def sha256_hex(content: bytes) -> str:
    return _SHA256(content).hexdigest()


def compiled_path(directory: Path, source_name: str) -> Path:
    """Where the compiled form of `directory/source_name` (a YAML file) lives."""
    return directory / COMPILED_DIR / f"{Path(source_name).stem}.json"


def compiled_text(data: Mapping[str, Any], sources: Mapping[str, str]) -> str:
    """The compiled file for validated `data`, made from `sources` (file name → SHA-256)."""
    document = {
        "format": FORMAT,
        "generated_by": GENERATED_BY,
        "sources": dict(sorted(sources.items())),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def read_current(path: Path, sources: Mapping[str, str]) -> dict[str, Any] | None:
    """The validated data in `path` if it was compiled from exactly `sources`, else None.

    A missing, unreadable or older-format file is not an error: the caller validates the YAML.
    """
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    if document.get("sources") != dict(sources):
        return None
    data = document.get("data")
    return data if isinstance(data, dict) else None


def unit_types_from_data(data: Mapping[str, Any]) -> UnitTypeCatalogue:
    """The catalogue from validated data (the compiled form or the schema's output)."""
    return UnitTypeCatalogue(
        id=data["id"],
        version=data["version"],
        source=data["source"],
        basis=data["basis"],
        unit_types=tuple(
            UnitType(
                id=u["id"],
                name=u["name"],
                plain=u["plain"],
                tiers=tuple(u["tiers"]),
                public=u["public"],
                educational=u["educational"],
                source=u["source"],
                basis=u["basis"],
                uncertain=u["uncertain"],
                note=u["note"],
            )
            for u in data["unit_types"]
        ),
    )


def rulebook_from_data(data: Mapping[str, Any]) -> Rulebook:
    """The rulebook from validated data (the compiled form or the schema's output)."""
    submission = data["submission"]
    return Rulebook(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        legal_source=data["legal_source"],
        effective_date=date.fromisoformat(data["effective_date"]),
        tier=data["tier"],
        scheme=data["scheme"],
        submission=Submission(
            deadline=submission["deadline"],
            office=submission["office"],
            source=submission["source"],
            basis=submission["basis"],
            completion=submission["completion"],
            office_before_reform=submission["office_before_reform"],
            reform_date=date.fromisoformat(submission["reform_date"]),
            office_hints=tuple(
                ExtraText(tuple(h["applies_to"]), h["text"]) for h in submission["office_hints"]
            ),
        ),
        upgrade_wait_months=data["upgrade_wait_months"],
        calendar=tuple(
            CalendarEntry(e["date"], e["text"], tuple(e["applies_to"]), e["source"], e["basis"])
            for e in data["calendar"]
        ),
        criteria=tuple(
            Criterion(
                id=c["id"],
                title=c["title"],
                source=c["source"],
                basis=c["basis"],
                indicators=tuple(_indicator(i) for i in c["indicators"]),
            )
            for c in data["criteria"]
        ),
    )


def _indicator(data: Mapping[str, Any]) -> Indicator:
    extra = data["extra_text"]
    return Indicator(
        id=data["id"],
        short=data["short"],
        kind=data["kind"],
        text=LevelText(data["text"]["level1"], data["text"]["level2"]),
        thresholds=_thresholds(data["thresholds"]),
        applies_to=tuple(data["applies_to"]),
        evidence=tuple(data["evidence"]),
        source=data["source"],
        basis=data["basis"],
        wording=data["wording"],
        measure=data["measure"],
        learner_measure=data["learner_measure"],
        learner_thresholds=None
        if data["learner_thresholds"] is None
        else _thresholds(data["learner_thresholds"]),
        learners_apply_to=tuple(data["learners_apply_to"]),
        extra_text=None if extra is None else ExtraText(tuple(extra["applies_to"]), extra["text"]),
        evidence_for=tuple(
            ExtraText(tuple(e["applies_to"]), e["text"]) for e in data["evidence_for"]
        ),
        uncertain=data["uncertain"],
        note=data["note"],
        note_for=tuple(data["note_for"]),
    )


def _thresholds(data: Mapping[str, Any]) -> Thresholds:
    return Thresholds(data["level1"], data["level2"])
