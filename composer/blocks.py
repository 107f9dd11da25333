"""Writing a composed target: merged blocks laid out as `prisma format` lays them out, the
datasource with the target's settings, the generators, the comments of `/// @extend` blocks, and
the output file(s) with their fragment sections (compose.py decides what goes where; this writes
it, through `psl/render.py`'s row layout, into `writer.Writer`s).
"""

from __future__ import annotations

from .diagnostics import Source
from .psl.comments import comment_lines
from .psl.members import (
    Segment,
    checked_lines,
    checked_rows,
    write_aligned,
    write_fields,
    write_laid,
)
from .psl.render import (
    KIND,
    MEMBER_KINDS,
    NAME,
    Row,
    attribute_rank,
    body_rows,
    copy_line,
    lay_out,
    text_width,
    write_rows,
)
from .writer import Anchors, ComposedFile, Writer

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    from .compose import Merged
    from .manifest import TargetSpec
    from .psl import Declaration, Member, SchemaFile
    from .sources import Fragment

CONFIG_FILE = "schema.prisma"  # folder outputs: the file holding the datasource and generators
# Laid-out blocks (keys: declaration and addition ids) and field relations (keys start with -1).
BlockMemo = dict[tuple[int, ...], "tuple[Any, Merged]"]


def attached_comments(text: str, m: Member) -> int:
    """Start of the comment lines right above member `m` (no blank line between, but for one
    inside a `/* */` comment, which is part of it), or its line."""
    start = m.line_start
    inside: set[int] | tuple[()] = ()
    if text.find("/*", m.start, m.line_start) != -1:
        inside = comment_lines(text, m.start, m.line_start)[1]
    line = text.count("\n", m.start, start)  # the member's line, numbered from `m.start`
    while start > m.start:
        prev = text.rfind("\n", 0, start - 1) + 1
        line -= 1
        if not text[prev : start - 1].strip() and line not in inside:
            break
        start = prev
    return start


def write_trailing_comments(w: Writer, schema: SchemaFile, named: dict[str, Merged]) -> None:
    """The comments after a fragment's last declaration (or of a file holding only comments), in
    place: right after that declaration when this section ends with it, else after a blank line."""
    source = schema.source
    text = source.text
    if not text[schema.trailing :].strip():
        return
    last = schema.declarations[-1] if schema.declarations else None
    merged = named.get(last.name) if last is not None else None
    if last is not None and merged is not None and merged.decl is last:
        w.copy(source, last.end, len(text))  # the blank lines between are folded into one
    else:
        w.blank()
        w.copy(source, schema.trailing, len(text))


def write_extend_comments(w: Writer, decl: Declaration) -> None:
    """The comments of an `/// @extend` block that none of the members it adds carries (each
    added member brings the comment lines above it): those above the block but the marker, those
    on its `{` and `}` lines, and those after its last member. They stay in the fragment's
    section, where the block was, as their own lines (a blank line after them, so no `///` line
    among them documents the next declaration)."""
    src = decl.source
    text = src.text
    block = text[decl.start : decl.end]  # (tests of a slice: quicker than bounded `find`s)
    if block.count("//") == 1 and "/*" not in block:
        return  # the usual block: no comment but the marker
    out = Writer()
    header = text.rfind("\n", 0, decl.keyword_start) + 1
    pos = decl.start
    while pos < header:
        nxt = text.find("\n", pos, header) + 1 or header
        line = text[pos:nxt].strip()
        if not (line.startswith("///") and line[3:].strip() == "@extend"):
            out.copy(src, pos, nxt)
        pos = nxt
    brace = text.find("{", decl.name_end, decl.body_start)
    if brace != -1:
        comment_line(out, src, brace + 1, decl.body_start)
    covered = sorted((m.start, m.end) for m in decl.members)
    pos = decl.body_start
    for start, end in [*covered, (decl.close_start, decl.close_start)]:
        if start > pos and text[pos:start].strip():
            out.copy(src, pos, start)
        pos = max(pos, end)
    comment_line(out, src, decl.close_start + text[decl.close_start : decl.end].index("}") + 1, decl.end)
    out.strip()
    if out.lines:
        w.blank()
        w.extend(out)


