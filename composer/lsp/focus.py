"""A focused schema: the part of a composed target an edit can make Prisma reject.

On a large project Prisma's lint of a whole output takes most of a keystroke's budget (about
0.4 s for 5,000 models). An edit of one fragment can only make Prisma reject, at that fragment's
lines, what the fragment declares or extends and how it relates to the declarations it uses or
that use it. So the first answer comes from a schema of just those: the datasource and
generators, the blocks of the edited fragments, and their neighbours (the types their fields
name, and the blocks whose fields name them), each block as it stands in the output, with its
source map. Prisma's errors from it count only at the edited files' lines (a neighbour's other
relations are missing on purpose); the full lint follows and has the last word.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..compose import SCALARS
from ..writer import Anchors, ComposedFile, Origin

if TYPE_CHECKING:
    from ..compose import ComposedTarget, Merged
    from ..sources import Fragment

_FIELD = re.compile(r"\s+[A-Za-z_]\w*\s+([A-Za-z_]\w*)")
_HEAD = re.compile(r"(model|enum|type|view|datasource|generator)\s+([A-Za-z_]\w*)\s*\{")
TYPE_KEYWORDS = ("model", "enum", "type", "view")


def _types_of(merged: Merged) -> set[str]:
    names = {t for t, _, _ in merged.decl.field_summary()} if merged.decl.keyword != "enum" else set()
    names.update(m.type_name for _, _, m in merged.fields)
    return names


def focused_file(composed: ComposedTarget, fragments: list[Fragment]) -> ComposedFile | None:
    """The focused schema of `composed` around `fragments`, or None when they are not in it."""
    focus = {
        d.name for f in fragments for d in f.schema.declarations if d.keyword in TYPE_KEYWORDS
    } & set(composed.declarations)
    if not focus:
        return None
    wanted = _wanted(composed, focus)
    lines: list[str] = []
    origins: list[Origin] = []
    anchors: list[Anchors] = []
    for file in composed.files:
        _copy_blocks(file, wanted, focus, (lines, origins, anchors))
    return ComposedFile(composed.files[0].path, lines, origins, anchors)


def _wanted(composed: ComposedTarget, focus: set[str]) -> set[str]:
    """The focused declarations, the types they use and the declarations that use them."""
    wanted = set(focus)
    for name in focus:
        wanted |= _types_of(composed.declarations[name])
    for name, merged in composed.declarations.items():
        if name not in wanted and _types_of(merged) & focus:
            wanted.add(name)
    return wanted


def _copy_blocks(
    file: ComposedFile, wanted: set[str], focus: set[str], out: tuple[list[str], list[Origin], list[Anchors]]
) -> None:
    """The datasource, generators and `wanted` blocks of `file`, with their origins, into `out`
    (lines, origins, anchors)."""
    out_lines, out_origins, out_anchors = out
    known = wanted | SCALARS
    keep = neighbour = False
    for i, line in enumerate(file.lines):
        if not keep:
            head = _HEAD.match(line)
            if head is None:
                continue
            config = head.group(1) in ("datasource", "generator")
            keep = config or head.group(2) in wanted
            neighbour = keep and not config and head.group(2) not in focus
            if not keep:
                continue
        elif neighbour and _unknown_field(line, known):
            # A neighbour's field of a type left out would stop Prisma's validation before
            # the relation checks (types are resolved first): the field goes.
            continue
        out_lines.append(line)
        out_origins.append(file.origins[i])
        out_anchors.append(file.anchors[i] if i < len(file.anchors) else None)
        if line.startswith("}"):
            keep = False
            out_lines.append("")
            out_origins.append(None)
            out_anchors.append(None)


def _unknown_field(line: str, known: set[str]) -> bool:
    field = _FIELD.match(line)
    return field is not None and field.group(1) not in known and not line.lstrip().startswith("//")
