"""Writing PSL text: literals, widths, attributes and the row layout of `prisma format`.

The one place that decides how compose spells a PSL value (the manifest's TOML values, the
defaults of YAML entities, adapted defaults) and how it lays out the body of a block (merged
`@extend` blocks, the datasource with the target's settings, generated models), so that every
output is what Prisma's own formatter would write.
"""

from __future__ import annotations

import re
from collections import namedtuple

from .comments import comment_lines, line_end_past_comment
from .on_use import PatternOnUse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from ..diagnostics import Source
    from ..writer import Anchor, Anchors, Origin, Writer
    from .ast import Member

# -- literals -------------------------------------------------------------------------------------

# PSL string literals follow JSON's grammar (schema-ast datamodel.pest). Prisma's own renderer
# (schema-ast `StringLiteral`) escapes `"`, `\`, `\n`, `\r`, `\t` and writes every other ASCII
# control character, DEL included, as `\u00XX`; `prisma format` keeps a literal as written, and
# reads `\b` or a raw DEL as well (tests/test_render.py holds the spellings to Prisma's reading).
# Both compiled on first use: a plain build writes no literal.
_ESCAPE_RE = PatternOnUse(r'[\x00-\x1f"\\\x7f]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NUMBER_RE = PatternOnUse(r"-?[0-9]+(?:\.[0-9]+)?")


def string_literal(text: str) -> str:
    """`text` as a PSL string literal, escaped as Prisma's own renderer escapes it."""
    return '"' + _ESCAPE_RE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


def number_literal(value: int | float) -> str:
    """A finite number as a PSL number: PSL has no exponent, so `1e-07` is written `0.0000001`."""
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if _NUMBER_RE.fullmatch(text):
        return text
    from decimal import Decimal  # only for exponent forms

    return format(Decimal(text), "f")


def text_width(text: str) -> int:
    """The width `prisma format` gives `text` when it pads a column: its UTF-8 length (Rust's
    `str::len`), not its characters."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


# -- attributes -----------------------------------------------------------------------------------

# Prisma's order for field and block attributes (schema-ast reformat.rs, one list for both); the
# formatter's stable sort leaves any other attribute (`@@schema`, `@db.*`, `@shardKey`) after these,
# in its place. tests/test_render.py checks it against Prisma's formatter.
ATTRIBUTE_ORDER = {
    name: rank
    for rank, name in enumerate(
        ("id", "unique", "default", "updatedAt", "index", "fulltext", "map", "relation", "ignore")
    )
}


def attribute_rank(name: str) -> int:
    """Where `prisma format` puts attribute `name` (without its `@`/`@@`) among a line's or a block's."""
    return ATTRIBUTE_ORDER.get(name, len(ATTRIBUTE_ORDER))


def attribute_name(attr: str) -> str:
    """The name of attribute text such as `@@index([a])` (`index`)."""
    name = attr.lstrip("@")
    cut = name.find("(")
    return name if cut == -1 else name[:cut]


def render_call(text: str, name: str, args: list[Any] | None) -> str:
    """An attribute or function call of the parsed `text`, spaced as `prisma format` spaces it."""
    if args is None:
        return name
    rendered = []
    for arg in args:
        if arg.value is None:  # `fields:`: Prisma parses it only to offer completions
            raise ValueError(f"argument `{arg.name}` has no value")
        value = render_expr(text, arg.value)
        rendered.append(f"{arg.name}: {value}" if arg.name else value)
    return f"{name}({', '.join(rendered)})"


def render_expr(text: str, expr: Any) -> str:
    if expr.kind == "call":
        return render_call(text, expr.value, expr.args)
    if expr.kind == "array":
        return "[" + ", ".join(render_expr(text, item) for item in expr.items) + "]"
    return str(text[expr.start : expr.end])  # literals and paths: the formatter keeps them as written


# -- rows: the body of a block as `prisma format` lays it out --------------------------------------


def lay_out(
    kind: str, name: str, mid: str, rest: str, attrs: bool, name_width: int, type_width: int
) -> tuple[str, int, int]:
    """One member's line, indented, in the columns of its group; and the columns where its
    middle cell and its rest start. `kind` is "field", "property" or "value"; a field's type is
    padded to `type_width` only when attributes (`attrs`) follow, a comment alone follows after
    one space."""
    if kind == "field":
        line = f"  {name}{' ' * (name_width - text_width(name) + 1)}"
        mid_at = len(line)
        line += mid
        if rest:
            line += " " * (type_width - text_width(mid) + 1) if attrs else " "
    elif kind == "property":
        line = f"  {name}{' ' * (name_width - text_width(name))} = "
        mid_at = len(line)
        line += mid
        if rest:
            line += " "
    else:
        line = "  " + name
        mid_at = len(line)
        if rest:
            line += " " * (name_width - text_width(name) + 1) if attrs else " "
    return line + rest, mid_at, len(line)


MEMBER_KINDS = frozenset(("field", "value", "property"))
# The fields of a `Row` by position: the rows of large merged blocks are plain tuples of its shape
# (`members.checked_rows`); a text or blank row may end after its name.
KIND, NAME, NAME_AT, MID, REST, ATTRS = 3, 4, 5, 6, 8, 10


# `typing.NamedTuple` for type checkers; at run time the same tuple made by `collections.namedtuple`
# (importing `typing` would cost every start more than a small project's composing). The fields
# and defaults are those of the class: tests/test_render.py compares the two.
if TYPE_CHECKING:

    class Row(NamedTuple):
        """One line of a block body: a member in three cells, verbatim text, or a blank line.

        A member's cells: its name; the middle (a field's type, a property's value; none for an enum
        value); the rest of the line, verbatim (attributes, then a `//` comment), where `attrs` says
        whether it starts with attributes (aligned in a column) or is only a comment. `name_at` is the
        name's anchor in the laid-out line (it always starts in column 2), `mid_at` where the middle
        comes from as (source, offset, length), `rest_at` the rest's offset in `source`; a field row
        read from a checked line has neither anchor (its line gets `REALIGNED`). The text row of
        a block attribute read by `members.checked_rows` has the attribute's name.
        A tuple, so that making the rows of a large merged block costs little.
        """

        source: Source
        start: int  # offset of the line in `source`
        end: int  # after the line
        kind: str = "text"  # "text" | "blank" | "field" | "value" | "property"
        name: str = ""
        name_at: Anchor | None = None
        mid: str = ""
        mid_at: tuple[Source, int, int] | None = None
        rest: str = ""
        rest_at: int = 0
        attrs: bool = False

else:
    Row = namedtuple(
        "Row",
        ("source", "start", "end", "kind", "name", "name_at", "mid", "mid_at", "rest", "rest_at", "attrs"),
        defaults=("text", "", None, "", None, "", 0, False),
    )


def body_rows(source: Source, start: int, end: int, members: dict[int, Member]) -> list[Row]:
    """The lines of `source.text[start:end]` as rows; a line starting a member gets its cells."""
    text = source.text
    rows: list[Row] = []
    pos = start
    while pos < end:
        eol = text.find("\n", pos, end)
        nxt = end if eol == -1 else eol + 1
        member = members.get(pos)
        if member is not None and member.end == nxt and member.kind in MEMBER_KINDS:
            rows.append(member_row(source, member))
        else:
            # A `/* */` comment over several lines (on its own or after a member) is one row,
            # copied as a whole, so that its blank lines and trailing spaces are kept.
            if member is not None:
                nxt = max(nxt, min(member.end, end))
            elif text.find("/*", pos, nxt) != -1:
                nxt = line_end_past_comment(text, pos, end)
            rows.append(Row(source, pos, nxt, "text" if text[pos:nxt].strip() else "blank"))
        pos = nxt
    return rows


def member_row(source: Source, m: Member) -> Row:
    """A field, enum value or property split into cells; verbatim when it holds anything unusual
    (an inline `/* */` comment between the cells, say)."""
    text = source.text
    verbatim = Row(source, m.line_start, m.end)
    if m.line_start != m.name_start and text[m.line_start : m.name_start].strip():
        return verbatim
    mid, mid_at, cursor = "", None, m.name_end
    if m.kind == "field":
        if text[cursor : m.type_start].strip():
            return verbatim
        mid, cursor = text[m.type_start : m.type_end], m.type_end
        mid_at = (source, m.type_start, m.type_end - m.type_start)
    elif m.kind == "property":
        if m.value is None or text[cursor : m.value.start].strip() != "=":
            return verbatim
        v = m.value
        mid, mid_at, cursor = text[v.start : v.end], (source, v.start, v.end - v.start), v.end
    eol = m.end - 1 if text.endswith("\n", 0, m.end) else m.end
    attrs = bool(m.attributes)
    if attrs:
        first = m.attributes[0].start
        if first != cursor and text[cursor:first].strip():
            return verbatim
        cursor = first
    rest = text[cursor:eol].lstrip()
    if rest and not attrs and not rest.startswith("//"):
        return verbatim
    rest_at = eol - len(rest)
    return Row(
        source, m.line_start, m.end, m.kind, text[m.name_start : m.name_end],
        (2, source, m.name_start, m.name_end - m.name_start), mid, mid_at,
        trailing_kept(text, rest, rest_at, eol), rest_at, attrs,
    )


def trailing_kept(text: str, rest: str, at: int, eol: int) -> str:
    """The rest of a member's line (from `at` to `eol`, no leading space) without its trailing
    spaces, unless they end a comment: those are the user's (Prisma keeps them in docs)."""
    stripped = rest.rstrip()
    if stripped != rest and 0 in comment_lines(text, at, eol)[0]:
        return rest
    return stripped