def comment_line(w: Writer, source: Source, start: int, end: int) -> None:
    """What follows `{` or `}` on its line (a comment, if anything), as lines of their own (a
    `/* */` after `}` may close on a later line)."""
    text = source.text
    stop = end - 1 if text.endswith("\n", start, end) else end
    rest = text[start:stop]
    if not rest.strip():
        return
    at = start + len(rest) - len(rest.lstrip())
    ends_in, _ = comment_lines(text, at, stop)
    offset = at
    for i, piece in enumerate(text[at:stop].split("\n")):
        kept = piece if i in ends_in else piece.rstrip()
        w.line(kept, (source, text.rfind("\n", 0, offset) + 1), ((0, source, offset, len(kept)),))
        offset += len(piece) + 1


def write_verbatim(w: Writer, run: list[Declaration]) -> None:
    """Declarations of one file, each as written, with blank lines between them: as one copy
    from the first to the last, since the text between holds only blank lines (comment lines
    belong to the declaration below them), which `copy` folds into one."""
    if run:
        w.blank()
        w.copy(run[0].source, run[0].start, run[-1].end)


def write_merged_memo(w: Writer, merged: Merged, memo: BlockMemo, used: BlockMemo) -> None:
    added = [m for _, _, m in merged.fields] + [None] + [m for _, _, m in merged.attributes]
    key = (id(merged.decl), *map(id, added))
    hit = memo.get(key)
    if hit is None:
        out = Writer()
        write_merged(out, merged)
        hit = (out, merged)  # `merged` keeps the objects behind the ids alive
    used[key] = hit
    out = hit[0]
    w.blank()
    start = 1 if out.lines and not out.lines[0] else 0
    w.lines.extend(out.lines[start:])
    w.origins.extend(out.origins[start:])
    w.anchors.extend(out.anchors[start:])


def write_merged(w: Writer, merged: Merged, tidy: bool = False) -> None:
    """A declaration with what `@extend` blocks add to it, after a blank line (`tidy`: no line of
    its fragment ends in white space)."""
    decl = merged.decl
    src = decl.source
    if not merged.additions and not merged.attributes and not merged.relayout:
        w.blank()
        w.copy(src, decl.start, decl.end)
        return
    # Added fields go after the last field (or value) of the block, added block attributes last,
    # where `prisma format` would put them. The merged block is then aligned again, the way
    # `prisma format` aligns it, so that an output made of formatted fragments is formatted too.
    if decl.checked and decl.keyword != "enum" and not merged.attributes:
        added = [  # a block added whole: all its lines
            (ext.source, ext.body_start, ext.close_start) if m is None else (ext.source, m.start, m.end)
            for _, ext, m in merged.additions
            if ext.checked
        ]
        if len(added) == len(merged.additions):  # every addition checked too
            write_fields_merged(w, merged, added, tidy)  # the usual merge, from the text in one pass
            return
    w.blank()
    copy_line(w, src, decl.start, decl.body_start)
    write_rows(w, merged_rows(merged))
    w.trim()
    copy_line(w, src, decl.close_start, decl.end)


def merged_rows(merged: Merged) -> list[Row]:
    """The rows of a merged block's body, additions in place."""
    decl = merged.decl
    split = bool(merged.attributes)
    rows, rest, blocks = checked_parts(decl, split) if decl.checked else own_parts(decl, split)
    for _, ext, m in merged.fields:
        rows.extend(added_rows(ext, m))
    rows.extend(rest)
    if not split:
        return rows
    # `prisma format` puts block attributes last, after one blank line, sorted by kind (a stable
    # sort), each with the comment lines right above it; other comment lines of that part of the
    # block move up to the fields.
    for _, ext, m in merged.attributes:
        blocks.append((attribute_rank(m.name), len(blocks), added_rows(ext, m)))
    while rows and rows[-1][KIND] == "blank":
        rows.pop()
    rows.append(Row(decl.source, decl.close_start, decl.close_start, "blank"))
    for _, _, attr_rows in sorted(blocks, key=lambda b: b[:2]):
        rows.extend(r for r in attr_rows if r[KIND] != "blank")
    return rows


