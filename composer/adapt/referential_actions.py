"""Referential actions SQL Server refuses: cycles, and (with foreign keys) several cascade paths
to one table.

Changing an action would change what a delete does, so a conflict is an error with the ways out.
Several paths are the foreign keys' limit only: with `referential_actions = "emulate"` the target
gets `relationMode = "prisma"` (Prisma Client carries the actions out, as its docs advise for
this case). A cycle stays an error: Prisma refuses it on SQL Server in either relation mode.
With `referential_actions = "no_action"` the fewest relations that close a cycle or a second path
get `NoAction` instead (`cascade_cuts`), each with a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location
from . import cascade_cuts
from .cascade_cuts import Relation
from .relation_arguments import RELATED
from .report import note

if TYPE_CHECKING:
    from ..adapt_policy import AdaptPolicy
    from ..manifest import TargetSpec
    from ..psl import Declaration
    from ..sources import Fragment
    from .report import Adapted

Edges = dict[str, list[tuple[str, Location]]]  # referenced model -> (referencing model, where)

_NO_ACTION = (
    "give one relation of the path `onDelete: NoAction, onUpdate: NoAction`, or set "
    '`referential_actions = "no_action"` under `[targets.{target}.adapt]` (compose does that where '
    "needed, with a note at each relation)"
)
EMULATED = 'relations emulated (relationMode = "prisma")'


def relation_mode(datasource: Declaration | None, target: TargetSpec) -> str | None:
    if "relationMode" in target.datasource:
        value = target.datasource["relationMode"]
        # `relationMode = false` removes the fragments' own: Prisma's default, foreign keys.
        return None if value is None else value.strip('"')
    prop = datasource.member("relationMode") if datasource is not None else None
    return prop.value.value if prop is not None and prop.value is not None else None


def check(
    result: Adapted, datasource: Declaration | None, target: TargetSpec, policy: AdaptPolicy
) -> list[Diagnostic]:
    """SQL Server refuses foreign keys whose referential actions (other than `NoAction`; an
    implicit `onUpdate` is `Cascade`) form a cycle or, unless Prisma emulates the relations
    (`relationMode = "prisma"`), reach a table by two paths; Prisma's validator says so too."""
    relations = _relations(result.fragments)
    if policy.referential_actions == "no_action":
        emulated = relation_mode(datasource, target) == "prisma"
        cascade_cuts.cut(result, relations, target, paths=not emulated)
        return []
    edges: Edges = {}
    for r in relations:
        edges.setdefault(r.referenced, []).append((r.referencing, r.where))
    cycle = _cycle(edges, target)
    if cycle is not None:
        return [cycle]
    if relation_mode(datasource, target) == "prisma":
        return []
    two_paths = _two_paths(edges, target)
    if two_paths is None:
        return []
    if policy.referential_actions != "emulate" or "relationMode" in target.datasource:
        return [two_paths]
    result.set_properties["relationMode"] = '"prisma"'
    result.counts[EMULATED] += 1
    result.notes.append(
        note(
            f'`relationMode = "prisma"` set (`referential_actions = "emulate"`): '
            f"{two_paths.message.partition(': ')[2]}; Prisma Client carries out the referential "
            "actions, the database has no foreign keys",
            two_paths.location,  # type: ignore[arg-type]
            target,
        )
    )
    return []


def _relations(fragments: list[Fragment]) -> list[Relation]:
    """The relations whose actions are not both `NoAction`, in the fragments' order."""
    return [
        r
        for index, frag in enumerate(fragments)
        for decl in frag.schema.declarations
        if decl.keyword in RELATED
        for r in _relations_with_actions(decl, index)
    ]


def _relations_with_actions(decl: Declaration, index: int) -> Iterator[Relation]:
    for m in decl.members:
        rel = m.attribute("relation") if m.kind == "field" else None
        if rel is None or rel.arg("fields") is None:
            continue
        on_delete, on_update = rel.arg("onDelete"), rel.arg("onUpdate")
        delete = on_delete.value if on_delete else ("SetNull" if m.optional else "NoAction")
        update = on_update.value if on_update else "Cascade"
        if delete != "NoAction" or update != "NoAction":
            yield Relation(decl.name, m.type_name, index, decl, m, rel, delete, update)


def _cycle(edges: Edges, target: TargetSpec) -> Diagnostic | None:
    """The first cycle of the actions (a depth-first walk that visits each model once)."""
    found = cascade_cuts.first_cycle(edges)
    if found is None:
        return None
    where, cycle = found
    kind = "a self-relation" if len(cycle) == 2 else "a cycle"
    return Diagnostic(
        f"target `{target.name}` (sqlserver): the referential actions of this relation "
        f"form {kind} ({' → '.join(cycle)}), which SQL Server refuses (in either relation mode)",
        where,
        code="E403",
        hint=_NO_ACTION.format(target=target.name),
    )


def _two_paths(edges: Edges, target: TargetSpec) -> Diagnostic | None:
    """The first model that the actions from another reach along two paths (no cycle is left)."""
    for start in sorted(edges):
        seen: set[str] = set()
        stack = [start]
        while stack:
            for child, where in edges.get(stack.pop(), []):
                if child in seen:
                    return Diagnostic(
                        f"target `{target.name}` (sqlserver): deleting or updating a `{start}` "
                        f"cascades to `{child}` along more than one path, which SQL Server refuses",
                        where,
                        code="E403",
                        hint=f'set `referential_actions = "emulate"` under `[targets.{target.name}.adapt]` '
                        '(the target gets `relationMode = "prisma"`: Prisma Client carries out the '
                        f"referential actions itself), or {_NO_ACTION.format(target=target.name)}",
                    )
                seen.add(child)
                stack.append(child)
    return None