def write_rows(w: Writer, rows: list[Row]) -> None:
    """Lay rows out as `prisma format` does.

    Members are aligned in columns within a group of lines not broken by a blank line (comment
    lines do not break a group): field names, then types, padded only when attributes follow
    (the type column is as wide as the widest type of the group); enum value names, padded only
    when attributes follow; property names, then ` = `. A trailing comment alone follows after
    one space. Widths count UTF-8 bytes, as Prisma's do.
    """
    group: list[Row] = []
    for row in rows:
        if row[KIND] == "blank":
            if group:
                write_group(w, group)
                group = []
            w.blank()
        else:
            group.append(row)
    if group:
        write_group(w, group)


def write_group(w: Writer, group: list[Row]) -> None:
    """One group of rows (no blank line among them), its members in the group's columns."""
    name_width = max([text_width(r[NAME]) for r in group if r[KIND] != "text"], default=0)
    type_width = max([text_width(r[MID]) for r in group if r[KIND] == "field"], default=0)
    for r in group:
        if r[KIND] == "text":
            copy_line(w, r[0], r[1], r[2])
        elif r[NAME_AT] is None:  # a checked field line: its anchors are found again when read
            line = lay_out("field", r[NAME], r[MID], r[REST], r[ATTRS], name_width, type_width)[0]
            w.line(line, (r[0], r[1]), REALIGNED)
        else:
            w.line(*laid_out(r, name_width, type_width))


