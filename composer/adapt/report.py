"""What adapting a target did: the info diagnostics at the fragment lines, the counts of the
build's summary line, and what composing must do differently (datasource properties left out,
blocks whose columns are laid out again)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import chain

from ..diagnostics import Diagnostic, Location, Source

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import TypeAlias

    from ..manifest import TargetSpec
    from ..sources import Fragment
    from .native_types import LineEdits

    # A note not built yet: (message, source, start, end, target), or a field's as
    # `native_types.from_text` keeps it: (message after `Model.field`, source, start, end,
    # target, model, field), or the notes of a fragment's lines as `native_types.from_known_lines`
    # keeps them: (source, target, the (start, text) of its lines, their `LineEdits`, the index of
    # each line with notes, the model it is in).
    Pending: TypeAlias = (
        tuple[str, Source, int, int, TargetSpec]
        | tuple[str, Source, int, int, TargetSpec, str, str]
        | tuple[Source, TargetSpec, list[tuple[int, str]], list[LineEdits], list[int], list[str]]
    )


class Notes(list[Diagnostic]):
    """The info diagnostics of a target's adapting, built when first read: a build in text mode
    only prints the counts, and a rich project has a note per changed field (5,000 to 20,000 at
    1,000 fragments). The rules append built notes or `defer` (message, source, start, end), or
    add to `pending()` (`native_types.from_text`: the note of a field line it read before, its
    message made when read); reading gives them all, in the order they came."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[Pending] = []

    def defer(self, message: str, source: Source, start: int, end: int, target: TargetSpec) -> None:
        self._pending.append((message, source, start, end, target))

    def _built(self) -> Notes:
        pending = getattr(self, "_pending", None)  # None: being copied, before `__init__`
        if pending:
            super().extend(chain.from_iterable(map(_pending_notes, pending)))
            pending.clear()
        return self

    def pending(self) -> list[Pending]:
        """The notes not built yet, for a rule that keeps many at once."""
        return self._pending

    def append(self, item: Diagnostic) -> None:
        super(Notes, self._built()).append(item)

    def __iter__(self) -> Iterator[Diagnostic]:
        return super(Notes, self._built()).__iter__()

    def __len__(self) -> int:
        return super(Notes, self._built()).__len__()

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        return super(Notes, self._built()).__getitem__(index)

    def __eq__(self, other: object) -> bool:
        return super(Notes, self._built()).__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return super(Notes, self._built()).__repr__()


class Adapted:
    """What adapting one target did. A plain class: a dataclass costs import time, which every
    build of an adapted target pays."""

    __slots__ = ("counts", "dropped_properties", "fragments", "notes", "relayout", "set_properties")

    def __init__(self, fragments: list[Fragment]) -> None:
        self.fragments = fragments
        self.notes = Notes()
        self.counts: Counter[str] = Counter()
        self.dropped_properties: list[str] = []  # datasource properties
        self.relayout: set[tuple[str, str]] = set()  # (fragment, declaration) edited
        # datasource properties set for the target (`referential_actions = "emulate"`), as PSL text
        self.set_properties: dict[str, str] = {}

    def summary(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()))


def _pending_notes(item: Pending) -> list[Diagnostic]:
    if len(item) == 5:
        message, source, start, end, target = item  # type: ignore[misc]
    elif len(item) == 7:
        tail, source, start, end, target, model, field = item  # type: ignore[misc]
        message = f"`{model}.{field}`{tail}"
    else:
        source, target, marked, known, noted, models = item  # type: ignore[misc]
        return [
            note(f"`{model}.{field}`{tail}", Location(source, marked[at][0] + s, marked[at][0] + e), target)
            for at, model in zip(noted, models, strict=True)
            for _, field, tail, s, e in known[at][1]
        ]
    return [note(message, Location(source, start, end), target)]


def note(message: str, location: Location, target: TargetSpec) -> Diagnostic:
    return Diagnostic(f"target `{target.name}`: {message}", location, severity="info", code="I401")