def write_fields_merged(
    w: Writer, merged: Merged, added: list[tuple[Source, int, int]], tidy: bool = False
) -> None:
    """`write_merged` of a checked model (type, view) that checked `@extend` blocks add fields to,
    after a blank line; `added`: the lines each addition adds (source, start, end); `tidy`: see
    `write_merged`."""
    decl = merged.decl
    src = decl.source
    if write_laid(w, decl, added, tidy):  # the usual block, as one string, after a blank line
        return
    w.blank()
    copy_line(w, src, decl.start, decl.body_start)
    if not write_aligned(w, decl, added):
        lines = checked_lines(src.text, decl.body_start, decl.close_start)
        last = len(lines)  # after the last field
        while last and not lines[last - 1][3]:
            last -= 1
        rest_at = decl.close_start - sum(len(p[0]) + 1 for p in lines[last:])
        segments: list[Segment] = [(src, decl.body_start, lines[:last])]
        for _, ext, m in merged.fields:
            segments.append((ext.source, m.start, checked_lines(ext.source.text, m.start, m.end)))
        write_fields(w, [*segments, (src, rest_at, lines[last:])])
    w.trim()
    if src.text.startswith("}\n", decl.close_start) and decl.end == decl.close_start + 2:
        w.line("}", (src, decl.close_start))  # the usual closing line, as `copy_line` writes it
    else:
        copy_line(w, src, decl.close_start, decl.end)


# The rows of a block's own body, in three parts: up to its last field (or value), where the
# additions go; the rest; and, when block attributes are sorted (`split`), its block attributes,
# each with the comment lines right above it, as (rank, position, rows), which the first two parts
# then leave out, wherever they stood (`prisma format` moves them all last).
Parts = tuple[list[Row], list[Row], list[tuple[int, int, list[Row]]]]


def checked_parts(decl: Declaration, split: bool) -> Parts:
    """The parts of a block the fast path checked, read from its text (no member is built)."""
    rows = checked_rows(decl.source, decl.body_start, decl.close_start, member_kind(decl))
    last = len(rows)  # after the last field (or value)
    while last and rows[last - 1][KIND] not in MEMBER_KINDS:
        last -= 1
    head, rest = rows[:last], rows[last:]
    if not split:
        return head, rest, []
    blocks: list[tuple[int, int, list[Row]]] = []
    return without_attributes(head, blocks), without_attributes(rest, blocks), blocks


def without_attributes(rows: list[Row], blocks: list[tuple[int, int, list[Row]]]) -> list[Row]:
    """`rows` of checked lines but their block attributes, each added to `blocks` with the comment
    lines right above it."""
    kept: list[Row] = []
    above: list[Row] = []  # comment lines with no blank line or member below them yet
    for r in rows:
        if r[KIND] == "text" and r[NAME]:  # a block attribute (`checked_rows` names them)
            blocks.append((attribute_rank(r[NAME]), len(blocks), [*above, r]))
        elif r[KIND] == "text":
            above.append(r)
            continue
        else:
            kept.extend(above)
            kept.append(r)
        above = []
    kept.extend(above)
    return kept


def own_parts(decl: Declaration, split: bool) -> Parts:
    """The parts of any block, from its members."""
    src = decl.source
    insert_at = decl.body_start
    for m in decl.members:
        if m.kind != "block_attribute":
            insert_at = m.end
    own = {m.line_start: m for m in decl.members}
    if not split:
        head = body_rows(src, decl.body_start, insert_at, own)
        return head, body_rows(src, insert_at, decl.close_start, own), []
    head: list[Row] = []
    rest: list[Row] = []
    blocks: list[tuple[int, int, list[Row]]] = []
    cursor = decl.body_start
    for m in [*(m for m in decl.members if m.kind == "block_attribute"), None]:
        start = decl.close_start if m is None else attached_comments(src.text, m)
        head.extend(body_rows(src, cursor, min(start, insert_at), own))
        rest.extend(body_rows(src, max(cursor, insert_at), start, own))
        if m is not None:
            blocks.append((attribute_rank(m.name), len(blocks), body_rows(src, start, m.end, {})))
            cursor = m.end
    return head, rest, blocks


def added_rows(ext: Declaration, m: Member) -> list[Row]:
    """The rows of member `m` of `/// @extend` block `ext`, with the comment lines above it."""
    if ext.checked:
        return checked_rows(ext.source, m.start, m.end, member_kind(ext))
    return body_rows(ext.source, m.start, m.end, {m.line_start: m} if m.kind != "block_attribute" else {})


def member_kind(decl: Declaration) -> str:
    return "value" if decl.keyword == "enum" else "field"


