"""Referential actions SQL Server refuses: cycles, and (with foreign keys) several cascade paths.

Changing an action would change what a delete does, so a conflict is an error with the ways out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location

if TYPE_CHECKING:
    from ..manifest import TargetSpec
    from ..psl import Declaration
    from ..sources import Fragment

Edges = dict[str, list[tuple[str, Location]]]  # referenced model -> (referencing model, where)

_NO_ACTION = "give one relation of the path `onDelete: NoAction, onUpdate: NoAction`"


def relation_mode(datasource: Declaration | None, target: TargetSpec) -> str | None:
    value = target.datasource.get("relationMode")
    if value is not None:
        return value.strip('"')
    prop = datasource.member("relationMode") if datasource is not None else None
    return prop.value.value if prop is not None and prop.value is not None else None


def cascade_conflicts(
    fragments: list[Fragment], target: TargetSpec, multiple_paths: bool
) -> list[Diagnostic]:
    """SQL Server refuses foreign keys whose referential actions (other than `NoAction`; an
    implicit `onUpdate` is `Cascade`) form a cycle or, unless Prisma emulates the relations
    (`relationMode = "prisma"`), reach a table by two paths; Prisma's validator says so too."""
    edges = _action_edges(fragments)
    for start in sorted(edges):
        problem = _first_conflict(edges, start, target, multiple_paths)
        if problem is not None:
            return [problem]
    return []


def _action_edges(fragments: list[Fragment]) -> Edges:
    """The relations whose actions are not both `NoAction`, by the model they reference."""
    edges: Edges = {}
    for frag in fragments:
        for decl in frag.schema.declarations:
            if decl.keyword != "model":
                continue
            for m in decl.members:
                rel = m.attribute("relation") if m.kind == "field" else None
                if rel is None or rel.arg("fields") is None:
                    continue
                on_delete, on_update = rel.arg("onDelete"), rel.arg("onUpdate")
                delete = on_delete.value if on_delete else ("SetNull" if m.optional else "NoAction")
                update = on_update.value if on_update else "Cascade"
                if delete == update == "NoAction":
                    continue
                edges.setdefault(m.type_name, []).append(
                    (decl.name, Location(decl.source, rel.start, rel.end))
                )
    return edges


def _first_conflict(
    edges: Edges, start: str, target: TargetSpec, multiple_paths: bool
) -> Diagnostic | None:
    """The first cycle (or second path) met walking the actions from `start`."""
    paths: dict[str, int] = {}
    stack = [(start, (start,))]
    while stack:
        model, path = stack.pop()
        for child, where in edges.get(model, []):
            if child in path:
                kind = "a self-relation" if child == model else "a cycle"
                return Diagnostic(
                    f"target `{target.name}` (sqlserver): the referential actions of this relation "
                    f"form {kind} ({' → '.join((*path, child))}), which SQL Server refuses",
                    where,
                    code="E403",
                    hint=_NO_ACTION,
                )
            paths[child] = paths.get(child, 0) + 1
            if paths[child] > 1 and multiple_paths:
                return Diagnostic(
                    f"target `{target.name}` (sqlserver): deleting or updating a `{start}` cascades "
                    f"to `{child}` along more than one path, which SQL Server refuses",
                    where,
                    code="E403",
                    hint=f'set `relationMode = "prisma"` under `[targets.{target.name}.datasource]` '
                    f"(Prisma then carries out the referential actions itself), or {_NO_ACTION}",
                )
            stack.append((child, (*path, child)))
    return None
