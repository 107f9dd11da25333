"""A hand-written parser for the Prisma Schema Language.

PSL is line-oriented (prisma-engines' grammar lets no expression or declaration member span a
newline), so the parser walks the text one line at a time with an integer position, as tomli
does, and matches tokens with precompiled regular expressions. Line and column numbers are only
computed when an error is raised.

The grammar followed is prisma-engines' `schema-ast` (datamodel.pest) plus the newer object
expressions (`where: { published: true }`). Unlike Prisma's error-tolerant parser, the first
syntax error stops parsing: composing a schema with a broken fragment is never useful.

Why one module of this size: the fast path's patterns (`_DECL`, `_FAST_BODY`, `_FIELD_REST`)
are built from the same pieces as the full parser's, and each must accept exactly what the full
parser accepts (tests/test_psl_fastpath.py); split across modules, the two halves of one grammar
would drift apart. What only reads a parsed clean file lives in `psl/fields.py`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from operator import itemgetter
from sys import intern

from ..diagnostics import ComposeError, Diagnostic, Location, Source
from ..inputfiles import normalise_newlines
from .ast import Arg, Attribute, Declaration, Expr, Member, SchemaFile, _doc_lines
from .on_use import PatternOnUse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

# Identifiers: an alphanumeric first character, then alphanumerics, `_` and `-`. `\w` admits
# non-ASCII letters, which Prisma's validator (not its parser) judges.
_IDENT = re.compile(r"[^\W_][\w-]*")
_PATH = re.compile(r"[^\W_][\w-]*(?:\.[^\W_][\w-]*)*")
_NUMBER = PatternOnUse(r"-?[0-9]+(?:\.[0-9]+)?(?![\w.])")
# Unrolled (a run of plain characters, then escapes each followed by a run): no alternation per
# character, so a megabyte string costs milliseconds, not seconds; possessive runs (Python 3.11+)
# keep an unterminated one from backtracking through its whole length.
_RUN = r'[^"\\\x00-\x1f]*+' if sys.version_info >= (3, 11) else r'[^"\\\x00-\x1f]*'
_STRING_SRC = rf'"{_RUN}(?:\\[^\n]{_RUN})*"'
_STRING = re.compile(_STRING_SRC)
# SPACE_SEPARATOR (Unicode Zs) and tab, never a newline.
_WS = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")

# The fast path: one regular expression checks a whole field line (name, type, attributes with
# simple arguments) in C; lines it does not match go through the full parser,
# which also produces the error messages. It accepts exactly what the full parser accepts.
_W = r"[ \t]*"
_FIDENT = r"[^\W_][\w-]*"
_FPATH = _FIDENT + r"(?:\." + _FIDENT + r")*"
_FSTR = _STRING_SRC
_FNUM = r"-?[0-9]+(?:\.[0-9]+)?(?![\w.])"


# Arguments the fast path knows: strings, numbers, names, `fn()`, `fn("…")` / `fn(1)`, and flat
# lists of those, positional or named — what nearly every real field line holds.
# Every regular expression here must match in linear time (issue 12): the alternatives of an
# atom start with different characters (`"`, `-`, a name's first character), and no two
# adjacent runs match the same characters, so a failing match never backtracks into more than
# one way of reading the text. An unsigned number is also a name to `_FPATH` (`1`, `1.5`: the
# full parser reads it as a number, which the fast path need not tell apart), so only a negative
# one needs its own alternative. tests/test_psl_linear.py counts the steps on inputs of size n
# and 2n for each pathological shape.
_FNEG = r"-[0-9]+(?:\.[0-9]+)?(?![\w.])"
_FATOM = rf"(?:{_FSTR}|{_FNEG}|{_FPATH}(?:{_W}\({_W}(?:(?:{_FSTR}|{_FNUM}){_W})?\))?)"
# Lists and argument lists name their item once (each item is followed by a comma or the
# closing bracket): the same language as `item (, item)*`, in a pattern a third the size, which
# matters because compiling these patterns is part of every start-up.
_FVAL = rf"(?:{_FATOM}|\[{_W}(?:{_FATOM}{_W}(?:,{_W}(?!\])|(?=\])))*\])"
_FARG = rf"(?:{_FIDENT}{_W}:{_W})?{_FVAL}"
_FARGS = rf"\({_W}(?:{_FARG}{_W}(?:,{_W}|(?=\))))*\)"
_FAST_ATTR_SRC = rf"@({_FPATH})(?:{_W}({_FARGS}))?"
# Only members, adapting and relation questions off the usual path use this one: compiled on
# first use (its argument grammar is a third of the parser's compile time).
_FAST_ATTR = PatternOnUse(_FAST_ATTR_SRC)
# Only the line-by-line parser uses this one (compiled on first use: start-up compiles only what
# the fast path needs, and compiling is part of every start).
_FAST_FIELD_SRC = (
    rf"({_FIDENT})[ \t]+({_FIDENT})(\[\]|\?)?((?:{_W}{_FAST_ATTR_SRC})*){_W}(?://[^\n]*)?(?=\n|\Z)"
)
# Whole blocks at once: a body made only of blank lines, `//` comment lines, fast-path field lines
# (enum values in an enum) and block attributes with simple arguments is checked by one match, in
# C, and its members are built only if something asks for them. Any other body (`/* */`,
# `Unsupported(…)`, object arguments, Unicode spaces, any error) goes through `block_body`.
_ATOMIC = sys.version_info >= (3, 11)  # atomic groups keep a failing match from backtracking
_FAST_ATTR_NC = rf"@{_FPATH}(?:{_W}{_FARGS})?"
_LINE_END = rf"{_W}(?://[^\n]*)?"
_FIELD_LINE = rf"{_FIDENT}[ \t]+(?!Unsupported(?![\w-])){_FIDENT}(?:\[\]|\?)?(?:{_W}{_FAST_ATTR_NC})*"
_VALUE_LINE = rf"{_FIDENT}(?:{_W}{_FAST_ATTR_NC})*"
_BLOCK_ATTR_LINE = rf"@{_FAST_ATTR_NC}"


def _fast_body(member_line: str, member_end: str = _LINE_END) -> str:
    # Blank lines and indentation are one character class run before each non-blank line. Group
    # 1 starts the line of the closing brace (and holds the spaces before it).
    line = rf"[ \t\n]*(?:{member_line}{member_end}|{_BLOCK_ATTR_LINE}{_LINE_END}|//[^\n]*)\n"
    if _ATOMIC:
        line = f"(?>{line})"
    return rf"(?:{line})*(?:[ \t]*\n)*([ \t]*)\}}{_LINE_END}(?:\n|\Z)"


class _CompiledOnUse(dict):  # type: ignore[type-arg]
    """Pattern sources, each compiled when first asked for: the line-by-line parser's patterns
    (start-up compiles only those of `_DECL`)."""

    def __getitem__(self, key: str) -> re.Pattern[str]:
        value = super().__getitem__(key)
        if isinstance(value, str):
            value = re.compile(value)
            self[key] = value
        return value

    def get(self, key: str, default: None = None) -> re.Pattern[str] | None:  # type: ignore[override]
        return self[key] if key in self else default  # noqa: SIM401 (`dict.get` would not compile)


_FIELD_BODY_SRC = _fast_body(_FIELD_LINE)
_VALUE_BODY_SRC = _fast_body(_VALUE_LINE)
_FAST_BODY = _CompiledOnUse(
    model=_FIELD_BODY_SRC, view=_FIELD_BODY_SRC, type=_FIELD_BODY_SRC, enum=_VALUE_BODY_SRC
)
# Comment and blank lines before a declaration, then a block header the fast path takes.
# Blank and `//` lines run together as one character class where possible (a file may hold
# millions of blank lines); `gap_end` cuts the match back to the start of a line.
_GAP = re.compile(r"(?:[ \t\n]*//[^\n]*\n)*[ \t\n]*")
_COMMENT_START = re.compile(r"^[ \t]*//", re.MULTILINE)
# What the loop tries first, in one match: the comment and blank lines before a declaration
# (group 1, whole lines), then a `model`/`view`/`type`/`enum` (groups 2, 3: keyword, name) whose
# header and body take the fast path; group 4 (empty) starts the body, group 5 starts the line of
# the closing brace. One call per declaration, and nothing of the gap is read unless it holds `/`.
#
# In this match a line of a body that starts with a name is only looked at for that first
# character: checking the names, the type and every argument list of every line is most of the
# work of `_FAST_BODY`, and most rests repeat. The loop reads each such line with `_BODY_LINES`
# (`_Parser.lazy_declarations`: its type, and its rest after the type) and `_Parser.check_rests`
# checks them: a field line without a type, an `Unsupported` type, an enum value with one, or a
# rest `_FIELD_REST` refuses (each distinct rest checked once) sends the file to the exact
# patterns, `_FAST_BODY` itself. One body pattern for every keyword keeps `_DECL` small, and
# compiling it is part of every start-up. (The line is one run to its end, with no `_LINE_END`
# after it: two runs that could both take a `//` would make a line without its newline quadratic.)
_LOOSE_FIELD_LINE = r"[^\W_][^\n]*"
_FIELD_REST = re.compile(rf"(?:\[\]|\?)?(?:{_W}{_FAST_ATTR_NC})*{_LINE_END}")
# A line of a body of `_DECL`: its name, white space and type (group 1, empty if the line has
# none), then the rest of the line (group 2). Linear: each try starts at a newline and ends within
# its line, the optional type is taken whenever it is there, and the rest takes anything.
_BODY_LINE_SRC = r"\n[ \t]*[^\W_][\w-]*(?:[ \t]+([^\W_][\w-]*))?([^\n]*)"
_BODY_LINES = PatternOnUse(_BODY_LINE_SRC)  # (a text that is not ASCII)
# The same for an ASCII text (`_BODY_LINE_SRC` with re.ASCII), in the terms `re` checks fastest:
# the classes spelled out (a bitmap each, not a category test), and from Python 3.11 possessive
# runs (each is followed by what it cannot take: nothing to give back). A sixth fewer
# instructions per line, on the lines of every body of the fast path.
_POSSESSIVE = "+" if _ATOMIC else ""
_ASCII_NAME = rf"[0-9A-Za-z][0-9A-Z_a-z-]*{_POSSESSIVE}"
_BODY_LINES_ASCII = re.compile(
    rf"\n[ \t]*{_POSSESSIVE}{_ASCII_NAME}(?:[ \t]+{_POSSESSIVE}({_ASCII_NAME}))?([^\n]*{_POSSESSIVE})",
    re.ASCII,
)
# A field line's rest -> REFUSED (`_FIELD_REST` does not take it whole), TAKEN, or OWNS_KEY
# (taken, and the field owns a foreign key: not a list, an `@relation` with `fields:`).
_REST_KIND: dict[str, int] = {}
REFUSED, TAKEN, OWNS_KEY = 0, 1, 2


_DECL_GAP = r"((?:[ \t]*(?://[^\n]*)?\n)*)[ \t]*"
_DECL_HEADER = rf"[ \t]+({_FIDENT})[ \t]*\{{{_LINE_END}\n()"  # after the keyword: name, `{`
_DECL_SRC = rf"{_DECL_GAP}(model|view|type|enum){_DECL_HEADER}{_fast_body(_LOOSE_FIELD_LINE, '')}"
# For a text without a non-ASCII character (`str.isascii` is free; nearly every schema) the same
# match with ASCII classes, which `re` checks faster (a sixth of the parse). On such a text it
# accepts exactly what `_DECL_SRC` accepts; the Unicode one is compiled only for a text that
# needs it (`_Parser.scan`).
_DECL = re.compile(_DECL_SRC, re.ASCII)
# The same with every line checked in the match, for a file with a body line `check_rests`
# refuses: compiled only then (`_Parser.scan`). An enum's body is not a model's here: its groups
# are 6 to 9 (`_Parser.lazy_declarations`).
_DECL_EXACT_SRC = (
    rf"{_DECL_GAP}(?:(model|view|type){_DECL_HEADER}{_FIELD_BODY_SRC}"
    rf"|(enum){_DECL_HEADER}{_VALUE_BODY_SRC})"
)
# A line's indentation, its first name, white space, the second name (group 1: a field's type),
# the rest of the line (group 2). In a clean file (`SchemaFile.clean`) the field lines of the
# blocks are the lines that start with two names, but for the headers (`model A {`: a rest that
# starts with `{`, naming the block itself): `psl.fields` reads a file the exact patterns
# checked with this (the parser reads the bodies it checks with `_BODY_LINES`). Linear: each try
# starts at a newline and ends within its line, and its runs stop at different characters. For a
# text without a non-ASCII character (`str.isascii` is free) the same matches with ASCII classes,
# which `re` checks faster.
_FIELD_LINE_SRC = r"\n[ \t]*[^\W_][\w-]*[ \t]+([^\W_][\w-]*)([^\n]*)"
_FIELD_LINES = PatternOnUse(_FIELD_LINE_SRC)
_FIELD_LINES_ASCII = PatternOnUse(_FIELD_LINE_SRC, re.ASCII)
_MAX_CACHED = 65536  # distinct rests remembered (a long watch session sees ever new ones)
_KEYWORD = {"m": "model", "v": "view", "t": "type", "e": "enum"}  # by the first letter
# One match per line (so `finditer` never retries inside a line); only field lines fill the
# groups. The lines were checked by `_FAST_BODY`, so this needs no grammar: the rest of a field line
# is its attributes, then maybe a comment.
_SUMMARY = PatternOnUse(
    r"^(?:[ \t\n]*[/@][^\n]*\n)*[ \t\n]*"
    r"(?:[^\W_][\w-]*[ \t]+([^\W_][\w-]*)(\[\]|\?)?[ \t]*([^\n]*)\n|\Z)",
    re.MULTILINE,
)
# A `fields:` argument with a field name in it, in an argument list the fast path checked: the
# arguments before it are matched whole, so a string cannot fake one. A number (`fields: [1]`)
# names no field, unless it is called (`1()` is a call to the full parser).
_RELATION_FIELDS = re.compile(
    rf"\({_W}(?:{_FARG}{_W},{_W})*?fields{_W}:{_W}\[{_W}(?:(?:{_FSTR}|{_FNUM}){_W},{_W})*"
    rf"(?!{_FNUM}(?!{_W}\()){_FPATH}"
)
_CONTROL = PatternOnUse(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_NESTING = 64
_BLOCK_KEYWORDS = frozenset(("model", "enum", "type", "view", "datasource", "generator"))
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class PSLSyntaxError(ComposeError):
    """A syntax error in a schema file; its single diagnostic points at the offending text."""


def parse(source: Source) -> SchemaFile:
    """Parse a whole schema file. Raises `PSLSyntaxError` on the first syntax error.

    Line endings are normalised as the CLI reads inputs (`\r\n` and a lone `\r` become `\n`,
    `inputfiles.normalise_newlines`): a text with `\r` is parsed as a new `Source` of the same name,
    which the result's nodes and errors refer to (its lines and columns are the original's).
    """
    if "\r" in source.text:
        source = Source(
            source.display, normalise_newlines(source.text), source.path, source.origin, source.line_map,
            source.private, source.to_origin,
        )
    return _Parser(source).parse()


def _gap_state(text: str, pos: int, gap: int) -> tuple[int | None, list[str]]:
    """What the line-by-line loop knows after the comment and blank lines `pos..gap`: where the
    first comment line starts (None: no comment), and the `///` lines after the last blank line."""
    first = _COMMENT_START.search(text, pos, gap)
    if first is None:
        return None, []
    return first.start(), _doc_lines(text, pos, gap)


_builder: Callable[[Declaration], list[Member]] | None = None


def _build_members(decl: Declaration) -> list[Member]:
    """The members of a block the fast path checked (`members.build_members`, which imports this
    module: looked up on first use)."""
    global _builder
    if _builder is None:
        from .members import build_members

        _builder = build_members
    return _builder(decl)


def field_summary(decl: Declaration) -> list[tuple[str, str, str]]:
    """`Declaration.field_summary` of a block whose members are not built: one regular expression
    over lines the fast path already checked (field lines are the only ones that fill its groups)."""
    if decl.keyword == "enum":
        return []
    found = _SUMMARY.findall(decl.source.text, decl.body_start, decl.close_start)
    if found and not found[-1][0]:  # the lines after the last field, and the end of the body
        found = [f for f in found if f[0]]
    return found



def rest_kinds(rests: set[str]) -> None:
    """Put the kind of each of these field line rests in `_REST_KIND` (each distinct rest is
    looked at once, in this file or an earlier one)."""
    new = rests.difference(_REST_KIND)
    if len(_REST_KIND) + len(new) > _MAX_CACHED:  # a long watch session over ever new texts
        _REST_KIND.clear()
        new = rests
    for rest in new:
        _REST_KIND[rest] = _rest_kind(rest)


def _rest_kind(rest: str) -> int:
    if _FIELD_REST.fullmatch(rest) is None:
        return REFUSED
    if rest.startswith("[]") or "@relation" not in rest:
        return TAKEN
    return OWNS_KEY if relation_with_fields(rest.lstrip("?").lstrip(" \t")) else TAKEN


def _file_fields(
    schema: SchemaFile, found: list[tuple[str, str]], owning: set[str], types: set[str]
) -> Any:
    """`psl.fields.file_fields` (which imports this module: looked up on first use)."""
    global _file_fields
    from .fields import file_fields

    _file_fields = file_fields
    return file_fields(schema, found, owning, types)


def relation_names_fields(relation: Attribute) -> bool:
    """Does this `@relation`'s `fields:` name a field? Read from the text when its arguments
    are not built yet (the fast path checked them), so that nobody has to build them."""
    if relation._lazy is not None:
        parse_args, pos = relation._lazy
        return _RELATION_FIELDS.match(parse_args.__self__.text, pos) is not None  # type: ignore[attr-defined]
    fields = relation.arg("fields")
    return bool(fields is not None and fields.names())


def relation_with_fields(attributes: str) -> bool:
    """Do these field attributes (checked by the fast path; a comment may follow them) hold an
    `@relation` whose `fields:` names a field? As `field_dependency` asks it of a built member."""
    if attributes.startswith("@relation("):  # the usual place: first
        return _RELATION_FIELDS.match(attributes, 9) is not None
    pos, end = 0, len(attributes)
    while True:
        a = _FAST_ATTR.match(attributes, pos)
        if a is None:
            return False
        if a.group(1) == "relation":
            return a.group(2) is not None and _RELATION_FIELDS.match(attributes, a.start(2)) is not None
        pos = a.end()
        while pos < end and attributes[pos] in " \t":
            pos += 1


def decode_string(literal: str) -> str:
    """The value of a PSL string literal (quotes included), with JSON-style escapes resolved."""
    body = literal[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
    return "".join(out)


class _Parser:
    __slots__ = ("depth", "eol", "exact", "found", "n", "source", "text", "values")

    def __init__(self, source: Source, exact: bool = False) -> None:
        self.exact = exact  # every line checked by `_DECL_EXACT_SRC` itself (see `_FIELD_REST`)
        # The (type, rest) of the lines of the `_DECL` bodies that start with a name, for
        # `check_rests`: field lines (`psl.fields` reads them too), and enum values (no type).
        self.found: list[tuple[str, str]] = []
        self.values: list[tuple[str, str]] = []
        self.source = source
        self.text = source.text
        self.n = len(self.text)
        self.eol = 0  # end of the current line (offset of its "\n" or of the end of text)
        self.depth = 0  # brackets (lists, objects, calls) open around the current position

    # -- errors --------------------------------------------------------------------------------

    def fail(
        self, message: str, start: int, end: int | None = None, hint: str | None = None
    ) -> PSLSyntaxError:
        loc = Location(self.source, start, end if end is not None else min(start + 1, self.eol))
        return PSLSyntaxError(Diagnostic(message, loc, code="E001", hint=hint))

    # -- lines ---------------------------------------------------------------------------------

    def line_end(self, pos: int) -> int:
        eol = self.text.find("\n", pos)
        return self.n if eol == -1 else eol

    def ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def expect_line_end(self, pos: int, what: str, span: bool = True) -> None:
        """Only white space or a comment may follow `what` on its line."""
        pos = self.trailing_comments(pos, span)
        if pos < self.eol and not self.text.startswith("//", pos):
            raise self.fail(f"Unexpected `{self.snippet(pos)}` after {what}.", pos, self.eol)

    def trailing_comments(self, pos: int, span: bool = True) -> int:
        """Skip white space and `/* … */` comments. A comment may close on a later line, as
        Prisma allows (it becomes the documentation of the member before it): the line then ends
        where it closes (`self.eol` moves), and only white space or comments may follow it. Not after
        a block's `{` (`span` False), where Prisma does not allow it."""
        pos = self.ws(pos)
        spanned = False
        while self.text.startswith("/*", pos):
            close = self.text.find("*/", pos + 2, self.eol)
            if close == -1:
                close = self.text.find("*/", self.eol) if span else -1
                if close == -1 and not span:
                    raise self.fail(
                        "A `/*` comment after `{` must end on the same line.", pos, self.eol
                    )
                if close == -1:
                    raise self.fail("This `/*` comment is never closed with `*/`.", pos, pos + 2)
                self.eol = self.line_end(close)
                spanned = True
            pos = self.ws(close + 2)
        if spanned and pos < self.eol and not self.text.startswith("//", pos):
            raise self.fail(
                f"Unexpected `{self.snippet(pos)}` after a `/* */` comment that spans lines: only a "
                "comment may follow it on its last line.",
                pos,
                self.eol,
            )
        return pos

    def block_comment(self, pos: int) -> int:
        """Skip a `/* … */` comment that starts a line; returns the start of the next line."""
        close = self.text.find("*/", pos + 2)
        if close == -1:
            raise self.fail("This `/*` comment is never closed with `*/`.", pos, pos + 2)
        self.eol = self.line_end(close)
        self.expect_line_end(close + 2, "the comment")
        return self.eol + 1

    def snippet(self, pos: int) -> str:
        text = self.text[pos : self.eol].strip()
        text = text if len(text) <= 40 else text[:37] + "..."
        # A control character would be invisible in the message (or move the cursor).
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)

    # -- top level -----------------------------------------------------------------------------

    def parse(self) -> SchemaFile:
        loose: list[Declaration] = []  # declarations of `_DECL`, whose lines are checked after
        try:
            schema = self.scan(loose)
        except PSLSyntaxError:
            if loose and not self.exact:  # the first error may be in a line not checked yet
                return _Parser(self.source, exact=True).parse()
            raise
        if loose and not self.exact and not self.check_rests(schema):
            return _Parser(self.source, exact=True).parse()
        return schema

    def scan(self, loose: list[Declaration]) -> SchemaFile:
        text, n = self.text, self.n
        decls: list[Declaration] = []
        pending: int | None = None  # start of the comment lines waiting for a declaration
        doc: list[str] = []
        pos = 0
        slow_until = 0  # after a failed fast match, line by line up to here (keeps this linear)
        fast = self.declaration_pattern().match if _FAST_BODY else None
        while pos < n:
            if pos >= slow_until and pending is None and not doc and fast is not None:
                pos = self.lazy_declarations(fast, pos, decls, loose)  # (the match at `pos` failed)
                if pos >= n:
                    break
                gap = self.gap_end(pos)
                slow_until = gap + 1
                if gap > pos:  # comment and blank lines, all at once (a file may hold millions)
                    pending, doc = _gap_state(text, pos, gap)
                    pos = gap
                    continue
            pos, pending, doc = self.top_line(pos, pending, doc, decls)
        schema = SchemaFile(self.source, decls, pending if pending is not None else n)
        # Every block of the fast path and nothing after the last but blank and `//` lines: the
        # whole text is lines the fast path checked (what `SchemaFile.clean` promises).
        last = decls[-1].end if decls else 0
        schema.clean = len(loose) == len(decls) and _GAP.match(text, last).end() == n  # type: ignore[union-attr]
        return schema

    def declaration_pattern(self) -> re.Pattern[str]:
        """`_DECL`, or `_DECL_EXACT_SRC` (`exact`), with the classes the text needs (`re` keeps
        the ones compiled here)."""
        ascii = self.text.isascii()
        if not self.exact:
            return _DECL if ascii else re.compile(_DECL_SRC)
        return re.compile(_DECL_EXACT_SRC, re.ASCII if ascii else 0)

    def top_line(
        self, pos: int, pending: int | None, doc: list[str], decls: list[Declaration]
    ) -> tuple[int, int | None, list[str]]:
        """One line (or declaration, or `/* */` comment) of the top level, line by line: where
        the next starts, and the comment lines waiting for a declaration (their start, and the
        `///` lines after the last blank one)."""
        text = self.text
        eol = self.eol = self.line_end(pos)
        p = self.ws(pos)
        if p == eol:
            return eol + 1, pending, []
        if text.startswith("/*", p):
            return self.block_comment(p), pos if pending is None else pending, doc
        if text.startswith("//", p):
            if text.startswith("///", p):
                doc.append(text[p + 3 : eol])
            return eol + 1, pos if pending is None else pending, doc
        decl = self.declaration(pos, p, pending, doc)
        decls.append(decl)
        return decl.end, None, []

    def check_rests(self, schema: SchemaFile) -> bool:
        """Are the lines of the `_DECL` bodies that start with a name (`found`, `values`: their
        type and rest) lines the exact patterns take? Each distinct rest is checked once; a clean
        file's lines are read once for this and for its `SchemaFile.fields`."""
        found, values = self.found, self.values
        types = set(map(itemgetter(0), found))
        if "" in types or "Unsupported" in types:  # a line without a type; `Unsupported("…")`
            return False
        rests = set(map(itemgetter(1), found))
        checked = rests
        if values:
            if any(map(itemgetter(0), values)):  # an enum value followed by a name
                return False
            value_rests = set(map(itemgetter(1), values))
            # After a value, what follows a type: but for the `[]` or `?` of a field's type.
            if any(rest[:1] in ("[", "?") for rest in value_rests):
                return False
            checked = rests | value_rests
        rest_kinds(checked)
        if not all(map(_REST_KIND.__getitem__, checked)):  # one is REFUSED
            return False
        if schema.clean:
            owning = {r for r in rests if _REST_KIND[r] == OWNS_KEY}
            schema._fields = _file_fields(schema, found, owning, types)
        return True

    def gap_end(self, pos: int) -> int:
        """The start of the first line from `pos` that is neither blank nor a `//` comment."""
        end = _GAP.match(self.text, pos).end()  # type: ignore[union-attr]
        return self.text.rfind("\n", pos, end) + 1 or pos

    def lazy_declarations(
        self, match: Callable[[str, int], re.Match[str] | None], pos: int, decls: list[Declaration],
        loose: list[Declaration],
    ) -> int:
        """The declarations of the `_DECL` matches one after the other from `pos`, their members
        built on first use, and the (type, rest) of the lines of their bodies that start with a
        name, for `check_rests` (`found`, `values`; not in `exact` mode, where `_DECL_EXACT_SRC`
        checks them); returns where the first text it does not take starts.
        Documentation is read from the gap only if it may say `@extend` (else on first use,
        `Declaration.doc`). One loop for a whole file: this runs once per declaration, so it
        keeps to local names."""
        text, source, build = self.text, self.source, _build_members
        find, rfind = text.find, text.rfind
        exact, found, values = self.exact, self.found, self.values
        lines = None if exact else (_BODY_LINES_ASCII if text.isascii() else _BODY_LINES).findall
        while (m := match(text, pos)) is not None:
            regs = m.regs  # every group's span in one call
            if exact:  # `_DECL_EXACT_SRC`: the groups of its `model` or of its `enum` alternative
                regs = regs[:6] if regs[2][0] != -1 else (regs[0], regs[1], *regs[6:10])
            (_, pos), (gap, header), (keyword_start, _), (name_start, name_end), (body_start, _), (
                close_start, _
            ) = regs
            keyword = _KEYWORD[text[keyword_start]]
            start = header
            doc: list[str] | None = []
            is_extend = False
            comment = find("//", gap, header) if gap != header else -1
            if comment != -1:
                start = rfind("\n", gap, comment) + 1 or gap
                if find("@extend", comment, header) == -1:
                    doc = None
                elif header == start + 12 and text.startswith("/// @extend\n", start):
                    doc, is_extend = [" @extend"], True  # the usual marker, alone above the block
                else:
                    doc = _doc_lines(text, start, header)
                    is_extend = any(line.strip() == "@extend" for line in doc)
            decl = Declaration(
                # One string per keyword, and a name is the same string as the field types that
                # name it (`psl.fields` interns those).
                keyword, intern(text[name_start:name_end]), source, start,
                keyword_start, name_start, name_end, body_start, close_start, pos, None, doc,
                is_extend, build,
            )
            decls.append(decl)
            loose.append(decl)
            if lines is not None:  # from the newline that ends the header
                if keyword == "enum":
                    values += lines(text, body_start - 1, close_start)
                else:
                    found += lines(text, body_start - 1, close_start)
        return pos

    def declaration(self, line_start: int, p: int, pending: int | None, doc: list[str]) -> Declaration:
        text = self.text
        m = _IDENT.match(text, p)
        keyword = m.group() if m else ""
        if keyword not in _BLOCK_KEYWORDS:
            raise self.fail(
                "This line is invalid. It does not start with any known Prisma schema keyword.",
                p,
                self.eol,
                hint="top-level blocks are model, enum, type, view, datasource and generator",
            )
        q = self.ws(m.end())  # type: ignore[union-attr]
        name_m = _IDENT.match(text, q) if q > m.end() else None  # type: ignore[union-attr]
        if name_m is None:
            raise self.fail(f"Expected a name after `{keyword}`.", q)
        name_start, name_end = name_m.span()
        q = self.ws(name_end)
        start = pending if pending is not None else line_start
        if keyword == "type" and text.startswith("=", q):
            return self.type_alias(start, p, name_m.group(), name_start, name_end, q + 1, doc)
        if not text.startswith("{", q):
            raise self.fail(f"Expected `{{` after `{keyword} {name_m.group()}`.", q, self.eol)
        self.expect_line_end(q + 1, "`{`", span=False)
        decl = Declaration(
            keyword,
            name_m.group(),
            self.source,
            start,
            p,
            name_start,
            name_end,
            body_start=min(self.eol + 1, self.n),
            close_start=0,
            end=0,
            _doc=list(doc),
            is_extend=any(line.strip() == "@extend" for line in doc),
        )
        fast = _FAST_BODY.get(keyword)
        m = fast.match(text, decl.body_start) if fast is not None else None
        if m is not None:
            decl.close_start = text.rfind("\n", 0, m.start(1)) + 1
            decl.end = m.end()
            decl._members = None
            decl._build = _build_members
        else:
            self.block_body(decl)
        return decl

    def type_alias(
        self, start: int, kw: int, name: str, name_start: int, name_end: int, pos: int, doc: list[str]
    ) -> Declaration:
        member = Member("field", name, start, start, 0, name_start, name_end)
        pos = self.field_type(member, self.ws(pos))
        self.field_attributes(member, pos)
        end = min(self.eol + 1, self.n)
        decl = Declaration(
            "alias", name, self.source, start, kw, name_start, name_end, end, end, end, _doc=list(doc)
        )
        member.end = end
        decl.members.append(member)
        return decl

    # -- blocks --------------------------------------------------------------------------------

    def block_body(self, decl: Declaration) -> None:
        text, n = self.text, self.n
        pos = decl.body_start
        pending: int | None = None
        while True:
            if pos >= n:
                raise self.fail(
                    f"This {decl.keyword} block is missing its closing `}}`.",
                    decl.keyword_start,
                    decl.name_end,
                )
            eol = self.eol = self.line_end(pos)
            p = self.ws(pos)
            if p == eol or text.startswith("//", p):
                if p != eol and pending is None:
                    pending = pos
                pos = eol + 1
                continue
            if text.startswith("/*", p):
                if pending is None:
                    pending = pos
                pos = self.block_comment(p)
                continue
            if text[p] == "}":
                self.expect_line_end(p + 1, "`}`")
                decl.close_start = pos
                decl.end = min(self.eol + 1, n)
                return
            start = pending if pending is not None else pos
            pending = None
            if text.startswith("@@", p):
                attr = self.attribute(p, block=True)
                self.expect_line_end(attr.end, "a block attribute")
                member = Member("block_attribute", attr.name, start, pos, 0, p, attr.end, attributes=[attr])
            elif decl.keyword in ("datasource", "generator"):
                member = self.property(start, pos, p)
            elif decl.keyword == "enum":
                member = self.enum_value(start, pos, p)
            else:
                member = self.field(start, pos, p)
            member.end = min(self.eol + 1, n)  # past a trailing `/* */` that spans lines
            decl.members.append(member)
            pos = self.eol + 1

    def property(self, start: int, line_start: int, p: int) -> Member:
        m = _IDENT.match(self.text, p)
        if m is None:
            raise self.fail("This line is not a valid definition within a configuration block.", p, self.eol)
        q = self.ws(m.end())
        if not self.text.startswith("=", q):
            raise self.fail(f"Expected `=` after `{m.group()}`.", q, self.eol)
        q = self.ws(q + 1)
        value = self.expression(q)
        self.expect_line_end(value.end, "the value")
        return Member("property", m.group(), start, line_start, 0, m.start(), m.end(), value=value)

    def enum_value(self, start: int, line_start: int, p: int) -> Member:
        m = _IDENT.match(self.text, p)
        if m is None:
            raise self.fail("This line is not an enum value definition.", p, self.eol)
        member = Member("value", m.group(), start, line_start, 0, m.start(), m.end())
        self.field_attributes(member, m.end())
        return member

    def field(self, start: int, line_start: int, p: int) -> Member:
        text = self.text
        fast = re.compile(_FAST_FIELD_SRC).match(text, p)  # (`re` keeps it compiled)
        if fast is not None and fast.group(2) != "Unsupported":
            mark = fast.group(3)
            member = Member(
                "field",
                fast.group(1),
                start,
                line_start,
                0,
                fast.start(1),
                fast.end(1),
                type_name=fast.group(2),
                type_start=fast.start(2),
                type_end=fast.end(3 if mark else 2),
                optional=mark == "?",
                is_list=mark == "[]",
            )
            if fast.group(4):
                lazy = self.lazy_arguments
                for a in _FAST_ATTR.finditer(text, fast.start(4), fast.end(4)):
                    if a.group(2) is None:
                        member.attributes.append(Attribute(a.group(1), None, a.start(), a.end()))
                    else:
                        member.attributes.append(
                            Attribute(a.group(1), None, a.start(), a.end(), (lazy, a.start(2)))
                        )
            return member
        m = _IDENT.match(text, p)
        if m is None:
            raise self.fail("This line is not a valid field or attribute definition.", p, self.eol)
        member = Member("field", m.group(), start, line_start, 0, m.start(), m.end())
        q = self.ws(m.end())
        if text.startswith(":", q):
            raise self.fail("Field declarations don't require a `:`.", q, q + 1)
        if q == m.end() or q >= self.eol or text.startswith("//", q) or text.startswith("@", q):
            raise self.fail(
                "This field declaration is invalid. It is either missing a name or a type.", p, self.eol
            )
        q = self.field_type(member, q)
        self.field_attributes(member, q)
        return member

    def field_type(self, member: Member, pos: int) -> int:
        text = self.text
        if text.startswith("[", pos):
            raise self.fail("To specify a list, please use `Type[]` instead of `[Type]`.", pos, self.eol)
        m = _IDENT.match(text, pos)
        if m is None:
            raise self.fail("Expected a type.", pos, self.eol)
        end = m.end()
        member.type_name = m.group()
        if member.type_name == "Unsupported" and text.startswith("(", end):
            s = _STRING.match(text, self.ws(end + 1))
            if s is None:
                raise self.fail('Expected a string in `Unsupported("…")`.', end + 1, self.eol)
            close = self.ws(s.end())
            if not text.startswith(")", close):
                raise self.fail("Expected `)` to close `Unsupported(`.", close, self.eol)
            end = close + 1
        member.type_start, member.type_end = pos, end
        if text.startswith("[]", end):
            member.is_list = True
            end += 2
            if text.startswith("?", end):
                raise self.fail(
                    "Optional lists are not supported. Use either `Type[]` or `Type?`.", pos, end + 1
                )
        elif text.startswith("?", end):
            member.optional = True
            end += 1
        elif text.startswith("!", end):
            raise self.fail("Fields are required by default, `!` is no longer required.", end, end + 1)
        member.type_end = end
        return end

    def field_attributes(self, member: Member, pos: int) -> None:
        text = self.text
        while True:
            pos = self.trailing_comments(pos)
            if pos >= self.eol or text.startswith("//", pos):
                return
            if not text.startswith("@", pos) or text.startswith("@@", pos):
                what = "field" if member.kind == "field" else "value"
                raise self.fail(
                    f"This line is not a valid {what} definition: unexpected `{self.snippet(pos)}`.",
                    pos,
                    self.eol,
                )
            attr = self.attribute(pos, block=False)
            member.attributes.append(attr)
            pos = attr.end

    # -- attributes and expressions ------------------------------------------------------------

    def attribute(self, pos: int, block: bool) -> Attribute:
        name_pos = pos + (2 if block else 1)
        m = _PATH.match(self.text, name_pos)
        if m is None:
            raise self.fail("Expected an attribute name after `@`.", pos, name_pos + 1)
        q = self.ws(m.end())
        if self.text.startswith("(", q):
            args, end = self.arguments(q)
            return Attribute(m.group(), args, pos, end)
        return Attribute(m.group(), None, pos, m.end())

    def lazy_arguments(self, pos: int) -> list[Arg]:
        """Build the argument nodes of an attribute the fast path already checked."""
        self.eol = self.line_end(pos)
        return self.arguments(pos)[0]

    def arguments(self, pos: int) -> tuple[list[Arg], int]:
        """`( arg, name: value, name:, )` starting at the `(`; returns the args and the end."""
        text = self.text
        args: list[Arg] = []
        q = self.ws(pos + 1)
        if text.startswith(")", q):
            return args, q + 1
        while True:
            m = _IDENT.match(text, q)
            colon = self.ws(m.end()) if m else -1
            if m and text.startswith(":", colon):
                v = self.ws(colon + 1)
                if text.startswith(",", v) or text.startswith(")", v):
                    args.append(Arg(m.group(), None, q, colon + 1))
                else:
                    value = self.expression(v)
                    args.append(Arg(m.group(), value, q, value.end))
            else:
                value = self.expression(q)
                args.append(Arg(None, value, q, value.end))
            q = self.ws(args[-1].end)
            if text.startswith(")", q):
                return args, q + 1
            if not text.startswith(",", q):
                raise self.fail("Expected `,` or `)` in the argument list.", q, self.eol)
            q = self.ws(q + 1)
            if text.startswith(")", q):  # trailing comma
                return args, q + 1

    def expression(self, pos: int) -> Expr:
        text = self.text
        if pos >= self.eol:
            raise self.fail("Expected a value.", pos)
        c = text[pos]
        if c == '"':
            m = _STRING.match(text, pos)
            if m is None:
                raise self.fail("This string is not terminated, or holds a control character.", pos, self.eol)
            return Expr("string", pos, m.end(), decode_string(m.group()))
        if c == "[" or c == "{":
            self.depth += 1
            try:
                self.check_depth(pos)
                return self.array(pos) if c == "[" else self.object(pos)
            finally:
                self.depth -= 1
        m = _PATH.match(text, pos)
        if m is not None:
            q = self.ws(m.end())
            if text.startswith("(", q):
                self.depth += 1
                try:
                    self.check_depth(q)
                    args, end = self.arguments(q)
                finally:
                    self.depth -= 1
                return Expr("call", pos, end, m.group(), args=args)
        n = _NUMBER.match(text, pos)
        if n is not None:
            return Expr("number", pos, n.end(), n.group())
        if m is not None:
            return Expr("path", pos, m.end(), m.group())
        raise self.fail(f"Unexpected `{self.snippet(pos)}`: expected a value.", pos, self.eol)

    def check_depth(self, pos: int) -> None:
        """Far deeper than any schema needs, a syntax error rather than Python's recursion limit
        (the parser recurses once per bracket level)."""
        if self.depth > MAX_NESTING:
            raise self.fail(
                f"Brackets nested more than {MAX_NESTING} levels deep.", pos, pos + 1,
                hint="a Prisma schema never needs this many; is a bracket left open?",
            )

    def array(self, pos: int) -> Expr:
        text = self.text
        expr = Expr("array", pos, pos)
        q = self.ws(pos + 1)
        if text.startswith("]", q):
            expr.end = q + 1
            return expr
        while True:
            item = self.expression(q)
            expr.items.append(item)
            q = self.ws(item.end)
            if text.startswith("]", q):
                expr.end = q + 1
                return expr
            if not text.startswith(",", q):
                raise self.fail("Expected `,` or `]` in the list.", q, self.eol)
            q = self.ws(q + 1)

    def object(self, pos: int) -> Expr:
        text = self.text
        expr = Expr("object", pos, pos)
        q = self.ws(pos + 1)
        if text.startswith("}", q):
            expr.end = q + 1
            return expr
        while True:
            m = _IDENT.match(text, q)
            colon = self.ws(m.end()) if m else q
            if m is None or not text.startswith(":", colon):
                raise self.fail("Expected `name: value` in the object.", q, self.eol)
            value = self.expression(self.ws(colon + 1))
            expr.args.append(Arg(m.group(), value, q, value.end))
            q = self.ws(value.end)
            if text.startswith("}", q):
                expr.end = q + 1
                return expr
            if not text.startswith(",", q):
                raise self.fail("Expected `,` or `}` in the object.", q, self.eol)
            q = self.ws(q + 1)
