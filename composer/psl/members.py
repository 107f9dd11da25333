"""The lines of a block the parser's fast path checked: its members, and its rows, from one pass.

A block whose body `parser._FAST_BODY` accepted holds only blank lines, `//` comment lines, block
attributes with simple arguments and one-line fields (enum values in an enum), so nothing in it
can fail and one regular expression per line reads it. `build_members` builds the same `Member`
nodes the line-by-line parser builds (tests/test_psl_fastpath.py); `checked_rows` gives the rows
of `prisma format`'s layout (`render.Row`) straight from the text, as `render.body_rows` gives
them from built members, so that merging `/// @extend` blocks never builds the members of the
blocks it merges (tests/test_extend_fastpath.py holds the two to the same output).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from itertools import accumulate, repeat
from operator import add, itemgetter

from .ast import Attribute, Member
from .on_use import PatternOnUse
from .parser import _FAST_ATTR, _FIDENT, _PATH, _Parser
from .render import REALIGNED, Row, copy_line, lay_out, text_width, trailing_kept

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..diagnostics import Source
    from ..writer import Writer
    from .ast import Declaration

# One checked line (group 1, without its newline): its indentation (2), then `/` of a comment or
# `@` of a block attribute (3), or a member: a name (4) and, in a field, the space (5) before its
# type with its `[]`/`?` (6); the space after (7); then the rest of the line (8): a member's
# attributes and comment, from their first character. A blank line fills no group. `findall`
# gives the pieces, whose lengths give their offsets: a whole block is read without a `Match`
# object per line.
_CHECKED_LINE_SRC = (
    rf"(([ \t]*)(?:([/@])|({_FIDENT})(?:([ \t]+)({_FIDENT}(?:\[\]|\?)?))?([ \t]*)|)([^\n]*))\n"
)
_CHECKED_LINE = PatternOnUse(_CHECKED_LINE_SRC)

# The same for an ASCII text (`str.isascii` is free), whose ASCII classes `re` checks faster.
_CHECKED_LINE_ASCII = PatternOnUse(_CHECKED_LINE_SRC, re.ASCII)

# The start of a checked member line: a field's or value's name (group 1), or a block attribute's
# line (2). Comment and blank lines match neither.
_MEMBER_START = PatternOnUse(rf"^[ \t]*(?:({_FIDENT})|(@@[^\n]*))", re.MULTILINE)
# A checked field line: its name, then what `parser.field_summary` reads of it (its type, `[]` or
# `?`, the rest). Only field lines start with a name.
_FIELD_START = PatternOnUse(rf"^[ \t]*({_FIDENT})[ \t]+({_FIDENT})(\[\]|\?)?[ \t]*([^\n]*)\n", re.MULTILINE)

Lazy = Callable[[int], list]


def checked_members(decl: Declaration) -> tuple[list[str], list[str]]:
    """The field (or value) names of a block the fast path checked, and the text of its block
    attribute lines, from the text (two C-level scans; no member is built)."""
    found = _MEMBER_START.findall(decl.source.text, decl.body_start, decl.close_start)
    return [name for name, _ in found if name], [line for _, line in found if line]


def field_lines_only(decl: Declaration) -> list[str] | None:
    """The field names of a model (type, view) the fast path checked, if every line of its body
    is a field line, each named once (else None), from one C-level scan, which also gives the
    block's `field_summary` (kept, as the parser's would be, while its members are not built)."""
    text = decl.source.text
    found = _FIELD_START.findall(text, decl.body_start, decl.close_start)
    names = list(map(_first, found))  # (`map`, not a comprehension: a block has one or two lines)
    if not names or not len(names) == text.count("\n", decl.body_start, decl.close_start) == len(set(names)):
        return None
    if decl._members is None and decl._summary is None:
        decl._summary = list(map(_summarized, found))
    return names


_first, _summarized = itemgetter(0), itemgetter(slice(1, None))


def build_members(decl: Declaration) -> list[Member]:
    """The members of a block the fast path checked, built as `block_body` builds them (the same
    nodes, see tests/test_psl_fastpath.py) but from the pieces of each line, whose lengths give
    the offsets: nothing can fail here."""
    text = decl.source.text
    # What builds an attribute's arguments when they are read; none without a `(` in the block.
    has_arguments = text.find("(", decl.body_start, decl.close_start) != -1
    lazy = _Parser(decl.source).lazy_arguments if has_arguments else _no_arguments
    members: list[Member] = []
    pending: int | None = None  # where the comment lines above the next member start
    kind = "value" if decl.keyword == "enum" else "field"
    pos = decl.body_start
    for pieces in _CHECKED_LINE.findall(text, decl.body_start, decl.close_start):
        start, pos = pos, pos + len(pieces[0]) + 1
        mark = pieces[2]
        if mark == "/":
            pending = start if pending is None else pending
        elif mark or pieces[3]:  # a block attribute or a member (not a blank line)
            first = start if pending is None else pending
            at = start + len(pieces[1])
            member = _block_attribute(text, at, lazy) if mark else _member(text, kind, pieces, at, lazy)
            member.start, member.line_start, member.end = first, start, pos
            members.append(member)
            pending = None
    decl._members = members
    return members


def _no_arguments(pos: int) -> list:
    raise AssertionError("a checked block without `(` has no attribute with arguments")


def _member(text: str, kind: str, pieces: tuple[str, ...], name_start: int, lazy: Lazy) -> Member:
    """The field or enum value of a checked line whose name starts at `name_start`, from its
    pieces (`_CHECKED_LINE`)."""
    line, indent, _, name, gap, type_, _, rest = pieces
    name_end = name_start + len(name)
    if kind == "value":
        member = Member(kind, name, 0, 0, 0, name_start, name_end)
    else:
        mark = type_[-1]  # the type is written with its `[]` or `?`
        cut = 2 if mark == "]" else 1 if mark == "?" else 0
        type_start = name_end + len(gap)
        member = Member(
            kind, name, 0, 0, 0, name_start, name_end,
            type_[: len(type_) - cut], type_start, type_start + len(type_), mark == "?", mark == "]",
        )
    if rest[:1] == "@":
        line_end = name_start - len(indent) + len(line)
        _attributes(text, line_end - len(rest), member.attributes, lazy)
    return member


def _block_attribute(text: str, p: int, lazy: Lazy) -> Member:
    a = _FAST_ATTR.match(text, p + 1)
    assert a is not None
    args_at = a.start(2)
    attr = Attribute(a.group(1), None, p, a.end(), None if args_at == -1 else (lazy, args_at))
    return Member("block_attribute", attr.name, 0, 0, 0, p, attr.end, attributes=[attr])


def _attributes(text: str, q: int, attrs: list[Attribute], lazy: Lazy) -> None:
    """The attributes from offset `q` (the rest of a checked member line) into `attrs`."""
    while text[q] == "@":
        a = _FAST_ATTR.match(text, q)
        assert a is not None
        args_at = a.start(2)
        attrs.append(Attribute(a.group(1), None, q, a.end(), None if args_at == -1 else (lazy, args_at)))
        q = a.end()
        while text[q] in " \t":
            q += 1


def checked_rows(source: Source, start: int, end: int, kind: str) -> list[Row]:
    """The rows of the checked lines `start..end` (whole lines) of a block whose members are of
    `kind` ("field" or "value"): what `render.body_rows` gives for them, without their members.
    Plain tuples in `Row`'s order: a merged block's rows are made by the thousand."""
    text = source.text
    rows: list[Row] = []
    append = rows.append
    pos = start
    field = kind == "field"
    for line, indent, mark, name, _, mid, _, rest in _CHECKED_LINE.findall(text, start, end):
        nxt = pos + len(line) + 1
        if not name:  # a comment, a block attribute, a blank line: as written
            if mark == "@":  # a block attribute's row carries the attribute's name
                append((source, pos, nxt, "text", _PATH.match(rest, 1).group()))  # type: ignore[arg-type,union-attr]
            else:
                append((source, pos, nxt, "text" if mark else "blank", ""))  # type: ignore[arg-type]
            pos = nxt
            continue
        rest_at = nxt - 1 - len(rest)  # the rest ends the line
        if rest and rest[-1] in " \t":
            rest = trailing_kept(text, rest, rest_at, nxt - 1)
        # A field's anchors are found again from its line when read (`render.REALIGNED`).
        name_anchor = None if field else (2, source, pos + len(indent), len(name))
        append((source, pos, nxt, kind, name, name_anchor, mid, None, rest, rest_at, rest.startswith("@")))  # type: ignore[arg-type]
        pos = nxt
    return rows


# A run of checked lines of one source: (source, offset of its first line, `checked_lines` of it).
Segment = tuple["Source", int, list[tuple[str, ...]]]


def checked_lines(text: str, start: int, end: int) -> list[tuple[str, ...]]:
    """The pieces of each checked line `start..end` (whole lines): the groups of `_CHECKED_LINE`."""
    return (_CHECKED_LINE_ASCII if text.isascii() else _CHECKED_LINE).findall(text, start, end)


def write_fields(w: Writer, segments: list[Segment]) -> None:
    """Checked field lines (and the comment, block attribute and blank lines among them), one run
    after the other, laid out as `render.write_rows` lays out their rows (tests/test_extend_fastpath.py
    holds the two equal), reading each line once: the body of a merged model, by the thousand."""
    widths = _group_widths(segments)
    name_width, type_width, ascii_ = widths[0]
    group = 0
    # `w.line`, inlined: three appends (a merged project writes hundreds of thousands of lines).
    add_line, add_origin, add_anchors = w.appenders()
    for source, pos, pieces in segments:
        for line, _, mark, name, _, mid, _, rest in pieces:
            nxt = pos + len(line) + 1
            if name:
                if rest and rest[-1] in " \t":
                    rest = trailing_kept(source.text, rest, nxt - 1 - len(rest), nxt - 1)
                if not ascii_:
                    add_line(lay_out("field", name, mid, rest, rest[:1] == "@", name_width, type_width)[0])
                elif not rest:  # `ljust`, not a width in a format spec, which is parsed at every call
                    add_line(f"  {name.ljust(name_width)} {mid}")
                else:
                    mid = mid.ljust(type_width) if rest[0] == "@" else mid
                    add_line(f"  {name.ljust(name_width)} {mid} {rest}")
                add_origin((source, pos))
                add_anchors(REALIGNED)
            elif not mark:
                w.blank()
                group += 1
                name_width, type_width, ascii_ = widths[group]
            else:
                text_line(w, source, pos, line)
                add_line, add_origin, add_anchors = w.appenders()  # `copy` may have closed them
            pos = nxt


_drain = deque(maxlen=0).extend  # runs an iterator of `append` calls at C speed, keeping nothing


def write_aligned(w: Writer, decl: Declaration, added: list[tuple[Source, int, int]]) -> bool:
    """`write_fields` of the body of checked model `decl` with the `added` field lines (source,
    start, end) after its last field, if they are the usual lines (`_cut_fields`; else nothing is
    written), by a few comprehensions, not one step per line."""
    cut = _cut_fields(decl, added)
    if cut is None:
        return False
    body, last, rest_at, spans, every, cells, fields = cut
    add_line, add_origin, add_anchors = w.appenders()
    _drain(map(add_line, _laid_lines(every, cells, fields)))
    if len(fields) == len(cells):  # no comment or block attribute line among the fields
        _drain(map(add_anchors, repeat(REALIGNED, len(cells))))
    else:
        _drain(map(add_anchors, [None if c[0][0] in "/@" else REALIGNED for c in cells]))
    at = 0
    for k in range(0, len(spans), 4):  # their origins, in the same order (nothing between)
        source, start, count, _ = spans[k : k + 4]
        starts = list(accumulate(map(add, map(len, every[at : at + count]), repeat(1)), initial=start))
        starts.pop()
        _drain(map(add_origin, zip(repeat(source), starts)))
        at += count
    write_text_lines(w, decl.source, rest_at, body[last:])  # what follows the fields
    return True


def write_laid(
    w: Writer, decl: Declaration, added: list[tuple[Source, int, int]], tidy: bool = False
) -> bool:
    """The whole of checked model `decl` with the `added` field lines, after a blank line, as
    `write_aligned` and the copies around it write it, but as one laid-out block (`Writer.block`:
    one string, not a string and an origin per line), if all of it is usual (else nothing is
    written): `write_aligned`'s fields, a header (comment lines, `model A {`) with no blank line,
    after the fields only comment, block attribute and blank lines with nothing to fold (no two
    blank lines in a row, none last), a closing `}` alone on its line, and no trailing white
    space: every line but a field's is then written as it is. `tidy`: no line of `decl`'s text ends
    in white space (known for the whole file: not looked for again here)."""
    text = decl.source.text
    start, body_start, close = decl.start, decl.body_start, decl.close_start
    head = text[start:body_start]  # its comment lines and `model A {` line
    if (
        decl.end != close + 2
        or not text.startswith("}\n", close)
        or not (tidy or (text.find(" \n", start, close) == -1 and text.find("\t\n", start, close) == -1))
        or "\n\n" in head
    ):
        return False
    cut = _cut_fields(decl, added, tidy)
    if cut is None:
        return False
    body, last, rest_at, spans, every, cells, fields = cut
    tail = text[rest_at - 1 : close]  # from the newline that ends the last field's line
    if rest_at < close and ("\n\n\n" in tail or tail.endswith("\n\n")):
        return False
    head_count = head.count("\n")
    rest_count = len(body) - last + 1  # the closing line's too
    laid = "\n".join(_laid_lines(every, cells, fields))
    w.block(
        f"{head}{laid}\n{tail[1:]}}}\n",
        head_count + len(every) + rest_count,
        (decl.source, start, head_count, False, *spans, decl.source, rest_at, rest_count, False),
        spaced=True,
    )
    return True


# `_cut_fields`: the lines of the body of a merged model (without newlines), how many of them are
# its own fields (up to the last one: comment and block attribute lines among them included),
# where what follows them starts, the spans of field lines (its own, then each addition's) as
# `writer.Block`'s realigned segments, all their lines, their cells, and the cells of those that
# are fields (`cells` itself when they all are and every rest is attributes: see `_laid_lines`).
Cut = tuple[list[str], int, int, list[object], list[str], list[list[str]], list[list[str]]]


def _cut_fields(decl: Declaration, added: list[tuple[Source, int, int]], tidy: bool = False) -> Cut | None:
    """The field lines of checked model `decl` and the `added` field lines (source, start, end),
    cut into their cells, if they are the usual lines (ASCII, `_usual_lines`; else None). Each line is cut by
    `str.split`: a checked field line is its name, its type, and its rest from its first
    character on. `tidy`: `decl`'s lines are known to end in no white space."""
    src = decl.source
    text = src.text
    body_start, close = decl.body_start, decl.close_start
    body = text[body_start:close].split("\n")
    body.pop()  # the body ends with a newline
    count = len(body)
    last = count  # after the last field
    while last and (not body[last - 1].strip() or body[last - 1].lstrip()[0] in "/@"):
        last -= 1
    every = body[:last]
    rest_at = close - sum(map(len, body[last:])) - (count - last)
    # The fields' lines from the newline before them (the `in` tests of a slice are quicker than
    # `find`s within bounds, and merged blocks are read by the thousand).
    region = text[body_start - 1 : rest_at]
    if not (text.isascii() and (_usual_lines(region) if not tidy else "\n\n" not in region)):
        return None
    spans: list[object] = [src, body_start, last, True]
    # No `/` and no `@@`: no comment and no block attribute among the fields, and every field's
    # rest is its attributes (a checked line has nothing else), the usual lines, cut at C speed.
    usual = "/" not in region and "@@" not in region
    for source, start, end in added:
        more = source.text
        region = more[start - 1 : end]
        if not (more.isascii() and _usual_lines(region)):
            return None
        usual = usual and "/" not in region and "@@" not in region
        lines = region[1:-1].split("\n")
        spans += (source, start, len(lines), True)
        every += lines
    cells = [line.split(None, 2) for line in every]
    fields = cells if usual else [c for c in cells if c[0][0] not in "/@"]
    types = "".join(map(_type, fields))
    if "@" in types or "/" in types:
        return None  # a type that runs into its attributes or comment (`Int@id`): not cut by `split`
    return body, last, rest_at, spans, every, cells, fields


