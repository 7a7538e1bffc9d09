"""Reading a user's YAML evaluate file: YAML 1.2 values, bounded nesting, no duplicate keys,
every refusal a `DocumentError` with its line.

PyYAML's loaders read YAML 1.1 and compose recursively. So `members: 1:30` is 90 (base 60),
`0x1E` is 30, `yes` is True, a repeated key silently keeps the last value, and a file nested
40,000 deep crashes the process with a segmentation fault (the C composer recurses once per
level; measured on PyYAML 6.0.3 with libyaml).

This reader takes only the parser's events (libyaml's parser keeps its own stack, it does not
recurse) and builds the data itself with an explicit stack, so that
- nesting is counted and refused at the first event past `MAX_DOCUMENT_DEPTH`;
- a plain scalar is read by YAML 1.2's core schema, narrowed: decimal integers, decimal floats,
  `true`/`false`, `null`/`~`/empty; everything else stays text (`1:30`, `0x1E`, `0o17`, `yes`,
  `2025-02-10`, which the assessment's own checks then read or refuse with the field named).
  Hexadecimal and octal integers, though YAML 1.2 has them, are not numbers that any official
  means in a member count;
- mapping keys are their text, as in JSON (`1.1:` is the key "1.1", and `2.10:` is not 2.1),
  and a repeated key is refused with both lines;
- tags other than string, mapping and sequence are refused (no `!!python/…`, `!!binary`,
  `!!timestamp`), and so are aliases (`*name`): an alias repeats a whole subtree for the cost of
  a word, so a 10 MB file could stand for gigabytes of evidence titles;
- integers beyond 64 bits and lone surrogates are refused where they appear.

It is no slower than PyYAML's C loader, whose constructor is Python code too: 91 ms instead
of 120 ms on a 2.2 MB file of 40,000 evidence references, 0.1 ms instead of 0.2 ms on the
example file.
"""

from __future__ import annotations

import re
from typing import Any

from dvht_core.document_error import DocumentError
from dvht_core.limits import MAX_DOCUMENT_DEPTH, MAX_INTEGER
from dvht_core.text_hygiene import has_lone_surrogate, preview

_FLOAT = r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
"""YAML 1.2's float, compiled on first use: compiling the scalar patterns at import cost
0.44 ms of every `dvht evaluate` start, and most files hold no float at all."""
_INFINITIES = frozenset(
    f"{sign}.{word}" for sign in ("", "+", "-") for word in ("inf", "Inf", "INF")
)
_NANS = frozenset({".nan", ".NaN", ".NAN"})
_NUMBER_START = frozenset("+-.0123456789")
_CONSTANTS: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_MAX_DIGITS = len(str(MAX_INTEGER))
_CORE = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset({None, "!", _CORE + "str"})
_MAPPING_TAGS = frozenset({None, "!", _CORE + "map"})
_SEQUENCE_TAGS = frozenset({None, "!", _CORE + "seq"})
_NO_KEY = object()


class _Mapping:
    """An open mapping: its dict, the key waiting for its value, and each key's line."""

    __slots__ = ("key", "lines", "value")

    def __init__(self) -> None:
        self.value: dict[str, Any] = {}
        self.key: Any = _NO_KEY
        self.lines: dict[str, int] = {}


def parse_yaml(text: str) -> Any:
    """The data of a YAML document (None when it has none), or `DocumentError`."""
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)(text)
    try:
        return _build(loader, yaml)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is None:
            raise DocumentError("syntax") from None
        raise DocumentError("syntax", line=mark.line + 1, column=mark.column + 1) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, controls)
        line = text.count("\n", 0, exc.position) + 1
        raise DocumentError("syntax", line=line) from None
    except yaml.YAMLError:
        raise DocumentError("syntax") from None
    finally:
        loader.dispose()


def _build(loader: Any, yaml: Any) -> Any:
    events = yaml.events
    stack: list[_Mapping | list[Any]] = []
    result: Any = None
    documents = 0

    def place(value: Any) -> None:
        nonlocal result
        if not stack:
            result = value
            return
        top = stack[-1]
        if isinstance(top, list):
            top.append(value)
        else:
            top.value[top.key] = value
            top.key = _NO_KEY

    while True:
        event = loader.get_event()
        kind = type(event)
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        top = stack[-1] if stack else None
        wants_key = isinstance(top, _Mapping) and top.key is _NO_KEY
        if kind is events.ScalarEvent:
            if event.tag not in _TEXT_TAGS:
                raise DocumentError("tag", line=line, detail=preview(event.tag))
            if has_lone_surrogate(event.value):
                raise DocumentError("lone_surrogate", line=line)
            if wants_key:
                assert isinstance(top, _Mapping)
                key = event.value
                if key in top.lines:
                    raise DocumentError(
                        "duplicate_key", line=line, first_line=top.lines[key], detail=preview(key)
                    )
                top.lines[key] = line or 0
                top.key = key
            else:
                plain = event.tag is None and event.implicit[0]
                place(_plain(event.value, line) if plain else event.value)
        elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
            mapping = kind is events.MappingStartEvent
            if event.tag not in (_MAPPING_TAGS if mapping else _SEQUENCE_TAGS):
                raise DocumentError("tag", line=line, detail=preview(event.tag))
            if wants_key:
                raise DocumentError("key_not_text", line=line)
            if len(stack) >= MAX_DOCUMENT_DEPTH:
                raise DocumentError("too_deep", line=line)
            opened: _Mapping | list[Any] = _Mapping() if mapping else []
            place(opened.value if isinstance(opened, _Mapping) else opened)
            stack.append(opened)
        elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            stack.pop()
        elif kind is events.AliasEvent:
            raise DocumentError("alias", line=line, detail=preview(event.anchor or ""))
        elif kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise DocumentError("several_documents", line=line)
        elif kind is events.StreamEndEvent:
            return result


def _plain(text: str, line: int | None) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema, narrowed as the module says."""
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if text[0] not in _NUMBER_START:  # most scalars are words: no number can start so
        return text
    digits = text[1:] if text[0] in "+-" else text
    if digits.isascii() and digits.isdigit():
        value = int(text) if len(digits) <= _MAX_DIGITS else None
        if value is None or abs(value) > MAX_INTEGER:
            raise DocumentError("number_too_large", line=line, detail=preview(text, 12))
        return value
    if text in _INFINITIES:
        return float(text.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf"))
    if text in _NANS:
        return float("nan")
    if re.fullmatch(_FLOAT, text):  # `re` caches the compiled pattern
        return float(text)
    return text
