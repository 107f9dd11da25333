"""`referential_actions = "no_action"`: the fewest relations whose actions become `NoAction` so
that SQL Server takes the rest (Prisma's validator: no cycle of actions, and, with foreign keys,
no table that the actions of another reach along two paths).

Prisma counts a relation in a cycle or a path when either of its actions is not `NoAction`, so a
relation taken out gets `NoAction` for each action that is not already (and only for those).
Cycles are broken first, by the relation that closes each (a self-relation can only be broken by
itself); then, while some model reaches another along two paths, the relation whose `NoAction`
leaves the fewest such pairs (the latest in the fragments' order on a tie) is taken out. Paths
are counted with one bit set per model (at most two paths per pair), so a chain of diamonds
costs its relations, not its 2^n paths.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diagnostics import Location
from .edits import Edit, rewritten_fragment
from .report import note

if TYPE_CHECKING:
    from ..manifest import TargetSpec
    from ..psl import Attribute, Declaration, Member
    from .report import Adapted

NO_ACTION = "relations given `NoAction`"


@dataclass(frozen=True)
class Relation:
    """A relation whose actions are not both `NoAction`: deleting or updating a `referenced`
    acts on the `referencing` model (the one with the foreign key)."""

    referencing: str
    referenced: str
    fragment: int  # index in `Adapted.fragments`
    decl: Declaration
    member: Member
    attr: Attribute
    on_delete: str  # the action, explicit or implicit
    on_update: str

    @property
    def where(self) -> Location:
        return Location(self.decl.source, self.attr.start, self.attr.end)


def cut(result: Adapted, relations: list[Relation], target: TargetSpec, *, paths: bool) -> None:
    """Give `NoAction` to the relations that close each cycle and (`paths`: the foreign keys
    hold the actions) each second path, with a note at each."""
    kept = list(range(len(relations)))
    reasons: dict[int, str] = {}
    while (closing := _closing_relation(relations, kept)) is not None:
        i, models = closing
        kind = "a self-relation" if len(models) == 2 else f"the cycle {' → '.join(models)}"
        reasons[i] = f"its actions closed {kind}, which SQL Server refuses (in either relation mode)"
        kept.remove(i)
    if paths:
        order = _topological(relations, kept)
        while twice := _second_paths(relations, kept, order):
            i, pair = _best_cut(relations, kept, order, twice)
            reasons[i] = (
                f"its actions gave a second path from `{pair[0]}` to `{pair[1]}`, which SQL "
                "Server's foreign keys refuse"
            )
            kept.remove(i)
    if reasons:
        _apply(result, relations, reasons, target)


def _closing_relation(relations: list[Relation], kept: list[int]) -> tuple[int, list[str]] | None:
    """The relation that closes the first cycle a depth-first walk finds, and the cycle."""
    edges: dict[str, list[int]] = {}
    for i in kept:
        edges.setdefault(relations[i].referenced, []).append(i)
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        path, pending = [start], [iter(edges[start])]
        state[start] = 1
        while pending:
            i = next(pending[-1], None)
            if i is None:
                state[path.pop()] = 2
                pending.pop()
                continue
            child = relations[i].referencing
            if state.get(child) == 1:
                return i, [*path[path.index(child) :], child]
            if child not in state:
                state[child] = 1
                path.append(child)
                pending.append(iter(edges.get(child, [])))
    return None


def _topological(relations: list[Relation], kept: list[int]) -> list[str]:
    """The models in an order where each comes after those whose actions reach it (there is no
    cycle left); taking relations out keeps the order valid."""
    incoming: dict[str, int] = {}
    edges: dict[str, list[str]] = {}
    for i in kept:
        r = relations[i]
        incoming[r.referencing] = incoming.get(r.referencing, 0) + 1
        incoming.setdefault(r.referenced, 0)
        edges.setdefault(r.referenced, []).append(r.referencing)
    ready = sorted(m for m, n in incoming.items() if n == 0)
    order: list[str] = []
    while ready:
        model = ready.pop()
        order.append(model)
        for child in edges.get(model, []):
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return order


def _second_paths(relations: list[Relation], kept: list[int], order: list[str]) -> dict[str, int]:
    """For each model, the bit set of the models that reach it along two paths or more."""
    bit = {m: 1 << n for n, m in enumerate(order)}
    into: dict[str, list[str]] = {}
    for i in kept:
        into.setdefault(relations[i].referencing, []).append(relations[i].referenced)
    once: dict[str, int] = {}
    twice: dict[str, int] = {}
    for model in order:
        one = two = 0
        for parent in into.get(model, ()):
            reach = once.get(parent, 0) | bit[parent]
            two |= twice.get(parent, 0) | (one & reach)
            one |= reach
        once[model] = one
        if two:
            twice[model] = two
    return twice


def _best_cut(
    relations: list[Relation], kept: list[int], order: list[str], twice: dict[str, int]
) -> tuple[int, tuple[str, str]]:
    """The relation whose `NoAction` leaves the fewest pairs with two paths, and one pair it
    resolves. Only relations into a model that reaches (or is) one with two paths can help."""
    ancestors = set(twice)
    reach_of = _reaching(relations, kept)
    for model in twice:
        ancestors |= reach_of.get(model, set())
    best: tuple[tuple[int, int], int, dict[str, int]] | None = None
    for i in kept:
        if relations[i].referencing not in ancestors:
            continue
        left = _second_paths(relations, [j for j in kept if j != i], order)
        score = (sum(n.bit_count() for n in left.values()), -i)
        if best is None or score < best[0]:
            best = (score, i, left)
    assert best is not None  # a model with two paths has relations into it
    _, i, left = best
    bit_model = dict(enumerate(order))
    for model in order:
        gone = twice.get(model, 0) & ~left.get(model, 0)
        if gone:
            return i, (bit_model[(gone & -gone).bit_length() - 1], model)
    model = next(m for m in order if m in twice)
    return i, (bit_model[(twice[model] & -twice[model]).bit_length() - 1], model)


def _reaching(relations: list[Relation], kept: list[int]) -> dict[str, set[str]]:
    """For each model, the models whose actions reach it (with a referencing model's own)."""
    into: dict[str, list[str]] = {}
    for i in kept:
        into.setdefault(relations[i].referencing, []).append(relations[i].referenced)
    found: dict[str, set[str]] = {}
    for model in into:
        seen: set[str] = set()
        stack = [model]
        while stack:
            for parent in into.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        found[model] = seen
    return found


def _apply(result: Adapted, relations: list[Relation], reasons: dict[int, str], target: TargetSpec) -> None:
    """The `NoAction` edits, fragment by fragment, and a note at each relation changed."""
    by_fragment: dict[int, list[Edit]] = {}
    for i, reason in sorted(reasons.items()):
        r = relations[i]
        edits, changed = _no_action_edits(r)
        by_fragment.setdefault(r.fragment, []).extend(edits)
        result.relayout.add((result.fragments[r.fragment].name, r.decl.name))
        result.counts[NO_ACTION] += 1
        result.notes.append(
            note(
                f"`{r.referencing}.{r.member.name}` gets {' and '.join(changed)} "
                f'(`referential_actions = "no_action"`): {reason}; the database no longer carries '
                f"out the action here: deleting or updating a `{r.referenced}` that `{r.referencing}` "
                "rows refer to fails instead",
                r.where,
                target,
            )
        )
    for index, edits in by_fragment.items():
        frag = result.fragments[index]
        result.fragments[index] = dataclasses.replace(frag, schema=rewritten_fragment(frag.schema, edits, []))


def _no_action_edits(r: Relation) -> tuple[list[Edit], list[str]]:
    """`NoAction` for each of the relation's actions that is not: the written value replaced, or
    the argument added before the attribute's `)`."""
    edits: list[Edit] = []
    changed: list[str] = []
    closing = r.attr.end - 1  # the `)` of `@relation(…)` (it has `fields:`, so it has one)
    for name, action in (("onDelete", r.on_delete), ("onUpdate", r.on_update)):
        if action == "NoAction":
            continue
        written = r.attr.arg(name)
        if written is not None:
            edits.append((written.start, written.end, "NoAction"))
            changed.append(f"`{name}: NoAction` (was `{action}`)")
        else:
            edits.append((closing, closing, f", {name}: NoAction"))
            changed.append(f"`{name}: NoAction` (was `{action}`, implicit)")
    return edits, changed
