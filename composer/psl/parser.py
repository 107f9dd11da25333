"""A hand-written parser for the Prisma Schema Language.

PSL is line-oriented (prisma-engines' grammar lets no expression or declaration member span a
newline), so the parser walks the text one line at a time with an integer position, as tomli
does, and matches tokens with precompiled regular expressions. Line and column numbers are only
computed when an error is raised.

The grammar followed is prisma-engines' `schema-ast` (datamodel.pest) plus the newer object
expressions (`where: { published: true }`). Unlike Prisma's error-tolerant parser, the first
syntax error stops parsing: composing a schema with a broken fragment is never useful.
"""

from __future__ import annotations

import re

from ..diagnostics import ComposeError, Diagnostic, Location, Source
from .ast import Arg, Attribute, Declaration, Expr, Member, SchemaFile

# Identifiers: an alphanumeric first character, then alphanumerics, `_` and `-`. `\w` admits
# non-ASCII letters, which Prisma's validator (not its parser) judges.
_IDENT = re.compile(r"[^\W_][\w-]*")
_PATH = re.compile(r"[^\W_][\w-]*(?:\.[^\W_][\w-]*)*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?![\w.])")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\[^\n])*"')
# SPACE_SEPARATOR (Unicode Zs) and tab, never a newline.
_WS = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")

# The fast path: one regular expression checks a whole field line (name, type, attributes with
# simple arguments) in C; lines it does not match go through the full parser,
# which also produces the error messages. It accepts exactly what the full parser accepts.
_W = r"[ \t]*"
_FIDENT = r"[^\W_][\w-]*"
_FPATH = _FIDENT + r"(?:\." + _FIDENT + r")*"
_FSTR = r'"(?:[^"\\\x00-\x1f]|\\[^\n])*"'
_FNUM = r"-?[0-9]+(?:\.[0-9]+)?(?![\w.])"


# Arguments the fast path knows: strings, numbers, names, `fn()`, `fn("…")` / `fn(1)`, and flat
# lists of those, positional or named — what nearly every real field line holds.
_FATOM = rf"(?:{_FSTR}|{_FNUM}|{_FPATH}(?:{_W}\({_W}(?:{_FSTR}|{_FNUM})?{_W}\))?)"
_FVAL = rf"(?:{_FATOM}|\[{_W}(?:{_FATOM}(?:{_W},{_W}{_FATOM})*)?{_W}\])"
_FARG = rf"(?:{_FIDENT}{_W}:{_W})?{_FVAL}"
_FAST_ATTR_SRC = rf"@({_FPATH})(?:{_W}(\({_W}(?:{_FARG}(?:{_W},{_W}{_FARG})*{_W},?)?{_W}\)))?"
_FAST_ATTR = re.compile(_FAST_ATTR_SRC)
_FAST_FIELD = re.compile(
    rf"({_FIDENT})[ \t]+({_FIDENT})(\[\]|\?)?((?:{_W}{_FAST_ATTR_SRC})*){_W}(?://[^\n]*)?(?=\n|\Z)"
)
_BLOCK_KEYWORDS = frozenset(("model", "enum", "type", "view", "datasource", "generator"))
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class PSLSyntaxError(ComposeError):
    """A syntax error in a schema file; its single diagnostic points at the offending text."""


def parse(source: Source) -> SchemaFile:
    """Parse a whole schema file. Raises `PSLSyntaxError` on the first syntax error."""
    return _Parser(source).parse()


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
    __slots__ = ("eol", "n", "source", "text")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        self.n = len(self.text)
        self.eol = 0  # end of the current line (offset of its "\n" or of the end of text)

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

    def expect_line_end(self, pos: int, what: str) -> None:
        """Only white space or a comment may follow `what` on its line."""
        pos = self.trailing_comments(pos)
        if pos < self.eol and not self.text.startswith("//", pos):
            raise self.fail(f"Unexpected `{self.snippet(pos)}` after {what}.", pos, self.eol)

    def trailing_comments(self, pos: int) -> int:
        """Skip white space and `/* … */` comments that close on this line."""
        pos = self.ws(pos)
        while self.text.startswith("/*", pos):
            close = self.text.find("*/", pos + 2, self.eol)
            if close == -1:
                raise self.fail(
                    "A `/*` comment after a declaration must end on the same line.", pos, self.eol
                )
            pos = self.ws(close + 2)
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
        return text if len(text) <= 40 else text[:37] + "..."

    # -- top level -----------------------------------------------------------------------------

    def parse(self) -> SchemaFile:
        text, n = self.text, self.n
        decls: list[Declaration] = []
        pending: int | None = None  # start of the comment lines waiting for a declaration
        doc: list[str] = []
        pos = 0
        while pos < n:
            eol = self.eol = self.line_end(pos)
            p = self.ws(pos)
            if p == eol:
                doc = []
            elif text.startswith("/*", p):
                if pending is None:
                    pending = pos
                pos = self.block_comment(p)
                continue
            elif text.startswith("//", p):
                if pending is None:
                    pending = pos
                if text.startswith("///", p):
                    doc.append(text[p + 3 : eol])
            else:
                decl = self.declaration(pos, p, pending, doc)
                decls.append(decl)
                pending, doc = None, []
                pos = decl.end
                continue
            pos = eol + 1
        return SchemaFile(self.source, decls, pending if pending is not None else n)

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
        self.expect_line_end(q + 1, "`{`")
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
            doc=list(doc),
            is_extend=any(line.strip() == "@extend" for line in doc),
        )
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
            "alias", name, self.source, start, kw, name_start, name_end, end, end, end, doc=list(doc)
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
                decl.end = min(eol + 1, n)
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
            member.end = min(eol + 1, n)
            decl.members.append(member)
            pos = eol + 1

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
        fast = _FAST_FIELD.match(text, p)
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
        if c == "[":
            return self.array(pos)
        if c == "{":
            return self.object(pos)
        m = _PATH.match(text, pos)
        if m is not None:
            q = self.ws(m.end())
            if text.startswith("(", q):
                args, end = self.arguments(q)
                return Expr("call", pos, end, m.group(), args=args)
        n = _NUMBER.match(text, pos)
        if n is not None:
            return Expr("number", pos, n.end(), n.group())
        if m is not None:
            return Expr("path", pos, m.end(), m.group())
        raise self.fail(f"Unexpected `{self.snippet(pos)}`: expected a value.", pos, self.eol)

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
