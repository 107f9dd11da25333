"""Completion: type names from the whole project, attributes, and what Prisma's engine offers.

- At a field's type position (`  name Ty|` inside a model, view or composite type): the scalar
  types and every model, enum and composite type of the project, YAML entities included.
- After `@` / `@@`: the attribute names of Prisma Schema Language.
- Anywhere else (attribute arguments, referential actions, datasource properties, native types…):
  Prisma's own `text_document_completion`, asked on the composed output of a target the
  fragment belongs to. The buffer being typed into rarely parses, so the target is composed with
  the cursor's line replaced by a comment (same line count); in the output, that line is then
  given back its text and the cursor moved to the output line the comment was copied to.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..compose import SCALARS
from .analysis import Snapshot, file_of
from .navigation import TYPE_KEYWORDS
from .positions import column_of, units

if TYPE_CHECKING:
    from ..compose import ComposedTarget
    from ..manifest import Manifest
    from ..sources import Fragment
    from ..writer import ComposedFile
    from .analysis import Analyzer

_BLOCK_OPEN = re.compile(r"^\s*(model|type|view|enum|datasource|generator)\s+\w+\s*\{")
_TYPE_POSITION = re.compile(r"^\s*[A-Za-z_]\w*\s+([A-Za-z_]\w*)?$")
_ATTRIBUTE = re.compile(r"(@@?)([A-Za-z_][\w.]*)?$")

FIELD_ATTRIBUTES = ("id", "default", "unique", "relation", "map", "updatedAt", "ignore", "db")
BLOCK_ATTRIBUTES = ("id", "unique", "index", "map", "ignore", "schema", "fulltext")
_KINDS = {
    "model": types.CompletionItemKind.Class,
    "view": types.CompletionItemKind.Interface,
    "type": types.CompletionItemKind.Struct,
    "enum": types.CompletionItemKind.Enum,
}


def enclosing_block(lines: list[str], line: int) -> str | None:
    """The keyword of the block the 0-based `line` lies in, or None (between blocks)."""
    keyword = None
    for text in lines[:line]:
        opened = _BLOCK_OPEN.match(text)
        if opened:
            keyword = opened.group(1)
        elif text.strip().startswith("}"):
            keyword = None
    return keyword


def type_names(snap: Snapshot) -> list[types.CompletionItem]:
    items = [
        types.CompletionItem(s, kind=types.CompletionItemKind.TypeParameter, detail="scalar")
        for s in sorted(SCALARS - {"Unsupported"})
    ]
    seen: set[str] = set()
    for frag in snap.fragments:
        for decl in frag.schema.declarations:
            if decl.keyword in TYPE_KEYWORDS and not decl.is_extend and decl.name not in seen:
                seen.add(decl.name)
                items.append(
                    types.CompletionItem(
                        decl.name,
                        kind=_KINDS[decl.keyword],
                        detail=f"{decl.keyword} · {frag.display}",
                    )
                )
    return items


def local_items(
    snap: Snapshot, text: str, pos: types.Position, encoding: str
) -> list[types.CompletionItem] | None:
    """Completions compose answers itself; None: ask Prisma's engine."""
    lines = text.split("\n")
    if pos.line >= len(lines):
        return None
    line_text = lines[pos.line]
    prefix = line_text[: column_of(line_text, pos.character, encoding)]
    block = enclosing_block(lines, pos.line)
    attribute = _ATTRIBUTE.search(prefix)
    if attribute and block in ("model", "type", "view"):
        names = BLOCK_ATTRIBUTES if attribute.group(1) == "@@" else FIELD_ATTRIBUTES
        return [
            types.CompletionItem(
                f"{attribute.group(1)}{n}",
                kind=types.CompletionItemKind.Property,
                insert_text=n,
                filter_text=n,
            )
            for n in names
        ]
    if block in ("model", "type", "view") and _TYPE_POSITION.match(prefix):
        return type_names(snap)
    return None


