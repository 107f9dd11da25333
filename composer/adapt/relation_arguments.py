"""What SQL Server's relations need besides their actions, kept faithful: `Restrict` is spelled
`NoAction` there (SQL Server's NO ACTION refuses the delete or update as RESTRICT does: it has no
deferred checks), and `references` must name a key's fields in the key's order (the other
databases take any order), so `fields` and `references` are put in that order pairwise (the same
foreign key)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import Location
from .edits import Edit, rewritten_fragment
from .report import note

if TYPE_CHECKING:
    from ..manifest import TargetSpec
    from ..psl import Attribute, Declaration
    from .report import Adapted

RESTRICT = "`Restrict` written `NoAction`"
REORDERED = "relation fields put in their key's order"
RELATED = ("model", "view")  # a view's relations are checked by Prisma's validator as a model's


def sqlserver(result: Adapted, target: TargetSpec) -> None:
    keys = _keys(result)
    for index, frag in enumerate(result.fragments):
        edits: list[Edit] = []
        for decl in frag.schema.declarations:
            if decl.keyword not in RELATED or "@relation" not in frag.source.text[decl.start : decl.end]:
                continue
            for m in decl.members:
                rel = m.attribute("relation") if m.kind == "field" else None
                if rel is None or rel.arg("fields") is None:
                    continue
                where = Location(decl.source, rel.start, rel.end)
                _restrict(result, target, decl, m.name, rel, where, edits)
                key_list = keys.get(m.type_name, [])
                _order(result, target, key_list, decl, m.name, m.type_name, rel, where, edits)
        if edits:
            result.fragments[index] = frag.with_schema(rewritten_fragment(frag.schema, edits, []))
            for decl in frag.schema.declarations:
                if any(decl.start <= start < decl.end for start, _, _ in edits):
                    result.relayout.add((frag.name, decl.name))


def _keys(result: Adapted) -> dict[str, list[list[str]]]:
    """Each model's keys of two fields or more (`@@id`, `@@unique`), in their order."""
    found: dict[str, list[list[str]]] = {}
    for frag in result.fragments:
        for decl in frag.schema.declarations:
            if decl.keyword not in RELATED:
                continue
            for m in decl.members:
                if m.kind == "block_attribute" and m.name in ("id", "unique"):
                    attr = m.attributes[0]
                    fields = attr.arg("fields", 0)
                    names = fields.names() if fields is not None else []
                    if len(names) > 1:
                        found.setdefault(decl.name, []).append(names)
    return found


def _restrict(
    result: Adapted, target: TargetSpec, decl: Declaration, field: str, rel: Attribute,
    where: Location, edits: list[Edit],
) -> None:
    for name in ("onDelete", "onUpdate"):
        value = rel.arg(name)
        if value is not None and value.value == "Restrict":
            edits.append((value.start, value.end, "NoAction"))
            result.counts[RESTRICT] += 1
            result.notes.append(
                note(
                    f"`{decl.name}.{field}`: `{name}: Restrict` written `{name}: NoAction`, SQL "
                    "Server's name for it (the database refuses the change while rows refer to it)",
                    where,
                    target,
                )
            )


def _order(
    result: Adapted, target: TargetSpec, keys: list[list[str]], decl: Declaration, field: str,
    referenced: str, rel: Attribute, where: Location, edits: list[Edit],
) -> None:
    fields, references = rel.arg("fields"), rel.arg("references")
    if fields is None or references is None or fields.kind != "array" or references.kind != "array":
        return
    if any(item.kind != "path" for item in (*fields.items, *references.items)):
        return
    names, refs = fields.names(), references.names()
    if len(refs) < 2 or len(names) != len(refs) or refs in keys:
        return
    key = next((k for k in keys if sorted(k) == sorted(refs)), None)
    if key is None:
        return
    by_ref = dict(zip(refs, names, strict=True))
    edits.append((fields.start, fields.end, "[" + ", ".join(by_ref[r] for r in key) + "]"))
    edits.append((references.start, references.end, "[" + ", ".join(key) + "]"))
    result.counts[REORDERED] += 1
    result.notes.append(
        note(
            f"`{decl.name}.{field}`: `fields` and `references` put in the order of the key "
            f"`{referenced}({', '.join(key)})`, which SQL Server needs (the same foreign key)",
            where,
            target,
        )
    )
