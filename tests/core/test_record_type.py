"""`Record` behaves as a frozen, slotted dataclass would, for the classes the core declares."""

from __future__ import annotations

import copy
import pickle
from types import MappingProxyType

import pytest

from dvht_core.assessment import Answer, Assessment
from dvht_core.model import Rulebook, Thresholds
from dvht_core.record_type import FrozenInstanceError, Record, replace


class Point(Record):
    x: int
    y: int = 0
    label: str | None = None


class Indexed(Record):
    __slots__ = ("_index",)  # not a field

    items: tuple[str, ...]

    def __post_init__(self) -> None:
        self._index = {item: n for n, item in enumerate(self.items)}

    def position(self, item: str) -> int:
        return self._index[item]


def test_fields_in_order_with_defaults_by_position_or_name() -> None:
    assert Point._record_fields == ("x", "y", "label")
    assert Point(1) == Point(x=1, y=0, label=None)
    assert Point(1, 2, "a").label == "a"
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


def test_equality_and_hash_compare_fields_of_the_same_class() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != (1, 2, None)
    assert Thresholds(90, 95) != Point(90, 95)
    assert len({Point(1), Point(1), Point(2)}) == 2


def test_fields_are_frozen_and_there_is_no_instance_dict() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x
    with pytest.raises(AttributeError):
        point.z = 3  # type: ignore[attr-defined]
    assert not hasattr(point, "__dict__")


def test_post_init_fills_extra_slots_that_are_not_fields() -> None:
    indexed = Indexed(("a", "b"))
    assert indexed.position("b") == 1
    assert Indexed._record_fields == ("items",)
    assert repr(indexed) == "Indexed(items=('a', 'b'))"


def test_repr_names_every_field() -> None:
    assert repr(Point(1, label="a")) == "Point(x=1, y=0, label='a')"


def test_replace_copy_and_pickle_rebuild_through_init() -> None:
    point = Point(1, 2)
    assert replace(point, y=5) == Point(1, 5)
    with pytest.raises(TypeError, match="no field z"):
        replace(point, z=1)
    indexed = Indexed(("a", "b"))
    for twin in (copy.copy(indexed), copy.deepcopy(indexed), pickle.loads(pickle.dumps(indexed))):
        assert twin == indexed
        assert twin.position("a") == 0


def test_mutable_defaults_and_record_inheritance_are_refused() -> None:
    with pytest.raises(TypeError, match="mutable default"):

        class Bad(Record):
            items: list[str] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="cannot extend"):

        class Sub(Point):  # type: ignore[misc]
            z: int = 0


def test_a_field_without_default_cannot_follow_one_with() -> None:
    with pytest.raises(TypeError, match="without default"):

        class Bad(Record):
            a: int = 0
            b: int


def test_core_values_keep_their_dataclass_behaviour(rulebooks: dict[str, Rulebook]) -> None:
    answer = Answer("2.1", count=3, evidence=("KH",))
    assert replace(answer, count=4) == Answer("2.1", count=4, evidence=("KH",))
    assessment = Assessment("huyen", "ubnd_xa", 2025, 30, {"2.1": answer})
    assert assessment.extra == {}
    assert isinstance(assessment.extra, MappingProxyType)
    rulebook = rulebooks["huyen"]
    with pytest.raises(FrozenInstanceError):
        rulebook.version = "2099.1"  # type: ignore[misc]
    assert copy.deepcopy(rulebook) == rulebook
