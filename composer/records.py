"""Plain value classes: equality and repr by their fields, as `dataclasses` gives them.

Every `compose` process imports the classes of the build path. `dataclasses` costs that start
more than the work of a small project's fragments: importing it brings `inspect` (with `ast`,
`dis` and `tokenize`), and each decorated class compiles its `__init__`, `__repr__` and `__eq__`
from source text. A class here writes its `__init__` by hand and lists its fields in `_attrs`,
in the order a dataclass would compare and show them.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import ClassVar


class Record:
    """`==` compares the `_attrs` of two objects of the same class (other classes: not equal);
    unhashable, like a dataclass that is not frozen."""

    __slots__ = ()
    _attrs: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._attrs])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._attrs)
        return f"{type(self).__qualname__}({shown})"


class FrozenRecord(Record):
    """A `Record` whose fields are set once, in `__init__` (through `_set`): hashable by them."""

    __slots__ = ()

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a {type(self).__qualname__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a {type(self).__qualname__}")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())
