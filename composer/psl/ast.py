"""The syntax tree of a Prisma schema file.

Every node carries character offsets into its `Source` (like the spans of Prisma's schema-ast),
so the composer can copy declarations verbatim and point diagnostics at the exact place.
Member spans (`start`..`end`) cover whole lines: the comment lines attached above the member,
the member's own line and its newline.
"""

from __future__ import annotations

from collections.abc import Callable

from ..diagnostics import Location, Source
from ..records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    from .fields import FileFields


_FRESH: Any = object()  # a parameter's default: a new empty list (a dataclass's `default_factory`)


class Expr(Record):
    __slots__ = ("args", "end", "items", "kind", "start", "value")
    # Equality and repr over these, in a dataclass's order.
    _attrs = ("kind", "start", "end", "value", "items", "args")

    def __init__(
        self,
        kind: str,
        start: int,
        end: int,
        value: str = "",
        items: list[Expr] | None = None,
        args: list[Arg] | None = None,
    ) -> None:
        self.kind = kind  # "string" | "number" | "path" | "call" | "array" | "object"
        self.start = start
        self.end = end
        self.value = value  # decoded string, number text, path or function name
        self.items: list[Expr] = [] if items is None else items  # array items
        self.args: list[Arg] = [] if args is None else args  # call arguments, object members

    def names(self) -> list[str]:
        """The field names of a `[a, b(sort: Desc)]` list, as used by `fields:` and `@@index`."""
        if self.kind == "array":
            return [item.value for item in self.items if item.kind in ("path", "call")]
        if self.kind in ("path", "call"):
            return [self.value]
        return []


class Arg(Record):
    __slots__ = ("end", "name", "start", "value")
    # Equality and repr over these, in a dataclass's order.
    _attrs = ("name", "value", "start", "end")

    def __init__(self, name: str | None, value: Expr | None, start: int, end: int) -> None:
        self.name = name
        self.value = value  # None for an empty argument (`fields:`), which Prisma parses for completions
        self.start = start
        self.end = end


class Attribute:
    """`@name(args)` or `@@name(args)`.

    The parser's fast path checks an attribute's whole argument list with one regular expression
    and leaves building the argument nodes to the first reader of `args` (most never are read).
    """

    __slots__ = ("_args", "_lazy", "end", "name", "start")

    def __init__(
        self,
        name: str,
        args: list[Arg] | None,
        start: int,
        end: int,
        lazy: tuple[Callable[[int], list[Arg]], int] | None = None,
    ) -> None:
        self.name = name  # without the `@`/`@@`, e.g. "relation", "db.VarChar"
        self._args = args
        self._lazy = lazy  # (parse arguments at offset, offset of the `(`)
        self.start = start
        self.end = end

    @property
    def args(self) -> list[Arg] | None:
        if self._lazy is not None:
            parse_args, pos = self._lazy
            self._args = parse_args(pos)
            self._lazy = None
        return self._args

    def __repr__(self) -> str:
        return f"Attribute({self.name!r}, {self.args!r}, {self.start}, {self.end})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Attribute):
            return NotImplemented
        return (self.name, self.args, self.start, self.end) == (
            other.name,
            other.args,
            other.start,
            other.end,
        )

    __hash__ = None  # type: ignore[assignment]

    def arg(self, name: str, position: int | None = None) -> Expr | None:
        args = self.args
        if not args:
            return None
        for arg in args:
            if arg.name == name:
                return arg.value
        if position is not None:
            unnamed = [a for a in args if a.name is None]
            if len(unnamed) > position:
                return unnamed[position].value
        return None


class Member(Record):
    """A line inside a block: a field, an enum value, a config property, a block attribute."""

    __slots__ = (
        "attributes",
        "end",
        "is_list",
        "kind",
        "line_start",
        "name",
        "name_end",
        "name_start",
        "optional",
        "start",
        "type_end",
        "type_name",
        "type_start",
        "value",
    )
    _attrs = (
        "kind", "name", "start", "line_start", "end", "name_start", "name_end", "type_name", "type_start",
        "type_end", "optional", "is_list", "attributes", "value",
    )

    def __init__(
        self,
        kind: str,
        name: str,
        start: int,
        line_start: int,
        end: int,
        name_start: int,
        name_end: int,
        type_name: str = "",
        type_start: int = 0,
        type_end: int = 0,
        optional: bool = False,
        is_list: bool = False,
        attributes: list[Attribute] | None = None,
        value: Expr | None = None,
    ) -> None:
        self.kind = kind  # "field" | "value" | "property" | "block_attribute"
        self.name = name  # field/value/property name; attribute name for block attributes
        self.start = start  # first attached comment line (or the member's own line)
        self.line_start = line_start  # start of the member's own line
        self.end = end  # after the member's line (newline included)
        self.name_start = name_start
        self.name_end = name_end
        self.type_name = type_name  # fields: the base type (`Unsupported` for Unsupported("…"))
        self.type_start = type_start
        self.type_end = type_end
        self.optional = optional
        self.is_list = is_list
        # Field/value attributes; one for block attributes.
        self.attributes: list[Attribute] = [] if attributes is None else attributes
        self.value = value  # config property value

    def attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None


_field_summary: Callable[[Declaration], list[tuple[str, str, str]]] | None = None


def _summarize(decl: Declaration) -> list[tuple[str, str, str]]:
    """`parser.field_summary(decl)`: the parser imports this module, so it is looked up on first use."""
    global _field_summary
    if _field_summary is None:
        from .parser import field_summary

        _field_summary = field_summary
    return _field_summary(decl)