_name, _type = itemgetter(0), itemgetter(1)


def _laid_lines(every: list[str], cells: list[list[str]], fields: list[list[str]]) -> list[str]:
    """The lines `every`, cut into `cells` (`fields`: those of the field lines), laid out in one
    group: comment and block attribute lines as they are."""
    name_width = max(map(len, map(_name, fields)), default=0)
    type_width = max(map(len, map(_type, fields)), default=0)
    # `ljust`, not a width in a format spec, which is parsed at every call.
    if fields is cells:  # the usual lines (`_cut_fields`): fields only, each rest its attributes
        return [
            f"  {c[0].ljust(name_width)} {c[1]}" if len(c) == 2
            else f"  {c[0].ljust(name_width)} {c[1].ljust(type_width)} {c[2]}"
            for c in cells
        ]
    if len(fields) == len(cells):  # no comment or block attribute line among them
        return [
            f"  {c[0].ljust(name_width)} {c[1]}" if len(c) == 2
            else f"  {c[0].ljust(name_width)} {c[1].ljust(type_width) if c[2][0] == '@' else c[1]} {c[2]}"
            for c in cells
        ]
    return [
        line if c[0][0] in "/@"
        else f"  {c[0].ljust(name_width)} {c[1]}" if len(c) == 2
        else f"  {c[0].ljust(name_width)} {c[1].ljust(type_width) if c[2][0] == '@' else c[1]} {c[2]}"
        for c, line in zip(cells, every, strict=True)
    ]


