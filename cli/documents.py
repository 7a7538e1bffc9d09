"""Reading an evaluate-format document safely: the one reader of `dvht evaluate`, `dvht import`
and `dvht report`, so the three answer every file the same way, in one line, with status 2.

The file's size is checked before it is read (on its status, then by reading at most one byte
more than the limit, which also bounds `/dev/zero` or a pipe that never ends); the text is
strict UTF-8 (a byte-order mark is allowed); the parsers (`dvht_core.json_document`,
`dvht_core.yaml_document`) bound nesting, numbers and keys before any field is read, and
`dvht_core.assessment.parse_assessment` bounds every field. Imports stay inside the functions:
every command module imports this one, and `dvht evaluate` must start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import text
from cli.common import CliError, input_errors

if TYPE_CHECKING:
    from dvht_core.assessment import Assessment


def read_document(path_text: str) -> Any:
    """Parse an evaluate file (YAML, or JSON by extension) into Python data."""
    from dvht_core.document_error import DocumentError

    content = _read_capped(path_text)
    try:
        source = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(text.file_unreadable(path_text, exc)) from None
    is_json = Path(path_text).suffix.lower() == ".json"
    try:
        if is_json:
            from dvht_core.json_document import parse_json

            return parse_json(source)
        from dvht_core.loader import yaml_load_text

        return yaml_load_text(source)
    except DocumentError as exc:
        raise CliError(text.document_refused(path_text, exc, is_json=is_json)) from None


def _read_capped(path_text: str) -> bytes:
    """The file's bytes, refused past the limit. A pipe is read as it comes, so that
    `dvht evaluate <(…)` works; one that no process writes to waits, as `cat` would."""
    import os
    import stat

    from dvht_core.limits import MAX_DOCUMENT_BYTES

    try:
        status = os.stat(path_text)
        if stat.S_ISDIR(status.st_mode):
            raise CliError(text.file_is_directory(path_text))
        if status.st_size > MAX_DOCUMENT_BYTES:
            raise CliError(text.file_too_large(path_text, MAX_DOCUMENT_BYTES))
        with open(path_text, "rb") as handle:
            content = handle.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise CliError(text.file_missing(path_text)) from None
    except PermissionError:
        raise CliError(text.file_not_permitted(path_text)) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise CliError(text.file_unreadable(path_text, exc)) from None
    if len(content) > MAX_DOCUMENT_BYTES:
        raise CliError(text.file_too_large(path_text, MAX_DOCUMENT_BYTES))
    return content


def parse_tt24(data: Any) -> Assessment:
    """An evaluate document as a TT24 self-assessment, checked against both tiers' rulebooks."""
    from dvht_core.assessment import parse_assessment
    from dvht_core.loader import TT24_BY_TIER, load_rulebook, load_unit_types

    rulebooks = {tier: load_rulebook(rid) for tier, rid in TT24_BY_TIER.items()}
    with input_errors():
        return parse_assessment(data, rulebooks, load_unit_types())


def load_tt24(path_text: str, *, command: str) -> Assessment:
    """Read and check a TT24 evaluate file (what `import` and `report FILE` start with). A file
    scored on the older TT22 rubric is refused by name: only `dvht evaluate` reads those, and
    the TT24 checks would otherwise complain about its fields (“tier”), not about the file."""
    from dvht_core.loader import TT22_ID

    data = read_document(path_text)
    if isinstance(data, dict) and data.get("ruleset") == TT22_ID:
        raise CliError(text.tt24_only(command, path_text))
    return parse_tt24(data)