def engine_items(
    analyzer: Analyzer, overlay: dict[str, str], path: str, pos: types.Position, encoding: str
) -> list[types.CompletionItem]:
    """Prisma's completions at `pos` of the buffer of `path` (runs in the analysis thread)."""
    from ..sourcemap import OutputMap

    if analyzer.engine is None:
        return []
    placed = _with_placeholder(analyzer, overlay, path, pos.line)
    if placed is None:
        return []
    manifest, fragments, frag, typed = placed
    found = _composed_line(manifest, fragments, frag, frag.source.offset_of(pos.line + 1))
    if found is None:
        return []
    composed, file, at = found
    omap = OutputMap(composed, file)
    out_lines = omap.text.split("\n")
    out_line = omap.first_body_line + at
    out_lines[out_line] = typed
    files = [(m.path, m.text) for m in (OutputMap(composed, f) for f in composed.files)]
    files = [(p, "\n".join(out_lines) if p == file.path else t) for p, t in files]
    character = units(typed[: column_of(typed, pos.character, encoding)], "utf-16")
    try:
        result = analyzer.engine.wasm.completion(files, file.path, out_line, character)
    except Exception:  # the engine's completion is a nicety: never fail the request
        return []
    return [_item(raw) for raw in (result or {}).get("items", [])]


def _with_placeholder(
    analyzer: Analyzer, overlay: dict[str, str], path: str, line: int
) -> tuple[Manifest, list[Fragment], Fragment, str] | None:
    """The project loaded with `line` of `path`'s buffer replaced by a comment: the manifest, the
    fragments, the fragment of `path` and the line as typed; None when that does not load."""
    from ..diagnostics import ComposeError
    from .workspace import key, read_manifest

    text = overlay.get(key(path))
    lines = text.split("\n") if text is not None else []
    if line >= len(lines):
        return None
    typed = lines[line]
    indent = typed[: len(typed) - len(typed.lstrip())]
    placeholder = [*lines[:line], indent + "//", *lines[line + 1 :]]
    try:
        manifest = read_manifest(analyzer.manifest_path, overlay)
        analyzer.loader.overlay = {**overlay, key(path): "\n".join(placeholder)}
        fragments = analyzer.loader.load(manifest).fragments
    except ComposeError:
        return None
    frag = next((f for f in fragments if file_of(f) == key(path)), None)
    return (manifest, fragments, frag, typed) if frag is not None else None


def _composed_line(
    manifest: Manifest, fragments: list[Fragment], frag: Fragment, line_start: int
) -> tuple[ComposedTarget, ComposedFile, int] | None:
    """The first target with `frag` that composes, its output file holding the fragment line
    starting at `line_start`, and that line's index in the file's body."""
    from ..compose import compose_target, select_fragments
    from ..diagnostics import ComposeError

    for target in manifest.targets.values():
        try:
            if not any(f is frag for f in select_fragments(fragments, target)):
                continue
            composed = compose_target(manifest, fragments, target)
        except ComposeError:
            continue
        for file in composed.files:
            with contextlib.suppress(ValueError):
                return composed, file, file.origins.index((frag.source, line_start))
    return None


def _item(raw: dict[str, Any]) -> types.CompletionItem:
    # Text edits would be in the composed output's coordinates: the label is inserted instead.
    documentation = raw.get("documentation")
    if isinstance(documentation, dict):
        documentation = types.MarkupContent(
            documentation.get("kind", "markdown"), documentation.get("value", "")
        )
    return types.CompletionItem(
        raw["label"],
        kind=types.CompletionItemKind(raw["kind"]) if raw.get("kind") else None,
        detail=raw.get("detail"),
        documentation=documentation,
        insert_text=raw.get("insertText"),
        insert_text_format=types.InsertTextFormat(raw["insertTextFormat"])
        if raw.get("insertTextFormat")
        else None,
    )
