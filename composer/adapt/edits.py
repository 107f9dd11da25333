"""Edits of a fragment's text, and the fragment they give.

An edit replaces a span within one line, or whole lines by as many lines (a block laid out again);
a dropped span leaves whole lines out. The new `Source`
maps each of its lines back to the line of the fragment it came from, so diagnostics (and Prisma's
errors on the output) point at what the user wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Source
from ..psl import Declaration, SchemaFile, parse
from ..psl.fields import FileFields

# replace text[start:end] (within one line, or from a line's start to a later line's end, by as
# many lines) with the string
Edit = tuple[int, int, str]


def without(text: str, start: int, end: int) -> Edit:
    """The edit that removes `text[start:end]` from its line with the white space that separated
    it: the run after it when more follows on the line (the columns stay aligned), else the run
    before it (no trailing white space)."""
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] != "\n":
        return (start, after, "")
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return (start, after, "")


def rewritten_fragment(
    schema: SchemaFile,
    edits: list[Edit],
    dropped: list[tuple[int, int]],
    *,
    new_types: tuple[str, ...] | None = None,
) -> SchemaFile:
    """The fragment's schema with the edits made and the dropped lines left out. `new_types`: the
    field types the edits gave, each a scalar that no declaration of the target is named like,
    as are those they replaced (so what composing reads of the fields, `SchemaFile.fields`, is the
    same); None: the fields are read again."""
    ordered = sorted(edits)
    source = _rewritten_source(schema.source, ordered, dropped)
    if dropped or not all(d.lazy for d in schema.declarations):
        return parse(source)
    # Only text inside field lines changed, in blocks whose members were never built: the
    # same blocks, moved by what the edits before them added or removed (no second parse). Each
    # block's header and documentation move by the edits before its body, its closing line by
    # those up to it (no edit lies outside a body).
    decls = []
    shift, e, count = 0, 0, len(ordered)
    for d in schema.declarations:
        body_start, close_start = d.body_start, d.close_start
        while e < count and ordered[e][0] < body_start:
            start, end, new = ordered[e]
            shift += len(new) - (end - start)
            e += 1
        head = shift
        while e < count and ordered[e][0] < close_start:
            start, end, new = ordered[e]
            shift += len(new) - (end - start)
            e += 1
        decls.append(
            Declaration(
                d.keyword, d.name, source, d.start + head, d.keyword_start + head, d.name_start + head,
                d.name_end + head, body_start + head, close_start + shift, d.end + shift, None,
                d._doc, d.is_extend, d._build,
            )
        )
    # The edited lines are of the kinds the parser's fast path takes, as they were: a clean file
    # stays clean. Its fields' scalar types are none of composing's concern (no declaration
    # is named like one): those it lists may keep one that no field has any more.
    fields = schema._fields if schema.clean and new_types is not None else None
    if fields is not None and not set(new_types).issubset(fields.types):  # type: ignore[arg-type]
        added = tuple(t for t in dict.fromkeys(new_types) if t not in fields.types)  # type: ignore[arg-type]
        fields = FileFields(fields.types + added, fields.owners, fields.extends)
    return SchemaFile(source, decls, schema.trailing + shift, schema.clean, fields)


def _rewritten_source(source: Source, edits: list[Edit], dropped: list[tuple[int, int]]) -> Source:
    """The fragment's text with the edits (in order) made and the dropped lines left out; each
    line maps to the line of the fragment it came from."""
    text = source.text
    line_map: Sequence[int]
    if dropped:
        edited, line_map = _drop_lines(text, edits, sorted(dropped))
    else:  # edits keep the lines: each is where it was (a range, not a list of every number)
        edited = _edited(text, edits)
        line_map = range(1, edited.count("\n") + 2)
    origin, mapping = source, line_map
    if source.origin is not None and source.line_map:
        origin = source.origin
        mapping = [source.line_map[min(n, len(source.line_map)) - 1] for n in line_map]
    return Source(source.display, edited, source.path, origin=origin, line_map=mapping)


def _edited(text: str, edits: list[Edit]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end, new in edits:
        if start >= cursor:  # an edit inside one already made is skipped
            pieces += (text[cursor:start], new)
            cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _drop_lines(text: str, edits: list[Edit], dropped: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """`text` with `edits` made and the whole lines of `dropped` left out, and for each line of the
    result the 1-based line of `text` it came from."""
    out: list[str] = []
    line_map: list[int] = []
    pos, line_no, e, d = 0, 0, 0, 0
    while pos < len(text):
        eol = text.find("\n", pos)
        end = len(text) if eol == -1 else eol + 1
        line_no += 1
        while d < len(dropped) and dropped[d][1] <= pos:
            d += 1
        if d < len(dropped) and dropped[d][0] <= pos:
            while e < len(edits) and edits[e][0] < end:
                e += 1
            pos = end
            continue
        piece, cursor = [], pos
        while e < len(edits) and edits[e][0] < end:
            start, stop, new = edits[e]
            if start >= cursor:
                piece += (text[cursor:start], new)
                cursor = stop
            e += 1
        first = line_no
        if cursor >= end:  # an edit of whole lines: it ends on a later line, before its newline
            eol = text.find("\n", cursor)
            end = len(text) if eol == -1 else eol + 1
            line_no += text.count("\n", pos, cursor)
            while e < len(edits) and edits[e][0] < end:  # inside the edit: skipped
                e += 1
        piece.append(text[cursor:end])
        out.append("".join(piece))
        line_map.extend(range(first, line_no + 1))
        pos = end
    return "".join(out), line_map
