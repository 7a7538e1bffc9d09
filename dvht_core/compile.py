"""`python -m dvht_core.compile`: validate the YAML rulebooks and write their compiled forms.

Run it after editing a file in `dvht_core/rulebooks/` and commit the result; `--check` only
says whether the committed files are current (a test does the same). The TT24 rulebooks and the
unit-type catalogue are compiled; the TT22 rubric is not (it is validated when a TT22 file is
read, never on a TT24 start).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from dvht_core.compiled import COMPILED_DIR, compiled_path, compiled_text, sha256_hex
from dvht_core.loader import (
    RULEBOOK_DIR,
    UNIT_TYPES_FILE,
    check_declared_id,
    is_tt22_data,
    parse_yaml_source,
    rulebook_data,
    rulebook_files,
    rulebook_sources,
    unit_types_data,
)


def expected_files(directory: Path = RULEBOOK_DIR) -> dict[Path, str]:
    """Every compiled file as it should read, validated from the YAML in `directory`.

    Raises RulebookError, naming the file, when a YAML file does not validate.
    """
    catalogue = (directory / UNIT_TYPES_FILE).read_bytes()
    files = {
        compiled_path(directory, UNIT_TYPES_FILE): compiled_text(
            unit_types_data(parse_yaml_source(catalogue)),
            {UNIT_TYPES_FILE: sha256_hex(catalogue)},
        )
    }
    for path in rulebook_files(directory):
        source = path.read_bytes()
        data = parse_yaml_source(source)
        if is_tt22_data(data):
            continue
        validated = rulebook_data(data, name=path.name, directory=directory)
        check_declared_id(path.stem, validated["id"], path)
        files[compiled_path(directory, path.name)] = compiled_text(
            validated, rulebook_sources(path, source)
        )
    return files


def stale_files(directory: Path = RULEBOOK_DIR) -> list[Path]:
    """Compiled files that are missing, out of date or left over from a removed YAML file."""
    expected = expected_files(directory)
    stale = [
        path
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    stale += [p for p in sorted((directory / COMPILED_DIR).glob("*.json")) if p not in expected]
    return stale


def write(directory: Path = RULEBOOK_DIR) -> list[Path]:
    """Rewrite the compiled files that changed and remove left-over ones; the paths touched."""
    expected = expected_files(directory)
    (directory / COMPILED_DIR).mkdir(exist_ok=True)
    touched = []
    for path, text in expected.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            touched.append(path)
    for path in sorted((directory / COMPILED_DIR).glob("*.json")):
        if path not in expected:
            path.unlink()
            touched.append(path)
    return touched


def main(argv: Sequence[str]) -> int:
    if list(argv) not in ([], ["--check"]):
        sys.stderr.write("usage: python -m dvht_core.compile [--check]\n")
        return 2
    if argv:
        stale = stale_files()
        for path in stale:
            sys.stdout.write(f"not current: {path}\n")
        return 1 if stale else 0
    touched = write()
    for path in touched:
        sys.stdout.write(f"wrote {path}\n" if path.exists() else f"removed {path}\n")
    if not touched:
        sys.stdout.write("compiled rulebooks are current\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
