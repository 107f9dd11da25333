"""What adapting a target did: the info diagnostics at the fragment lines, the counts of the
build's summary line, and what composing must do differently (datasource properties left out,
blocks whose columns are laid out again)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location

if TYPE_CHECKING:
    from ..manifest import TargetSpec
    from ..sources import Fragment


@dataclass
class Adapted:
    fragments: list[Fragment]
    notes: list[Diagnostic] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    dropped_properties: list[str] = field(default_factory=list)  # datasource properties
    relayout: set[tuple[str, str]] = field(default_factory=set)  # (fragment, declaration) edited
    # datasource properties set for the target (`referential_actions = "emulate"`), as PSL text
    set_properties: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()))


def note(message: str, location: Location, target: TargetSpec) -> Diagnostic:
    return Diagnostic(f"target `{target.name}`: {message}", location, severity="info", code="I401")