def write_datasource(
    w: Writer, decl: Declaration, overrides: dict[str, str | None], target: TargetSpec
) -> None:
    """The datasource with the target's settings; properties aligned on `=` as `prisma format` does."""
    src = decl.source
    if not any(v is not None or decl.member(k) is not None for k, v in overrides.items()):
        w.copy(src, decl.start, decl.end)
        return
    members = {m.line_start: m for m in decl.members}
    rows = body_rows(src, decl.body_start, decl.close_start, members)
    kept: list[Row] = []
    for row in rows:
        m = members.get(row.start) if row.kind in ("property", "text") else None
        if m is not None and m.kind == "property" and m.name in overrides:
            value = overrides[m.name]
            if value is None:  # `key = false` in the manifest removes the property, comments included
                while kept and kept[-1].kind == "text" and kept[-1].start >= m.start:
                    kept.pop()
                continue
            if row.kind != "property":  # copied verbatim (a `/* */` after the value): its cells
                row = _property_row(src, m)
            kloc = target.key_location("datasource", m.name)
            row = row._replace(mid=value, mid_at=(kloc.source, kloc.start, 0))
        kept.append(row)
    last = max((i for i, r in enumerate(kept) if r.kind == "property"), default=len(kept) - 1)
    for key, value in overrides.items():
        if value is None or decl.member(key) is not None:
            continue
        kloc = target.key_location("datasource", key)
        here = (kloc.source, kloc.start, 0)
        last += 1
        kept.insert(last, Row(kloc.source, kloc.start, kloc.start, "property", key, (2, *here), value, here))
    w.copy(src, decl.start, decl.body_start)
    write_rows(w, kept)
    w.trim()
    w.copy(src, decl.close_start, decl.end)


def _property_row(source: Source, m: Member) -> Row:
    """The cells of a property that `member_row` copies verbatim, its value to be replaced: the
    name, and the rest of the line after the value as written (a comment)."""
    text = source.text
    eol = m.end - 1 if text.endswith("\n", 0, m.end) else m.end
    after = m.value.end if m.value is not None else m.name_end
    rest = text[after:eol].strip()
    return Row(
        source, m.line_start, m.end, "property", m.name, (2, source, m.name_start, m.name_end - m.name_start),
        "", None, rest, eol - len(text[after:eol].lstrip()),
    )


def write_generators(
    w: Writer, generators: dict[str, tuple[Fragment, Declaration]], target: TargetSpec
) -> None:
    replaced = target.generators
    for name, (_, decl) in generators.items():
        if name in replaced:
            continue
        w.blank()
        w.copy(decl.source, decl.start, decl.end)
    for name, settings in replaced.items():
        if settings is None:
            continue
        w.blank()
        replaced_decl = generators.get(name)
        if replaced_decl is not None:  # the comments above the replaced block stay above it
            decl = replaced_decl[1]
            w.copy(decl.source, decl.start, decl.source.text.rfind("\n", 0, decl.keyword_start) + 1)
        loc = target.key_location("generators", name)
        origin = (loc.source, loc.start)
        here: Anchors = ((0, loc.source, loc.start, 0),)
        w.line(f"generator {name} {{", origin, here)
        width = max((text_width(k) for k in settings), default=0)
        for key, value in settings.items():
            kloc = target.key_location("generators", name, key)
            at: Anchors = ((0, kloc.source, kloc.start, 0),)
            w.line(lay_out("property", key, value, "", False, width, 0)[0], (kloc.source, kloc.start), at)
        w.line("}", origin, here)


def layout(target: TargetSpec, config: Writer, sections: list[tuple[Fragment, Writer]]) -> list[ComposedFile]:
    if not target.folder:
        out = Writer()
        out.extend(config)
        out.strip()
        for frag, w in sections:
            out.blank()
            out.line(section_header(frag), None)
            out.blank()
            out.extend(w)
        out.trim()
        return [out.composed(target.output)]
    files: dict[str, Writer] = {CONFIG_FILE: config}
    for frag, w in sections:
        name = f"{frag.name.replace('/', '.')}.prisma"  # glob names have folders: keep the layout flat
        out = files.setdefault(name, Writer())
        out.blank()
        out.line(section_header(frag), None)
        out.blank()
        out.extend(w)
    result = []
    for name, out in files.items():
        out.strip()
        result.append(out.composed(target.output + name))
    return result


def section_header(frag: Fragment) -> str:
    return f"// ---- fragment {frag.name} ({frag.display}) ----"