def _usual_lines(region: str) -> bool:
    """Are these lines of an ASCII text (`region`: from the newline before them) none blank
    (fields are then one group), none with trailing white space (each is written as it is or
    laid out again, with no look at its ends)?"""
    return "\n\n" not in region and " \n" not in region and "\t\n" not in region


def text_line(w: Writer, source: Source, pos: int, line: str) -> None:
    """A checked comment or block attribute `line` (at `pos`), as `copy` keeps it."""
    if line[-1] not in " \t":
        w.line(line, (source, pos))
    else:
        copy_line(w, source, pos, pos + len(line) + 1)


def write_text_lines(w: Writer, source: Source, pos: int, lines: list[str]) -> None:
    """Checked lines (without their newlines) that hold no field (comment, block attribute and
    blank lines), as `write_fields` writes them."""
    for line in lines:
        if line.strip():
            text_line(w, source, pos, line)
        else:
            w.blank()
        pos += len(line) + 1


def _group_widths(segments: list[Segment]) -> list[tuple[int, int, bool]]:
    """For each group of lines between blank lines: its name and type widths, and whether its
    names and types are ASCII (their widths are then their lengths)."""
    widths: list[tuple[int, int, bool]] = []
    names: list[str] = []
    mids: list[str] = []
    for _, _, pieces in segments:
        part = 0
        for blank in [i for i, p in enumerate(pieces) if not (p[2] or p[3])]:
            _add_cells(pieces[part:blank], names, mids)
            widths.append(_widths(names, mids))
            names, mids, part = [], [], blank + 1
        _add_cells(pieces[part:] if part else pieces, names, mids)
    widths.append(_widths(names, mids))
    return widths


def _add_cells(pieces: list[tuple[str, ...]], names: list[str], mids: list[str]) -> None:
    """The names and types of the field lines among `pieces`, added to `names` and `mids`."""
    fields = [p for p in pieces if p[3]]
    names.extend([p[3] for p in fields])
    mids.extend([p[5] for p in fields])


def _widths(names: list[str], mids: list[str]) -> tuple[int, int, bool]:
    if all(map(str.isascii, names)) and all(map(str.isascii, mids)):
        return max(map(len, names), default=0), max(map(len, mids), default=0), True
    return max(map(text_width, names), default=0), max(map(text_width, mids), default=0), False
