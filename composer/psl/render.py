"""Writing PSL text: literals, widths, attributes and the row layout of `prisma format`.

The one place that decides how compose spells a PSL value (the manifest's TOML values, the
defaults of YAML entities, adapted defaults) and how it lays out the body of a block (merged
`@extend` blocks, the datasource with the target's settings, generated models), so that every
output is what Prisma's own formatter would write.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .comments import comment_lines, line_end_past_comment

if TYPE_CHECKING:
    from ..diagnostics import Source
    from ..writer import Anchor, Anchors, Origin, Writer
    from .ast import Member

# -- literals -------------------------------------------------------------------------------------

# PSL string literals follow JSON's grammar (schema-ast datamodel.pest). Prisma's own renderer
# (schema-ast `StringLiteral`) escapes `"`, `\`, `\n`, `\r`, `\t` and writes every other ASCII
# control character, DEL included, as `\u00XX`; `prisma format` keeps a literal as written, and
# reads `\b` or a raw DEL as well (tests/test_render.py holds the spellings to Prisma's reading).
_ESCAPE_RE = re.compile(r'[\x00-\x1f"\\\x7f]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


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


class Row:
    """One line of a block body: a member in three cells, verbatim text, or a blank line.

    A member's cells: its name; the middle (a field's type, a property's value; none for an enum
    value); the rest of the line, verbatim (attributes, then a `//` comment), where `attrs` says
    whether it starts with attributes (aligned in a column) or is only a comment. Each cell
    remembers where it comes from as (source, offset, length). The text row of a block attribute
    read by `members.checked_rows` has the attribute's name.
    """

    __slots__ = (
        "attrs", "end", "kind", "mid", "mid_at", "name", "name_at", "rest", "rest_at", "source", "start"
    )

    def __init__(self, source: Source, start: int, end: int, kind: str = "text") -> None:
        self.source = source
        self.start = start  # offset of the line in `source`
        self.end = end  # after the line
        self.kind = kind  # "text" | "blank" | "field" | "value" | "property"
        self.name = ""
        self.name_at: tuple[Source, int, int] = (source, start, 0)
        self.mid = ""
        self.mid_at: tuple[Source, int, int] = (source, start, 0)
        self.rest = ""
        self.rest_at = 0
        self.attrs = False


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
    if m.line_start != m.name_start and text[m.line_start : m.name_start].strip():
        return Row(source, m.line_start, m.end)
    row = Row(source, m.line_start, m.end, m.kind)
    row.name = text[m.name_start : m.name_end]
    row.name_at = (source, m.name_start, m.name_end - m.name_start)
    cursor = m.name_end
    if m.kind == "field":
        if text[cursor : m.type_start].strip():
            return Row(source, m.line_start, m.end)
        row.mid = text[m.type_start : m.type_end]
        row.mid_at = (source, m.type_start, m.type_end - m.type_start)
        cursor = m.type_end
    elif m.kind == "property":
        if m.value is None or text[cursor : m.value.start].strip() != "=":
            return Row(source, m.line_start, m.end)
        row.mid = text[m.value.start : m.value.end]
        row.mid_at = (source, m.value.start, m.value.end - m.value.start)
        cursor = m.value.end
    eol = m.end - 1 if text.endswith("\n", 0, m.end) else m.end
    if m.attributes:
        first = m.attributes[0].start
        if first != cursor and text[cursor:first].strip():
            return Row(source, m.line_start, m.end)
        row.attrs = True
        cursor = first
    rest = text[cursor:eol]
    stripped = rest.lstrip()
    if stripped and not row.attrs and not stripped.startswith("//"):
        return Row(source, m.line_start, m.end)
    row.rest_at = cursor + len(rest) - len(stripped)
    # Trailing spaces of a trailing `//`/`///` comment are the user's (Prisma keeps them in docs).
    row.rest = stripped.rstrip()
    if row.rest != stripped and 0 in comment_lines(text, row.rest_at, eol)[0]:
        row.rest = stripped
    return row


def write_rows(w: Writer, rows: list[Row]) -> None:
    """Lay rows out as `prisma format` does.

    Members are aligned in columns within a group of lines not broken by a blank line (comment
    lines do not break a group): field names, then types, padded only when attributes follow
    (the type column is as wide as the widest type of the group); enum value names, padded only
    when attributes follow; property names, then ` = `. A trailing comment alone follows after
    one space. Widths count UTF-8 bytes, as Prisma's do.
    """
    group: list[Row] = []

    def flush() -> None:
        name_width = max((text_width(r.name) for r in group if r.kind != "text"), default=0)
        type_width = max((text_width(r.mid) for r in group if r.kind == "field"), default=0)
        for r in group:
            if r.kind == "text":
                w.copy(r.source, r.start, r.end)
            else:
                w.line(*laid_out(r, name_width, type_width))
        group.clear()

    for row in rows:
        if row.kind == "blank":
            flush()
            w.blank()
        else:
            group.append(row)
    flush()


def laid_out(r: Row, name_width: int, type_width: int) -> tuple[str, Origin, Anchors]:
    """Row `r` as `prisma format` lays it out, with where each of its cells comes from."""
    line, mid_at, rest_at = lay_out(r.kind, r.name, r.mid, r.rest, r.attrs, name_width, type_width)
    anchors: list[Anchor] = [(2, *r.name_at)]
    if r.kind != "value":
        anchors.append((mid_at, *r.mid_at))
    if r.rest:
        anchors.append((rest_at, r.source, r.rest_at, len(r.rest)))
    return line, (r.source, r.start), tuple(anchors)