def _doc_lines(text: str, start: int, end: int) -> list[str]:
    """The `///` lines of the comment lines `start..end` (whole lines) after the last blank line."""
    doc: list[str] = []
    q = end  # walk back from the end: a blank line ends the doc comment
    while q > start:
        line_start = max(text.rfind("\n", start, q - 1) + 1, start)
        line = text[line_start : q - 1].lstrip(" \t")
        if not line:
            break
        if line.startswith("///"):
            doc.append(line[3:])
        q = line_start
    doc.reverse()
    return doc


class Declaration:
    """A top-level block.

    A block whose every line is of the common kinds (see `parser._FAST_BODY`) is checked in one
    piece by the parser and its members are built on first access: composing copies most blocks
    verbatim and never needs them. `field_summary()` answers what composing does need about
    every block (field types, relations) without building them.
    """

    __slots__ = (
        "_build",
        "_doc",
        "_members",
        "_summary",
        "body_start",
        "close_start",
        "end",
        "is_extend",
        "keyword",
        "keyword_start",
        "name",
        "name_end",
        "name_start",
        "source",
        "start",
    )

    def __init__(
        self,
        keyword: str,
        name: str,
        source: Source,
        start: int,
        keyword_start: int,
        name_start: int,
        name_end: int,
        body_start: int,
        close_start: int,
        end: int,
        _members: list[Member] | None = _FRESH,
        _doc: list[str] | None = _FRESH,
        is_extend: bool = False,
        _build: Callable[[Declaration], list[Member]] | None = None,
        _summary: list[tuple[str, str, str]] | None = None,
    ) -> None:
        self.keyword = keyword  # "model" | "enum" | "type" | "view" | "datasource" | "generator" | "alias"
        self.name = name
        self.source = source
        self.start = start  # first attached comment line (or the keyword's line)
        self.keyword_start = keyword_start  # offset of the keyword
        self.name_start = name_start
        self.name_end = name_end
        self.body_start = body_start  # start of the line after `{` (alias: same as end)
        self.close_start = close_start  # start of the line holding the closing `}` (alias: same as end)
        self.end = end  # after the closing line, newline included
        # None: not built yet (`members`).
        self._members: list[Member] | None = [] if _members is _FRESH else _members
        # The `///` lines directly above, without the slashes (`doc`); None: not read from the text
        # yet (a block of the fast path: most documentation is never read while composing).
        self._doc: list[str] | None = [] if _doc is _FRESH else _doc
        self.is_extend = is_extend  # a `/// @extend` line is among the doc lines
        # Builds the members of a block the fast path checked (kept once they are built: `checked`).
        self._build = _build
        self._summary = _summary

    _attrs = __slots__  # what `repr` shows (equality stays identity)
    __repr__ = Record.__repr__

    @property
    def members(self) -> list[Member]:
        if self._members is None:
            self._members = self._build(self)  # type: ignore[misc]
        return self._members

    @property
    def doc(self) -> list[str]:
        if self._doc is None:
            text = self.source.text
            header = text.rfind("\n", 0, self.keyword_start) + 1
            self._doc = _doc_lines(text, self.start, header)
        return self._doc

    @property
    def lazy(self) -> bool:
        """Are the members not built yet (so `field_summary()` is the cheap way to look at them)?"""
        return self._members is None

    @property
    def checked(self) -> bool:
        """Did the fast path check this block's body (so that `psl.members` can read its lines from
        the text, whether or not its members were built since)?"""
        return self._build is not None

    def field_summary(self) -> list[tuple[str, str, str]]:
        """(type name, `[]`/`?`/"", attributes) for each field line; for a block whose members are
        not built, a comment may follow the attributes."""
        if self._members is None:
            if self._summary is None:
                self._summary = _summarize(self)
            return self._summary
        text = self.source.text
        out = []
        for m in self._members:
            if m.kind == "field":
                mark = "[]" if m.is_list else "?" if m.optional else ""
                attrs = text[m.attributes[0].start : m.attributes[-1].end] if m.attributes else ""
                out.append((m.type_name, mark, attrs))
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Declaration):
            return NotImplemented
        return self._key() == other._key()

    def _key(self) -> tuple[object, ...]:
        return (
            self.keyword, self.name, self.source, self.start, self.keyword_start, self.name_start,
            self.name_end, self.body_start, self.close_start, self.end, self.members, self.doc,
            self.is_extend,
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]

    @property
    def location(self) -> Location:
        return Location(self.source, self.name_start, self.name_end)

    def loc(self, start: int, end: int | None = None) -> Location:
        return Location(self.source, start, end)

    def member(self, name: str) -> Member | None:
        for m in self.members:
            if m.kind != "block_attribute" and m.name == name:
                return m
        return None


class SchemaFile(Record):
    __slots__ = ("_fields", "clean", "declarations", "source", "trailing")
    # Equality and repr over these, in a dataclass's order.
    _attrs = ("source", "declarations", "trailing", "clean", "_fields")

    def __init__(
        self,
        source: Source,
        declarations: list[Declaration],
        trailing: int,
        clean: bool = False,
        _fields: FileFields | None = None,
    ) -> None:
        self.source = source
        self.declarations = declarations
        # Offset where comments after the last declaration start (== len(text) if none).
        self.trailing = trailing
        # Every line of the text was checked by the parser's fast path: its declarations are all
        # lazy, and nothing but blank and `//` lines lies between and after them (`psl.fields`).
        self.clean = clean
        self._fields = _fields

    def fields(self) -> FileFields | None:
        """What composing needs of every field of a clean file, read from the whole text at once
        (None: not clean, ask each declaration)."""
        if not self.clean:
            return None
        if self._fields is None:
            from .fields import file_fields

            self._fields = file_fields(self)
        return self._fields
