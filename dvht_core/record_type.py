"""`Record`: the core's frozen, slotted value classes, declared like dataclasses.

Why not `dataclasses`: on the start of `dvht evaluate` (issue 10: at most 3× a bare
`python -c pass`, about 20 ms here) `import dataclasses` costs about 8 ms, because it imports
`inspect` (and with it `ast`, `dis`, `tokenize`), and each `@dataclass(frozen=True, slots=True)`
about 0.45 ms more, since it compiles five methods and builds the class twice. With the 18
classes on the evaluate path that came to 17 ms, over a third of the 40 ms the goal leaves. A
`Record` class is created in about 0.06 ms (one compiled `__init__`; equality, hashing and
repr are shared below), constructs as fast as a frozen dataclass (0.55 µs against 0.64 µs for
six fields) and reads its slotted attributes at the same speed.

What a record is, as `@dataclass(frozen=True, slots=True)` would make it: the annotated names of
the class body are its fields, in order, with their defaults (immutable values only); `__init__`
takes them positionally or by name and then calls `__post_init__` if the class defines one;
fields cannot be assigned after construction; equality and hashing compare the fields of two
records of the same class; `replace()` copies one with some fields changed. Names listed in the
class's own `__slots__` are extra, assignable slots that are not fields (a rulebook's lookup
caches, filled in `__post_init__`). Type checkers see the same through `dataclass_transform`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar, TypeVar, dataclass_transform

_R = TypeVar("_R", bound="Record")
_MUTABLE = (list, dict, set, bytearray)


class FrozenInstanceError(AttributeError):
    """A field of a record was assigned or deleted after construction."""


@dataclass_transform(frozen_default=True, eq_default=True)
class _RecordType(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> _RecordType:
        if any(getattr(base, "_record_fields", ()) for base in bases):
            raise TypeError(f"{name}: a record cannot extend another record")
        annotations: dict[str, Any] = namespace.get("__annotations__", {})
        fields = tuple(n for n, a in annotations.items() if not _is_class_var(a))
        defaults = {n: namespace.pop(n) for n in fields if n in namespace}
        for field, default in defaults.items():
            if isinstance(default, _MUTABLE):
                raise TypeError(f"{name}.{field}: mutable default {default!r}")
        namespace["__slots__"] = fields + tuple(namespace.get("__slots__", ()))
        namespace["__match_args__"] = fields
        namespace["_record_fields"] = fields
        cls = super().__new__(mcs, name, bases, namespace)
        if fields:
            _add_init(cls, fields, defaults, post_init="__post_init__" in namespace)
            values = attrgetter(*fields)
            cls._record_values = (  # type: ignore[attr-defined]
                values if len(fields) > 1 else lambda record: (values(record),)
            )
        return cls


def _is_class_var(annotation: Any) -> bool:
    text = str(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _add_init(
    cls: type, fields: tuple[str, ...], defaults: dict[str, Any], *, post_init: bool
) -> None:
    """Compile `__init__(self, a, b=…)` that sets each slot, as dataclasses do."""
    seen_default = False
    for field in fields:
        if not field.isidentifier():
            raise TypeError(f"{cls.__name__}: field name {field!r}")
        if field in defaults:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__name__}.{field}: a field without default after one with")
    params = ", ".join(f"{f}=_default_{f}" if f in defaults else f for f in fields)
    lines = [f"    _set(self, {f!r}, {f})" for f in fields]
    if post_init:
        lines.append("    self.__post_init__()")
    namespace: dict[str, Any] = {"_set": object.__setattr__}
    namespace.update((f"_default_{f}", value) for f, value in defaults.items())
    exec(f"def __init__(self, {params}):\n" + "\n".join(lines), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 - mypy does not let a class's __init__ be set


class Record(metaclass=_RecordType):
    """Base of a frozen, slotted value class; see the module docstring."""

    __slots__ = ()
    _record_fields: ClassVar[tuple[str, ...]] = ()

    def _record_tuple(self) -> tuple[Any, ...]:
        values: tuple[Any, ...] = type(self)._record_values(self)  # type: ignore[attr-defined]
        return values

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._record_fields:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._record_tuple() == other._record_tuple()

    def __hash__(self) -> int:
        return hash(self._record_tuple())

    def __repr__(self) -> str:
        pairs = zip(self._record_fields, self._record_tuple(), strict=True)
        fields = ", ".join(f"{name}={value!r}" for name, value in pairs)
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """Copies and pickles are rebuilt through `__init__` (and so `__post_init__`)."""
        return type(self), self._record_tuple()


def replace(record: _R, /, **changes: Any) -> _R:
    """A copy of `record` with some fields changed, like `dataclasses.replace`."""
    values = dict(zip(record._record_fields, record._record_tuple(), strict=True))
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {', '.join(sorted(unknown))}")
    values.update(changes)
    return type(record)(**values)
