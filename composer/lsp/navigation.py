"""Go to definition, hover and the outline, over every fragment and YAML entity of the project."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..diagnostics import Source
from .analysis import Snapshot, _uri, file_of
from .positions import offset_at, place, position, units

if TYPE_CHECKING:
    from ..compose import ComposedTarget, Merged
    from ..psl import Declaration
    from ..sources import Fragment

TYPE_KEYWORDS = ("model", "enum", "type", "view")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def word_at(text: str, pos: types.Position, encoding: str) -> str | None:
    source = Source("", text)
    offset = offset_at(source, pos, encoding)
    line, col = source.line_col(offset)
    line_text = source.line_text(line)
    for match in _WORD.finditer(line_text):
        if match.start() <= col - 1 <= match.end():
            return match.group()
    return None


def declarations(snap: Snapshot, name: str) -> list[tuple[Fragment, Declaration]]:
    """Every block named `name`: the declarations first, then the `/// @extend` blocks."""
    found = [
        (frag, decl)
        for frag in snap.fragments
        for decl in frag.schema.declarations
        if decl.name == name and decl.keyword in TYPE_KEYWORDS
    ]
    return sorted(found, key=lambda pair: pair[1].is_extend)


def definition(snap: Snapshot, name: str, encoding: str) -> list[types.Location]:
    out = []
    for _, decl in declarations(snap, name):
        path, rng = place(decl.location, encoding)
        out.append(types.Location(_uri(path), rng))
    return out


def pick_target(snap: Snapshot, name: str, path: str) -> ComposedTarget | None:
    """A composed target that has `name`, one the file at `path` belongs to if there is one."""
    having = [c for c in snap.composed.values() if name in c.declarations]
    mine = [c for c in having if any(file_of(f) == path for f in c.fragments)]
    return (mine or having or [None])[0]


def composed_block(composed: ComposedTarget, merged: Merged) -> str:
    """The declaration as it stands in the target's output, `/// @extend` additions included."""
    head = re.compile(rf"^{merged.decl.keyword}\s+{re.escape(merged.decl.name)}\s*\{{")
    for file in composed.files:
        for i, line in enumerate(file.lines):
            if head.match(line):
                end = next((j for j in range(i, len(file.lines)) if file.lines[j].startswith("}")), i)
                return "\n".join(file.lines[i : end + 1])
    return merged.decl.text


def hover(snap: Snapshot, name: str, path: str) -> types.Hover | None:
    blocks = declarations(snap, name)
    if not blocks:
        return None
    composed = pick_target(snap, name, path)
    if composed is not None:
        merged = composed.declarations[name]
        text = composed_block(composed, merged)
        doc = [line.strip() for line in merged.decl.doc if line.strip() != "@extend"]
        contributors = [
            merged.fragment,
            *(f for f, _, _ in merged.fields),
            *(f for f, _, _ in merged.attributes),
        ]
        where = f" in target `{composed.target.name}`" if len(snap.composed) > 1 else ""
    else:
        decl = blocks[0][1]
        text = decl.text.strip()
        doc = [line.strip() for line in decl.doc if line.strip() != "@extend"]
        contributors = [f for f, _ in blocks]
        where = ""
    seen: list[str] = []
    for frag in contributors:
        if frag.display not in seen:
            seen.append(frag.display)
    parts = [f"```prisma\n{text}\n```"]
    if doc:
        parts.append("\n".join(doc))
    declared, *extended = seen
    line = f"Declared in `{declared}`"
    if extended:
        line += "; extended by `/// @extend` in " + ", ".join(f"`{d}`" for d in extended)
    parts.append(line + where + ".")
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n".join(parts)))


_SYMBOL_KINDS = {
    "model": types.SymbolKind.Class,
    "view": types.SymbolKind.Interface,
    "type": types.SymbolKind.Struct,
    "enum": types.SymbolKind.Enum,
    "datasource": types.SymbolKind.Module,
    "generator": types.SymbolKind.Module,
    "alias": types.SymbolKind.TypeParameter,
}


