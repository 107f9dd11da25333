"""`referential_actions = "no_action"`: the fewest relations whose actions become `NoAction` so
that SQL Server takes the rest (Prisma's validator: no cycle of actions, and, with foreign keys,
no table that the actions of another reach along two paths).

Prisma counts a relation in a cycle or a path when either of its actions is not `NoAction`, so a
relation taken out gets `NoAction` for each action that is not already (and only for those).
Cycles are broken first, by the relation that closes each (a self-relation can only be broken by
itself). Then the paths: walking the models in the order the actions flow, each keeps the
relations into it whose sources reach it along disjoint paths (the others are the second paths,
on the model Prisma names: "cascade to model X through multiple paths"); walking against that
order, each keeps the relations out of it whose targets are disjoint. The walk that takes out
fewer relations wins (a hub that every model reaches twice is one relation out of the hub, not
one per model). Reach is one bit set per model, so a chain of diamonds costs its relations, not
its 2^n paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..diagnostics import Location
from .edits import Edit, rewritten_fragment
from .report import note

T = TypeVar("T")

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
        forward = _packed(relations, kept, order, forward=True)
        backward = _packed(relations, kept, order, forward=False)
        for i, pair in (forward if len(forward) <= len(backward) else backward).items():
            reasons[i] = (
                f"its actions gave a second path from `{pair[0]}` to `{pair[1]}`, which SQL "
                "Server's foreign keys refuse"
            )
            kept.remove(i)
    if reasons:
        _apply(result, relations, reasons, target)


def _closing_relation(relations: list[Relation], kept: list[int]) -> tuple[int, list[str]] | None:
    """The relation that closes the first cycle a depth-first walk finds, and the cycle."""
    edges: dict[str, list[tuple[str, int]]] = {}
    for i in kept:
        edges.setdefault(relations[i].referenced, []).append((relations[i].referencing, i))
    return first_cycle(edges)


def first_cycle(edges: Mapping[str, Sequence[tuple[str, T]]]) -> tuple[T, list[str]] | None:
    """The edge (its payload) that closes the first cycle of `edges` (node -> (child, payload))
    that a depth-first walk from the sorted nodes finds, and the cycle's nodes (first = last).
    Each node is visited once: a chain of diamonds costs its size, not its number of paths."""
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        path, pending = [start], [iter(edges[start])]
        state[start] = 1
        while pending:
            step = next(pending[-1], None)
            if step is None:
                state[path.pop()] = 2
                pending.pop()
                continue
            child, payload = step
            if state.get(child) == 1:
                return payload, [*path[path.index(child) :], child]
            if child not in state:
                state[child] = 1
                path.append(child)
                pending.append(iter(edges.get(child, ())))
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


def _packed(
    relations: list[Relation], kept: list[int], order: list[str], *, forward: bool
) -> dict[int, tuple[str, str]]:
    """The relations to take out so that no model reaches another along two paths, each with
    one pair it would have reached twice. `forward`: model by model in the order the actions
    flow, each keeps the relations into it whose sources (with what reaches them) are disjoint;
    else against that order, each keeps the relations out of it whose targets (with what they
    reach) are disjoint. Smaller sets first: the most relations kept at each model."""
    bit = {m: 1 << n for n, m in enumerate(order)}
    name = dict(enumerate(order))
    side: dict[str, list[int]] = {}
    for i in kept:
        r = relations[i]
        side.setdefault(r.referencing if forward else r.referenced, []).append(i)
    reach: dict[str, int] = {}
    cuts: dict[int, tuple[str, str]] = {}
    for model in order if forward else reversed(order):
        sets = []
        for i in side.get(model, ()):
            other = relations[i].referenced if forward else relations[i].referencing
            sets.append(((reach.get(other, 0) | bit[other]), i))
        union = 0
        for found, i in sorted(sets, key=lambda s: (s[0].bit_count(), s[1])):
            shared = found & union
            if shared:
                twice = name[(shared & -shared).bit_length() - 1]
                cuts[i] = (twice, model) if forward else (model, twice)
            else:
                union |= found
        reach[model] = union
    return cuts


def _apply(result: Adapted, relations: list[Relation], reasons: dict[int, str], target: TargetSpec) -> None:
    """The `NoAction` edits, fragment by fragment, and a note at each relation changed."""
    by_fragment: dict[int, list[Edit]] = {}
    for i, reason in sorted(reasons.items()):
        r = relations[i]
        edits, changed = _no_action_edits(r)
        acts = (("deleting", r.on_delete), ("updating", r.on_update))
        verbs = " or ".join(verb for verb, action in acts if action != "NoAction")
        by_fragment.setdefault(r.fragment, []).extend(edits)
        result.relayout.add((result.fragments[r.fragment].name, r.decl.name))
        result.counts[NO_ACTION] += 1
        result.notes.append(
            note(
                f"`{r.referencing}.{r.member.name}` gets {' and '.join(changed)} "
                f'(`referential_actions = "no_action"`): {reason}; the database no longer carries '
                f"out the action here: {verbs} a `{r.referenced}` that `{r.referencing}` "
                "rows refer to fails instead",
                r.where,
                target,
            )
        )
    for index, edits in by_fragment.items():
        frag = result.fragments[index]
        result.fragments[index] = frag.with_schema(rewritten_fragment(frag.schema, edits, []))


def _no_action_edits(r: Relation) -> tuple[list[Edit], list[str]]:
    """`NoAction` for each of the relation's actions that is not: the written value replaced, or
    the argument added before the attribute's `)`."""
    edits: list[Edit] = []
    changed: list[str] = []
    closing = r.attr.end - 1  # the `)` of `@relation(…)` (it has `fields:`, so it has one)
    added: list[str] = []
    for name, action in (("onDelete", r.on_delete), ("onUpdate", r.on_update)):
        if action == "NoAction":
            continue
        written = r.attr.arg(name)
        if written is not None:
            edits.append((written.start, written.end, "NoAction"))
            changed.append(f"`{name}: NoAction` (was `{action}`)")
        else:
            added.append(f"{name}: NoAction")
            changed.append(f"`{name}: NoAction` (was `{action}`, implicit)")
    if added:
        # After a trailing comma (compose's parser takes one) the first needs no comma of its own.
        before = r.decl.source.text[r.attr.start : closing]
        lead = (" " if before[-1] == "," else "") if before.rstrip().endswith(",") else ", "
        edits.append((closing, closing, lead + ", ".join(added)))
    return edits, changed
