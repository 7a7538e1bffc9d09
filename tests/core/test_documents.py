"""The evaluate-file readers: YAML 1.2 values, keys as text, bounded nesting and numbers,
duplicate keys with both lines, no tags, aliases or lone surrogates; JSON alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dvht_core.document_error import DocumentError
from dvht_core.json_document import parse_json
from dvht_core.limits import MAX_DOCUMENT_DEPTH, MAX_INTEGER
from dvht_core.loader import yaml_load_text
from dvht_core.yaml_document import parse_yaml

PYTHON_TAG = "tag:yaml.org,2002:python/name:os.system"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("30", 30),
        ("+30", 30),
        ("-7", -7),
        ("030", 30),  # YAML 1.1 read 24 (octal)
        ("1:30", "1:30"),  # YAML 1.1 read 90 (base 60)
        ("0x1E", "0x1E"),
        ("0o17", "0o17"),
        ("3_000", "3_000"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("2.5", 2.5),
        ("1e3", 1000.0),  # a string in YAML 1.1
        (".5", 0.5),
        ("2025-02-10", "2025-02-10"),  # a date in YAML 1.1; the assessment reads it
        ("2025-02-10 10:00:00", "2025-02-10 10:00:00"),
        ('"30"', "30"),
        ("'true'", "true"),
        ("!!str 30", "30"),
        (str(MAX_INTEGER), MAX_INTEGER),
        (str(-MAX_INTEGER), -MAX_INTEGER),
    ],
)
def test_yaml_values_are_read_by_yaml_1_2(text: str, value: Any) -> None:
    assert parse_yaml(f"v: {text}\n") == {"v": value}


def test_yaml_infinities_and_nan() -> None:
    data = parse_yaml("a: .inf\nb: -.Inf\nc: .nan\n")
    assert data["a"] == float("inf")
    assert data["b"] == float("-inf")
    assert data["c"] != data["c"]


def test_keys_are_their_text() -> None:
    assert parse_yaml("1.1: a\n2.10: b\ntrue: c\n~: d\n3: e\n") == {
        "1.1": "a",
        "2.10": "b",
        "true": "c",
        "~": "d",
        "3": "e",
    }


def test_the_example_reads_as_pyyaml_reads_it() -> None:
    """The shipped example has no YAML 1.1 surprise: both readers agree on it."""
    import yaml

    from tests.cli.test_cli import EXAMPLE

    text = EXAMPLE.read_text(encoding="utf-8")
    assert yaml_load_text(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "problem", "line", "first_line", "detail"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate_key", 3, 1, "a"),
        ('"1.1": x\n1.1: y\n', "duplicate_key", 2, 1, "1.1"),
        ("x: {a: 1, a: 2}\n", "duplicate_key", 1, 1, "a"),
        ("v: 9223372036854775808\n", "number_too_large", 1, None, "922337203685…"),
        ("v: -9223372036854775808\n", "number_too_large", 1, None, "-92233720368…"),
        ("v: " + "9" * 5000 + "\n", "number_too_large", 1, None, "999999999999…"),
        ("v: !!python/name:os.system x\n", "tag", 1, None, PYTHON_TAG),
        ("v: !!binary aGk=\n", "tag", 1, None, "tag:yaml.org,2002:binary"),
        ("v: !!map {}\nw: !!set {a}\n", "tag", 2, None, "tag:yaml.org,2002:set"),
        ("a: &x 1\nb: *x\n", "alias", 2, None, "x"),
        ("? [a]\n: 1\n", "key_not_text", 1, None, ""),
        ("? {a: 1}\n: 1\n", "key_not_text", 1, None, ""),
        ("a: 1\n---\nb: 2\n", "several_documents", 2, None, ""),
        ("a: [1, 2\n", "syntax", 2, None, ""),
        ("a: b: c\n", "syntax", 1, None, ""),
        ("a: 1\nb: \x07\n", "syntax", 2, None, ""),
    ],
)
def test_yaml_refusals_say_what_and_where(
    text: str, problem: str, line: int, first_line: int | None, detail: str
) -> None:
    with pytest.raises(DocumentError) as refused:
        parse_yaml(text)
    error = refused.value
    assert (error.problem, error.line, error.first_line, error.detail) == (
        problem,
        line,
        first_line,
        detail,
    )


@pytest.mark.parametrize("opening", ["[", "{a: ", "- ", "a:\n" + " " * 0])
def test_yaml_nesting_is_bounded_at_the_limit(opening: str) -> None:
    def nested(depth: int) -> str:
        if opening.startswith("a:"):
            return "".join(f"{'  ' * i}a:\n" for i in range(depth)) + "  " * depth + "x\n"
        closing = {"[": "]", "{a: ": "}"}.get(opening, "")
        return opening * depth + "x" + closing * depth

    assert parse_yaml(nested(MAX_DOCUMENT_DEPTH)) is not None
    with pytest.raises(DocumentError) as refused:
        parse_yaml(nested(MAX_DOCUMENT_DEPTH + 1))
    assert refused.value.problem == "too_deep"


@pytest.mark.parametrize("opening", ["[", '{"a": '])
def test_json_nesting_is_bounded_at_the_limit(opening: str) -> None:
    closing = "]" if opening == "[" else "}"

    def nested(depth: int) -> str:
        return opening * depth + "1" + closing * depth

    assert parse_json(nested(MAX_DOCUMENT_DEPTH)) is not None
    with pytest.raises(DocumentError) as refused:
        parse_json("\n" + nested(MAX_DOCUMENT_DEPTH + 1))
    assert (refused.value.problem, refused.value.line) == ("too_deep", 2)


def test_json_brackets_inside_strings_are_not_nesting() -> None:
    text = json.dumps({"a": "[" * 1000, "b": ['"]]]' * 50]})
    assert parse_json(text)["a"] == "[" * 1000


@pytest.mark.parametrize(
    ("text", "problem", "line", "first_line", "detail"),
    [
        ('{"a": 1,\n "b": {"c": 1,\n "c": 2}}', "duplicate_key", 3, 2, "c"),
        ('{"a": 1, "\\u0061": 2}', "duplicate_key", 1, 1, "a"),
        ('[{"a": 1}, {"a": 1}, {"b": [1, {"b": 1, "b": 2}]}]', "duplicate_key", 1, 1, "b"),
        ('{"v":\n' + "1" * 5000 + "}", "number_too_large", 2, None, "111111111111…"),
        ('{"v": 9223372036854775808}', "number_too_large", 1, None, "922337203685…"),
        ('{"v": -9223372036854775808}', "number_too_large", 1, None, "-92233720368…"),
        ('{"v": "\\udc80"}', "lone_surrogate", 1, None, ""),
        ('{"ok": "\\ud83d\\ude00",\n "v": ["\\ud83d"]}', "lone_surrogate", 2, None, ""),
        ('{"\\udfff": 1}', "lone_surrogate", 1, None, ""),
        ('{"v": NaN}', "not_a_number", 1, None, "NaN"),
        ('{"v": Infinity}', "not_a_number", 1, None, "Infinity"),
        ('{"v": 1,}', "syntax", 1, None, ""),
        ('{"v": "a\nb"}', "syntax", 1, None, ""),
    ],
)
def test_json_refusals_say_what_and_where(
    text: str, problem: str, line: int, first_line: int | None, detail: str
) -> None:
    with pytest.raises(DocumentError) as refused:
        parse_json(text)
    error = refused.value
    assert (error.problem, error.line, error.first_line, error.detail) == (
        problem,
        line,
        first_line,
        detail,
    )


def test_json_accepts_what_it_should() -> None:
    assert parse_json('{"a": [1.5, -2, 1e400, "\\ud83d\\ude00", null, true], "b": {}}') == {
        "a": [1.5, -2, float("inf"), "😀", None, True],
        "b": {},
    }
    assert parse_json(str(MAX_INTEGER)) == MAX_INTEGER
