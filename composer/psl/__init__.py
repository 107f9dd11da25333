"""Prisma Schema Language: syntax tree and parser."""

from .ast import Arg, Attribute, Declaration, Expr, Member, SchemaFile
from .parser import _FAST_ATTR as ATTRIBUTE_PATTERN
from .parser import PSLSyntaxError, decode_string, parse

# `@name(args)` with the arguments the parser's fast path checks: group 1 the name, group 2 the
# parenthesised arguments. In a block the fast path accepted (`Declaration.lazy`), a field's
# attributes are a run of these, separated by white space.
__all__ = [
    "ATTRIBUTE_PATTERN",
    "Arg",
    "Attribute",
    "Declaration",
    "Expr",
    "Member",
    "PSLSyntaxError",
    "SchemaFile",
    "decode_string",
    "parse",
]