def copy_line(w: Writer, source: Source, start: int, end: int) -> None:
    """`w.copy` of the text `start..end` (whole lines), quicker when it holds no blank line and no
    trailing white space: `copy` would keep every line as it is."""
    chunk = source.text[start : end - 1]
    if chunk and "\n\n" not in chunk and chunk[0] != "\n" and chunk[-1] not in " \t" and (
        "\n" not in chunk or (" \n" not in chunk and "\t\n" not in chunk)
    ):
        for line in chunk.split("\n"):
            w.line(line, (source, start))
            start += len(line) + 1
    else:
        w.copy(source, start, end)


# The anchors of a field line laid out again from a checked line (`members.checked_rows`), which
# are not kept for every line of every merged block: `line_anchors` finds them again from the line
# and its origin when something reads them (validate, the language server). Falsy, like no
# anchors, so that a reader that does not resolve it still maps columns from the line's origin.
REALIGNED: Anchors = ()


def line_anchors(line: str, origin: Origin, anchors: Anchors) -> Anchors:
    """The anchors of output line `line`: as recorded, or those of a `REALIGNED` field line (its
    name, type and rest, which no white space is inside of, found again in it and at its origin)."""
    if anchors != () or origin is None:
        return anchors
    source, start = origin
    text = source.text
    name_end = line.index(" ", 2)
    mid_col = _after_blanks(line, name_end)
    mid_end = line.find(" ", mid_col)
    name_at = _after_blanks(text, start)
    mid_at = _after_blanks(text, name_at + name_end - 2)
    found: list[Anchor] = [(2, source, name_at, name_end - 2)]
    if mid_end == -1:
        found.append((mid_col, source, mid_at, len(line) - mid_col))
    else:
        found.append((mid_col, source, mid_at, mid_end - mid_col))
        rest_col = _after_blanks(line, mid_end)
        rest_at = _after_blanks(text, mid_at + mid_end - mid_col)
        found.append((rest_col, source, rest_at, len(line) - rest_col))
    return tuple(found)


def _after_blanks(text: str, pos: int) -> int:
    while text[pos] in " \t":
        pos += 1
    return pos


def laid_out(r: Row, name_width: int, type_width: int) -> tuple[str, Origin, Anchors]:
    """Row `r` as `prisma format` lays it out, with where each of its cells comes from."""
    source, start, _, kind, name, name_at, mid, mid_at, rest, rest_at, attrs = r
    line, mid_col, rest_col = lay_out(kind, name, mid, rest, attrs, name_width, type_width)
    tail = ((rest_col, source, rest_at, len(rest)),) if rest else ()
    if kind == "value":
        return line, (source, start), (name_at, *tail)
    return line, (source, start), (name_at, (mid_col, *mid_at), *tail)