def symbols(text: str, display: str, encoding: str) -> list[types.DocumentSymbol]:
    """The outline of a fragment buffer; nothing while it does not parse."""
    from ..diagnostics import ComposeError
    from ..psl import parse

    source = Source(display, text)
    try:
        schema = parse(source)
    except ComposeError:
        return []
    out = []
    for decl in schema.declarations:
        children = []
        for m in decl.members:
            if m.kind == "block_attribute":
                continue
            kind = (
                types.SymbolKind.EnumMember
                if m.kind == "value"
                else (types.SymbolKind.Property if m.kind == "property" else types.SymbolKind.Field)
            )
            rng = types.Range(position(source, m.line_start, encoding), position(source, m.end - 1, encoding))
            sel = types.Range(
                position(source, m.name_start, encoding), position(source, m.name_end, encoding)
            )
            children.append(types.DocumentSymbol(m.name, kind, rng, sel, detail=m.type_name or None))
        end = max(decl.keyword_start, decl.end - 1)
        rng = types.Range(position(source, decl.keyword_start, encoding), position(source, end, encoding))
        sel = types.Range(
            position(source, decl.name_start, encoding), position(source, decl.name_end, encoding)
        )
        detail = "@extend" if decl.is_extend else decl.keyword
        out.append(
            types.DocumentSymbol(
                decl.name,
                _SYMBOL_KINDS.get(decl.keyword, types.SymbolKind.Object),
                rng,
                sel,
                detail=detail,
                children=children,
            )
        )
    return out


def output_position(snap: Snapshot, path: str, offset: int) -> tuple[ComposedTarget, str, int, int] | None:
    """Where a fragment offset stands in a composed output of the last analysis: (target, output
    file, 0-based line of the sealed text, column), or None (not composed from this text)."""
    from ..psl.render import line_anchors
    from ..sourcemap import OutputMap

    frag = snap.fragment_of(path)
    if frag is None or frag.generated is not None:
        return None
    source = frag.source
    line_start = source.offset_of(source.line_col(offset)[0])
    for composed in snap.composed.values():
        if not any(f is frag for f in composed.fragments):
            continue
        for file in composed.files:
            for i, origin in enumerate(file.origins):
                if origin is None or origin[0] is not source or origin[1] != line_start:
                    continue
                recorded = file.anchors[i] if i < len(file.anchors) else None
                anchors = line_anchors(file.lines[i], origin, recorded)
                column = offset - line_start
                if anchors:
                    hits = [at + offset - start for at, src, start, length in anchors
                            if src is source and start <= offset <= start + length]
                    if not hits:
                        continue
                    column = hits[0]
                return composed, file.path, OutputMap(composed, file).first_body_line + i, column
    return None


def engine_hover(
    snap: Snapshot, engine: Any, path: str, text: str, pos: types.Position, encoding: str
) -> str | None:
    """Prisma's own hover at that place of the composed output (e.g. a relation's kind and its
    other side), as markdown; None when it has nothing to say. Runs in the analysis thread."""
    from ..sourcemap import OutputMap

    frag = snap.fragment_of(path)
    if frag is None or engine is None or frag.source.text != text:
        return None  # the buffer moved on since the analysis: no mapping to trust
    found = output_position(snap, path, offset_at(frag.source, pos, encoding))
    if found is None:
        return None
    composed, name, line, column = found
    maps = [OutputMap(composed, f) for f in composed.files]
    files = [(m.path, m.text) for m in maps]
    out_text = dict(files)[name]
    line_text = out_text.split("\n")[line] if line < out_text.count("\n") + 1 else ""
    try:
        result = engine.wasm.hover(files, name, line, units(line_text[:column], "utf-16"))
    except Exception:  # Prisma's hover is a nicety: never fail the request
        return None
    value = ((result or {}).get("contents") or {}).get("value") if isinstance(result, dict) else None
    return value or None
